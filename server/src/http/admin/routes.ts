import type { AuditDeps } from '../../domain/audit';
import type { LifecycleDeps } from '../../domain/lifecycle/deps';
import type { OrdersDeps } from '../../domain/orders';
import type { SettingsDeps } from '../../domain/settings';
import type { AnyApiRoute } from '../api-route';
import { invoiceRoutes } from './invoice-routes';
import { orderRoutes } from './order-routes';
import { platformRoutes } from './platform-routes';
import { postPaymentRoutes } from './post-payment-routes';
import { settingsRoutes } from './settings-routes';

export interface AdminDeps {
  orders: OrdersDeps;
  lifecycle: LifecycleDeps;
  settings: SettingsDeps;
  audit: AuditDeps['audit'];
  now(): Date;
}

/**
 * /api/admin: merchant ops, with an API key or a staff session; every change is audited with who
 * and when (domain/audit.ts). One file per resource, each route one call into its use case.
 */
export function adminRoutes(deps: AdminDeps): AnyApiRoute[] {
  const audit = { audit: deps.audit, now: () => deps.now() };
  return [
    ...postPaymentRoutes(deps),
    ...orderRoutes({ ...audit, orders: deps.orders, lifecycle: deps.lifecycle }),
    ...invoiceRoutes({ ...audit, lifecycle: deps.lifecycle }),
    ...platformRoutes({ ...audit, lifecycle: deps.lifecycle }),
    ...settingsRoutes(deps.settings),
  ];
}
