import type { InvoiceRequestDoc, InvoiceTitle } from '../entities/invoice-request';
import { WeChatApiError, WECHAT_ERR, type GetAuthDataResponse } from '../../wechat';
import type { UserAuthorizeInvoiceEvent } from '../../wechat/push';
import { withLogContext } from '../../logger';
import { flagAttention } from './attention';
import { invoiceApiOf, sPappidOf } from './channel';
import { after, backoff, type LifecycleDeps, type Next } from './deps';
import { keepPostPayment } from './post-payment';

/** getauthdata's invoice_status when the user has authorized. */
const AUTH_SUCCESS = 'auth success';
/** …while nothing has happened yet ("never auth"; or no status at all). */
const NOT_YET = /^(never auth)?$/i;
/**
 * …and when they declined. WeChat documents no wording ("auth fail" is the sandbox's guess), so
 * any wording of failure counts; any other status is unknown and handed to a human.
 */
const AUTH_FAILED = /fail|reject|cancel|refuse|deny|denied/i;

/**
 * WeChat pushed user_authorize_invoice. SuccOrderId moves the request on (the worker issues at
 * once); FailOrderId ends it as declined. A duplicate or late push finds the request already
 * moved and does nothing. An order_id we never issued a URL for is post-payment invoicing
 * (receipt=Y): it is the merchant's own order number; it is kept and matched to the order
 * (post-payment.ts). `via` is the account whose push URL received it.
 */
export async function onAuthorizeEvent(deps: LifecycleDeps, event: UserAuthorizeInvoiceEvent, via?: string): Promise<void> {
  const orderId = event.succOrderId ?? event.failOrderId;
  if (!orderId) return;
  const request = await deps.requests.findByWxOrderId(orderId);
  if (!request) {
    if (event.succOrderId) await keepPostPayment(deps, event, via);
    else deps.log.warn({ orderId }, 'declined authorization for an order we do not know: ignored');
    return;
  }
  await withLogContext({ requestId: request._id, orderNo: request.orderNo }, () => actOnAuthorizeEvent(deps, request, event));
}

async function actOnAuthorizeEvent(deps: LifecycleDeps, request: InvoiceRequestDoc, event: UserAuthorizeInvoiceEvent): Promise<void> {
  // Plain web and app requests may not know the buyer's openid: WeChat names it here.
  if (!request.openid && event.fromUserName) await deps.requests.learnOpenid(request._id, event.fromUserName);
  if (event.succOrderId) await markAuthorized(deps, request, 'wechat', undefined);
  else await deps.requests.transition({ id: request._id, from: 'AUTH_PENDING', event: 'declined', by: 'wechat', at: deps.now(), unset: ['nextActionAt'] });
}

/** Worker step for AUTH_PENDING: ask WeChat whether the user has acted (the push may be lost). */
export async function pollAuthorization(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<Next> {
  let data: GetAuthDataResponse | undefined;
  try {
    data = await invoiceApiOf(deps, request).getAuthData({ s_pappid: sPappidOf(deps, request), order_id: request.wxOrderId });
  } catch (err) {
    if (!(err instanceof WeChatApiError && err.errcode === WECHAT_ERR.ORDER_NEVER_AUTH)) throw err;
  }
  const status = data?.invoice_status ?? '';
  if (status === AUTH_SUCCESS) {
    await markAuthorized(deps, request, 'worker', data ? titleFrom(data) : undefined);
    return after(deps, 0, 0);
  }
  if (AUTH_FAILED.test(status)) {
    await deps.requests.transition({ id: request._id, from: 'AUTH_PENDING', event: 'declined', by: 'worker', at: deps.now(), detail: status });
    return undefined;
  }
  if (!NOT_YET.test(status.trim())) {
    // Authorized or declined? Guessing either way is wrong half the time: a human decides (a push
    // that arrives meanwhile still moves the request on).
    await flagAttention(deps, request, {
      code: 'UNKNOWN_AUTH_STATUS',
      reason: `getauthdata answered invoice_status "${status.slice(0, 60)}", which Fapiao does not know: check the authorization, then retry or resolve`,
    });
    return undefined;
  }
  if (request.authDeadline && deps.now() >= request.authDeadline) {
    await deps.requests.transition({ id: request._id, from: 'AUTH_PENDING', event: 'auth_expired', by: 'worker', at: deps.now() });
    return undefined;
  }
  return after(deps, backoff(deps, deps.schedule.authPollFirstMs, deps.schedule.authPollMaxMs, request.attempts + 1), request.attempts + 1);
}

/** Reads the title a type 1 user entered on WeChat's page (personal user_field or company biz_field). */
export function titleFrom(data: GetAuthDataResponse): InvoiceTitle | undefined {
  const biz = data.user_auth_info?.biz_field;
  if (biz?.title) {
    return {
      kind: 'company',
      name: biz.title,
      ...(biz.tax_no ? { taxNumber: biz.tax_no } : {}),
      ...(biz.addr ? { address: biz.addr } : {}),
      ...(biz.phone ? { phone: biz.phone } : {}),
      ...(biz.bank_type ? { bankName: biz.bank_type } : {}),
      ...(biz.bank_no ? { bankAccount: biz.bank_no } : {}),
      ...customFieldsOf(biz.custom_field),
    };
  }
  const user = data.user_auth_info?.user_field;
  if (user?.title) {
    return {
      kind: 'personal',
      name: user.title,
      ...(user.phone ? { phone: user.phone } : {}),
      ...(user.email ? { email: user.email } : {}),
      ...customFieldsOf(user.custom_field),
    };
  }
  return undefined;
}

/** The merchant's own fields as the buyer filled them in: kept for ops (they are not on the invoice). */
function customFieldsOf(fields: { key: string; value: string }[] | undefined): Pick<InvoiceTitle, 'customFields'> {
  const kept = (fields ?? []).filter((f) => f.key).map((f) => ({ key: f.key.slice(0, 40), value: f.value.slice(0, 200) }));
  return kept.length ? { customFields: kept } : {};
}

export async function markAuthorized(deps: LifecycleDeps, request: InvoiceRequestDoc, by: string, title: InvoiceTitle | undefined): Promise<void> {
  const now = deps.now();
  await deps.requests.transition({
    id: request._id,
    from: 'AUTH_PENDING',
    event: 'authorized',
    by,
    at: now,
    set: { authorizedAt: now, nextActionAt: now, wake: true, attempts: 0, ...(title ? { title } : {}) },
  });
}
