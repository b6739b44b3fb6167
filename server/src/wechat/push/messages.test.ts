import fc from 'fast-check';
import fixtures from '../../../test/fixtures/wechat-push-vectors.json';
import { PushRejected, type PushRejectionCode } from './errors';
import { parseJson } from './json';
import { dedupeKey, parsePushMessage, type PushFields } from './messages';
import { parseXml } from './xml';

const { seedSamples, vectors } = fixtures;

function rejectionCode(run: () => unknown): PushRejectionCode | 'returned' | 'foreign-error' {
  try {
    run();
    return 'returned';
  } catch (err) {
    return err instanceof PushRejected ? err.code : 'foreign-error';
  }
}

const authBase = {
  ToUserName: 'gh_fc0a06a20993',
  FromUserName: 'oZI8Fj040-be6rlDohc6gkoPOQTQ',
  CreateTime: '1475134700',
  MsgType: 'event',
  Event: 'user_authorize_invoice',
};

const resultBase = {
  ToUserName: 'toUser',
  FromUserName: 'FromUser',
  CreateTime: '123456789',
  MsgType: 'event',
  Event: 'cloud_invoice_invoiceresult_event',
  fpqqlsh: '14574d75004451097886',
  nsrsbh: '150001197205134629',
  status: '100',
};

describe('user_authorize_invoice', () => {
  it('reads the (corrected) seed sample; empty CDATA fields are absent', () => {
    expect(parsePushMessage(parseXml(seedSamples.user_authorize_invoice_corrected))).toStrictEqual({
      kind: 'user_authorize_invoice',
      toUserName: 'gh_fc0a06a20993',
      fromUserName: 'oZI8Fj040-be6rlDohc6gkoPOQTQ',
      createTime: 1475134700,
      succOrderId: '1202933957956',
    });
  });

  it.each([
    ['docs spelling', { AuthorizeAppId: 'wxapp', Source: 'wxa' }],
    ['wechatpy / WxJava spelling', { AppId: 'wxapp', source: 'wxa' }],
    ['both, docs spelling first', { AuthorizeAppId: 'wxapp', AppId: 'other', Source: 'wxa', source: 'web' }],
    ['an empty docs spelling falls back to the other', { AuthorizeAppId: '', AppId: 'wxapp', Source: '', source: 'wxa' }],
  ])('accepts the %s', (_label, extra) => {
    const message = parsePushMessage({ ...authBase, FailOrderId: 'o-1', ...extra });
    expect(message).toMatchObject({ kind: 'user_authorize_invoice', failOrderId: 'o-1', authorizeAppId: 'wxapp', source: 'wxa' });
    expect(message).not.toHaveProperty('succOrderId');
  });

  it('accepts JSON numbers and keeps long numeric order ids as exact strings', () => {
    const message = parsePushMessage(parseJson('{"ToUserName":"gh_1","FromUserName":"o1","CreateTime":1714112445,"Event":"user_authorize_invoice","SuccOrderId":"0012345678901234567890"}'));
    expect(message).toMatchObject({ createTime: 1714112445, succOrderId: '0012345678901234567890' });
    expect(parsePushMessage({ ...authBase, CreateTime: 1475134700, SuccOrderId: 'x' })).toMatchObject({ createTime: 1475134700 });
  });

  it.each([
    ['neither order id', { SuccOrderId: '', FailOrderId: '' }],
    ['no FromUserName', { SuccOrderId: 'x', FromUserName: '' }],
    ['no ToUserName', { SuccOrderId: 'x', ToUserName: '' }],
    ['a non-numeric CreateTime', { SuccOrderId: 'x', CreateTime: 'yesterday' }],
    ['a fractional CreateTime', { SuccOrderId: 'x', CreateTime: 1.5 }],
    ['a negative CreateTime', { SuccOrderId: 'x', CreateTime: '-1' }],
    ['an unsafe-integer CreateTime', { SuccOrderId: 'x', CreateTime: '99999999999999999999' }],
  ])('refuses %s with PUSH_MALFORMED', (_label, change) => {
    expect(rejectionCode(() => parsePushMessage({ ...authBase, ...change }))).toBe('PUSH_MALFORMED');
  });
});

describe('cloud_invoice_invoiceresult_event', () => {
  it('reads the (corrected) seed sample', () => {
    expect(parsePushMessage(parseXml(seedSamples.invoice_result_corrected))).toStrictEqual({
      kind: 'cloud_invoice_invoiceresult_event',
      toUserName: 'toUser',
      fromUserName: 'FromUser',
      createTime: 123456789,
      fpqqlsh: '14574d75004451097886',
      nsrsbh: '150001197205134629',
      status: 100,
    });
  });

  it('reads lowercase status and tolerates Status, or a JSON number', () => {
    const rest: Record<string, string> = { ...resultBase };
    delete rest.status;
    expect(parsePushMessage({ ...rest, Status: '2' })).toMatchObject({ status: 2 });
    expect(parsePushMessage({ ...rest, status: 2 })).toMatchObject({ status: 2 });
    expect(parsePushMessage({ ...rest, status: '100', Status: '2' })).toMatchObject({ status: 100 });
  });

  it.each([
    ['no fpqqlsh', { fpqqlsh: '' }],
    ['no nsrsbh', { nsrsbh: '' }],
    ['no status', { status: '' }],
    ['a non-integer status', { status: 'ok' }],
    ['no CreateTime', { CreateTime: '' }],
  ])('refuses %s with PUSH_MALFORMED', (_label, change) => {
    expect(rejectionCode(() => parsePushMessage({ ...resultBase, ...change }))).toBe('PUSH_MALFORMED');
  });
});

