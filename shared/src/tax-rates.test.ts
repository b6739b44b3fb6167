import { parseTaxRate } from './money';
import { isKnownTaxRate, taxRateProblem } from './tax-rates';

describe('known VAT rates', () => {
  const now = new Date('2026-05-01T02:00:00Z');

  it('takes the rates in force and refuses any other 0.xxxx', () => {
    for (const rate of ['0.13', '0.09', '0.06', '0.05', '0.03', '0.015', '0.01', '0', '0.130']) expect([rate, taxRateProblem(rate, now)]).toEqual([rate, undefined]);
    for (const rate of ['0.99', '0.31', '0.04', '0.17', '0.16', '0.11', '0.10', '0.0001']) expect([rate, typeof taxRateProblem(rate, now)]).toEqual([rate, 'string']);
    expect(taxRateProblem('13%', now)).toContain('not a tax rate');
  });

  it('takes a historic rate only for a sale made while it applied (China time)', () => {
    expect(isKnownTaxRate(parseTaxRate('0.17'), new Date('2018-04-30T15:59:59Z'))).toBe(true);
    expect(isKnownTaxRate(parseTaxRate('0.17'), new Date('2018-04-30T16:00:00Z'))).toBe(false);
    expect(isKnownTaxRate(parseTaxRate('0.16'), new Date('2019-03-31T15:59:59Z'))).toBe(true);
    expect(isKnownTaxRate(parseTaxRate('0.10'), new Date('2019-03-31T16:00:00Z'))).toBe(false);
  });
});
