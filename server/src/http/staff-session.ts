import crypto from 'node:crypto';
import type { Context } from 'koa';
import { sessionFor, type StaffDeps, type StaffLogin } from '../domain/staff';
import { AppError } from '../errors';
import type { Caller } from './api-route';

/** The console's session cookie: httpOnly, SameSite=Strict, Secure in production. */
const STAFF_COOKIE = 'fapiao_console';
const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface StaffCookieOptions {
  secure: boolean;
}

/** Behind a TLS-terminating proxy that does not say so, Koa would refuse a Secure cookie: it is meant for https anyway. */
function allowSecure(ctx: Context, options: StaffCookieOptions): void {
  if (options.secure) (ctx.cookies as { secure?: boolean }).secure = true;
}

export function setStaffCookie(ctx: Context, login: StaffLogin, options: StaffCookieOptions): void {
  allowSecure(ctx, options);
  ctx.cookies.set(STAFF_COOKIE, login.token, { httpOnly: true, sameSite: 'strict', secure: options.secure, path: '/', expires: login.expiresAt, overwrite: true });
}

export function clearStaffCookie(ctx: Context, options: StaffCookieOptions): void {
  allowSecure(ctx, options);
  ctx.cookies.set(STAFF_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: options.secure, path: '/', expires: new Date(0), overwrite: true });
}

export const staffCookieOf = (ctx: Context): string | undefined => ctx.cookies.get(STAFF_COOKIE) || undefined;

/**
 * A request from a page on another site: its Origin (or, lacking one, Referer) names another
 * host. SameSite=Strict already keeps the cookie off such requests; this is the second lock.
 */
export function isCrossSite(ctx: Context): boolean {
  const source = ctx.get('origin') || ctx.get('referer');
  if (!source || source === 'null') return source === 'null';
  try {
    return new URL(source).host !== ctx.host;
  } catch {
    return true;
  }
}

/**
 * The caller behind the console cookie, or null when there is no live session. A state-changing
 * request must also come from this site and carry the session's CSRF token.
 */
export async function staffCaller(ctx: Context, deps: StaffDeps): Promise<Caller | null> {
  const token = staffCookieOf(ctx);
  if (!token) return null;
  const found = await sessionFor(deps, token);
  if (!found) return null;
  if (!SAFE_METHODS.has(ctx.method)) {
    const sent = Buffer.from(ctx.get(CSRF_HEADER));
    const expected = Buffer.from(found.session.csrfToken);
    const tokenOk = sent.length === expected.length && crypto.timingSafeEqual(sent, expected);
    if (!tokenOk || isCrossSite(ctx)) throw new AppError('CSRF_FAILED', `A change from the console needs the session's ${CSRF_HEADER} header and this site's origin: reload the console`);
  }
  return { kind: 'staff', username: found.staff._id, displayName: found.staff.displayName, role: found.staff.role, csrfToken: found.session.csrfToken };
}
