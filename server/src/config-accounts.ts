import { z } from 'zod';

/**
 * The WeChat accounts one deployment serves. A merchant's Mini Program, its Official Account
 * (服务号, for H5 pages and post-payment invoicing) and its Open Platform mobile app each have
 * their own appid, AppSecret, push Token and EncodingAESKey; every call for a request is made
 * with the account that created its authorization (WeChat answers 72038 to any other).
 */
type WeChatAccountKind = 'mini_program' | 'official_account' | 'app';

export interface WeChatAccount {
  /** Short stable name: the push path /wechat/push/<name>, stored on every request. */
  name: string;
  kind: WeChatAccountKind;
  appid: string;
  /** AppSecret (secret). */
  secret: string;
  /** Message-push Token (secret). An app account has none: its pushes go to an Official Account. */
  token?: string | undefined;
  /** 43-character EncodingAESKey (secret); set = safe mode. */
  aesKey?: string | undefined;
  /** With aesKey set, also accept plain pushes (only while switching the console to safe mode). */
  acceptPlainPush: boolean;
}

const ACCOUNT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const accountSchema = z
  .object({
    name: z.string().regex(ACCOUNT_NAME, 'must be 1-32 lower-case letters, digits, _ or -, starting with a letter or digit'),
    kind: z.enum(['mini_program', 'official_account', 'app']),
    appid: z.string().regex(/^wx[0-9a-zA-Z]{16}$/, 'must look like wx followed by 16 letters or digits'),
    secret: z.string().min(16, 'must be the 32-character AppSecret'),
    token: z.string().regex(/^[0-9a-zA-Z]{3,32}$/, 'must be 3-32 letters or digits, as configured for message push').optional(),
    aesKey: z.string().regex(/^[0-9a-zA-Z]{43}$/, 'must be the 43-character EncodingAESKey').optional(),
    acceptPlainPush: z.boolean().default(false),
  })
  .strict()
  .superRefine((account, ctx) => {
    // Mini Programs and Official Accounts receive the invoice pushes; they cannot verify them without a Token.
    if (account.kind !== 'app' && account.token === undefined) ctx.addIssue({ code: 'custom', path: ['token'], message: 'required for this kind of account' });
    if (account.aesKey !== undefined && account.token === undefined) ctx.addIssue({ code: 'custom', path: ['token'], message: 'required with aesKey' });
  });

/** Validates the parsed WECHAT_ACCOUNTS list; problems name the entry and field, never a value. */
export function accountList(raw: unknown, invalid: string[]): WeChatAccount[] {
  if (raw === undefined) return [];
  const result = z.array(z.unknown()).min(1, 'needs at least one account').safeParse(raw);
  if (!result.success) {
    invalid.push('WECHAT_ACCOUNTS: must be a JSON list with at least one account');
    return [];
  }
  const accounts: WeChatAccount[] = [];
  result.data.forEach((entry, index) => {
    const parsed = accountSchema.safeParse(entry);
    if (parsed.success) {
      accounts.push(withoutUndefined(parsed.data));
      return;
    }
    const label = typeof (entry as { name?: unknown })?.name === 'string' && ACCOUNT_NAME.test((entry as { name: string }).name) ? ` "${(entry as { name: string }).name}"` : '';
    for (const issue of parsed.error.issues) {
      invalid.push(`WECHAT_ACCOUNTS[${index}]${label}.${issue.path.join('.') || '(entry)'}: ${issue.code === 'invalid_type' ? 'missing or of the wrong type' : issue.message}`);
    }
  });
  return accounts;
}

/** Today's single-account variables: the Mini Program, named "default". */
export function legacyAccount(env: {
  WECHAT_APPID?: string | undefined;
  WECHAT_SECRET?: string | undefined;
  WECHAT_TOKEN?: string | undefined;
  WECHAT_AES_KEY?: string | undefined;
  WECHAT_ACCEPT_PLAIN_PUSH: boolean;
}): WeChatAccount {
  return withoutUndefined({
    name: 'default',
    kind: 'mini_program',
    appid: env.WECHAT_APPID ?? '',
    secret: env.WECHAT_SECRET ?? '',
    token: env.WECHAT_TOKEN,
    aesKey: env.WECHAT_AES_KEY,
    acceptPlainPush: env.WECHAT_ACCEPT_PLAIN_PUSH,
  });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
