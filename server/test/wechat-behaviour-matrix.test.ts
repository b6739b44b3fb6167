/**
 * What WeChat does where its documents are silent, as a matrix: every behaviour switch of the
 * sandbox (docs/wechat-behaviour.md) × the flows (type 1 company and personal, type 0, reject →
 * re-apply, refund → offset, lost pushes), against the real server and worker with their waits
 * and limits scaled down. Whatever WeChat answers, every request ends correct or flagged as
 * needing attention: none stuck, none issued without numbers, none issued twice.
 */
import { eventually } from './support/eventually';
import { orderFor, startLifecycleEnv, type LifecycleEnv } from './support/lifecycle-env';

/** The worker gives up on a state after this (scaled down from DEFAULT_SCHEDULE's). */
const LIMITS = {
  AUTHORIZED: { looks: 8, ageMs: 10_000 },
  ISSUING: { looks: 10, ageMs: 8_000 },
  OFFSETTING: { looks: 10, ageMs: 8_000 },
};
const WAIT_MS = 40_000;
/** One case runs several flows at once; on a busy machine that takes a while (the flows wait by polling). */
const CASE_MS = 180_000;

const COMPANY = { title: '福州示例科技有限公司', tax_no: '91350100M000100Y43', addr: '福州市鼓楼区示例路 8 号', phone: '0591-12345678', bank_type: '招商银行福州分行', bank_no: '591900000000001' };
const AUTH_FIELDS = {
  user_field: { show_title: 1, show_phone: 1, show_email: 1, custom_field: [{ key: '会员号' }] },
  biz_field: { show_title: 1, show_tax_no: 1, show_addr: 1, show_phone: 1, show_bank_type: 1, show_bank_no: 1, require_tax_no: 1 },
};
const FINAL = ['ISSUED', 'OFFSET', 'REJECTED', 'AUTH_FAILED', 'AUTH_EXPIRED'];

interface Req {
  id: string;
  orderNo: string;
  wxOrderId: string;
  status: string;
  needsAttention: boolean;
  attention?: { code: string; reason: string; state: string; answers: { call: string; errcode: number; summary: string }[] };
  invoice?: { fpdm: string; fphm: string; jym: string; kprq: string };
  customFields?: { key: string; value: string }[];
  rejectReason?: string;
}

type Json = Record<string, unknown>;

let env: LifecycleEnv;
let seq = 0;

beforeAll(async () => {
  env = await startLifecycleEnv({ schedule: { limits: LIMITS }, serverEnv: { WECHAT_TIMEOUT_MS: '3000' }, workerConcurrency: 4 });
  expect((await env.admin('PUT', '/settings/auth-fields', AUTH_FIELDS)).status).toBe(200);
}, 60_000);
afterEach(async () => {
  await env.sandboxApi('DELETE', '/behaviour');
  await env.sandboxApi('DELETE', '/faults');
});
afterAll(async () => env?.close());

// ── the flows ─────────────────────────────────────────────────────────────────────────────────

async function apply(type: 0 | 1, title?: Json, orderNo?: string) {
  // Flows run side by side: take this flow's number before the first await, or two share one.
  const mine = ++seq;
  const buyer = await env.login(`mx${mine}`);
  const no = orderNo ?? `MX${Date.now().toString(36)}${mine}`;
  if (!orderNo) expect((await env.admin('POST', '/orders', orderFor(buyer.openid, no))).status).toBe(201);
  const answer = await askAsABuyerWould(() => env.mp(buyer.token, 'POST', `/orders/${no}/invoice`, { type, ...(title ? { title } : {}) }));
  return { buyer, orderNo: no, answer };
}

/** "WeChat is busy, try again shortly": the Mini Program tries again, a little later each time. */
async function askAsABuyerWould(ask: () => Promise<{ status: number; json: Json }>): Promise<{ status: number; json: Json }> {
  for (let i = 0; ; i++) {
    const answer = await ask();
    const busy = (answer.json.error as { code?: string } | undefined)?.code === 'WECHAT_UNAVAILABLE';
    if (!busy || i >= 8) return answer;
    await new Promise((r) => setTimeout(r, 200 * 2 ** Math.min(i, 4)));
  }
}

