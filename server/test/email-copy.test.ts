/**
 * The buyer's emailed copy against a real SMTP server in this process (smtp-server): the message
 * and its attachment (the invoice's own PDF bytes), exactly one per invoice, a refused address
 * recorded and not retried, and a drill with the SMTP server down: every invoice is issued
 * meanwhile, and every copy goes out once it is back.
 */
import net from 'node:net';
import { startTestApp } from './support/app';
import { eventually } from './support/eventually';
import { orderFor, startLifecycleEnv, type LifecycleEnv } from './support/lifecycle-env';
import { startSmtpReceiver, type SmtpReceiver } from './support/smtp-receiver';

const MAIL_FROM = '福州测试商贸 <fapiao@shop.example>';

interface EmailView {
  id: string;
  status: string;
  attempts: number;
  lastError?: string;
  nextAttemptAt?: string;
  log: { outcome: string; detail: string }[];
  payload: { to: string; orderNo: string };
}

let seq = 0;

async function requestInvoice(env: LifecycleEnv, opts: { type: 0 | 1; email?: string }) {
  // Taken once: calls run side by side, and `seq` moves on while this one awaits its login.
  const n = ++seq;
  const buyer = await env.login(`mail${n}`);
  const orderNo = `E${Date.now().toString(36)}${n}`;
  expect((await env.admin('POST', '/orders', orderFor(buyer.openid, orderNo))).status).toBe(201);
  const title = opts.type === 0 ? { kind: 'personal', name: '孙八', ...(opts.email ? { email: opts.email } : {}) } : undefined;
  const requested = await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice`, { type: opts.type, ...(title ? { title } : {}) });
  expect(requested.status).toBe(200);
  const userField = opts.type === 1 ? { title: '孙八', ...(opts.email ? { email: opts.email } : {}) } : undefined;
  await env.sandboxApi('POST', '/authorize', {
    auth_url: (requested.json as { authUrl: string }).authUrl,
    openid: buyer.openid,
    action: 'authorize',
    ...(userField ? { user_field: userField } : {}),
  });
  return { buyer, orderNo };
}

async function issued(env: LifecycleEnv, buyer: { token: string }, orderNo: string) {
  return eventually(async () => {
    const status = (await env.mp(buyer.token, 'GET', `/orders/${orderNo}/invoice`)).json;
    return status.status === 'ISSUED' ? (status as { pdfUrl: string; fpdm: string; fphm: string }) : undefined;
  }, `order ${orderNo} ISSUED`, 30_000);
}

async function requestIdOf(env: LifecycleEnv, orderNo: string): Promise<string> {
  return String(((await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as { id: string }[])[0]?.id);
}

const emails = async (env: LifecycleEnv) => (await env.admin('GET', '/outbox/emails?limit=500')).json.emails as EmailView[];

describe('the emailed copy, SMTP up', () => {
  let smtp: SmtpReceiver;
  let env: LifecycleEnv;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    env = await startLifecycleEnv({ serverEnv: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM, WORKER_TIME_SCALE: '0.001' }, deliver: true });
  });
  afterAll(async () => {
    await env?.close();
    await smtp?.close();
  });

  it('type 0 with an email: one message to the buyer with the invoice PDF attached, byte for byte', async () => {
    const { buyer, orderNo } = await requestInvoice(env, { type: 0, email: 'sun.ba@buyer.example' });
    const invoice = await issued(env, buyer, orderNo);
    const id = await requestIdOf(env, orderNo);
    const [copy] = await eventually(async () => {
      const found = smtp.messages.filter((m) => m.messageId === `<${id}@fapiao.invalid>`);
      return found.length ? found : undefined;
    }, 'the emailed copy', 15_000);
    expect(copy?.to).toMatchObject({ text: 'sun.ba@buyer.example' });
    expect(copy?.from?.value[0]).toMatchObject({ address: 'fapiao@shop.example', name: '福州测试商贸' });
    expect(copy?.subject).toContain(orderNo);
    expect(copy?.text).toContain(`发票号码：${invoice.fphm}`);
    expect(copy?.attachments).toHaveLength(1);
    const pdf = Buffer.from(await (await fetch(invoice.pdfUrl)).arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(copy?.attachments[0]).toMatchObject({ contentType: 'application/pdf', filename: `fapiao-${invoice.fpdm}-${invoice.fphm}.pdf` });
    expect(Buffer.compare(copy!.attachments[0]!.content, pdf)).toBe(0);

    const stored = await eventually(async () => (await emails(env)).find((e) => e.id === id && e.status === 'sent'), 'the outbox to say sent', 5_000);
    expect(stored).toMatchObject({ attempts: 1, payload: { to: 'sun.ba@buyer.example', orderNo } });
    // Exactly one: the request is not queued again (the copy flag is cleared) and nothing else went to it.
    expect((await env.app.container.db.model('InvoiceRequest').findById(id).lean<{ copyPending?: boolean }>())?.copyPending).toBeUndefined();
    expect(smtp.messages.filter((m) => m.messageId === `<${id}@fapiao.invalid>`)).toHaveLength(1);
  });

  it("type 1: the email the buyer gave on WeChat's page (getauthdata user_field.email)", async () => {
    const { buyer, orderNo } = await requestInvoice(env, { type: 1, email: 'wechat.page@buyer.example' });
    await issued(env, buyer, orderNo);
    const id = await requestIdOf(env, orderNo);
    await eventually(async () => smtp.messages.some((m) => m.messageId === `<${id}@fapiao.invalid>` && m.to && 'text' in m.to && m.to.text === 'wechat.page@buyer.example'), 'the copy', 15_000);
  });

  it('a refused address is recorded as bounced and not retried; no email, no copy', async () => {
    const refused = await requestInvoice(env, { type: 0, email: 'refuse.me@buyer.example' });
    const silent = await requestInvoice(env, { type: 0 });
    await issued(env, refused.buyer, refused.orderNo);
    await issued(env, silent.buyer, silent.orderNo);
    const id = await requestIdOf(env, refused.orderNo);
    const bounced = await eventually(async () => (await emails(env)).find((e) => e.id === id && e.status === 'bounced'), 'the bounce', 15_000);
    expect(bounced).toMatchObject({ attempts: 1, lastError: expect.stringContaining('550') });
    expect(bounced?.nextAttemptAt).toBeUndefined();
    // Another copy delivered after it shows the loop went on, and still one attempt at the refused one.
    const later = await requestInvoice(env, { type: 0, email: 'after.bounce@buyer.example' });
    await issued(env, later.buyer, later.orderNo);
    await eventually(async () => smtp.recipients.includes('after.bounce@buyer.example'), 'the next copy', 15_000);
    expect(smtp.recipients.filter((r) => r === 'refuse.me@buyer.example')).toHaveLength(1);
    const silentId = await requestIdOf(env, silent.orderNo);
    expect((await emails(env)).some((e) => e.id === silentId)).toBe(false);
  });

  it('the Mini Program is told a copy is emailed (the form hint), and not when SMTP is off', async () => {
    const buyer = await env.login('hint');
    const orderNo = `H${Date.now().toString(36)}`;
    await env.admin('POST', '/orders', orderFor(buyer.openid, orderNo));
    expect((await env.mp(buyer.token, 'GET', `/orders/${orderNo}`)).json).toMatchObject({ invoice: { emailCopy: true } });

    const off = await startTestApp();
    try {
      expect(off.container.outboxes).toHaveLength(0);
      expect(off.container.lifecycle.copies).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});

describe('drill: the SMTP server down while invoices are issued', () => {
  const ORDERS = 12;
  let env: LifecycleEnv;
  let smtp: SmtpReceiver | undefined;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    env = await startLifecycleEnv({ serverEnv: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM, WORKER_TIME_SCALE: '0.001' }, deliver: true, workerConcurrency: 4 });
  });
  afterAll(async () => {
    await env?.close();
    await smtp?.close();
  });

  it('every invoice is issued while SMTP is down; no copy is lost, each is sent once when it returns', async () => {
    const started = await Promise.all(Array.from({ length: ORDERS }, (_, i) => requestInvoice(env, { type: 0, email: `drill${i}@buyer.example` })));
    // Issued without waiting for the mail: SMTP is still down here.
    for (const { buyer, orderNo } of started) await issued(env, buyer, orderNo);
    const ids = await Promise.all(started.map(({ orderNo }) => requestIdOf(env, orderNo)));
    const waiting = await eventually(async () => {
      const found = (await emails(env)).filter((e) => ids.includes(e.id));
      return found.length === ORDERS && found.every((e) => e.status === 'pending' && e.attempts >= 1) ? found : undefined;
    }, 'every copy to have failed once', 20_000);
    for (const email of waiting) expect(email.lastError).toMatch(/SMTP (ECONNECTION|ESOCKET|ETIMEDOUT)/);

    smtp = await startSmtpReceiver(port);
    await eventually(async () => {
      const found = (await emails(env)).filter((e) => ids.includes(e.id));
      return found.every((e) => e.status === 'sent') ? found : undefined;
    }, 'every copy to be sent once SMTP is back', 60_000);
    for (const id of ids) expect(smtp.messages.filter((m) => m.messageId === `<${id}@fapiao.invalid>`)).toHaveLength(1);
    expect(smtp.messages.filter((m) => ids.some((id) => m.messageId === `<${id}@fapiao.invalid>`))).toHaveLength(ORDERS);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
