import fc from 'fast-check';
import fixtures from '../../../test/fixtures/wechat-push-vectors.json';
import { decodeAesKey, encryptMessage, msgSignature } from './crypto';
import { PushRejected, type PushRejectionCode } from './errors';
import type { PushMessage } from './messages';
import { buildEncryptedReply, openPostedPush, openPush, type PushConfig, type PushRequest, type ReceivedPush } from './receive';
import { openReply, sealPush, type PushMode } from './seal';
import { parseXml } from './xml';

const { S1, S2, A1 } = fixtures.vectors;

const TOKEN = 'Tok3nThatMustNeverBeLogged';
const ENCODING_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APPID = 'wx0123456789abcdef';
const cfg: PushConfig = { token: TOKEN, appid: APPID, aesKey: decodeAesKey(ENCODING_AES_KEY) };
const stamp = { timestamp: '1714112445', nonce: '415670741' };

const authFields = {
  ToUserName: 'gh_fc0a06a20993',
  FromUserName: 'oZI8Fj040-be6rlDohc6gkoPOQTQ',
  CreateTime: 1475134700,
  MsgType: 'event',
  Event: 'user_authorize_invoice',
  SuccOrderId: '0012345678901234567890',
  FailOrderId: '',
  AuthorizeAppId: 'wx9db2c16d0633c2e7',
  Source: 'wxa',
};
const authMessage: PushMessage = {
  kind: 'user_authorize_invoice',
  toUserName: 'gh_fc0a06a20993',
  fromUserName: 'oZI8Fj040-be6rlDohc6gkoPOQTQ',
  createTime: 1475134700,
  succOrderId: '0012345678901234567890',
  authorizeAppId: 'wx9db2c16d0633c2e7',
  source: 'wxa',
};
const resultFields = {
  ToUserName: 'gh_fc0a06a20993',
  FromUserName: 'FromUser',
  CreateTime: 123456789,
  MsgType: 'event',
  Event: 'cloud_invoice_invoiceresult_event',
  fpqqlsh: '14574d75004451097886',
  status: 100,
  nsrsbh: '150001197205134629',
};
const resultMessage: PushMessage = {
  kind: 'cloud_invoice_invoiceresult_event',
  toUserName: 'gh_fc0a06a20993',
  fromUserName: 'FromUser',
  createTime: 123456789,
  fpqqlsh: '14574d75004451097886',
  nsrsbh: '150001197205134629',
  status: 100,
};

function post(sealed: { query: Record<string, string>; body: string; contentType: string }): PushRequest {
  return { method: 'POST', query: sealed.query, body: sealed.body, contentType: sealed.contentType };
}

function rejection(run: () => unknown): PushRejected | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    if (err instanceof PushRejected) return err;
    throw err;
  }
}

function rejectionCode(run: () => unknown): PushRejectionCode | 'returned' {
  return rejection(run)?.code ?? 'returned';
}

function received(result: ReturnType<typeof openPush>): ReceivedPush {
  if (result.kind !== 'message') throw new Error('expected a message');
  return result;
}

describe('GET handshake', () => {
  const query = { signature: S1.signature, timestamp: S1.timestamp, nonce: S1.nonce, echostr: S1.echostr };

  it('S1: returns echostr verbatim when the signature verifies', () => {
    expect(openPush({ method: 'GET', query, body: '' }, { token: S1.token, appid: 'wx' })).toStrictEqual({
      kind: 'handshake',
      echostr: S1.echostr,
    });
  });

  it('works the same with an AES key configured (echostr stays plain text)', () => {
    expect(openPush({ method: 'GET', query, body: '' }, { token: S1.token, appid: 'wx', aesKey: cfg.aesKey })).toMatchObject({
      echostr: '4375120948345356249',
    });
  });

  it.each([
    ['a wrong signature', { signature: S2.signature }],
    ['a wrong token', {}],
    ['no signature', { signature: undefined }],
    ['no timestamp', { timestamp: undefined }],
    ['a different nonce', { nonce: '1514711493' }],
  ])('refuses %s with PUSH_SIGNATURE_INVALID', (label, change) => {
    const token = label === 'a wrong token' ? 'BBBBB' : S1.token;
    expect(rejectionCode(() => openPush({ method: 'GET', query: { ...query, ...change }, body: '' }, { token, appid: 'wx' }))).toBe(
      'PUSH_SIGNATURE_INVALID',
    );
  });

  it('refuses a correctly signed GET without echostr', () => {
    expect(rejectionCode(() => openPush({ method: 'GET', query: { ...query, echostr: undefined }, body: '' }, { token: S1.token, appid: 'wx' }))).toBe(
      'PUSH_MALFORMED',
    );
  });
});

