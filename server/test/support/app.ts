import http from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createContainer, type Container } from '../../src/container';
import { ensureIndexes } from '../../src/data/connection';
import type { SchedulePolicy } from '../../src/domain/lifecycle/deps';
import { createLogger } from '../../src/logger';
import { addDevIndexes, needsDevIndexes } from '../../../scripts/mongo/dev-indexes';
import { testDatabaseUri, testServerDescription } from '../harness/database';

export const TEST_ENV = {
  WECHAT_APPID: 'wx0123456789abcdef',
  WECHAT_SECRET: '0123456789abcdef0123456789abcdef',
  WECHAT_TOKEN: 'pushToken123',
  ADMIN_API_KEYS: 'key-aaaaaaaaaaaaaaaaaaaaaaaa',
  INVOICE_S_PAPPID: 'd3hzYW5kYm94MDAwMDAwMDA',
  FPQQLSH_PREFIX: 'TEST01',
  SELLER_NSRSBH: '91350100M000100Y43',
  SELLER_NSRMC: '福州测试商贸有限公司',
  SELLER_NSRDZ: '福州市鼓楼区测试路1号',
  SELLER_NSRDH: '0591-88888888',
  SELLER_NSRBANK: '中国银行福州分行',
  SELLER_NSRBANKID: '1234567890123',
  INVOICE_ISSUER: '张三',
  WORKER_ENABLED: 'false',
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
  opts: {
    env?: Record<string, string>;
    shuttingDown?: boolean;
    extra?: (app: ReturnType<typeof createApp>) => void;
    schedule?: Partial<SchedulePolicy>;
    /** Reuse a database (e.g. two app instances sharing one), instead of a fresh one. */
    mongodbUri?: string;
  } = {},
): Promise<TestApp> {
  const uri = opts.mongodbUri ?? testDatabaseUri();
  const db = await mongoose.createConnection(uri).asPromise();
  const config = loadConfig({ MONGODB_URI: uri, ...TEST_ENV, ...opts.env });
  const logs: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(line) });
  const container = createContainer({ config, logger, db, isShuttingDown: () => opts.shuttingDown ?? false, schedule: opts.schedule });
  if (needsDevIndexes(testServerDescription())) await addDevIndexes(db);
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
      if (db.readyState === mongoose.ConnectionStates.connected && !opts.mongodbUri) await db.dropDatabase();
      await db.close();
    },
  };
}
