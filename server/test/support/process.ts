import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export interface Spawned {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first output line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs a TypeScript entry point as a separate OS process with exactly `env` (plus PATH/HOME).
 * One process (`node --import tsx`), not the tsx wrapper with a child: a signal sent to it,
 * SIGKILL included, reaches the program itself.
 */
export function spawnTs(file: string, env: Record<string, string>, args: string[] = []): Spawned {
  return spawnProcess(process.execPath, ['--import', 'tsx', path.resolve(repoRoot, file), ...args], { cwd: repoRoot, env });
}

/** Runs any command as a separate OS process with exactly `env` (plus PATH/HOME), output captured. */
export function spawnProcess(command: string, args: string[], opts: { cwd: string; env: Record<string, string>; detached?: boolean }): Spawned {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    detached: opts.detached ?? false,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
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
