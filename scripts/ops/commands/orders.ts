import type { Command } from 'commander';
import type { AdminClient } from '../client';
import type { Context } from '../context';
import { ApiError, CliError, UnreachableError, UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import { json, plural, table } from '../format';
import { CSV_COLUMNS, readOrdersFile, type SourceOrder } from '../orders-file';
import { refusedOrder, summarizeImport, type ImportOutcome, type ImportSummary } from '../import-outcome';
import { mapPool } from '../pool';


const CSV_HELP = `
CSV: one row per line item, as order systems export them; rows with the same orderNo are one
order (they need not be adjacent) and repeat its order-level columns. A header row names the
columns, in any order (case, spaces, "_" and "-" are ignored); other columns are ignored.
${Object.entries(CSV_COLUMNS)
  .map(([name, c]) => `  ${name.padEnd(13)} ${c.help}`)
  .join('\n')}

  orderNo,openid,amount,createdAt,name,spbm,quantity,unitPrice,taxRate
  A-1001,oAbC…,143.00,2026-05-01 10:00:00,办公椅,1050201010000000000,2,56.50,13%
  A-1001,oAbC…,143.00,2026-05-01 10:00:00,订书机,1080212990000000000,3,10.00,13%

JSON: an array of the admin API's order objects (amounts in fen):
  [{"orderNo":"A-1001","openid":"oAbC…","amount":14300,"createdAt":"2026-05-01T02:00:00Z",
    "items":[{"name":"办公椅","spbm":"1050201010000000000","quantity":2,"unitPrice":5650,"taxRate":"0.13"}, …]}]

Idempotent: an order already there unchanged is skipped, so a failed or repeated import can
simply be run again. Rows the server refuses are reported with the reason and not imported; the
exit code is then ${EXIT.VALIDATION}. An order already there with different content (another
openid, amount or line) is a conflict, reported with the fields that differ and never changed by
an import; the exit code is then ${EXIT.CONFLICT} (unless rows were also invalid).`;

export function registerOrders(program: Command, ctx: Context): void {
  const orders = program.command('orders').summary('orders from the order system').description('Orders from the order system.');
  orders
    .command('import')
    .argument('<file>', 'orders.csv or orders.json')
    .description('Import orders from a CSV or JSON file (idempotent): prints created / skipped / invalid with the reasons')
    .option('--concurrency <n>', 'orders sent at a time (1-32)', '8')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', CSV_HELP)
    .action(async (file: string, opts: { concurrency: string; json?: boolean }) => {
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new UsageError(`--concurrency: "${opts.concurrency}" is not a whole number from 1 to 32`);
      const source = await readOrdersFile(file);
      if (source.ignoredColumns.length) ctx.note(`note: ignoring columns ${source.ignoredColumns.join(', ')}`);
      const client = ctx.client();
      const { summary, fatal } = await importOrders(ctx, client, file, source.format, source.rows, source.orders, concurrency);
      if (opts.json) ctx.out(json(summary));
      else printSummary(ctx, summary);
      if (fatal) {
        throw new CliError(
          `import stopped after ${summary.created + summary.skipped + summary.invalid.length + summary.conflicts.length} of ${summary.orders} orders: ${fatal.message}`,
          fatal.exitCode,
          `${fatal.hint ? `${fatal.hint}. ` : ''}Run the same command again once fixed: orders already imported are skipped`,
        );
      }
      if (summary.invalid.length) ctx.exitCode = EXIT.VALIDATION;
      else if (summary.conflicts.length) ctx.exitCode = EXIT.CONFLICT;
    });
}

async function importOrders(
  ctx: Context,
  client: AdminClient,
  file: string,
  format: 'csv' | 'json',
  rows: number,
  orders: SourceOrder[],
  concurrency: number,
): Promise<{ summary: ImportSummary; fatal?: CliError }> {
  const progress = ctx.progress('importing', orders.length);
  let fatal: CliError | undefined;
  const outcomes = await mapPool(
    orders,
    concurrency,
    async (entry): Promise<ImportOutcome> => {
      try {
        if (!entry.order) return { kind: 'invalid', code: 'ROW_UNREADABLE', reason: entry.problem ?? 'cannot be read' };
        try {
          const { created } = await withRetries(() => client.putOrder(entry.order as Record<string, unknown>));
          return { kind: created ? 'created' : 'skipped' };
        } catch (err) {
          const invalid = asInvalid(err, entry);
          if (invalid) return invalid;
          // Unreachable for good, key refused, …: start nothing more; the lanes finish what they hold.
          fatal ??= err instanceof CliError ? err : new CliError(String(err), EXIT.UNEXPECTED);
          return { kind: 'failed' };
        }
      } finally {
        progress.tick();
      }
    },
    () => fatal !== undefined,
  );
  progress.finish();
  const summary = summarizeImport({ file, format, rows }, orders, outcomes);
  return fatal ? { summary, fatal } : { summary };
}

/** The server refused this order for what it is (not because of the connection): report it. */
function asInvalid(err: unknown, entry: SourceOrder): ImportOutcome | undefined {
  if (!(err instanceof ApiError)) return undefined;
  return refusedOrder(err.code, err.serverMessage, entry);
}

/** Retries what may pass a moment later (connection trouble, the server busy): 3 more tries. */
async function withRetries<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const retryable = err instanceof UnreachableError || (err instanceof ApiError && err.transient);
      if (!retryable || attempt >= 3) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
}

function printSummary(ctx: Context, s: ImportSummary): void {
  const width = String(s.orders).length;
  ctx.out(`${s.file}: ${plural(s.orders, 'order')} in ${plural(s.rows, s.format === 'csv' ? 'row' : 'element')}`);
  ctx.out(`  created  ${String(s.created).padStart(width)}`);
  ctx.out(`  skipped  ${String(s.skipped).padStart(width)}   already there, unchanged`);
  ctx.out(`  invalid  ${String(s.invalid.length).padStart(width)}   not imported`);
  if (s.conflicts.length) ctx.out(`  conflict ${String(s.conflicts.length).padStart(width)}   already there with other content, left unchanged`);
  if (s.notAttempted) ctx.out(`  not sent ${String(s.notAttempted).padStart(width)}   the import stopped`);
  if (s.invalid.length) {
    ctx.out();
    ctx.out('Invalid (not imported):');
    ctx.out(table(['where', 'order no', 'reason'], s.invalid.map((i) => [i.where, i.orderNo ?? '', i.reason]), { indent: '  ', maxCellWidth: 120 }));
  }
  if (s.conflicts.length) {
    ctx.out();
    ctx.out('Conflicts (already there with other content; fix the file or the order system):');
    ctx.out(table(['where', 'order no', 'reason'], s.conflicts.map((c) => [c.where, c.orderNo ?? '', c.reason]), { indent: '  ', maxCellWidth: 120 }));
  }
}
