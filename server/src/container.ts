import type { Connection } from 'mongoose';
import type { Config } from './config';
import { auditLog, auditModel, type AuditLog } from './data/audit/audit.schema';
import { invoiceRequestRepository, type InvoiceRequestRepository } from './data/invoice-request/invoice-request.repository';
import { invoiceRequestModel } from './data/invoice-request/invoice-request.schema';
import { orderRepository, type OrderRepository } from './data/order/order.repository';
import { orderModel } from './data/order/order.schema';
import { pushEventRepository, type PushEventRepository } from './data/push-event/push-event.repository';
import { pushEventModel } from './data/push-event/push-event.schema';
import { sessionRepository, type SessionRepository } from './data/session/session.repository';
import { sessionModel } from './data/session/session.schema';
import { settingModel, settingsRepository, type SettingsRepository } from './data/settings/settings.schema';
import { createMongoTokenStore } from './data/wechat-credential/wechat-credential.repository';
import { DEFAULT_SCHEDULE, type LifecycleDeps, type SchedulePolicy } from './domain/lifecycle/deps';
import { processPush, sweepPushes } from './domain/lifecycle/process-pushes';
import type { ReceivePushDeps } from './domain/receive-push';
import type { HealthDeps } from './http/health/routes';
import type { Logger } from './logger';
import { createWeChatClient, type WeChatClient } from './wechat';
import { decodeAesKey } from './wechat/push';

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
    audit: AuditLog;
  };
  wechat: WeChatClient;
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
  schedule?: Partial<SchedulePolicy> | undefined;
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
    audit: auditLog(auditModel(db)),
  };
  const wechat = createWeChatClient({
    baseUrl: config.WECHAT_API_BASE,
    appid: config.WECHAT_APPID,
    secret: config.WECHAT_SECRET,
    timeoutMs: config.WECHAT_TIMEOUT_MS,
    tokenStore: createMongoTokenStore(db),
    log: logger,
  });
  const lifecycle: LifecycleDeps = {
    orders: repositories.orders,
    requests: repositories.requests,
    settings: repositories.settings,
    invoice: wechat.invoice,
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
    lifecycle,
    health: {
      pingDatabase: () => pingDatabase(db),
      isShuttingDown: input.isShuttingDown,
    },
    push: {
      pushConfig: {
        token: config.WECHAT_TOKEN,
        appid: config.WECHAT_APPID,
        // Decoded once at start-up: a malformed key stops the process instead of failing each push.
        aesKey: config.WECHAT_AES_KEY ? decodeAesKey(config.WECHAT_AES_KEY) : undefined,
        // A plain push's signature covers token, timestamp and nonce, not the body: once safe mode
        // is configured, anyone holding one signed URL could otherwise post any event with it.
        requireEncryption: Boolean(config.WECHAT_AES_KEY) && !config.WECHAT_ACCEPT_PLAIN_PUSH,
      },
      pushEvents: repositories.pushEvents,
      now: () => new Date(),
      // Answered already; act afterwards, off the request.
      onNewEvent: (push) => void processPush(lifecycle, repositories.pushEvents, push.dedupeKey, push.message),
    },
    async housekeeping() {
      if (Date.now() - lastSweep < SWEEP_EVERY_MS) return;
      lastSweep = Date.now();
      await sweepPushes(lifecycle, repositories.pushEvents);
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
