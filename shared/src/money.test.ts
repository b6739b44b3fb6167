import fc from 'fast-check';
import {
  MoneyError,
  assertFen,
  formatFen,
  formatQuantity,
  formatTaxRate,
  formatUnitPrice,
  formatYuan,
  lineAmountFen,
  parseQuantity,
  parseTaxRate,
  parseYuan,
  splitTaxInclusive,
  sumFen,
} from './money';

const REAL_RATES = ['0.13', '0.09', '0.06', '0.05', '0.03', '0.015', '0.01', '0'];

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof MoneyError) return error.code;
    throw error;
  }
  return undefined;
}

/** Independent reference: half-away-from-zero of inclusive·bp/(10000+bp), in BigInt. */
function referenceTax(inclusive: number, bp: number): number {
  const abs = BigInt(Math.abs(inclusive));
  const d = BigInt(10000 + bp);
  const tax = Number((2n * abs * BigInt(bp) + d) / (2n * d));
  return inclusive < 0 && tax !== 0 ? -tax : tax;
}

describe('splitTaxInclusive', () => {
  it.each([
    // [inclusive fen, rate, tax, excluding tax]
    [11300, '0.13', 1300, 10000],
    [100, '0.06', 6, 94], // 5.66 → 6
    [1, '0.13', 0, 1], // 0.115 → 0
    [5, '0.13', 1, 4], // 0.575 → 1
    [15900, '0.17', 2310, 13590], // the documented sample invoice: 159 = 135.90 + 23.10
    [10300, '0.03', 300, 10000],
    [10000, '0', 0, 10000],
    // 4 %: inclusive/26 — exact halves exist, and go up
    [13, '0.04', 1, 12], // 0.5 → 1
    [39, '0.04', 2, 37], // 1.5 → 2
    [12, '0.04', 0, 12], // 0.46 → 0
    [14, '0.04', 1, 13], // 0.54 → 1
  ])('%i fen at %s → tax %i, excluding tax %i', (inclusive, rate, tax, exclusive) => {
    expect(splitTaxInclusive(inclusive, rate)).toEqual({ taxFen: tax, exclusiveFen: exclusive });
  });

  it('splits a negative (discount) amount as the mirror image: half away from zero', () => {
    expect(splitTaxInclusive(-13, '0.04')).toEqual({ taxFen: -1, exclusiveFen: -12 });
    expect(splitTaxInclusive(-11300, '0.13')).toEqual({ taxFen: -1300, exclusiveFen: -10000 });
    expect(Object.is(splitTaxInclusive(-1, '0.13').taxFen, 0)).toBe(true); // never -0
  });

  it('adds up to the inclusive amount and matches exact rational rounding, for any safe amount and rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 9999 }),
        (inclusive, bp) => {
          const { exclusiveFen, taxFen } = splitTaxInclusive(inclusive, { basisPoints: bp });
          expect(exclusiveFen + taxFen).toBe(inclusive);
          expect(taxFen).toBe(referenceTax(inclusive, bp));
          expect(Number.isSafeInteger(exclusiveFen) && Number.isSafeInteger(taxFen)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never gives a negative tax or a tax above the amount for a real line (1 fen .. 10^9 fen)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.constantFrom(...REAL_RATES), (inclusive, rate) => {
        const { exclusiveFen, taxFen } = splitTaxInclusive(inclusive, rate);
        expect(taxFen).toBeGreaterThanOrEqual(0);
        expect(exclusiveFen + taxFen).toBe(inclusive);
        // What a tax reviewer checks: se ≈ xmje × sl within a fen.
        const bp = parseTaxRate(rate).basisPoints;
        expect(Math.abs(taxFen * 10000 - exclusiveFen * bp)).toBeLessThanOrEqual(10000);
      }),
    );
  });

  it('rejects amounts that are not safe integers and rates that are not rates', () => {
    expect(codeOf(() => splitTaxInclusive(100.5, '0.13'))).toBe('FEN_NOT_SAFE_INTEGER');
    expect(codeOf(() => splitTaxInclusive(2 ** 53, '0.13'))).toBe('FEN_NOT_SAFE_INTEGER');
    expect(codeOf(() => splitTaxInclusive(NaN, '0.13'))).toBe('FEN_NOT_SAFE_INTEGER');
    expect(codeOf(() => splitTaxInclusive(100, '13%'))).toBe('TAX_RATE_INVALID');
    expect(codeOf(() => splitTaxInclusive(100, { basisPoints: 10000 }))).toBe('TAX_RATE_INVALID');
    expect(codeOf(() => splitTaxInclusive(100, { basisPoints: 12.5 }))).toBe('TAX_RATE_INVALID');
  });
});

