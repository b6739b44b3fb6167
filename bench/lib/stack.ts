import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import mongoose, { type Connection } from 'mongoose';
import { bootstrapSandboxMerchant, type MerchantIdentity } from '../../scripts/sandbox-bootstrap';
import { freePort } from '../../scripts/mongo/free-port';
import { withDatabaseName } from '../../scripts/mongo';
import { TEST_ENV } from '../../server/test/support/app';
import { repoRoot, spawnProcess, spawnTs, type Spawned } from '../../server/test/support/process';

export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const ADMIN_KEY = 'key-bench-admin-0123456789abcdef';
const ORIGINAL_ID = 'gh_fapiaobench01';

/** The app's identity and the seller, as the tests configure it (no secrets of any real account). */
export const APP = { appid: TEST_ENV.WECHAT_APPID, secret: TEST_ENV.WECHAT_SECRET, token: TEST_ENV.WECHAT_TOKEN };

/** Every process a benchmark started and has not stopped yet: killed if the run is interrupted. */
export const runningProcesses = new Set<Spawned>();

let databaseSeq = 0;
/** A fresh database name on the benchmark's server, for one benchmark's one part. */
export function freshDatabase(serverUri: string, tag: string): string {
  databaseSeq += 1;
  return withDatabaseName(serverUri, `bench_${tag}_${process.pid}_${databaseSeq}`);
}

/** Resident set size of a process in MB, from /proc (Linux) or ps. */
export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    if (kb) return kb / 1024;
  } catch {
    // not Linux: ask ps
  }
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) / 1024;
}

/** Heap and memory of a server process, after a full garbage collection (see server-with-memory-report.js). */
export interface MemoryReport {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  spaces: Record<string, { used: number; size: number }>;
  /** CPU time the process used so far, µs. */
  cpu: { user: number; system: number };
  /** Database operations sent, by "collection.method" (only with BENCH_COUNT_DB_OPS=1). */
  dbOps: Record<string, number>;
}