describe('official POST vectors', () => {
  it('S2: a plain JSON POST with the documented signature is accepted', () => {
    const body = JSON.stringify({ ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: Number(S2.timestamp), MsgType: 'event', Event: 'debug_demo' });
    const result = received(
      openPush({ method: 'POST', query: { signature: S2.signature, timestamp: S2.timestamp, nonce: S2.nonce }, body }, { token: S2.token, appid: 'wx' }),
    );
    expect(result).toMatchObject({ encrypted: false, format: 'json', message: { kind: 'other', event: 'debug_demo' } });
  });

  it('A1: the safe-mode JSON push opens to its plaintext', () => {
    const query = {
      signature: A1.signature,
      timestamp: A1.timestamp,
      nonce: A1.nonce,
      openid: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      encrypt_type: 'aes',
      msg_signature: A1.msg_signature,
    };
    const a1cfg = { token: A1.token, appid: A1.appid, aesKey: decodeAesKey(A1.encodingAESKey) };
    const result = received(openPush({ method: 'POST', query, body: A1.encrypted_body, contentType: 'application/json' }, a1cfg));
    expect(result.encrypted).toBe(true);
    expect(result.format).toBe('json');
    expect(result.message).toMatchObject({ kind: 'other', msgType: 'event', event: 'debug_demo', fields: { debug_str: 'hello world' } });
    expect(rejectionCode(() => openPush({ method: 'POST', query: { ...query, msg_signature: A1.signature }, body: A1.encrypted_body }, a1cfg))).toBe(
      'PUSH_SIGNATURE_INVALID',
    );
  });
});

describe('sealPush → openPush round trip', () => {
  const modes: PushMode[] = ['plain', 'compatible', 'safe'];
  const formats = ['xml', 'json'] as const;
  const cases = modes.flatMap((mode) =>
    formats.flatMap((format) => [
      { mode, format, name: 'user_authorize_invoice', fields: authFields, expected: authMessage },
      { mode, format, name: 'invoice result', fields: resultFields, expected: resultMessage },
    ]),
  );

  it.each(cases)('$mode / $format / $name', ({ mode, format, fields, expected }) => {
    const result = received(openPush(post(sealPush(fields, { ...cfg, ...stamp, mode, format })), cfg));
    expect(result.message).toStrictEqual(expected);
    expect(result.encrypted).toBe(mode !== 'plain');
    expect(result.format).toBe(format);
    expect(result.dedupeKey).toBe(received(openPush(post(sealPush(fields, { ...cfg, ...stamp, mode: 'plain', format: 'json' })), cfg)).dedupeKey);
  });

  it('the AppId / source spellings survive the trip in both formats', () => {
    const { AuthorizeAppId, Source, ...rest } = authFields;
    for (const format of formats) {
      const sealed = sealPush({ ...rest, AppId: AuthorizeAppId, source: Source }, { ...cfg, ...stamp, mode: 'safe', format });
      expect(received(openPush(post(sealed), cfg)).message).toStrictEqual(authMessage);
    }
  });

  it('acknowledges generic events in every mode', () => {
    for (const mode of modes) {
      const sealed = sealPush({ ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: 1, MsgType: 'event', Event: 'subscribe' }, { ...cfg, ...stamp, mode, format: 'xml' });
      expect(received(openPush(post(sealed), cfg)).message).toMatchObject({ kind: 'other', event: 'subscribe' });
    }
  });

  it('compatible mode trusts only the decrypted fields, not the plaintext twins beside Encrypt', () => {
    const sealed = sealPush(authFields, { ...cfg, ...stamp, mode: 'compatible', format: 'xml' });
    // msg_signature covers only Encrypt, so a forger could rewrite the twins without breaking it.
    const forgedBody = sealed.body.replace('0012345678901234567890', '9999');
    expect(parseXml(forgedBody).SuccOrderId).toBe('9999');
    const result = received(openPush({ ...post(sealed), body: forgedBody }, cfg));
    expect(result.message).toMatchObject({ succOrderId: '0012345678901234567890' });
  });

  it('dedupe keys differ for two events of the same user and second about different orders', () => {
    const open = (order: string): string =>
      received(openPush(post(sealPush({ ...authFields, SuccOrderId: order }, { ...cfg, ...stamp, mode: 'safe', format: 'xml' })), cfg)).dedupeKey;
    expect(open('A-1')).not.toBe(open('A-2'));
    expect(open('A-1')).toBe(open('A-1'));
  });
});

