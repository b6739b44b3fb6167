/**
 * The outbound WeChat client (push handling lives in ./push). The composition root builds it:
 *
 *   createWeChatClient({ baseUrl: config.WECHAT_API_BASE, appid: config.WECHAT_APPID,
 *     secret: config.WECHAT_SECRET, timeoutMs: config.WECHAT_TIMEOUT_MS,
 *     tokenStore: createMongoTokenStore(db), log: logger })
 */
export { createWeChatClient, DEFAULT_TIMEOUT_MS, type WeChatClient, type WeChatClientOptions } from './client';
export { createCredentials, CREDENTIAL_DEFAULTS, type Credentials, type CredentialsOptions } from './credentials';
export { createMemoryTokenStore, type CredentialKind, type StoredCredential, type TokenStore } from './token-store';
export { ERRCODES, errcodeInfo, DEFAULT_TICKET_REJECTED_ERRCODES, TOKEN_ERRCODES, WECHAT_ERR, type ErrcodeClass, type ErrcodeInfo } from './errcodes';
export {
  WeChatError,
  WeChatApiError,
  WeChatQuotaError,
  WeChatLoginError,
  WeChatTransportError,
  WeChatOutcomeUnknownError,
  type WeChatErrorCode,
  type TransportFailure,
} from './errors';
export { DEFAULT_RETRY, type RetryPolicy } from './policy';
export type { WeChatLog } from './call';
export type { InvoiceApi, GetAuthUrlParams } from './api/invoice';
export type { Code2SessionResponse } from './api/login';
export type * from './api/invoice-types';
