import crypto from 'node:crypto';
import { constantTimeEqual } from '../../src/wechat/push';
import type { SandboxContext } from '../context';
import type { AuthorizationStatus, SandboxAuthorization, UserAuthInfo } from '../data/invoice-models';
import { queuePush } from '../push/queue';
import { problem } from './api-problem';
import { validateEnteredTitle } from './auth-fields';
import { authUrlSignature, parseAuthUrl } from './authurl';
import { loadMerchant } from './merchant';
import { isDuplicateKey } from '../data/mongo-errors';

/**
 * What the user does on the authorization page: authorize (with a title on type 1 pages) or
 * decline. Records the outcome and pushes `user_authorize_invoice` to the merchant app.
 */

export interface AuthorizeInput {
  /** The auth_url getauthurl returned (either form)… */
  auth_url?: string | undefined;
  /** …or the order: s_pappid + order_id, with appid when several apps use the s_pappid. */
  s_pappid?: string | undefined;
  order_id?: string | undefined;
  appid?: string | undefined;
  openid: string;
  action: 'authorize' | 'decline';
  user_field?: unknown;
  biz_field?: unknown;
  /** A receipt=Y payment: authorize an order no auth URL was requested for (type 1 only). */
  postPayment?: boolean | undefined;
  money?: number | undefined;
  type?: number | undefined;
  source?: SandboxAuthorization['source'] | undefined;
}

export type StoredAuthorization = SandboxAuthorization & { _id: unknown };

export interface AuthorizeResult {
  authorization: StoredAuthorization;
  /** False when the user repeated what they had already done: nothing recorded, nothing pushed. */
  changed: boolean;
}

export async function authorizeOrder(sb: SandboxContext, input: AuthorizeInput): Promise<AuthorizeResult> {
  const current = await locate(sb, input);
  const target: AuthorizationStatus = input.action === 'authorize' ? 'authorized' : 'declined';
  if (isRepeat(current, target, input.openid)) return { authorization: current, changed: false };
  assertCanChange(current, input.openid);
  await assertInTime(sb, current);
  const userAuthInfo = target === 'authorized' ? await enteredTitle(sb, current, input) : undefined;
  const now = sb.now();
  const updated = await sb.models.Authorization.findOneAndUpdate(
    { _id: current._id, status: current.status, updatedAt: current.updatedAt },
    userAuthInfo
      ? { $set: { status: target, openid: input.openid, authTime: now, updatedAt: now, userAuthInfo } }
      : { $set: { status: target, openid: input.openid, authTime: now, updatedAt: now }, $unset: { userAuthInfo: 1 } },
    { returnDocument: 'after' },
  ).lean();
  if (!updated) problem(409, 'CONFLICT', 'the authorization changed meanwhile; load it and try again');
  await pushAuthorization(sb, updated);
  return { authorization: updated, changed: true };
}

function isRepeat(a: StoredAuthorization, target: AuthorizationStatus, openid: string): boolean {
  return a.status === target && a.openid === openid;
}

function assertCanChange(a: StoredAuthorization, openid: string): void {
  if (a.status === 'rejected') problem(409, 'ORDER_REJECTED', 'the merchant rejected invoicing for this order (rejectinsert)');
  if (a.status === 'authorized') {
    const code = a.openid === openid ? 'ALREADY_AUTHORIZED' : 'AUTHORIZED_BY_ANOTHER_USER';
    problem(409, code, 'the order is already authorized; an authorization cannot be taken back');
  }
}

/**
 * The merchant's contact time_out ("invoicing time-out time", seconds) bounds how long the page
 * stays usable after the auth URL's timestamp; a post-payment authorization has no auth URL.
 */
async function assertInTime(sb: SandboxContext, a: StoredAuthorization): Promise<void> {
  if (a.postPayment || a.status !== 'pending') return;
  const { contact } = await loadMerchant(sb, a.appid);
  if (contact && sb.now().getTime() > (a.timestamp + contact.time_out) * 1000) {
    problem(409, 'AUTHORIZATION_EXPIRED', 'the authorization page timed out (the merchant contact time_out has passed)');
  }
}

async function enteredTitle(sb: SandboxContext, a: StoredAuthorization, input: AuthorizeInput): Promise<UserAuthInfo | undefined> {
  if (a.type !== 1) {
    if (input.user_field !== undefined || input.biz_field !== undefined) {
      problem(400, 'FIELD_NOT_SHOWN', `a type ${a.type} page takes no title; only type 1 pages do`);
    }
    return undefined;
  }
  const { authField } = await loadMerchant(sb, a.appid);
  if (!authField) problem(409, 'AUTH_FIELD_NOT_SET', 'the merchant never set its authorization fields (set_auth_field)');
  return validateEnteredTitle(authField, input);
}

