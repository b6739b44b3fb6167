/**
 * The push parsers on arbitrary input, as anyone on the internet can send it to /wechat/push:
 * each either gives a value that satisfies its invariants or throws PushRejected with a push code;
 * nothing untyped escapes (the route would answer 500 and WeChat would retry). Round trips of
 * well-formed pushes are in xml.test.ts, receive.test.ts and crypto.test.ts.
 */
import fc from 'fast-check';
import { detectFormat, parseBody } from './body';
import { encryptMessage, msgSignature, pushSignature, verifyMsgSignature, verifyPushSignature } from './crypto';
import { PUSH_REJECTION_CODES, PushRejected, type PushRejectionCode } from './errors';
import { parseJson } from './json';
import { dedupeKey, parsePushMessage, type PushFields } from './messages';
import { openPush, type PushConfig } from './receive';
import { parseXml } from './xml';

const RUNS = { numRuns: 300 };

/** Calls `run`; its value, or the PushRejected it threw. Any other error fails the property. */
function outcome<T>(run: () => T): { value: T } | { rejected: PushRejectionCode } {
  try {
    return { value: run() };
  } catch (err) {
    if (!(err instanceof PushRejected)) throw new Error(`untyped error: ${String(err)}`, { cause: err });
    expect(PUSH_REJECTION_CODES).toContain(err.code);
    return { rejected: err.code };
  }
}

/** A flat record of strings as an own-property object, nothing inherited. */
function expectFlatStrings(record: Record<string, string>): void {
  expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  for (const [key, value] of Object.entries(record)) {
    expect(Object.prototype.hasOwnProperty.call(record, key)).toBe(true);
    expect(typeof value).toBe('string');
  }
}

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', ' ', '0', '-1', '007', '18446744073709551616', 'a]]>b', '&amp;', '中文', '😀'));
const tagName = fc.oneof(
  fc.constantFrom('xml', 'ToUserName', 'FromUserName', 'CreateTime', 'Event', 'Encrypt', '__proto__', 'constructor', 'valueOf', 'a', 'xml:x', '1bad'),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/),
);
/** XML-shaped text: tags, CDATA, entities, declarations and junk in any order and nesting. */
const xmlish = fc
  .array(
    fc.oneof(
      tagName.map((n) => `<${n}>`),
      tagName.map((n) => `</${n}>`),
      tagName.map((n) => `<${n}/>`),
      text.map((t) => `<![CDATA[${t}]]>`),
      text,
      fc.constantFrom(
        '<?xml version="1.0"?>',
        '<!-- c -->',
        '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!ENTITY lol "lol">',
        '&lol;',
        '&#x41;',
        '<![CDATA[',
        ']]>',
        '<',
        '>',
        '\uFEFF',
        '<a b="c">',
      ),
    ),
    { maxLength: 14 },
  )
  .map((parts) => parts.join(''));
/** Mostly well-formed pushes with one thing in them chosen at random. */
const wellFormedXml = fc.dictionary(tagName.filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n)), text, { maxKeys: 6 }).map(
  (fields) => `<xml>${Object.entries(fields).map(([k, v]) => `<${k}><![CDATA[${v.split(']]>').join(']]]]><![CDATA[>')}]]></${k}>`).join('')}</xml>`,
);

describe('parseXml on arbitrary text', () => {
  it('gives a flat record of strings, or PUSH_MALFORMED / PUSH_DOCTYPE_FORBIDDEN; never one from a document with a DTD', () => {
    fc.assert(
      fc.property(fc.oneof(xmlish, wellFormedXml, fc.string()), (body) => {
        const result = outcome(() => parseXml(body));
        if ('rejected' in result) {
          expect(['PUSH_MALFORMED', 'PUSH_DOCTYPE_FORBIDDEN']).toContain(result.rejected);
          return;
        }
        expectFlatStrings(result.value);
        expect(body).not.toMatch(/<!\s*(DOCTYPE|ENTITY)/i);
      }),
      { numRuns: 500 },
    );
  });
});

const jsonish = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.json({ maxDepth: 3 }).chain((json) => fc.nat({ max: json.length }).map((cut) => json.slice(0, cut))),
  fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '1', '-', 'e', '.', 'n', 'u', 'l', '\\', ' '), maxLength: 30 }),
  fc.string(),
);

