/**
 * WeChat push protocol (message push / 消息推送): signatures, WXBizMsgCrypt, XML/JSON bodies, typed
 * invoice events, and the inverse used by the WeChat emulator. Pure functions; no I/O.
 */
export { isPushRejected } from './errors';
export { constantTimeEqual, decodeAesKey, encryptMessage, msgSignature, pushSignature } from './crypto';
export { parseBody } from './body';
export { dedupeKey, INVOICE_RESULT_FAILED, parsePushMessage, type InvoiceResultEvent, type PushMessage, type UserAuthorizeInvoiceEvent } from './messages';
export { openPush, type PushConfig, type PushRequest, type ReceivedPush } from './receive';
export { openReply, sealPush, type SealedPush } from './seal';
