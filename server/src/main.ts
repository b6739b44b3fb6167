/**
 * The server process: config → database → app.listen → invoice worker; graceful shutdown on
 * SIGTERM/SIGINT: stop accepting, finish in-flight requests and the worker's requests in hand,
 * close the database, exit.
 */
import mongoose from 'mongoose';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createContainer } from './container';
import { connectionOptions, ensureIndexes } from './data/connection';
import { listen } from './http-server';
import { createLogger, type Logger } from './logger';
import { startDelivery } from './notify/delivery';
import { startInvoiceWorker, type RunningWorker } from './worker/invoice-worker';

async function main(): Promise<void> {
  const config = readConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  let shuttingDown = false;

  const db = await connectDatabase(config, logger);
  // The worker starts after the server listens; a push stored before that has no worker to nudge.
  const started: { worker?: RunningWorker | undefined } = {};
  const container = createContainer({
    config,
    logger,
    db,
    isShuttingDown: () => shuttingDown,
    onWorkDue: () => started.worker?.nudge(),
  });
  await ensureIndexes(db);
  const server = await listen(createApp(container), config.PORT, config.HOST);
  logger.info({ url: server.url }, 'listening');
  const worker = config.WORKER_ENABLED ? startInvoiceWorker(container.lifecycle, container.workerOptions, container.workerJobs) : undefined;
  started.worker = worker;
  if (worker) logger.info({ owner: worker.owner }, 'invoice worker started');
  // The outboxes (emailed copies, alerts) are delivered by the processes that run the worker, each
  // on its own loop: a dead SMTP server or webhook never holds up an invoice.
  const deliveries = config.WORKER_ENABLED ? container.outboxes.map((outbox) => startDelivery(outbox, container.deliveryOptions)) : [];
  if (deliveries.length) logger.info({ outboxes: container.outboxes.map((o) => o.name) }, 'outbox delivery started');

  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      // `kill` of npm start's process group delivers two (the group's and npm's forwarded one):
      // a second signal must not cut the requests the first one is letting finish.
      logger.warn({ signal }, 'shutdown already under way: signal ignored');
      return;
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    // Bounded all the same: in-flight requests get SHUTDOWN_TIMEOUT_MS, the worker and the
    // database as long again; past that something hangs, and the process says so and exits.
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting with work unfinished');
      logger.flush();
      process.exit(1);
    }, 2 * config.SHUTDOWN_TIMEOUT_MS + config.DATABASE_TIMEOUT_MS).unref();
    await server.close(config.SHUTDOWN_TIMEOUT_MS);
    await worker?.stop(); // finishes the requests in hand; the rest stay due in the database
    await Promise.all(deliveries.map((delivery) => delivery.stop()));
    db.removeAllListeners('disconnected'); // closing on purpose is not worth a warning
    await db.close();
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function readConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`fapiao-server cannot start. ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}

async function connectDatabase(config: Config, logger: Logger): Promise<mongoose.Connection> {
  const db = mongoose.createConnection(config.MONGODB_URI, connectionOptions(config.DATABASE_TIMEOUT_MS));
  db.on('disconnected', () => logger.warn('database disconnected'));
  db.on('reconnected', () => logger.info('database reconnected'));
  await db.asPromise();
  logger.info({ database: db.name }, 'database connected');
  return db;
}

main().catch((err: unknown) => {
  process.stderr.write(`fapiao-server failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