async function applied(type: 0 | 1, title?: Json) {
  const got = await apply(type, title);
  expect([got.answer.status, got.answer.json]).toEqual([200, expect.objectContaining({ authUrl: expect.any(String) })]);
  return { ...got, authUrl: String(got.answer.json.authUrl) };
}

async function authorize(authUrl: string, openid: string, fields: Json = {}, action: 'authorize' | 'decline' = 'authorize') {
  const done = await env.sandboxApi('POST', '/authorize', { auth_url: authUrl, openid, action, ...fields });
  expect(done.status).toBe(200);
}

async function requestsOf(orderNo: string): Promise<Req[]> {
  return (await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as Req[];
}

/** Waits until the order's newest request satisfies `goal`. */
async function until(orderNo: string, goal: (r: Req) => boolean, what: string): Promise<Req> {
  return eventually(async () => {
    const [newest] = await requestsOf(orderNo);
    return newest && goal(newest) ? newest : undefined;
  }, `${orderNo}: ${what}`, WAIT_MS);
}
const is = (status: string) => (r: Req) => r.status === status;
const flaggedIn = (status: string) => (r: Req) => r.status === status && r.needsAttention;

const flows = {
  async company(): Promise<void> {
    const { buyer, orderNo, authUrl } = await applied(1);
    await authorize(authUrl, buyer.openid, { biz_field: COMPANY });
    await until(orderNo, is('ISSUED'), 'ISSUED');
  },
  async personal(): Promise<void> {
    const { buyer, orderNo, authUrl } = await applied(1);
    await authorize(authUrl, buyer.openid, { user_field: { title: '王小明', phone: '13800000000', custom_field: [{ key: '会员号', value: 'VIP-7' }] } });
    const issued = await until(orderNo, is('ISSUED'), 'ISSUED');
    // The merchant's custom field, as the buyer filled it in, is kept for ops.
    expect(issued.customFields).toEqual([{ key: '会员号', value: 'VIP-7' }]);
  },
  async type0(): Promise<void> {
    const { buyer, orderNo, authUrl } = await applied(0, { kind: 'company', name: '厦门示例贸易有限公司', taxNumber: '91350200MA2Y0AW816' });
    await authorize(authUrl, buyer.openid);
    await until(orderNo, is('ISSUED'), 'ISSUED');
  },
  /** The platform fails the first title; ops reject; the buyer applies again and gets the invoice. */
  async rejectReapply(opts: { retryFirst?: boolean; lostRejectAnswer?: boolean } = {}): Promise<void> {
    const { buyer, orderNo, authUrl } = await applied(1);
    await authorize(authUrl, buyer.openid, { user_field: { title: 'SANDBOX_FAIL 李四' } });
    const failed = await until(orderNo, flaggedIn('ISSUE_FAILED'), 'ISSUE_FAILED, flagged');
    expect(failed.attention).toMatchObject({ code: 'ISSUE_FAILED', state: 'ISSUE_FAILED' });
    if (opts.retryFirst) {
      expect((await env.admin('POST', `/invoices/${failed.id}/retry`)).status).toBe(200);
      const again = await until(orderNo, flaggedIn('ISSUE_FAILED'), 'ISSUE_FAILED again, flagged');
      expect(again.attention?.reason).toContain('73106');
    }
    if (opts.lostRejectAnswer) {
      // rejectinsert reaches WeChat, but its answer comes after the client gave up (3 sends).
      await env.sandboxApi('PUT', '/faults', { endpoints: { '/card/invoice/rejectinsert': { delayMs: 3_600 } } });
      expect((await env.admin('POST', `/invoices/${failed.id}/reject`, { reason: '抬头有误' })).json).toMatchObject({ error: { code: 'WECHAT_UNAVAILABLE' } });
      await eventually(async () => {
        const [a] = (await env.sandboxApi('GET', `/authorizations?order_id=${failed.wxOrderId}`)).json.authorizations as Json[];
        return a?.status === 'rejected';
      }, 'WeChat to have the order rejected', WAIT_MS);
      await env.sandboxApi('DELETE', '/faults');
    }
    const rejected = await env.admin('POST', `/invoices/${failed.id}/reject`, { reason: '抬头有误' });
    expect(rejected.json).toMatchObject({ status: 'REJECTED', needsAttention: false });
    const reapplied = await askAsABuyerWould(() => env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice`, { type: 1 }));
    expect(reapplied.status).toBe(200);
    await authorize(String(reapplied.json.authUrl), buyer.openid, { user_field: { title: '李四' } });
    await until(orderNo, is('ISSUED'), 'ISSUED after re-applying');
  },
  async refundOffset(): Promise<void> {
    const { buyer, orderNo, authUrl } = await applied(0, { kind: 'personal', name: '张三' });
    await authorize(authUrl, buyer.openid);
    const issued = await until(orderNo, is('ISSUED'), 'ISSUED');
    expect((await env.admin('POST', `/invoices/${issued.id}/offset`)).json).toMatchObject({ status: 'OFFSETTING' });
    await until(orderNo, is('OFFSET'), 'OFFSET');
  },
  /** The red invoice fails: a state ops see (OFFSET_FAILED, flagged), never an endless OFFSETTING. */
  async redFails(): Promise<void> {
    const { buyer, orderNo, authUrl } = await applied(0, { kind: 'personal', name: 'SANDBOX_REDFAIL 王五' });
    await authorize(authUrl, buyer.openid);
    const issued = await until(orderNo, is('ISSUED'), 'ISSUED');
    await env.admin('POST', `/invoices/${issued.id}/offset`);
    const failed = await until(orderNo, flaggedIn('OFFSET_FAILED'), 'OFFSET_FAILED, flagged');
    expect(failed.attention).toMatchObject({ code: 'OFFSET_FAILED' });
    expect(failed.invoice?.fphm).toBe(issued.invoice?.fphm);
  },
  async decline(expected: 'AUTH_FAILED' | 'flagged'): Promise<void> {
    const { buyer, orderNo, authUrl } = await applied(1);
    await authorize(authUrl, buyer.openid, {}, 'decline');
    if (expected === 'AUTH_FAILED') await until(orderNo, is('AUTH_FAILED'), 'AUTH_FAILED');
    else expect((await until(orderNo, flaggedIn('AUTH_PENDING'), 'AUTH_PENDING, flagged')).attention?.code).toBe('UNKNOWN_AUTH_STATUS');
  },
  /** A failed invoice whose query answers never say "failed" and whose result push is lost: flagged. */
  async failsSilently(): Promise<void> {
    const { buyer, orderNo, authUrl } = await applied(1);
    await authorize(authUrl, buyer.openid, { user_field: { title: 'SANDBOX_FAIL 赵六' } });
    const flagged = await until(orderNo, flaggedIn('ISSUING'), 'ISSUING, flagged');
    expect(flagged.attention).toMatchObject({ code: 'LIMIT_REACHED', answers: expect.arrayContaining([expect.objectContaining({ call: 'queryInvoiceInfo' })]) });
    expect(flagged.invoice).toBeUndefined();
  },
};

/** Runs `inner` with every push dropped (the worker must find out by polling and querying). */
async function withLostPushes(inner: () => Promise<unknown>): Promise<void> {
  const { json: before } = await env.sandboxApi('GET', '/faults');
  await env.sandboxApi('PUT', '/faults', { ...before, push: { dropRate: 1 } });
  try {
    await inner();
  } finally {
    await env.sandboxApi('PUT', '/faults', { ...before, push: {} });
  }
}

/** Every request created since `since`: correct or flagged, numbers on every invoice, none twice. */
async function everyRequestEndsCorrectOrFlagged(since: Date): Promise<void> {
  const all = (await env.admin('GET', `/invoices?createdAfter=${since.toISOString()}&limit=500`)).json.invoices as Req[];
  expect(all.length).toBeGreaterThan(0);
  for (const r of all) {
    const ended = FINAL.includes(r.status) || r.needsAttention || r.status === 'ISSUE_FAILED' || r.status === 'OFFSET_FAILED';
    expect([r.id, r.status, ended]).toEqual([r.id, r.status, true]);
    if (['ISSUED', 'OFFSETTING', 'OFFSET', 'OFFSET_FAILED'].includes(r.status) || r.invoice) {
      expect([r.id, r.invoice]).toEqual([r.id, expect.objectContaining({ fpdm: expect.stringMatching(/\d/), fphm: expect.stringMatching(/\d/), jym: expect.stringMatching(/\d/), kprq: expect.stringMatching(/\d/) })]);
    }
    const blues = ((await env.sandboxApi('GET', `/invoices?ddh=${r.wxOrderId}&kind=blue&status=issued`)).json.invoices as Json[]) ?? [];
    expect([r.wxOrderId, blues.length <= 1]).toEqual([r.wxOrderId, true]);
  }
}

async function behave(behaviour: Json): Promise<void> {
  expect((await env.sandboxApi('PUT', '/behaviour', behaviour)).status).toBe(200);
}

/** A matrix case: its flows run at once and wait by polling, which takes a while on a busy machine. */
function matrixCase(name: string, body: () => Promise<void>): void {
  it(name, body, CASE_MS);
}

async function runCase(behaviour: Json, body: () => Promise<unknown>): Promise<void> {
  await behave(behaviour);
  const since = new Date(Date.now() - 1);
  await body();
  await everyRequestEndsCorrectOrFlagged(since);
}

describe('WeChat behaviour matrix: every switch × the flows', () => {
  matrixCase('defaults (the most likely reading)', () =>
    runCase({}, async () => {
      await Promise.all([flows.company(), flows.personal(), flows.type0(), flows.rejectReapply(), flows.refundOffset(), flows.redFails(), flows.decline('AUTH_FAILED')]);
      await withLostPushes(() => Promise.all([flows.company(), flows.decline('AUTH_FAILED')]));
    }));

  matrixCase('outcome query answers errcode 0 with empty numbers while not issued (outcomeQuery empty-success)', () =>
    runCase({ outcomeQuery: 'empty-success' }, async () => {
      await Promise.all([flows.company(), flows.personal(), flows.type0(), flows.rejectReapply(), flows.refundOffset()]);
      await withLostPushes(() => Promise.all([flows.company(), flows.failsSilently()]));
    }));

  matrixCase('outcome query uses other errcodes (processing 73105, failed 73102, unknown fpqqlsh 73100)', () =>
    runCase({ processingErrcode: 73105, failedErrcode: 73102, unknownFpqqlshErrcode: 73100 }, async () => {
      await Promise.all([flows.company(), flows.type0(), flows.rejectReapply(), flows.refundOffset()]);
      await withLostPushes(() => Promise.all([flows.company(), flows.failsSilently()]));
    }));

  matrixCase('no result pushes at all (resultPushes never)', () =>
    runCase({ resultPushes: 'never' }, () => Promise.all([flows.company(), flows.personal(), flows.rejectReapply(), flows.refundOffset(), flows.redFails()])));

  matrixCase('a stale wx_card ticket is refused with another code (ticketRejectedErrcode 72031): refreshed once; twice refused is a clear error', () =>
    runCase({ ticketRejectedErrcode: 72031 }, async () => {
      // Every ticket the server holds is now stale at WeChat.
      await env.sandbox.db.model('SandboxTicket').updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      await Promise.all([flows.company(), flows.type0()]);
      await env.sandboxApi('PUT', '/faults', { endpoints: { '/card/invoice/getauthurl': { errorRate: 1, errcode: 72031 } } });
      const refused = await apply(1);
      expect([refused.answer.status, refused.answer.json]).toEqual([503, { error: { code: 'AUTH_LINK_UNAVAILABLE', message: expect.any(String) } }]);
      await env.sandboxApi('DELETE', '/faults');
      expect(await requestsOf(refused.orderNo)).toEqual([]);
      const again = await askAsABuyerWould(() => env.mp(refused.buyer.token, 'POST', `/orders/${refused.orderNo}/invoice`, { type: 1 }));
      expect(again.status).toBe(200);
      await authorize(String(again.json.authUrl), refused.buyer.openid, { biz_field: COMPANY });
      await until(refused.orderNo, is('ISSUED'), 'ISSUED');
    }));

  matrixCase('an fpqqlsh is refused after a failure (fpqqlshAfterFailure refused): the retry fails visibly, reject → re-apply works', () =>
    runCase({ fpqqlshAfterFailure: 'refused' }, () => Promise.all([flows.company(), flows.rejectReapply({ retryFirst: true })])));

  matrixCase('a declined authorization is worded unknownly (declinedStatus "auth ng")', () =>
    runCase({ declinedStatus: 'auth ng' }, async () => {
      await Promise.all([flows.company(), flows.decline('AUTH_FAILED')]);
      await withLostPushes(() => flows.decline('flagged'));
    }));

  matrixCase('pushes: 3 sends in all rather than 3 retries (pushAttempts sends)', () =>
    runCase({ pushAttempts: 'sends' }, () => Promise.all([flows.company(), flows.refundOffset(), flows.decline('AUTH_FAILED')])));

  matrixCase('kplx is required (kplx required): sent for blue and red', () =>
    runCase({ kplx: 'required' }, () => Promise.all([flows.company(), flows.type0(), flows.refundOffset()])));

  matrixCase('an app not enabled for invoicing (48001): the buyer is told, nothing is left half-made', () =>
    runCase({ appidsWithoutInvoicing: [env.app.container.config.WECHAT_APPID] }, async () => {
      const refused = await apply(1);
      expect(refused.answer.status).toBe(502);
      expect(refused.answer.json).toMatchObject({ error: { code: 'WECHAT_REJECTED', message: expect.stringContaining('48001') } });
      expect(await requestsOf(refused.orderNo)).toEqual([]);
      // The order itself is still there, so the invariant check has one request to look at.
      await behave({});
      const again = await askAsABuyerWould(() => env.mp(refused.buyer.token, 'POST', `/orders/${refused.orderNo}/invoice`, { type: 0, title: { kind: 'personal', name: '钱七' } }));
      await authorize(String(again.json.authUrl), refused.buyer.openid);
      await until(refused.orderNo, is('ISSUED'), 'ISSUED once enabled');
      // Disabled while a buyer is on the authorization page, the push lost: getauthdata's 48001
      // cannot heal by retrying, so the request is handed to a human at once, and ops' retry resumes it.
      const appid = env.app.container.config.WECHAT_APPID;
      const pending = await applied(1);
      await behave({ appidsWithoutInvoicing: [appid] });
      await withLostPushes(async () => {
        await authorize(pending.authUrl, pending.buyer.openid, { biz_field: COMPANY });
        const flagged = await until(pending.orderNo, flaggedIn('AUTH_PENDING'), 'AUTH_PENDING, flagged');
        expect(flagged.attention).toMatchObject({ code: 'CANNOT_HEAL', reason: expect.stringContaining('48001') });
        await behave({});
        expect((await env.admin('POST', `/invoices/${flagged.id}/retry`)).json).toMatchObject({ status: 'AUTH_PENDING', needsAttention: false });
        await until(pending.orderNo, is('ISSUED'), 'ISSUED after the retry');
      });
    }));

  matrixCase('no invoicing package chosen (72015): ISSUE_FAILED, flagged; retried once chosen → ISSUED', () =>
    runCase({ appidsWithoutInvoicingPackage: [env.app.container.config.WECHAT_APPID] }, async () => {
      const { buyer, orderNo, authUrl } = await applied(1);
      await authorize(authUrl, buyer.openid, { biz_field: COMPANY });
      const failed = await until(orderNo, flaggedIn('ISSUE_FAILED'), 'ISSUE_FAILED, flagged');
      expect(failed.attention?.reason).toContain('72015');
      await behave({});
      expect((await env.admin('POST', `/invoices/${failed.id}/retry`)).json).toMatchObject({ needsAttention: false });
      await until(orderNo, is('ISSUED'), 'ISSUED after the retry');
    }));

  matrixCase('a rejectinsert whose answer was lost: the retry’s 72035 is REJECTED, and the buyer may re-apply', () =>
    runCase({}, () => flows.rejectReapply({ lostRejectAnswer: true })));
});

describe('WeChat behaviour matrix: s_pappid with + / = (sPappid base64-specials)', () => {
  let special: LifecycleEnv;
  const saved = () => env;
  beforeAll(async () => {
    special = await startLifecycleEnv({ sandboxBehaviour: { sPappid: 'base64-specials' }, schedule: { limits: LIMITS } });
    await special.admin('PUT', '/settings/auth-fields', AUTH_FIELDS);
  }, 60_000);
  afterAll(async () => special?.close());

  matrixCase('seturl’s s_pappid is read exactly as written, and every flow works with it', async () => {
    expect(special.sPappid).toMatch(/\+.*\/.*=/);
    const seturl = await special.admin('POST', '/platform/seturl');
    expect(seturl.json).toMatchObject({ sPappid: special.sPappid });
    const main = saved();
    env = special;
    try {
      await runCase({ sPappid: 'base64-specials' }, () => Promise.all([flows.company(), flows.refundOffset(), flows.rejectReapply()]));
    } finally {
      env = main;
    }
  });
});
