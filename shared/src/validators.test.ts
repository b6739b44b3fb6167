import fc from 'fast-check';
import {
  isValidSpbm,
  isValidTaxNumber,
  normalizeTaxNumber,
  usccCheckCharacter,
  validateFpqqlsh,
  validateFpqqlshPrefix,
  validateTaxNumber,
} from './validators';

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Real, published Unified Social Credit Codes. */
const PUBLISHED_USCC = [
  '91350100M000100Y43', // the worked example in GB 32100-2015
  '9144030071526726XG', // 腾讯科技(深圳)有限公司
  '91330100799655058B', // 阿里巴巴(中国)有限公司
  '914403001922038216', // 华为技术有限公司
  '91110108551385082Q', // 小米科技有限责任公司
  '91512081MA62K0260E', // worked example circulated with the standard's algorithm
];

function reasonOf(value: string): string | undefined {
  const result = validateTaxNumber(value);
  return result.ok ? undefined : result.reason;
}

describe('validateTaxNumber: 18-character Unified Social Credit Codes', () => {
  it.each(PUBLISHED_USCC)('accepts the published code %s', (code) => {
    expect(validateTaxNumber(code)).toEqual({ ok: true });
    expect(usccCheckCharacter(code.slice(0, 17))).toBe(code.charAt(17));
  });

  it("rejects the standard's counter-example 91350100M000100Y4Z: Z is not a code character", () => {
    const result = validateTaxNumber('91350100M000100Y4Z');
    expect(result).toEqual({ ok: false, reason: 'USCC_BAD_CHARACTER', message: expect.stringContaining('Z') });
  });

  it('tells the buyer the check character is wrong when it is a code character', () => {
    const result = validateTaxNumber('91350100M000100Y44');
    expect(result).toEqual({ ok: false, reason: 'USCC_CHECK_DIGIT', message: expect.stringContaining('校验位') });
  });

  it('rejects every single-character change of a published code', () => {
    for (const code of PUBLISHED_USCC) {
      for (let position = 0; position < 18; position += 1) {
        for (const replacement of USCC_CHARSET) {
          if (replacement === code.charAt(position)) continue;
          const changed = code.slice(0, position) + replacement + code.slice(position + 1);
          expect([changed, reasonOf(changed)]).toEqual([changed, 'USCC_CHECK_DIGIT']);
        }
      }
    }
  });

  it('accepts any 17 code characters with their computed check character, and detects any substitution', () => {
    const body = fc.array(fc.constantFrom(...USCC_CHARSET), { minLength: 17, maxLength: 17 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(body, fc.integer({ min: 0, max: 17 }), fc.constantFrom(...USCC_CHARSET), (first17, position, replacement) => {
        const code = first17 + (usccCheckCharacter(first17) ?? '?');
        expect(isValidTaxNumber(code)).toBe(true);
        const changed = code.slice(0, position) + replacement + code.slice(position + 1);
        expect(isValidTaxNumber(changed)).toBe(changed === code);
      }),
    );
  });

  it('detects swapped neighbours', () => {
    for (const code of PUBLISHED_USCC) {
      for (let i = 0; i < 17; i += 1) {
        if (code.charAt(i) === code.charAt(i + 1)) continue;
        const swapped = code.slice(0, i) + code.charAt(i + 1) + code.charAt(i) + code.slice(i + 2);
        expect(isValidTaxNumber(swapped)).toBe(false);
      }
    }
  });

  it.each(['I', 'O', 'Z', 'S', 'V'])('rejects the letter %s, which the code never uses', (letter) => {
    expect(reasonOf(`91350100M000100Y4${letter}`)).toBe('USCC_BAD_CHARACTER');
    expect(reasonOf(`9135010${letter}M000100Y43`)).toBe('USCC_BAD_CHARACTER');
  });

  it('rejects lowercase, which normalizeTaxNumber fixes for form input', () => {
    expect(reasonOf('91350100m000100y43')).toBe('BAD_CHARACTER');
    expect(normalizeTaxNumber(' 9135 0100m000100y43\u3000')).toBe('91350100M000100Y43');
    expect(normalizeTaxNumber('９１３５０１００Ｍ０００１００ｙ４３')).toBe('91350100M000100Y43');
    expect(validateTaxNumber(normalizeTaxNumber('91350100m000100y43')).ok).toBe(true);
  });
});

describe('validateTaxNumber: other lengths and formats', () => {
  it.each([
    ['110109500321654', 15], // the documented sample nsrsbh
    ['12345678901234567', 17],
    ['15000119720513462901', 20],
    ['44030119800101123X', 18 /* fails: an ID-card-like 18 is not a USCC */],
  ])('%s (%i characters)', (value, length) => {
    expect(value).toHaveLength(length);
    expect(isValidTaxNumber(value)).toBe(length !== 18);
  });

  it('accepts any letters, I O Z S V included, in the old 15/17/20-character numbers', () => {
    expect(isValidTaxNumber('44030071526726Z')).toBe(true);
    expect(isValidTaxNumber('4403007152672IOSV')).toBe(true);
    expect(isValidTaxNumber('ABCDEFGHIJKLMNOPQRST')).toBe(true);
  });

  it.each([
    ['', 'EMPTY'],
    ['1234567890123456', 'BAD_LENGTH'],
    ['1234567890123456789', 'BAD_LENGTH'],
    ['123456789012345678901', 'BAD_LENGTH'],
    ['1101095003216', 'BAD_LENGTH'],
    ['110109-00321654', 'BAD_CHARACTER'],
    ['110109 00321654', 'BAD_CHARACTER'],
    ['11010950032165４', 'BAD_CHARACTER'],
    ['税号110109500321', 'BAD_CHARACTER'],
  ])('%j → %s', (value, reason) => {
    expect(reasonOf(value)).toBe(reason);
  });

  it('explains every rejection in Chinese', () => {
    for (const value of ['', '123', 'abc', '91350100M000100Y4Z', '91350100M000100Y4I']) {
      const result = validateTaxNumber(value);
      if (result.ok) throw new Error(`expected ${value} to be rejected`);
      expect(result.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('isValidSpbm', () => {
  it.each([
    ['1090418010000000000', true], // the documented sample
    ['3040201000000000000', true],
    ['109041801000000000', false], // 18 digits
    ['10904180100000000000', false], // 20 digits
    ['109041801000000000A', false],
    [' 1090418010000000000', false],
    ['', false],
  ])('%j → %p', (value, valid) => {
    expect(isValidSpbm(value)).toBe(valid);
  });
});

describe('validateFpqqlsh', () => {
  it.each([
    ['test20160511000461', 'test20'], // documented makeoutinvoice sample (18 characters)
    ['14574d75004451097845', '14574d'], // documented queryinvoceinfo sample (20 characters)
    ['ABC1230', 'ABC123'],
  ])('accepts %s for merchant prefix %s', (fpqqlsh, prefix) => {
    expect(validateFpqqlsh(fpqqlsh, prefix)).toEqual({ ok: true });
  });

  it.each([
    ['test201605110004611', 'test21', 'PREFIX_MISMATCH'],
    ['TEST20160511000461', 'test20', 'PREFIX_MISMATCH'], // WeChat compares bytes
    ['test201605110004610000', 'test20', 'TOO_LONG'],
    ['test20', 'test20', 'TOO_SHORT'],
    ['test20-0511000461', 'test20', 'BAD_CHARACTER'],
    ['test20 0511000461', 'test20', 'BAD_CHARACTER'],
    ['test20160511000461', 'test2', 'BAD_MERCHANT_PREFIX'],
    ['test20160511000461', 'test2!', 'BAD_MERCHANT_PREFIX'],
  ])('rejects %j for prefix %j: %s', (fpqqlsh, prefix, reason) => {
    const result = validateFpqqlsh(fpqqlsh, prefix);
    expect(result.ok ? undefined : result.reason).toBe(reason);
  });

  it('accepts every [0-9A-Za-z] serial of up to 14 characters after the prefix', () => {
    const serial = fc.stringMatching(/^[0-9A-Za-z]{1,14}$/);
    fc.assert(
      fc.property(serial, (tail) => {
        expect(validateFpqqlsh(`abc123${tail}`, 'abc123').ok).toBe(true);
      }),
    );
  });

  it('checks the configured prefix on its own', () => {
    expect(validateFpqqlshPrefix('abc123').ok).toBe(true);
    expect(validateFpqqlshPrefix('abc1234').ok).toBe(false);
    expect(validateFpqqlshPrefix('').ok).toBe(false);
  });
});
