import type { SandboxContext } from '../context';
import { readBehaviour } from '../control/behaviour';
import { NO_LEASE, type InvoiceContent, type SandboxInvoice } from '../data/invoice-models';
import { fail } from '../reply';
import { requiredText, type Json } from './fields';
import { assertReusable, INVOICE_ACCEPTED, restartFailed } from './makeout';
import { checkFpqqlsh, checkKplx, checkTaxpayerId, invoiceInfo, openid } from './makeout-request';
import { hasMerchantCode } from './merchant';
import { isDuplicateKey } from '../data/mongo-errors';

/**
 * POST /card/invoice/clearoutinvoice: offsets (冲红) an issued blue invoice with a red one, issued
 * asynchronously like a blue one under the request's own fpqqlsh. Codes, after the field checks
 * (73001, 73003, 73016, 73007; yfpdm/yfphm empty 72031):
 *   72043 yfpdm is not 10/12 digits or yfphm not 8, or no issued blue invoice of this app has them;
 *   73110 fpqqlsh prefix; 73106 fpqqlsh used for something else; 73107 still processing (and
 *   errcode 0 when sent again once issued);
 *   72037 the blue invoice is another user's; 73101 another seller's; 72024 it is offset already
 *   (or an offset is under way).
 */

type Stored = SandboxInvoice & { _id: unknown };

/** Red invoices wait here until the blue one is claimed for them (year 9999: every BSON codec takes it). */
const NEVER = new Date('9999-12-31T00:00:00Z');

export async function clearOutInvoice(sb: SandboxContext, appid: string, rawBody: unknown): Promise<Json> {
  const info = invoiceInfo(rawBody);
  checkKplx(rawBody, '1', (await readBehaviour(sb)).kplx);
  const wxopenid = openid(info);
  const fpqqlsh = requiredText(info, 'fpqqlsh', 73003);
  const nsrsbh = requiredText(info, 'nsrsbh', 73016);
  const nsrmc = requiredText(info, 'nsrmc', 73007);
  const yfpdm = requiredText(info, 'yfpdm');
  const yfphm = requiredText(info, 'yfphm');
  if (!/^(\d{10}|\d{12})$/.test(yfpdm) || !/^\d{8}$/.test(yfphm)) fail(72043);
  checkFpqqlsh(fpqqlsh);
  checkTaxpayerId(nsrsbh, 'nsrsbh');
  if (!(await hasMerchantCode(sb, appid, fpqqlsh))) fail(73110);

  const { Invoice } = sb.models;
  const existing = await Invoice.findOne({ appid, fpqqlsh }).lean();
  if (existing) return resend(sb, existing, { yfpdm, yfphm, nsrmc });
  const blue = await Invoice.findOne({ appid, kind: 'blue', fpdm: yfpdm, fphm: yfphm }).lean();
  if (!blue || blue.status !== 'issued') fail(72043);
  if (blue.wxopenid !== wxopenid) fail(72037);
  if (blue.content.nsrsbh !== nsrsbh) fail(73101);
  if (blue.offsetBy) fail(72024);

  const now = sb.now();
  try {
    await Invoice.create({
      appid,
      kind: 'red',
      fpqqlsh,
      ddh: blue.ddh,
      ddhClaim: `red:${fpqqlsh}`,
      wxopenid,
      content: redContent(blue, nsrmc),
      status: 'processing',
      round: 1,
      dueAt: NEVER,
      leaseUntil: NO_LEASE,
      resultPushPending: false,
      offsets: { fpqqlsh: blue.fpqqlsh, fpdm: yfpdm, fphm: yfphm },
      createdAt: now,
      updatedAt: now,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const raced = await Invoice.findOne({ appid, fpqqlsh }).lean();
    if (!raced) throw err;
    return resend(sb, raced, { yfpdm, yfphm, nsrmc });
  }
  if (!(await claimBlue(sb, blue._id, fpqqlsh))) {
    await Invoice.deleteOne({ appid, fpqqlsh, status: 'processing', dueAt: NEVER });
    fail(72024);
  }
  await Invoice.updateOne({ appid, fpqqlsh }, { $set: { dueAt: new Date(now.getTime() + sb.settings.invoiceIssueDelayMs) } });
  return { ...INVOICE_ACCEPTED };
}

async function resend(sb: SandboxContext, existing: Stored, request: { yfpdm: string; yfphm: string; nsrmc: string }): Promise<Json> {
  if (existing.kind !== 'red' || existing.offsets?.fpdm !== request.yfpdm || existing.offsets.fphm !== request.yfphm) fail(73106);
  if (existing.status === 'processing') fail(73107);
  if (existing.status === 'issued') return { ...INVOICE_ACCEPTED };
  await assertReusable(sb);
  const blue = await sb.models.Invoice.findOne({ appid: existing.appid, kind: 'blue', fpqqlsh: existing.offsets.fpqqlsh }).lean();
  if (!blue || !(await claimBlue(sb, blue._id, existing.fpqqlsh))) fail(72024);
  if (!(await restartFailed(sb, existing, { content: { ...existing.content, nsrmc: request.nsrmc } }))) fail(73107);
  return { ...INVOICE_ACCEPTED };
}

/** One offset per blue invoice: the claim is released if the red invoice fails (issuer.ts). */
async function claimBlue(sb: SandboxContext, blueId: unknown, redFpqqlsh: string): Promise<boolean> {
  const done = await sb.models.Invoice.updateOne(
    { _id: blueId, status: 'issued', offset: { $ne: true }, offsetBy: { $in: [null, redFpqqlsh] } },
    { $set: { offsetBy: redFpqqlsh, updatedAt: sb.now() } },
  );
  return done.matchedCount === 1;
}

/**
 * The red invoice shows the blue one's lines with amounts and quantities negated, and in its
 * remarks the blue invoice it offsets (对应正数发票代码/号码), as Chinese invoicing software prints it.
 */
function redContent(blue: Stored, nsrmc: string): InvoiceContent {
  const c = blue.content;
  return {
    ...c,
    nsrmc,
    jshj: negate(c.jshj),
    hjje: negate(c.hjje),
    hjse: negate(c.hjse),
    bz: `对应正数发票代码:${blue.fpdm ?? ''}号码:${blue.fphm ?? ''}`,
    lines: c.lines.map((line) => ({ ...line, xmsl: line.xmsl ? negate(line.xmsl) : '', xmje: negate(line.xmje), se: negate(line.se) })),
  };
}

function negate(decimal: string): string {
  if (decimal.startsWith('-')) return decimal.slice(1);
  return /^[0.]*$/.test(decimal) ? decimal : `-${decimal}`;
}