describe('parseJson on arbitrary text', () => {
  it('gives a flat record of strings, or PUSH_MALFORMED', () => {
    fc.assert(
      fc.property(jsonish, (body) => {
        const result = outcome(() => parseJson(body));
        if ('rejected' in result) expect(result.rejected).toBe('PUSH_MALFORMED');
        else expectFlatStrings(result.value);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps strings, integers of any size as their exact digits, and booleans; drops null and nested values', () => {
    const value = fc.oneof(
      fc.string().map((s) => ({ raw: JSON.stringify(s), kept: s })),
      fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => ({ raw: n.toString(), kept: n.toString() })),
      fc.boolean().map((b) => ({ raw: String(b), kept: String(b) })),
      fc.constantFrom({ raw: 'null', kept: undefined }, { raw: '{"a":1}', kept: undefined }, { raw: '[1,"x"]', kept: undefined }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 6 }), (fields) => {
        const body = `{${Object.entries(fields).map(([key, v]) => `${JSON.stringify(key)}:${v.raw}`).join(',')}}`;
        const expected = Object.fromEntries(Object.entries(fields).flatMap(([key, v]) => (v.kept === undefined ? [] : [[key, v.kept]])));
        expect(parseJson(body)).toEqual(expected);
      }),
      RUNS,
    );
  });
});

