/**
 * services/ against a scripted `wx`: what goes over wx.request, and what the pages get back
 * (answers, ApiErrors with shared codes and zh-CN messages, one shared re-login on 401).
 */
import { DEV_BUYER, devBuyer, REQUEST_TIMEOUT_MS } from '../config';
import { applyInvoice, getInvoiceStatus, getOrder, listOrders } from '../services/api';
import { errorText, isApiError, type ApiError } from '../services/errors';
import { configureApiBase } from '../services/http';
import { configureDevBuyer, SESSION_STORAGE_KEY } from '../services/session';

const BASE = 'https://api.example.test';

interface SentRequest {
  url: string;
  path: string;
  method: string;
  header: Record<string, string>;
  data: unknown;
  timeout: number | undefined;
}

/** An answer to one wx.request: a response (any status), or wx's `fail` with this errMsg. */
type Answer = { status: number; body: unknown } | { failWith: string };

interface ScriptedWx {
  sent: SentRequest[];
  loginCodes: string[];
  storage: Map<string, unknown>;
}

/** Installs a `wx` whose requests are answered by `answer` (which may wait); logins give codes "code-<n>". */
function installWx(answer: (req: SentRequest) => Answer | Promise<Answer>): ScriptedWx {
  const scripted: ScriptedWx = { sent: [], loginCodes: [], storage: new Map() };
  (globalThis as Record<string, unknown>).wx = {
    getStorageSync: (key: string) => scripted.storage.get(key) ?? '',
    setStorageSync: (key: string, value: unknown) => void scripted.storage.set(key, value),
    removeStorageSync: (key: string) => void scripted.storage.delete(key),
    login: (o: { success(r: { code: string; errMsg: string }): void }) => {
      const code = `code-${scripted.loginCodes.length + 1}`;
      scripted.loginCodes.push(code);
      setTimeout(() => o.success({ code, errMsg: 'login:ok' }), 0);
    },
    request: (o: {
      url: string;
      method: string;
      header: Record<string, string>;
      data: unknown;
      timeout?: number;
      success(r: { statusCode: number; data: unknown }): void;
      fail(e: { errMsg: string }): void;
    }) => {
      const req: SentRequest = { url: o.url, path: o.url.slice(BASE.length), method: o.method, header: o.header, data: o.data, timeout: o.timeout };
      scripted.sent.push(req);
      void Promise.resolve()
        .then(() => answer(req))
        .then((a) => ('failWith' in a ? o.fail({ errMsg: a.failWith }) : o.success({ statusCode: a.status, data: a.body })));
    },
  };
  return scripted;
}

