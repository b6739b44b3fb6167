/**
 * Why a WeChat push was refused. Stable strings: the HTTP layer and the logs switch on them, so a
 * code is never renamed or reused. The official WXBizMsgCrypt error each one corresponds to is
 * noted where there is one.
 */
export const PUSH_REJECTION_CODES = [
  /** `signature` or `msg_signature` missing or wrong (official −40001). */
  'PUSH_SIGNATURE_INVALID',
  /** The appid inside the decrypted FullStr is not ours (official −40005). */
  'PUSH_APPID_MISMATCH',
  /** The Encrypt value is not valid base64/AES/PKCS#7/FullStr (official −40007, −40008, −40010). */
  'PUSH_DECRYPT_FAILED',
  /** The EncodingAESKey is not 43 characters of [A-Za-z0-9] decoding to 32 bytes (official −40004). */
  'PUSH_AES_KEY_INVALID',
  /** An encrypted push (or reply) needs an AES key, and none is configured. */
  'PUSH_AES_KEY_MISSING',
  /** A plain push arrived although the configuration demands safe mode. */
  'PUSH_ENCRYPTION_REQUIRED',
  /** The body is not the XML/JSON we expect, or a required field is missing (official −40002). */
  'PUSH_MALFORMED',
  /** The XML carries a DOCTYPE or ENTITY declaration (XXE / entity-expansion defence). */
  'PUSH_DOCTYPE_FORBIDDEN',
] as const;

export type PushRejectionCode = (typeof PUSH_REJECTION_CODES)[number];

/**
 * A push that must not be processed. Messages describe what was wrong with the request and never
 * include the token, the AES key or decrypted content, so they are safe to log.
 */
export class PushRejected extends Error {
  constructor(
    readonly code: PushRejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'PushRejected';
  }
}

export function isPushRejected(err: unknown): err is PushRejected {
  return err instanceof PushRejected;
}
