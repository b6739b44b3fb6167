/**
 * Money and tax arithmetic in integer fen (分). Floats never hold money here: every amount is a
 * safe integer, every rate and quantity is an exact decimal, and the only rounding is the one
 * documented on each function. No BigInt either: this also runs in Mini Program base libraries
 * that predate it, so the few products that could exceed 2^53 go through decimal digit strings.
 *
 * Errors: bad input throws `MoneyError` with a stable `code`. Amounts come from the merchant's
 * order system, not from a form, so a bad one is a bug or a bad import to reject loudly, and
 * the server maps it to VALIDATION_FAILED.
 */

/** An amount of money in fen (1/100 yuan): a safe integer, negative only for discount lines. */
export type Fen = number;

export type MoneyErrorCode =
  /** Not a finite integer, or beyond Number.MAX_SAFE_INTEGER: the amount cannot be trusted. */
  | 'FEN_NOT_SAFE_INTEGER'
  /** Zero or negative where only a positive amount makes sense (a goods line, an invoice total). */
  | 'AMOUNT_NOT_POSITIVE'
  /** A yuan string that is not a plain decimal with at most 2 places ("135.90", "-3"). */
  | 'DECIMAL_INVALID'
  /** A tax rate that is not "0" or "0.xx" with at most 4 decimals. */
  | 'TAX_RATE_INVALID'
  /** A quantity that is not a positive decimal with at most 8 places, or too large to compute with. */
  | 'QUANTITY_INVALID'
  /** A computed amount (product or sum) would leave the safe-integer range. */
  | 'RESULT_OUT_OF_RANGE'
  /** An invoice line whose fphxz is not "0", "1" or "2". */
  | 'LINE_NATURE_INVALID'
  /** An invoice with no lines. */
  | 'NO_LINES'
  /** A discount line (fphxz "1") whose amount is not negative. */
  | 'DISCOUNT_NOT_NEGATIVE'
  /** A discount line that does not directly follow an unpaired discounted line (fphxz "2"). */
  | 'DISCOUNT_WITHOUT_DISCOUNTED_LINE'
  /** A discounted line (fphxz "2") that is not directly followed by its discount line. */
  | 'DISCOUNTED_LINE_WITHOUT_DISCOUNT'
  /** A discount larger than the line it discounts. */
  | 'DISCOUNT_EXCEEDS_LINE'
  /** A discount line taxed at a different rate than the line it discounts. */
  | 'DISCOUNT_RATE_MISMATCH';

/** Invalid money input. `code` is stable; `lineIndex` points at the invoice line when there is one. */
export class MoneyError extends Error {
  override readonly name = 'MoneyError';
  constructor(
    readonly code: MoneyErrorCode,
    message: string,
    readonly lineIndex?: number,
  ) {
    super(message);
  }
}

