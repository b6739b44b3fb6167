/**
 * Validators for identifiers on an invoice. Each returns a result with a stable `reason` code and
 * a message, not a bare boolean, so the Mini Program can show what is wrong and the server can
 * put it in a VALIDATION_FAILED/TAX_NUMBER_INVALID response. Tax-number messages are zh-CN
 * because buyers read them; fpqqlsh messages are English because only engineers and ops do.
 */

export type ValidationResult<Reason extends string> =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: Reason; readonly message: string };

const OK: { readonly ok: true } = { ok: true };

function fail<Reason extends string>(reason: Reason, message: string): ValidationResult<Reason> {
  return { ok: false, reason, message };
}

// ---------------------------------------------------------------------------------------------
// Buyer tax number (纳税人识别号)

export type TaxNumberProblem =
  /** Nothing entered. */
  | 'EMPTY'
  /** Not 15, 17, 18 or 20 characters. */
  | 'BAD_LENGTH'
  /** Something other than digits and uppercase letters (lowercase, spaces, punctuation). */
  | 'BAD_CHARACTER'
  /** 18 characters, but with a letter a Unified Social Credit Code never uses (I, O, Z, S, V). */
  | 'USCC_BAD_CHARACTER'
  /** 18 characters whose last one is not the GB 32100-2015 check character: a typo. */
  | 'USCC_CHECK_DIGIT';

/** Lengths in use: 15 (old 税务登记证号), 17 and 20 (old ID-card based numbers), 18 (USCC). */
export const TAX_NUMBER_LENGTHS: readonly number[] = [15, 17, 18, 20];

/**
 * The GB 32100-2015 code character set (table 1): digits, then uppercase letters without
 * I, O, Z, S, V. A character's value is its index here, 0..30.
 */
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** Weights for positions 1..17: W(i) = 3^(i-1) mod 31 (table 2). */
const USCC_WEIGHTS: readonly number[] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * The 18th character of a Unified Social Credit Code for its first 17:
 * C18 = 31 − (Σ Ci·Wi mod 31), where 31 becomes 0. Undefined unless `first17` is 17 USCC characters.
 */
export function usccCheckCharacter(first17: string): string | undefined {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const value = USCC_CHARSET.indexOf(first17.charAt(i));
    if (value < 0) return undefined;
    sum += value * (USCC_WEIGHTS[i] ?? 0);
  }
  return USCC_CHARSET.charAt((31 - (sum % 31)) % 31);
}

/**
 * What people type into a tax-number field: strips spaces, turns full-width digits and letters
 * (from a Chinese IME) into ASCII, and uppercases. Run it before validateTaxNumber on form input;
 * the validator itself accepts only the canonical form.
 */
export function normalizeTaxNumber(input: string): string {
  return input
    .replace(/[\s\u3000]+/g, '')
    .replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .toUpperCase();
}

/**
 * A buyer's 纳税人识别号: 15, 17, 18 or 20 characters of digits and uppercase letters, and when
 * it has 18 it must be a valid Unified Social Credit Code (GB 32100-2015 charset and check
 * character). Only the check character is verified, not the registration-authority or region
 * parts, so codes from newly created authorities still pass.
 */
export function validateTaxNumber(value: string): ValidationResult<TaxNumberProblem> {
  if (value.length === 0) return fail('EMPTY', '请填写税号');
  if (!/^[0-9A-Z]+$/.test(value)) return fail('BAD_CHARACTER', '税号只能包含数字和大写英文字母');
  if (TAX_NUMBER_LENGTHS.indexOf(value.length) < 0) return fail('BAD_LENGTH', '税号应为15、17、18或20位');
  if (value.length !== 18) return OK;
  const expected = usccCheckCharacter(value.slice(0, 17));
  if (expected === undefined || USCC_CHARSET.indexOf(value.charAt(17)) < 0) {
    return fail('USCC_BAD_CHARACTER', '统一社会信用代码不含字母 I、O、Z、S、V，请核对');
  }
  if (value.charAt(17) !== expected) return fail('USCC_CHECK_DIGIT', '统一社会信用代码校验位不正确，请核对');
  return OK;
}

