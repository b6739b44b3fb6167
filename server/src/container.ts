import type { Connection } from 'mongoose';
import { pingDatabase } from './data/connection';
import type { Config } from './config';
import { auditModel } from './data/audit/audit.schema';
import { auditLog, type AuditLog } from './data/audit/audit.repository';
import { reconcileRunModels } from './data/reconcile-run/reconcile-run.schema';
import { reconcileRunRepository, type ReconcileRunRepository } from './data/reconcile-run/reconcile-run.repository';
import { wechatCallModel } from './data/wechat-call/wechat-call.schema';
import { wechatCallLog, type WeChatCallLog } from './data/wechat-call/wechat-call.repository';
import { invoiceRequestRepository, type InvoiceRequestRepository } from './data/invoice-request/invoice-request.repository';
import { invoiceRequestModel } from './data/invoice-request/invoice-request.schema';
import { orderRepository, type OrderRepository } from './data/order/order.repository';
import { orderModel } from './data/order/order.schema';
import { postPaymentModel } from './data/post-payment/post-payment.schema';
import { postPaymentRepository, type PostPaymentRepository } from './data/post-payment/post-payment.repository';
import { pushEventRepository, type PushEventRepository } from './data/push-event/push-event.repository';
import { pushEventModel } from './data/push-event/push-event.schema';
import { sessionRepository, type SessionRepository } from './data/session/session.repository';
import { sessionModel } from './data/session/session.schema';
import { settingModel } from './data/settings/settings.schema';
import { settingsRepository, type SettingsRepository } from './data/settings/settings.repository';
import { staffRepository, type StaffRepository } from './data/staff/staff.repository';
import { staffModels } from './data/staff/staff.schema';
import { createMongoTokenStore } from './data/wechat-credential/wechat-credential.repository';
import { DEFAULT_SCHEDULE, type LifecycleDeps, type SchedulePolicy } from './domain/lifecycle/deps';
import { outboxRepository, type OutboxRepository } from './data/outbox/outbox.repository';
import { outboxModel } from './data/outbox/outbox.schema';
import { alertOutbox, createAlerts, loggedAlerts, wechatErrorWatch, type AlertPayload, type Alerts } from './notify/alerts';
import type { Outbox } from './notify/delivery';
import { emailCopies, emailOutbox, type EmailCopyPayload } from './notify/email-copy';
import { countTransitions, createMetrics, type Metrics } from './observability/metrics';
import { actingInTurn, type PushDeps } from './domain/pushes';
import { workerJobs, type WorkerJob } from './domain/worker-jobs';
import type { HealthDeps } from './http/health/routes';
import type { Logger } from './logger';
import { httpDeps, type HttpDeps } from './container-http';
import type { DeliveryOptions } from './notify/delivery';
import type { WeChatClient } from './wechat';
import { createWeChatAccounts, type WeChatAccounts } from './wechat/accounts';
import { DEFAULT_WORKER, type WorkerOptions } from './worker/invoice-worker';

export interface Container {
  config: Config;
  logger: Logger;
  db: Connection;
  repositories: Repositories;
  /** The default account's client (today's single account). */
  wechat: WeChatClient;
  /** Every configured WeChat account, each with its own client and push keys. */
  accounts: WeChatAccounts;
  metrics: Metrics;
  alerts: Alerts;
  /** The outboxes this process delivers when it runs the worker (email only with SMTP_URL, alerts only with ALERT_WEBHOOK_URL). */
  outboxes: Outbox<EmailCopyPayload | AlertPayload>[];
  lifecycle: LifecycleDeps;
  push: PushDeps;
  /** What each router is built from: createApp only mounts them. */
  http: HttpDeps;
  /** The invoice worker's options, scaled by WORKER_TIME_SCALE (main.ts starts it when WORKER_ENABLED). */
  workerOptions: WorkerOptions;
  /** The worker's named jobs besides claiming due requests (sweep unprocessed pushes, …). */
  workerJobs: WorkerJob[];
  /** The outbox delivery loops' options, scaled the same way. */
  deliveryOptions: DeliveryOptions;
}

export interface Repositories {
  pushEvents: PushEventRepository;
  orders: OrderRepository;
  requests: InvoiceRequestRepository;
  sessions: SessionRepository;
  settings: SettingsRepository;
  postPayments: PostPaymentRepository;
  audit: AuditLog;
  emailOutbox: OutboxRepository<EmailCopyPayload>;
  alertOutbox: OutboxRepository<AlertPayload>;
  staff: StaffRepository;
  /** Every WeChat call made for a request (the request page's table). */
  wechatCalls: WeChatCallLog;
  /** Reconcile runs of a period, their findings and the period locks. */
  reconcileRuns: ReconcileRunRepository;
}

