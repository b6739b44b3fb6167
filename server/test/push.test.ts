import crypto from 'node:crypto';
import type { ErrorBody } from '@fapiao/shared';
import { pushEventModel } from '../src/data/push-event/push-event.schema';
import { pushSignature } from '../src/wechat/push';
import { sealPush } from '../sandbox/push/seal';
import { startTestApp, TEST_ENV, type TestApp } from './support/app';
import { authorizeEvent } from './support/push-events';

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';


async function deliver(app: TestApp, sealed: { query: Record<string, string>; body: string; contentType: string }) {
  const res = await fetch(`${app.url}/wechat/push?${new URLSearchParams(sealed.query).toString()}`, {
    method: 'POST',
    headers: { 'content-type': sealed.contentType },
    body: sealed.body,
  });
  return { status: res.status, text: await res.text() };
}

const seal = (fields: Record<string, string | number>, mode: 'plain' | 'safe', format: 'xml' | 'json', aesKey?: string) =>
  sealPush(fields, {
    mode,
    format,
    token: TEST_ENV.WECHAT_TOKEN,
    appid: TEST_ENV.WECHAT_APPID,
    aesKey: aesKey ? Buffer.from(`${aesKey}=`, 'base64') : undefined,
    timestamp: String(Math.floor(Date.now() / 1000)),
    nonce: String(crypto.randomInt(1e9)),
  });

describe('/wechat/push', () => {
  let app: TestApp;
  afterEach(async () => app?.close());

  it('answers the URL check with echostr verbatim, only when the signature holds', async () => {
    app = await startTestApp();
    const query = { timestamp: '1714036504', nonce: '1514711492', echostr: '4375120948345356249' };
    const signature = pushSignature(TEST_ENV.WECHAT_TOKEN, query.timestamp, query.nonce);
    const ok = await fetch(`${app.url}/wechat/push?${new URLSearchParams({ ...query, signature }).toString()}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('4375120948345356249');

    const forged = await fetch(`${app.url}/wechat/push?${new URLSearchParams({ ...query, signature: 'f'.repeat(40) }).toString()}`);
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as ErrorBody).error.code).toBe('PUSH_SIGNATURE_INVALID');
  });

  it.each(['xml', 'json'] as const)('stores a plain-mode %s authorization push once and answers "success"', async (format) => {
    app = await startTestApp();
    const sealed = seal(authorizeEvent('order-1'), 'plain', format);
    expect(await deliver(app, sealed)).toEqual({ status: 200, text: 'success' });
    // WeChat resends when unsure: the same push again is acknowledged and not stored twice.
    expect(await deliver(app, sealed)).toEqual({ status: 200, text: 'success' });
    expect(await deliver(app, seal(authorizeEvent('order-1'), 'plain', format))).toEqual({ status: 200, text: 'success' });

    const model = pushEventModel(app.container.db);
    expect(await model.countDocuments()).toBe(1);
    const first = await model.findOne().lean();
    const stored = await app.container.repositories.pushEvents.findByKey(first?.dedupeKey ?? 'none');
    expect(stored).toMatchObject({
      kind: 'user_authorize_invoice',
      encrypted: false,
      format,
      message: { kind: 'user_authorize_invoice', succOrderId: 'order-1', authorizeAppId: TEST_ENV.WECHAT_APPID, source: 'wxa' },
    });
  });

  it('keeps two events of one user in one second apart when they concern different orders', async () => {
    app = await startTestApp();
    await deliver(app, seal(authorizeEvent('order-a', 1714112000), 'plain', 'xml'));
    await deliver(app, seal(authorizeEvent('order-b', 1714112000), 'plain', 'xml'));
    expect(await pushEventModel(app.container.db).countDocuments()).toBe(2);
  });

  it('decrypts safe-mode pushes and refuses ones sealed for another app', async () => {
    app = await startTestApp({ env: { WECHAT_AES_KEY: AES_KEY } });
    const result = {
      ToUserName: 'gh_97417a04a28d',
      FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      CreateTime: 1714112445,
      MsgType: 'event',
      Event: 'cloud_invoice_invoiceresult_event',
      fpqqlsh: 'ABC12320261122000001',
      nsrsbh: '91350100M000100Y43',
      status: 100,
    };
    expect(await deliver(app, seal(result, 'safe', 'xml', AES_KEY))).toEqual({ status: 200, text: 'success' });
    const stored = await pushEventModel(app.container.db).findOne().lean();
    expect(stored).toMatchObject({ encrypted: true, message: { kind: 'cloud_invoice_invoiceresult_event', fpqqlsh: 'ABC12320261122000001', status: 100 } });

    const otherApp = sealPush(result, {
      mode: 'safe',
      format: 'json',
      token: TEST_ENV.WECHAT_TOKEN,
      appid: 'wx9999999999999999',
      aesKey: Buffer.from(`${AES_KEY}=`, 'base64'),
      timestamp: '1714112445',
      nonce: '1',
    });
    const rejected = await deliver(app, otherApp);
    expect(rejected.status).toBe(401);
    expect(JSON.parse(rejected.text)).toMatchObject({ error: { code: 'PUSH_SIGNATURE_INVALID' } });
    expect(await pushEventModel(app.container.db).countDocuments()).toBe(1);
  });

  it('with an AES key, refuses plain pushes unless WECHAT_ACCEPT_PLAIN_PUSH opens the switch-over window', async () => {
    app = await startTestApp({ env: { WECHAT_AES_KEY: AES_KEY } });
    const refused = await deliver(app, seal(authorizeEvent('order-plain'), 'plain', 'xml'));
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'PUSH_REJECTED' } });
    expect(await pushEventModel(app.container.db).countDocuments()).toBe(0);
    await app.close();

    app = await startTestApp({ env: { WECHAT_AES_KEY: AES_KEY, WECHAT_ACCEPT_PLAIN_PUSH: 'true' } });
    expect(await deliver(app, seal(authorizeEvent('order-plain'), 'plain', 'xml'))).toEqual({ status: 200, text: 'success' });
    expect(await pushEventModel(app.container.db).countDocuments()).toBe(1);
  });

  it('acknowledges and keeps events it has no use for', async () => {
    app = await startTestApp();
    const sealed = seal({ ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: 1, MsgType: 'event', Event: 'debug_demo' }, 'plain', 'json');
    expect(await deliver(app, sealed)).toEqual({ status: 200, text: 'success' });
    expect(await pushEventModel(app.container.db).findOne().lean()).toMatchObject({ kind: 'other' });
  });

  it('rejects forged, hostile and oversized bodies with a coded error and stores nothing', async () => {
    app = await startTestApp();
    const good = seal(authorizeEvent('order-x'), 'plain', 'xml');
    const forged = { ...good, query: { ...good.query, signature: '0'.repeat(40) } };
    expect((await deliver(app, forged)).status).toBe(401);

    const doctype = { ...good, body: `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>${good.body}` };
    const hostile = await deliver(app, doctype);
    expect(hostile.status).toBe(400);
    expect(JSON.parse(hostile.text)).toMatchObject({ error: { code: 'PUSH_REJECTED' } });

    const huge = { ...good, body: `<xml><Junk>${'a'.repeat(70 * 1024)}</Junk></xml>` };
    const tooLarge = await deliver(app, huge);
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.text)).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });

    expect((await deliver(app, { ...good, body: '<xml><ToUser' })).status).toBe(400);
    expect(await pushEventModel(app.container.db).countDocuments()).toBe(0);
  });
});
