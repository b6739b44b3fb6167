/**
 * No secret in errors or logs: the AppSecret, access tokens, tickets, js_codes and session keys
 * never appear in an error's message, stack, inspection or JSON, nor in the client's log lines
 * (a real pino logger), across the paths that log and throw.
 */
import { Writable } from 'node:stream';
import util from 'node:util';
import pino from 'pino';
import { createMemoryTokenStore } from '../../src/wechat/token-store';
import { useTestDatabase } from '../harness/database';
import { useFakeWeChat } from '../support/wechat-setup';
import { MAKE_OUT_INVOICE_SAMPLE, TEST_SECRET } from '../support/wechat-seeds';

describe('WeChat client: secrets stay out of errors and logs', () => {
  const db = useTestDatabase();
  const wechat = useFakeWeChat(db);

  it('across token refresh, retries, timeouts, outcome unknown, quota and login failures', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const { fake } = wechat();
    const client = wechat().client({ log: logger, timeoutMs: 200 });
    const errors: unknown[] = [];
    const attempt = (p: Promise<unknown>) => p.catch((e: unknown) => void errors.push(e));

    const firstToken = await client.credentials.accessToken();
    fake.revokeToken(firstToken);
    await client.invoice.getAuthUrl({ s_pappid: 'wxabcd', order_id: 'o', money: 1, timestamp: 1700000000, source: 'wxa', type: 1 });
    fake.revokeTicket(fake.issuedTickets[0] ?? '');
    fake.enqueue('/card/invoice/getauthurl', { reply: { errcode: 40097, errmsg: 'invalid args' } });
    await attempt(client.invoice.getAuthUrl({ s_pappid: 'wxabcd', order_id: 'o2', money: 1, timestamp: 1700000000, source: 'wxa', type: 1 }));
    fake.enqueue('/card/invoice/getauthdata', { reply: { errcode: -1, errmsg: 'system error' } }, { hang: true }, { drop: true });
    await attempt(client.invoice.getAuthData({ s_pappid: 's', order_id: 'o' }));
    fake.enqueue('/card/invoice/makeoutinvoice', { hang: true });
    await attempt(client.invoice.makeOutInvoice(MAKE_OUT_INVOICE_SAMPLE));
    fake.enqueue('/card/invoice/seturl', { reply: { errcode: 45009, errmsg: 'reach max api daily quota limit' } });
    await attempt(client.invoice.setUrl());
    fake.refuseCode('JSCODE_SECRET_1', 40029);
    await attempt(client.login.code2Session('JSCODE_SECRET_1'));
    const session = await client.login.code2Session('JSCODE_SECRET_2');
    fake.enqueue('/sns/jscode2session', { hang: true }, { hang: true }, { hang: true });
    await attempt(client.login.code2Session('JSCODE_SECRET_3'));
    // A store of its own, so that it must fetch with its wrong secret.
    const misconfigured = wechat().client({ log: logger, secret: 'WRONG_SECRET_abcdefghijklmnop', tokenStore: createMemoryTokenStore() });
    await attempt(misconfigured.credentials.accessToken());

    // getauthdata, makeoutinvoice, seturl, two code2Session and the wrong secret failed;
    // the refused ticket was replaced and that getauthurl succeeded.
    expect(errors).toHaveLength(6);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const secrets = [
      TEST_SECRET,
      'WRONG_SECRET_abcdefghijklmnop',
      'JSCODE_SECRET',
      session.session_key,
      ...fake.issuedTokens,
      ...fake.issuedTickets,
    ];
    const texts = [
      ...lines,
      ...errors.flatMap((e) => [String(e), (e as Error).stack ?? '', util.inspect(e, { depth: 5 }), JSON.stringify(e)]),
    ];
    for (const secret of secrets) {
      for (const text of texts) expect(text).not.toContain(secret);
    }
  });
});
