import fs from 'node:fs';
import { escapeControlCharacters } from '../../shared/src/text';
import { AdminClient, type Connection } from './client';
import { CliError, UsageError } from './errors';
import { EXIT, type ExitCode } from './exit-codes';
import { Progress, progressWanted, type ProgressStream } from './progress';

/** The process around a command: its streams and environment (tests may pass their own). */
export interface Io {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
}

/** Options every command accepts (they may come before or after the command's name). */
export interface GlobalOptions {
  server?: string;
  adminKeyFile?: string;
  requestTimeout?: string;
  progress?: boolean;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:3000';

/** What a command works with: output, the admin API client, progress bars. */
export class Context {
  private connection: Connection | undefined;
  /** Secrets to keep out of anything printed (the key, once read). */
  readonly secrets: string[] = [];
  /** The exit code of a command that finished but has something to report (0 otherwise). */
  exitCode: ExitCode = EXIT.OK;

  constructor(
    readonly io: Io,
    private readonly globals: () => GlobalOptions,
  ) {}

  /**
   * Results. Titles, reasons and errors come from buyers and WeChat: their control characters
   * (ESC sequences that retitle or clear the terminal, BEL, bidi overrides) are shown escaped.
   * `--json` output stays valid JSON: the escapes only ever replace characters inside strings.
   */
  out(text = ''): void {
    this.io.stdout.write(`${escapeControlCharacters(text)}\n`);
  }

  /** Notes and warnings: stderr, so stdout stays the result. */
  note(text: string): void {
    this.io.stderr.write(`${escapeControlCharacters(text)}\n`);
  }

  client(): AdminClient {
    if (!this.connection) {
      this.connection = resolveConnection(this.globals(), this.io.env);
      this.secrets.push(this.connection.key);
    }
    return new AdminClient(this.connection);
  }

  progress(label: string, total: number): Progress {
    return new Progress(this.io.stderr, progressWanted(this.globals().progress, this.io.stderr, this.io.env) && total > 0, label, total);
  }
}

/** --server / FAPIAO_SERVER, the key from FAPIAO_ADMIN_KEY or a file, --timeout. */
export function resolveConnection(options: GlobalOptions, env: NodeJS.ProcessEnv): Connection {
  const server = normalizeServer(options.server ?? (env.FAPIAO_SERVER || DEFAULT_SERVER));
  const timeoutText = options.requestTimeout ?? '30';
  const timeoutSeconds = Number(timeoutText);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--request-timeout: "${timeoutText}" is not a number of seconds`);
  return { server, key: readKey(options, env), timeoutMs: Math.round(timeoutSeconds * 1000) };
}

export function normalizeServer(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--server: "${text}" is not a URL`, 'Give the server’s base URL, e.g. https://fapiao.example.com or http://127.0.0.1:3000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server: "${text}" is not an http(s) URL`);
  if (url.username || url.password) throw new UsageError('--server: put no credentials in the URL; the admin key comes from FAPIAO_ADMIN_KEY');
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/api\/admin$/, '')}`;
}

function readKey(options: GlobalOptions, env: NodeJS.ProcessEnv): string {
  const file = options.adminKeyFile ?? (env.FAPIAO_ADMIN_KEY_FILE || undefined);
  let key: string | undefined;
  if (file) {
    try {
      key = fs.readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new UsageError(`--admin-key-file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!key) throw new CliError(`the admin key file ${file} is empty`, EXIT.AUTH);
  } else {
    key = env.FAPIAO_ADMIN_KEY?.trim();
  }
  if (!key) {
    throw new CliError('no admin key', EXIT.AUTH, 'Set FAPIAO_ADMIN_KEY to one of the server’s ADMIN_API_KEYS, or pass --admin-key-file <file>');
  }
  if (/\s/.test(key)) throw new CliError('the admin key contains spaces or line breaks', EXIT.AUTH, 'The key file must hold the key alone, on one line');
  return key;
}
