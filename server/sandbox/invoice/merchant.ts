import crypto from 'node:crypto';
import type { SandboxContext } from '../context';
import { readBehaviour } from '../control/behaviour';
import type { SandboxMerchant } from '../data/invoice-models';

/**
 * Who a merchant is to the invoicing side of WeChat. The sandbox plays a self-built invoicing
 * platform for every app: seturl issues the app's s_pappid, and the app's merchant code (the first
 * 6 characters every fpqqlsh must start with, 73110) derives from it. Both are deterministic, so a
 * demo keeps them across database resets; the machine API (GET /sandbox/api/merchant) shows them.
 */

/**
 * The authorization Mini Program: what getauthurl answers as `appid` for source wxa (named in
 * https://developers.weixin.qq.com/community/develop/doc/0002620bce4c185fb939124a75b000).
 */
export const AUTH_MINI_PROGRAM_APPID = 'wx9db2c16d0633c2e7';

/**
 * The s_pappid seturl issues to `appid`. Real ones are base64 of a "wx…" string (they start "d3",
 * and the documented rejectinsert sample has "+" in it); `plain` is base64 of "wx" + 16 hex digits,
 * 24 characters that never contain "+", "/" or "="; `base64-specials` (a behaviour switch) has all three.
 */
export function sPappidFor(appid: string, style: 'plain' | 'base64-specials' = 'plain'): string {
  const digest = crypto.createHash('sha256').update(`s_pappid\n${appid}`).digest('hex');
  const plain = Buffer.from(`wx${digest.slice(0, 16)}`).toString('base64');
  return style === 'plain' ? plain : `${plain.slice(0, 10)}+${plain.slice(10, 16)}+${plain.slice(16, 20)}/${plain.slice(20)}==`;
}

/** The merchant code (商户识别码) behind an s_pappid: 6 characters of [0-9A-Z]. */
function merchantCodeFor(sPappid: string): string {
  const digest = crypto.createHash('sha256').update(`merchant-code\n${sPappid}`).digest();
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from(digest.subarray(0, 6), (byte) => alphabet[byte % 36] ?? '0').join('');
}

export function merchantCodeOfApp(appid: string): string {
  return merchantCodeFor(sPappidFor(appid));
}

/** seturl's invoice_url, shaped like the documented one: the s_pappid as it is, "+" and all. */
export function invoiceUrlFor(sPappid: string): string {
  return `https://mp.weixin.qq.com/bizmall/authinvoice?action=list&s_pappid=${sPappid}`;
}

/** The app's settings, or an empty record (nothing set yet). */
export async function loadMerchant(sb: SandboxContext, appid: string): Promise<SandboxMerchant> {
  return (await sb.models.Merchant.findOne({ appid }).lean()) ?? { appid, nsrsbh: null };
}

/** Creates the app's record if it has none, so that conditional updates have something to match. */
export async function ensureMerchant(sb: SandboxContext, appid: string): Promise<void> {
  try {
    await sb.models.Merchant.updateOne({ appid }, { $setOnInsert: { appid, nsrsbh: null } }, { upsert: true });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 11000) throw err; // a concurrent first upsert won
  }
}

/** seturl: registers the app's s_pappid (idempotent) and returns it. */
export async function registerPlatform(sb: SandboxContext, appid: string): Promise<string> {
  await ensureMerchant(sb, appid);
  const s_pappid = sPappidFor(appid, (await readBehaviour(sb)).sPappid);
  await sb.models.Merchant.updateOne({ appid, registeredAt: { $exists: false } }, { $set: { registeredAt: sb.now(), s_pappid } });
  return (await loadMerchant(sb, appid)).s_pappid ?? s_pappid;
}

/** The app that registered `sPappid` through seturl, if any. */
export async function registrantOf(sb: SandboxContext, sPappid: string): Promise<string | undefined> {
  const merchant = await sb.models.Merchant.findOne({ s_pappid: sPappid, registeredAt: { $exists: true } }).lean();
  return merchant?.appid;
}

/**
 * Whether an fpqqlsh starts with a merchant code the app may invoice under (73110 otherwise): its
 * own s_pappid's, or that of an invoicing platform it asked authorizations for. A merchant's
 * Official Account and app use the s_pappid its Mini Program registered, and its merchant code.
 */
export async function hasMerchantCode(sb: SandboxContext, appid: string, fpqqlsh: string): Promise<boolean> {
  if (fpqqlsh.startsWith(merchantCodeOfApp(appid))) return true;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- distinct() is typed unknown[] here
  const platforms = (await sb.models.Authorization.distinct('s_pappid', { appid })) as string[];
  return platforms.some((sPappid) => fpqqlsh.startsWith(merchantCodeFor(sPappid)));
}
