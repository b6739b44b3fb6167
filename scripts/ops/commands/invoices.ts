import type { Command } from 'commander';
import { INVOICE_STATE_LABELS } from '../../../shared/src/labels';
import { INVOICE_STATES, type InvoiceState } from '../../../shared/src/invoice-state';
import type { AdminInvoice, AdminInvoiceDetail } from '../../../shared/src/contract';
import type { AdminClient } from '../client';
import type { Context } from '../context';
import { CliError, namingFlags, UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import { fields, json, localTime, plural, table, yuan } from '../format';
import { parseWhen } from '../time';
import { fetchInvoices, parsePageSize, parseStatuses, SERVER_PAGE } from '../invoice-query';

const ID = /^ir_[0-9a-z]{16}$/;
const ORDER_NO = /^[0-9A-Za-z_-]{1,32}$/;
const DEFAULT_LIMIT = 100;

export function registerInvoices(program: Command, ctx: Context): Command {
  const invoices = program
    .command('invoices')
    .summary('invoice requests: list, show, reject, retry, offset, reconcile')
    .description(
      'Invoice requests (one per buyer application). <id> is the request id (ir_…); an order number works too when that order has a single request.',
    );

  invoices
    .command('list')
    .description('List invoice requests, newest first, by state and creation date (the server filters and pages)')
    .option('--status <states>', `comma-separated states: ${INVOICE_STATES.join(', ')}`)
    .option('--attention', 'only the requests that need a human (with the reason)')
    .option('--order <orderNo>', 'only this order')
    .option('--since <when>', 'created at or after: 2026-05-01, "2026-05-01 10:00", today, 24h, 7d …')
    .option('--until <when>', 'created before (same forms)')
    .option('--limit <n>', 'at most this many, the newest (default 100)')
    .option('--all', 'every matching request, however many (follows the server’s pages)')
    .option('--page-size <n>', `requests asked of the server per call (1-${SERVER_PAGE})`, String(SERVER_PAGE))
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  ops invoices list --status ISSUE_FAILED\n  ops invoices list --attention\n  ops invoices list --status ISSUING,ISSUED --since 7d --all --json',
    )
    .action(async (opts: { status?: string; attention?: boolean; order?: string; since?: string; until?: string; limit?: string; all?: boolean; pageSize: string; json?: boolean }) => {
      if (opts.all && opts.limit !== undefined) throw new UsageError('--all and --limit exclude each other', 'Use --all for every match, or --limit <n> for the newest n');
      const limit = opts.all ? undefined : Number(opts.limit ?? DEFAULT_LIMIT);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit: "${opts.limit}" is not a whole number from 1`);
      const pageSize = parsePageSize(opts.pageSize);
      if (opts.order !== undefined && !ORDER_NO.test(opts.order)) throw new UsageError(`--order: "${opts.order}" is not an order number (1-32 of [0-9A-Za-z_-])`);
      const filter = {
        statuses: opts.status ? parseStatuses(opts.status) : undefined,
        attention: opts.attention,
        orderNo: opts.order,
        since: opts.since ? parseWhen(opts.since, '--since') : undefined,
        until: opts.until ? parseWhen(opts.until, '--until') : undefined,
      };
      const { invoices: found, more } = await fetchInvoices(ctx.client(), filter, { limit, pageSize });
      if (opts.json) {
        if (more) ctx.note(`note: these are the newest ${found.length}; more match (raise --limit or use --all)`);
        return ctx.out(json(found));
      }
      if (!found.length) return ctx.out('No invoice requests match.');
      ctx.out(opts.attention ? attentionTable(found) : invoiceTable(found));
      ctx.out();
      ctx.out(more ? `${plural(found.length, 'request')} (the newest; more match: raise --limit or use --all)` : plural(found.length, 'request'));
    });

  invoices
    .command('show')
    .argument('<id>', 'invoice request id (ir_…) or order number')
    .description('One invoice request: its details, state history and the admin actions on it')
    .option('--json', 'print JSON')
    .action(async (arg: string, opts: { json?: boolean }) => {
      const client = ctx.client();
      const id = await resolveId(ctx, client, arg, 'show');
      const request = await client.getInvoice(id);
      if (opts.json) return ctx.out(json(request));
      ctx.out(describeInvoice(request));
    });

  invoices
    .command('reject')
    .argument('<id>', 'invoice request id (ir_…) or order number')
    .description(
      'Refuse to issue (rejectinsert). WeChat allows it only after the buyer authorized: AUTHORIZED or ISSUE_FAILED. The buyer sees the reason and may apply again.',
    )
    .requiredOption('--reason <text>', 'shown to the buyer (1-200 characters)')
    .option('--url <url>', 'a page with more information for the buyer')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  ops invoices reject ir_0123456789abcdef --reason "抬头有误，请重新申请"')
    .action(async (arg: string, opts: { reason: string; url?: string; json?: boolean }) => {
      const client = ctx.client();
      const id = await resolveId(ctx, client, arg, 'reject');
      const result = await namingFlags({ reason: '--reason (1-200 characters)', url: '--url' }, () => client.reject(id, opts.reason, opts.url));
      if (opts.json) return ctx.out(json(result));
      ctx.out(moved(result));
      ctx.out('WeChat tells the buyer the reason; they may apply again (a new request).');
    });

  invoices
    .command('retry')
    .argument('<id>', 'invoice request id (ir_…) or order number')
    .description(
      'Try again once the cause is fixed: ISSUE_FAILED issues again (same fpqqlsh, as WeChat requires), OFFSET_FAILED offsets again, and a request flagged as needing attention is looked at again now. Clears the flag.',
    )
    .option('--json', 'print JSON')
    .action(async (arg: string, opts: { json?: boolean }) => {
      const client = ctx.client();
      const result = await client.retry(await resolveId(ctx, client, arg, 'retry'));
      if (opts.json) return ctx.out(json(result));
      ctx.out(moved(result));
      ctx.out(`The worker issues it again now; follow it with: ops invoices show ${result.id}`);
    });

  invoices
    .command('resolve')
    .argument('<id>', 'invoice request id (ir_…) or order number')
    .description('Clear the needs-attention flag of a request you settled by hand (its state stays); the note is kept in the audit log')
    .requiredOption('--note <text>', 'what was done (1-500 characters)')
    .option('--json', 'print JSON')
    .action(async (arg: string, opts: { note: string; json?: boolean }) => {
      const client = ctx.client();
      const id = await resolveId(ctx, client, arg, 'resolve');
      const result = await namingFlags({ note: '--note (1-500 characters)' }, () => client.resolve(id, opts.note));
      if (opts.json) return ctx.out(json(result));
      ctx.out(`${result.id} (order ${result.orderNo}): ${result.status}, no longer needs attention`);
    });

  invoices
    .command('offset')
    .argument('<id>', 'invoice request id (ir_…) or order number')
    .description('Offset (红冲) an ISSUED invoice with a red one, after a refund')
    .option('--json', 'print JSON')
    .action(async (arg: string, opts: { json?: boolean }) => {
      const client = ctx.client();
      const result = await client.offset(await resolveId(ctx, client, arg, 'offset'));
      if (opts.json) return ctx.out(json(result));
      ctx.out(moved(result));
      ctx.out(`The worker issues the red invoice now (OFFSETTING → OFFSET); follow it with: ops invoices show ${result.id}`);
    });

  return invoices;
}

/** An id as given, or the single request of an order number. */
async function resolveId(ctx: Context, client: AdminClient, arg: string, action: string): Promise<string> {
  if (ID.test(arg)) return arg;
  if (!ORDER_NO.test(arg)) throw new UsageError(`"${arg}" is neither an invoice request id (ir_ and 16 characters) nor an order number`);
  // An order has a handful of requests: one page holds them all.
  const { invoices: requests } = await client.listInvoices({ orderNo: arg, limit: SERVER_PAGE });
  const [newest] = requests;
  if (!newest) throw new CliError(`order ${arg} has no invoice request`, EXIT.NOT_FOUND, 'Check the order number; ops invoices list --order <orderNo>');
  if (requests.length === 1) return newest.id;
  const all = requests.map((r) => `${r.id} (${r.status})`).join(', ');
  if (action === 'show') {
    ctx.note(`note: order ${arg} has ${requests.length} requests (${all}); showing the newest`);
    return newest.id;
  }
  throw new UsageError(`order ${arg} has ${requests.length} invoice requests: ${all}`, `Give the id: ops invoices ${action} <ir_…>`);
}

function stateText(status: InvoiceState): string {
  return `${status} ${INVOICE_STATE_LABELS[status].text}`;
}

function titleOf(r: AdminInvoice): string {
  if (!r.title) return '';
  return [r.title.name, r.title.taxNumber].filter(Boolean).join(' ');
}

/** The requests that need a human: why, since when, and what WeChat said last. */
function attentionTable(requests: AdminInvoice[]): string {
  return table(
    ['id', 'order no', 'status', 'reason', 'last WeChat answer', 'since'],
    requests.map((r) => {
      const last = r.attention?.answers[r.attention.answers.length - 1];
      return [r.id, r.orderNo, r.status, r.attention ? `${r.attention.code}: ${r.attention.reason}` : '', last ? `${last.call} ${last.errcode} ${last.summary}` : '', localTime(r.attention?.since)];
    }),
    { maxCellWidth: 60 },
  );
}

function invoiceTable(requests: AdminInvoice[]): string {
  return table(
    ['id', 'order no', 'status', 'type', 'amount', 'title', 'created'],
    requests.map((r) => [r.id, r.orderNo, r.status, String(r.type), yuan(r.amount), titleOf(r), localTime(r.createdAt)]),
    { align: ['left', 'left', 'left', 'right', 'right', 'left', 'left'], maxCellWidth: 40 },
  );
}

/** "company: 福州示例科技有限公司, taxNumber 9135…, phone …" */
function describeTitle(title: Record<string, string>): string {
  const { kind, name, ...rest } = title;
  return [`${kind ?? '?'}: ${name ?? ''}`, ...Object.entries(rest).map(([k, v]) => `${k} ${v}`)].join(', ');
}

function moved(r: AdminInvoice): string {
  const last = r.history[r.history.length - 1];
  const move = last ? `${last.from ?? '–'} → ${last.to}` : r.status;
  return `${r.id} (order ${r.orderNo}): ${move}`;
}

function describeInvoice(r: AdminInvoiceDetail): string {
  const invoice = r.invoice ? `${r.invoice.fpdm} / ${r.invoice.fphm}, issued ${r.invoice.kprq}` : undefined;
  const offset = r.offset ? `fpqqlsh ${r.offset.fpqqlsh}${r.offset.invoice ? `, red invoice ${r.offset.invoice.fpdm} / ${r.offset.invoice.fphm}` : ''}` : undefined;
  const lines = [
    `Invoice request ${r.id}`,
    fields([
      ['Order', `${r.orderNo}   (WeChat order_id ${r.wxOrderId})`],
      ['Buyer', r.openid],
      ['Type', r.type === 1 ? '1 (title entered on WeChat’s page)' : `${r.type} (title given in the Mini Program)`],
      ['Amount', yuan(r.amount)],
      ['Status', stateText(r.status)],
      ['Title', r.title ? describeTitle(r.title) : undefined],
      ['fpqqlsh', r.fpqqlsh],
      ['Invoice', invoice],
      ['PDF', r.invoice?.pdfUrl],
      ['Offset', offset],
      ['Reject reason', r.rejectReason],
      ['Custom fields', r.customFields?.map((f) => `${f.key}=${f.value}`).join(', ')],
      ['NEEDS ATTENTION', r.attention ? `${r.attention.code}: ${r.attention.reason} (since ${localTime(r.attention.since)}, in ${r.attention.state})` : undefined],
      ['Last error', r.lastError ? `${r.lastError.code}: ${r.lastError.message} (${localTime(r.lastError.at)})` : undefined],
      ['Created', localTime(r.createdAt)],
      ['Authorized', localTime(r.authorizedAt)],
      ['Next action', localTime(r.nextActionAt)],
      ['Attempts', String(r.attempts)],
    ]),
    '',
    'History',
    table(
      ['at', 'from', 'to', 'event', 'by', 'detail'],
      r.history.map((h) => [localTime(h.at), h.from ?? '–', h.to, h.event, h.by, h.detail ?? '']),
      { indent: '  ', maxCellWidth: 80 },
    ),
  ];
  const answers = r.attention?.answers.length ? r.attention.answers : (r.answers ?? []);
  if (answers.length) {
    lines.push(
      '',
      'WeChat’s last answers',
      table(
        ['at', 'call', 'errcode', 'answer'],
        answers.map((a) => [localTime(a.at), a.call, String(a.errcode), a.summary]),
        { indent: '  ', maxCellWidth: 80 },
      ),
    );
  }
  if (r.audit.length) {
    lines.push(
      '',
      'Admin actions',
      table(
        ['at', 'actor', 'action', 'detail'],
        r.audit.map((a) => [localTime(a.at), a.actor, a.action, a.detail ? JSON.stringify(a.detail) : '']),
        { indent: '  ', maxCellWidth: 80 },
      ),
    );
  }
  return lines.join('\n');
}
