import { UsageError } from './errors';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/** "3600" (seconds), "90m", "2h", "1h30m", "7d" → seconds; undefined when it is none of these. */
export function parseDurationSeconds(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^(\d+[smhdw])+$/.test(trimmed)) return undefined;
  let seconds = 0;
  for (const match of trimmed.matchAll(/(\d+)([smhdw])/g)) seconds += Number(match[1]) * (UNIT_SECONDS[match[2] ?? 's'] ?? 1);
  return seconds;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * A point in time as ops type it: "2026-05-01" (midnight here), "2026-05-01 10:00" (here),
 * an ISO time with a zone, "today", "yesterday", or an age: "30m", "24h", "7d" (that long ago).
 * `option` names the flag in the error.
 */
export function parseWhen(text: string, option: string, now: Date = new Date()): Date {
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  if (lower === 'today' || lower === 'yesterday') {
    const d = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    if (lower === 'yesterday') d.setDate(d.getDate() - 1);
    return d;
  }
  const age = /^\d+$/.test(trimmed) ? undefined : parseDurationSeconds(trimmed);
  if (age !== undefined) return new Date(now.getTime() - age * 1000);
  const local = LOCAL.exec(trimmed);
  if (local) {
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = local;
    const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    if (date.getMonth() === Number(mo) - 1) return date;
  } else if (/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed)) {
    const date = new Date(trimmed);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new UsageError(
    `${option}: "${text}" is not a time`,
    'Use a date (2026-05-01), a local time (2026-05-01 10:00), an ISO time with a zone, today, yesterday, or an age such as 24h or 7d',
  );
}

/**
 * An order system's timestamp → ISO UTC. Without a zone it is China time (UTC+8), which is what
 * Chinese order systems export; with "Z" or an offset it is taken as written.
 */
export function parseOrderTime(text: string): string | undefined {
  const trimmed = text.trim();
  const local = LOCAL.exec(trimmed);
  if (local) {
    const [, y, mo, d, h = '00', mi = '00', s = '00'] = local;
    const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}+08:00`);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed)) {
    const date = new Date(trimmed);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  return undefined;
}