describe('mode policy', () => {
  it('accepts a plain POST with a valid signature even when an AES key is configured', () => {
    const sealed = sealPush(authFields, { ...cfg, ...stamp, mode: 'plain', format: 'xml' });
    expect(received(openPush(post(sealed), cfg)).encrypted).toBe(false);
    expect(rejectionCode(() => openPush({ ...post(sealed), query: { ...sealed.query, signature: '0'.repeat(40) } }, cfg))).toBe('PUSH_SIGNATURE_INVALID');
  });

  it('refuses plain POSTs when requireEncryption is set, but only after checking the signature', () => {
    const strict = { ...cfg, requireEncryption: true };
    const sealed = sealPush(authFields, { ...cfg, ...stamp, mode: 'plain', format: 'xml' });
    expect(rejectionCode(() => openPush(post(sealed), strict))).toBe('PUSH_ENCRYPTION_REQUIRED');
    expect(rejectionCode(() => openPush({ ...post(sealed), query: { ...sealed.query, signature: 'x' } }, strict))).toBe('PUSH_SIGNATURE_INVALID');
    expect(received(openPush(post(sealPush(authFields, { ...cfg, ...stamp, mode: 'safe', format: 'xml' })), strict)).encrypted).toBe(true);
  });

  it('refuses an encrypted push when no AES key is configured', () => {
    const sealed = sealPush(authFields, { ...cfg, ...stamp, mode: 'safe', format: 'json' });
    expect(rejectionCode(() => openPush(post(sealed), { token: TOKEN, appid: APPID }))).toBe('PUSH_AES_KEY_MISSING');
  });

  it('checks only msg_signature on encrypted pushes (signature does not cover the body)', () => {
    const sealed = sealPush(authFields, { ...cfg, ...stamp, mode: 'safe', format: 'json' });
    expect(received(openPush({ ...post(sealed), query: { ...sealed.query, signature: undefined } }, cfg)).encrypted).toBe(true);
  });

  it.each([
    ['an unknown encrypt_type', { encrypt_type: 'des' }, 'PUSH_MALFORMED'],
    ['no msg_signature', { msg_signature: undefined }, 'PUSH_SIGNATURE_INVALID'],
  ] as const)('refuses %s', (_label, change, code) => {
    const sealed = sealPush(authFields, { ...cfg, ...stamp, mode: 'safe', format: 'xml' });
    expect(rejectionCode(() => openPush({ ...post(sealed), query: { ...sealed.query, ...change } }, cfg))).toBe(code);
  });

  it('refuses an encrypted envelope without Encrypt, and a DOCTYPE in either envelope or plaintext', () => {
    const empty = sealPush(authFields, { ...cfg, ...stamp, mode: 'safe', format: 'xml' });
    expect(rejectionCode(() => openPush({ ...post(empty), body: '<xml><ToUserName>gh</ToUserName></xml>' }, cfg))).toBe('PUSH_MALFORMED');
    const doctype = `<!DOCTYPE x [<!ENTITY e "e">]>${empty.body}`;
    expect(rejectionCode(() => openPush({ ...post(empty), body: doctype }, cfg))).toBe('PUSH_DOCTYPE_FORBIDDEN');
    // A validly signed and encrypted plaintext that itself carries a DOCTYPE.
    const encrypt = encryptMessage('<!DOCTYPE xml><xml><Event>user_authorize_invoice</Event></xml>', { aesKey: cfg.aesKey ?? Buffer.alloc(0), appid: APPID });
    const body = `<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
    const query = { ...empty.query, msg_signature: msgSignature(TOKEN, stamp.timestamp, stamp.nonce, encrypt) };
    expect(rejectionCode(() => openPush({ method: 'POST', query, body }, cfg))).toBe('PUSH_DOCTYPE_FORBIDDEN');
  });
});

describe('tampering (property-based)', () => {
  const ALNUM = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];
  const keyArb = fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 43, maxLength: 43 }).map(decodeAesKey);
  const tokenArb = fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 3, maxLength: 32 });
  const appidArb = fc.stringMatching(/^wx[0-9a-f]{16}$/);
  const textArb = fc.string({ unit: fc.constantFrom('a', '7', '中', '文', '😀', ' ', '<', '&', ']'), minLength: 1, maxLength: 60 });
  const pushArb = fc.record({
    key: keyArb,
    token: tokenArb,
    appid: appidArb,
    order: textArb,
    openid: textArb,
    mode: fc.constantFrom<PushMode>('compatible', 'safe'),
    format: fc.constantFrom('xml' as const, 'json' as const),
  });

  function seal(p: { key: Buffer; token: string; appid: string; order: string; openid: string; mode: PushMode; format: 'xml' | 'json' }) {
    const config: PushConfig = { token: p.token, appid: p.appid, aesKey: p.key };
    const fields = { ...authFields, FromUserName: p.openid, SuccOrderId: p.order };
    return { config, sealed: sealPush(fields, { ...config, ...stamp, mode: p.mode, format: p.format }) };
  }

  function withEncrypt(body: string, format: 'xml' | 'json', encrypt: string): string {
    if (format === 'json') return JSON.stringify({ ...(JSON.parse(body) as object), Encrypt: encrypt });
    const original = parseXml(body).Encrypt ?? '';
    return body.replace(original, encrypt);
  }

  it('an untouched push always opens to what was sealed', () => {
    fc.assert(
      fc.property(pushArb, (p) => {
        const { config, sealed } = seal(p);
        expect(received(openPush(post(sealed), config)).message).toMatchObject({ succOrderId: p.order, fromUserName: p.openid });
      }),
      { numRuns: 150 },
    );
  });

  it('any changed ciphertext byte is refused', () => {
    fc.assert(
      fc.property(pushArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (p, at, xor) => {
        const { config, sealed } = seal(p);
        const encrypt = (p.format === 'json' ? (JSON.parse(sealed.body) as { Encrypt: string }).Encrypt : parseXml(sealed.body).Encrypt) ?? '';
        const bytes = Buffer.from(encrypt, 'base64');
        const index = at % bytes.length;
        bytes[index] = (bytes[index] ?? 0) ^ xor;
        const body = withEncrypt(sealed.body, p.format, bytes.toString('base64'));
        expect(rejectionCode(() => openPush({ ...post(sealed), body }, config))).toBe('PUSH_SIGNATURE_INVALID');
      }),
      { numRuns: 300 },
    );
  });

  it('any changed msg_signature, timestamp or nonce is refused', () => {
    fc.assert(
      fc.property(pushArb, fc.constantFrom('msg_signature', 'timestamp', 'nonce'), fc.nat(), (p, param, at) => {
        const { config, sealed } = seal(p);
        const original = sealed.query[param] ?? '';
        const index = at % original.length;
        const replacement = original[index] === '0' ? '1' : '0';
        const changed = original.slice(0, index) + replacement + original.slice(index + 1);
        expect(rejectionCode(() => openPush({ ...post(sealed), query: { ...sealed.query, [param]: changed } }, config))).toBe(
          'PUSH_SIGNATURE_INVALID',
        );
      }),
      { numRuns: 300 },
    );
  });

  it('another appid is always refused with PUSH_APPID_MISMATCH', () => {
    fc.assert(
      fc.property(pushArb, appidArb, (p, otherAppid) => {
        fc.pre(otherAppid !== p.appid);
        const { config, sealed } = seal(p);
        expect(rejectionCode(() => openPush(post(sealed), { ...config, appid: otherAppid }))).toBe('PUSH_APPID_MISMATCH');
      }),
      { numRuns: 200 },
    );
  });

  it('another key (with a valid signature) is a typed error, never a message', () => {
    fc.assert(
      fc.property(pushArb, keyArb, (p, otherKey) => {
        fc.pre(!otherKey.equals(p.key));
        const { config, sealed } = seal(p);
        expect(['PUSH_DECRYPT_FAILED', 'PUSH_APPID_MISMATCH']).toContain(rejectionCode(() => openPush(post(sealed), { ...config, aesKey: otherKey })));
      }),
      { numRuns: 300 },
    );
  });

  it('no rejection message contains the token or the key', () => {
    const failures = [
      rejection(() => openPush(post(sealPush(authFields, { ...cfg, ...stamp, mode: 'safe', format: 'xml' })), { ...cfg, appid: 'wxother' })),
      rejection(() => openPush(post(sealPush(authFields, { ...cfg, ...stamp, mode: 'safe', format: 'xml' })), { ...cfg, aesKey: decodeAesKey('B'.repeat(43)) })),
      rejection(() => openPush({ method: 'GET', query: { signature: 'x', timestamp: '1', nonce: '2', echostr: '3' }, body: '' }, cfg)),
      rejection(() => decodeAesKey(`${ENCODING_AES_KEY}!`)),
    ];
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(PushRejected);
      for (const secret of [TOKEN, ENCODING_AES_KEY, cfg.aesKey?.toString('base64') ?? '', cfg.aesKey?.toString('hex') ?? '']) {
        expect(failure?.message).not.toContain(secret);
      }
    }
  });
});

describe('buildEncryptedReply', () => {
  const pinned = (): Buffer => Buffer.from(A1.random, 'utf8');
  const a1cfg = { token: A1.token, appid: A1.appid, aesKey: decodeAesKey(A1.encodingAESKey) };

  it('writes the XML envelope of the docs, TimeStamp bare, and signs it', () => {
    const body = buildEncryptedReply(A1.plaintext, a1cfg, { timestamp: A1.timestamp, nonce: A1.nonce, format: 'xml' }, pinned);
    expect(body).toBe(
      `<xml><Encrypt><![CDATA[${A1.encrypt}]]></Encrypt><MsgSignature><![CDATA[${A1.msg_signature}]]></MsgSignature>` +
        `<TimeStamp>${A1.timestamp}</TimeStamp><Nonce><![CDATA[${A1.nonce}]]></Nonce></xml>`,
    );
  });

  it('writes the JSON envelope with TimeStamp as a number', () => {
    const body = buildEncryptedReply(A1.plaintext, a1cfg, { timestamp: A1.timestamp, nonce: A1.nonce, format: 'json' }, pinned);
    expect(JSON.parse(body)).toStrictEqual({ Encrypt: A1.encrypt, MsgSignature: A1.msg_signature, TimeStamp: 1714112445, Nonce: A1.nonce });
    expect(openReply(body, a1cfg)).toStrictEqual({ encrypted: true, plaintext: A1.plaintext, format: 'json' });
  });

  it('needs an AES key and a decimal timestamp', () => {
    expect(rejectionCode(() => buildEncryptedReply('x', { token: TOKEN, appid: APPID }, { ...stamp, format: 'xml' }))).toBe('PUSH_AES_KEY_MISSING');
    expect(() => buildEncryptedReply('x', cfg, { timestamp: 'now', nonce: '1', format: 'xml' })).toThrow(TypeError);
  });

  it('signs MsgSignature over its own Encrypt, TimeStamp and Nonce', () => {
    const parsed = parseXml(buildEncryptedReply('<xml/>', cfg, { ...stamp, format: 'xml' }));
    expect(parsed.MsgSignature).toBe(msgSignature(TOKEN, stamp.timestamp, stamp.nonce, parsed.Encrypt ?? ''));
  });
});

describe('openPostedPush', () => {
  it('is the POST half of openPush', () => {
    const sealed = sealPush(resultFields, { ...cfg, ...stamp, mode: 'plain', format: 'xml' });
    expect(openPostedPush(post(sealed), cfg).message).toStrictEqual(resultMessage);
  });
});
