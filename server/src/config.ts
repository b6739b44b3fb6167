import fs from 'node:fs';
import { z } from 'zod';
import { accountList, legacyAccount, type WeChatAccount } from './config-accounts';

/**
 * The server's configuration, read from the environment once at start-up, validated, typed and
 * frozen. Modules receive values from here through parameters; nothing else reads process.env.
 * Secrets have no defaults: a missing one stops the process with a message that names it.
 */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production').describe('Runtime environment'),
  HOST: z.string().min(1).default('0.0.0.0').describe('Interface the HTTP server binds to'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port (0 = any free port)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .describe('MongoDB connection string (replica set or Atlas in production), including the database name'),
  // Required unless WECHAT_ACCOUNTS or WECHAT_ACCOUNTS_FILE names the accounts (checked in loadConfig).
  WECHAT_APPID: z
    .string()
    .regex(/^wx[0-9a-zA-Z]{16}$/, 'must look like wx followed by 16 letters or digits')
    .optional()
    .describe('Mini Program appid (the account named "default")'),
  WECHAT_SECRET: z.string().min(16, 'must be the 32-character AppSecret').optional().describe('Mini Program AppSecret (secret)'),
  WECHAT_TOKEN: z
    .string()
    .regex(/^[0-9a-zA-Z]{3,32}$/, 'must be 3-32 letters or digits, as configured for message push')
    .optional()
    .describe('Message-push Token used to sign pushes (secret)'),
  WECHAT_ACCOUNTS: z
    .string()
    .optional()
    .describe('JSON list of WeChat accounts (Mini Program, Official Account, app): name, kind, appid, secret, token, aesKey (secret)'),
  WECHAT_ACCOUNTS_FILE: z.string().optional().describe('A file holding the WECHAT_ACCOUNTS JSON list instead of the variable'),
  WECHAT_OPEN_BASE: z
    .url()
    .default('https://open.weixin.qq.com')
    .describe('Base URL of WeChat web authorization (connect/oauth2/authorize; the sandbox in development)'),
  PUBLIC_URL: z
    .url()
    .optional()
    .describe("The server's public base URL (OAuth redirect_uri, redirect_url back from WeChat); default: the request's own origin"),
  CHANNEL_API_KEYS: z
    .string()
    .optional()
    .transform((raw) => (raw ?? '').split(',').map((key) => key.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(24, 'each key must be at least 24 characters')))
    .describe("Comma-separated keys for /api/channel, the merchant back end's server-to-server API (secret)"),
  POST_PAYMENT_MATCH_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(72)
    .describe('How long a post-payment authorization for an order not imported yet waits for its order'),
  WECHAT_AES_KEY: z
    .string()
    .regex(/^[0-9a-zA-Z]{43}$/, 'must be the 43-character EncodingAESKey')
    .optional()
    .describe('Message-push EncodingAESKey; when set, pushes are decrypted (safe mode) (secret)'),
  WECHAT_ACCEPT_PLAIN_PUSH: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1')
    .describe(
      "With WECHAT_AES_KEY set, also accept plain pushes (only while switching the console to safe mode: a plain push's signature does not cover its body)",
    ),
  WECHAT_API_BASE: z.url().default('https://api.weixin.qq.com').describe('Base URL of the WeChat API (the sandbox in development)'),
  WECHAT_TIMEOUT_MS: z.coerce.number().int().positive().default(8000).describe('Timeout of one call to WeChat'),
  ADMIN_API_KEYS: z
    .string()
    .transform((raw) => raw.split(',').map((key) => key.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(24, 'each key must be at least 24 characters')).min(1, 'needs at least one key'))
    .describe('Comma-separated API keys for /api/admin (secret)'),
  WECHAT_SANDBOX: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1')
    .describe('WECHAT_API_BASE is the Fapiao sandbox: also hand the Mini Program a web-view URL of its authorization page'),
  INVOICE_S_PAPPID: z.string().min(8).describe("The invoicing platform's s_pappid (from seturl's invoice_url)"),
  FPQQLSH_PREFIX: z
    .string()
    .regex(/^[0-9A-Za-z]{6}$/, 'must be the 6-character merchant code from the invoicing platform')
    .describe('First 6 characters of every fpqqlsh (WeChat checks them: 73110)'),
  SELLER_NSRSBH: z.string().regex(/^[0-9A-Z]{15,20}$/, 'must be the seller tax number').describe('Seller taxpayer ID (nsrsbh)'),
  SELLER_NSRMC: z.string().min(1).describe('Seller name (nsrmc)'),
  SELLER_NSRDZ: z.string().min(1).describe('Seller address (nsrdz)'),
  SELLER_NSRDH: z.string().min(1).describe('Seller phone (nsrdh)'),
  SELLER_NSRBANK: z.string().min(1).describe("Seller's bank (nsrbank)"),
  SELLER_NSRBANKID: z.string().min(1).describe("Seller's bank account (nsrbankid)"),
  INVOICE_ISSUER: z.string().min(1).max(8).describe('开票人 printed on invoices (kpr)'),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 90).default(168).describe('Mini Program session lifetime'),
  WORKER_ENABLED: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1')
    .describe('Run the invoice worker in this process (every process may; they share the work)'),
  WORKER_TIME_SCALE: z.coerce
    .number()
    .min(0.0001)
    .max(1)
    .default(1)
    .describe("Multiplies the worker's waits (polls, back-off); below 1 only for tests and demos"),
  PUSH_GROUP_COMMIT_MS: z.coerce
    .number()
    .min(0)
    .max(1000)
    .default(5)
    .describe('Pushes arriving within this many ms are stored with one bulk insert (each answered once its own is stored)'),
  PUSH_GROUP_COMMIT_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .describe('Most pushes in one bulk insert; 1 stores each push on its own'),
  CONSOLE_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12).describe('Merchant console session lifetime'),
  CONSOLE_LOGIN_MAX_FAILURES: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(5)
    .describe('Failed console logins allowed per username in one window (4× that per address); then every attempt is refused until it ends'),
  CONSOLE_LOGIN_WINDOW_MINUTES: z.coerce.number().positive().max(24 * 60).default(15).describe('The window of CONSOLE_LOGIN_MAX_FAILURES'),
  DATABASE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(2_000)
    .describe('How long one database operation may wait for an answer (and a server or connection); well below WeChat’s 5 s push timeout, so an outage answers 503 quickly'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000).describe('How long shutdown waits for in-flight requests'),
  METRICS_TOKEN: z
    .string()
    .min(24, 'must be at least 24 characters')
    .optional()
    .describe('Bearer token a Prometheus scrape of /metrics must send; /metrics is off when unset (secret)'),
  ALERT_WEBHOOK_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .optional()
    .describe('Where alerts are POSTed (a WeCom group robot URL carries its key); alerts are only logged when unset (secret)'),
  ALERT_WEBHOOK_FORMAT: z.enum(['json', 'wecom']).default('json').describe('json: a generic JSON body; wecom: the WeCom group-robot markdown message'),
  ALERT_WECHAT_ERRORS: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('WeChat errors of one endpoint within ALERT_WECHAT_WINDOW_S (in one process) that raise an alert'),
  ALERT_WECHAT_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(300).describe('The window of ALERT_WECHAT_ERRORS, in seconds'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional()
    .describe("SMTP server for the buyer's emailed copy, e.g. smtps://user:pass@smtp.example.com; no email is sent when unset (secret)"),
  MAIL_FROM: z.string().min(3).optional().describe('Sender of the emailed copy, e.g. "某某商贸 <fapiao@example.com>"; required with SMTP_URL'),
});

