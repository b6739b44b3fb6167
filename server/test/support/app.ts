import http from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createContainer, ensureIndexes, type Container } from '../../src/container';
import { createLogger } from '../../src/logger';
import { testDatabaseUri } from '../harness/database';

export const TEST_ENV = {
  WECHAT_APPID: 'wx0123456789abcdef',
  WECHAT_SECRET: '0123456789abcdef0123456789abcdef',
  WECHAT_TOKEN: 'pushToken123',
  ADMIN_API_KEYS: 'key-aaaaaaaaaaaaaaaaaaaaaaaa',
};

export interface TestApp {
  url: string;
  container: Container;
  /** Every log line the app wrote. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * The real app (createApp over the real container) on a free port, against a fresh database.
 * `env` adds or overrides configuration; `extra` may add middleware before it listens.
 */
export async function startTestApp(
  opts: { env?: Record<string, string>; shuttingDown?: boolean; extra?: (app: ReturnType<typeof createApp>) => void } = {},
): Promise<TestApp> {
  const uri = testDatabaseUri();
  const db = await mongoose.createConnection(uri).asPromise();
  const config = loadConfig({ MONGODB_URI: uri, ...TEST_ENV, ...opts.env });
  const logs: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(line) });
  const container = createContainer({ config, logger, db, isShuttingDown: () => opts.shuttingDown ?? false });
  await ensureIndexes(db);
  const app = createApp(container);
  opts.extra?.(app);
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    container,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (db.readyState === 1) await db.dropDatabase();
      await db.close();
    },
  };
}
