import type { Command } from 'commander';
import type { InvoiceState } from '../../../shared/src/invoice-state';
import type { AdminInvoice, ReconcileAnswer } from '../../../shared/src/contract';
import type { Context } from '../context';
import { ApiError, CliError, UnreachableError, UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import { json, localTime, plural, table } from '../format';
import { mapPool } from '../pool';
import { parseWhen } from '../time';
import { fetchInvoices, parsePageSize, SERVER_PAGE } from '../invoice-query';

/** The states WeChat can be asked about (queryinvoceinfo). */
const RECONCILED: InvoiceState[] = ['ISSUING', 'ISSUED', 'OFFSETTING', 'OFFSET_FAILED'];

type Finding =
  | { id: string; orderNo: string; status: InvoiceState; verdict: ReconcileAnswer['verdict']; detail: string; wechat: ReconcileAnswer['wechat'] }
  | { id: string; orderNo: string; status: InvoiceState; verdict: 'moved'; detail: string }
  | { id: string; orderNo: string; status: InvoiceState; verdict: 'unchecked'; code: string; detail: string };

interface ReconcileReport {
  since: string;
  until?: string;
  checked: number;
  ok: number;
  mismatch: Finding[];
  stuck: Finding[];
  /** Could not be asked (WeChat unavailable, …): a human should look again. */
  unchecked: Finding[];
  /** Changed state while we looked: nothing to do. */
  moved: number;
  /** Requests flagged as needing attention (any state, any age): ops invoices list --attention. */
  attention: number;
  needsHuman: boolean;
}

export function registerReconcile(invoices: Command, ctx: Context): void {
  invoices
    .command('reconcile')
    .description(
      'Ask WeChat (through the server) about every request in ISSUING, ISSUED, OFFSETTING or OFFSET_FAILED created in the period, and report where it disagrees (mismatch) or nothing has moved for over 30 minutes (stuck); counts the requests flagged as needing attention. Exits 1 when something needs a human.',
    )
    .requiredOption('--since <when>', 'created at or after: 2026-05-01, "2026-05-01 10:00", today, 24h, 7d …')
    .option('--until <when>', 'created before (same forms)')
    .option('--concurrency <n>', 'requests asked about at a time (1-16)', '4')
    .option('--page-size <n>', `requests listed per call to the server (1-${SERVER_PAGE}); every page is read`, String(SERVER_PAGE))
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
A mismatch on a request still ISSUING means WeChat issued it but the server had not recorded it
yet: the server wakes its worker, which records it. Other mismatches (numbers differ, WeChat says
failed) and stuck requests need a human: ops invoices show <id>.

Every request in the period is checked, however many: the list is read from the server a
page at a time.

Exit codes: 0 all agree; 1 something needs a human (mismatch, stuck, or not checked); 3, 4 …
as for every command.

Example (cron, daily):
  ops invoices reconcile --since 2d --json > reconcile.json || notify-ops`,
    )
    .action(async (opts: { since: string; until?: string; concurrency: string; pageSize: string; json?: boolean }) => {
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) throw new UsageError(`--concurrency: "${opts.concurrency}" is not a whole number from 1 to 16`);
      const pageSize = parsePageSize(opts.pageSize);
      const since = parseWhen(opts.since, '--since');
      const until = opts.until ? parseWhen(opts.until, '--until') : undefined;
      const client = ctx.client();
      const { invoices } = await fetchInvoices(client, { statuses: RECONCILED, since, ...(until ? { until } : {}) }, { pageSize });
      if (!opts.json) ctx.note(`Reconciling ${plural(invoices.length, 'request')} in ${RECONCILED.join(', ')} created since ${localTime(since.toISOString())} with WeChat…`);

      const progress = ctx.progress('reconciling', invoices.length);
      let fatal: CliError | undefined;
      const findings = await mapPool(
        invoices,
        concurrency,
        async (request): Promise<Finding | undefined> => {
          try {
            return await check(request);
          } catch (err) {
            // The server itself is gone or refuses us: stop asking; everything else is per request.
            fatal ??= err instanceof CliError ? err : new CliError(String(err), EXIT.UNEXPECTED);
            return undefined;
          } finally {
            progress.tick();
          }
        },
        () => fatal !== undefined,
      );
      progress.finish();
      if (fatal) throw fatal;

      const flagged = await fetchInvoices(client, { attention: true }, { pageSize });
      const report = summarize(findings.filter((f): f is Finding => f !== undefined), since, until, flagged.invoices.length);
      if (opts.json) ctx.out(json(report));
      else print(ctx, report);
      if (report.needsHuman) ctx.exitCode = EXIT.ATTENTION;

      async function check(request: AdminInvoice): Promise<Finding> {
        const base = { id: request.id, orderNo: request.orderNo, status: request.status };
        try {
          const answer = await client.reconcile(request.id);
          return { ...base, status: answer.status, verdict: answer.verdict, detail: answer.detail, wechat: answer.wechat };
        } catch (err) {
          if (err instanceof UnreachableError || (err instanceof ApiError && (err.exitCode === EXIT.AUTH || err.exitCode === EXIT.UNREACHABLE))) throw err;
          if (err instanceof ApiError && err.code === 'INVALID_STATE_TRANSITION') return { ...base, verdict: 'moved', detail: err.serverMessage };
          if (err instanceof ApiError) return { ...base, verdict: 'unchecked', code: err.code, detail: err.serverMessage };
          throw err;
        }
      }
    });
}

function summarize(findings: Finding[], since: Date, until: Date | undefined, attention: number): ReconcileReport {
  const mismatch = findings.filter((f) => f.verdict === 'mismatch');
  const stuck = findings.filter((f) => f.verdict === 'stuck');
  const unchecked = findings.filter((f) => f.verdict === 'unchecked');
  return {
    since: since.toISOString(),
    ...(until ? { until: until.toISOString() } : {}),
    checked: findings.length - unchecked.length,
    ok: findings.filter((f) => f.verdict === 'ok').length,
    mismatch,
    stuck,
    unchecked,
    moved: findings.filter((f) => f.verdict === 'moved').length,
    attention,
    needsHuman: mismatch.length + stuck.length + unchecked.length + attention > 0,
  };
}

function print(ctx: Context, r: ReconcileReport): void {
  const problems = [...r.mismatch, ...r.stuck, ...r.unchecked];
  if (problems.length) {
    ctx.out(
      table(
        ['verdict', 'id', 'order no', 'status', 'detail'],
        problems.map((f) => [f.verdict.toUpperCase(), f.id, f.orderNo, f.status, f.detail]),
        { maxCellWidth: 120 },
      ),
    );
    ctx.out();
  }
  const moved = r.moved ? `, ${r.moved} moved on meanwhile` : '';
  ctx.out(`Checked ${r.checked}: ${r.ok} ok, ${r.mismatch.length} mismatch, ${r.stuck.length} stuck${moved}; ${r.unchecked.length} could not be checked.`);
  if (r.attention) ctx.out(`${plural(r.attention, 'request')} flagged as needing attention: ops invoices list --attention`);
  ctx.out(r.needsHuman ? 'Needs a human: see above (ops invoices show <id>).' : 'WeChat agrees with every request, and none needs attention.');
}
