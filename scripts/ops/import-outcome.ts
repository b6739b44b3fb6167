import { validationProblems } from './errors';
import type { SourceOrder } from './orders-file';

/** What became of one order of an import; `failed`: not sent for good (the import stopped). */
export type ImportOutcome =
  | { kind: 'created' }
  | { kind: 'skipped' }
  | { kind: 'invalid'; code: string; reason: string }
  | { kind: 'conflict'; reason: string }
  | { kind: 'failed' };

/** The created/skipped/invalid report of an import, as `ops orders import` and the console show it. */
export interface ImportSummary {
  file: string;
  format: 'csv' | 'json';
  rows: number;
  orders: number;
  created: number;
  skipped: number;
  invalid: { where: string; orderNo?: string; code: string; reason: string }[];
  /** Orders already there with other content (ORDER_ALREADY_EXISTS): never changed by an import. */
  conflicts: { where: string; orderNo?: string; reason: string }[];
  /** Orders not attempted because the import stopped (server unreachable, key refused). */
  notAttempted: number;
}

/** Counts each order's outcome (undefined: never started) into the report, in the file's order. */
export function summarizeImport(
  source: { file: string; format: 'csv' | 'json'; rows: number },
  orders: readonly SourceOrder[],
  outcomes: readonly (ImportOutcome | undefined)[],
): ImportSummary {
  const summary: ImportSummary = { ...source, orders: orders.length, created: 0, skipped: 0, invalid: [], conflicts: [], notAttempted: 0 };
  orders.forEach((entry, i) => {
    const outcome = outcomes[i];
    const where = { where: entry.where, ...(entry.orderNo ? { orderNo: entry.orderNo } : {}) };
    if (!outcome || outcome.kind === 'failed') summary.notAttempted += 1;
    else if (outcome.kind === 'created') summary.created += 1;
    else if (outcome.kind === 'skipped') summary.skipped += 1;
    else if (outcome.kind === 'conflict') summary.conflicts.push({ ...where, reason: outcome.reason });
    else summary.invalid.push({ ...where, code: outcome.code, reason: outcome.reason });
  });
  return summary;
}

/**
 * How an import reports an order the server refused for what it is (not for the connection):
 * one rule for `ops orders import` and the console's upload, so both give the same report.
 * A conflict: the order is there with other content (never changed by an import). Undefined: not
 * a refusal of this order (the server is gone, the key refused, …).
 */
export function refusedOrder(code: string, message: string, entry: SourceOrder): Extract<ImportOutcome, { kind: 'invalid' | 'conflict' }> | undefined {
  switch (code) {
    case 'VALIDATION_FAILED':
    case 'ORDER_AMOUNT_INVALID':
      return { kind: 'invalid', code, reason: describeProblems(message, entry) };
    case 'TAX_NUMBER_INVALID':
    case 'MALFORMED_BODY':
    case 'BODY_TOO_LARGE':
      return { kind: 'invalid', code, reason: message };
    case 'ORDER_ALREADY_EXISTS':
      return { kind: 'conflict', reason: message };
    default:
      return undefined;
  }
}

/**
 * The server's problems, with CSV line numbers for its "items.N…": "items.1.spbm" is
 * "line 14 spbm" for an order of several rows, plain "spbm" for an order of one row.
 */
function describeProblems(message: string, entry: SourceOrder): string {
  return validationProblems(message)
    .map(({ field, problem }) => {
      const item = /^items\.(\d+)(?:\.(.+))?$/.exec(field);
      const line = item && entry.itemLines ? entry.itemLines[Number(item[1])] : undefined;
      let name = field;
      if (item && line !== undefined) {
        const single = entry.itemLines?.length === 1;
        name = [single ? '' : `line ${line}`, item[2] ?? (single ? 'item' : '')].filter(Boolean).join(' ');
      }
      return name ? `${name}: ${problem}` : problem;
    })
    .join('; ');
}
