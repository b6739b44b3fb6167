import { z } from 'zod';
import { WECHAT_DEFAULT_SETTINGS, type SandboxSettings } from './context';
import { behaviourInput } from './control/behaviour';
import type { SandboxApp } from './data/models';
import type { SandboxOptions } from '.';

/**
 * The environment of the standalone sandbox (server/sandbox/main.ts), checked with zod. One app
 * from SANDBOX_APPID/SANDBOX_SECRET/SANDBOX_PUSH_*, more from SANDBOX_APPS (a JSON list of the
 * same shape as SandboxApp). Messages name the variable and never repeat a value (some are secret).
 */

const appid = z.string().regex(/^wx[0-9A-Za-z]{16}$/, 'must be an appid: "wx" and 16 letters or digits');
const secret = z.string().min(1, 'must not be empty');
const pushUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
/** WeChat's rule for the push Token: 3 to 32 letters or digits. */
const token = z.string().regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3 to 32 letters or digits (the push Token)');
const aesKey = z.string().regex(/^[A-Za-z0-9]{43}$/, 'must be the 43-character EncodingAESKey');
const format = z.enum(['xml', 'json']);
const mode = z.enum(['plain', 'compatible', 'safe']);

const pushSchema = z
  .object({ url: pushUrl, token, aesKey: aesKey.optional(), mode, format })
  .strict()
  .refine((p) => p.mode === 'plain' || p.aesKey !== undefined, { message: 'compatible and safe mode need aesKey', path: ['aesKey'] });

const appSchema = z.object({ appid, secret, originalId: z.string().regex(/^gh_[0-9a-zA-Z]{1,40}$/, 'must be a gh_… original id'), push: pushSchema.optional() }).strict();

const ms = z.number().int().min(0).max(86_400_000);
const settingsSchema = z
  .object({
    tokenTtlSeconds: z.number().int().positive(),
    ticketTtlSeconds: z.number().int().positive(),
    overlapSeconds: z.number().int().min(0),
    invoiceIssueDelayMs: ms,
    pushTimeoutMs: ms.min(1),
    pushRetries: z.number().int().min(0).max(10),
    pushRetryPauseMs: ms,
    workerPollMs: ms.min(10),
  })
  .partial()
  .strict() satisfies z.ZodType<SettingsGiven>;

/** zod's partial types its keys `T | undefined`; it leaves a key out rather than setting it undefined. */
type SettingsGiven = { [K in keyof SandboxSettings]?: SandboxSettings[K] | undefined };

function definedSettings(given: SettingsGiven = {}): Partial<SandboxSettings> {
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
}

/** A JSON-valued variable, parsed then checked by `schema`. */
function json<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const optionalText = z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const envSchema = z
  .object({
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3900),
    SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
    SANDBOX_MONGODB_URI: z
      .string({ error: 'is required: the sandbox\'s own MongoDB database, e.g. mongodb://127.0.0.1:27017/fapiao_sandbox' })
      .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI'),
    SANDBOX_PUBLIC_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
    SANDBOX_APPID: optionalText.pipe(appid.optional()),
    SANDBOX_SECRET: optionalText.pipe(secret.optional()),
    SANDBOX_ORIGINAL_ID: optionalText.pipe(z.string().regex(/^gh_[0-9a-zA-Z]{1,40}$/, 'must be a gh_… original id').optional()),
    SANDBOX_PUSH_URL: optionalText.pipe(pushUrl.optional()),
    SANDBOX_PUSH_TOKEN: optionalText.pipe(token.optional()),
    SANDBOX_PUSH_AES_KEY: optionalText.pipe(aesKey.optional()),
    SANDBOX_PUSH_FORMAT: optionalText.pipe(format.optional()),
    SANDBOX_PUSH_MODE: optionalText.pipe(mode.optional()),
    SANDBOX_APPS: optionalText.pipe(json(z.array(appSchema)).optional()),
    SANDBOX_SETTINGS: optionalText.pipe(json(settingsSchema).optional()),
    SANDBOX_BEHAVIOUR: optionalText.pipe(json(behaviourInput).optional()),
  })
  .superRefine((env, ctx) => {
    const appids = [env.SANDBOX_APPID, ...(env.SANDBOX_APPS ?? []).map((a) => a.appid)].filter(Boolean);
    if (new Set(appids).size !== appids.length) ctx.addIssue({ code: 'custom', path: ['SANDBOX_APPS'], message: 'names an appid twice' });
  });