export type Config = Readonly<
  z.infer<typeof schema> & {
    /** Every WeChat account of the deployment; the first is the default (today's single account). */
    accounts: readonly WeChatAccount[];
  }
>;

/** The single-account variables: required unless the accounts are given as a list. */
const LEGACY_ACCOUNT_VARIABLES = ['WECHAT_APPID', 'WECHAT_SECRET', 'WECHAT_TOKEN'] as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment into a frozen Config, or throws a ConfigError naming every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as missing: `FOO= npm start` should not pass as configured.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  const missing: string[] = [];
  const invalid: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '');
      if (issue.code === 'invalid_type' && present[name] === undefined) missing.push(name);
      else invalid.push(`${name}: ${issue.message}`);
    }
  }
  const listed = present.WECHAT_ACCOUNTS !== undefined || present.WECHAT_ACCOUNTS_FILE !== undefined;
  const legacyGiven = LEGACY_ACCOUNT_VARIABLES.some((name) => present[name] !== undefined);
  if (!listed || legacyGiven) missing.push(...LEGACY_ACCOUNT_VARIABLES.filter((name) => present[name] === undefined));
  let accounts: WeChatAccount[] = [];
  if (result.success && missing.length === 0 && invalid.length === 0) {
    const data = result.data;
    const legacy = legacyGiven ? [legacyAccount(data)] : [];
    const listedAccounts = listed ? accountList(readAccountsJson(data, invalid), invalid) : [];
    accounts = [...legacy, ...listedAccounts];
    checkAccountSet(accounts, invalid);
  }
  if (missing.length || invalid.length) {
    const order = Object.keys(schema.shape);
    const names = [...new Set(missing)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    throw new ConfigError([...(names.length ? [`missing required environment variables: ${names.join(', ')}`] : []), ...invalid]);
  }
  if (!result.success) throw new ConfigError(['invalid configuration']);
  if (result.data.SMTP_URL && !result.data.MAIL_FROM) throw new ConfigError(['MAIL_FROM: is required with SMTP_URL (the sender of the emailed copy)']);
  return Object.freeze({ ...result.data, accounts: Object.freeze(accounts.map((a) => Object.freeze(a))) });
}

