import fs from 'node:fs';
import type { Command } from 'commander';
import type { AuthFieldsSetting, ContactSetting, SettingView } from '../../../shared/src/contract';
import type { AdminClient } from '../client';
import type { Context } from '../context';
import { CliError, namingFlags, UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import { fields, humanSeconds, json, localTime, table } from '../format';
import { parseDurationSeconds } from '../time';

export const SETUP_ORDER = `WeChat needs a merchant set up in this order:
  1. ops platform seturl      once, for a merchant that is its own invoicing platform: gives the
                              s_pappid the server's INVOICE_S_PAPPID must be set to
  2. ops settings contact     before any authorization URL (else WeChat answers 72063)
  3. ops settings auth-fields before type 1 requests, where WeChat's page collects the title (72029)
  4. ops settings pay-mch     only for invoicing after WeChat Pay`;

const AUTH_FIELDS_EXAMPLE = `Example file (YAML; JSON in the same shape works too; true/false or 1/0):

  user_field:            # personal titles (个人)
    show_title: true
    show_phone: true
    show_email: true
    require_email: false
  biz_field:             # company titles (单位)
    show_title: true
    show_tax_no: true
    require_tax_no: true
    show_addr: true
    show_phone: true
    show_bank_type: true
    show_bank_no: true
    custom_field:
      - { key: 工号, is_require: 0, notice: 报销用 }

show_X: the page asks for X; require_X: the buyer must fill it in.`;

export function registerSettings(program: Command, ctx: Context): void {
  const settings = program
    .command('settings')
    .summary("the merchant's WeChat settings: contact, auth fields, pay merchant")
    .description(`The merchant's invoicing settings at WeChat, through the server.\n\n${SETUP_ORDER}`);

  settings
    .command('show')
    .description('Show what WeChat has now for the contact, the auth fields and the pay merchant, and what is still missing')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const client = ctx.client();
      const [contact, authFields, payMch] = await Promise.all([client.getContact(), client.getAuthFields(), client.getPayMch()]);
      if (opts.json) {
        ctx.out(json({ contact, authFields, payMch }));
        return;
      }
      ctx.out(`Merchant settings at ${client.server} (as WeChat has them now)`);
      ctx.out();
      ctx.out(
        fields([
          ['Contact', describeContact(contact)],
          ['Auth fields', authFields.value ? `set${setBy(authFields)}` : 'not set'],
          ['Pay merchant', payMch.value ? `mchid ${payMch.value.mchid}, s_pappid ${payMch.value.s_pappid}${setBy(payMch)}` : 'not set'],
        ]),
      );
      if (authFields.value) {
        ctx.out();
        ctx.out(describeAuthFields(authFields.value));
      }
      ctx.out();
      ctx.out(checklist(contact, authFields, payMch));
    });

  settings
    .command('contact')
    .description('Set the merchant contact WeChat requires before it hands out any authorization URL (72063)')
    .requiredOption('--phone <phone>', 'a phone number buyers can call about invoices')
    .requiredOption('--timeout <duration>', 'how long a buyer has to authorize: seconds, or 30m, 2h, 1d (at least 60 s)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  ops settings contact --phone 0591-88888888 --timeout 2h')
    .action(async (opts: { phone: string; timeout: string; json?: boolean }) => {
      const timeOut = parseDurationSeconds(opts.timeout);
      if (timeOut === undefined) throw new UsageError(`--timeout: "${opts.timeout}" is not a duration`, 'Use seconds (3600) or 30m, 2h, 1d');
      const client = ctx.client();
      const result = await namingFlags({ phone: '--phone', timeOut: '--timeout (60 s to 30 days)' }, () => client.putContact({ phone: opts.phone, timeOut }));
      if (opts.json) return ctx.out(json(result));
      ctx.out(`Contact set: ${describeContact(result)}`);
      await printNext(ctx, client);
    });

  settings
    .command('auth-fields')
    .argument('<file>', 'a YAML or JSON file in WeChat’s set_auth_field shape')
    .description('Set the title fields WeChat’s page shows and requires for type 1 requests (needed before them: 72029)')
    .option('--json', 'print JSON')
    .addHelpText('after', `\n${AUTH_FIELDS_EXAMPLE}`)
    .action(async (file: string, opts: { json?: boolean }) => {
      const body = await readAuthFieldsFile(file);
      const client = ctx.client();
      const result = await client.putAuthFields(body);
      if (opts.json) return ctx.out(json(result));
      ctx.out('Auth fields set.');
      if (result.value) ctx.out(describeAuthFields(result.value));
      await printNext(ctx, client);
    });

  settings
    .command('pay-mch')
    .description('Link the WeChat Pay merchant to the invoicing platform (only for invoicing after WeChat Pay)')
    .requiredOption('--mchid <mchid>', 'the WeChat Pay merchant id (8-12 digits)')
    .requiredOption('--s-pappid <s_pappid>', 'the invoicing platform’s s_pappid (ops platform seturl prints it)')
    .option('--json', 'print JSON')
    .action(async (opts: { mchid: string; sPappid: string; json?: boolean }) => {
      const client = ctx.client();
      const result = await namingFlags({ mchid: '--mchid', s_pappid: '--s-pappid' }, () => client.putPayMch({ mchid: opts.mchid, s_pappid: opts.sPappid }));
      if (opts.json) return ctx.out(json(result));
      ctx.out(`Pay merchant linked: mchid ${result.value?.mchid ?? opts.mchid}, s_pappid ${result.value?.s_pappid ?? opts.sPappid}`);
    });
}

