import crypto from 'node:crypto';
import type { SandboxContext } from '../context';
import { isDuplicateKey } from '../data/mongo-errors';

/**
 * The numbers an issued invoice gets, shaped like real electronic ordinary invoices:
 * fpdm (发票代码) 12 digits "0" + 4-digit region + 2-digit year + "00111" (e.g. 044031900111),
 * fphm (发票号码) 8 digits counting up per fpdm, jym (校验码) 20 random digits, and kprq (开票日期)
 * yyyyMMddHHmmss in China time (UTC+8, no daylight saving).
 */

const CHINA_OFFSET_MS = 8 * 3600_000;

/** Region from the seller's taxpayer ID: digits 3-6 of a USCC, 1-4 of an older ID, else Beijing. */
export function fpdmFor(nsrsbh: string, at: Date): string {
  const uscc = nsrsbh.length === 18 ? nsrsbh.slice(2, 6) : '';
  const region = /^\d{4}$/.test(uscc) ? uscc : /^\d{4}/.test(nsrsbh) ? nsrsbh.slice(0, 4) : '1100';
  return `0${region}${kprqOf(at).slice(2, 4)}00111`;
}

export function kprqOf(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace(/\D/g, '');
}

export function randomDigits(n: number): string {
  return Array.from({ length: n }, () => String(crypto.randomInt(10))).join('');
}

/** The next fphm of `fpdm`, unique across apps (a code and number identify an invoice nationally). */
export async function nextFphm(sb: SandboxContext, fpdm: string): Promise<string> {
  const next = () => sb.models.Sequence.findOneAndUpdate({ _id: `fphm:${fpdm}` }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
  let seq;
  try {
    seq = await next();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    seq = await next(); // two first increments raced; the sequence exists now
  }
  if (!seq) throw new Error(`no sequence for fpdm ${fpdm}`);
  return String(seq.n % 100_000_000).padStart(8, '0');
}
