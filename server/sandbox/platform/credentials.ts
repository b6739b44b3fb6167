import crypto from 'node:crypto';
import type { SandboxApp } from '../data/models';
import type { SandboxContext } from '../context';
import { fail } from '../reply';

/** A value shaped like WeChat's: long, URL-safe, unguessable. */
export function newOpaqueValue(bytes = 48): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** The app behind appid + secret, or WeChat's error for the first thing wrong with them. */
export async function authenticateApp(sb: SandboxContext, appid: unknown, secret: unknown): Promise<SandboxApp> {
  if (typeof appid !== 'string' || !appid) fail(41002);
  if (typeof secret !== 'string' || !secret) fail(41004);
  const app = await sb.models.App.findOne({ appid }).lean();
  if (!app) fail(40013);
  if (!timingSafeEqualStrings(app.secret, secret)) fail(40125);
  return app;
}

/**
 * Validates `?access_token=`: 41001 when absent, 40001 when unknown (or replaced and past its
 * overlap), 42001 when expired. Returns the appid it belongs to.
 */
export async function requireAccessToken(sb: SandboxContext, value: unknown): Promise<string> {
  if (typeof value !== 'string' || !value) fail(41001);
  const token = await sb.models.AccessToken.findOne({ value }).lean();
  if (!token) fail(40001);
  if (token.expiresAt.getTime() <= sb.now().getTime()) fail(42001);
  return token.appid;
}

function timingSafeEqualStrings(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
