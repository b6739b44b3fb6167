/**
 * WeChat push protocol (message push / 消息推送): signatures, WXBizMsgCrypt, XML/JSON bodies, typed
 * invoice events. Pure functions; no I/O. The emulator's side (sealing a push as WeChat sends it)
 * is server/sandbox/push/seal.ts, built on the crypto exported here.
 */
export { PushRejected, isPushRejected, type PushRejectionCode } from './errors';
export {
  constantTimeEqual,
  decodeAesKey,
  decryptMessage,
  encryptMessage,
  msgSignature,
  pushSignature,
  verifyMsgSignature,
  type Random16,
} from './crypto';
export { parseXml } from './xml';
export { parseBody, serializeBody, type PushFormat } from './body';
export {
  INVOICE_RESULT_FAILED,
  dedupeKey,
  parsePushMessage,
  type InvoiceResultEvent,
  type PushMessage,
  type UserAuthorizeInvoiceEvent,
} from './messages';
export {
  buildEncryptedReply,
  openPush,
  type PushConfig,
  type PushRequest,
  type ReceivedPush,
} from './receive';
