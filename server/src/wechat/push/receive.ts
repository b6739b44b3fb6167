import { parseBody, serializeBody, type PushFormat } from './body';
import { decryptMessage, encryptMessage, msgSignature, verifyMsgSignature, verifyPushSignature, type Random16 } from './crypto';
import { PushRejected } from './errors';
import { dedupeKey, parsePushMessage, type PushMessage } from './messages';

/** What the HTTP layer hands over: nothing Koa-specific, repeated query keys already reduced to one. */
export interface PushRequest {
  method: 'GET' | 'POST';
  query: Readonly<Record<string, string | undefined>>;
  body: string;
  /** Informational: the body's first character decides the format (see detectFormat). */
  contentType?: string | undefined;
}

export interface PushConfig {
  /** The Token from the console. */
  token: string;
  appid: string;
  /** decodeAesKey(EncodingAESKey); needed for compatible and safe mode. */
  aesKey?: Buffer | undefined;
  /** Refuse plain POSTs even when their `signature` is right (see openPostedPush). Default false. */
  requireEncryption?: boolean;
}

/** GET: the console's URL check. Answer with `echostr` verbatim as the whole body. */
export interface Handshake {
  kind: 'handshake';
  echostr: string;
}

export interface ReceivedPush {
  kind: 'message';
  message: PushMessage;
  dedupeKey: string;
  /** True when the content came out of Encrypt (compatible or safe mode). */
  encrypted: boolean;
  /** Format of the request body; an encrypted reply must use the same. */
  format: PushFormat;
}

function signatureInvalid(which: string): PushRejected {
  return new PushRejected('PUSH_SIGNATURE_INVALID', `${which} missing or wrong`);
}

function assertSignature(query: PushRequest['query'], token: string): void {
  const { signature, timestamp, nonce } = query;
  if (!signature || !timestamp || !nonce || !verifyPushSignature(token, timestamp, nonce, signature)) {
    throw signatureInvalid('signature');
  }
}

/** Returns echostr only when `signature` verifies (plain text in every mode for OA and Mini Program). */
function answerHandshake(query: PushRequest['query'], token: string): Handshake {
  assertSignature(query, token);
  if (query.echostr === undefined) throw new PushRejected('PUSH_MALFORMED', 'handshake without echostr');
  return { kind: 'handshake', echostr: query.echostr };
}

function isEncrypted(query: PushRequest['query']): boolean {
  const type = query.encrypt_type;
  if (type === undefined || type === '' || type === 'raw') return false;
  if (type === 'aes') return true;
  throw new PushRejected('PUSH_MALFORMED', 'unsupported encrypt_type');
}

/** Compatible and safe mode: msg_signature over Encrypt, then decrypt; plaintext twins are ignored. */
function openEncrypted(req: PushRequest, cfg: PushConfig): { format: PushFormat; fields: Record<string, string> } {
  const { msg_signature: signature, timestamp, nonce } = req.query;
  const envelope = parseBody(req.body, req.contentType);
  const encrypt = envelope.fields.Encrypt;
  if (!encrypt) throw new PushRejected('PUSH_MALFORMED', 'encrypted push without Encrypt');
  // The official flow checks msg_signature (which covers the body) and not `signature` (which does not).
  if (!signature || !timestamp || !nonce || !verifyMsgSignature(cfg.token, timestamp, nonce, encrypt, signature)) {
    throw signatureInvalid('msg_signature');
  }
  if (!cfg.aesKey) throw new PushRejected('PUSH_AES_KEY_MISSING', 'encrypted push received but no AES key is configured');
  const plaintext = decryptMessage(encrypt, { aesKey: cfg.aesKey, appid: cfg.appid });
  return { format: envelope.format, fields: parseBody(plaintext).fields };
}

/**
 * POST: verify, decrypt if needed, parse.
 *
 * Plain POSTs are accepted when `signature` verifies, unless `requireEncryption`: `signature` does
 * not cover the body, so anyone who saw one signed URL could replay it with another body. The server
 * sets it whenever an AES key is configured (WECHAT_ACCEPT_PLAIN_PUSH opens a window for the console
 * switch, which happens at once on WeChat's side while our config follows).
 */
export function openPostedPush(req: PushRequest, cfg: PushConfig): ReceivedPush {
  let opened: { format: PushFormat; fields: Record<string, string> };
  const encrypted = isEncrypted(req.query);
  if (encrypted) {
    opened = openEncrypted(req, cfg);
  } else {
    assertSignature(req.query, cfg.token);
    if (cfg.requireEncryption) throw new PushRejected('PUSH_ENCRYPTION_REQUIRED', 'plain push refused: safe mode is required');
    opened = parseBody(req.body, req.contentType);
  }
  const message = parsePushMessage(opened.fields);
  return { kind: 'message', message, dedupeKey: dedupeKey(message), encrypted, format: opened.format };
}

/** One entry point for the push URL: GET is the handshake, POST a message. */
export function openPush(req: PushRequest, cfg: PushConfig): Handshake | ReceivedPush {
  return req.method === 'GET' ? answerHandshake(req.query, cfg.token) : openPostedPush(req, cfg);
}

export interface ReplyEnvelopeOptions {
  /** Our own timestamp, seconds. */
  timestamp: string;
  /** The docs echo the request's nonce. */
  nonce: string;
  format: PushFormat;
}

/**
 * Encrypted passive reply for safe/compatible mode. "success" and the empty body need no encryption
 * (official docs): send those raw instead of calling this.
 */
export function buildEncryptedReply(
  plaintext: string,
  cfg: PushConfig,
  options: ReplyEnvelopeOptions,
  random16?: Random16,
): string {
  if (!cfg.aesKey) throw new PushRejected('PUSH_AES_KEY_MISSING', 'an encrypted reply needs an AES key');
  if (!/^\d+$/.test(options.timestamp)) throw new TypeError('reply timestamp must be decimal seconds');
  const encrypt = encryptMessage(plaintext, { aesKey: cfg.aesKey, appid: cfg.appid }, random16);
  return serializeBody(
    {
      Encrypt: encrypt,
      MsgSignature: msgSignature(cfg.token, options.timestamp, options.nonce, encrypt),
      // A bare number in XML and a JSON number, as in the docs' samples.
      TimeStamp: options.format === 'json' ? Number(options.timestamp) : options.timestamp,
      Nonce: options.nonce,
    },
    options.format,
  );
}