const SESSION_BODY = (token: string) => ({ token, openid: 'oBuyer000000000000000000000a', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
const ORDER = { orderNo: 'A1', amount: 14300, createdAt: '2024-05-01T08:00:00.000Z', items: [], invoice: { status: null } };

function storeSession(scripted: ScriptedWx, token: string): void {
  scripted.storage.set(SESSION_STORAGE_KEY, SESSION_BODY(token));
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isApiError(err)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

const calls = (scripted: ScriptedWx) => scripted.sent.map((r) => `${r.method} ${r.path} ${r.header.authorization ?? '-'}`);

beforeEach(() => {
  configureApiBase(`${BASE}/`);
  configureDevBuyer('');
});

describe('the request wrapper', () => {
  it('sends JSON with the session’s bearer token and resolves with the JSON answer', async () => {
    const scripted = installWx(() => ({ status: 200, body: '{"appid":"wx9db2c16d0633c2e7","authUrl":"pages/auth/auth?s=1"}' }));
    storeSession(scripted, 't1');
    const link = await applyInvoice('A 1/2', { type: 0, title: { kind: 'personal', name: '张三' } });
    expect(link).toEqual({ appid: 'wx9db2c16d0633c2e7', authUrl: 'pages/auth/auth?s=1' });
    expect(scripted.sent).toEqual([
      {
        url: `${BASE}/api/mp/orders/A%201%2F2/invoice`,
        path: '/api/mp/orders/A%201%2F2/invoice',
        method: 'POST',
        header: { 'content-type': 'application/json', authorization: 'Bearer t1' },
        data: { type: 0, title: { kind: 'personal', name: '张三' } },
        timeout: REQUEST_TIMEOUT_MS,
      },
    ]);
  });

  it('logs in first when there is no session, and keeps the session for the next call', async () => {
    const scripted = installWx((req) => (req.path === '/api/mp/session' ? { status: 201, body: SESSION_BODY('t-new') } : { status: 200, body: { orders: [] } }));
    await listOrders();
    await listOrders();
    expect(calls(scripted)).toEqual(['POST /api/mp/session -', 'GET /api/mp/orders?limit=20 Bearer t-new', 'GET /api/mp/orders?limit=20 Bearer t-new']);
    expect(scripted.sent[0]?.data).toEqual({ code: 'code-1' });
  });

  it.each<[string, number, unknown, string, string]>([
    ['a shared error code', 404, { error: { code: 'ORDER_NOT_FOUND', message: 'No order A1' } }, 'ORDER_NOT_FOUND', '未找到该订单'],
    ['a conflict', 409, { error: { code: 'INVOICE_ALREADY_REQUESTED', message: 'already' } }, 'INVOICE_ALREADY_REQUESTED', '该订单已申请开票，请勿重复申请'],
    ['a tax number the validator explains', 400, { error: { code: 'TAX_NUMBER_INVALID', message: '税号校验位不正确' } }, 'TAX_NUMBER_INVALID', '税号校验位不正确'],
    ['a code the app does not know', 400, { error: { code: 'SOMETHING_NEW', message: 'x' } }, 'HTTP_ERROR', '服务暂时不可用，请稍后重试'],
    ['a gateway page that is not JSON', 502, '<html>Bad Gateway</html>', 'HTTP_ERROR', '服务暂时不可用，请稍后重试'],
  ])('maps %s to a stable code and a message for the buyer', async (_what, status, body, code, message) => {
    const scripted = installWx(() => ({ status, body }));
    storeSession(scripted, 't1');
    const err = await rejection(getOrder('A1'));
    expect({ code: err.code, message: err.message, status: err.status }).toEqual({ code, message, status });
    expect(errorText(err)).toBe(message);
  });

  it('turns “no invoice requested yet” into null for the order page', async () => {
    const scripted = installWx(() => ({ status: 404, body: { error: { code: 'INVOICE_REQUEST_NOT_FOUND', message: 'none' } } }));
    storeSession(scripted, 't1');
    await expect(getInvoiceStatus('A1')).resolves.toBeNull();
  });

  it('reports a timeout as TIMEOUT, with the configured timeout on the request', async () => {
    const scripted = installWx(() => ({ failWith: 'request:fail timeout' }));
    storeSession(scripted, 't1');
    const err = await rejection(getOrder('A1'));
    expect({ code: err.code, message: err.message, status: err.status }).toEqual({ code: 'TIMEOUT', message: '请求超时，请稍后重试', status: 0 });
    expect(scripted.sent.map((r) => r.timeout)).toEqual([REQUEST_TIMEOUT_MS]);
  });

  it('reports an unreachable server as a network error the buyer can act on', async () => {
    const scripted = installWx(() => ({ failWith: 'request:fail errcode:-101 cronet_error_code:-101 error_msg:net::ERR_CONNECTION_REFUSED' }));
    storeSession(scripted, 't1');
    const err = await rejection(listOrders());
    expect(err.code).toBe('NETWORK_ERROR');
    expect(errorText(err)).toBe('网络异常，请检查网络后重试');
    expect(err.detail).toContain('ERR_CONNECTION_REFUSED');
  });

  it('reports a refused login with its code, and sends nothing else', async () => {
    const scripted = installWx(() => ({ status: 400, body: { error: { code: 'LOGIN_CODE_INVALID', message: 'code invalid' } } }));
    const err = await rejection(listOrders());
    expect(err.code).toBe('LOGIN_CODE_INVALID');
    expect(calls(scripted)).toEqual(['POST /api/mp/session -']);
  });
});

describe('401: one shared re-login, one retry', () => {
  /** The server: "stale" is refused, the token from /session is accepted; the login answer waits for `loginGate`. */
  function staleSessionServer(loginGate: Promise<void>): (req: SentRequest) => Promise<Answer> {
    return async (req: SentRequest): Promise<Answer> => {
      if (req.path === '/api/mp/session') {
        await loginGate;
        return { status: 201, body: SESSION_BODY('fresh') };
      }
      if (req.header.authorization !== 'Bearer fresh') return { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'expired' } } };
      return req.path.startsWith('/api/mp/orders?') ? { status: 200, body: { orders: [ORDER] } } : { status: 200, body: ORDER };
    };
  }

  it('three calls that all get 401 share one wx.login and one /session, then each retries once', async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const scripted = installWx(staleSessionServer(gate));
    storeSession(scripted, 'stale');

    const all = Promise.all([listOrders(), getOrder('A1'), getOrder('A2')]);
    // Hold the login until all three have been refused, so they really overlap.
    while (scripted.sent.filter((r) => r.header.authorization === 'Bearer stale').length < 3) await new Promise((r) => setTimeout(r, 1));
    release();
    const [list, a1, a2] = await all;

    expect(list.orders).toHaveLength(1);
    expect(a1.orderNo).toBe('A1');
    expect(a2.orderNo).toBe('A1');
    expect(scripted.loginCodes).toEqual(['code-1']);
    expect(calls(scripted).sort()).toEqual(
      [
        'GET /api/mp/orders?limit=20 Bearer stale',
        'GET /api/mp/orders/A1 Bearer stale',
        'GET /api/mp/orders/A2 Bearer stale',
        'POST /api/mp/session -',
        'GET /api/mp/orders?limit=20 Bearer fresh',
        'GET /api/mp/orders/A1 Bearer fresh',
        'GET /api/mp/orders/A2 Bearer fresh',
      ].sort(),
    );
    expect((scripted.storage.get(SESSION_STORAGE_KEY) as { token: string }).token).toBe('fresh');
  });

  it('a 401 that arrives after another call already logged in again reuses that session', async () => {
    let releaseLate = () => undefined as void;
    const late = new Promise<void>((resolve) => (releaseLate = resolve));
    const server = staleSessionServer(Promise.resolve());
    const scripted = installWx(async (req) => {
      // The refusal of A2's first try arrives only after A1 has logged in again and finished.
      if (req.path === '/api/mp/orders/A2' && req.header.authorization === 'Bearer stale') await late;
      return server(req);
    });
    storeSession(scripted, 'stale');
    const a2 = getOrder('A2');
    await getOrder('A1');
    releaseLate();
    await a2;
    expect(scripted.loginCodes).toEqual(['code-1']);
    expect(calls(scripted)).toEqual([
      'GET /api/mp/orders/A2 Bearer stale',
      'GET /api/mp/orders/A1 Bearer stale',
      'POST /api/mp/session -',
      'GET /api/mp/orders/A1 Bearer fresh',
      'GET /api/mp/orders/A2 Bearer fresh',
    ]);
  });

  it('retries only once: a second 401 is reported, not looped on', async () => {
    const scripted = installWx((req) =>
      req.path === '/api/mp/session' ? { status: 201, body: SESSION_BODY('also-refused') } : { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'no' } } },
    );
    storeSession(scripted, 'stale');
    const err = await rejection(getOrder('A1'));
    expect({ code: err.code, message: err.message }).toEqual({ code: 'UNAUTHENTICATED', message: '登录已失效，请重新进入小程序' });
    expect(calls(scripted)).toEqual(['GET /api/mp/orders/A1 Bearer stale', 'POST /api/mp/session -', 'GET /api/mp/orders/A1 Bearer also-refused']);
  });
});