describe('tax rates', () => {
  it.each([
    ['0.13', 1300],
    ['0.06', 600],
    ['0.03', 300],
    ['0.01', 100],
    ['0.015', 150],
    ['0', 0],
    ['0.00', 0],
    ['0.130', 1300],
    ['0.0001', 1],
  ])('parses %s exactly as %i basis points', (text, bp) => {
    expect(parseTaxRate(text).basisPoints).toBe(bp);
  });

  it.each(['13%', '.13', '0.', '1', '1.00', '-0.13', ' 0.13', '0.13 ', '0.00001', '0,13', '', '0x1', '1e-1'])(
    'refuses %j',
    (text) => {
      expect(codeOf(() => parseTaxRate(text))).toBe('TAX_RATE_INVALID');
    },
  );

  it("formats WeChat's sl with two decimals at least", () => {
    expect(formatTaxRate(parseTaxRate('0.13'))).toBe('0.13');
    expect(formatTaxRate(parseTaxRate('0.015'))).toBe('0.015');
    expect(formatTaxRate(parseTaxRate('0'))).toBe('0.00');
    expect(formatTaxRate({ basisPoints: 1 })).toBe('0.0001');
  });

  it('formats and parses back every rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), (bp) => {
        expect(parseTaxRate(formatTaxRate({ basisPoints: bp })).basisPoints).toBe(bp);
      }),
    );
  });
});

