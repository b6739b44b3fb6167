import type { Connection } from 'mongoose';
import type { Config } from './config';
import { auditLog, auditModel, type AuditLog } from './data/audit/audit.schema';
import { reconcileRunModels, reconcileRunRepository, type ReconcileRunRepository } from './data/reconcile-run/reconcile-run.schema';
import { wechatCallLog, wechatCallModel, type WeChatCallLog } from './data/wechat-call/wechat-call.schema';
import { invoiceRequestRepository, type InvoiceRequestRepository } from './data/invoice-request/invoice-request.repository';
import { invoiceRequestModel } from './data/invoice-request/invoice-request.schema';
import { orderRepository, type OrderRepository } from './data/order/order.repository';
import { orderModel } from './data/order/order.schema';
import { postPaymentModel, postPaymentRepository, type PostPaymentRepository } from './data/post-payment/post-payment.schema';
import { pushEventRepository, type PushEventRepository } from './data/push-event/push-event.repository';
import { pushEventModel } from './data/push-event/push-event.schema';
import { sessionRepository, type SessionRepository } from './data/session/session.repository';
import { sessionModel } from './data/session/session.schema';
import { settingModel, settingsRepository, type SettingsRepository } from './data/settings/settings.schema';
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
import type { WeChatClient } from './wechat';
import { createWeChatAccounts, type WeChatAccounts } from './wechat/accounts';

export interface Container {
  config: Config;
  logger: Logger;
  db: Connection;
  health: HealthDeps;
  repositories: {
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
    requestCounts: { needingAttention: () => Promise<number> };
  };
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
  /** The worker's named jobs besides claiming due requests (sweep unprocessed pushes, …). */
  workerJobs: WorkerJob[];
}

export interface ContainerInput {
  config: Config;
  logger: Logger;
  db: Connection;
  isShuttingDown: () => boolean;
  /** Tests shorten the worker's waits. */
  schedule?: Partial<SchedulePolicy> | undefined;
  /** Told when a push has been acted on and may have made a request due (main.ts nudges the worker). */
  onWorkDue?: (() => void) | undefined;
}

/** The field of invoice_requests that says a request needs a human (set by domain/lifecycle/attention.ts). */
const NEEDS_ATTENTION_FIELD = 'needsAttention';

/**
 * The one composition root: builds repositories, then the WeChat client, then the use cases,
 * from config and an open database connection. No module keeps singletons of its own.
 */
