import { adminOrder, orderImported, orderInput, orderNoParams } from '@fapiao/shared/contract';
import { addOrder, adminOrder as readAdminOrder, type AdminOrderDeps } from '../../domain/admin/orders';
import { route, type AnyApiRoute } from '../api-route';
import { actor } from './actor';

/** Orders from the order system, and one order as the console shows it (domain/admin/orders.ts). */
export function orderRoutes(deps: AdminOrderDeps): AnyApiRoute[] {
  return [
    route({
      method: 'post',
      path: '/orders',
      summary: 'Add an order from the order system (idempotent on orderNo: 201 created, 200 already there)',
      auth: 'admin',
      body: orderInput,
      response: orderImported,
      handler: async ({ body, caller, ctx }) => {
        const imported = await addOrder(deps, body, actor(caller));
        ctx.status = imported.created ? 201 : 200;
        return imported;
      },
    }),
    route({
      method: 'get',
      path: '/orders/:orderNo',
      summary: 'One order: its lines, buyer, refund and latest invoice request',
      auth: 'admin',
      params: orderNoParams,
      response: adminOrder,
      handler: ({ params }) => readAdminOrder(deps.orders, params.orderNo),
    }),
  ];
}