export function isValidTaxNumber(value: string): boolean {
  return validateTaxNumber(value).ok;
}

// ---------------------------------------------------------------------------------------------
// 税收分类编码 (spbm)

/** The 19-digit tax classification code of a line (税收分类编码), e.g. "1090418010000000000". */
export function isValidSpbm(value: string): boolean {
  return /^\d{19}$/.test(value);
}

// ---------------------------------------------------------------------------------------------
// 发票请求流水号 (fpqqlsh)

/** WeChat checks the first 6 characters against the merchant's code (error 73110). */
export const FPQQLSH_PREFIX_LENGTH = 6;
/** The longest fpqqlsh the invoicing platforms accept (the documented examples are 18–20). */
export const FPQQLSH_MAX_LENGTH = 20;

export type FpqqlshProblem =
  /** The merchant prefix itself is not 6 characters of [0-9A-Za-z]: a configuration error. */
  | 'BAD_MERCHANT_PREFIX'
  /** No serial part after the prefix, so it could not be unique. */
  | 'TOO_SHORT'
  | 'TOO_LONG'
  | 'BAD_CHARACTER'
  /** Does not start with the merchant prefix (WeChat would answer 73110). */
  | 'PREFIX_MISMATCH';

const FPQQLSH_CHARSET = /^[0-9A-Za-z]*$/;

/** For config: the merchant code WeChat gave us is 6 characters of [0-9A-Za-z]. */
export function validateFpqqlshPrefix(prefix: string): ValidationResult<'BAD_MERCHANT_PREFIX'> {
  if (prefix.length !== FPQQLSH_PREFIX_LENGTH || !FPQQLSH_CHARSET.test(prefix)) {
    return fail('BAD_MERCHANT_PREFIX', `the merchant prefix must be ${FPQQLSH_PREFIX_LENGTH} characters of [0-9A-Za-z]`);
  }
  return OK;
}

/**
 * An invoice request serial number: [0-9A-Za-z], 7..20 characters, starting with the merchant
 * prefix exactly (case-sensitive: WeChat compares bytes).
 */
export function validateFpqqlsh(fpqqlsh: string, merchantPrefix: string): ValidationResult<FpqqlshProblem> {
  const prefixCheck = validateFpqqlshPrefix(merchantPrefix);
  if (!prefixCheck.ok) return prefixCheck;
  if (!FPQQLSH_CHARSET.test(fpqqlsh)) return fail('BAD_CHARACTER', 'fpqqlsh may only contain [0-9A-Za-z]');
  if (fpqqlsh.length <= FPQQLSH_PREFIX_LENGTH) return fail('TOO_SHORT', 'fpqqlsh needs a serial part after the merchant prefix');
  if (fpqqlsh.length > FPQQLSH_MAX_LENGTH) return fail('TOO_LONG', `fpqqlsh is longer than ${FPQQLSH_MAX_LENGTH} characters`);
  if (fpqqlsh.slice(0, FPQQLSH_PREFIX_LENGTH) !== merchantPrefix) {
    return fail('PREFIX_MISMATCH', `fpqqlsh must start with the merchant prefix "${merchantPrefix}"`);
  }
  return OK;
}

// ---------------------------------------------------------------------------------------------
// Dates

/** Midnight UTC on 1 January of `year` (Date.UTC would read years 0–99 as 1900–1999). */
function startOfYear(year: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, 0, 1);
  return date.getTime();
}
const YEAR_1 = startOfYear(1);
const YEAR_10000 = startOfYear(10000);

/**
 * True for a valid date in years 1–9999 (UTC): the range ISO 8601 strings without an expanded
 * year, and every database's date type, can hold. Year 0 and beyond 9999 are refused as input.
 */
export function isDateInYearRange(date: Date): boolean {
  const time = date.getTime();
  return !Number.isNaN(time) && time >= YEAR_1 && time < YEAR_10000;
}
