import fs from 'node:fs';
import path from 'node:path';
import { parseYuan } from '../../shared/src/money';
import type { OrderInput } from '../../shared/src/contract';
import { CliError, UsageError } from './errors';
import { EXIT } from './exit-codes';
import { parseOrderTime } from './time';

/**
 * Orders from a file, ready to POST: from CSV (one row per line item, as order systems export
 * them) or JSON (an array of the API's order objects). Rows that cannot be read are kept with a
 * problem, so the import reports them instead of stopping; the server validates everything else.
 */
export interface SourceOrder {
  /** "line 12", "lines 12-14" (CSV) or "#3" (JSON, 1-based). */
  where: string;
  orderNo?: string;
  /** CSV: the line of each item, in order, so the server's "items.N" can name the line. */
  itemLines?: number[];
  /** The request body, unless `problem` says why there is none. */
  order?: OrderInput | Record<string, unknown>;
  problem?: string;
}

export interface OrdersFile {
  format: 'csv' | 'json';
  /** Data rows (CSV) or array elements (JSON). */
  rows: number;
  orders: SourceOrder[];
  /** CSV columns that are not part of the format (left alone). */
  ignoredColumns: string[];
}

/** The CSV columns, by canonical name; a header matches ignoring case, spaces, "_" and "-". */
export const CSV_COLUMNS = {
  orderNo: { aliases: ['orderno'], required: true, help: 'order number, 1-32 of [0-9A-Za-z_-]; rows with the same orderNo are one order' },
  openid: { aliases: ['openid'], required: true, help: "the buyer's openid in the Mini Program" },
  amount: { aliases: ['amount', 'total', 'ordertotal'], required: false, help: 'order total in yuan, e.g. 143.00 (or amountFen in fen); the lines must add up to it' },
  amountFen: { aliases: ['amountfen'], required: false, help: 'order total in fen (instead of amount)' },
  createdAt: { aliases: ['createdat', 'ordertime'], required: false, help: 'optional; ISO 8601, or "2026-05-01 10:00:00" read as China time (UTC+8)' },
  name: { aliases: ['name', 'itemname', 'goodsname'], required: true, help: 'line item name as printed on the invoice' },
  spbm: { aliases: ['spbm', 'taxcode'], required: true, help: '19-digit tax classification code (税收分类编码); keep it as text' },
  quantity: { aliases: ['quantity', 'qty'], required: true, help: 'quantity, a positive decimal' },
  unitPrice: { aliases: ['unitprice', 'price'], required: false, help: 'unit price including tax, in yuan (or unitPriceFen in fen)' },
  unitPriceFen: { aliases: ['unitpricefen'], required: false, help: 'unit price in fen (instead of unitPrice)' },
  taxRate: { aliases: ['taxrate', 'rate'], required: true, help: 'VAT rate: 0.13 or 13%' },
} as const;
type Column = keyof typeof CSV_COLUMNS;

export async function readOrdersFile(file: string): Promise<OrdersFile> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return parseOrdersJson(text, file);
  if (ext === '.csv' || ext === '.txt') return parseOrdersCsv(text, file);
  throw new UsageError(`${file}: the file name must end in .csv or .json`);
}

// ── JSON ─────────────────────────────────────────────────────────────────────────────────────────

export function parseOrdersJson(text: string, file = 'input'): OrdersFile {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`, EXIT.VALIDATION);
  }
  const list = Array.isArray(data) ? data : (data as { orders?: unknown } | null)?.orders;
  if (!Array.isArray(list)) throw new CliError(`${file}: expected an array of orders (or {"orders": [...]})`, EXIT.VALIDATION);
  const orders = list.map((element: unknown, i): SourceOrder => {
    const where = `#${i + 1}`;
    if (typeof element !== 'object' || element === null || Array.isArray(element)) return { where, problem: 'not an order object' };
    const orderNo = (element as { orderNo?: unknown }).orderNo;
    return { where, ...(typeof orderNo === 'string' ? { orderNo } : {}), order: element as Record<string, unknown> };
  });
  return { format: 'json', rows: list.length, orders, ignoredColumns: [] };
}

// ── CSV ──────────────────────────────────────────────────────────────────────────────────────────

interface Row {
  line: number;
  get(column: Column): string;
}

const normalize = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

