import { validationProblems } from './errors';
import type { SourceOrder } from './orders-file';

/**
 * How an import reports an order the server refused for what it is (not for the connection):
 * one rule for `ops orders import` and the console's upload, so both give the same report.
 * A conflict: the order is there with other content (never changed by an import). Undefined: not
 * a refusal of this order (the server is gone, the key refused, …).
 */
export function refusedOrder(
  code: string,
  message: string,
  entry: SourceOrder,
): { kind: 'invalid'; code: string; reason: string } | { kind: 'conflict'; reason: string } | undefined {
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
