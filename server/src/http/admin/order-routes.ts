import { z } from 'zod';
import type { OrderRepository } from '../../data/order/order.repository';
import type { InvoiceRequestRepository } from '../../data/invoice-request/invoice-request.repository';
import { toOrderDto } from '../../domain/orders';
import { AppError } from '../../errors';
import { route, type AnyApiRoute } from '../api-route';
import { orderDto, orderNoParams } from '../schemas';

/** Reading one order, as the console's request page shows it. */
export function orderReadRoutes(deps: { orders: OrderRepository; requests: InvoiceRequestRepository }): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/orders/:orderNo',
      summary: 'One order: its lines, buyer, refund and latest invoice request',
      auth: 'admin',
      params: orderNoParams,
      response: orderDto.extend({ openid: z.string(), refundedAt: z.string().optional(), latestRequestId: z.string().optional(), requestCount: z.number().int() }),
      handler: async ({ params }) => {
        const order = await deps.orders.findByOrderNo(params.orderNo);
        if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${params.orderNo}`);
        const latest = order.latestRequestId ? await deps.requests.findById(order.latestRequestId) : null;
        return {
          ...toOrderDto(order, latest ?? undefined),
          openid: order.openid,
          ...(order.refundedAt ? { refundedAt: order.refundedAt.toISOString() } : {}),
          ...(order.latestRequestId ? { latestRequestId: order.latestRequestId } : {}),
          requestCount: order.requestCount,
        };
      },
    }),
  ];
}
