import type { SandboxContext } from '../context';
import { readBehaviour } from '../control/behaviour';
import { NO_LEASE, type InvoiceContent, type SandboxInvoice } from '../data/invoice-models';
import { fail } from '../reply';
import type { Json } from './fields';
import { checkKplx, parseMakeOut, type MakeOutRequest } from './makeout-request';
import { ensureMerchant, hasMerchantCode } from './merchant';

/**
 * POST /card/invoice/makeoutinvoice: accepts a blue invoice and issues it later, asynchronously
 * (see issuer.ts). After the field checks (makeout-request.ts):
 *   73110 fpqqlsh does not start with the app's merchant code;
 *   73101 nsrsbh is not the seller the app invoiced as before (pinned by its first invoice);
 *   73106 the fpqqlsh exists for another ddh (or is a red invoice's);
 *   73107 the same fpqqlsh is still being issued; sent again once issued: errcode 0, nothing new;
 *         sent again after it failed: issued anew with the new content (behaviour switch
 *         `fpqqlshAfterFailure: refused`: refused with `fpqqlshRefusedErrcode`);
 *   73004 / 72031 kplx missing (when required) or not "0";
 *   72035 the order was rejected; 72038 ddh was never authorized by wxopenid;
 *   73108 the order already has another fpqqlsh (one blue invoice per order until it is offset).
 */

/** In ghfmc or nsrmc: the platform fails to issue (result push status 2, query 73000). */
export const FAIL_MARKER = 'SANDBOX_FAIL';
/** In ghfmc: the blue invoice issues, but every red invoice offsetting it fails (result push status 2, query 73000). */
export const RED_FAIL_MARKER = 'SANDBOX_REDFAIL';
/** In ghfmc: the request is accepted but answered 73105 (a platform timeout; resend the same fpqqlsh). */
const TIMEOUT_MARKER = 'SANDBOX_TIMEOUT';

export const INVOICE_ACCEPTED = { errcode: 0, errmsg: 'sucesss' } as const; // sic: the documented spelling

type Stored = SandboxInvoice & { _id: unknown };

export async function makeOutInvoice(sb: SandboxContext, appid: string, rawBody: unknown): Promise<Json> {
  const request = parseMakeOut(rawBody);
  checkKplx(rawBody, '0', (await readBehaviour(sb)).kplx);
  if (!(await hasMerchantCode(sb, appid, request.fpqqlsh))) fail(73110);
  await assertSeller(sb, appid, request.content.nsrsbh);
  const existing = await sb.models.Invoice.findOne({ appid, fpqqlsh: request.fpqqlsh }).lean();
  if (existing) return resend(sb, existing, request);
  await assertAuthorized(sb, appid, request.ddh, request.wxopenid);
  try {
    await sb.models.Invoice.create(newInvoice(sb, appid, request));
  } catch (err) {
    if ((err as { code?: unknown }).code !== 11000) throw err;
    const raced = await sb.models.Invoice.findOne({ appid, fpqqlsh: request.fpqqlsh }).lean();
    if (raced) return resend(sb, raced, request);
    fail(73108);
  }
  await pinSeller(sb, appid, request.content.nsrsbh);
  return accepted(request.content);
}

function accepted(content: InvoiceContent): Json {
  if (content.ghfmc.includes(TIMEOUT_MARKER)) fail(73105);
  return { ...INVOICE_ACCEPTED };
}

function newInvoice(sb: SandboxContext, appid: string, request: MakeOutRequest): SandboxInvoice {
  const now = sb.now();
  return {
    appid,
    kind: 'blue',
    fpqqlsh: request.fpqqlsh,
    ddh: request.ddh,
    ddhClaim: `blue:${request.ddh}`,
    wxopenid: request.wxopenid,
    content: request.content,
    status: 'processing',
    round: 1,
    dueAt: new Date(now.getTime() + sb.settings.invoiceIssueDelayMs),
    leaseUntil: NO_LEASE,
    resultPushPending: false,
    offsetBy: null,
    createdAt: now,
    updatedAt: now,
  };
}

async function resend(sb: SandboxContext, existing: Stored, request: MakeOutRequest): Promise<Json> {
  if (existing.kind !== 'blue' || existing.ddh !== request.ddh) fail(73106);
  if (existing.status === 'processing') fail(73107);
  if (existing.status === 'issued') return { ...INVOICE_ACCEPTED };
  await assertReusable(sb);
  await assertAuthorized(sb, existing.appid, request.ddh, request.wxopenid);
  const restarted = await restartFailed(sb, existing, { content: request.content, wxopenid: request.wxopenid });
  if (!restarted) fail(73107);
  return accepted(request.content);
}

/** WeChat's rule for the fpqqlsh of a failed invoice is unknown: the behaviour switch decides. */
export async function assertReusable(sb: SandboxContext): Promise<void> {
  const behaviour = await readBehaviour(sb);
  if (behaviour.fpqqlshAfterFailure === 'refused') fail(behaviour.fpqqlshRefusedErrcode);
}

/** A failed request sent again with its fpqqlsh: a new issuing round (false when another resend won). */
export async function restartFailed(sb: SandboxContext, existing: Stored, changes: Partial<SandboxInvoice>): Promise<boolean> {
  const now = sb.now();
  const done = await sb.models.Invoice.updateOne(
    { _id: existing._id, status: 'failed', round: existing.round },
    {
      $set: {
        ...changes,
        status: 'processing',
        round: existing.round + 1,
        dueAt: new Date(now.getTime() + sb.settings.invoiceIssueDelayMs),
        leaseUntil: NO_LEASE,
        resultPushPending: false,
        updatedAt: now,
      },
      $unset: { failReason: 1 },
    },
  );
  return done.modifiedCount === 1;
}

/** ddh must be an order wxopenid authorized with this app (72038); a rejected one is dead (72035). */
async function assertAuthorized(sb: SandboxContext, appid: string, ddh: string, wxopenid: string): Promise<void> {
  const authorizations = await sb.models.Authorization.find({ appid, order_id: ddh }).lean();
  if (authorizations.some((a) => a.status === 'rejected')) fail(72035);
  if (!authorizations.some((a) => a.status === 'authorized' && a.openid === wxopenid)) fail(72038);
}

async function assertSeller(sb: SandboxContext, appid: string, nsrsbh: string): Promise<void> {
  const merchant = await sb.models.Merchant.findOne({ appid }).lean();
  if (merchant?.nsrsbh && merchant.nsrsbh !== nsrsbh) fail(73101);
}

async function pinSeller(sb: SandboxContext, appid: string, nsrsbh: string): Promise<void> {
  await ensureMerchant(sb, appid);
  await sb.models.Merchant.updateOne({ appid, nsrsbh: null }, { $set: { nsrsbh } });
}
