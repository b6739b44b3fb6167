import { alertList, emailList, outboxQuery } from '@fapiao/shared/contract';
import { listAlerts, listEmailCopies, type OutboxDeps } from '../../domain/admin/outbox';
import { route, type AnyApiRoute } from '../api-route';

/** Ops' view of the outboxes: the buyers' emailed copies and the alerts, with every attempt (domain/admin/outbox.ts). */
export function outboxRoutes(deps: OutboxDeps): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/outbox/emails',
      summary: "The buyers' emailed copies, newest first: pending (with the next attempt), sent, bounced (address refused) or failed",
      auth: 'admin',
      query: outboxQuery,
      response: emailList,
      handler: async ({ query }) => ({ emails: await listEmailCopies(deps, query) }),
    }),
    route({
      method: 'get',
      path: '/outbox/alerts',
      summary: 'Alerts raised (one per incident), newest first, with their webhook deliveries',
      auth: 'admin',
      query: outboxQuery,
      response: alertList,
      handler: async ({ query }) => ({ alerts: await listAlerts(deps, query) }),
    }),
  ];
}
