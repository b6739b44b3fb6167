import type { Config } from './config';
import type { Repositories } from './container';
import type { DashboardDeps } from './domain/dashboard';
import type { LifecycleDeps } from './domain/lifecycle/deps';
import type { PushDeps } from './domain/pushes';
import type { StaffDeps } from './domain/staff';
import type { WeChatCallDeps } from './domain/admin/wechat-calls';
import type { ReconcileRunDeps } from './domain/reconcile-runs';
import type { OutboxRepository } from './data/outbox/outbox.repository';
import type { InvoiceFileDeps } from './domain/admin/invoice-files';
import type { AdminDeps } from './http/admin/routes';
import type { AuthenticatorDeps } from './http/auth';
import type { ChannelDeps } from './http/channel/routes';
import { findConsoleDist } from './http/console/routes';
import type { H5Deps } from './http/h5/routes';
import type { HealthDeps } from './http/health/routes';
import type { MetricsRouteDeps } from './http/metrics/routes';
import type { MpDeps } from './http/mp/routes';
import type { PushRouteDeps } from './http/push/routes';
import type { StaffCookieOptions } from './http/staff-session';
import type { Logger } from './logger';
import type { AlertPayload } from './notify/alerts';
import type { EmailCopyPayload } from './notify/email-copy';
import type { Metrics } from './observability/metrics';
import type { WeChatAccounts } from './wechat/accounts';
import { fetchInvoicePdf } from './wechat/pdf';

/**
 * The routers' part of the composition root (container.ts calls it): what each router is built
 * from, with the config's hours and minutes turned into the milliseconds the use cases take.
 */

const HOUR_MS = 3600_000;
const MINUTE_MS = 60_000;

/** The dependencies of every router, one entry per router (see app.ts). */
export interface HttpDeps {
  auth: AuthenticatorDeps;
  mp: MpDeps;
  admin: {
    staff: StaffDeps & { cookie: StaffCookieOptions };
    dashboard: DashboardDeps;
    invoiceFiles: InvoiceFileDeps;
    routes: AdminDeps;
    outbox: { emails: OutboxRepository<EmailCopyPayload>; alerts: OutboxRepository<AlertPayload> };
    wechatCalls: WeChatCallDeps;
    reconcileRuns: ReconcileRunDeps;
  };
  channel: ChannelDeps;
  h5: H5Deps;
  push: PushRouteDeps;
  metrics: MetricsRouteDeps;
  health: HealthDeps;
  /** The merchant console's built files, when built (npm run build / npm start). */
  consoleDist: string | undefined;
}

export function httpDeps(parts: {
  config: Config;
  logger: Logger;
  repositories: Repositories;
  accounts: WeChatAccounts;
  lifecycle: LifecycleDeps;
  push: PushDeps;
  metrics: Metrics;
  health: HealthDeps;
  now: () => Date;
}): HttpDeps {
  const { config, repositories, accounts, lifecycle, metrics, now } = parts;
  const staff: StaffDeps = {
    staff: repositories.staff,
    audit: repositories.audit,
    now,
    sessionTtlMs: config.CONSOLE_SESSION_HOURS * HOUR_MS,
    maxFailures: config.CONSOLE_LOGIN_MAX_FAILURES,
    failureWindowMs: config.CONSOLE_LOGIN_WINDOW_MINUTES * MINUTE_MS,
  };
  const orders = { orders: repositories.orders, requests: repositories.requests, now };
  const sessionTtlMs = config.SESSION_TTL_HOURS * HOUR_MS;
  return {
    auth: {
      sessions: repositories.sessions,
      adminKeys: config.ADMIN_API_KEYS,
      channelKeys: config.CHANNEL_API_KEYS,
      defaultAccount: accounts.default.name,
      staff,
      now,
    },
    mp: {
      login: { sessions: repositories.sessions, now, sessionTtlMs },
      orders: { ...orders, emailCopy: Boolean(config.SMTP_URL) },
      lifecycle,
    },
    admin: adminDeps(config, repositories, accounts, lifecycle, staff, now),
    channel: { lifecycle },
    h5: {
      lifecycle,
      orders,
      sessions: repositories.sessions,
      sessionTtlMs,
      openBase: config.WECHAT_OPEN_BASE,
      ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
      now,
      log: parts.logger,
    },
    push: {
      ...parts.push,
      observe: (outcome, seconds) => {
        metrics.pushes.inc({ outcome });
        metrics.pushAck.observe({ outcome }, seconds);
      },
    },
    metrics: { registry: metrics.registry, token: config.METRICS_TOKEN },
    health: parts.health,
    consoleDist: findConsoleDist(),
  };
}

function adminDeps(config: Config, repositories: Repositories, accounts: WeChatAccounts, lifecycle: LifecycleDeps, staff: StaffDeps, now: () => Date): HttpDeps['admin'] {
  const orders = { orders: repositories.orders, requests: repositories.requests, now };
  // pay-mch settings belong to an Official Account; without one, to the default account.
  const payMchAccount = accounts.all.find((a) => a.kind === 'official_account') ?? accounts.default;
  return {
    staff: { ...staff, cookie: { secure: config.NODE_ENV === 'production' } },
    dashboard: { requests: repositories.requests, now },
    invoiceFiles: { requests: repositories.requests, fetchPdf: (url) => fetchInvoicePdf(url, config.WECHAT_TIMEOUT_MS) },
    routes: {
      orders,
      lifecycle,
      settings: {
        invoice: accounts.default.client.invoice,
        accounts: accounts.all.map((a) => ({ name: a.name, invoice: a.client.invoice })),
        payMchAccount: { name: payMchAccount.name, invoice: payMchAccount.client.invoice },
        settings: repositories.settings,
        audit: repositories.audit,
        now,
      },
      audit: repositories.audit,
      now,
    },
    outbox: { emails: repositories.emailOutbox, alerts: repositories.alertOutbox },
    wechatCalls: { requests: repositories.requests, calls: repositories.wechatCalls },
    reconcileRuns: { runs: repositories.reconcileRuns, lifecycle, countNeedingAttention: () => repositories.requests.countNeedingAttention(), now },
  };
}