export interface ContainerInput {
  config: Config;
  logger: Logger;
  db: Connection;
  isShuttingDown: () => boolean;
  /** Tests shorten the worker's waits beyond WORKER_TIME_SCALE. */
  schedule?: Partial<SchedulePolicy> | undefined;
  /** Told when a push has been acted on and may have made a request due (main.ts nudges the worker). */
  onWorkDue?: (() => void) | undefined;
}

const HOUR_MS = 3600_000;
const MINUTE_MS = 60_000;

/**
 * The one composition root: builds repositories, then the WeChat clients, then the use cases, then
 * what each router needs, from the parsed config and an open database connection. No module keeps
 * singletons of its own; app.ts mounts, main.ts starts and stops.
 */
export function createContainer(input: ContainerInput): Container {
  const { config, logger, db } = input;
  const now = () => new Date();
  const requests = invoiceRequestRepository(invoiceRequestModel(db));
  const emailOutboxRepository = outboxRepository<EmailCopyPayload>(outboxModel(db, 'EmailOutbox'));
  const alertOutboxRepository = outboxRepository<AlertPayload>(outboxModel(db, 'AlertOutbox'));
  const metrics = createMetrics({
    requestsByState: () => requests.countByStatus(),
    requestsNeedingAttention: () => requests.countNeedingAttention(),
    async outboxBacklog() {
      return { email: await emailOutboxRepository.countPending(), alert: await alertOutboxRepository.countPending() };
    },
  });
  const repositories: Repositories = {
    pushEvents: pushEventRepository(pushEventModel(db), {
      groupCommit: config.PUSH_GROUP_COMMIT_MAX > 1 ? { windowMs: config.PUSH_GROUP_COMMIT_MS, maxBatch: config.PUSH_GROUP_COMMIT_MAX } : undefined,
    }),
    orders: orderRepository(orderModel(db)),
    requests: countTransitions(requests, metrics.transitions),
    sessions: sessionRepository(sessionModel(db)),
    settings: settingsRepository(settingModel(db)),
    postPayments: postPaymentRepository(postPaymentModel(db)),
    audit: auditLog(auditModel(db)),
    emailOutbox: emailOutboxRepository,
    alertOutbox: alertOutboxRepository,
    staff: staffRepository(staffModels(db)),
    wechatCalls: wechatCallLog(wechatCallModel(db)),
    reconcileRuns: reconcileRunRepository(reconcileRunModels(db)),
  };
  const alerts = config.ALERT_WEBHOOK_URL
    ? createAlerts({ outbox: alertOutboxRepository, log: logger, now, onRaised: (kind) => metrics.alerts.inc({ kind, outcome: 'raised' }) })
    : loggedAlerts(logger);
  const accounts = wechatAccounts(config, logger, db, metrics, alerts, now);
  const wechat = accounts.default.client;
  const lifecycle = lifecycleDeps(config, logger, repositories, accounts, alerts, now, { ...scaledSchedule(config.WORKER_TIME_SCALE), ...input.schedule });
  const push: PushDeps = { accounts, pushEvents: repositories.pushEvents, lifecycle, onWorkDue: input.onWorkDue, acting: actingInTurn() };
  const health: HealthDeps = { pingDatabase: () => pingDatabase(db), isShuttingDown: input.isShuttingDown };
  return {
    config,
    logger,
    db,
    repositories,
    wechat,
    accounts,
    metrics,
    alerts,
    outboxes: outboxes(config, repositories, metrics),
    lifecycle,
    push,
    http: httpDeps({ config, logger, repositories, accounts, lifecycle, push, metrics, health, now }),
    workerOptions: {
      ...DEFAULT_WORKER,
      idleMs: Math.max(20, DEFAULT_WORKER.idleMs * config.WORKER_TIME_SCALE),
      leaseMs: Math.max(2_000, DEFAULT_WORKER.leaseMs * config.WORKER_TIME_SCALE),
      onClaim: (lagMs) => metrics.claimLag.observe(lagMs / 1000),
    },
    workerJobs: workerJobs(lifecycle, push),
    deliveryOptions: {
      idleMs: Math.max(20, 1_000 * config.WORKER_TIME_SCALE),
      leaseMs: Math.max(5_000, 120_000 * config.WORKER_TIME_SCALE),
      log: logger,
    },
  };
}

/** One client per account; tokens and tickets are stored per appid in the one shared store. */
function wechatAccounts(config: Config, logger: Logger, db: Connection, metrics: Metrics, alerts: Alerts, now: () => Date): WeChatAccounts {
  const errorWatch = wechatErrorWatch(alerts, { threshold: config.ALERT_WECHAT_ERRORS, windowS: config.ALERT_WECHAT_WINDOW_S, now });
  return createWeChatAccounts(config.accounts, {
    baseUrl: config.WECHAT_API_BASE,
    timeoutMs: config.WECHAT_TIMEOUT_MS,
    tokenStore: createMongoTokenStore(db),
    log: logger,
    observe: {
      call(endpoint, errcode) {
        metrics.wechatCalls.inc({ endpoint, errcode });
        errorWatch.record(endpoint, errcode);
      },
      refresh: (kind) => metrics.credentialRefreshes.inc({ kind }),
    },
  });
}

