import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { PushRejected } from './errors';
import { pad32, unpad32, WECHAT_PAD_BLOCK } from './pkcs7';

/**
 * WXBizMsgCrypt, the scheme behind WeChat's push signatures and "safe mode" encryption.
 * Pure functions; the only randomness is the 16-byte prefix, injectable for tests.
 */

/** The AES key and the appid that every encrypted push for this account carries. */
export interface AesParams {
  aesKey: Buffer;
  appid: string;
}

/** Source of the 16 random bytes that open every FullStr. */
export type Random16 = () => Buffer;

const defaultRandom16: Random16 = () => randomBytes(16);

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function sortedSha1(parts: string[]): string {
  // Default sort compares UTF-16 code units, the order every official SDK uses (byte order for ASCII).
  return createHash('sha1').update([...parts].sort().join(''), 'utf8').digest('hex');
}

/** `signature` of the GET handshake and of every POST: sha1(sort(token, timestamp, nonce)). */
export function pushSignature(token: string, timestamp: string, nonce: string): string {
  return sortedSha1([token, timestamp, nonce]);
}

/** `msg_signature` of an encrypted push or reply: sha1(sort(token, timestamp, nonce, Encrypt)). */
export function msgSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return sortedSha1([token, timestamp, nonce, encrypt]);
}

/** Compares in time independent of where the strings differ; a length difference is just `false`. */
export function constantTimeEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(a, a); // spend comparable time; lengths (40 hex chars) are public anyway
    return false;
  }
  return timingSafeEqual(a, b);
}

export function verifyPushSignature(token: string, timestamp: string, nonce: string, signature: string): boolean {
  return constantTimeEqual(pushSignature(token, timestamp, nonce), signature);
}

export function verifyMsgSignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypt: string,
  signature: string,
): boolean {
  return constantTimeEqual(msgSignature(token, timestamp, nonce, encrypt), signature);
}

/** AESKey = Base64_Decode(EncodingAESKey + "="); the console's key is 43 characters of [A-Za-z0-9]. */
export function decodeAesKey(encodingAESKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAESKey)) {
    throw new PushRejected('PUSH_AES_KEY_INVALID', 'EncodingAESKey must be exactly 43 characters of [A-Za-z0-9]');
  }
  // No canonical-encoding check: the console draws all 43 characters at random, so the unused low
  // bits of the last one are usually non-zero, and the official samples ignore them too.
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (key.length !== 32) {
    throw new PushRejected('PUSH_AES_KEY_INVALID', 'EncodingAESKey does not decode to 32 bytes');
  }
  return key;
}

function assertKey(aesKey: Buffer): void {
  if (!Buffer.isBuffer(aesKey) || aesKey.length !== 32) {
    throw new PushRejected('PUSH_AES_KEY_INVALID', 'AES key must be 32 bytes');
  }
}

/**
 * Encrypt = Base64(AES-256-CBC(key, iv = key[0..16), PKCS7_32(random16 ‖ uint32BE(len) ‖ msg ‖ appid))),
 * where len is the UTF-8 byte length of msg.
 */
export function encryptMessage(plaintext: string, params: AesParams, random16: Random16 = defaultRandom16): string {
  assertKey(params.aesKey);
  const random = random16();
  if (!Buffer.isBuffer(random) || random.length !== 16) throw new TypeError('random16 must return exactly 16 bytes');
  const msg = Buffer.from(plaintext, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(msg.length, 0);
  const fullStr = pad32(Buffer.concat([random, length, msg, Buffer.from(params.appid, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', params.aesKey, params.aesKey.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(fullStr), cipher.final()]).toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decryptFailed(why: string): PushRejected {
  return new PushRejected('PUSH_DECRYPT_FAILED', `cannot decrypt push: ${why}`);
}

/**
 * Inverse of encryptMessage. Every failure (bad base64, wrong key, bad padding, impossible length,
 * invalid UTF-8, foreign appid) is a PushRejected; nothing from node:crypto escapes.
 * CBC is malleable and this layer has no MAC: verify msg_signature BEFORE calling this.
 */
export function decryptMessage(encrypt: string, params: AesParams): string {
  assertKey(params.aesKey);
  if (!BASE64.test(encrypt)) throw decryptFailed('Encrypt is not base64');
  const ciphertext = Buffer.from(encrypt, 'base64');
  if (ciphertext.length === 0 || ciphertext.length % WECHAT_PAD_BLOCK !== 0) {
    throw decryptFailed('ciphertext length is not a positive multiple of 32');
  }
  let padded: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', params.aesKey, params.aesKey.subarray(0, 16));
    decipher.setAutoPadding(false);
    padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw decryptFailed('AES failure');
  }
  const fullStr = unpad32(padded);
  if (!fullStr || fullStr.length < 20) throw decryptFailed('bad padding');
  const msgEnd = 20 + fullStr.readUInt32BE(16);
  if (msgEnd > fullStr.length) throw decryptFailed('message length exceeds the payload');
  if (!constantTimeBufferEqual(fullStr.subarray(msgEnd), Buffer.from(params.appid, 'utf8'))) {
    throw new PushRejected('PUSH_APPID_MISMATCH', 'decrypted push is addressed to another appid');
  }
  try {
    return utf8Strict.decode(fullStr.subarray(20, msgEnd));
  } catch {
    throw decryptFailed('message is not valid UTF-8');
  }
}

function constantTimeBufferEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
