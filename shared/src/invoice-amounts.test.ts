import fc from 'fast-check';
import {
  type InvoiceLineInput,
  computeInvoiceAmounts,
  toWeChatInvoiceAmounts,
} from './invoice-amounts';
import { MoneyError, parseYuan, splitTaxInclusive } from './money';

const RATES = ['0.13', '0.09', '0.06', '0.05', '0.03', '0.015', '0.01', '0'];

function errorOf(run: () => unknown): { code: string; lineIndex: number | undefined } | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof MoneyError) return { code: error.code, lineIndex: error.lineIndex };
    throw error;
  }
  return undefined;
}

const normalLine = fc.record({
  inclusiveFen: fc.integer({ min: 1, max: 1e9 }),
  taxRate: fc.constantFrom(...RATES),
  quantity: fc.integer({ min: 1, max: 1000 }),
});

/** A discounted line and its discount, as two consecutive lines. */
const discountPair = fc
  .record({
    inclusiveFen: fc.integer({ min: 1, max: 1e9 }),
    taxRate: fc.constantFrom(...RATES),
    quantity: fc.integer({ min: 1, max: 1000 }),
    share: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ inclusiveFen, taxRate, quantity, share }): InvoiceLineInput[] => [
    { fphxz: '2', inclusiveFen, taxRate, quantity },
    { fphxz: '1', inclusiveFen: -Math.max(1, Math.floor(inclusiveFen * share)), taxRate },
  ]);

const invoiceLines = fc
  .array(fc.oneof(normalLine.map((line): InvoiceLineInput[] => [line]), discountPair), { minLength: 1, maxLength: 12 })
  .map((groups) => groups.flat())
  .filter((lines) => lines.reduce((sum, line) => sum + line.inclusiveFen, 0) > 0);

