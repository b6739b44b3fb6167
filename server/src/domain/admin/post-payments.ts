import type { PostPaymentList, PostPaymentQuery } from '@fapiao/shared/contract';
import type { LifecycleDeps } from '../lifecycle/deps';

/**
 * Post-payment authorizations (receipt=Y) kept for orders not imported when WeChat pushed them:
 * waiting (inside the match window), unmatched (past it: the order never came), matched, conflict.
 */
export async function listPostPayments(deps: Pick<LifecycleDeps, 'postPayments' | 'invoicing' | 'now'>, query: PostPaymentQuery): Promise<PostPaymentList> {
  const windowStart = new Date(deps.now().getTime() - deps.invoicing.postPaymentMatchMs);
  const status = query.state === 'unmatched' ? 'waiting' : query.state;
  const before = query.state === 'unmatched' ? windowStart : undefined;
  const from = query.state === 'waiting' ? windowStart : undefined;
  const found = await deps.postPayments.list(status, before, from, query.limit);
  return {
    authorizations: found.map((p) => ({
      id: p._id,
      orderId: p.orderId,
      ...(p.account ? { account: p.account } : {}),
      appid: p.appid,
      ...(p.source ? { source: p.source } : {}),
      openid: p.openid,
      receivedAt: p.receivedAt.toISOString(),
      status: p.status,
      expired: p.status === 'waiting' && p.receivedAt < windowStart,
      ...(p.requestId ? { requestId: p.requestId } : {}),
      ...(p.note ? { note: p.note } : {}),
    })),
  };
}
