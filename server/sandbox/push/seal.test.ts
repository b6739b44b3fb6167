import fixtures from '../../test/fixtures/wechat-push-vectors.json';
import { buildEncryptedReply, decodeAesKey, msgSignature, parseXml, PushRejected, pushSignature, type PushRejectionCode } from '../../src/wechat/push';
import { openReply, sealPush } from './seal';

const { A1 } = fixtures.vectors;
const aesKey = decodeAesKey(A1.encodingAESKey);
const pinnedRandom = (): Buffer => Buffer.from(A1.random, 'utf8');
const a1Fields = JSON.parse(A1.plaintext) as Record<string, string | number>;
function rejectionCode(run: () => unknown): PushRejectionCode | 'returned' | 'foreign-error' {
  try {
    run();
    return 'returned';
  } catch (err) {
    return err instanceof PushRejected ? err.code : 'foreign-error';
  }
}

const common = { token: A1.token, appid: A1.appid, aesKey, timestamp: A1.timestamp, nonce: A1.nonce };

describe('sealPush', () => {
  it('reproduces the official A1 push exactly: body, signatures and query', () => {
    const sealed = sealPush(a1Fields, { ...common, mode: 'safe', format: 'json', random16: pinnedRandom });
    expect(sealed.body).toBe(A1.encrypted_body);
    expect(sealed.query).toStrictEqual({
      signature: A1.signature,
      timestamp: A1.timestamp,
      nonce: A1.nonce,
      openid: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      encrypt_type: 'aes',
      msg_signature: A1.msg_signature,
    });
    expect(Object.keys(sealed.query)).toEqual(['signature', 'timestamp', 'nonce', 'openid', 'encrypt_type', 'msg_signature']);
    expect(sealed.contentType).toBe('application/json');
  });

  it('plain mode: the body is the message itself and only signature/timestamp/nonce are in the query', () => {
    const sealed = sealPush(a1Fields, { ...common, mode: 'plain', format: 'json' });
    expect(sealed.body).toBe(A1.plaintext);
    expect(sealed.query).toStrictEqual({ signature: A1.signature, timestamp: A1.timestamp, nonce: A1.nonce });
  });

  it('plain XML uses CDATA for strings and bare numbers for CreateTime', () => {
    const sealed = sealPush({ ToUserName: 'gh_1', CreateTime: 1475134700, Event: 'user_authorize_invoice' }, { ...common, mode: 'plain', format: 'xml' });
    expect(sealed.body).toBe(
      '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1475134700</CreateTime><Event><![CDATA[user_authorize_invoice]]></Event></xml>',
    );
    expect(sealed.contentType).toBe('text/xml');
  });

  it('safe XML carries only ToUserName and Encrypt; compatible adds every plaintext field, Encrypt last', () => {
    const safe = parseXml(sealPush(a1Fields, { ...common, mode: 'safe', format: 'xml' }).body);
    expect(Object.keys(safe)).toEqual(['ToUserName', 'Encrypt']);
    const compatible = parseXml(sealPush(a1Fields, { ...common, mode: 'compatible', format: 'xml' }).body);
    expect(Object.keys(compatible)).toEqual([...Object.keys(a1Fields), 'Encrypt']);
    expect(compatible.debug_str).toBe('hello world');
  });

  it('signs msg_signature over the Encrypt it puts in the body', () => {
    const sealed = sealPush(a1Fields, { ...common, mode: 'compatible', format: 'xml' });
    const encrypt = parseXml(sealed.body).Encrypt ?? '';
    expect(sealed.query.msg_signature).toBe(msgSignature(A1.token, A1.timestamp, A1.nonce, encrypt));
    expect(sealed.query.signature).toBe(pushSignature(A1.token, A1.timestamp, A1.nonce));
  });

  it('refuses compatible or safe mode without a key', () => {
    for (const mode of ['safe', 'compatible'] as const) {
      expect(rejectionCode(() => sealPush(a1Fields, { ...common, aesKey: undefined, mode, format: 'xml' }))).toBe('PUSH_AES_KEY_MISSING');
    }
  });
});

describe('openReply (the emulator reading our passive reply)', () => {
  const cfg = { token: A1.token, appid: A1.appid, aesKey };

  it('passes "success" and the empty body through unencrypted', () => {
    expect(openReply('success', cfg)).toStrictEqual({ encrypted: false, plaintext: 'success' });
    expect(openReply('', cfg)).toStrictEqual({ encrypted: false, plaintext: '' });
  });

  it.each(['xml', 'json'] as const)('opens a %s reply built by buildEncryptedReply', (format) => {
    const body = buildEncryptedReply('<xml><Content><![CDATA[你好]]></Content></xml>', cfg, { timestamp: '1714112446', nonce: A1.nonce, format });
    expect(openReply(body, cfg)).toStrictEqual({ encrypted: true, plaintext: '<xml><Content><![CDATA[你好]]></Content></xml>', format });
  });

  it('refuses a reply whose MsgSignature does not match, or that lacks a part', () => {
    const body = buildEncryptedReply('hi', cfg, { timestamp: '1714112446', nonce: A1.nonce, format: 'json' });
    const forged = JSON.stringify({ ...(JSON.parse(body) as object), TimeStamp: 1714112447 });
    expect(rejectionCode(() => openReply(forged, cfg))).toBe('PUSH_SIGNATURE_INVALID');
    const partial = JSON.stringify({ ...(JSON.parse(body) as object), Nonce: '' });
    expect(rejectionCode(() => openReply(partial, cfg))).toBe('PUSH_MALFORMED');
  });
});
