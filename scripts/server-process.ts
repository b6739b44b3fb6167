import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface ServerProcess {
  readonly url: string;
  /** SIGTERM, then wait for the graceful shutdown to finish. */
  stop(): Promise<void>;
}

interface Options {
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Called if the process exits on its own. */
  onExit(code: number | null): void;
  /** A label for its log lines. */
  name?: string;
}


/**
 * Runs a Fapiao server entry point (TypeScript, through tsx) as a child process, shows its JSON
 * logs as short readable lines, and resolves once it logs "listening" with its URL.
 */
export function spawnServer(opts: Options): Promise<ServerProcess> {
  const name = opts.name ?? 'server';
  // One process (node --import tsx), so our signals reach the server itself.
  const child = spawn(process.execPath, ['--import', 'tsx', opts.entry], {
    env: opts.env,
    cwd: path.join(__dirname, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      if (!stopping) opts.onExit(code);
      resolve();
    });
  });
  return new Promise((resolve, reject) => {
    const onLine = (line: string) => {
      const entry = parseLogLine(line);
      if (!entry) {
        if (line.trim()) console.log(`[${name}] ${line}`);
        return;
      }
      console.log(`[${name}] ${formatLogEntry(entry)}`);
      if (entry.msg === 'listening' && typeof entry.url === 'string') {
        resolve({
          url: entry.url,
          stop: async () => {
            stopping = true;
            if (child.exitCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    readline.createInterface({ input: child.stdout }).on('line', onLine);
    readline.createInterface({ input: child.stderr }).on('line', onLine);
    void exited.then(() => reject(new Error(`${name} exited before it was listening`)));
  });
}

type LogEntry = Record<string, unknown> & { level?: number; msg?: string };

function parseLogLine(line: string): LogEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as LogEntry;
  } catch {
    return undefined;
  }
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg']);

function formatLogEntry(entry: LogEntry): string {
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '';
  const extra = Object.fromEntries(Object.entries(entry).filter(([key]) => !HIDDEN.has(key)));
  const rest = Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : '';
  return `${time} ${LEVELS[entry.level ?? 30] ?? entry.level} ${entry.msg ?? ''}${rest}`;
}
