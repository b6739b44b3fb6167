import Router from '@koa/router';
import { z } from 'zod';
import { bodyOf } from '../body';
import type { SandboxContext } from '../context';
import type { SandboxPayment } from '../data/invoice-models';
import { openidFor } from '../platform/routes';
import { problem, renderProblems } from './api-problem';
import { authorizeOrder, postPaymentAuthorization, type StoredAuthorization } from './authorization';
import { authUrlOf } from './authurl';
import { isOpenid } from './fields';
import { isDuplicateKey } from '../data/mongo-errors';

/**
 * WeChat Pay with receipt=Y, as far as invoicing sees it: a payment by a buyer to a merchant id
 * that set_pay_mch linked to an invoicing platform (s_pappid) through an Official Account. The
 * payment message then shows 开发票; tapping it opens a type 1 authorization page for the
 * payment's out_trade_no, and authorizing pushes user_authorize_invoice to that Official Account.
 *
 * Machine API: POST /sandbox/api/payments (pay), POST /sandbox/api/payments/invoice (tap 开发票
 * and authorize with a title). Page: GET /sandbox/pay/invoice?mchid=&out_trade_no= (tap 开发票:
 * the authorization page opens).
 */

const payBody = z
  .object({
    mchid: z.string().regex(/^\d{8,12}$/),
    out_trade_no: z.string().regex(/^[0-9A-Za-z_|*-]{1,32}$/),
    total_fee: z.number().int().positive(),
    openid: z.string().refine(isOpenid, 'must be an openid').optional(),
    user: z.string().regex(/^[A-Za-z0-9_@-]{1,64}$/).optional().describe('a sandbox user name instead of openid'),
    receipt: z.literal('Y').optional(),
  })
  .strict();

const invoiceBody = z
  .object({
    mchid: z.string(),
    out_trade_no: z.string(),
    action: z.enum(['authorize', 'decline']).default('authorize'),
    user_field: z.unknown().optional(),
    biz_field: z.unknown().optional(),
  })
  .strict();

export function paymentRoutes(sb: SandboxContext): Router {
  const router = new Router();
  router.use('/sandbox/api/payments', renderProblems());

  router.post('/sandbox/api/payments', async (ctx) => {
    const parsed = payBody.safeParse(bodyOf(ctx));
    if (!parsed.success) problem(400, 'VALIDATION_FAILED', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const body = parsed.data;
    const linked = await linkedAccount(sb, body.mchid);
    const openid = body.openid ?? (body.user ? openidFor(linked.appid, body.user) : undefined);
    if (!openid) problem(400, 'VALIDATION_FAILED', 'give openid or user: who pays');
    const payment: SandboxPayment = {
      mchid: body.mchid,
      out_trade_no: body.out_trade_no,
      total_fee: body.total_fee,
      openid,
      appid: linked.appid,
      ...(body.receipt ? { receipt: body.receipt } : {}),
      createdAt: sb.now(),
    };
    try {
      await sb.models.Payment.create(payment);
    } catch (err) {
      if (isDuplicateKey(err)) problem(409, 'ORDERPAID', 'this out_trade_no was paid already');
      throw err;
    }
    ctx.status = 201;
    ctx.body = {
      payment,
      ...(payment.receipt === 'Y'
        ? { invoiceUrl: `${sb.publicUrl}/sandbox/pay/invoice?mchid=${encodeURIComponent(payment.mchid)}&out_trade_no=${encodeURIComponent(payment.out_trade_no)}` }
        : {}),
    };
  });

  router.post('/sandbox/api/payments/invoice', async (ctx) => {
    const parsed = invoiceBody.safeParse(bodyOf(ctx));
    if (!parsed.success) problem(400, 'VALIDATION_FAILED', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { mchid, out_trade_no, action, user_field, biz_field } = parsed.data;
    const { payment, authorization } = await openInvoiceEntry(sb, mchid, out_trade_no);
    const result = await authorizeOrder(sb, {
      s_pappid: authorization.s_pappid,
      order_id: authorization.order_id,
      appid: authorization.appid,
      openid: payment.openid,
      action,
      ...(user_field !== undefined ? { user_field } : {}),
      ...(biz_field !== undefined ? { biz_field } : {}),
    });
    ctx.body = { authorization: { appid: result.authorization.appid, order_id: result.authorization.order_id, status: result.authorization.status }, changed: result.changed };
  });

  // The buyer taps 开发票 in the payment message: WeChat opens the type 1 authorization page.
  router.get('/sandbox/pay/invoice', async (ctx) => {
    const { payment, authorization } = await openInvoiceEntry(sb, String(ctx.query.mchid ?? ''), String(ctx.query.out_trade_no ?? ''));
    const { auth_url } = authUrlOf(sb, authorization);
    ctx.redirect(`${auth_url}&openid=${encodeURIComponent(payment.openid)}`);
  });
  return router;
}

async function linkedAccount(sb: SandboxContext, mchid: string) {
  const linked = await sb.models.Merchant.find({ 'payMch.mchid': mchid }).limit(2).lean();
  const merchant = linked[0];
  if (!merchant?.payMch) problem(409, 'PAY_MCH_NOT_SET', 'no account linked this WeChat Pay merchant id to an invoicing platform (set_pay_mch)');
  if (linked.length > 1) problem(409, 'PAY_MCH_AMBIGUOUS', 'several accounts linked this merchant id');
  return { appid: merchant.appid, sPappid: merchant.payMch.s_pappid };
}

async function openInvoiceEntry(sb: SandboxContext, mchid: string, outTradeNo: string): Promise<{ payment: SandboxPayment; authorization: StoredAuthorization }> {
  const payment = await sb.models.Payment.findOne({ mchid, out_trade_no: outTradeNo }).lean();
  if (!payment) problem(404, 'PAYMENT_NOT_FOUND', 'no such payment');
  if (payment.receipt !== 'Y') problem(409, 'NO_RECEIPT', 'the payment was made without receipt=Y: WeChat shows no 开发票 entry');
  const linked = await linkedAccount(sb, mchid);
  const authorization = await postPaymentAuthorization(sb, {
    s_pappid: linked.sPappid,
    order_id: payment.out_trade_no,
    appid: linked.appid,
    money: payment.total_fee,
    openid: payment.openid,
  });
  return { payment, authorization };
}
