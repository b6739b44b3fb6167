import crypto from 'node:crypto';
import Router from '@koa/router';
import { bodyOf } from '../body';
import type { SandboxContext } from '../context';
import { count } from '../control/counters';
import { fail } from '../reply';
import { authenticateApp, newOpaqueValue, requireAccessToken } from './credentials';
import { isDuplicateKey } from '../data/mongo-errors';

/**
 * The platform endpoints every WeChat integration starts with: access tokens (two kinds),
 * the wx_card ticket, and the Mini Program login.
 */
export function platformRoutes(sb: SandboxContext): Router {
  const router = new Router();
  const { AccessToken, Ticket, LoginCode } = sb.models;
  const seconds = (ms: number) => Math.floor(ms / 1000);
  const plus = (s: number) => new Date(sb.now().getTime() + s * 1000);

  // GET /cgi-bin/token: every call issues a new token; the previous ones keep working only
  // for the overlap (about 5 minutes), as WeChat documents.
  router.get('/cgi-bin/token', async (ctx) => {
    if (ctx.query.grant_type !== 'client_credential') fail(40002);
    const app = await authenticateApp(sb, ctx.query.appid, ctx.query.secret);
    await AccessToken.updateMany(
      { appid: app.appid, kind: 'token', expiresAt: { $gt: plus(sb.settings.overlapSeconds) } },
      { $set: { expiresAt: plus(sb.settings.overlapSeconds) } },
    );
    const token = await AccessToken.create({
      value: newOpaqueValue(),
      appid: app.appid,
      kind: 'token',
      createdAt: sb.now(),
      expiresAt: plus(sb.settings.tokenTtlSeconds),
    });
    await count(sb.models, 'fetch:token');
    ctx.body = { access_token: token.value, expires_in: sb.settings.tokenTtlSeconds };
  });

  // POST /cgi-bin/stable_token: the same token until shortly before it expires, isolated from
  // /cgi-bin/token. force_refresh replaces it at once, at most every 30 s and 20 times a day.
  router.post('/cgi-bin/stable_token', async (ctx) => {
    const body = jsonBody(bodyOf(ctx));
    if (body.grant_type !== 'client_credential') fail(40002);
    const app = await authenticateApp(sb, body.appid, body.secret);
    const force = body.force_refresh === true;
    const current = await AccessToken.findOne({ appid: app.appid, kind: 'stable', expiresAt: { $gt: sb.now() } })
      .sort({ createdAt: -1 })
      .lean();
    const remaining = current ? seconds(current.expiresAt.getTime() - sb.now().getTime()) : 0;
    let reuse = current !== null && remaining > sb.settings.overlapSeconds && !force;
    if (force && current) {
      const lastForced = await AccessToken.findOne({ appid: app.appid, kind: 'stable', forced: true }).sort({ createdAt: -1 }).lean();
      if (lastForced && sb.now().getTime() - lastForced.createdAt.getTime() < 30_000) reuse = remaining > 0;
      const since = new Date(sb.now().getTime() - 24 * 3600_000);
      if ((await AccessToken.countDocuments({ appid: app.appid, kind: 'stable', forced: true, createdAt: { $gt: since } })) >= 20) fail(45009);
    }
    if (reuse && current) {
      ctx.body = { access_token: current.value, expires_in: remaining };
      return;
    }
    if (current) {
      // A forced refresh invalidates the old token now; a normal rotation leaves it the overlap.
      const until = force ? sb.now() : plus(Math.min(remaining, sb.settings.overlapSeconds));
      await AccessToken.updateOne({ value: current.value }, { $set: { expiresAt: until } });
    }
    const token = await AccessToken.create({
      value: newOpaqueValue(),
      appid: app.appid,
      kind: 'stable',
      createdAt: sb.now(),
      expiresAt: plus(sb.settings.tokenTtlSeconds),
      ...(force ? { forced: true } : {}),
    });
    await count(sb.models, 'fetch:stable_token');
    ctx.body = { access_token: token.value, expires_in: sb.settings.tokenTtlSeconds };
  });

  // GET /cgi-bin/ticket/getticket?type=wx_card: the app's current ticket while it is valid.
  router.get('/cgi-bin/ticket/getticket', async (ctx) => {
    const appid = await requireAccessToken(sb, ctx.query.access_token);
    const type = ctx.query.type;
    if (type !== 'wx_card' && type !== 'jsapi') fail(40097);
    const current = await Ticket.findOne({ appid, type, expiresAt: { $gt: plus(sb.settings.overlapSeconds) } })
      .sort({ createdAt: -1 })
      .lean();
    const ticket =
      current ??
      (await Ticket.create({ value: newOpaqueValue(40), appid, type, createdAt: sb.now(), expiresAt: plus(sb.settings.ticketTtlSeconds) }));
    if (!current) await count(sb.models, 'fetch:ticket');
    ctx.body = {
      errcode: 0,
      errmsg: 'ok',
      ticket: ticket.value,
      expires_in: current ? seconds(current.expiresAt.getTime() - sb.now().getTime()) : sb.settings.ticketTtlSeconds,
    };
  });

  // GET /sns/jscode2session: any code logs in a stable user derived from it, once.
  router.get('/sns/jscode2session', async (ctx) => {
    if (ctx.query.grant_type !== 'authorization_code') fail(40002);
    const app = await authenticateApp(sb, ctx.query.appid, ctx.query.secret);
    const code = ctx.query.js_code;
    if (typeof code !== 'string' || !code) fail(41008);
    if (code.length > 128 || !/^[\x21-\x7e]+$/.test(code)) fail(40029);
    if (code.startsWith('blocked')) fail(40226);
    try {
      await LoginCode.create({ code, appid: app.appid, usedAt: sb.now() });
    } catch (err) {
      if (isDuplicateKey(err)) fail(40163);
      throw err;
    }
    const unionid = app.openPlatform ? unionidFor(app.openPlatform, code.split('.')[0] ?? code) : undefined;
    ctx.body = { openid: openidFor(app.appid, code), session_key: crypto.randomBytes(16).toString('base64'), ...(unionid ? { unionid } : {}) };
  });

  return router;
}

/**
 * The openid a login code stands for. The part of the code before its first "." names the user,
 * so "alice.1" and "alice.2" are two logins of one user; a code without "." is a user of its own.
 * openids are per app, 28 characters, like WeChat's.
 */
export function openidFor(appid: string, code: string): string {
  const user = code.split('.')[0] ?? code;
  return `o${crypto.createHash('sha256').update(`${appid}\n${user}`).digest('base64url').slice(0, 27)}`;
}

/** The unionid of a sandbox user across the apps bound to one Open Platform account. */
export function unionidFor(openPlatform: string, user: string): string {
  return `u${crypto.createHash('sha256').update(`unionid\n${openPlatform}\n${user}`).digest('base64url').slice(0, 27)}`;
}

function jsonBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) fail(47001);
  return body as Record<string, unknown>;
}
