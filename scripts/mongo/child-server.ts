import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { waitForPort } from './free-port';

export interface ChildServer {
  readonly pid: number;
  stop(): Promise<void>;
}

interface Options {
  name: string;
  command: string;
  args: string[];
  port: number;
  /** stdout and stderr of the server go here, so a failed start can be explained. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  startTimeoutMs?: number;
}

const owned = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts a database server as a child process, waits until its port accepts connections,
 * and makes sure it is stopped when this process exits (normally or by SIGINT/SIGTERM).
 */
export async function startChildServer(opts: Options): Promise<ChildServer> {
  installExitHook();
  const log = fs.openSync(opts.logFile, 'a');
  const child = spawn(opts.command, opts.args, {
    stdio: ['ignore', log, log],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    // Its own process group: a Ctrl-C in the terminal reaches only us, and we stop it in order.
    detached: true,
  });
  fs.closeSync(log);
  owned.add(child);
  let exited: string | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `${opts.name} exited during start-up (code ${code}, signal ${signal}); see ${opts.logFile}:\n${tail(opts.logFile)}`;
      owned.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      exited = `${opts.name} could not be started: ${err.message}`;
      owned.delete(child);
      resolve();
    });
  });
  try {
    await waitForPort(opts.port, opts.startTimeoutMs ?? 60_000, () => exited);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(killer);
    },
  };
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a plain SIGTERM is all we can do there.
  process.once('exit', () => {
    for (const child of owned) child.kill('SIGTERM');
  });
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}
