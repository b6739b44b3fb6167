import fs from 'node:fs';
import path from 'node:path';
import { ensureJavaServer, JAVA_SERVER_VERSION, startJavaServer } from './java-server';
import { findMongod, startMongod } from './mongod';
import { dataDir } from './paths';
import { SECANTUS_VERSION, startSecantus } from './secantus';

type DatabaseKind = 'MONGODB_URI' | 'mongod' | 'mongo-java-server' | 'SecantusDB';

/** FAPIAO_DATABASE names one of these to skip the others (e.g. to run the suite on SecantusDB). */
const CHOICES = ['mongod', 'mongo-java-server', 'secantus'] as const;

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
 * MONGODB_URI if set; a mongod on PATH or one mongodb-memory-server can download; then
 * - for tests, mongo-java-server (in memory, started in about a second, several times faster than
 *   SecantusDB under the suite's load) when Java and Maven are there;
 * - SecantusDB from a project-local virtual environment (persistent: what `npm start` keeps its
 *   data in when there is no mongod).
 * FAPIAO_DATABASE=mongod|mongo-java-server|secantus picks one and fails if it cannot start.
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

  const only = env.FAPIAO_DATABASE?.trim();
  if (only && !(CHOICES as readonly string[]).includes(only)) throw new Error(`FAPIAO_DATABASE must be one of ${CHOICES.join(', ')}`);
  const wants = (choice: (typeof CHOICES)[number]) => !only || only === choice;

  const mongod = wants('mongod') ? await findMongod(log) : undefined;
  if (mongod) {
    const dir = storage('mongod');
    const { uri, server } = await startMongod(mongod, dir);
    return { uri, kind: 'mongod', description: `mongod (${mongod})`, stop: async () => (await server.stop(), cleanUp(dir)) };
  }
  // In memory: right for tests, wrong for a development database that should keep its data.
  const javaWanted = only === 'mongo-java-server' || (!only && opts.purpose === 'test');
  if (javaWanted && (await ensureJavaServer(log))) {
    const { uri, server } = await startJavaServer();
    return { uri, kind: 'mongo-java-server', description: `${JAVA_SERVER_VERSION} (in memory)`, stop: () => server.stop() };
  }
  if (!wants('secantus')) throw new Error(`FAPIAO_DATABASE=${only} could not be started (see the messages above)`);
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