export function registerPlatform(program: Command, ctx: Context): void {
  const platform = program
    .command('platform')
    .summary('for a merchant that is its own invoicing platform')
    .description('For a merchant that is its own invoicing platform (自建开票平台).');
  platform
    .command('seturl')
    .description(
      'Register with WeChat as an invoicing platform (seturl): prints the invoice_url WeChat gives and the s_pappid in it, which the server needs as INVOICE_S_PAPPID. Safe to run again.',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const answer = await ctx.client().setUrl();
      if (opts.json) return ctx.out(json(answer));
      ctx.out(fields([
        ['invoice_url', answer.invoiceUrl],
        ['s_pappid', answer.sPappid ?? '(none in the invoice_url)'],
      ], ''));
      ctx.out();
      if (answer.sPappid) ctx.out(`The server needs INVOICE_S_PAPPID=${answer.sPappid} (and FPQQLSH_PREFIX = the 6-character merchant code from the platform); restart it after changing them.`);
      ctx.out('Next: ops settings contact --phone <phone> --timeout <duration>   (WeChat hands out no authorization URL before it)');
    });
}

function setBy(view: SettingView<unknown>): string {
  return view.updatedAt ? `   (set ${localTime(view.updatedAt)} by ${view.updatedBy ?? '?'})` : '';
}

function describeContact(view: SettingView<ContactSetting>): string {
  if (!view.value) return 'not set';
  return `phone ${view.value.phone}; buyers have ${humanSeconds(view.value.timeOut)} to authorize${setBy(view)}`;
}

const TITLE_FIELDS = [
  ['title', '抬头'],
  ['tax_no', '税号'],
  ['addr', '地址'],
  ['phone', '电话'],
  ['email', '邮箱'],
  ['bank_type', '开户行'],
  ['bank_no', '账号'],
] as const;

/** The auth fields as a table: which field each kind of title shows and requires. */
function describeAuthFields(value: AuthFieldsSetting): string {
  const user = value.user_field as Record<string, unknown>;
  const biz = value.biz_field as Record<string, unknown>;
  const cell = (side: Record<string, unknown>, field: string) => {
    const shown = side[`show_${field}`] === 1;
    const required = side[`require_${field}`] === 1;
    return shown && required ? 'shown, required' : shown ? 'shown' : required ? 'required' : '–';
  };
  const rows = TITLE_FIELDS.map(([field, label]) => [`${field} ${label}`, cell(user, field), cell(biz, field)]);
  const custom = (side: Record<string, unknown>, who: string) =>
    (Array.isArray(side.custom_field) ? (side.custom_field as { key?: unknown; is_require?: unknown; notice?: unknown }[]) : []).map((f) => [
      `custom: ${String(f.key)}`,
      who === 'user' ? `${f.is_require === 1 ? 'required' : 'shown'}${typeof f.notice === 'string' && f.notice ? ` (${f.notice})` : ''}` : '',
      who === 'biz' ? `${f.is_require === 1 ? 'required' : 'shown'}${typeof f.notice === 'string' && f.notice ? ` (${f.notice})` : ''}` : '',
    ]);
  return table(['Auth field', 'personal (user_field)', 'company (biz_field)'], [...rows, ...custom(user, 'user'), ...custom(biz, 'biz')], { indent: '  ' });
}

function checklist(contact: SettingView<unknown>, authFields: SettingView<unknown>, payMch: SettingView<unknown>): string {
  const mark = (done: boolean) => (done ? '[x]' : '[ ]');
  return [
    'Checklist',
    `  ${mark(!!contact.value)} contact       before any authorization URL (72063)${contact.value ? '' : ': ops settings contact --phone <phone> --timeout <duration>'}`,
    `  ${mark(!!authFields.value)} auth fields   before type 1 requests (72029)${authFields.value ? '' : ': ops settings auth-fields <file.yaml>'}`,
    `  ${mark(!!payMch.value)} pay merchant  only for invoicing after WeChat Pay${payMch.value ? '' : ': ops settings pay-mch --mchid <mchid> --s-pappid <s_pappid>'}`,
  ].join('\n');
}

/** After a change: what WeChat still needs before buyers can be served. */
async function printNext(ctx: Context, client: AdminClient): Promise<void> {
  const [contact, authFields] = await Promise.all([client.getContact(), client.getAuthFields()]);
  if (!contact.value) ctx.out('Next: ops settings contact --phone <phone> --timeout <duration>   (WeChat hands out no authorization URL before it: 72063)');
  else if (!authFields.value) ctx.out('Next: ops settings auth-fields <file.yaml>   (needed before type 1 requests: 72029)');
  else ctx.out('Contact and auth fields are set: authorization URLs can be issued, type 1 included.');
}

/** Reads WeChat's set_auth_field shape from YAML or JSON; true/false become 1/0. */
async function readAuthFieldsFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  // Loaded here, not at start-up: only this command needs it.
  const { parse: parseYaml } = await import('yaml');
  let data: unknown;
  try {
    data = parseYaml(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CliError(`${file} is not valid YAML or JSON: ${(err as Error).message.split('\n')[0] ?? ''}`, EXIT.VALIDATION);
  }
  if (typeof data === 'object' && data !== null && 'auth_field' in data) data = data.auth_field;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CliError(`${file}: expected user_field and biz_field`, EXIT.VALIDATION, 'See: ops settings auth-fields --help');
  }
  return flags(data);
}

function flags(value: unknown): unknown {
  if (value === true) return 1;
  if (value === false) return 0;
  if (Array.isArray(value)) return value.map(flags);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, flags(v)]));
  return value;
}