/** WECHAT_ACCOUNTS, or the file WECHAT_ACCOUNTS_FILE names, parsed (never echoed: it holds secrets). */
function readAccountsJson(data: z.infer<typeof schema>, invalid: string[]): unknown {
  if (data.WECHAT_ACCOUNTS !== undefined && data.WECHAT_ACCOUNTS_FILE !== undefined) {
    invalid.push('WECHAT_ACCOUNTS_FILE: give either WECHAT_ACCOUNTS or WECHAT_ACCOUNTS_FILE, not both');
    return undefined;
  }
  let text = data.WECHAT_ACCOUNTS;
  const where = text === undefined ? 'WECHAT_ACCOUNTS_FILE' : 'WECHAT_ACCOUNTS';
  if (text === undefined && data.WECHAT_ACCOUNTS_FILE !== undefined) {
    try {
      text = fs.readFileSync(data.WECHAT_ACCOUNTS_FILE, 'utf8');
    } catch (err) {
      invalid.push(`WECHAT_ACCOUNTS_FILE: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }
  try {
    return JSON.parse(text ?? '');
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a secret.
    invalid.push(`${where}: not valid JSON`);
    return undefined;
  }
}

/** Names and appids are unique; at least one account. */
function checkAccountSet(accounts: WeChatAccount[], invalid: string[]): void {
  if (accounts.length === 0 && invalid.length === 0) invalid.push('WECHAT_ACCOUNTS: needs at least one account');
  const seen = (key: 'name' | 'appid') => {
    const counts = new Map<string, number>();
    for (const a of accounts) counts.set(a[key], (counts.get(a[key]) ?? 0) + 1);
    return [...counts].filter(([, n]) => n > 1).map(([value]) => value);
  };
  for (const name of seen('name')) invalid.push(`WECHAT_ACCOUNTS: the account name "${name}" is used twice`);
  for (const appid of seen('appid')) invalid.push(`WECHAT_ACCOUNTS: the appid ${appid} is configured twice`);
}

/** Every variable with its description, for the README and `--help`. */
export function describeConfig(): { name: string; description: string; required: boolean }[] {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    description: field.description ?? '',
    required: (LEGACY_ACCOUNT_VARIABLES as readonly string[]).includes(name) || !field.safeParse(undefined).success,
  }));
}
