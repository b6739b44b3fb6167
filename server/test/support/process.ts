import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export interface Spawned {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first output line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Once it has ended and its pipes are closed (`error` when it could not be started at all). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>;
}

export interface SpawnOptions {
  cwd?: string;
  /** The whole environment (plus PATH and HOME unless given): nothing else of ours leaks in. */
  env: Record<string, string>;
  detached?: boolean;
  /** 'pipe' to write to its stdin (child.stdin); ignored otherwise. */
  stdin?: 'ignore' | 'pipe';
  /** An IPC channel to a Node child (child.send, 'message'). */
  ipc?: boolean;
}

/** process.env as a plain record (for a child that should see all of it), without `drop`. */
export function inheritedEnv(...drop: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !drop.includes(e[0])));
}

/**
 * The one way tests start a process. Runs a TypeScript entry point (a path from the repository
 * root) as a separate OS process with exactly `env` (plus PATH/HOME). One process
 * (`node --import tsx`), not the tsx wrapper with a child: a signal sent to it, SIGKILL included,
 * reaches the program itself.
 */
export function spawnTs(file: string, env: Record<string, string>, args: string[] = [], opts: Omit<SpawnOptions, 'env' | 'cwd'> = {}): Spawned {
  return spawnProcess(process.execPath, ['--import', 'tsx', path.resolve(repoRoot, file), ...args], { ...opts, cwd: repoRoot, env });
}

/** Runs any command as a separate OS process with exactly `env` (plus PATH/HOME), output captured. */
export function spawnProcess(command: string, args: string[], opts: SpawnOptions): Spawned {
  const child = spawn(command, args, {
    cwd: opts.cwd ?? repoRoot,
    detached: opts.detached ?? false,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe', ...(opts.ipc ? (['ipc'] as const) : [])],
  });
  let text = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of [...waiters]) {
      const line = text.split('\n').find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  // 'close', not 'exit': 'exit' can come before the last output is read from the pipes, and a
  // grandchild (npm's server) may hold them open after the direct child is gone.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    // Not started at all (e.g. ENOENT): there may be no 'close' to wait for.
    child.once('error', (error) => {
      text += `\n${error.message}\n`;
      resolve({ code: null, signal: null, error });
    });
  });
  return {
    child,
    output: () => text,
    exited,
    waitForLine(pattern, timeoutMs = 30_000) {
      const existing = text.split('\n').find((l) => pattern.test(l));
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${text}`)), timeoutMs);
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.push(waiter);
        void exited.then(() => {
          if (!waiters.includes(waiter)) return;
          clearTimeout(timer);
          reject(new Error(`process exited before printing ${pattern}; output:\n${text}`));
        });
      });
    },
  };
}
