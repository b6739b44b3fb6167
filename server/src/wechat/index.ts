/**
 * The outbound WeChat client (push handling lives in ./push). The composition root builds it:
 *
 *   createWeChatClient({ baseUrl: config.WECHAT_API_BASE, appid: config.WECHAT_APPID,
 *     secret: config.WECHAT_SECRET, timeoutMs: config.WECHAT_TIMEOUT_MS,
 *     tokenStore: createMongoTokenStore(db), log: logger })
 */
export { createWeChatClient, type WeChatClient } from './client';
export { createMemoryTokenStore } from './token-store';
export { DEFAULT_TICKET_REJECTED_ERRCODES, WECHAT_ERR } from './errcodes';
export { WeChatError, WeChatApiError, WeChatQuotaError, WeChatLoginError, WeChatTransportError, WeChatOutcomeUnknownError } from './errors';
export type { InvoiceApi } from './api/invoice';
export type * from './api/invoice-types';
