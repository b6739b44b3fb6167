/**
 * The errcode policy over real HTTP: token errors refresh once, -1/72036 back off and retry,
 * quota surfaces at once, login errors are typed, every call times out, and makeoutinvoice /
 * clearoutinvoice never send twice when the outcome is unknown.
 */
import {
  WeChatApiError,
  WeChatLoginError,
  WeChatOutcomeUnknownError,
  WeChatQuotaError,
  WeChatTransportError,
} from '../../src/wechat/errors';
import { useTestDatabase } from '../harness/database';
import { useFakeWeChat } from '../support/wechat-setup';
import { CLEAR_OUT_INVOICE_SAMPLE, MAKE_OUT_INVOICE_SAMPLE } from '../support/wechat-seeds';

const AUTH_DATA = { s_pappid: 'wx123456', order_id: '123456' };
const GETAUTHDATA = '/card/invoice/getauthdata';
const MAKEOUT = '/card/invoice/makeoutinvoice';

describe('WeChat client: errcodes, retries, timeouts', () => {
  const db = useTestDatabase();
  const wechat = useFakeWeChat(db);

  /** The access_token each request to `path` carried, in order. */
  function tokensSentTo(path: string): (string | undefined)[] {
    return wechat()
      .fake.requests.filter((r) => r.path === path)
      .map((r) => r.query.access_token);
  }

  describe('token errors: compare-and-expire, refresh, retry once', () => {
    it.each([
      ['invalid', 40001],
      ['expired', 42001],
    ] as const)('an %s token (errcode %i) is replaced and the call succeeds on the second send', async (how, _errcode) => {
      const { fake } = wechat();
      const client = wechat().client();
      const first = await client.credentials.accessToken();
      fake.revokeToken(first, how);

      await expect(client.invoice.getAuthData(AUTH_DATA)).resolves.toMatchObject({ invoice_status: 'auth success' });
      expect(tokensSentTo(GETAUTHDATA)).toEqual([first, fake.issuedTokens[1]]);
      expect(fake.tokenFetches()).toBe(2);
    });

    it('40014 is a token error too', async () => {
      const { fake } = wechat();
      fake.enqueue(GETAUTHDATA, { reply: { errcode: 40014, errmsg: 'invalid access_token' } });
      const client = wechat().client();
      await expect(client.invoice.getAuthData(AUTH_DATA)).resolves.toBeDefined();
      // The stable token was expired in the store and fetched again (WeChat answers the same one).
      expect(fake.tokenFetches()).toBe(2);
      expect(fake.count(GETAUTHDATA)).toBe(2);
    });

    it('retries only once: a second token error surfaces as WeChatApiError', async () => {
      const { fake } = wechat();
      fake.enqueue(
        GETAUTHDATA,
        { reply: { errcode: 40001, errmsg: 'invalid credential' } },
        { reply: { errcode: 40001, errmsg: 'invalid credential' } },
      );
      const error = await wechat().client().invoice.getAuthData(AUTH_DATA).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeChatApiError);
      expect(error).toMatchObject({ code: 'WECHAT_API_ERROR', errcode: 40001, endpoint: 'card/invoice/getauthdata', errclass: 'token' });
      expect(fake.count(GETAUTHDATA)).toBe(2);
      expect(fake.tokenFetches()).toBe(2);
    });

    it('two concurrent failures with the same token cause one refresh (also across two clients)', async () => {
      const { fake } = wechat();
      const a = wechat().client();
      const b = wechat().client(); // another "process": same store, own memory and single flight
      const first = await a.credentials.accessToken();
      await expect(b.credentials.accessToken()).resolves.toBe(first);
      fake.revokeToken(first);

      await Promise.all([a.invoice.getAuthData(AUTH_DATA), a.invoice.getAuthData(AUTH_DATA), b.invoice.getAuthData(AUTH_DATA)]);
      expect(fake.tokenFetches()).toBe(2);
      const sent = tokensSentTo(GETAUTHDATA);
      expect(sent.filter((t) => t === first)).toHaveLength(3);
      expect(sent.filter((t) => t === fake.issuedTokens[1])).toHaveLength(3);
    });

    it('a failure with a token that was already replaced refreshes nothing', async () => {
      const { fake } = wechat();
      const a = wechat().client();
      const b = wechat().client();
      const first = await a.credentials.accessToken();
      await b.credentials.accessToken(); // b now holds `first` in memory
      fake.revokeToken(first);
      await a.invoice.getAuthData(AUTH_DATA); // a replaces it in the store
      expect(fake.tokenFetches()).toBe(2);

      // b still holds the old one: it is refused, finds the replacement in the store, fetches nothing.
      await b.invoice.getAuthData(AUTH_DATA);
      expect(fake.tokenFetches()).toBe(2);
      expect(tokensSentTo(GETAUTHDATA).slice(-2)).toEqual([first, fake.issuedTokens[1]]);
    });

    it('on the token fetch itself 40001 is a configuration error: no retry, no loop', async () => {
      const { fake } = wechat();
      fake.enqueue('/cgi-bin/stable_token', { reply: { errcode: 40001, errmsg: 'invalid credential' } });
      const error = await wechat().client().invoice.setUrl().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'WECHAT_API_ERROR', errcode: 40001, endpoint: 'cgi-bin/stable_token' });
      expect(fake.tokenFetches()).toBe(1);
      expect(fake.count('/card/invoice/seturl')).toBe(0);
    });

    it('a wrong AppSecret surfaces as 40125 with its meaning', async () => {
      const error = await wechat().client({ secret: 'wrong-secret-aaaaaaaaaaaaaaaaaaa' }).credentials.accessToken().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'WECHAT_API_ERROR', errcode: 40125, meaning: 'invalid appsecret' });
    });
  });

  describe('the wx_card ticket', () => {
    it('is refreshed once when getauthurl refuses it', async () => {
      const { fake } = wechat();
      const client = wechat().client();
      const first = await client.credentials.wxCardTicket();
      fake.revokeTicket(first);
      const params = { s_pappid: 'wxabcd', order_id: 'o1', money: 100, timestamp: 1700000000, source: 'wxa', type: 1 } as const;
      await expect(client.invoice.getAuthUrl(params)).resolves.toMatchObject({ appid: expect.any(String) });
      const tickets = fake.requests.filter((r) => r.path === '/card/invoice/getauthurl').map((r) => (r.body as { ticket: string }).ticket);
      expect(tickets).toEqual([first, fake.issuedTickets[1]]);
      expect(fake.count('/cgi-bin/ticket/getticket')).toBe(2);
    });

    it('fetching the ticket with a refused token refreshes the token first', async () => {
      const { fake } = wechat();
      const client = wechat().client();
      const token = await client.credentials.accessToken();
      fake.revokeToken(token, 'expired');
      const ticket = await client.credentials.wxCardTicket();
      expect(ticket).toBe(fake.issuedTickets[0]);
      expect(tokensSentTo('/cgi-bin/ticket/getticket')).toEqual([token, fake.issuedTokens[1]]);
    });
  });

  describe('-1 and 72036: bounded retries with exponential back-off and jitter', () => {
    it.each([-1, 72036])('%i twice, then success: three sends, waits of 188 then 375 ms (random 0.5)', async (errcode) => {
      const { fake } = wechat();
      fake.enqueue(GETAUTHDATA, { reply: { errcode, errmsg: 'busy' } }, { reply: { errcode, errmsg: 'busy' } });
      const waits: number[] = [];
      const client = wechat().client({
        retry: { attempts: 3, baseDelayMs: 250, maxDelayMs: 2000 },
        sleep: async (ms) => void waits.push(ms),
        random: () => 0.5,
      });
      await expect(client.invoice.getAuthData(AUTH_DATA)).resolves.toMatchObject({ errcode: 0 });
      expect(fake.count(GETAUTHDATA)).toBe(3);
      expect(waits).toEqual([188, 375]);
    });

    it('gives up after `attempts` sends with the errcode and its meaning', async () => {
      const { fake } = wechat();
      fake.enqueue(GETAUTHDATA, ...Array.from({ length: 4 }, () => ({ reply: { errcode: 72036, errmsg: 'invoice is busy' } })));
      const error = await wechat().client().invoice.getAuthData(AUTH_DATA).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeChatApiError);
      expect(error).toMatchObject({ errcode: 72036, errclass: 'transient', meaning: expect.stringContaining('invoice is busy') });
      expect(fake.count(GETAUTHDATA)).toBe(3);
    });
  });

  describe('45009 / 45011: no retry, a quota error with a back-off hint', () => {
    it('45011 asks the caller to wait a minute', async () => {
      const { fake } = wechat();
      fake.enqueue(GETAUTHDATA, { reply: { errcode: 45011, errmsg: 'api minute-quota reach limit' } });
      const error = await wechat().client().invoice.getAuthData(AUTH_DATA).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeChatQuotaError);
      expect(error).toMatchObject({ code: 'WECHAT_QUOTA_EXCEEDED', errcode: 45011, retryAfterMs: 60_000 });
      expect(fake.count(GETAUTHDATA)).toBe(1);
    });

    it('45009 asks the caller to wait until the daily reset at 00:00 Beijing time', async () => {
      const { fake } = wechat();
      fake.enqueue(MAKEOUT, { reply: { errcode: 45009, errmsg: 'reach max api daily quota limit' } });
      // 2026-03-01 22:30 in Beijing = 14:30 UTC: 1.5 hours to the reset.
      const now = Date.UTC(2026, 2, 1, 14, 30);
      const error = await wechat().client({ now: () => now }).invoice.makeOutInvoice(MAKE_OUT_INVOICE_SAMPLE).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'WECHAT_QUOTA_EXCEEDED', errcode: 45009, retryAfterMs: 90 * 60_000 });
      expect(fake.count(MAKEOUT)).toBe(1);
    });
  });

  describe('permanent errcodes', () => {
    it('surface at once with the documented meaning', async () => {
      const { fake } = wechat();
      fake.enqueue(GETAUTHDATA, { reply: { errcode: 72038, errmsg: 'invoice order never auth' } });
      const error = await wechat().client().invoice.getAuthData(AUTH_DATA).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'WECHAT_API_ERROR',
        errcode: 72038,
        errmsg: 'invoice order never auth',
        errclass: 'permanent',
        meaning: expect.stringContaining('no authorization for the order'),
      });
      expect((error as Error).message).toContain('card/invoice/getauthdata failed with errcode 72038');
      expect(fake.count(GETAUTHDATA)).toBe(1);
    });

    it('an errcode missing from the documents is permanent too', async () => {
      const { fake } = wechat();
      fake.enqueue('/card/invoice/rejectinsert', { reply: { errcode: 12345, errmsg: 'something new' } });
      const call = wechat().client().invoice.rejectInsert({ s_pappid: 's', order_id: 'o', reason: 'r' });
      await expect(call).rejects.toMatchObject({ errcode: 12345, errclass: 'permanent' });
      expect(fake.count('/card/invoice/rejectinsert')).toBe(1);
    });
  });

  describe('transport failures and timeouts (idempotent endpoints are retried)', () => {
    it('an answer later than the timeout is abandoned, and the call is sent again', async () => {
      const { fake } = wechat();
      fake.enqueue(GETAUTHDATA, { reply: { errcode: 0, errmsg: 'too late' }, delayMs: 5_000 });
      const client = wechat().client({ timeoutMs: 300 });
      await client.credentials.accessToken();
      await expect(client.invoice.getAuthData(AUTH_DATA)).resolves.toMatchObject({ errmsg: 'ok' });
      expect(fake.count(GETAUTHDATA)).toBe(2);
    });

    it('timeouts on every attempt end in WeChatTransportError(timeout)', async () => {
      const { fake } = wechat();
      fake.enqueue(GETAUTHDATA, { hang: true }, { hang: true }, { hang: true });
      const client = wechat().client({ timeoutMs: 200 });
      await client.credentials.accessToken();
      const error = await client.invoice.getAuthData(AUTH_DATA).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeChatTransportError);
      expect(error).toMatchObject({ code: 'WECHAT_TRANSPORT_ERROR', failure: 'timeout', endpoint: 'card/invoice/getauthdata' });
      expect(fake.count(GETAUTHDATA)).toBe(3);
    });

    it('a dropped connection, a 502 and a non-JSON body are retried', async () => {
      const { fake } = wechat();
      fake.enqueue(GETAUTHDATA, { drop: true }, { status: 502, text: '<html>Bad Gateway</html>' });
      const client = wechat().client();
      await expect(client.invoice.getAuthData(AUTH_DATA)).resolves.toMatchObject({ errcode: 0 });
      expect(fake.count(GETAUTHDATA)).toBe(3);

      fake.enqueue('/card/invoice/seturl', { status: 200, text: 'not json' }, { status: 200, text: 'still not json' }, { status: 200, text: '[]' });
      await expect(client.invoice.setUrl()).rejects.toMatchObject({ failure: 'invalid_json' });
      expect(fake.count('/card/invoice/seturl')).toBe(3);
    });

    it('a 4xx status is not retried', async () => {
      const { fake } = wechat();
      fake.enqueue(GETAUTHDATA, { status: 404, text: 'not found' });
      await expect(wechat().client().invoice.getAuthData(AUTH_DATA)).rejects.toMatchObject({ failure: 'http_status', status: 404 });
      expect(fake.count(GETAUTHDATA)).toBe(1);
    });
  });

  describe('makeoutinvoice / clearoutinvoice: outcome unknown, never sent twice', () => {
    it('a timeout gives OutcomeUnknown naming the fpqqlsh, and no second request reaches WeChat', async () => {
      const { fake } = wechat();
      fake.enqueue(MAKEOUT, { reply: { errcode: 0, errmsg: 'sucesss' }, delayMs: 5_000 });
      const client = wechat().client({ timeoutMs: 300 });
      await client.credentials.accessToken();
      const error = await client.invoice.makeOutInvoice(MAKE_OUT_INVOICE_SAMPLE).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeChatOutcomeUnknownError);
      expect(error).toMatchObject({
        code: 'WECHAT_OUTCOME_UNKNOWN',
        endpoint: 'card/invoice/makeoutinvoice',
        fpqqlsh: MAKE_OUT_INVOICE_SAMPLE.fpqqlsh,
        errcode: undefined,
      });
      // The caller then queries; still exactly one makeoutinvoice arrived.
      await client.invoice.queryInvoiceInfo({ fpqqlsh: MAKE_OUT_INVOICE_SAMPLE.fpqqlsh, nsrsbh: MAKE_OUT_INVOICE_SAMPLE.nsrsbh });
      expect(fake.count(MAKEOUT)).toBe(1);
    });

    it('a dropped connection or a 502 gives OutcomeUnknown after one send', async () => {
      const { fake } = wechat();
      fake.enqueue(MAKEOUT, { drop: true }, { status: 502, text: 'Bad Gateway' });
      const client = wechat().client();
      await expect(client.invoice.makeOutInvoice(MAKE_OUT_INVOICE_SAMPLE)).rejects.toBeInstanceOf(WeChatOutcomeUnknownError);
      expect(fake.count(MAKEOUT)).toBe(1);
      await expect(client.invoice.makeOutInvoice(MAKE_OUT_INVOICE_SAMPLE)).rejects.toBeInstanceOf(WeChatOutcomeUnknownError);
      expect(fake.count(MAKEOUT)).toBe(2);
    });

    it.each([-1, 72036, 73100, 73102, 73105, 73107])('errcode %i gives OutcomeUnknown after one send', async (errcode) => {
      const { fake } = wechat();
      fake.enqueue(MAKEOUT, { reply: { errcode, errmsg: 'processing' } });
      const error = await wechat().client().invoice.makeOutInvoice(MAKE_OUT_INVOICE_SAMPLE).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeChatOutcomeUnknownError);
      expect(error).toMatchObject({ errcode, errmsg: 'processing', fpqqlsh: MAKE_OUT_INVOICE_SAMPLE.fpqqlsh });
      expect(fake.count(MAKEOUT)).toBe(1);
    });

    it('clearoutinvoice: a timeout gives OutcomeUnknown after one send', async () => {
      const { fake } = wechat();
      fake.enqueue('/card/invoice/clearoutinvoice', { hang: true });
      const client = wechat().client({ timeoutMs: 200 });
      const error = await client.invoice.clearOutInvoice(CLEAR_OUT_INVOICE_SAMPLE).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'WECHAT_OUTCOME_UNKNOWN', fpqqlsh: CLEAR_OUT_INVOICE_SAMPLE.fpqqlsh });
      expect(fake.count('/card/invoice/clearoutinvoice')).toBe(1);
    });

    it('a refused token is a definite "no": refreshed and sent again with the same body (same fpqqlsh)', async () => {
      const { fake } = wechat();
      fake.enqueue(MAKEOUT, { reply: { errcode: 42001, errmsg: 'access_token expired' } });
      await expect(wechat().client().invoice.makeOutInvoice(MAKE_OUT_INVOICE_SAMPLE)).resolves.toMatchObject({ errcode: 0 });
      const bodies = fake.requests.filter((r) => r.path === MAKEOUT).map((r) => r.body);
      expect(bodies).toEqual([{ invoiceinfo: MAKE_OUT_INVOICE_SAMPLE }, { invoiceinfo: MAKE_OUT_INVOICE_SAMPLE }]);
    });

    it('a business refusal (73106) is permanent, not unknown', async () => {
      const { fake } = wechat();
      fake.enqueue(MAKEOUT, { reply: { errcode: 73106, errmsg: 'Fpqqlsh exist with different ddh' } });
      const error = await wechat().client().invoice.makeOutInvoice(MAKE_OUT_INVOICE_SAMPLE).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeChatApiError);
      expect(error).toMatchObject({ errcode: 73106, errclass: 'permanent' });
    });

    it('when the access_token cannot be had, nothing was sent: a transport error, not OutcomeUnknown', async () => {
      const { fake } = wechat();
      fake.enqueue('/cgi-bin/stable_token', { drop: true }, { drop: true }, { drop: true });
      const error = await wechat().client().invoice.makeOutInvoice(MAKE_OUT_INVOICE_SAMPLE).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeChatTransportError);
      expect(error).toMatchObject({ endpoint: 'cgi-bin/stable_token', failure: 'network' });
      expect(fake.count(MAKEOUT)).toBe(0);
    });
  });

  describe('jscode2session errors', () => {
    it('40029 asks for a new code', async () => {
      wechat().fake.refuseCode('bad-code', 40029);
      const error = await wechat().client().login.code2Session('bad-code').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeChatLoginError);
      expect(error).toMatchObject({ code: 'WECHAT_LOGIN_CODE_INVALID', errcode: 40029 });
    });

    it('40163 (a code used twice) asks for a new code', async () => {
      const client = wechat().client();
      await client.login.code2Session('once');
      await expect(client.login.code2Session('once')).rejects.toMatchObject({ code: 'WECHAT_LOGIN_CODE_INVALID', errcode: 40163 });
    });

    it('40226 is a blocked user', async () => {
      wechat().fake.refuseCode('risky', 40226);
      await expect(wechat().client().login.code2Session('risky')).rejects.toMatchObject({
        code: 'WECHAT_LOGIN_BLOCKED',
        errcode: 40226,
        meaning: 'code blocked: high-risk user, login intercepted',
      });
    });

    it('45011 backs off (quota error, one send)', async () => {
      const { fake } = wechat();
      fake.enqueue('/sns/jscode2session', { reply: { errcode: 45011, errmsg: 'api minute-quota reach limit' } });
      await expect(wechat().client().login.code2Session('c1')).rejects.toMatchObject({ code: 'WECHAT_QUOTA_EXCEEDED', retryAfterMs: 60_000 });
      expect(fake.count('/sns/jscode2session')).toBe(1);
    });

    it('-1 is retried', async () => {
      const { fake } = wechat();
      fake.enqueue('/sns/jscode2session', { reply: { errcode: -1, errmsg: 'system error' } });
      await expect(wechat().client().login.code2Session('c2')).resolves.toMatchObject({ openid: expect.stringMatching(/^o/) });
      expect(fake.count('/sns/jscode2session')).toBe(2);
    });
  });
});