export function createContainer(input: ContainerInput): Container {
  const { config, logger, db } = input;
  const now = () => new Date();
  const requestModel = invoiceRequestModel(db);
  const countNeedingAttention = () => requestModel.countDocuments({ [NEEDS_ATTENTION_FIELD]: true });
  const emailOutboxRepository = outboxRepository<EmailCopyPayload>(outboxModel(db, 'EmailOutbox'));
  const alertOutboxRepository = outboxRepository<AlertPayload>(outboxModel(db, 'AlertOutbox'));
  const metrics = createMetrics({
    async requestsByState() {
      const rows = await requestModel.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
      return Object.fromEntries(rows.map((row) => [row._id, row.n]));
    },
    requestsNeedingAttention: countNeedingAttention,
    async outboxBacklog() {
      return { email: await emailOutboxRepository.countPending(), alert: await alertOutboxRepository.countPending() };
    },
  });
  const repositories = {
    pushEvents: pushEventRepository(pushEventModel(db), {
      groupCommit: config.PUSH_GROUP_COMMIT_MAX > 1 ? { windowMs: config.PUSH_GROUP_COMMIT_MS, maxBatch: config.PUSH_GROUP_COMMIT_MAX } : undefined,
    }),
    orders: orderRepository(orderModel(db)),
    requests: countTransitions(invoiceRequestRepository(requestModel), metrics.transitions),
    sessions: sessionRepository(sessionModel(db)),
    settings: settingsRepository(settingModel(db)),
    postPayments: postPaymentRepository(postPaymentModel(db)),
    audit: auditLog(auditModel(db)),
    emailOutbox: emailOutboxRepository,
    alertOutbox: alertOutboxRepository,
    staff: staffRepository(staffModels(db)),
    wechatCalls: wechatCallLog(wechatCallModel(db)),
    reconcileRuns: reconcileRunRepository(reconcileRunModels(db)),
    requestCounts: { needingAttention: countNeedingAttention },
  };
  const alerts = config.ALERT_WEBHOOK_URL
    ? createAlerts({ outbox: alertOutboxRepository, log: logger, now, onRaised: (kind) => metrics.alerts.inc({ kind, outcome: 'raised' }) })
    : loggedAlerts(logger);
  const errorWatch = wechatErrorWatch(alerts, { threshold: config.ALERT_WECHAT_ERRORS, windowS: config.ALERT_WECHAT_WINDOW_S, now });
  // One client per account; tokens and tickets are stored per appid in the one shared store.
  const accounts = createWeChatAccounts(config.accounts, {
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
  const wechat = accounts.default.client;
  // Retries of the outboxes follow the worker's time scale (tests and demos shorten them).
  const scale = (ms: number) => Math.max(10, Math.round(ms * config.WORKER_TIME_SCALE));
  const outboxes: Outbox<EmailCopyPayload | AlertPayload>[] = [];
  if (config.SMTP_URL && config.MAIL_FROM) {
    outboxes.push(
      emailOutbox({
        repository: emailOutboxRepository,
        mail: { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, sellerName: config.SELLER_NSRMC, timeoutMs: 10_000 },
        // About three days of retries at the longest back-off: SMTP down over a weekend loses nothing.
        maxAttempts: 160,
        retryBaseMs: scale(5_000),
        retryMaxMs: scale(30 * 60_000),
        onAttempt: (outcome) => metrics.emails.inc({ outcome }),
      }) as Outbox<EmailCopyPayload | AlertPayload>,
    );
  }
  if (config.ALERT_WEBHOOK_URL) {
    outboxes.push(
      alertOutbox({
        repository: alertOutboxRepository,
        url: config.ALERT_WEBHOOK_URL,
        format: config.ALERT_WEBHOOK_FORMAT,
        timeoutMs: 5_000,
        maxAttempts: 10,
        retryBaseMs: scale(2_000),
        retryMaxMs: scale(10 * 60_000),
        onAttempt: (outcome, message) => metrics.alerts.inc({ kind: message.payload.kind, outcome }),
      }) as Outbox<EmailCopyPayload | AlertPayload>,
    );
  }
  const lifecycle: LifecycleDeps = {
    orders: repositories.orders,
    requests: repositories.requests,
    postPayments: repositories.postPayments,
    settings: repositories.settings,
    invoice: wechat.invoice,
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
      postPaymentMatchMs: config.POST_PAYMENT_MATCH_HOURS * 3600_000,
    },
    schedule: { ...DEFAULT_SCHEDULE, ...input.schedule },
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
    ...(config.SMTP_URL ? { copies: emailCopies({ outbox: emailOutboxRepository, now }) } : {}),
  };
  const push: PushDeps = { accounts, pushEvents: repositories.pushEvents, lifecycle, onWorkDue: input.onWorkDue, acting: actingInTurn() };
  return {
    config,
    logger,
    db,
    repositories,
    wechat,
    accounts,
    metrics,
    alerts,
    outboxes,
    lifecycle,
    health: {
      pingDatabase: () => pingDatabase(db),
      isShuttingDown: input.isShuttingDown,
    },
    push,
    workerJobs: workerJobs(lifecycle, push),
  };
}

/** How long /readyz waits for the database: a load balancer should hear "not ready" quickly. */
const READINESS_DEADLINE_MS = 1_500;

/**
 * A ping with a deadline of our own: a frozen database (SIGSTOP, a stalled disk) keeps its socket
 * open and never answers, and the ping's maxTimeMS is enforced by that same database.
 */
async function pingDatabase(db: Connection): Promise<void> {
  if (!db.db) throw new Error('not connected');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_DEADLINE_MS} ms`)), READINESS_DEADLINE_MS);
  });
  try {
    await Promise.race([db.db.admin().ping({ timeoutMS: READINESS_DEADLINE_MS }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds every registered model's indexes before the server takes traffic, so a unique index
 * the code relies on exists (and an index the database cannot build stops start-up).
 */
export async function ensureIndexes(db: Connection): Promise<void> {
  for (const model of Object.values(db.models)) await model.init();
}
