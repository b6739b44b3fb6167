import { MoneyError, parseQuantity, parseTaxRate, parseYuan, type Fen } from '@fapiao/shared';
import type { InvoiceLine } from '../data/invoice-models';
import { invalidParams } from './fields';

/**
 * The money checks of the invoicing platform, on WeChat's decimal strings: amounts in yuan with at
 * most 2 decimals, rates like "0.13", quantities and unit prices with at most 8 decimals. Totals
 * must add up exactly (jshj = hjje + hjse, hjje = Σ xmje, hjse = Σ se); per line the tax may differ
 * from xmje × sl by at most 0.06 yuan and xmsl × xmdj from xmje by at most 0.01 yuan (the tolerances
 * of China's tax-control software). Discount lines ("1") are negative, directly follow their
 * discounted line ("2"), share its rate and do not exceed it. Any failure is 72031.
 */

const TAX_TOLERANCE_FEN = 6n;
const PRICE_DECIMALS = 8;

export interface Totals {
  jshj: string;
  hjje: string;
  hjse: string;
}

export function checkAmounts(totals: Totals, lines: readonly InvoiceLine[]): void {
  const jshj = yuan(totals.jshj, 'jshj');
  const hjje = yuan(totals.hjje, 'hjje');
  const hjse = yuan(totals.hjse, 'hjse');
  if (jshj <= 0) invalidParams('jshj must be positive');
  if (jshj !== hjje + hjse) invalidParams('jshj must equal hjje + hjse');
  let sumXmje = 0;
  let sumSe = 0;
  lines.forEach((line, i) => {
    const { xmje, se } = checkLine(line, i, lines[i - 1], lines[i + 1]);
    sumXmje += xmje;
    sumSe += se;
  });
  if (sumXmje !== hjje) invalidParams('hjje must equal the sum of the lines\' xmje');
  if (sumSe !== hjse) invalidParams('hjse must equal the sum of the lines\' se');
}

function checkLine(line: InvoiceLine, i: number, previous: InvoiceLine | undefined, next: InvoiceLine | undefined): { xmje: Fen; se: Fen } {
  const at = `invoicedetail_list[${i}]`;
  if (!/^\d{19}$/.test(line.spbm)) invalidParams(`${at}.spbm must be 19 digits`);
  const xmje = yuan(line.xmje, `${at}.xmje`);
  const se = yuan(line.se, `${at}.se`);
  const rate = money(() => parseTaxRate(line.sl), `${at}.sl`).basisPoints;
  if (line.fphxz === '1') {
    if (xmje >= 0 || se > 0) invalidParams(`${at} is a discount line: xmje and se must be negative`);
    if (previous?.fphxz !== '2') invalidParams(`${at} is a discount line: it must follow its discounted line (fphxz 2)`);
    // The discounted line was checked just before, so its values parse.
    if (parseTaxRate(previous.sl).basisPoints !== rate) invalidParams(`${at}: a discount has the rate of its line`);
    if (-xmje > parseYuan(previous.xmje)) invalidParams(`${at}: the discount exceeds its line`);
  } else {
    if (line.fphxz === '2' && next?.fphxz !== '1') invalidParams(`${at} is a discounted line: its discount line (fphxz 1) must follow`);
    if (xmje <= 0 || se < 0) invalidParams(`${at}: xmje must be positive and se not negative`);
    checkUnitPrice(line, xmje, at);
  }
  const taxGap = BigInt(xmje) * BigInt(rate) - BigInt(se) * 10000n;
  if (abs(taxGap) > TAX_TOLERANCE_FEN * 10000n) invalidParams(`${at}: se does not match xmje × sl`);
  return { xmje, se };
}

/** xmsl × xmdj within a fen of xmje, computed exactly. */
function checkUnitPrice(line: InvoiceLine, xmje: Fen, at: string): void {
  const quantity = money(() => parseQuantity(line.xmsl), `${at}.xmsl`);
  const price = /^(\d+)(?:\.(\d{1,8}))?$/.exec(line.xmdj);
  if (!price) invalidParams(`${at}.xmdj must be a positive decimal with at most ${PRICE_DECIMALS} decimals`);
  const priceUnits = BigInt(`${price[1] ?? '0'}${(price[2] ?? '').padEnd(PRICE_DECIMALS, '0')}`);
  // quantity × price in units of 10^-(scale+8) yuan; one fen is 10^(scale+6) of them.
  const fen = 10n ** BigInt(quantity.scale + PRICE_DECIMALS - 2);
  const gap = BigInt(quantity.units) * priceUnits - BigInt(xmje) * fen;
  if (abs(gap) > fen) invalidParams(`${at}: xmsl × xmdj does not match xmje`);
}

function yuan(text: string, name: string): Fen {
  return money(() => parseYuan(text), name);
}

function money<T>(parse: () => T, name: string): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof MoneyError) invalidParams(`${name}: ${err.message}`);
    throw err;
  }
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}
