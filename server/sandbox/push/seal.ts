import {
  decryptMessage,
  encryptMessage,
  msgSignature,
  parseBody,
  PushRejected,
  pushSignature,
  serializeBody,
  verifyMsgSignature,
  type PushFormat,
  type Random16,
} from '../../src/wechat/push';

/**
 * WeChat's side of the push protocol, for the emulator: seal a push exactly as WeChat sends it, and
 * open the passive reply our server answers with.
 */

/** plain: no encryption; compatible: plaintext fields plus Encrypt; safe: ToUserName and Encrypt only. */
export type PushMode = 'plain' | 'compatible' | 'safe';

export interface SealOptions {
  mode: PushMode;
  format: PushFormat;
  token: string;
  appid: string;
  /** Required for compatible and safe mode. */
  aesKey?: Buffer | undefined;
  timestamp: string;
  nonce: string;
  /** Test seam for the 16 random bytes of FullStr. */
  random16?: Random16;
}

export interface SealedPush {
  /** Query string parameters, in the order WeChat writes them. */
  query: Record<string, string>;
  body: string;
  contentType: string;
}

const CONTENT_TYPES: Record<PushFormat, string> = { xml: 'text/xml', json: 'application/json' };

/** Builds the POST WeChat would send: `signature` always; `encrypt_type=aes` and `msg_signature` when encrypted. */
export function sealPush(fields: Readonly<Record<string, string | number>>, options: SealOptions): SealedPush {
  const { mode, format, token, timestamp, nonce } = options;
  const contentType = CONTENT_TYPES[format];
  const query: Record<string, string> = { signature: pushSignature(token, timestamp, nonce), timestamp, nonce };
  const plaintext = serializeBody(fields, format);
  if (mode === 'plain') return { query, body: plaintext, contentType };

  if (!options.aesKey) throw new PushRejected('PUSH_AES_KEY_MISSING', `${mode} mode needs an AES key`);
  const encrypt = encryptMessage(plaintext, { aesKey: options.aesKey, appid: options.appid }, options.random16);
  const envelope: Record<string, string | number> = mode === 'compatible' ? { ...fields } : {};
  if (mode === 'safe' && fields.ToUserName !== undefined) envelope.ToUserName = fields.ToUserName;
  envelope.Encrypt = encrypt;
  // Official Accounts add the sender's openid to encrypted pushes (the A1 vector's query shows it).
  if (fields.FromUserName !== undefined) query.openid = String(fields.FromUserName);
  query.encrypt_type = 'aes';
  query.msg_signature = msgSignature(token, timestamp, nonce, encrypt);
  return { query, body: serializeBody(envelope, format), contentType };
}

export type OpenedReply = { encrypted: false; plaintext: string } | { encrypted: true; plaintext: string; format: PushFormat };

/**
 * Reads a passive reply as WeChat would. "success" and the empty body are never encrypted; anything
 * else must be the Encrypt/MsgSignature/TimeStamp/Nonce envelope, whose signature is checked.
 */
export function openReply(body: string, cfg: { token: string; appid: string; aesKey: Buffer }): OpenedReply {
  if (body === '' || body === 'success') return { encrypted: false, plaintext: body };
  const { format, fields } = parseBody(body);
  const { Encrypt: encrypt, MsgSignature: signature, TimeStamp: timestamp, Nonce: nonce } = fields;
  if (!encrypt || !signature || !timestamp || !nonce) {
    throw new PushRejected('PUSH_MALFORMED', 'reply lacks Encrypt, MsgSignature, TimeStamp or Nonce');
  }
  if (!verifyMsgSignature(cfg.token, timestamp, nonce, encrypt, signature)) {
    throw new PushRejected('PUSH_SIGNATURE_INVALID', 'reply MsgSignature missing or wrong');
  }
  return { encrypted: true, plaintext: decryptMessage(encrypt, cfg), format };
}
