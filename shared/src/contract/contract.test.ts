/*
 * The contract's types are inferred from its schemas, so most of this file is checked by
 * `tsc -p shared --noEmit` (the @ts-expect-error lines fail the typecheck if a type stops rejecting
 * a wrong body). The runtime part pins the example bodies the Mini Program relies on.
 */
import { validateTaxNumber } from '../validators';
import type { ApplyInvoiceRequest, CreateSessionResponse, InvoiceStatusResponse, InvoiceTitleDto, OrderDto } from '.';

const company: InvoiceTitleDto = { kind: 'company', name: '腾讯科技(深圳)有限公司', taxNumber: '9144030071526726XG' };
const apply: ApplyInvoiceRequest[] = [{ type: 0, title: company }, {}, { type: 1 }];
// @ts-expect-error type 2 (hand over an invoice issued elsewhere) is not offered
const handOver: ApplyInvoiceRequest = { type: 2 };

// @ts-expect-error type 0 means the title comes from us, so it is required
const missingTitle: ApplyInvoiceRequest = { type: 0 };
// @ts-expect-error only 0, 1 and 2 exist
const badType: ApplyInvoiceRequest = { type: 3 };
// @ts-expect-error a company title carries a tax number
const companyWithoutTaxNumber: InvoiceTitleDto = { kind: 'company', name: 'x' };
// @ts-expect-error a personal title has no bank details
const personalWithBank: InvoiceTitleDto = { kind: 'personal', name: '张三', bankAccount: '1' };
// @ts-expect-error statuses are the state machine's
const badStatus: InvoiceStatusResponse = { status: 'DONE' };

describe('Mini Program DTOs', () => {
  it('carry the example bodies', () => {
    const session: CreateSessionResponse = { token: 't', openid: 'o', expiresAt: '2024-05-01T08:00:00.000Z' };
    const order: OrderDto = {
      orderNo: 'A1',
      amount: 15900,
      createdAt: '2024-05-01T08:00:00.000Z',
      items: [{ name: '洗衣机', spbm: '1090418010000000000', quantity: 1, unitPrice: 15900, taxRate: '0.13', amount: 15900 }],
      invoice: { status: null, canApply: true },
    };
    expect(new Date(session.expiresAt).toISOString()).toBe(session.expiresAt);
    expect(order.items.reduce((sum, item) => sum + item.amount, 0)).toBe(order.amount);
    expect(apply.map((body) => body.type ?? 1)).toEqual([0, 1, 1]);
    expect(handOver.type).toBe(2);
    if (company.kind === 'company') expect(validateTaxNumber(company.taxNumber).ok).toBe(true);
    expect([missingTitle, badType, companyWithoutTaxNumber, personalWithBank, badStatus]).toHaveLength(5);
  });
});