function lifecycleDeps(
  config: Config,
  logger: Logger,
  repositories: Repositories,
  accounts: WeChatAccounts,
  alerts: Alerts,
  now: () => Date,
  schedule: SchedulePolicy,
): LifecycleDeps {
  return {
    orders: repositories.orders,
    requests: repositories.requests,
    postPayments: repositories.postPayments,
    settings: repositories.settings,
    invoice: accounts.default.client.invoice,
    accounts,
    wechatCalls: repositories.wechatCalls,
    invoicing: {
      sPappid: config.INVOICE_S_PAPPID,
      fpqqlshPrefix: config.FPQQLSH_PREFIX,
      seller: {
        nsrsbh: config.SELLER_NSRSBH,
        nsrmc: config.SELLER_NSRMC,
        nsrdz: config.SELLER_NSRDZ,
        nsrdh: config.SELLER_NSRDH,
        nsrbank: config.SELLER_NSRBANK,
        nsrbankid: config.SELLER_NSRBANKID,
        kpr: config.INVOICE_ISSUER,
      },
      ...(config.WECHAT_SANDBOX ? { sandboxBaseUrl: config.WECHAT_API_BASE } : {}),
      postPaymentMatchMs: config.POST_PAYMENT_MATCH_HOURS * HOUR_MS,
    },
    schedule,
    now,
    random: Math.random,
    log: logger,
    alerts,
    // Every request flagged for a human raises one alert (per flag: a request flagged again after
    // ops cleared it is a new incident).
    onAttention: [
      (request, attention) =>
        alerts.needsAttention({
          requestId: request._id,
          orderNo: request.orderNo,
          reason: `${attention?.code ?? 'ATTENTION'} in ${attention?.state ?? request.status}: ${attention?.reason ?? ''}`,
          ...(attention?.since ? { since: attention.since } : {}),
        }),
    ],
    ...(config.SMTP_URL ? { copies: emailCopies({ outbox: repositories.emailOutbox, now }) } : {}),
  };
}

/**
 * Every wait of DEFAULT_SCHEDULE multiplied by WORKER_TIME_SCALE, the states' age limits with them
 * (their look counts are counts, not times).
 */
export function scaledSchedule(scale: number): SchedulePolicy {
  const ms = (value: number) => Math.max(1, Math.round(value * scale));
  const { limits, ...waits } = DEFAULT_SCHEDULE;
  const scaledLimits = {} as SchedulePolicy['limits'];
  for (const state of Object.keys(limits) as (keyof SchedulePolicy['limits'])[]) {
    scaledLimits[state] = { looks: limits[state].looks, ageMs: ms(limits[state].ageMs) };
  }
  const scaledWaits = { ...waits };
  for (const key of Object.keys(waits) as (keyof typeof waits)[]) scaledWaits[key] = ms(waits[key]);
  return { ...scaledWaits, limits: scaledLimits };
}

/** The outboxes this process delivers: emailed copies with SMTP_URL and MAIL_FROM, alerts with ALERT_WEBHOOK_URL. */
function outboxes(config: Config, repositories: Repositories, metrics: Metrics): Outbox<EmailCopyPayload | AlertPayload>[] {
  // Retries of the outboxes follow the worker's time scale (tests and demos shorten them).
  const scale = (ms: number) => Math.max(10, Math.round(ms * config.WORKER_TIME_SCALE));
  const list: Outbox<EmailCopyPayload | AlertPayload>[] = [];
  if (config.SMTP_URL && config.MAIL_FROM) {
    list.push(
      emailOutbox({
        repository: repositories.emailOutbox,
        mail: { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, sellerName: config.SELLER_NSRMC, timeoutMs: 10_000 },
        // About three days of retries at the longest back-off: SMTP down over a weekend loses nothing.
        maxAttempts: 160,
        retryBaseMs: scale(5_000),
        retryMaxMs: scale(30 * MINUTE_MS),
        onAttempt: (outcome) => metrics.emails.inc({ outcome }),
      }) as Outbox<EmailCopyPayload | AlertPayload>,
    );
  }
  if (config.ALERT_WEBHOOK_URL) {
    list.push(
      alertOutbox({
        repository: repositories.alertOutbox,
        url: config.ALERT_WEBHOOK_URL,
        format: config.ALERT_WEBHOOK_FORMAT,
        timeoutMs: 5_000,
        maxAttempts: 10,
        retryBaseMs: scale(2_000),
        retryMaxMs: scale(10 * MINUTE_MS),
        onAttempt: (outcome, message) => metrics.alerts.inc({ kind: message.payload.kind, outcome }),
      }) as Outbox<EmailCopyPayload | AlertPayload>,
    );
  }
  return list;
}
