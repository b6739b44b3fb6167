import { formatYuan } from '@fapiao/shared';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { OutboxRepository } from '../data/outbox/outbox.repository';
import type { InvoiceRequestDoc } from '../data/invoice-request/invoice-request.schema';
import type { Delivery, Outbox } from './delivery';

/** One emailed copy: everything the message needs, copied when the invoice was issued. */
export interface EmailCopyPayload {
  requestId: string;
  orderNo: string;
  to: string;
  buyer: string;
  amount: number;
  fpdm: string;
  fphm: string;
  jym: string;
  kprq: string;
  pdfUrl: string;
}

/** The buyer's emailed copy, as the lifecycle sees it: on, and where to queue an issued request. */
export interface EmailCopies {
  /**
   * Queues the copy of an ISSUED request that has a buyer email (no-op otherwise). Idempotent:
   * the outbox is keyed by the request, so a second call (a sweep after a crash) sends nothing more.
   */
  enqueue(request: InvoiceRequestDoc): Promise<void>;
}

export function emailCopies(deps: { outbox: OutboxRepository<EmailCopyPayload>; now(): Date }): EmailCopies {
  return {
    async enqueue(request) {
      const to = request.title?.email;
      const invoice = request.invoice;
      if (!to || !invoice || request.status !== 'ISSUED') return;
      await deps.outbox.enqueue(
        request._id,
        { requestId: request._id, orderNo: request.orderNo, to, buyer: request.title?.name ?? '', amount: request.amount, ...invoice },
        deps.now(),
      );
    },
  };
}

export interface MailSettings {
  smtpUrl: string;
  from: string;
  sellerName: string;
  /** For fetching the PDF and for each SMTP exchange. */
  timeoutMs: number;
}

/**
 * The email outbox, delivering over SMTP (nodemailer) with the invoice's PDF attached, fetched
 * from WeChat's pdf URL at sending time. A 5xx answer (an address refused, a mailbox that does not
 * exist) is permanent: recorded as bounced, never retried. Anything else (the server down, 4xx,
 * the PDF not reachable) is retried with back-off.
 */
export function emailOutbox(deps: {
  repository: OutboxRepository<EmailCopyPayload>;
  mail: MailSettings;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  onAttempt?: Outbox<EmailCopyPayload>['onAttempt'] | undefined;
}): Outbox<EmailCopyPayload> {
  const transport = nodemailer.createTransport({
    url: deps.mail.smtpUrl,
    connectionTimeout: deps.mail.timeoutMs,
    greetingTimeout: deps.mail.timeoutMs,
    socketTimeout: deps.mail.timeoutMs * 3,
  });
  return {
    name: 'email',
    repository: deps.repository,
    policy: { retryBaseMs: deps.retryBaseMs, retryMaxMs: deps.retryMaxMs, maxAttempts: deps.maxAttempts },
    logFields: (m) => ({ requestId: m.payload.requestId, orderNo: m.payload.orderNo }),
    onAttempt: deps.onAttempt,
    async deliver(message) {
      const copy = message.payload;
      let pdf: Buffer;
      try {
        const res = await fetch(copy.pdfUrl, { signal: AbortSignal.timeout(deps.mail.timeoutMs) });
        if (!res.ok) return { ok: false, permanent: false, detail: `the invoice PDF answered HTTP ${res.status}` };
        pdf = Buffer.from(await res.arrayBuffer());
      } catch (err) {
        return { ok: false, permanent: false, detail: `the invoice PDF could not be fetched: ${(err as Error).name}` };
      }
      try {
        const info = await transport.sendMail(composeCopy(copy, deps.mail, pdf));
        return { ok: true, detail: `accepted: ${String(info.response ?? '').slice(0, 200)}` };
      } catch (err) {
        return smtpFailure(err);
      }
    },
  };
}

/** The message itself (exported for the tests' expectations). */
function composeCopy(copy: EmailCopyPayload, mail: Pick<MailSettings, 'from' | 'sellerName'>, pdf: Buffer): SendMailOptions {
  const date = `${copy.kprq.slice(0, 4)}-${copy.kprq.slice(4, 6)}-${copy.kprq.slice(6, 8)}`;
  return {
    from: mail.from,
    to: copy.to,
    // Stable per invoice request: a copy delivered again after a crash can be recognised as the same.
    messageId: `<${copy.requestId}@fapiao.invalid>`,
    subject: `电子发票：${mail.sellerName} ${formatYuan(copy.amount)}（订单 ${copy.orderNo}）`,
    text: [
      `${copy.buyer ? `${copy.buyer}，` : ''}您好：`,
      '',
      `您在 ${mail.sellerName} 的订单 ${copy.orderNo} 的电子发票已开具，已放入您的微信卡包。附件为发票 PDF 副本。`,
      '',
      `发票代码：${copy.fpdm}`,
      `发票号码：${copy.fphm}`,
      `校验码：${copy.jym}`,
      `开票日期：${date}`,
      `价税合计：${formatYuan(copy.amount)}`,
      '',
      '此邮件由系统自动发送，请勿回复。',
    ].join('\n'),
    attachments: [{ filename: `fapiao-${copy.fpdm}-${copy.fphm}.pdf`, content: pdf, contentType: 'application/pdf' }],
  };
}

function smtpFailure(err: unknown): Delivery {
  const e = err as { responseCode?: number; code?: string; command?: string; message?: string };
  const what = `${e.code ?? 'error'}${e.command ? ` at ${e.command}` : ''}${e.responseCode ? ` (${e.responseCode})` : ''}`;
  // nodemailer's own refusal of an address it cannot parse is as final as a server's 5xx.
  const refusedAddress = e.code === 'EENVELOPE' && !e.responseCode && /recipient/i.test(e.message ?? '');
  if ((e.responseCode !== undefined && e.responseCode >= 500) || refusedAddress) {
    return { ok: false, permanent: true, detail: `refused: ${what}: ${(e.message ?? '').slice(0, 200)}` };
  }
  return { ok: false, permanent: false, detail: `SMTP ${what}` };
}
