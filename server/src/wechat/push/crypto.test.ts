import { createCipheriv, createDecipheriv } from 'node:crypto';
import fc from 'fast-check';
import fixtures from '../../../test/fixtures/wechat-push-vectors.json';
import {
  constantTimeEqual,
  decodeAesKey,
  decryptMessage,
  encryptMessage,
  msgSignature,
  pushSignature,
  verifyMsgSignature,
  verifyPushSignature,
} from './crypto';
import { PushRejected, type PushRejectionCode } from './errors';
import { pad32, unpad32 } from './pkcs7';

const { S1, S2, A1 } = fixtures.vectors;
const a1Key = decodeAesKey(A1.encodingAESKey);
const a1Params = { aesKey: a1Key, appid: A1.appid };
const pinnedRandom = (): Buffer => Buffer.from(A1.random, 'utf8');

const ALNUM = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];
const encodingAesKeyArb = fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 43, maxLength: 43 });
const appidArb = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 32 });
/** ASCII, any code point, and CJK/emoji heavy strings, so byte length ≠ character count. */
const messageArb = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom('中', '文', '发', '票', '😀', '🧾', 'é', 'a', '\n'), maxLength: 120 }),
);

function rejectionCode(run: () => unknown): PushRejectionCode | 'returned' | 'foreign-error' {
  try {
    run();
    return 'returned';
  } catch (err) {
    return err instanceof PushRejected ? err.code : 'foreign-error';
  }
}

/** Decrypts without removing padding, to look at what encryptMessage actually wrote. */
function rawDecrypt(encrypt: string, key: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
}

describe('official vectors', () => {
  it('S1: handshake signature', () => {
    expect(pushSignature(S1.token, S1.timestamp, S1.nonce)).toBe(S1.signature);
    expect(verifyPushSignature(S1.token, S1.timestamp, S1.nonce, S1.signature)).toBe(true);
  });

  it('S2: plain POST signature', () => {
    expect(pushSignature(S2.token, S2.timestamp, S2.nonce)).toBe(S2.signature);
  });

  it('A1: signature and msg_signature', () => {
    expect(pushSignature(A1.token, A1.timestamp, A1.nonce)).toBe(A1.signature);
    expect(msgSignature(A1.token, A1.timestamp, A1.nonce, A1.encrypt)).toBe(A1.msg_signature);
    expect(verifyMsgSignature(A1.token, A1.timestamp, A1.nonce, A1.encrypt, A1.msg_signature)).toBe(true);
  });

  it('A1: decrypting Encrypt gives exactly the plaintext', () => {
    expect(decryptMessage(A1.encrypt, a1Params)).toBe(A1.plaintext);
  });

  it('A1: the documented intermediate sizes hold (msg_len 167, FullStr 205, padded 224)', () => {
    const padded = rawDecrypt(A1.encrypt, a1Key);
    expect(padded.length).toBe(224);
    expect(padded.subarray(0, 16).toString('utf8')).toBe(A1.random);
    expect(padded.readUInt32BE(16)).toBe(A1.msg_len);
    expect(unpad32(padded)?.length).toBe(205);
  });

  it('A1: encrypting with the pinned random reproduces the ciphertext byte for byte', () => {
    expect(encryptMessage(A1.plaintext, a1Params, pinnedRandom)).toBe(A1.encrypt);
  });
});

