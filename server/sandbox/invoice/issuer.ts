import crypto from 'node:crypto';
import type { SandboxContext } from '../context';
import { readBehaviour } from '../control/behaviour';
import { NO_LEASE, type SandboxInvoice } from '../data/invoice-models';
import { queuePush } from '../push/queue';
import { FAIL_MARKER, RED_FAIL_MARKER } from './makeout';
import { fpdmFor, kprqOf, nextFphm, randomDigits } from './numbers';

/**
 * The invoicing platform at work: invoices whose issuing delay has passed are claimed one at a time
 * (a lease, so two sandboxes on one database never issue the same one) and issued or failed. Then,
 * in a second, idempotent step that a restart repeats if it was cut short, the offset blue invoice
 * is updated (red ones) and the result push `cloud_invoice_invoiceresult_event` is queued.
 */

const LEASE_MS = 30_000;

type Stored = SandboxInvoice & { _id: unknown };

export async function issueDueInvoices(sb: SandboxContext): Promise<void> {
  for (let invoice = await claim(sb); invoice; invoice = await claim(sb)) await issue(sb, invoice);
}

async function claim(sb: SandboxContext): Promise<Stored | null> {
  const now = sb.now();
  return sb.models.Invoice.findOneAndUpdate(
    { status: 'processing', dueAt: { $lte: now }, leaseUntil: { $lte: now } },
    { $set: { leaseUntil: new Date(now.getTime() + LEASE_MS), leaseToken: crypto.randomBytes(12).toString('hex') } },
    { returnDocument: 'after', sort: { dueAt: 1 } },
  ).lean();
}

async function issue(sb: SandboxContext, invoice: Stored): Promise<void> {
  const now = sb.now();
  const lease = { _id: invoice._id, status: 'processing' as const, leaseToken: invoice.leaseToken ?? null };
  const done = { leaseUntil: NO_LEASE, resultPushPending: true, updatedAt: now };
  const { ghfmc, nsrmc } = invoice.content;
  const redFails = invoice.kind === 'red' && ghfmc.includes(RED_FAIL_MARKER);
  if (ghfmc.includes(FAIL_MARKER) || nsrmc.includes(FAIL_MARKER) || redFails) {
    const failReason = redFails
      ? `the invoicing platform refused the red invoice (${RED_FAIL_MARKER} in the buyer name)`
      : `the invoicing platform refused to issue (${FAIL_MARKER} in the buyer or seller name)`;
    await sb.models.Invoice.updateOne(lease, { $set: { ...done, status: 'failed', failReason } });
    return;
  }
  const fpdm = fpdmFor(invoice.content.nsrsbh, now);
  const numbers = { fpdm, fphm: await nextFphm(sb, fpdm), jym: randomDigits(20), kprq: kprqOf(now) };
  const pdfId = crypto.randomBytes(16).toString('hex');
  await sb.models.Invoice.updateOne(lease, { $set: { ...done, ...numbers, status: 'issued', issuedAt: now, pdfId } });
}

/** For every finished round not yet announced: settle the offset blue invoice, queue the result push. */
export async function announceResults(sb: SandboxContext): Promise<void> {
  const finished = await sb.models.Invoice.find({ resultPushPending: true }).limit(100).lean();
  // Whether WeChat sends result pushes at all is not documented: `resultPushes: never` drops them.
  const pushes = finished.length ? (await readBehaviour(sb)).resultPushes : 'sent';
  for (const invoice of finished) {
    if (invoice.kind === 'red' && invoice.offsets) await settleBlue(sb, invoice);
    if (pushes === 'sent') await queueResultPush(sb, invoice);
    await sb.models.Invoice.updateOne({ _id: invoice._id, round: invoice.round }, { $set: { resultPushPending: false } });
  }
}

/** An issued red invoice offsets its blue one (whose order may then be invoiced anew); a failed one frees it. */
async function settleBlue(sb: SandboxContext, red: Stored): Promise<void> {
  const blue = { appid: red.appid, kind: 'blue' as const, fpqqlsh: red.offsets?.fpqqlsh ?? null, offsetBy: red.fpqqlsh };
  if (red.status === 'issued') {
    await sb.models.Invoice.updateOne(blue, { $set: { offset: true, ddhClaim: `offset:${String(blue.fpqqlsh)}`, updatedAt: sb.now() } });
  } else if (red.status === 'failed') {
    // Unless the red request was sent again meanwhile and holds the blue invoice for a new round.
    const stillFailed = await sb.models.Invoice.exists({ _id: red._id, round: red.round, status: 'failed' });
    if (stillFailed) await sb.models.Invoice.updateOne({ ...blue, offset: { $ne: true } }, { $set: { offsetBy: null, updatedAt: sb.now() } });
  }
}

async function queueResultPush(sb: SandboxContext, invoice: Stored): Promise<void> {
  const app = await sb.models.App.findOne({ appid: invoice.appid }).lean();
  await queuePush(sb, {
    key: `result:${String(invoice._id)}:${invoice.round}`,
    appid: invoice.appid,
    openid: invoice.wxopenid,
    fpqqlsh: invoice.fpqqlsh,
    orderId: invoice.ddh,
    fields: {
      ToUserName: app?.originalId ?? '',
      FromUserName: invoice.wxopenid,
      CreateTime: Math.floor(invoice.updatedAt.getTime() / 1000),
      MsgType: 'event',
      Event: 'cloud_invoice_invoiceresult_event',
      fpqqlsh: invoice.fpqqlsh,
      nsrsbh: invoice.content.nsrsbh,
      status: invoice.status === 'issued' ? 100 : 2,
    },
  });
}