export function isFen(value: unknown): value is Fen {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Throws FEN_NOT_SAFE_INTEGER unless `value` is a safe integer. `what` names it in the message. */
export function assertFen(value: unknown, what = 'amount'): asserts value is Fen {
  if (!isFen(value)) {
    throw new MoneyError('FEN_NOT_SAFE_INTEGER', `${what} must be a safe integer number of fen, got ${String(value)}`);
  }
}

/** Adds amounts, refusing to leave the safe-integer range (a wrong total is worse than none). */
export function sumFen(amounts: readonly Fen[]): Fen {
  let total = 0;
  for (const amount of amounts) {
    assertFen(amount);
    total += amount;
    if (!Number.isSafeInteger(total)) throw new MoneyError('RESULT_OUT_OF_RANGE', 'sum of amounts is too large');
  }
  return total;
}

/** Fen as WeChat's decimal-string amount: 13590 → "135.90", -300 → "-3.00", 5 → "0.05". */
export function formatFen(fen: Fen): string {
  assertFen(fen);
  const abs = Math.abs(fen);
  const cents = abs % 100;
  const yuan = (abs - cents) / 100;
  return `${fen < 0 ? '-' : ''}${yuan}.${cents < 10 ? '0' : ''}${cents}`;
}

/** Fen for people: 13590 → "¥135.90", -300 → "-¥3.00". */
export function formatYuan(fen: Fen): string {
  assertFen(fen);
  return `${fen < 0 ? '-' : ''}¥${formatFen(Math.abs(fen))}`;
}

const YUAN_PATTERN = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/**
 * A yuan decimal string to fen, exactly: "135.9" → 13590, "-3.00" → -300, "159" → 15900.
 * No float parsing: "0.29" is 29 fen, not 28.999…. More than 2 decimals, exponents, signs other
 * than a leading "-", and spaces are rejected (DECIMAL_INVALID) rather than guessed at.
 */
export function parseYuan(text: string): Fen {
  const match = YUAN_PATTERN.exec(text);
  if (!match) throw new MoneyError('DECIMAL_INVALID', `not a yuan amount with at most 2 decimals: "${text}"`);
  const [, sign = '', whole = '', fraction = ''] = match;
  const fen = Number(whole + (fraction + '00').slice(0, 2));
  // Digit strings above 2^53 round to ≥ 2^53, so this also catches silent precision loss.
  if (!Number.isSafeInteger(fen)) throw new MoneyError('RESULT_OUT_OF_RANGE', `amount too large: "${text}"`);
  return sign === '-' && fen !== 0 ? -fen : fen;
}

// ---------------------------------------------------------------------------------------------
// Tax rates

/** A VAT rate as an exact integer number of basis points: "0.13" → 1300, "0.015" → 150. */
export interface TaxRate {
  readonly basisPoints: number;
}

const BASIS_POINTS_PER_UNIT = 10000;
const TAX_RATE_PATTERN = /^0(?:\.(\d+))?$/;

/**
 * Parses "0.13", "0.06", "0.03", "0.01", "0.015", "0", "0.00" (trailing zeros are fine). A rate is
 * in [0, 1) with at most 4 significant decimals; "13%", ".13" and "1" are refused (TAX_RATE_INVALID)
 * because a mistyped rate would put a wrong tax on a legal document.
 */
export function parseTaxRate(text: string): TaxRate {
  const match = TAX_RATE_PATTERN.exec(text);
  const significant = match ? (match[1] ?? '').replace(/0+$/, '') : '';
  if (!match || significant.length > 4) {
    throw new MoneyError('TAX_RATE_INVALID', `not a tax rate like "0.13" (at most 4 decimals): "${text}"`);
  }
  return { basisPoints: Number((significant + '0000').slice(0, 4)) };
}

/** WeChat's `sl` field: two decimals at least, more only if the rate has them (1300 → "0.13", 150 → "0.015"). */
export function formatTaxRate(rate: TaxRate): string {
  const digits = String(rate.basisPoints + BASIS_POINTS_PER_UNIT).slice(1);
  return `0.${digits.slice(0, 2)}${digits.slice(2).replace(/0+$/, '')}`;
}

function toTaxRate(rate: TaxRate | string): TaxRate {
  if (typeof rate === 'string') return parseTaxRate(rate);
  if (!Number.isInteger(rate.basisPoints) || rate.basisPoints < 0 || rate.basisPoints >= BASIS_POINTS_PER_UNIT) {
    throw new MoneyError('TAX_RATE_INVALID', `basis points must be an integer in [0, 10000): ${rate.basisPoints}`);
  }
  return rate;
}

/** A tax-inclusive amount split the way it is printed on the invoice. */
export interface TaxSplit {
  /** 金额, WeChat `xmje`: the amount excluding tax. */
  readonly exclusiveFen: Fen;
  /** 税额, WeChat `se`. */
  readonly taxFen: Fen;
}

/**
 * Splits a tax-inclusive amount: tax = round(inclusive × rate / (1 + rate)), the rest is the
 * amount excluding tax, so exclusive + tax === inclusive always, to the fen.
 *
 * Rounding is half-up in the sense of Java's RoundingMode.HALF_UP (half away from zero), which is
 * what Chinese invoicing software uses. A negative (discount) amount splits as the mirror image of
 * the positive one, so a discount's tax exactly cancels the same-sized line's tax. For the real VAT
 * rates (13, 9, 6, 5, 3, 1, 1.5 %) an exact half never occurs; it does for e.g. 4 % (13 fen → 1).
 *
 * Integer arithmetic only, exact for every safe integer: inclusive = q·d + r, so
 * inclusive·bp/d = q·bp + r·bp/d, where both products stay far below 2^53.
 */
export function splitTaxInclusive(inclusiveFen: Fen, rate: TaxRate | string): TaxSplit {
  assertFen(inclusiveFen, 'tax-inclusive amount');
  const bp = toTaxRate(rate).basisPoints;
  const abs = Math.abs(inclusiveFen);
  const divisor = BASIS_POINTS_PER_UNIT + bp;
  const remainder = abs % divisor; // integer remainder and exact division: no float quotient to round
  const quotient = (abs - remainder) / divisor;
  const absTax = quotient * bp + divideRoundHalfUp(remainder * bp, divisor);
  const taxFen = inclusiveFen < 0 ? -absTax : absTax;
  return { exclusiveFen: inclusiveFen - taxFen, taxFen: taxFen === 0 ? 0 : taxFen };
}

/** round-half-up(n / d) for 0 ≤ n and 2n + d safe. */
function divideRoundHalfUp(numerator: number, divisor: number): number {
  const doubled = 2 * numerator + divisor;
  const twice = 2 * divisor;
  return (doubled - (doubled % twice)) / twice;
}

// ---------------------------------------------------------------------------------------------
// Quantities and unit prices

/** An exact positive decimal quantity: units / 10^scale, with no trailing zeros in the fraction. */
export interface Quantity {
  readonly units: number;
  readonly scale: number;
}

/** Quantities may have up to 8 decimals (the invoicing platforms' limit for 数量). */
export const MAX_QUANTITY_DECIMALS = 8;
/** Keeps every digit step of the long division below 2^53 (10 × units stays safe). */
const MAX_QUANTITY_UNITS = Math.floor(Number.MAX_SAFE_INTEGER / 10);
const QUANTITY_PATTERN = /^(\d+)(?:\.(\d+))?$/;

/** Parses 1, 2.5, "3", "0.125". Zero, negatives, NaN, exponents and > 8 decimals are QUANTITY_INVALID. */
export function parseQuantity(quantity: number | string | Quantity): Quantity {
  if (typeof quantity === 'object' && quantity !== null) {
    return checkQuantity(quantity.units, quantity.scale, `${quantity.units}e-${quantity.scale}`);
  }
  const text = typeof quantity === 'number' ? numberToPlainDecimal(quantity) : quantity;
  const match = text === undefined ? null : QUANTITY_PATTERN.exec(text);
  if (!match) throw new MoneyError('QUANTITY_INVALID', `not a positive decimal quantity: ${String(quantity)}`);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > MAX_QUANTITY_DECIMALS) {
    throw new MoneyError('QUANTITY_INVALID', `quantity has more than ${MAX_QUANTITY_DECIMALS} decimals: ${String(quantity)}`);
  }
  return checkQuantity(Number((match[1] ?? '') + fraction), fraction.length, String(quantity));
}

