import { INVOICE_STATES } from '@fapiao/shared';
import { z } from 'zod';
import { dashboard, type DashboardDeps } from '../../domain/dashboard';
import { route, type AnyApiRoute } from '../api-route';
import { fen } from '../schemas';

const period = z.object({
  requests: z.number().int(),
  byStatus: z.object(Object.fromEntries(INVOICE_STATES.map((s) => [s, z.number().int()])) as Record<(typeof INVOICE_STATES)[number], z.ZodNumber>),
  issuedAmount: fen.describe('fen, of requests whose invoice was issued (ISSUED, OFFSETTING, OFFSET, OFFSET_FAILED)'),
  issuedCount: z.number().int(),
  failures: z.array(z.object({ reason: z.string(), count: z.number().int() })).describe('ISSUE_FAILED, AUTH_FAILED and OFFSET_FAILED by reason'),
  authToIssued: z.object({ count: z.number().int(), p50: z.number().optional(), p90: z.number().optional() }).describe('seconds from authorization to ISSUED'),
  attention: z.number().int().describe('requests needing a human'),
});

/** The console's dashboard: figures for today and the last 30 days (China days). */
export function dashboardRoutes(deps: DashboardDeps): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/dashboard',
      summary: 'Today and the last 30 days (China time): requests by state, issued amount, failures by reason, authorization→ISSUED p50/p90, needing attention, per day',
      auth: 'admin',
      response: z.object({
        today: period,
        last30Days: period,
        days: z.array(z.object({ day: z.string(), requests: z.number().int(), issued: z.number().int(), issuedAmount: fen, failed: z.number().int() })),
        generatedAt: z.string(),
        truncated: z.boolean().describe('true when the period had more requests than the dashboard reads'),
      }),
      handler: () => dashboard(deps),
    }),
  ];
}
