/**
 * The server process: config → database → app.listen → invoice worker; graceful shutdown on
 * SIGTERM/SIGINT: stop accepting, finish in-flight requests and the worker's requests in hand,
 * close the database, exit.
 */
import mongoose from 'mongoose';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createContainer, ensureIndexes } from './container';
import { connectionOptions } from './data/connection';
import { DEFAULT_SCHEDULE, type SchedulePolicy } from './domain/lifecycle/deps';
import { listen } from './http-server';
import { createLogger, type Logger } from './logger';
import { startDelivery } from './notify/delivery';
import { DEFAULT_WORKER, startInvoiceWorker, type RunningWorker } from './worker/invoice-worker';

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
    schedule: scaledSchedule(config.WORKER_TIME_SCALE),
    onWorkDue: () => started.worker?.nudge(),
  });
  await ensureIndexes(db);
  const server = await listen(createApp(container), config.PORT, config.HOST);
  logger.info({ url: server.url }, 'listening');
  const worker = config.WORKER_ENABLED
    ? startInvoiceWorker(
        container.lifecycle,
        {
          ...DEFAULT_WORKER,
          idleMs: Math.max(20, DEFAULT_WORKER.idleMs * config.WORKER_TIME_SCALE),
          leaseMs: Math.max(2_000, DEFAULT_WORKER.leaseMs * config.WORKER_TIME_SCALE),
          onClaim: (lagMs) => container.metrics.claimLag.observe(lagMs / 1000),
        },
        container.workerJobs,
      )
    : undefined;
  started.worker = worker;
  if (worker) logger.info({ owner: worker.owner }, 'invoice worker started');
  // The outboxes (emailed copies, alerts) are delivered by the processes that run the worker, each
  // on its own loop: a dead SMTP server or webhook never holds up an invoice.
  const deliveries = config.WORKER_ENABLED
    ? container.outboxes.map((outbox) =>
        startDelivery(outbox, { idleMs: Math.max(20, 1_000 * config.WORKER_TIME_SCALE), leaseMs: Math.max(5_000, 120_000 * config.WORKER_TIME_SCALE), log: logger }),
      )
    : [];
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

/**
 * Every wait scaled, and the states' age limits with them (their look counts are counts). Mapping
 * every entry as a number turned `limits` into NaN: each step that left a request waiting then threw
 * outside its try, kept its lease, and the request waited out the whole lease (60 s) every time.
 */
function scaledSchedule(scale: number): SchedulePolicy {
  const ms = (value: number) => Math.max(1, Math.round(value * scale));
  const { limits, ...waits } = DEFAULT_SCHEDULE;
  const scaledLimits = Object.fromEntries(Object.entries(limits).map(([state, limit]) => [state, { looks: limit.looks, ageMs: ms(limit.ageMs) }]));
  return {
    ...(Object.fromEntries(Object.entries(waits).map(([key, value]) => [key, ms(value)])) as Omit<SchedulePolicy, 'limits'>),
    limits: scaledLimits as SchedulePolicy['limits'],
  };
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
