import mongoose from 'mongoose';

/**
 * Connection options that keep a database outage from hanging requests. WeChat gives up on a push
 * after 5 s and a buyer taps again, so every operation has a client-side deadline below that
 * (timeoutMS, enforced by the driver even when the database is frozen and keeps its sockets open),
 * and nothing waits longer than that for a server to select or a connection to open.
 * No command buffering: while disconnected, an operation fails at once instead of waiting.
 */
export function connectionOptions(timeoutMs: number): mongoose.ConnectOptions {
  return {
    timeoutMS: timeoutMs,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    // Notice a frozen or killed server within a second or two, and find it again as soon after.
    heartbeatFrequencyMS: 1_000,
    bufferCommands: false,
  };
}
