import readline from 'node:readline';
import { spawnTs, type Spawned } from './process';

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
  spawned: Spawned;
  /** Resolves once the process is connected and waits for `go()`. */
  ready: Promise<void>;
  /** Starts its calls (all workers at once, on a cold cache). */
  go(): void;
  summary: Promise<TokenWorkerSummary>;
}

/**
 * Starts one "server process" of token-worker.ts (used by token-multiprocess.test.ts and the
 * token benchmark), with `env` as its whole environment.
 */
export function startTokenWorker(env: Record<string, string>): TokenWorker {
  const spawned = spawnTs('server/test/support/token-worker.ts', env, [], { stdin: 'pipe' });
  const { child } = spawned;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let last: TokenWorkerSummary | undefined;
  if (child.stdout) {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') markReady();
      else if (line.startsWith('{')) last = JSON.parse(line) as TokenWorkerSummary;
    });
  }
  const summary = spawned.exited.then(({ code }) => {
    if (code === 0 && last) return last;
    throw new Error(`worker ${child.pid} exited with ${code}: ${spawned.output().slice(-2000)}`);
  });
  // A worker that dies before `ready` must fail its caller, not hang it.
  summary.catch(() => markReady());
  return { spawned, ready, go: () => void child.stdin?.write('go\n'), summary };
}
