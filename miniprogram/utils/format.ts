/** Display formatting for the pages (money comes from @fapiao/shared's formatYuan). */

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** An ISO time as China time, "2024-05-01 16:00"; the input itself when it is not a date. */
export function formatDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const d = new Date(ms + CHINA_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** WeChat's kprq "20171204172159" as "2017-12-04 17:21:59"; other input unchanged. */
export function formatKprq(kprq: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(kprq);
  if (!m) return kprq;
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}`;
}

/** A quantity without float noise: 2 → "2", 1.5 → "1.5". */
export function formatQuantity(quantity: number): string {
  return String(Number(quantity.toFixed(8)));
}
