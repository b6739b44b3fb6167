import { canReapply, type InvoiceSource } from '@fapiao/shared';
import type { InvoiceRequestDoc } from '../../data/invoice-request/invoice-request.schema';
import type { PostPaymentDoc } from '../../data/post-payment/post-payment.schema';
import type { UserAuthorizeInvoiceEvent } from '../../wechat/push';
import { newFpqqlsh, newRequestId } from '../identifiers';
import { markAuthorized } from './authorization';
import type { LifecycleDeps } from './deps';

const SOURCES: readonly string[] = ['wxa', 'web', 'app', 'wap'];

/**
 * Post-payment invoicing (WeChat Pay receipt=Y): the buyer tapped 开发票 in the payment message
 * and authorized on WeChat's type 1 page; WeChat pushes the authorization to the Official Account
 * linked to the pay merchant (set_pay_mch), naming the payment's order number. Its order may not
 * be imported yet, so the authorization is kept first and matched to the order (now, when the
 * order is imported, or by the worker's sweep) within the match window. Exactly one request per
 * order comes of it: the order's attempt counter and the unique WeChat order_id see to that.
 */
export async function keepPostPayment(deps: LifecycleDeps, event: UserAuthorizeInvoiceEvent, via: string | undefined): Promise<void> {
  const orderId = event.succOrderId;
  if (!orderId) return;
  const account = (event.authorizeAppId ? deps.accounts.resolve({ appid: event.authorizeAppId }) : undefined) ?? (via ? deps.accounts.byName(via) : undefined) ?? deps.accounts.default;
  const appid = event.authorizeAppId ?? account.appid;
  const kept = await deps.postPayments.keep({
    _id: `${appid}:${orderId}`,
    orderId,
    appid,
    account: account.name,
    ...(event.source ? { source: event.source } : {}),
    openid: event.fromUserName,
    receivedAt: deps.now(),
    status: 'waiting',
  });
  // Only this one can have become matchable: any other waiting for the order was tried when it came
  // and when the order was imported. (A resent push finds the one kept before, maybe matched.)
  if (kept.status === 'waiting') await match(deps, kept);
}

/** Called when an order is imported: an authorization waiting for it becomes its request. */
export async function matchPostPayments(deps: LifecycleDeps, orderNo: string): Promise<void> {
  for (const waiting of await deps.postPayments.waitingFor(orderNo)) await match(deps, waiting);
}

/** The worker's sweep: authorizations still inside the window whose order may have arrived meanwhile. */
export async function sweepPostPayments(deps: LifecycleDeps, limit = 20): Promise<void> {
  const from = new Date(deps.now().getTime() - deps.invoicing.postPaymentMatchMs);
  for (const waiting of await deps.postPayments.list('waiting', undefined, from, limit)) await match(deps, waiting);
}

async function match(deps: LifecycleDeps, waiting: PostPaymentDoc): Promise<void> {
  const now = deps.now();
  // Made already (a crash between creating the request and settling this): just settle.
  const made = await deps.requests.findByWxOrderId(waiting.orderId);
  if (made) {
    if (made.status === 'AUTH_PENDING' && made.orderNo === waiting.orderId) await markAuthorized(deps, made, 'wechat', undefined);
    await deps.postPayments.settle(waiting._id, made.orderNo === waiting.orderId ? 'matched' : 'conflict', { requestId: made._id, at: now });
    return;
  }
  if (now.getTime() - waiting.receivedAt.getTime() > deps.invoicing.postPaymentMatchMs) return; // listed for ops
  const order = await deps.orders.findByOrderNo(waiting.orderId);
  if (!order) return;
  const latest = order.latestRequestId ? await deps.requests.findById(order.latestRequestId) : null;
  if (latest && !canReapply(latest.status)) {
    await deps.postPayments.settle(waiting._id, 'conflict', { note: `order already has request ${latest._id} (${latest.status})`, at: now });
    deps.log.warn({ orderNo: order.orderNo, requestId: latest._id }, 'post-payment authorization for an order that already has an invoice request: left for ops');
    return;
  }
  const id = newRequestId();
  const claimed = await deps.orders.claimNextAttempt(order.orderNo, order.requestCount, id);
  if (!claimed) return; // someone else is making a request for it right now; the sweep looks again
  const source = SOURCES.includes(waiting.source ?? '') ? (waiting.source as InvoiceSource) : 'web';
  const request: InvoiceRequestDoc = {
    _id: id,
    orderNo: order.orderNo,
    openid: waiting.openid,
    ...(waiting.account ? { account: waiting.account } : {}),
    appid: waiting.appid,
    source,
    sPappid: deps.invoicing.sPappid,
    // WeChat authorized the payment's own order number: that is the order_id to invoice.
    wxOrderId: waiting.orderId,
    type: 1,
    amount: order.amount,
    status: 'AUTH_PENDING',
    history: [{ from: null, to: 'AUTH_PENDING', event: 'created', at: now, by: 'wechat', detail: `post-payment invoicing via ${waiting.account ?? waiting.appid}` }],
    fpqqlsh: newFpqqlsh(deps.invoicing.fpqqlshPrefix),
    createdAt: now,
    attempts: 0,
  };
  try {
    await deps.requests.create(request);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 11000) throw err;
    await deps.orders.restoreLatest(order.orderNo, id, order.latestRequestId);
    return; // another process created it: its settle follows
  }
  await markAuthorized(deps, request, 'wechat', undefined);
  await deps.postPayments.settle(waiting._id, 'matched', { requestId: id, at: now });
}
