import type mongoose from 'mongoose';

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
