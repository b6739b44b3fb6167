import { PushRejected } from './errors';

/**
 * Typed push messages from a flat record (XML gives strings; JSON may give numbers). The two invoice
 * events get typed shapes; every other message is acknowledged as `other` and never refused, so a new
 * WeChat event type cannot make our endpoint fail and trigger retries.
 */

export type PushFields = Readonly<Record<string, string | number>>;

interface PushHeader {
  toUserName: string;
  /** The user's openid (for invoice results, whatever WeChat sends there). */
  fromUserName: string;
  /** Seconds since the epoch. */
  createTime: number;
}

/** The user finished (or abandoned) the authorization page for an order. */
export interface UserAuthorizeInvoiceEvent extends PushHeader {
  kind: 'user_authorize_invoice';
  succOrderId?: string;
  failOrderId?: string;
  /** The appid that requested the authorization URL (sent as AuthorizeAppId, or AppId in the wild). */
  authorizeAppId?: string;
  /** web | app | wxa | wap (sent as Source, or source). */
  source?: string;
}

/** The value of InvoiceResultEvent.status for a failed invoice (100 is issued; other values are passed through). */
export const INVOICE_RESULT_FAILED = 2;

/** The invoicing platform's verdict on a makeoutinvoice request. */
export interface InvoiceResultEvent extends PushHeader {
  kind: 'cloud_invoice_invoiceresult_event';
  /** Invoice request serial number (发票请求流水号). */
  fpqqlsh: string;
  /** Taxpayer id (纳税人识别号). */
  nsrsbh: string;
  /** 100 issued, 2 failed. */
  status: number;
}

/** Anything else: kept whole so a later handler can use it. */
interface GenericPushMessage {
  kind: 'other';
  /** '' when absent (e.g. the cloud-hosting CheckContainerPath probe). */
  msgType: string;
  event?: string;
  fields: Record<string, string>;
}

export type PushMessage = UserAuthorizeInvoiceEvent | InvoiceResultEvent | GenericPushMessage;

function malformed(event: string, why: string): PushRejected {
  return new PushRejected('PUSH_MALFORMED', `${event} push ${why}`);
}

/** First of the given spellings that holds a non-empty value; the docs' empty CDATA means absent. */
function optionalText(fields: PushFields, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
    if (value !== undefined && String(value) !== '') return String(value);
  }
  return undefined;
}

function requiredText(fields: PushFields, event: string, name: string): string {
  const value = optionalText(fields, name);
  if (value === undefined) throw malformed(event, `lacks ${name}`);
  return value;
}

function requiredInteger(fields: PushFields, event: string, ...names: string[]): number {
  const raw = optionalText(fields, ...names);
  const value = raw !== undefined && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw malformed(event, `needs an integer ${names[0] ?? ''}`);
  return value;
}

function header(fields: PushFields, event: string): PushHeader {
  const createTime = requiredInteger(fields, event, 'CreateTime');
  if (createTime < 0) throw malformed(event, 'has a negative CreateTime');
  return {
    toUserName: requiredText(fields, event, 'ToUserName'),
    fromUserName: requiredText(fields, event, 'FromUserName'),
    createTime,
  };
}

/** `{ key: value }`, or `{}` when absent, so optional properties are missing rather than undefined. */
function ifPresent<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: string });
}

function parseUserAuthorizeInvoice(fields: PushFields): UserAuthorizeInvoiceEvent {
  const event = 'user_authorize_invoice';
  const succOrderId = optionalText(fields, 'SuccOrderId');
  const failOrderId = optionalText(fields, 'FailOrderId');
  // The docs: "Either this or FailOrderId must be displayed". Without either we cannot tell which order.
  if (succOrderId === undefined && failOrderId === undefined) throw malformed(event, 'has neither SuccOrderId nor FailOrderId');
  return {
    kind: event,
    ...header(fields, event),
    ...ifPresent('succOrderId', succOrderId),
    ...ifPresent('failOrderId', failOrderId),
    // Docs spelling first; wechatpy and copied samples use AppId, WxJava lowercases source.
    ...ifPresent('authorizeAppId', optionalText(fields, 'AuthorizeAppId', 'AppId')),
    ...ifPresent('source', optionalText(fields, 'Source', 'source')),
  };
}

function parseInvoiceResult(fields: PushFields): InvoiceResultEvent {
  const event = 'cloud_invoice_invoiceresult_event';
  return {
    kind: event,
    ...header(fields, event),
    fpqqlsh: requiredText(fields, event, 'fpqqlsh'),
    nsrsbh: requiredText(fields, event, 'nsrsbh'),
    status: requiredInteger(fields, event, 'status', 'Status'),
  };
}

function parseGeneric(fields: PushFields): GenericPushMessage {
  const strings = Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, String(value)]));
  return {
    kind: 'other',
    msgType: optionalText(fields, 'MsgType') ?? '',
    ...ifPresent('event', optionalText(fields, 'Event')),
    fields: strings,
  };
}

/** Event name → parser, like wechatpy's registry; unknown events fall back to parseGeneric. */
const EVENT_PARSERS = new Map<string, (fields: PushFields) => PushMessage>([
  ['user_authorize_invoice', parseUserAuthorizeInvoice],
  ['cloud_invoice_invoiceresult_event', parseInvoiceResult],
]);

/** Throws PUSH_MALFORMED only when one of the invoice events lacks a field it requires. */
export function parsePushMessage(fields: PushFields): PushMessage {
  const event = optionalText(fields, 'Event');
  const parse = event === undefined ? undefined : EVENT_PARSERS.get(event);
  return parse ? parse(fields) : parseGeneric(fields);
}

/**
 * Identity of a push for deduplicating WeChat's retries (it resends up to 3 times when we are slow).
 * FromUserName + CreateTime alone, the docs' suggestion, merges distinct events of one user within a
 * second (WxJava #2705), so the key also names the event and the order or invoice request concerned;
 * the invoice result adds status so that a failure and a success in one second stay apart. A JSON
 * array keeps the parts unambiguous whatever characters they contain.
 */
export function dedupeKey(message: PushMessage): string {
  switch (message.kind) {
    case 'user_authorize_invoice':
      return JSON.stringify([message.kind, message.fromUserName, message.createTime, message.succOrderId ?? '', message.failOrderId ?? '']);
    case 'cloud_invoice_invoiceresult_event':
      return JSON.stringify([message.kind, message.fromUserName, message.createTime, message.fpqqlsh, message.status]);
    case 'other': {
      const f = message.fields;
      const msgId = f.MsgId || f.MsgID;
      if (msgId) return JSON.stringify(['msg', f.FromUserName ?? '', msgId]);
      return JSON.stringify(['event', f.FromUserName ?? '', f.CreateTime ?? '', f.Event ?? '', f.EventKey ?? '', f.trace_id ?? '']);
    }
  }
}