describe('computeInvoiceAmounts', () => {
  it("reproduces the documented sample invoice: 159.00 = 135.90 + 23.10 at 17 %", () => {
    const amounts = computeInvoiceAmounts([{ inclusiveFen: 15900, taxRate: '0.17', quantity: 1 }]);
    expect(toWeChatInvoiceAmounts(amounts)).toEqual({
      jshj: '159.00',
      hjje: '135.90',
      hjse: '23.10',
      invoicedetail_list: [{ fphxz: '0', xmsl: '1', xmdj: '135.90', xmje: '135.90', sl: '0.17', se: '23.10' }],
    });
  });

  it('totals add up exactly: jshj = Σ inclusive = hjje + hjse, per line xmje + se = inclusive', () => {
    fc.assert(
      fc.property(invoiceLines, (lines) => {
        const amounts = computeInvoiceAmounts(lines);
        const inclusiveSum = lines.reduce((sum, line) => sum + line.inclusiveFen, 0);
        expect(amounts.inclusiveFen).toBe(inclusiveSum);
        expect(amounts.exclusiveFen + amounts.taxFen).toBe(inclusiveSum);
        expect(amounts.exclusiveFen).toBe(amounts.lines.reduce((sum, line) => sum + line.exclusiveFen, 0));
        expect(amounts.taxFen).toBe(amounts.lines.reduce((sum, line) => sum + line.taxFen, 0));
        amounts.lines.forEach((line, i) => {
          expect(line.source).toBe(lines[i]);
          expect(line.exclusiveFen + line.taxFen).toBe(line.inclusiveFen);
          if (line.fphxz !== '1') expect(line.taxFen).toBeGreaterThanOrEqual(0);
        });
      }),
    );
  });

  it('the WeChat strings add up too: parse(jshj) = Σ parse(xmje) + Σ parse(se)', () => {
    fc.assert(
      fc.property(invoiceLines, (lines) => {
        const wechat = toWeChatInvoiceAmounts(computeInvoiceAmounts(lines));
        const xmje = wechat.invoicedetail_list.reduce((sum, line) => sum + parseYuan(line.xmje), 0);
        const se = wechat.invoicedetail_list.reduce((sum, line) => sum + parseYuan(line.se), 0);
        expect(parseYuan(wechat.hjje)).toBe(xmje);
        expect(parseYuan(wechat.hjse)).toBe(se);
        expect(parseYuan(wechat.jshj)).toBe(xmje + se);
        expect(parseYuan(wechat.jshj)).toBe(lines.reduce((sum, line) => sum + line.inclusiveFen, 0));
      }),
    );
  });

  it('a discount pair nets to the discounted price, and each line is split by the same rule', () => {
    fc.assert(
      fc.property(discountPair, (pair) => {
        // A whole-line discount nets to 0, so keep the invoice itself positive with one more fen.
        const [discounted, discount] = computeInvoiceAmounts([...pair, { inclusiveFen: 1, taxRate: '0', quantity: 1 }]).lines;
        if (!discounted || !discount) throw new Error('expected two lines');
        const net = discounted.inclusiveFen + discount.inclusiveFen;
        expect(discounted.exclusiveFen + discount.exclusiveFen + discounted.taxFen + discount.taxFen).toBe(net);
        expect(discount.taxFen).toBeLessThanOrEqual(0);
        expect(discount.exclusiveFen).toBeLessThan(0);
        expect(discount).toMatchObject(splitTaxInclusive(discount.inclusiveFen, discount.taxRate));
        // The pair's tax is within a fen of the tax on the net price.
        expect(Math.abs(discounted.taxFen + discount.taxFen - splitTaxInclusive(net, discount.taxRate).taxFen)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('prints a discount line with negative amounts and blank quantity and unit price', () => {
    const amounts = computeInvoiceAmounts([
      { fphxz: '2', inclusiveFen: 11300, taxRate: '0.13', quantity: 2 },
      { fphxz: '1', inclusiveFen: -1130, taxRate: '0.13' },
    ]);
    expect(toWeChatInvoiceAmounts(amounts)).toEqual({
      jshj: '101.70',
      hjje: '90.00',
      hjse: '11.70',
      invoicedetail_list: [
        { fphxz: '2', xmsl: '2', xmdj: '50.00', xmje: '100.00', sl: '0.13', se: '13.00' },
        { fphxz: '1', xmsl: '', xmdj: '', xmje: '-10.00', sl: '0.13', se: '-1.30' },
      ],
    });
  });

  it('allows a discount of the whole line when other lines keep the invoice positive', () => {
    const amounts = computeInvoiceAmounts([
      { fphxz: '2', inclusiveFen: 500, taxRate: '0.06', quantity: 1 },
      { fphxz: '1', inclusiveFen: -500, taxRate: '0.06' },
      { inclusiveFen: 100, taxRate: '0.06', quantity: 1 },
    ]);
    expect(amounts.inclusiveFen).toBe(100);
  });

  it.each<[string, InvoiceLineInput[], string, number | undefined]>([
    ['no lines', [], 'NO_LINES', undefined],
    ['a zero goods line', [{ inclusiveFen: 0, taxRate: '0.13', quantity: 1 }], 'AMOUNT_NOT_POSITIVE', 0],
    [
      'a negative normal line',
      [{ inclusiveFen: 100, taxRate: '0.13', quantity: 1 }, { inclusiveFen: -50, taxRate: '0.13', quantity: 1 }],
      'AMOUNT_NOT_POSITIVE',
      1,
    ],
    ['fractional fen', [{ inclusiveFen: 100.5, taxRate: '0.13', quantity: 1 }], 'FEN_NOT_SAFE_INTEGER', 0],
    ['a bad rate', [{ inclusiveFen: 100, taxRate: '13%', quantity: 1 }], 'TAX_RATE_INVALID', 0],
    ['a zero quantity', [{ inclusiveFen: 100, taxRate: '0.13', quantity: 0 }], 'QUANTITY_INVALID', 0],
    [
      'a positive discount',
      [{ fphxz: '2', inclusiveFen: 100, taxRate: '0.13', quantity: 1 }, { fphxz: '1', inclusiveFen: 10, taxRate: '0.13' }],
      'DISCOUNT_NOT_NEGATIVE',
      1,
    ],
    ['a discount on the first line', [{ fphxz: '1', inclusiveFen: -10, taxRate: '0.13' }], 'DISCOUNT_WITHOUT_DISCOUNTED_LINE', 0],
    [
      'a discount below a normal line',
      [{ inclusiveFen: 100, taxRate: '0.13', quantity: 1 }, { fphxz: '1', inclusiveFen: -10, taxRate: '0.13' }],
      'DISCOUNT_WITHOUT_DISCOUNTED_LINE',
      1,
    ],
    [
      'two discounts for one line',
      [
        { fphxz: '2', inclusiveFen: 100, taxRate: '0.13', quantity: 1 },
        { fphxz: '1', inclusiveFen: -10, taxRate: '0.13' },
        { fphxz: '1', inclusiveFen: -10, taxRate: '0.13' },
      ],
      'DISCOUNT_WITHOUT_DISCOUNTED_LINE',
      2,
    ],
    ['a discounted line last', [{ fphxz: '2', inclusiveFen: 100, taxRate: '0.13', quantity: 1 }], 'DISCOUNTED_LINE_WITHOUT_DISCOUNT', 0],
    [
      'a discounted line followed by a normal line',
      [
        { fphxz: '2', inclusiveFen: 100, taxRate: '0.13', quantity: 1 },
        { inclusiveFen: 100, taxRate: '0.13', quantity: 1 },
      ],
      'DISCOUNTED_LINE_WITHOUT_DISCOUNT',
      0,
    ],
    [
      'a discount bigger than its line',
      [{ fphxz: '2', inclusiveFen: 100, taxRate: '0.13', quantity: 1 }, { fphxz: '1', inclusiveFen: -101, taxRate: '0.13' }],
      'DISCOUNT_EXCEEDS_LINE',
      1,
    ],
    [
      'a discount at another rate',
      [{ fphxz: '2', inclusiveFen: 100, taxRate: '0.13', quantity: 1 }, { fphxz: '1', inclusiveFen: -10, taxRate: '0.06' }],
      'DISCOUNT_RATE_MISMATCH',
      1,
    ],
    [
      'an invoice discounted to nothing',
      [{ fphxz: '2', inclusiveFen: 100, taxRate: '0.13', quantity: 1 }, { fphxz: '1', inclusiveFen: -100, taxRate: '0.13' }],
      'AMOUNT_NOT_POSITIVE',
      undefined,
    ],
  ])('refuses %s', (_name, lines, code, lineIndex) => {
    expect(errorOf(() => computeInvoiceAmounts(lines))).toEqual({ code, lineIndex });
  });

  it('refuses an fphxz outside "0", "1", "2" from untyped callers', () => {
    const lines = JSON.parse('[{"fphxz":"3","inclusiveFen":100,"taxRate":"0.13","quantity":1}]') as InvoiceLineInput[];
    expect(errorOf(() => computeInvoiceAmounts(lines))).toEqual({ code: 'LINE_NATURE_INVALID', lineIndex: 0 });
  });

  it('refuses totals beyond the safe-integer range', () => {
    const big = { inclusiveFen: Number.MAX_SAFE_INTEGER, taxRate: '0.13', quantity: 1 };
    expect(errorOf(() => computeInvoiceAmounts([big, big]))?.code).toBe('RESULT_OUT_OF_RANGE');
  });
});