describe('other messages', () => {
  it('acknowledges unknown events with their fields (A1 debug_demo)', () => {
    expect(parsePushMessage(parseJson(vectors.A1.plaintext))).toStrictEqual({
      kind: 'other',
      msgType: 'event',
      event: 'debug_demo',
      fields: {
        ToUserName: 'gh_97417a04a28d',
        FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
        CreateTime: '1714112445',
        MsgType: 'event',
        Event: 'debug_demo',
        debug_str: 'hello world',
      },
    });
  });

  it('acknowledges text messages and the cloud-hosting path check', () => {
    expect(parsePushMessage({ MsgType: 'text', Content: 'hi', MsgId: 1 })).toStrictEqual({
      kind: 'other',
      msgType: 'text',
      fields: { MsgType: 'text', Content: 'hi', MsgId: '1' },
    });
    expect(parsePushMessage({ action: 'CheckContainerPath' })).toMatchObject({ kind: 'other', msgType: '' });
  });

  it('never refuses a record whose Event is not one of the invoice events', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())), (record) => {
        const fields: PushFields = { ...record };
        fc.pre(fields.Event !== 'user_authorize_invoice' && fields.Event !== 'cloud_invoice_invoiceresult_event');
        expect(parsePushMessage(fields).kind).toBe('other');
      }),
    );
  });

  it('is case-sensitive about the invoice event names (WeChat sends them in lower case)', () => {
    expect(parsePushMessage({ ...authBase, Event: 'USER_AUTHORIZE_INVOICE' }).kind).toBe('other');
  });
});

describe('dedupeKey', () => {
  const key = (fields: PushFields): string => dedupeKey(parsePushMessage(fields));

  it('is equal for a retry, whichever format carried it', () => {
    const xml = parseXml(seedSamples.user_authorize_invoice_corrected);
    const json = { ...xml, CreateTime: Number(xml.CreateTime) };
    expect(key(xml)).toBe(key(json));
    expect(key(resultBase)).toBe(key({ ...resultBase, status: 100 }));
  });

  it('separates two events of the same user and second that concern different orders', () => {
    expect(key({ ...authBase, SuccOrderId: 'order-1' })).not.toBe(key({ ...authBase, SuccOrderId: 'order-2' }));
    expect(key({ ...authBase, SuccOrderId: 'order-1' })).not.toBe(key({ ...authBase, FailOrderId: 'order-1' }));
    expect(key(resultBase)).not.toBe(key({ ...resultBase, fpqqlsh: '14574d75004451097887' }));
    expect(key(resultBase)).not.toBe(key({ ...resultBase, status: '2' }));
  });

  it('separates different users, seconds and event kinds', () => {
    const base = key({ ...authBase, SuccOrderId: 'o' });
    expect(key({ ...authBase, SuccOrderId: 'o', FromUserName: 'other' })).not.toBe(base);
    expect(key({ ...authBase, SuccOrderId: 'o', CreateTime: '1475134701' })).not.toBe(base);
    expect(key({ ...resultBase, FromUserName: authBase.FromUserName, CreateTime: authBase.CreateTime, fpqqlsh: 'o' })).not.toBe(base);
  });

  it('cannot be confused by separator characters inside the values', () => {
    expect(key({ ...authBase, FromUserName: 'a","b', SuccOrderId: 'c' })).not.toBe(key({ ...authBase, FromUserName: 'a', SuccOrderId: 'b","c' }));
  });

  it('uses MsgId when present, else FromUserName + CreateTime + Event + EventKey for other messages', () => {
    const text = { FromUserName: 'u', CreateTime: '1', MsgType: 'text', Content: 'hi' };
    expect(key({ ...text, MsgId: '23158946520393408' })).toBe(key({ ...text, Content: 'changed', MsgId: '23158946520393408' }));
    expect(key({ ...text, MsgId: '23158946520393408' })).not.toBe(key({ ...text, MsgId: '23158946520393409' }));
    const click = { FromUserName: 'u', CreateTime: '1', MsgType: 'event', Event: 'CLICK' };
    expect(key({ ...click, EventKey: 'a' })).not.toBe(key({ ...click, EventKey: 'b' }));
    expect(key({ ...click, EventKey: 'a' })).not.toBe(key({ ...click, Event: 'VIEW', EventKey: 'a' }));
    expect(key({ ...click, EventKey: 'a' })).toBe(key({ ...click, EventKey: 'a', Extra: 'ignored' }));
  });
});