/**
 * What goes together, from which variables are set: checked apart from the schema so that one
 * run reports these along with the schema's problems.
 */
function crossChecks(raw: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => (raw[name] ?? '').trim() !== '';
  const problems: string[] = [];
  if (set('SANDBOX_APPID') && !set('SANDBOX_SECRET')) problems.push('SANDBOX_SECRET: is required with SANDBOX_APPID (the app secret /cgi-bin/token checks)');
  if (set('SANDBOX_SECRET') && !set('SANDBOX_APPID')) problems.push('SANDBOX_APPID: is required with SANDBOX_SECRET');
  if (!set('SANDBOX_APPID') && !set('SANDBOX_SECRET') && !set('SANDBOX_APPS')) {
    problems.push('SANDBOX_APPID: is required: give the app (SANDBOX_APPID, SANDBOX_SECRET) or a list in SANDBOX_APPS');
  }
  if (set('SANDBOX_PUSH_URL')) {
    if (!set('SANDBOX_APPID')) problems.push('SANDBOX_PUSH_URL: belongs to SANDBOX_APPID, which is not set');
    if (!set('SANDBOX_PUSH_TOKEN')) problems.push('SANDBOX_PUSH_TOKEN: is required with SANDBOX_PUSH_URL (the Token pushes are signed with)');
    const wanted = set('SANDBOX_PUSH_MODE') ? (raw.SANDBOX_PUSH_MODE ?? '').trim() : set('SANDBOX_PUSH_AES_KEY') ? 'safe' : 'plain';
    if ((wanted === 'safe' || wanted === 'compatible') && !set('SANDBOX_PUSH_AES_KEY')) problems.push(`SANDBOX_PUSH_AES_KEY: is required in ${wanted} mode`);
  } else {
    for (const name of ['SANDBOX_PUSH_TOKEN', 'SANDBOX_PUSH_AES_KEY', 'SANDBOX_PUSH_FORMAT', 'SANDBOX_PUSH_MODE']) {
      if (set(name)) problems.push(`${name}: needs SANDBOX_PUSH_URL (where pushes go)`);
    }
  }
  return problems;
}

export interface SandboxRunConfig {
  port: number;
  host: string;
  options: SandboxOptions;
}

export class SandboxEnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid sandbox environment:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** The sandbox's options from the environment; SandboxEnvError lists every problem. */
export function parseSandboxEnv(raw: NodeJS.ProcessEnv): SandboxRunConfig {
  const parsed = envSchema.safeParse(raw);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(environment)'}: ${i.message}`)),
    ...crossChecks(raw),
  ];
  if (!parsed.success || problems.length > 0) throw new SandboxEnvError(problems);
  const env = parsed.data;
  const apps: SandboxApp[] = [...(env.SANDBOX_APPS ?? [])];
  if (env.SANDBOX_APPID && env.SANDBOX_SECRET) {
    const app: SandboxApp = { appid: env.SANDBOX_APPID, secret: env.SANDBOX_SECRET, originalId: env.SANDBOX_ORIGINAL_ID ?? `gh_${env.SANDBOX_APPID.slice(2, 14)}` };
    if (env.SANDBOX_PUSH_URL && env.SANDBOX_PUSH_TOKEN) {
      app.push = {
        url: env.SANDBOX_PUSH_URL,
        token: env.SANDBOX_PUSH_TOKEN,
        mode: env.SANDBOX_PUSH_MODE ?? (env.SANDBOX_PUSH_AES_KEY ? 'safe' : 'plain'),
        format: env.SANDBOX_PUSH_FORMAT ?? 'xml',
        ...(env.SANDBOX_PUSH_AES_KEY ? { aesKey: env.SANDBOX_PUSH_AES_KEY } : {}),
      };
    }
    apps.unshift(app);
  }
  return {
    port: env.SANDBOX_PORT,
    host: env.SANDBOX_HOST,
    options: {
      mongodbUri: env.SANDBOX_MONGODB_URI,
      apps,
      settings: { ...WECHAT_DEFAULT_SETTINGS, ...definedSettings(env.SANDBOX_SETTINGS) },
      ...(env.SANDBOX_PUBLIC_URL ? { publicUrl: env.SANDBOX_PUBLIC_URL } : {}),
      ...(env.SANDBOX_BEHAVIOUR ? { behaviour: env.SANDBOX_BEHAVIOUR } : {}),
    },
  };
}