describe('fen ↔ yuan strings', () => {
  it.each([
    [13590, '135.90'],
    [-300, '-3.00'],
    [0, '0.00'],
    [5, '0.05'],
    [-5, '-0.05'],
    [100, '1.00'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('formats %i fen as %s', (fen, text) => {
    expect(formatFen(fen)).toBe(text);
  });

  it('round-trips every safe amount through the string', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (fen) => {
        const text = formatFen(fen);
        expect(text).toMatch(/^-?(0|[1-9]\d*)\.\d\d$/);
        expect(parseYuan(text)).toBe(fen);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['135.9', 13590],
    ['159', 15900],
    ['0.29', 29], // 0.29 * 100 is 28.999999999999996 in floating point
    ['1.1', 110],
    ['-3.00', -300],
    ['007.50', 750],
  ])('parses %s as %i fen', (text, fen) => {
    expect(parseYuan(text)).toBe(fen);
  });

  it('parses "-0.00" as plain zero', () => {
    expect(Object.is(parseYuan('-0.00'), 0)).toBe(true);
  });

  it.each(['1.234', '1e3', '', '+1', ' 1', '1.', '.5', 'abc', '1,000.00', '¥1.00', '１.00'])('refuses %j', (text) => {
    expect(codeOf(() => parseYuan(text))).toBe('DECIMAL_INVALID');
  });

  it('refuses amounts beyond the safe-integer range instead of rounding them', () => {
    expect(codeOf(() => parseYuan('90071992547409.92'))).toBe('RESULT_OUT_OF_RANGE');
    expect(parseYuan('90071992547409.91')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('shows amounts to people with the yuan sign', () => {
    expect(formatYuan(13590)).toBe('¥135.90');
    expect(formatYuan(-300)).toBe('-¥3.00');
    expect(formatYuan(0)).toBe('¥0.00');
    expect(codeOf(() => formatYuan(1.5))).toBe('FEN_NOT_SAFE_INTEGER');
  });
});

describe('assertFen and sumFen', () => {
  it.each([1.5, NaN, Infinity, -Infinity, 2 ** 53, '100', null, undefined])('rejects %p', (value) => {
    expect(codeOf(() => assertFen(value))).toBe('FEN_NOT_SAFE_INTEGER');
  });

  it('sums exactly and refuses to overflow', () => {
    expect(sumFen([13590, -300, 1])).toBe(13291);
    expect(sumFen([])).toBe(0);
    expect(codeOf(() => sumFen([Number.MAX_SAFE_INTEGER, 1]))).toBe('RESULT_OUT_OF_RANGE');
  });
});

describe('quantities', () => {
  it.each([
    [1, { units: 1, scale: 0 }],
    [2.5, { units: 25, scale: 1 }],
    ['2.50', { units: 25, scale: 1 }],
    ['0.125', { units: 125, scale: 3 }],
    ['10', { units: 10, scale: 0 }],
    [0.1, { units: 1, scale: 1 }],
    ['0.00000001', { units: 1, scale: 8 }],
    [{ units: 250, scale: 2 }, { units: 25, scale: 1 }],
  ])('parses %p exactly', (input, expected) => {
    expect(parseQuantity(input)).toEqual(expected);
  });

  it.each([0, -1, '0', '0.000', NaN, Infinity, 0.1 + 0.2, '1e3', '-2', '1.000000001', '', ' 1', 2 ** 60])(
    'refuses %p',
    (input) => {
      expect(codeOf(() => parseQuantity(input))).toBe('QUANTITY_INVALID');
    },
  );

  it("formats WeChat's xmsl", () => {
    expect(formatQuantity(1)).toBe('1');
    expect(formatQuantity('2.50')).toBe('2.5');
    expect(formatQuantity('0.05')).toBe('0.05');
  });
});

/** BigInt reference for a unit price string: |fen|·10^scale·10^6/units, half-up, at 8 decimals. */
function referenceUnitPrice(fen: number, units: number, scale: number): string {
  const scaled = (BigInt(Math.abs(fen)) * 10n ** BigInt(scale + 6) * 2n + BigInt(units)) / (2n * BigInt(units));
  const digits = scaled.toString().padStart(9, '0');
  const text = `${digits.slice(0, -8)}.${digits.slice(-8)}`.replace(/0{1,6}$/, '');
  return fen < 0 && /[1-9]/.test(text) ? `-${text}` : text;
}

describe('formatUnitPrice (xmdj)', () => {
  it.each([
    [13590, 1, '135.90'],
    [10000, 3, '33.33333333'],
    [20000, 3, '66.66666667'],
    [100, 8, '0.125'],
    [2, 3, '0.00666667'],
    [13590, '1.5', '90.60'],
    [1, 1, '0.01'],
    [0, 7, '0.00'],
    [-300, 2, '-1.50'],
  ])('%i fen over %p → %s', (fen, quantity, text) => {
    expect(formatUnitPrice(fen, quantity)).toBe(text);
  });

  it('matches exact division for any amount and quantity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e15, max: 1e15 }),
        fc.integer({ min: 1, max: 1e12 }),
        fc.integer({ min: 0, max: 8 }),
        (fen, units, scale) => {
          const quantity = parseQuantity({ units, scale });
          expect(formatUnitPrice(fen, quantity)).toBe(referenceUnitPrice(fen, quantity.units, quantity.scale));
        },
      ),
    );
  });
});

describe('lineAmountFen', () => {
  it('multiplies exactly, rounding half-up only when a fractional quantity lands between fen', () => {
    expect(lineAmountFen(333, 3)).toBe(999);
    expect(lineAmountFen(333, 1.5)).toBe(500); // 499.5 → 500
    expect(lineAmountFen(100, '0.333')).toBe(33); // 33.3 → 33
    expect(lineAmountFen(999, '0.001')).toBe(1); // 0.999 → 1
    expect(lineAmountFen(0, 5)).toBe(0);
  });

  it('matches BigInt arithmetic and refuses results beyond 2^53', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 0, max: 8 }), (price, units, scale) => {
        const q = parseQuantity({ units, scale });
        const exact = (BigInt(price) * BigInt(q.units) * 2n + 10n ** BigInt(q.scale)) / (2n * 10n ** BigInt(q.scale));
        if (exact > BigInt(Number.MAX_SAFE_INTEGER)) {
          expect(codeOf(() => lineAmountFen(price, q))).toBe('RESULT_OUT_OF_RANGE');
        } else {
          expect(lineAmountFen(price, q)).toBe(Number(exact));
        }
      }),
    );
  });
});
