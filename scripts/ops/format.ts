import { formatYuan } from '../../shared/src/money';

/** Columns a string takes in a terminal: CJK and fullwidth characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x300 && code <= 0x36f) || code === 0x200b) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Cuts text to at most `max` columns, ending in "…" when cut. */
function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = '';
  for (const char of text) {
    if (displayWidth(out + char) > max - 1) break;
    out += char;
  }
  return `${out}…`;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

export interface TableOptions {
  /** Per column; left unless said. */
  align?: ('left' | 'right')[];
  /** A cell wider than this is cut with "…" (default 60). */
  maxCellWidth?: number;
  indent?: string;
}

/** A plain-text table: a header row, then the rows, columns two spaces apart. */
export function table(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const max = options.maxCellWidth ?? 60;
  const cells = rows.map((row) => headers.map((_, i) => truncate((row[i] ?? '').replace(/\s*\n\s*/g, ' '), max)));
  const widths = headers.map((header, i) => Math.max(displayWidth(header), ...cells.map((row) => displayWidth(row[i] ?? ''))));
  const line = (row: string[]) =>
    (options.indent ?? '') +
    row
      .map((cell, i) => pad(cell, i === row.length - 1 && options.align?.[i] !== 'right' ? 0 : (widths[i] ?? 0), options.align?.[i] ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** "label   value" lines with the values aligned; entries without a value are left out. */
export function fields(entries: [string, string | undefined][], indent = '  '): string {
  const present = entries.filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  const width = Math.max(0, ...present.map(([label]) => displayWidth(label)));
  return present.map(([label, value]) => `${indent}${pad(label, width, 'left')}  ${value}`).join('\n');
}

/** Fen for people: 11300 → "¥113.00". */
export function yuan(fen: number): string {
  return formatYuan(fen);
}

const two = (n: number) => String(n).padStart(2, '0');

/** An ISO time in this machine's time zone: "2026-05-01 10:00:00". */
export function localTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** A duration in seconds for people: 3600 → "1h", 5400 → "1h30m", 90 → "1m30s". */
export function humanSeconds(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || '0s';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Output as JSON (stable, indented), for `--json`. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
