/**
 * WeChat push protocol (message push / 消息推送): signatures, WXBizMsgCrypt, XML/JSON bodies, typed
 * invoice events, and the inverse used by the WeChat emulator. Pure functions; no I/O.
 */
export { PUSH_REJECTION_CODES, PushRejected, isPushRejected, type PushRejectionCode } from './errors';
export {
  constantTimeEqual,
  decodeAesKey,
  decryptMessage,
  encryptMessage,
  msgSignature,
  pushSignature,
  verifyMsgSignature,
  verifyPushSignature,
  type AesParams,
  type Random16,
} from './crypto';
export { buildXml, parseXml } from './xml';
export { parseJson } from './json';
export { detectFormat, parseBody, serializeBody, type PushFormat } from './body';
export {
  INVOICE_RESULT_FAILED,
  INVOICE_RESULT_ISSUED,
  dedupeKey,
  parsePushMessage,
  type GenericPushMessage,
  type InvoiceResultEvent,
  type PushFields,
  type PushMessage,
  type UserAuthorizeInvoiceEvent,
} from './messages';
export {
  answerHandshake,
  buildEncryptedReply,
  openPush,
  type Handshake,
  type PushConfig,
  type PushRequest,
  type ReceivedPush,
  type ReplyEnvelopeOptions,
} from './receive';
export { openReply, sealPush, type OpenedReply, type PushMode, type SealOptions, type SealedPush } from './seal';
