import type mongoose from 'mongoose';
import type { Connection } from 'mongoose';

/**
 * Connection options that keep a database outage from hanging requests. WeChat gives up on a push
 * after 5 s and a buyer taps again, so nothing waits on the database for longer than `timeoutMs`
 * at a time: an operation whose socket stays silent that long fails (a frozen database keeps its
 * sockets open and never answers; the driver's timeoutMS has no effect in this driver version),
 * and so do selecting a server and opening a connection.
 * No command buffering: while disconnected, an operation fails at once instead of waiting.
 * Every operation here is a single-document read or write or a short index scan, far below that.
 */
export function connectionOptions(timeoutMs: number): mongoose.ConnectOptions {
  return {
    socketTimeoutMS: timeoutMs,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    // Notice a frozen or killed server within a second or two, and find it again as soon after.
    heartbeatFrequencyMS: 1_000,
    bufferCommands: false,
    // A read retried after a network error would wait as long again: the caller retries instead.
    retryReads: false,
  };
}

/** How long /readyz waits for the database: a load balancer should hear "not ready" quickly. */
const READINESS_DEADLINE_MS = 1_500;

/**
 * A ping with a deadline of our own: a frozen database (SIGSTOP, a stalled disk) keeps its socket
 * open and never answers, and the ping's maxTimeMS is enforced by that same database.
 */
export async function pingDatabase(db: Connection): Promise<void> {
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