export async function parseOrdersCsv(text: string, file = 'input'): Promise<OrdersFile> {
  // Loaded here, not at start-up: only imports need it.
  const { parse: parseCsv } = await import('csv-parse/sync');
  const lines: number[] = [];
  let records: string[][];
  try {
    records = parseCsv(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (record: string[], context: { lines: number }) => {
        lines.push(context.lines);
        return record;
      },
    });
  } catch (err) {
    throw new CliError(`${file} is not valid CSV: ${(err as Error).message}`, EXIT.VALIDATION);
  }
  const [header, ...data] = records;
  if (!header) throw new CliError(`${file} is empty: it needs a header row and one row per line item`, EXIT.VALIDATION, csvHint());

  const index = new Map<Column, number>();
  const ignoredColumns: string[] = [];
  header.forEach((name, i) => {
    const column = (Object.keys(CSV_COLUMNS) as Column[]).find((c) => (CSV_COLUMNS[c].aliases as readonly string[]).includes(normalize(name)));
    if (column && !index.has(column)) index.set(column, i);
    else ignoredColumns.push(name);
  });
  const missing = (Object.keys(CSV_COLUMNS) as Column[]).filter((c) => CSV_COLUMNS[c].required && !index.has(c));
  if (!index.has('amount') && !index.has('amountFen')) missing.push('amount');
  if (!index.has('unitPrice') && !index.has('unitPriceFen')) missing.push('unitPrice');
  if (missing.length) throw new CliError(`${file}: missing columns: ${missing.join(', ')}`, EXIT.VALIDATION, csvHint());

  const rows: Row[] = data.map((cells, i) => ({
    line: lines[i + 1] ?? i + 2,
    get: (column) => {
      const at = index.get(column);
      return at === undefined ? '' : (cells[at] ?? '');
    },
  }));

  // One order per orderNo, in order of first appearance; rows need not be adjacent.
  const groups = new Map<string, Row[]>();
  const orders: SourceOrder[] = [];
  for (const row of rows) {
    const orderNo = row.get('orderNo');
    if (!orderNo) {
      orders.push({ where: `line ${row.line}`, problem: 'orderNo is empty' });
      continue;
    }
    const group = groups.get(orderNo);
    if (group) group.push(row);
    else groups.set(orderNo, [row]);
  }
  for (const [orderNo, group] of groups) orders.push(toOrder(orderNo, group));
  return { format: 'csv', rows: rows.length, orders, ignoredColumns };
}

function csvHint(): string {
  return `CSV columns (one row per line item): ${(Object.keys(CSV_COLUMNS) as Column[]).filter((c) => !c.endsWith('Fen')).join(',')}`;
}

function toOrder(orderNo: string, rows: Row[]): SourceOrder {
  const first = rows[0] as Row;
  const itemLines = rows.map((r) => r.line);
  const where = rows.length === 1 ? `line ${first.line}` : `lines ${itemLines.join(', ')}`;
  const problems: string[] = [];

  // Order-level values are repeated on every row of the order; they must agree.
  const orderValue = (column: Column): string => {
    const values = [...new Set(rows.map((r) => r.get(column)).filter((v) => v !== ''))];
    if (values.length > 1) problems.push(`${column} differs between the rows of this order (${values.join(' / ')})`);
    return values[0] ?? '';
  };
  const openid = orderValue('openid');
  const amountText = orderValue('amount');
  const amountFenText = orderValue('amountFen');
  const createdText = orderValue('createdAt');

  const amount = money(amountText, amountFenText, 'amount', problems);
  let createdAt: string | undefined;
  if (createdText) {
    createdAt = parseOrderTime(createdText);
    if (!createdAt) problems.push(`createdAt: "${createdText}" is not a time (ISO 8601, or 2026-05-01 10:00:00 in China time)`);
  }
  const items = rows.map((row) => {
    const at = rows.length > 1 ? `line ${row.line}: ` : '';
    const quantityText = row.get('quantity');
    if (!/^\d+(\.\d+)?$/.test(quantityText) || Number(quantityText) <= 0) problems.push(`${at}quantity: "${quantityText}" is not a positive number`);
    const spbm = row.get('spbm');
    if (/^\d(\.\d+)?e\+?\d+$/i.test(spbm)) problems.push(`${at}spbm: "${spbm}" was turned into a number by a spreadsheet; export it as text (19 digits)`);
    return {
      name: row.get('name'),
      spbm,
      quantity: Number(quantityText),
      unitPrice: money(row.get('unitPrice'), row.get('unitPriceFen'), `${at}unitPrice`, problems),
      taxRate: taxRate(row.get('taxRate')),
    };
  });
  if (problems.length) return { where, orderNo, itemLines, problem: problems.join('; ') };
  return { where, orderNo, itemLines, order: { orderNo, openid, amount, items, ...(createdAt ? { createdAt } : {}) } };
}

/** A yuan or fen column → fen; records a problem (and returns 0) when it cannot be read. */
function money(yuanText: string, fenText: string, what: string, problems: string[]): number {
  if (fenText !== '') {
    if (/^\d+$/.test(fenText) && Number.isSafeInteger(Number(fenText))) return Number(fenText);
    problems.push(`${what}: "${fenText}" is not a whole number of fen`);
    return 0;
  }
  try {
    const fen = parseYuan(yuanText.replace(/^¥/, '').replace(/,/g, ''));
    // A refund or discount is not an order line: say so here rather than as the server's refusal.
    if (fen < 0) problems.push(`${what}: "${yuanText}" is negative`);
    return fen;
  } catch {
    problems.push(`${what}: "${yuanText}" is not an amount in yuan with at most 2 decimals`);
    return 0;
  }
}

/** "13%" → "0.13", "1.5%" → "0.015"; anything else is passed on for the server to judge. */
export function taxRate(text: string): string {
  const percent = /^(\d{1,3})(?:\.(\d+))?%$/.exec(text);
  if (!percent) return text;
  const [, whole = '', fraction = ''] = percent;
  const digits = (whole + fraction).replace(/^0+/, '') || '0';
  const scale = fraction.length + 2;
  const padded = digits.padStart(scale + 1, '0');
  const result = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`.replace(/\.?0+$/, '');
  return result === '' ? '0' : result;
}
