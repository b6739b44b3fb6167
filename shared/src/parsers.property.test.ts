/**
 * The shared parsers and validators on arbitrary text, as they get it from forms, files and the
 * network: each one either accepts something that satisfies its invariants or refuses with its
 * typed error; nothing else escapes. (Round trips of valid values are in money.test.ts and
 * validators.test.ts.)
 */
import fc from 'fast-check';
import { MoneyError, formatFen, formatQuantity, formatTaxRate, parseQuantity, parseTaxRate, parseYuan } from './money';
import { TAX_NUMBER_LENGTHS, normalizeTaxNumber, usccCheckCharacter, validateFpqqlsh, validateTaxNumber } from './validators';

const RUNS = { numRuns: 500 };

/** Arbitrary text, plus text built from the characters these parsers care about. */
const textFrom = (chars: string) =>
  fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: fc.constantFrom(...chars), maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 20 }));

/** Runs `parse` and returns its value, or the MoneyError it threw; anything else fails the property. */
function moneyOutcome<T>(parse: () => T): { value: T } | { error: MoneyError } {
  try {
    return { value: parse() };
  } catch (err) {
    if (!(err instanceof MoneyError)) throw new Error(`untyped error: ${String(err)}`, { cause: err });
    return { error: err };
  }
}

describe('parseYuan on arbitrary text', () => {
  it('gives a safe integer for a plain decimal with at most 2 places, whose formatting reads back equal, or DECIMAL_INVALID / RESULT_OUT_OF_RANGE', () => {
    fc.assert(
      fc.property(textFrom('0123456789.-+eE ,¥'), (text) => {
        const outcome = moneyOutcome(() => parseYuan(text));
        if ('error' in outcome) {
          expect(['DECIMAL_INVALID', 'RESULT_OUT_OF_RANGE']).toContain(outcome.error.code);
          return;
        }
        expect(text).toMatch(/^-?\d+(\.\d{1,2})?$/);
        expect(Number.isSafeInteger(outcome.value)).toBe(true);
        expect(Object.is(outcome.value, -0)).toBe(false);
        expect(parseYuan(formatFen(outcome.value))).toBe(outcome.value);
      }),
      RUNS,
    );
  });
});

describe('parseTaxRate on arbitrary text', () => {
  it('gives basis points in [0, 10000) that format and parse back equal, or TAX_RATE_INVALID', () => {
    fc.assert(
      fc.property(textFrom('0123456789.%-'), (text) => {
        const outcome = moneyOutcome(() => parseTaxRate(text));
        if ('error' in outcome) {
          expect(outcome.error.code).toBe('TAX_RATE_INVALID');
          return;
        }
        const { basisPoints } = outcome.value;
        expect(Number.isInteger(basisPoints) && basisPoints >= 0 && basisPoints < 10_000).toBe(true);
        expect(parseTaxRate(formatTaxRate(outcome.value))).toEqual(outcome.value);
      }),
      RUNS,
    );
  });
});

describe('parseQuantity on arbitrary text and numbers', () => {
  it('gives a positive quantity of at most 8 decimals that formats and parses back equal, or QUANTITY_INVALID', () => {
    const input = fc.oneof(textFrom('0123456789.-e'), fc.double(), fc.integer(), fc.constantFrom(0, -0, Number.NaN, Infinity, 2 ** 53, 1e-9, 0.1 + 0.2));
    fc.assert(
      fc.property(input, (quantity) => {
        const outcome = moneyOutcome(() => parseQuantity(quantity));
        if ('error' in outcome) {
          expect(outcome.error.code).toBe('QUANTITY_INVALID');
          return;
        }
        const { units, scale } = outcome.value;
        expect(Number.isSafeInteger(units) && units > 0).toBe(true);
        expect(Number.isInteger(scale) && scale >= 0 && scale <= 8).toBe(true);
        expect(parseQuantity(formatQuantity(outcome.value))).toEqual(outcome.value);
      }),
      RUNS,
    );
  });
});

describe('validateTaxNumber on arbitrary text', () => {
  const taxish = textFrom('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZaz -０Ａ');

  it('never throws; accepts only 15/17/18/20 digits and capitals, and an 18-character code only with its check character', () => {
    fc.assert(
      fc.property(taxish, (text) => {
        const result = validateTaxNumber(text);
        if (!result.ok) {
          expect(['EMPTY', 'BAD_LENGTH', 'BAD_CHARACTER', 'USCC_BAD_CHARACTER', 'USCC_CHECK_DIGIT']).toContain(result.reason);
          expect(result.message.length).toBeGreaterThan(0);
          return;
        }
        expect(text).toMatch(/^[0-9A-Z]+$/);
        expect(TAX_NUMBER_LENGTHS).toContain(text.length);
        if (text.length === 18) expect(usccCheckCharacter(text.slice(0, 17))).toBe(text.charAt(17));
      }),
      RUNS,
    );
  });

  it('normalizing form input is idempotent, and leaves no blanks or full-width characters', () => {
    fc.assert(
      fc.property(taxish, (text) => {
        const once = normalizeTaxNumber(text);
        expect(normalizeTaxNumber(once)).toBe(once);
        expect(once).not.toMatch(/[\s\u3000\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/);
      }),
      RUNS,
    );
  });
});

describe('validateFpqqlsh on arbitrary text', () => {
  it('never throws, and accepts only [0-9A-Za-z]{7,20} starting with the prefix', () => {
    fc.assert(
      fc.property(textFrom('0123456789ABCabc-_ '), fc.constantFrom('TEST01', 'ABC123', 'short', 'TOO-LONG-PREFIX'), (fpqqlsh, prefix) => {
        const result = validateFpqqlsh(fpqqlsh, prefix);
        if (!result.ok) return;
        expect(fpqqlsh).toMatch(/^[0-9A-Za-z]{7,20}$/);
        expect(fpqqlsh.startsWith(prefix)).toBe(true);
      }),
      RUNS,
    );
  });
});
