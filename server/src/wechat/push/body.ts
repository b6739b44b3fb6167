import { PushRejected } from './errors';
import { parseJson } from './json';
import { buildXml, parseXml } from './xml';

/** The data format chosen in the console; replies must use the same one. */
export type PushFormat = 'xml' | 'json';

/**
 * XML or JSON, decided by the body's first non-blank character: `<` or `{`. The body cannot lie about
 * itself, whereas Content-Type varies (text/xml, application/xml, application/json, charsets, proxies
 * rewriting it), so the header only serves to explain a refusal.
 */
export function detectFormat(body: string, contentType?: string): PushFormat {
  const first = /^[\uFEFF\s]*(.)/.exec(body)?.[1];
  if (first === '<') return 'xml';
  if (first === '{') return 'json';
  const declared = contentType ? ` (Content-Type ${contentType.slice(0, 64)})` : '';
  throw new PushRejected('PUSH_MALFORMED', `push body is neither XML nor a JSON object${declared}`);
}

/** A body as its format plus the flat record of its top-level fields. */
export function parseBody(body: string, contentType?: string): { format: PushFormat; fields: Record<string, string> } {
  const format = detectFormat(body, contentType);
  return { format, fields: format === 'xml' ? parseXml(body) : parseJson(body) };
}

/** Serialises a record the way WeChat writes that format. */
export function serializeBody(fields: Readonly<Record<string, string | number>>, format: PushFormat): string {
  return format === 'xml' ? buildXml(fields) : JSON.stringify(fields);
}
