/**
 * Free text that ends up on a legal invoice or in an ops terminal: a buyer's title, address, bank,
 * phone, a merchant setting. Such text must be well-formed Unicode (a lone surrogate is silently
 * printed as U+FFFD) and free of control characters (NUL, ESC, BEL… would be printed on the
 * invoice, or drive the terminal of whoever lists it). Pure functions, for the server's schemas
 * and the Mini Program's forms alike.
 */

// C0 and C1 controls and DEL; the bidirectional overrides and isolates, which reorder what is shown.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export type TextProblem = 'EMPTY' | 'NOT_WELL_FORMED' | 'CONTROL_CHARACTER' | 'TOO_LONG';

/** True when the string has no lone surrogate (String.prototype.isWellFormed, which older base libraries lack). */
export function isWellFormedText(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/** The first problem with an already trimmed text, or undefined. `max` counts code points. */
export function textProblem(text: string, max: number): { problem: TextProblem; message: string } | undefined {
  if (text === '') return { problem: 'EMPTY', message: 'must not be empty or only spaces' };
  if (!isWellFormedText(text)) return { problem: 'NOT_WELL_FORMED', message: 'must be well-formed Unicode (it has a lone surrogate)' };
  if (CONTROL.test(text)) return { problem: 'CONTROL_CHARACTER', message: 'must not contain control characters' };
  if ([...text].length > max) return { problem: 'TOO_LONG', message: `must be at most ${max} characters` };
  return undefined;
}

/**
 * For display in a terminal: control characters, bidi overrides and lone surrogates shown as
 * escapes (`\x1b`, `\u202e`), so that text from buyers can never act on the terminal.
 */
export function escapeControlCharacters(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += text.slice(i, i + 2); // a pair: one character
      i += 1;
    } else if (code === 0x0a || !(CONTROL.test(text.charAt(i)) || (code >= 0xd800 && code <= 0xdfff))) {
      out += text.charAt(i);
    } else {
      out += code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    }
  }
  return out;
}
