import { mongo } from 'mongoose';

/**
 * True for an error that says the database is down, frozen or unreachable, not that the request
 * or the code is wrong: no server to select, a connection refused, reset or closed, an operation
 * past its client-side deadline (timeoutMS), or mongoose giving up on a command it buffered.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (
    err instanceof mongo.MongoNetworkError || // includes MongoNetworkTimeoutError
    err instanceof mongo.MongoServerSelectionError ||
    err instanceof mongo.MongoOperationTimeoutError ||
    err instanceof mongo.MongoNotConnectedError ||
    err instanceof mongo.MongoTopologyClosedError
  ) {
    return true;
  }
  const e = err as { name?: unknown; message?: unknown };
  // A pool cleared after a network error (not exported by every driver version, so by name).
  if (e?.name === 'MongoPoolClearedError') return true;
  // Mongoose's own classes (not the driver's): server selection at connect, and buffering timeouts.
  return e?.name === 'MongooseServerSelectionError' || (e?.name === 'MongooseError' && /buffering timed out/.test(String(e.message)));
}
