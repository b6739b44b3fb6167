import fs from 'node:fs';
import path from 'node:path';
import { findMongod, startMongod } from './mongod';
import { dataDir } from './paths';
import { SECANTUS_VERSION, startSecantus } from './secantus';

export type DatabaseKind = 'MONGODB_URI' | 'mongod' | 'SecantusDB';

export interface RunningDatabase {
  /** Server URI without a database name; callers choose the database. */
  readonly uri: string;
  readonly kind: DatabaseKind;
  /** Human-readable: which server and version, for logs and notes. */
  readonly description: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * 'dev' keeps data in .data/<kind> across runs; 'test' uses a fresh directory under .data/
   * that is deleted on stop.
   */
  purpose: 'dev' | 'test';
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Finds or starts a real server speaking the MongoDB wire protocol, in this order:
 * MONGODB_URI if set; a mongod on PATH or one mongodb-memory-server can download;
 * otherwise SecantusDB from a project-local virtual environment.
 */
export async function startDatabase(opts: StartOptions): Promise<RunningDatabase> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => console.error(`[db] ${line}`));
  const external = env.MONGODB_URI?.trim();
  if (external) {
    return { uri: external, kind: 'MONGODB_URI', description: 'MONGODB_URI from the environment', stop: async () => {} };
  }
  fs.mkdirSync(dataDir, { recursive: true });
  if (opts.purpose === 'test') removeOrphanedTestData();
  const storage = (kind: string) =>
    opts.purpose === 'dev' ? path.join(dataDir, kind) : fs.mkdtempSync(path.join(dataDir, `test-${process.pid}-${kind}-`));
  const cleanUp = (dir: string) => (opts.purpose === 'test' ? fs.rmSync(dir, { recursive: true, force: true }) : undefined);

  const mongod = await findMongod(log);
  if (mongod) {
    const dir = storage('mongod');
    const { uri, server } = await startMongod(mongod, dir);
    return { uri, kind: 'mongod', description: `mongod (${mongod})`, stop: async () => (await server.stop(), cleanUp(dir)) };
  }
  const dir = storage('secantus');
  const { uri, server } = await startSecantus({ storageDir: dir, log });
  return {
    uri,
    kind: 'SecantusDB',
    description: `SecantusDB ${SECANTUS_VERSION}`,
    stop: async () => (await server.stop(), cleanUp(dir)),
  };
}

/**
 * Test data directories are named after the owning process. One whose owner is gone (a test run
 * that was killed and never reached its teardown) is removed here.
 */
function removeOrphanedTestData(): void {
  for (const name of fs.readdirSync(dataDir)) {
    const pid = Number(/^test-(\d+)-/.exec(name)?.[1]);
    if (pid && !isAlive(pid)) fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `mongodb://host:port/?opts` + name → `mongodb://host:port/name?opts`. Done on the string:
 * multi-host URIs (`h1:1,h2:2`) are not valid WHATWG URLs.
 */
export function withDatabaseName(uri: string, name: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!match) throw new Error('not a mongodb:// or mongodb+srv:// URI');
  return `${match[1]}/${name}${match[2] ?? ''}`;
}
