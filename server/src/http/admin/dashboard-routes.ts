import { dashboardAnswer } from '@fapiao/shared/contract';
import { dashboard, type DashboardDeps } from '../../domain/dashboard';
import { route, type AnyApiRoute } from '../api-route';

/** The console's dashboard: figures for today and the last 30 days (China days; domain/dashboard.ts). */
export function dashboardRoutes(deps: DashboardDeps): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/dashboard',
      summary: 'Today and the last 30 days (China time): requests by state, issued amount, failures by reason, authorization→ISSUED p50/p90, needing attention, per day',
      auth: 'admin',
      response: dashboardAnswer,
      handler: () => dashboard(deps),
    }),
  ];
}
