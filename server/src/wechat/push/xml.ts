import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PushRejected } from './errors';

/**
 * WeChat's push XML is one flat `<xml>` element whose children hold CDATA or bare numbers.
 *
 * Entities: nothing is ever expanded. Any DOCTYPE/ENTITY declaration is refused before parsing (so no
 * XXE and no "billion laughs"), and entity references in text are returned verbatim: `&amp;` stays the
 * five characters `&amp;`. WeChat puts every string in CDATA, so real pushes never need decoding, and a
 * consumer can never be handed text an entity smuggled in.
 *
 * Values: always the exact string in the document, untrimmed and never coerced to numbers, so ids such
 * as "0012345678901234567890" survive. (The one change is XML's own line-end rule: CR LF reads as LF.)
 */

const parser = new XMLParser({
  preserveOrder: true, // keeps repeated tags visible (so they can be refused) and text nodes untouched
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: false,
  maxNestedTags: 32,
  // The library would silently rename tags such as <valueOf> to "__valueOf"; no push has them, so refuse.
  onDangerousProperty: (name) => {
    throw new Error(`reserved tag name ${name}`);
  },
});

type OrderedNode = Record<string, unknown>;

const TEXT = '#text';
// A DTD is the only way to declare entities; refusing it outright is simpler than configuring it safely.
// Deliberately blunt: it also refuses the string inside CDATA, which no invoice push ever contains.
const DECLARATION = /<!\s*(?:DOCTYPE|ENTITY)/i;

function malformed(why: string): PushRejected {
  return new PushRejected('PUSH_MALFORMED', `malformed push XML: ${why}`);
}

function isTextNode(node: OrderedNode): boolean {
  return Object.prototype.hasOwnProperty.call(node, TEXT);
}

function textOf(node: OrderedNode): string {
  const value = node[TEXT];
  return typeof value === 'string' ? value : String(value);
}

/** The element's name and children, or undefined for a text node. */
function elementOf(node: OrderedNode): { name: string; children: OrderedNode[] } | undefined {
  if (isTextNode(node)) return undefined;
  const name = Object.keys(node).find((key) => key !== ':@');
  const children = name === undefined ? undefined : node[name];
  if (name === undefined || !Array.isArray(children)) throw malformed('unexpected node');
  return { name, children: children as OrderedNode[] };
}

function parseOrdered(body: string): OrderedNode[] {
  if (DECLARATION.test(body)) {
    throw new PushRejected('PUSH_DOCTYPE_FORBIDDEN', 'push XML must not contain DOCTYPE or ENTITY declarations');
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw malformed(`${valid.err.code} at line ${valid.err.line}, column ${valid.err.col}`);
  try {
    return parser.parse(body) as OrderedNode[];
  } catch {
    throw malformed('parser refused the document'); // e.g. a tag named __proto__/valueOf, nesting deeper than 32
  }
}

function rootChildren(nodes: OrderedNode[]): OrderedNode[] {
  const elements = nodes.filter((node) => !isTextNode(node) || textOf(node).trim() !== '');
  const root = elements.length === 1 && elements[0] ? elementOf(elements[0]) : undefined;
  if (!root || root.name !== 'xml') throw malformed('the document must be a single <xml> element');
  return root.children;
}

/**
 * Parses a push body into the flat record of `<xml>`'s children.
 * Children that themselves contain elements (e.g. ScanCodeInfo of menu events) are left out: no
 * field we act on is nested, and other events are only acknowledged. Refused: a non-`xml` root,
 * text directly inside `<xml>`, and repeated child names (which copy would Encrypt be?).
 */
export function parseXml(body: string): Record<string, string> {
  const fields = new Map<string, string>();
  const seen = new Set<string>();
  for (const node of rootChildren(parseOrdered(body.replace(/^\uFEFF/, '')))) {
    const element = elementOf(node);
    if (!element) {
      if (textOf(node).trim() !== '') throw malformed('text directly inside <xml>');
      continue;
    }
    if (seen.has(element.name)) throw malformed(`<${element.name}> appears more than once`);
    seen.add(element.name);
    if (element.children.every(isTextNode)) fields.set(element.name, element.children.map(textOf).join(''));
  }
  return Object.fromEntries(fields); // defines own properties, so no name can reach a prototype
}

// Fields WeChat writes as bare numbers rather than CDATA.
const BARE_NUMBER_FIELDS = new Set(['CreateTime', 'TimeStamp', 'status', 'MsgId', 'MsgID']);
const TAG_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** True if XML 1.0 cannot carry the string at all, even in CDATA: C0 controls, lone surrogates, U+FFFE/F. */
function hasXmlIllegalChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d) return true;
    if (unit === 0xfffe || unit === 0xffff) return true;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1); // NaN past the end
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return true;
  }
  return false;
}

/** `]]>` cannot occur inside CDATA, so close the section between `]]` and `>` and open a new one. */
function cdata(value: string): string {
  return `<![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

function xmlValue(name: string, value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`<${name}> must be a finite number`);
    return String(value);
  }
  if (hasXmlIllegalChar(value)) throw new TypeError(`<${name}> contains a character XML cannot carry`);
  return BARE_NUMBER_FIELDS.has(name) && /^\d+$/.test(value) ? value : cdata(value);
}

/** Writes a record as WeChat does: `<xml>`, strings in CDATA, numbers bare, in the record's key order. */
export function buildXml(record: Readonly<Record<string, string | number>>): string {
  const children = Object.entries(record).map(([name, value]) => {
    if (!TAG_NAME.test(name)) throw new TypeError(`"${name}" is not a usable XML tag name`);
    return `<${name}>${xmlValue(name, value)}</${name}>`;
  });
  return `<xml>${children.join('')}</xml>`;
}
