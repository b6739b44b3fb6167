import crypto from 'node:crypto';
import { FPQQLSH_MAX_LENGTH, FPQQLSH_PREFIX_LENGTH } from '@fapiao/shared';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * A new invoice request serial number: the merchant's 6-character prefix (WeChat checks it,
 * 73110) and 14 random characters of [0-9A-Z], 20 in all. Random rather than sequential so that
 * any number of processes can mint them without coordinating; the unique index catches the
 * (36^14) collision.
 */
export function newFpqqlsh(prefix: string): string {
  return prefix + randomChars(FPQQLSH_MAX_LENGTH - FPQQLSH_PREFIX_LENGTH);
}

/**
 * WeChat's order_id for the n-th invoice request of an order. A rejected order_id is dead
 * forever, so every attempt gets its own; the order number stays readable in it. The "." before
 * the attempt is a character order numbers cannot hold ([0-9A-Za-z_-]) and URLs need not escape
 * (the order_id travels in the auth_url), so no attempt can take another order's order_id:
 * "X-R2" was both order X's second attempt and order "X-R2"'s first.
 */
export function wxOrderIdFor(orderNo: string, attempt: number): string {
  return attempt === 1 ? orderNo : `${orderNo}.R${attempt}`;
}

/** An opaque id for an invoice request. */
export function newRequestId(): string {
  return `ir_${randomChars(16).toLowerCase()}`;
}

function randomChars(n: number): string {
  const bytes = crypto.randomBytes(n);
  let out = '';
  // 256 % 36 = 4: the first 4 characters are very slightly likelier; irrelevant for uniqueness.
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}