/** Asks a server started by startStack for its memory report. */
export async function memoryReport(server: Spawned): Promise<MemoryReport> {
  const seen = server.output().split('\n').filter((l) => l.startsWith('memory ')).length;
  server.child.kill('SIGUSR2');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const lines = server.output().split('\n').filter((l) => l.startsWith('memory '));
    if (lines.length > seen) return JSON.parse((lines.at(-1) ?? '').slice('memory '.length)) as MemoryReport;
    if (Date.now() > deadline) throw new Error('the server printed no memory report');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Stack {
  serverUrl: string;
  sandboxUrl: string;
  server: Spawned;
  /** Every server process, the first being `server`; all on the same database. */
  servers: Spawned[];
  serverUrls: string[];
  sandbox: Spawned;
  merchant: MerchantIdentity;
  /** The server's own database (for seeding and counting; the server is the one that works on it). */
  db: Connection;
  /** The sandbox's database: what "WeChat" recorded. */
  sandboxDbUri: string;
  stop(): Promise<void>;
}

let built = false;
/** `npm run build` once per benchmark run: the servers run compiled, as `npm run serve` runs them. */
function buildServer(): void {
  if (built) return;
  console.error('[bench] building the server (npm run build) …');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
}

/**
 * The WeChat sandbox and the Fapiao server (server/dist/main.js, built from server/src/main.ts: the
 * real composition root, worker included, as production runs it) as separate OS processes on fresh databases, the sandbox pushing to the (first) server
 * in safe mode, merchant registered the way ops does it. `servers: 2` starts a second server
 * process on the same database (its worker shares the work; the sandbox pushes to the first).
 */
export async function startStack(
  serverUri: string,
  opts: { tag: string; sandboxSettings?: Record<string, number>; serverEnv?: Record<string, string>; servers?: number; nodeFlags?: string[] },
): Promise<Stack> {
  buildServer();
  const [serverPort, sandboxPort] = [await freePort(), await freePort()];
  const serverUrl = `http://127.0.0.1:${serverPort}`;
  const sandboxDbUri = freshDatabase(serverUri, `${opts.tag}_sandbox`);
  const sandbox = spawnTs('server/sandbox/main.ts', {
    SANDBOX_MONGODB_URI: sandboxDbUri,
    SANDBOX_APPID: APP.appid,
    SANDBOX_SECRET: APP.secret,
    SANDBOX_ORIGINAL_ID: ORIGINAL_ID,
    SANDBOX_PUSH_URL: `${serverUrl}/wechat/push`,
    SANDBOX_PUSH_TOKEN: APP.token,
    SANDBOX_PUSH_AES_KEY: AES_KEY,
    SANDBOX_PUSH_MODE: 'safe',
    SANDBOX_PUSH_FORMAT: 'xml',
    SANDBOX_PORT: String(sandboxPort),
    ...(opts.sandboxSettings ? { SANDBOX_SETTINGS: JSON.stringify(opts.sandboxSettings) } : {}),
  });
  const processes: Spawned[] = [sandbox];
  runningProcesses.add(sandbox);
  const kill = () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  };
  try {
    await sandbox.waitForLine(/WeChat sandbox listening/, 60_000);
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const merchant = await bootstrapSandboxMerchant(sandboxUrl, { appid: APP.appid, secret: APP.secret });
    const mongodbUri = freshDatabase(serverUri, opts.tag);
    const ports = [serverPort];
    for (let i = 1; i < (opts.servers ?? 1); i++) ports.push(await freePort());
    const serverArgs = [...(opts.nodeFlags ?? []), path.join(repoRoot, 'bench/lib/server-with-memory-report.js')];
    const serverEnv = (port: number): Record<string, string> => ({
      ...TEST_ENV,
      NODE_ENV: 'production',
      MONGODB_URI: mongodbUri,
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_API_KEYS: ADMIN_KEY,
      WECHAT_AES_KEY: AES_KEY,
      WECHAT_API_BASE: sandboxUrl,
      WECHAT_SANDBOX: 'true',
      INVOICE_S_PAPPID: merchant.sPappid,
      FPQQLSH_PREFIX: merchant.merchantCode,
      WORKER_ENABLED: 'true',
      // A log line per request would measure the pipe to this process; warnings still show.
      LOG_LEVEL: 'warn',
      ...opts.serverEnv,
    });
    const servers = ports.map((port) => spawnProcess(process.execPath, serverArgs, { cwd: repoRoot, env: serverEnv(port) }));
    const serverUrls = ports.map((port) => `http://127.0.0.1:${port}`);
    const server = servers[0] as Spawned;
    for (const p of servers) {
      processes.push(p);
      runningProcesses.add(p);
    }
    for (const [i, p] of servers.entries()) await waitForHealth(serverUrls[i] as string, p, 60_000);
    // The merchant's contact as ops sets it: requests read its time_out.
    const contact = await fetch(`${serverUrl}/api/admin/settings/contact`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '0591-88888888', timeOut: 3600 }),
    });
    if (!contact.ok) throw new Error(`setting the merchant contact failed: ${contact.status} ${await contact.text()}`);
    const db = await mongoose.createConnection(mongodbUri).asPromise();
    return {
      serverUrl,
      sandboxUrl,
      server,
      servers,
      serverUrls,
      sandbox,
      merchant,
      db,
      sandboxDbUri,
      async stop() {
        await db.close();
        for (const p of [...servers, sandbox]) {
          if (p.child.exitCode === null) {
            p.child.kill('SIGTERM');
            const done = await Promise.race([p.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 15_000))]);
            if (!done) p.child.kill('SIGKILL');
          }
          runningProcesses.delete(p);
        }
      },
    };
  } catch (err) {
    kill();
    for (const p of processes) runningProcesses.delete(p);
    throw err;
  }
}

/** With LOG_LEVEL=warn the server does not log "listening": wait for /readyz instead. */
async function waitForHealth(url: string, server: Spawned, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`the server exited while starting:\n${server.output().slice(-2000)}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not become ready within ${timeoutMs} ms:\n${server.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