describe('signatures', () => {
  it('sorts the parts in code-unit order before hashing (order of arguments does not matter)', () => {
    expect(pushSignature(S1.nonce, S1.token, S1.timestamp)).toBe(S1.signature);
    expect(msgSignature(A1.encrypt, A1.nonce, A1.token, A1.timestamp)).toBe(A1.msg_signature);
  });

  it('refuses wrong, truncated, extended, upper-cased and empty signatures without throwing', () => {
    const good = S1.signature;
    for (const bad of [good.slice(0, -1), `${good}0`, good.toUpperCase(), '', `${good.slice(0, -1)}0`, '中'.repeat(40)]) {
      expect(verifyPushSignature(S1.token, S1.timestamp, S1.nonce, bad)).toBe(false);
    }
    expect(verifyPushSignature('BBBBB', S1.timestamp, S1.nonce, good)).toBe(false);
  });

  it('constantTimeEqual handles unequal lengths and multi-byte text', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('é', 'e\u0301')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});

describe('decodeAesKey', () => {
  it('decodes any 43 alphanumeric characters to 32 bytes that re-encode to the same 42-character prefix', () => {
    fc.assert(
      fc.property(encodingAesKeyArb, (encoding) => {
        const key = decodeAesKey(encoding);
        expect(key.length).toBe(32);
        expect(key.toString('base64').slice(0, 42)).toBe(encoding.slice(0, 42));
      }),
    );
  });

  it.each([
    ['42 characters', 'A'.repeat(42)],
    ['44 characters', 'A'.repeat(44)],
    ['a "+"', `${'A'.repeat(42)}+`],
    ['a "/"', `/${'A'.repeat(42)}`],
    ['the "=" already appended', `${'A'.repeat(42)}=`],
    ['non-ASCII', `${'A'.repeat(42)}é`],
    ['whitespace', ` ${'A'.repeat(42)}`],
    ['nothing', ''],
  ])('refuses %s with PUSH_AES_KEY_INVALID and does not echo the key', (_label, encoding) => {
    try {
      decodeAesKey(encoding);
      throw new Error('accepted an invalid key');
    } catch (err) {
      expect(err).toBeInstanceOf(PushRejected);
      expect((err as PushRejected).code).toBe('PUSH_AES_KEY_INVALID');
      if (encoding.length > 0) expect((err as PushRejected).message).not.toContain(encoding);
    }
  });

  it('encrypt and decrypt refuse a key that is not 32 bytes', () => {
    const params = { aesKey: Buffer.alloc(16), appid: 'wx' };
    expect(rejectionCode(() => encryptMessage('x', params))).toBe('PUSH_AES_KEY_INVALID');
    expect(rejectionCode(() => decryptMessage(A1.encrypt, params))).toBe('PUSH_AES_KEY_INVALID');
  });
});

describe('PKCS#7 with a 32-byte block', () => {
  it('pads 1..32 bytes, a full block of 0x20 when aligned', () => {
    for (let n = 0; n <= 70; n++) {
      const padded = pad32(Buffer.alloc(n, 7));
      const amount = 32 - (n % 32);
      expect(padded.length).toBe(n + amount);
      expect(padded.subarray(n).equals(Buffer.alloc(amount, amount))).toBe(true);
      expect(unpad32(padded)?.equals(Buffer.alloc(n, 7))).toBe(true);
    }
  });

  it('refuses pad values 0 and 33..255, inconsistent pad bytes and a pad longer than the data', () => {
    expect(unpad32(Buffer.concat([Buffer.alloc(31, 1), Buffer.from([0])]))).toBeUndefined();
    expect(unpad32(Buffer.concat([Buffer.alloc(63, 33), Buffer.from([33])]))).toBeUndefined();
    expect(unpad32(Buffer.concat([Buffer.alloc(31, 255), Buffer.from([255])]))).toBeUndefined();
    expect(unpad32(Buffer.concat([Buffer.alloc(29, 9), Buffer.from([9, 2, 3])]))).toBeUndefined();
    expect(unpad32(Buffer.from([5, 5]))).toBeUndefined();
    expect(unpad32(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('encryptMessage / decryptMessage', () => {
  it('covers every FullStr length mod 32, with ASCII and multi-byte messages', () => {
    const appid = 'wxba5fad812f8e6fb9';
    const residues = new Set<number>();
    for (const unit of ['a', '中', '😀']) {
      for (let count = 0; count <= 70; count++) {
        const msg = unit.repeat(count);
        const fullStrLength = 20 + Buffer.byteLength(msg, 'utf8') + appid.length;
        residues.add(fullStrLength % 32);
        const encrypt = encryptMessage(msg, { aesKey: a1Key, appid });
        expect(Buffer.from(encrypt, 'base64').length).toBe(fullStrLength + 32 - (fullStrLength % 32));
        const raw = rawDecrypt(encrypt, a1Key);
        expect(raw.readUInt32BE(16)).toBe(Buffer.byteLength(msg, 'utf8')); // bytes, not characters
        expect(decryptMessage(encrypt, { aesKey: a1Key, appid })).toBe(msg);
      }
    }
    expect(residues.size).toBe(32);
  });

  it('round-trips random keys, appids and messages', () => {
    fc.assert(
      fc.property(encodingAesKeyArb, appidArb, messageArb, (encoding, appid, msg) => {
        const params = { aesKey: decodeAesKey(encoding), appid };
        expect(decryptMessage(encryptMessage(msg, params), params)).toBe(msg);
      }),
      { numRuns: 300 },
    );
  });

  it('uses fresh randomness by default, so equal messages give different ciphertexts', () => {
    expect(encryptMessage('same', a1Params)).not.toBe(encryptMessage('same', a1Params));
  });

  it('insists on exactly 16 random bytes from the seam', () => {
    expect(() => encryptMessage('x', a1Params, () => Buffer.alloc(15))).toThrow(TypeError);
  });

  it('a wrong key is always a typed error, never a message and never a raw crypto exception', () => {
    const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes));
    fc.assert(
      fc.property(keyArb, keyArb, appidArb, messageArb, (right, wrong, appid, msg) => {
        fc.pre(!right.equals(wrong));
        const encrypt = encryptMessage(msg, { aesKey: right, appid });
        expect(['PUSH_DECRYPT_FAILED', 'PUSH_APPID_MISMATCH']).toContain(
          rejectionCode(() => decryptMessage(encrypt, { aesKey: wrong, appid })),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('another appid is always PUSH_APPID_MISMATCH', () => {
    fc.assert(
      fc.property(encodingAesKeyArb, appidArb, appidArb, messageArb, (encoding, appid, other, msg) => {
        fc.pre(appid !== other);
        const aesKey = decodeAesKey(encoding);
        const encrypt = encryptMessage(msg, { aesKey, appid });
        expect(rejectionCode(() => decryptMessage(encrypt, { aesKey, appid: other }))).toBe('PUSH_APPID_MISMATCH');
      }),
      { numRuns: 300 },
    );
  });

  it('random ciphertexts of a plausible size are refused with a typed error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.uint8Array({ minLength: 256, maxLength: 256 }), (blocks, bytes) => {
        const encrypt = Buffer.from(bytes.subarray(0, blocks * 32)).toString('base64');
        expect(['PUSH_DECRYPT_FAILED', 'PUSH_APPID_MISMATCH']).toContain(rejectionCode(() => decryptMessage(encrypt, a1Params)));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['an empty string', ''],
    ['non-base64 text', 'not base64!'],
    ['base64 with whitespace', `${A1.encrypt.slice(0, 40)} ${A1.encrypt.slice(40)}`],
    ['a length that is not a multiple of 32 bytes', A1.encrypt.slice(0, 40)],
    ['16 bytes', Buffer.alloc(16).toString('base64')],
  ])('refuses %s with PUSH_DECRYPT_FAILED', (_label, encrypt) => {
    expect(rejectionCode(() => decryptMessage(encrypt, a1Params))).toBe('PUSH_DECRYPT_FAILED');
  });

  it('refuses a FullStr whose msg_len runs past the payload, or whose message is not UTF-8', () => {
    const key = a1Key;
    const forge = (body: Buffer): string => {
      // Encrypt an arbitrary FullStr directly, bypassing encryptMessage's own framing.
      const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
      cipher.setAutoPadding(false);
      return Buffer.concat([cipher.update(pad32(body)), cipher.final()]).toString('base64');
    };
    const length = (n: number): Buffer => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n, 0);
      return b;
    };
    const random = Buffer.alloc(16, 1);
    const appid = Buffer.from(A1.appid);
    const tooLong = forge(Buffer.concat([random, length(1000), Buffer.from('hi'), appid]));
    const notUtf8 = forge(Buffer.concat([random, length(2), Buffer.from([0xc3, 0x28]), appid]));
    const tooShort = forge(Buffer.alloc(10, 1));
    expect(rejectionCode(() => decryptMessage(tooLong, a1Params))).toBe('PUSH_DECRYPT_FAILED');
    expect(rejectionCode(() => decryptMessage(notUtf8, a1Params))).toBe('PUSH_DECRYPT_FAILED');
    expect(rejectionCode(() => decryptMessage(tooShort, a1Params))).toBe('PUSH_DECRYPT_FAILED');
  });

  it('has no integrity of its own (CBC): this is why msg_signature must be checked before decrypting', () => {
    const ciphertext = Buffer.from(A1.encrypt, 'base64');
    // Block 0, offset 4: garbles the (unchecked) random prefix and flips FullStr byte 20, the message's first.
    ciphertext[4] = (ciphertext[4] ?? 0) ^ 0x01;
    const altered = decryptMessage(ciphertext.toString('base64'), a1Params);
    expect(altered).not.toBe(A1.plaintext);
    expect(altered.slice(1)).toBe(A1.plaintext.slice(1));
    expect(verifyMsgSignature(A1.token, A1.timestamp, A1.nonce, ciphertext.toString('base64'), A1.msg_signature)).toBe(false);
  });
});
