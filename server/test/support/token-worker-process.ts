import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const repoRoot = path.resolve(__dirname, '../../..');
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
const workerScript = path.join(repoRoot, 'server/test/support/token-worker.ts');

/** What one token-worker.ts process reports when its calls are done. */
export interface TokenWorkerSummary {
  ok: number;
  failed: number;
  errors: string[];
  tokens: string[];
  tickets: string[];
  /** The process's resident set size at the end, in bytes. */
  rss: number;
}

export interface TokenWorker {
  child: ChildProcessWithoutNullStreams;
  /** Resolves once the process is connected and waits for `go` on stdin. */
  ready: Promise<void>;
  summary: Promise<TokenWorkerSummary>;
}

/**
 * Starts one "server process" of token-worker.ts (used by token-multiprocess.test.ts and the
 * token benchmark). Write `go\n` to its stdin to start its calls.
 */
export function startTokenWorker(env: NodeJS.ProcessEnv): TokenWorker {
  const child = spawn(tsx, [workerScript], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = readline.createInterface({ input: child.stdout });
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const summary = new Promise<TokenWorkerSummary>((resolve, reject) => {
    let last: TokenWorkerSummary | undefined;
    lines.on('line', (line) => {
      if (line === 'ready') markReady();
      else if (line.startsWith('{')) last = JSON.parse(line) as TokenWorkerSummary;
    });
    child.on('close', (code) => {
      if (code === 0 && last) resolve(last);
      else reject(new Error(`worker ${child.pid} exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
  // A worker that dies before `ready` must fail its caller, not hang it.
  summary.catch(() => markReady());
  return { child, ready, summary };
}
