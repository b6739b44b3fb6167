import crypto from 'node:crypto';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { withDatabaseName } from '../../../scripts/mongo';

/** The server the jest run's global setup started (or MONGODB_URI). */
export function testServerUri(): string {
  const uri = process.env.FAPIAO_TEST_MONGODB_URI;
  if (!uri) throw new Error('FAPIAO_TEST_MONGODB_URI is not set: run the tests through jest (global setup starts the database)');
  return uri;
}

/** Which server the tests run against, e.g. "SecantusDB 0.7.0b3". */
export function testServerDescription(): string {
  return process.env.FAPIAO_TEST_DATABASE ?? 'unknown';
}

/** A database name unique to this test file and this run (MongoDB allows 63 bytes). */
export function uniqueDatabaseName(testFile: string): string {
  const base = path.basename(testFile).replace(/\.test\.ts$/, '').replace(/[^a-zA-Z0-9]/g, '_').slice(0, 40);
  return `t_${base}_${crypto.randomBytes(4).toString('hex')}`;
}

/** URI of a fresh database for the calling test file. */
export function testDatabaseUri(): string {
  return withDatabaseName(testServerUri(), uniqueDatabaseName(expect.getState().testPath ?? 'unknown'));
}

/**
 * Opens a mongoose connection to a database of this test file's own, and drops it after the
 * file's tests. Use inside a describe block or at file top level.
 */
export function useTestDatabase(): () => Connection {
  let connection: Connection | undefined;
  beforeAll(async () => {
    connection = await mongoose.createConnection(testDatabaseUri()).asPromise();
  });
  afterAll(async () => {
    if (!connection) return;
    await connection.dropDatabase();
    await connection.close();
  });
  return () => {
    if (!connection) throw new Error('the test database is not connected yet (use it inside a test)');
    return connection;
  };
}
