/**
 * PKCS#7 padding with a 32-byte block, as WXBizMsgCrypt uses it. AES itself has 16-byte blocks, so
 * the library padding (block 16) would produce ciphertexts WeChat cannot read: we pad by hand and
 * run the cipher with auto-padding off.
 */
export const WECHAT_PAD_BLOCK = 32;

/** Appends K − (N mod K) bytes of that value; a full block of 0x20 when N is already aligned. */
export function pad32(data: Buffer): Buffer {
  const amount = WECHAT_PAD_BLOCK - (data.length % WECHAT_PAD_BLOCK);
  return Buffer.concat([data, Buffer.alloc(amount, amount)]);
}

/**
 * Strips the padding, or returns undefined if it is not valid PKCS#7/32. Stricter than the official
 * samples (which read an out-of-range pad as 0 and never check the pad bytes): a wrong key or a
 * corrupted ciphertext should fail here rather than yield a plausible-looking message.
 */
export function unpad32(data: Buffer): Buffer | undefined {
  const amount = data[data.length - 1];
  if (amount === undefined || amount < 1 || amount > WECHAT_PAD_BLOCK || amount > data.length) return undefined;
  for (let i = data.length - amount; i < data.length; i++) {
    if (data[i] !== amount) return undefined;
  }
  return data.subarray(0, data.length - amount);
}
