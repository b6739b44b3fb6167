import crypto from 'node:crypto';
import type { SandboxContext } from '../context';
import { readBehaviour } from '../control/behaviour';
import type { SandboxAuthorization } from '../data/invoice-models';
import { fail } from '../reply';
import { invalidParams, isEmpty, objectBody, requiredText, type Json } from './fields';
import { AUTH_MINI_PROGRAM_APPID, loadMerchant, registrantOf } from './merchant';
import { isDuplicateKey } from '../data/mongo-errors';

/**
 * POST /card/invoice/getauthurl. The URL names the authorization it opens by merchant appid,
 * s_pappid and order id (o1), and carries a `signature` (HMAC-SHA1 under a per-authorization key)
 * so the authorization page can tell a URL the sandbox issued from an edited one.
 */

const SOURCES = ['app', 'web', 'wap', 'wxa'] as const;
type Source = (typeof SOURCES)[number];

/** Largest 10-digit timestamp: a 13-digit millisecond value is refused (merchants report it; docs/wechat-behaviour.md). */
const MAX_SECONDS = 9_999_999_999;

interface AuthUrlRequest {
  s_pappid: string;
  order_id: string;
  money: number;
  timestamp: number;
  source: Source;
  type: 0 | 1 | 2;
  redirect_url?: string;
}

export async function getAuthUrl(sb: SandboxContext, appid: string, rawBody: unknown): Promise<Json> {
  const body = objectBody(rawBody);
  await assertTicket(sb, appid, body.ticket);
  const request = parseRequest(body);
  // The documents: redirect_url "needs to be filled in only if the source is H5" (web, wap).
  if ((request.source === 'web' || request.source === 'wap') && !request.redirect_url) invalidParams('redirect_url is required for source web and wap');
  if (!(await registrantOf(sb, request.s_pappid))) invalidParams('unknown s_pappid');
  const merchant = await loadMerchant(sb, appid);
  if (!merchant.contact) fail(72063);
  if (request.type === 1 && !merchant.authField) fail(72029);
  const authorization = await openAuthorization(sb, appid, request);
  return { errcode: 0, errmsg: 'ok', ...authUrlOf(sb, authorization) };
}

/**
 * The app's own wx_card ticket, current or still inside its overlap. WeChat documents no code for
 * a rejected ticket: the behaviour switch `ticketRejectedErrcode` says which (default 40097).
 */
async function assertTicket(sb: SandboxContext, appid: string, ticket: unknown): Promise<void> {
  const { ticketRejectedErrcode } = await readBehaviour(sb);
  if (typeof ticket !== 'string' || !ticket) fail(ticketRejectedErrcode, 'invalid ticket');
  const found = await sb.models.Ticket.findOne({ value: ticket, appid, type: 'wx_card', expiresAt: { $gt: sb.now() } }).lean();
  if (!found) fail(ticketRejectedErrcode, 'invalid ticket');
}

function parseRequest(body: Json): AuthUrlRequest {
  const s_pappid = requiredText(body, 's_pappid');
  const order_id = requiredText(body, 'order_id');
  const { money, timestamp, source, type, redirect_url } = body;
  if (typeof money !== 'number' || !Number.isSafeInteger(money) || money <= 0) invalidParams('money must be a positive integer (fen)');
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp <= 0 || timestamp > MAX_SECONDS) {
    invalidParams('timestamp must be in seconds');
  }
  if (!SOURCES.includes(source as Source)) invalidParams('source must be app, web, wap or wxa');
  if (type !== 0 && type !== 1 && type !== 2) invalidParams('type must be 0, 1 or 2');
  const request: AuthUrlRequest = { s_pappid, order_id, money, timestamp, source: source as Source, type };
  if (!isEmpty(redirect_url)) {
    if (typeof redirect_url !== 'string' || !/^https?:\/\//.test(redirect_url)) invalidParams('redirect_url must be an http(s) URL');
    request.redirect_url = redirect_url;
  }
  return request;
}

/**
 * The order's authorization, created on first request. Asked again for the same order, WeChat keeps
 * one authorization: while nobody has acted on it the newest parameters replace the old ones; once
 * authorized or declined it stays as it is. A rejected order is dead (72035).
 */
async function openAuthorization(sb: SandboxContext, appid: string, request: AuthUrlRequest): Promise<SandboxAuthorization> {
  const { Authorization } = sb.models;
  const key = { appid, s_pappid: request.s_pappid, order_id: request.order_id };
  const now = sb.now();
  try {
    const created = await Authorization.create({
      ...request,
      appid,
      urlKey: crypto.randomBytes(24).toString('base64url'),
      status: 'pending',
      createdAt: now,
      updatedAt: now,
    });
    return created.toObject();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const existing = await Authorization.findOne(key).lean();
  if (!existing) fail(-1);
  if (existing.status === 'rejected') fail(72035);
  if (existing.status !== 'pending') return existing;
  const $set = {
    money: request.money,
    timestamp: request.timestamp,
    source: request.source,
    type: request.type,
    updatedAt: now,
    ...(request.redirect_url ? { redirect_url: request.redirect_url } : {}),
  };
  const change = request.redirect_url ? { $set } : { $set, $unset: { redirect_url: 1 } };
  const updated = await Authorization.findOneAndUpdate({ ...key, status: 'pending' }, change, { returnDocument: 'after' }).lean();
  return updated ?? (await Authorization.findOne(key).lean()) ?? existing;
}

/** HMAC over what identifies the authorization; verified by the authorization page (machine API). */
export function authUrlSignature(urlKey: string, appid: string, sPappid: string, orderId: string): string {
  return crypto.createHmac('sha1', urlKey).update(`${appid}\n${sPappid}\n${orderId}`).digest('hex');
}

/** wxa: a path in the authorization Mini Program plus its appid; otherwise a page on the sandbox. */
export function authUrlOf(sb: SandboxContext, a: SandboxAuthorization): { auth_url: string; appid?: string } {
  const query = new URLSearchParams({
    s_pappid: a.s_pappid,
    appid: a.appid,
    num: '1',
    o1: a.order_id,
    m1: String(a.money),
    t1: String(a.timestamp),
    source: a.source,
    type: String(a.type),
    signature: authUrlSignature(a.urlKey, a.appid, a.s_pappid, a.order_id),
  }).toString();
  if (a.source === 'wxa') return { auth_url: `pages/auth/auth?${query}`, appid: AUTH_MINI_PROGRAM_APPID };
  return { auth_url: `${sb.publicUrl}/sandbox/auth?${query}` };
}

export interface AuthUrlIdentity {
  appid: string;
  s_pappid: string;
  order_id: string;
  signature: string;
}

/** Reads either form of auth_url back; undefined when it lacks what identifies an authorization. */
export function parseAuthUrl(authUrl: string): AuthUrlIdentity | undefined {
  const q = authUrl.indexOf('?');
  if (q < 0) return undefined;
  const params = new URLSearchParams(authUrl.slice(q + 1));
  const [appid, s_pappid, order_id, signature] = ['appid', 's_pappid', 'o1', 'signature'].map((name) => params.get(name));
  if (!appid || !s_pappid || !order_id || !signature) return undefined;
  return { appid, s_pappid, order_id, signature };
}
