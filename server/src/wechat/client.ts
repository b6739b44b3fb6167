import { createInvoiceApi, type InvoiceApi } from './api/invoice';
import { code2Session, oauthCodeToOpenid, type Code2SessionResponse, type OAuthTokenResponse } from './api/login';
import { getAccessToken, getStableAccessToken, getWxCardTicket } from './api/token';
import { createCall, silentLog, type WeChatLog } from './call';
import { createCredentials, type Credentials, type CredentialsOptions } from './credentials';
import { DEFAULT_TICKET_REJECTED_ERRCODES } from './errcodes';
import type { FetchFn } from './http';
import { DEFAULT_RETRY, type RetryPolicy } from './policy';
import type { TokenStore } from './token-store';

export interface WeChatClientOptions {
  /** `https://api.weixin.qq.com` in production, the sandbox in development (config WECHAT_API_BASE). */
  baseUrl: string;
  /** The Mini Program's appid (it must also be the one that calls getauthurl). */
  appid: string;
  /** Its AppSecret. Sent only to token, stable_token and jscode2session; never logged. */
  secret: string;
  /** Where the access_token and wx_card ticket are shared (createMongoTokenStore in the server). */
  tokenStore: TokenStore;
  /** Timeout of one HTTP exchange, answer included. Default 8000 ms (config WECHAT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Transient-failure retries; see DEFAULT_RETRY. */
  retry?: Partial<RetryPolicy>;
  /** `stable_token` (default, recommended) or the classic `/cgi-bin/token`. */
  tokenSource?: 'stable_token' | 'token';
  /** getauthurl errcodes that mean "the ticket is no good"; see DEFAULT_TICKET_REJECTED_ERRCODES. */
  ticketRejectedErrcodes?: readonly number[];
  /** Tuning of the shared credentials (margins, lease, polling); defaults in CREDENTIAL_DEFAULTS. */
  credentials?: Pick<CredentialsOptions, 'refreshMarginMs' | 'leaseMs' | 'pollMs' | 'maxWaitMs' | 'memoryTtlMs' | 'owner'>;
  /** A pino logger fits. */
  log?: WeChatLog;
  /** Told about every exchange (endpoint, errcode or transport failure) and every credential fetch: metrics, alerts. */
  observe?: { call?(endpoint: string, errcode: string): void; refresh?(kind: 'access_token' | 'wx_card_ticket'): void };
  /** Seams for tests. */
  fetch?: FetchFn;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface WeChatClient {
  readonly appid: string;
  /** The shared access_token and wx_card ticket (fetched, refreshed and expired by the client itself). */
  readonly credentials: Credentials;
  /** Mini Program login. */
  readonly login: {
    /** GET /sns/jscode2session: the wx.login code for openid (+ session_key, unionid). */
    code2Session(jsCode: string): Promise<Code2SessionResponse>;
    /** GET /sns/oauth2/access_token: an Official Account's web-authorization code for openid (+ unionid). */
    oauthCode(code: string): Promise<OAuthTokenResponse>;
  };
  readonly invoice: InvoiceApi;
}

const DEFAULT_TIMEOUT_MS = 8_000;

/**
 * The outbound WeChat client: one typed method per endpoint, one errcode policy (call.ts), the
 * access_token and ticket shared through `tokenStore`. No module state: build one per process in
 * the composition root and pass it on.
 */
export function createWeChatClient(options: WeChatClientOptions): WeChatClient {
  const baseUrl = validBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  if (!(Number.isInteger(retry.attempts) && retry.attempts >= 1)) throw new RangeError('retry.attempts must be an integer >= 1');
  const { appid, secret } = options;
  const log = options.log ?? silentLog;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  const call = createCall({
    baseUrl,
    timeoutMs,
    retry,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    credentials: () => credentials,
    ticketRejectedErrcodes: options.ticketRejectedErrcodes ?? DEFAULT_TICKET_REJECTED_ERRCODES,
    log,
    sleep,
    random,
    now,
    observe: options.observe?.call && ((endpoint: string, errcode: string) => options.observe?.call?.(endpoint, errcode)),
  });

  const credentials: Credentials = createCredentials({
    ...options.credentials,
    appid,
    store: options.tokenStore,
    fetchers: {
      access_token: async () => {
        options.observe?.refresh?.('access_token');
        const answer =
          options.tokenSource === 'token' ? await getAccessToken(call, appid, secret) : await getStableAccessToken(call, appid, secret);
        return { value: answer.access_token, expiresInSec: answer.expires_in };
      },
      wx_card_ticket: async () => {
        options.observe?.refresh?.('wx_card_ticket');
        const answer = await getWxCardTicket(call);
        return { value: answer.ticket, expiresInSec: answer.expires_in };
      },
    },
    log,
    now,
    sleep,
    random,
  });

  return {
    appid,
    credentials,
    login: {
      code2Session: (jsCode) => code2Session(call, appid, secret, jsCode),
      oauthCode: (code) => oauthCodeToOpenid(call, appid, secret, code),
    },
    invoice: createInvoiceApi(call),
  };
}

function validBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError('baseUrl is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('baseUrl must be http(s)');
  if (url.search || url.hash) throw new TypeError('baseUrl must not carry a query or fragment');
  return raw.replace(/\/+$/, '');
}