describe('parseBody on arbitrary text', () => {
  it('reads a body as XML exactly when it starts with "<" and as JSON when it starts with "{", and refuses anything else', () => {
    fc.assert(
      fc.property(fc.oneof(xmlish, jsonish, fc.string()), fc.option(fc.string({ maxLength: 80 })), (body, contentType) => {
        const first = /^[\uFEFF\s]*(.)/.exec(body)?.[1];
        const result = outcome(() => parseBody(body, contentType ?? undefined));
        if ('value' in result) {
          expect(result.value.format).toBe(first === '<' ? 'xml' : 'json');
          expectFlatStrings(result.value.fields);
        } else if (first !== '<' && first !== '{') {
          expect(result.rejected).toBe('PUSH_MALFORMED');
          expect(() => detectFormat(body)).toThrow(PushRejected);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parsePushMessage on arbitrary fields of the invoice events', () => {
  const fieldValue = fc.oneof(
    fc.constantFrom('', ' ', '0', '1', '100', '2', '-1', ' 42 ', '1e3', '0x10', '9007199254740993', '18446744073709551616', 'NaN', '中'),
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308),
  );
  const name = fc.constantFrom(
    'ToUserName',
    'FromUserName',
    'CreateTime',
    'SuccOrderId',
    'FailOrderId',
    'AuthorizeAppId',
    'AppId',
    'Source',
    'source',
    'fpqqlsh',
    'nsrsbh',
    'status',
    'Status',
    '__proto__',
    'constructor',
  );
  const fieldsArb = fc
    .tuple(fc.dictionary(name, fieldValue, { maxKeys: 12 }), fc.constantFrom('user_authorize_invoice', 'cloud_invoice_invoiceresult_event'))
    .map(([fields, event]): PushFields => ({ ...fields, Event: event }));

  it('gives the typed event with its invariants, or PUSH_MALFORMED', () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        const result = outcome(() => parsePushMessage(fields));
        if ('rejected' in result) {
          expect(result.rejected).toBe('PUSH_MALFORMED');
          return;
        }
        const message = result.value;
        expect(message.kind).toBe(fields.Event);
        if (message.kind === 'other') throw new Error('an invoice event came out untyped');
        expect(Number.isSafeInteger(message.createTime) && message.createTime >= 0).toBe(true);
        expect(message.toUserName).toBe(String(fields.ToUserName));
        expect(message.fromUserName).toBe(String(fields.FromUserName));
        expect(message.toUserName.length * message.fromUserName.length).toBeGreaterThan(0);
        if (message.kind === 'user_authorize_invoice') {
          expect(message.succOrderId ?? message.failOrderId).toBeTruthy();
        } else {
          expect(message.fpqqlsh.length * message.nsrsbh.length).toBeGreaterThan(0);
          expect(Number.isSafeInteger(message.status)).toBe(true);
        }
        // The dedupe key is deterministic and unambiguous (a JSON array opening with the kind).
        const key = dedupeKey(message);
        expect(dedupeKey(parsePushMessage(fields))).toBe(key);
        expect((JSON.parse(key) as unknown[])[0]).toBe(message.kind);
      }),
      { numRuns: 500 },
    );
  });
});

describe('openPush on arbitrary requests', () => {
  const cfg: PushConfig = { token: 'pushToken123', appid: 'wx0123456789abcdef', aesKey: Buffer.alloc(32, 7) };
  const body = fc.oneof(xmlish, wellFormedXml, jsonish);
  const junk = fc.oneof(fc.string({ maxLength: 50 }), fc.constant(undefined));

  /** true 3 times in 4: the checks behind a signature and a ciphertext must run often, not by luck. */
  const mostly = fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
  /** A body that parses half of the time (a well-formed push), arbitrary text otherwise. */
  const content = fc.oneof(body, wellFormedXml);

  /**
   * Requests whose signatures are mostly right and whose Encrypt is mostly a real ciphertext, so the
   * parsers behind the checks run too. The rarest to get through, a plain push, does about 15 times
   * in 500 runs, so that none does has a chance below 1e-6 whatever the seed (it was about 1 in 8).
   */
  const request = fc.record({
    method: fc.constantFrom('GET' as const, 'POST' as const),
    timestamp: fc.oneof(fc.constant('1714112445'), fc.string({ maxLength: 12 })),
    nonce: fc.oneof(fc.constant('42'), fc.string({ maxLength: 12 })),
    encryptType: fc.oneof(fc.constant('aes'), fc.constantFrom(undefined, '', 'raw', 'aes', 'AES', 'rsa')),
    signed: mostly,
    /** For encrypted pushes: a real ciphertext of `plaintext`, or junk in Encrypt. */
    realCiphertext: mostly,
    plaintext: content,
    envelope: content,
    json: fc.boolean(),
    signature: junk,
    msgSignature: junk,
    echostr: junk,
  });

  it('throws nothing but PushRejected, and accepts only what its signature covers', () => {
    const accepted = { handshake: 0, plain: 0, encrypted: 0 };
    fc.assert(
      fc.property(request, (r) => {
        const encrypt = r.realCiphertext ? encryptMessage(r.plaintext, { aesKey: cfg.aesKey as Buffer, appid: cfg.appid }) : r.envelope.slice(0, 40);
        const encrypted = r.encryptType === 'aes';
        const envelope = encrypted ? (r.json ? JSON.stringify({ ToUserName: 'gh_1', Encrypt: encrypt }) : `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`) : r.envelope;
        const query = {
          timestamp: r.timestamp,
          nonce: r.nonce,
          encrypt_type: r.encryptType,
          signature: r.signed ? pushSignature(cfg.token, r.timestamp, r.nonce) : r.signature,
          msg_signature: r.signed ? msgSignature(cfg.token, r.timestamp, r.nonce, encrypt) : r.msgSignature,
          echostr: r.echostr,
        };
        const result = outcome(() => openPush({ method: r.method, query, body: envelope }, cfg));
        if ('rejected' in result) return;
        const opened = result.value;
        accepted[opened.kind === 'handshake' ? 'handshake' : opened.encrypted ? 'encrypted' : 'plain'] += 1;
        if (opened.kind === 'handshake') {
          expect(verifyPushSignature(cfg.token, r.timestamp, r.nonce, query.signature ?? '')).toBe(true);
          expect(opened.echostr).toBe(r.echostr);
        } else if (opened.encrypted) {
          expect(verifyMsgSignature(cfg.token, r.timestamp, r.nonce, encrypt, query.msg_signature ?? '')).toBe(true);
          expect(r.realCiphertext).toBe(true);
        } else {
          expect(verifyPushSignature(cfg.token, r.timestamp, r.nonce, query.signature ?? '')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
    // Not vacuous: every kind of push got through its checks some of the time.
    expect(Math.min(accepted.handshake, accepted.plain, accepted.encrypted)).toBeGreaterThan(0);
  });
});
