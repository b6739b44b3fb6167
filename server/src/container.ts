import type { Connection } from 'mongoose';
import type { Config } from './config';
import { pushEventRepository, type PushEventRepository } from './data/push-event/push-event.repository';
import { pushEventModel } from './data/push-event/push-event.schema';
import type { ReceivePushDeps } from './domain/receive-push';
import type { HealthDeps } from './http/health/routes';
import type { Logger } from './logger';
import { decodeAesKey, type ReceivedPush } from './wechat/push';

export interface Container {
  config: Config;
  logger: Logger;
  db: Connection;
  health: HealthDeps;
  repositories: { pushEvents: PushEventRepository };
  push: ReceivePushDeps;
}

export interface ContainerInput {
  config: Config;
  logger: Logger;
  db: Connection;
  isShuttingDown: () => boolean;
}

/**
 * The one composition root: builds repositories, then services, then the WeChat client, from
 * config and an open database connection. No module keeps singletons of its own.
 */
export function createContainer(input: ContainerInput): Container {
  const { config, logger, db } = input;
  const pushEvents = pushEventRepository(pushEventModel(db));
  return {
    config,
    logger,
    db,
    repositories: { pushEvents },
    push: {
      pushConfig: {
        token: config.WECHAT_TOKEN,
        appid: config.WECHAT_APPID,
        // Decoded once at start-up: a malformed key stops the process instead of failing each push.
        aesKey: config.WECHAT_AES_KEY ? decodeAesKey(config.WECHAT_AES_KEY) : undefined,
      },
      pushEvents,
      now: () => new Date(),
      // The invoice lifecycle subscribes here; until then events wait in push_events.
      onNewEvent: (push: ReceivedPush) => logger.info({ kind: push.message.kind, dedupeKey: push.dedupeKey }, 'push received'),
    },
    health: {
      pingDatabase: () => pingDatabase(db),
      isShuttingDown: input.isShuttingDown,
    },
  };
}

async function pingDatabase(db: Connection): Promise<void> {
  if (!db.db) throw new Error('not connected');
  await db.db.admin().ping({ maxTimeMS: 2000 });
}

/**
 * Builds every registered model's indexes before the server takes traffic, so a unique index
 * the code relies on exists (and an index the database cannot build stops start-up).
 */
export async function ensureIndexes(db: Connection): Promise<void> {
  for (const model of Object.values(db.models)) await model.init();
}
