import { postPaymentList, postPaymentQuery } from '@fapiao/shared/contract';
import { listPostPayments } from '../../domain/admin/post-payments';
import type { LifecycleDeps } from '../../domain/lifecycle/deps';
import { route, type AnyApiRoute } from '../api-route';

/** Post-payment authorizations waiting for (or matched to) their orders (domain/admin/post-payments.ts). */
export function postPaymentRoutes(deps: { lifecycle: LifecycleDeps }): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/post-payment',
      summary:
        'Post-payment authorizations (receipt=Y) kept for orders not imported when WeChat pushed them: waiting (still inside the match window), ' +
        'unmatched (the window passed: the order never came), matched, or conflict (the order already had a request)',
      auth: 'admin',
      query: postPaymentQuery,
      response: postPaymentList,
      handler: ({ query }) => listPostPayments(deps.lifecycle, query),
    }),
  ];
}