function checkQuantity(units: number, scale: number, shown: string): Quantity {
  const valid =
    Number.isSafeInteger(units) &&
    units > 0 &&
    units <= MAX_QUANTITY_UNITS &&
    Number.isInteger(scale) &&
    scale >= 0 &&
    scale <= MAX_QUANTITY_DECIMALS;
  if (!valid) throw new MoneyError('QUANTITY_INVALID', `quantity must be positive and at most ${MAX_QUANTITY_UNITS} units: ${shown}`);
  // Normalise 250e-2 to 25e-1 so that equal quantities compare and print equal.
  while (scale > 0 && units % 10 === 0) {
    units /= 10;
    scale -= 1;
  }
  return { units, scale };
}

/** A JS number as a plain decimal string if it has at most 8 decimals exactly; else undefined. */
function numberToPlainDecimal(value: number): string | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  if (Number.isInteger(value)) return Number.isSafeInteger(value) ? String(value) : undefined;
  const fixed = value.toFixed(MAX_QUANTITY_DECIMALS);
  // 0.1 + 0.2 is not 0.3: refuse a float that is not exactly the decimal it looks like at 8 places.
  return Number(fixed) === value ? fixed : undefined;
}

/** WeChat's `xmsl`: 1 → "1", 2.5 → "2.5". */
export function formatQuantity(quantity: number | string | Quantity): string {
  const { units, scale } = parseQuantity(quantity);
  return insertDecimalPoint(String(units), scale);
}

