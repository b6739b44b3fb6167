import type { Connection } from 'mongoose';
import type { Config } from './config';
import { auditLog, auditModel, type AuditLog } from './data/audit/audit.schema';
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
import { createMongoTokenStore } from './data/wechat-credential/wechat-credential.repository';
import { DEFAULT_SCHEDULE, type LifecycleDeps, type SchedulePolicy } from './domain/lifecycle/deps';
import { sendCallbacks } from './domain/lifecycle/callbacks';
import { sweepPostPayments } from './domain/lifecycle/post-payment';
import { processPush, sweepPushes } from './domain/lifecycle/process-pushes';
import type { ReceivePushDeps } from './domain/receive-push';
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
  };
  /** The default account's client (today's single account). */
  wechat: WeChatClient;
  /** Every configured WeChat account, each with its own client and push keys. */
  accounts: WeChatAccounts;
  lifecycle: LifecycleDeps;
  push: ReceivePushDeps;
  /** Work the worker does between requests: pushes a crashed process left unprocessed. */
  housekeeping(): Promise<void>;
}

export interface ContainerInput {
  config: Config;
  logger: Logger;
  db: Connection;
  isShuttingDown: () => boolean;
  /** Tests shorten the worker's waits. */
  schedule?: Partial<SchedulePolicy>;
}

/** How often a process looks for pushes left unprocessed by a crashed process. */
const SWEEP_EVERY_MS = 5_000;

/**
 * The one composition root: builds repositories, then the WeChat client, then the use cases,
 * from config and an open database connection. No module keeps singletons of its own.
 */
export function createContainer(input: ContainerInput): Container {
  const { config, logger, db } = input;
  const repositories = {
    pushEvents: pushEventRepository(pushEventModel(db)),
    orders: orderRepository(orderModel(db)),
    requests: invoiceRequestRepository(invoiceRequestModel(db)),
    sessions: sessionRepository(sessionModel(db)),
    settings: settingsRepository(settingModel(db)),
    postPayments: postPaymentRepository(postPaymentModel(db)),
    audit: auditLog(auditModel(db)),
  };
  // One client per account; tokens and tickets are stored per appid in the one shared store.
  const accounts = createWeChatAccounts(config.accounts, {
    baseUrl: config.WECHAT_API_BASE,
    timeoutMs: config.WECHAT_TIMEOUT_MS,
    tokenStore: createMongoTokenStore(db),
    log: logger,
  });
  const wechat = accounts.default.client;
  const lifecycle: LifecycleDeps = {
    orders: repositories.orders,
    requests: repositories.requests,
    postPayments: repositories.postPayments,
    settings: repositories.settings,
    invoice: wechat.invoice,
    accounts,
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
    now: () => new Date(),
    random: Math.random,
    log: logger,
  };
  let lastSweep = 0;
  return {
    config,
    logger,
    db,
    repositories,
    wechat,
    accounts,
    lifecycle,
    health: {
      pingDatabase: () => pingDatabase(db),
      isShuttingDown: input.isShuttingDown,
    },
    push: {
      accounts,
      pushEvents: repositories.pushEvents,
      now: () => new Date(),
      // Answered already; act afterwards, off the request.
      onNewEvent: (push, account) => void processPush(lifecycle, repositories.pushEvents, push.dedupeKey, push.message, account),
    },
    async housekeeping() {
      if (Date.now() - lastSweep < SWEEP_EVERY_MS) return;
      lastSweep = Date.now();
      await sweepPushes(lifecycle, repositories.pushEvents);
      await sweepPostPayments(lifecycle);
      await sendCallbacks(lifecycle);
    },
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
