import { computeInvoiceAmounts, toWeChatInvoiceAmounts, type GoodsLineInput } from '@fapiao/shared';
import type { OrderDoc } from './entities/order';
import type { InvoiceTitle } from './entities/invoice-request';
import type { MakeOutInvoiceInfo } from '../wechat';

/** The seller's tax identity and the issuer (开票人), printed on every invoice (from config). */
export type SellerIdentity = Pick<MakeOutInvoiceInfo, 'nsrsbh' | 'nsrmc' | 'nsrdz' | 'nsrdh' | 'nsrbank' | 'nsrbankid' | 'kpr'>;

/**
 * An order's items as invoice lines. Recording an order runs computeInvoiceAmounts on exactly
 * these lines, so an order that is stored is one issuing can compute.
 */
export function invoiceLinesOf(items: Pick<OrderDoc['items'][number], 'amount' | 'taxRate' | 'quantity' | 'name' | 'spbm'>[]): (GoodsLineInput & { name: string; spbm: string })[] {
  return items.map((item) => ({ fphxz: '0', inclusiveFen: item.amount, taxRate: item.taxRate, quantity: item.quantity, name: item.name, spbm: item.spbm }));
}

/**
 * The makeoutinvoice body for an order: the seller, the buyer's title, and lines whose amounts
 * come from the shared money math (integer fen, tax split per line, totals exact to the fen).
 */
export function invoiceContent(input: {
  order: OrderDoc;
  title: InvoiceTitle;
  wxOrderId: string;
  openid: string;
  fpqqlsh: string;
  seller: SellerIdentity;
}): MakeOutInvoiceInfo {
  const { order, title, seller } = input;
  const lines = invoiceLinesOf(order.items);
  const amounts = computeInvoiceAmounts(lines);
  const wechat = toWeChatInvoiceAmounts(amounts);
  return {
    wxopenid: input.openid,
    ddh: input.wxOrderId,
    fpqqlsh: input.fpqqlsh,
    kplx: '0',
    ...seller,
    ghfmc: title.name,
    ...(title.taxNumber ? { ghfnsrsbh: title.taxNumber } : {}),
    ...(title.address ? { ghfdz: title.address } : {}),
    ...(title.phone ? { ghfdh: title.phone } : {}),
    ...(title.bankName ? { ghfbank: title.bankName } : {}),
    ...(title.bankAccount ? { ghfbankid: title.bankAccount } : {}),
    jshj: wechat.jshj,
    hjje: wechat.hjje,
    hjse: wechat.hjse,
    hylx: '0',
    invoicedetail_list: wechat.invoicedetail_list.map((line, i) => ({
      ...line,
      spbm: lines[i]?.spbm ?? '',
      xmmc: lines[i]?.name ?? '',
    })),
  };
}