/**
 * The tax-inclusive amount of `quantity` items at `unitPriceFen` each, rounded half-up to the fen
 * when a fractional quantity makes it fall between fen (1.5 × 333 fen = 499.5 → 500). Exact
 * otherwise. Use it instead of `unitPrice * quantity`, which is a float for fractional quantities.
 */
export function lineAmountFen(unitPriceFen: Fen, quantity: number | string | Quantity): Fen {
  assertFen(unitPriceFen, 'unit price');
  const { units, scale } = parseQuantity(quantity);
  const product = multiplyDigits(String(Math.abs(unitPriceFen)), units);
  const fen = Number(divideDigitsRoundHalfUp(product, Math.pow(10, scale)));
  if (!Number.isSafeInteger(fen)) throw new MoneyError('RESULT_OUT_OF_RANGE', 'line amount too large');
  return unitPriceFen < 0 && fen !== 0 ? -fen : fen;
}

/** Unit prices carry at most 8 decimals of yuan (WeChat `xmdj`). */
export const UNIT_PRICE_DECIMALS = 8;

/**
 * Unit price in yuan as a decimal string: amount / quantity, exact when it terminates within 8
 * decimals, otherwise rounded half-up at the 8th. At least 2 decimals, trailing zeros beyond
 * them trimmed: (13590, 1) → "135.90", (10000, 3) → "33.33333333", (100, 8) → "0.125".
 */
export function formatUnitPrice(amountFen: Fen, quantity: number | string | Quantity): string {
  assertFen(amountFen);
  const { units, scale } = parseQuantity(quantity);
  // Price in 1e-8 yuan = |fen| · 10^scale · 10^6 / units: append the zeros, then divide.
  const dividend = String(Math.abs(amountFen)) + '0'.repeat(scale + UNIT_PRICE_DECIMALS - 2);
  const scaled = insertDecimalPoint(divideDigitsRoundHalfUp(dividend, units), UNIT_PRICE_DECIMALS);
  const trimmed = scaled.replace(/0{1,6}$/, '');
  return amountFen < 0 && /[1-9]/.test(trimmed) ? `-${trimmed}` : trimmed;
}

/** "12345", 3 → "12.345"; "5", 2 → "0.05". */
function insertDecimalPoint(digits: string, scale: number): string {
  if (scale === 0) return digits;
  const padded = digits.length <= scale ? '0'.repeat(scale - digits.length + 1) + digits : digits;
  return `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** Decimal digit string × a positive integer m with 10·m safe; exact for any length. */
function multiplyDigits(digits: string, m: number): string {
  let carry = 0;
  let out = '';
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    const step = Number(digits[i]) * m + carry;
    const digit = step % 10;
    out = String(digit) + out;
    carry = (step - digit) / 10;
  }
  return stripLeadingZeros(carry > 0 ? String(carry) + out : out);
}

/** round-half-up(digits / divisor) as a digit string, for a positive divisor with 10·divisor safe. */
function divideDigitsRoundHalfUp(digits: string, divisor: number): string {
  let remainder = 0;
  const quotient: number[] = [];
  for (const ch of digits) {
    const step = remainder * 10 + Number(ch);
    remainder = step % divisor;
    quotient.push((step - remainder) / divisor);
  }
  if (2 * remainder >= divisor) {
    let i = quotient.length - 1;
    while (i >= 0 && quotient[i] === 9) quotient[i--] = 0;
    if (i >= 0) quotient[i] = (quotient[i] ?? 0) + 1;
    else quotient.unshift(1);
  }
  return stripLeadingZeros(quotient.join(''));
}

function stripLeadingZeros(digits: string): string {
  return digits.replace(/^0+(?=\d)/, '');
}
