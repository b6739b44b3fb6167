/**
 * The VAT rates an invoice may carry. parseTaxRate accepts any "0.xxxx"; a rate the tax rules do
 * not know (a typo such as "0.99", or "0.31" for 13 %) would be printed on a legal document, so an
 * order is checked against this list when it is recorded.
 *
 * Current rates (since 2019-04-01): 13 % and 9 % (general), 6 % (services), 5 % and 3 %
 * (simplified method), 1.5 % (simplified 5 % reduced, individuals renting out housing), 1 %
 * (small-scale taxpayers' reduced 3 %), 0 % (exports, zero-rated services).
 *
 * Historic rates are accepted only for sales made while they were in force, because an invoice
 * issued late (补开) for such a sale must carry the rate that applied when the sale was made:
 * 17 % and 11 % until 2018-04-30, 16 % and 10 % from 2018-05-01 to 2019-03-31 (China time).
 */
import { parseTaxRate, type TaxRate } from './money';

/** Basis points of the rates in force now. */
export const CURRENT_TAX_RATES: readonly number[] = [1300, 900, 600, 500, 300, 150, 100, 0];

/** Rates no longer in force, with the last moment (exclusive, UTC) of a sale that may carry them. */
export const HISTORIC_TAX_RATES: readonly { basisPoints: number; until: Date }[] = [
  { basisPoints: 1700, until: new Date('2018-04-30T16:00:00Z') },
  { basisPoints: 1100, until: new Date('2018-04-30T16:00:00Z') },
  { basisPoints: 1600, until: new Date('2019-03-31T16:00:00Z') },
  { basisPoints: 1000, until: new Date('2019-03-31T16:00:00Z') },
];

/** True when `rate` is one the tax rules know for a sale made at `soldAt`. */
export function isKnownTaxRate(rate: TaxRate, soldAt: Date): boolean {
  if (CURRENT_TAX_RATES.includes(rate.basisPoints)) return true;
  return HISTORIC_TAX_RATES.some((h) => h.basisPoints === rate.basisPoints && soldAt.getTime() < h.until.getTime());
}

/** The problem with a rate text for a sale at `soldAt`, or undefined when it may be invoiced. */
export function taxRateProblem(text: string, soldAt: Date): string | undefined {
  let rate: TaxRate;
  try {
    rate = parseTaxRate(text);
  } catch (err) {
    return (err as Error).message;
  }
  if (isKnownTaxRate(rate, soldAt)) return undefined;
  const known = CURRENT_TAX_RATES.map((bp) => `${bp / 100}%`).join(', ');
  return `${text} is not a VAT rate for a sale at ${soldAt.toISOString().slice(0, 10)} (the rates in force are ${known}; 17/11 % before 2018-05-01 and 16/10 % before 2019-04-01)`;
}
