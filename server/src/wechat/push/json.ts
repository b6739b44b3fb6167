import { PushRejected } from './errors';

/**
 * JSON push bodies (the Mini Program "JSON" data format) as the same flat string record the XML
 * parser yields. Numbers keep their exact source text: MsgId is a 64-bit integer that JSON.parse
 * would round, and two different ids rounding to one value would make deduplication drop a message.
 */

const NUMBER_LITERAL = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Rewrites every number literal outside strings as a string literal. Input must be valid JSON. */
function quoteNumberLiterals(json: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < json.length) {
    const ch = json.charAt(i);
    if (ch === '"') {
      let end = i + 1;
      while (end < json.length && json.charAt(end) !== '"') end += json.charAt(end) === '\\' ? 2 : 1;
      out.push(json.slice(i, end + 1));
      i = end + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER_LITERAL.lastIndex = i;
      const literal = NUMBER_LITERAL.exec(json)?.[0] ?? ch;
      out.push(`"${literal}"`);
      i += literal.length;
    } else {
      out.push(ch);
      i++;
    }
  }
  return out.join('');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a JSON push body into a flat record. Strings and numbers (as their source text) and booleans
 * are kept; null is absent; nested objects and arrays are left out, as nested XML elements are.
 * A repeated key keeps its last value (JSON.parse semantics); for Encrypt that is the value the
 * msg_signature is checked against, so it cannot be used to slip in a second payload.
 */
export function parseJson(body: string): Record<string, string> {
  const text = body.replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    JSON.parse(text); // validate first: the rewrite below assumes well-formed JSON
    parsed = JSON.parse(quoteNumberLiterals(text));
  } catch {
    throw new PushRejected('PUSH_MALFORMED', 'malformed push JSON');
  }
  if (!isPlainObject(parsed)) throw new PushRejected('PUSH_MALFORMED', 'push JSON must be an object');
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'string') fields.set(name, value);
    else if (typeof value === 'boolean') fields.set(name, String(value));
  }
  return Object.fromEntries(fields);
}
