/**
 * WeChat push protocol (message push / 消息推送): signatures, WXBizMsgCrypt, XML/JSON bodies, typed
 * invoice events. Pure functions; no I/O. The emulator's side (sealing a push as WeChat sends it)
 * is server/sandbox/push/seal.ts, built on the crypto exported here.
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
  receivePush,
  type Handshake,
  type PushConfig,
  type PushRequest,
  type ReceivedPush,
  type ReplyEnvelopeOptions,
} from './receive';
