import type { SandboxContext } from '../context';
import { readBehaviour } from '../control/behaviour';
import { fail } from '../reply';
import { objectBody, optionalText, requiredText, type Json } from './fields';

/**
 * POST /card/invoice/getauthdata. An order this app never requested a URL for under this s_pappid
 * is 72038 (the getauthdata table: "s_pappid, appid and order_id do not match"); an order with a
 * URL that nobody acted on yet is errcode 0 with invoice_status "never auth" (what merchants report
 * seeing while polling). Declined: "auth fail" (invented: the behaviour switch `declinedStatus`
 * changes it; docs/wechat-behaviour.md); authorized: "auth success" with auth_time
 * and, for type 1, user_auth_info. A rejected order is 72035.
 */
export async function getAuthData(sb: SandboxContext, appid: string, rawBody: unknown): Promise<Json> {
  const body = objectBody(rawBody);
  const s_pappid = requiredText(body, 's_pappid');
  const order_id = requiredText(body, 'order_id');
  const a = await sb.models.Authorization.findOne({ appid, s_pappid, order_id }).lean();
  if (!a) fail(72038);
  const authTime = a.authTime ? { auth_time: Math.floor(a.authTime.getTime() / 1000) } : {};
  switch (a.status) {
    case 'rejected':
      return fail(72035);
    case 'pending':
      return { errcode: 0, errmsg: 'ok', invoice_status: 'never auth' };
    case 'declined':
      return { errcode: 0, errmsg: 'ok', invoice_status: (await readBehaviour(sb)).declinedStatus, ...authTime };
    case 'authorized':
      return {
        errcode: 0,
        errmsg: 'ok',
        invoice_status: 'auth success',
        ...authTime,
        ...(a.type === 1 && a.userAuthInfo ? { user_auth_info: a.userAuthInfo } : {}),
      };
  }
}

/**
 * POST /card/invoice/rejectinsert: the order is dead afterwards (72035 wherever it is used). Only
 * an order a user acted on can be rejected (WeChat notifies that user): otherwise 72038. An order
 * whose invoice is being issued is busy (72036); one with an issued invoice that was not offset
 * cannot be rejected (72024): offset it first.
 */
export async function rejectInsert(sb: SandboxContext, appid: string, rawBody: unknown): Promise<Json> {
  const body = objectBody(rawBody);
  const s_pappid = requiredText(body, 's_pappid');
  const order_id = requiredText(body, 'order_id');
  const reason = requiredText(body, 'reason');
  const url = optionalText(body, 'url');
  const a = await sb.models.Authorization.findOne({ appid, s_pappid, order_id }).lean();
  if (!a || a.status === 'pending') fail(72038);
  if (a.status === 'rejected') fail(72035);
  const invoices = await sb.models.Invoice.find({ appid, ddh: order_id }).lean();
  if (invoices.some((i) => i.status === 'processing')) fail(72036);
  if (invoices.some((i) => i.kind === 'blue' && i.status === 'issued' && !i.offset)) fail(72024);
  const now = sb.now();
  const done = await sb.models.Authorization.updateOne(
    { _id: a._id, status: a.status },
    { $set: { status: 'rejected', updatedAt: now, reject: { reason, ...(url ? { url } : {}), at: now, previousStatus: a.status } } },
  );
  if (done.modifiedCount !== 1) fail(72036);
  return { errcode: 0, errmsg: 'ok' };
}