describe('logging in as the sandbox’s demo buyer (DevTools only)', () => {
  it('is configured for DevTools (develop) and never for trial or release builds', () => {
    expect(devBuyer('develop')).toBe(DEV_BUYER);
    expect(DEV_BUYER).toMatch(/^[a-z]+$/);
    expect(devBuyer('trial')).toBe('');
    expect(devBuyer('release')).toBe('');
  });

  it('sends "<buyer>.<wx code>", which the sandbox reads as that buyer', async () => {
    configureDevBuyer('bob');
    const scripted = installWx((req) => (req.path === '/api/mp/session' ? { status: 201, body: SESSION_BODY('t-bob') } : { status: 200, body: { orders: [] } }));
    await listOrders();
    expect(scripted.sent[0]?.data).toEqual({ code: 'bob.code-1' });
  });

  it('does not reuse a stored session of another buyer after DEV_BUYER changes', async () => {
    configureDevBuyer('alice');
    const scripted = installWx((req) => (req.path === '/api/mp/session' ? { status: 201, body: SESSION_BODY(`t-${scripted.loginCodes.length}`) } : { status: 200, body: { orders: [] } }));
    await listOrders();
    configureDevBuyer('bob');
    await listOrders();
    expect(scripted.sent.filter((r) => r.path === '/api/mp/session').map((r) => r.data)).toEqual([{ code: 'alice.code-1' }, { code: 'bob.code-2' }]);
    expect(calls(scripted).filter((c) => c.startsWith('GET'))).toEqual(['GET /api/mp/orders?limit=20 Bearer t-1', 'GET /api/mp/orders?limit=20 Bearer t-2']);
  });
});
