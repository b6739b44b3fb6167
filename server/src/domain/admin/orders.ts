import type { AdminOrder, OrderImported, OrderInput } from '@fapiao/shared/contract';
import { AppError } from '../../errors';
import { recordAudit, type AuditDeps } from '../audit';
import type { LifecycleDeps } from '../lifecycle/deps';
import { matchPostPayments } from '../lifecycle/post-payment';
import { importOrder, toOrderDto, type OrdersDeps } from '../orders';

export interface AdminOrderDeps extends AuditDeps {
  orders: OrdersDeps;
  lifecycle: LifecycleDeps;
}

/**
 * An order from the order system (idempotent on orderNo, see importOrder). A new one is audited,
 * and a post-payment authorization that was waiting for it is matched now.
 */
export async function addOrder(deps: AdminOrderDeps, input: OrderInput, actor: string): Promise<OrderImported> {
  const result = await importOrder(deps.orders, { ...input, createdAt: input.createdAt ? new Date(input.createdAt) : undefined });
  if (result.created) await recordAudit(deps, { actor, action: 'order.create', target: `order:${input.orderNo}` });
  await matchPostPayments(deps.lifecycle, input.orderNo);
  return { created: result.created, order: toOrderDto(result.order, undefined) };
}

/** One order as the console's request page shows it: lines, buyer, refund and latest request. */
export async function adminOrder(deps: Pick<OrdersDeps, 'orders' | 'requests'>, orderNo: string): Promise<AdminOrder> {
  const order = await deps.orders.findByOrderNo(orderNo);
  if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${orderNo}`);
  const latest = order.latestRequestId ? await deps.requests.findById(order.latestRequestId) : null;
  return {
    ...toOrderDto(order, latest ?? undefined),
    openid: order.openid,
    ...(order.refundedAt ? { refundedAt: order.refundedAt.toISOString() } : {}),
    ...(order.latestRequestId ? { latestRequestId: order.latestRequestId } : {}),
    requestCount: order.requestCount,
  };
}
