import type { Connection } from 'mongoose';
import type { Config } from './config';
import type { HealthDeps } from './http/health/routes';
import type { Logger } from './logger';

export interface Container {
  config: Config;
  logger: Logger;
  db: Connection;
  health: HealthDeps;
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
  return {
    config,
    logger,
    db,
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