async function locate(sb: SandboxContext, input: AuthorizeInput): Promise<StoredAuthorization> {
  const { Authorization } = sb.models;
  if (input.auth_url !== undefined) {
    const id = parseAuthUrl(input.auth_url);
    if (!id) problem(400, 'AUTH_URL_INVALID', 'auth_url lacks appid, s_pappid, o1 or signature');
    const found = await Authorization.findOne({ appid: id.appid, s_pappid: id.s_pappid, order_id: id.order_id }).lean();
    if (!found) problem(404, 'AUTHORIZATION_NOT_FOUND', 'no authorization behind this auth_url');
    if (!constantTimeEqual(authUrlSignature(found.urlKey, found.appid, found.s_pappid, found.order_id), id.signature)) {
      problem(403, 'AUTH_URL_INVALID', 'the auth_url signature does not match');
    }
    return found;
  }
  const { s_pappid, order_id, appid } = input;
  if (!s_pappid || !order_id) problem(400, 'VALIDATION_FAILED', 'give auth_url, or s_pappid and order_id');
  const found = await Authorization.find({ s_pappid, order_id, ...(appid ? { appid } : {}) })
    .limit(2)
    .lean();
  if (found.length > 1) problem(400, 'APPID_REQUIRED', 'several apps have this order under this s_pappid: give appid');
  if (found[0]) return found[0];
  if (input.postPayment) return createPostPayment(sb, { ...input, s_pappid, order_id });
  return problem(404, 'AUTHORIZATION_NOT_FOUND', 'no auth URL was requested for this order (set postPayment for a receipt=Y payment)');
}

/**
 * WeChat sends user_authorize_invoice for receipt=Y payments the merchant never asked a URL for:
 * the app that linked its WeChat Pay merchant id to the s_pappid (set_pay_mch) gets a type 1
 * authorization.
 */
async function createPostPayment(sb: SandboxContext, input: AuthorizeInput & { s_pappid: string; order_id: string }): Promise<StoredAuthorization> {
  const type = input.type ?? 1;
  if (type !== 1) problem(400, 'VALIDATION_FAILED', 'post-payment invoicing is type 1 only');
  const money = input.money;
  if (money === undefined || !Number.isSafeInteger(money) || money <= 0) problem(400, 'VALIDATION_FAILED', 'a post-payment authorization needs money (fen)');
  const linked = await sb.models.Merchant.find({ 'payMch.s_pappid': input.s_pappid, ...(input.appid ? { appid: input.appid } : {}) })
    .limit(2)
    .lean();
  if (linked.length > 1) problem(400, 'APPID_REQUIRED', 'several apps linked their merchant id to this s_pappid: give appid');
  const merchant = linked[0];
  if (!merchant) problem(409, 'PAY_MCH_NOT_SET', 'no app linked its WeChat Pay merchant id to this s_pappid (set_pay_mch)');
  if (!merchant.authField) problem(409, 'AUTH_FIELD_NOT_SET', 'the merchant never set its authorization fields (set_auth_field)');
  const now = sb.now();
  const key = { appid: merchant.appid, s_pappid: input.s_pappid, order_id: input.order_id };
  try {
    const created = await sb.models.Authorization.create({
      ...key,
      money,
      timestamp: Math.floor(now.getTime() / 1000),
      source: input.source ?? 'wxa',
      type: 1,
      urlKey: crypto.randomBytes(24).toString('base64url'),
      status: 'pending',
      postPayment: true,
      createdAt: now,
      updatedAt: now,
    });
    return created.toObject();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await sb.models.Authorization.findOne(key).lean();
    if (!existing) throw err;
    return existing;
  }
}

/** The post-payment authorization of a receipt=Y payment, created pending on first use (the 开发票 entry). */
export async function postPaymentAuthorization(
  sb: SandboxContext,
  input: { s_pappid: string; order_id: string; appid: string; money: number; openid: string },
): Promise<StoredAuthorization> {
  return locate(sb, { ...input, action: 'authorize', postPayment: true, type: 1, source: 'web' });
}

/** user_authorize_invoice as WeChat's documents show it: both order fields present, one of them empty. */
async function pushAuthorization(sb: SandboxContext, a: StoredAuthorization): Promise<void> {
  const app = await sb.models.App.findOne({ appid: a.appid }).lean();
  const openid = a.openid ?? '';
  const createTime = Math.floor((a.authTime ?? sb.now()).getTime() / 1000);
  await queuePush(sb, {
    key: `authorize:${String(a._id)}:${a.updatedAt.getTime()}`,
    appid: a.appid,
    openid,
    orderId: a.order_id,
    fields: {
      ToUserName: app?.originalId ?? '',
      FromUserName: openid,
      CreateTime: createTime,
      MsgType: 'event',
      Event: 'user_authorize_invoice',
      SuccOrderId: a.status === 'authorized' ? a.order_id : '',
      FailOrderId: a.status === 'authorized' ? '' : a.order_id,
      AuthorizeAppId: a.appid,
      Source: a.source,
    },
  });
}
