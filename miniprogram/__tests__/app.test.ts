import { apiBase, DEV_BUYER } from '../config';

describe('the Mini Program app shell', () => {
  let registered: IAppOption | undefined;

  beforeEach(() => {
    registered = undefined;
    (globalThis as Record<string, unknown>).App = (options: IAppOption) => {
      registered = options;
    };
  });

  function loadAppWith(envVersion: string) {
    (globalThis as Record<string, unknown>).wx = { getAccountInfoSync: () => ({ miniProgram: { envVersion } }) };
    // app.ts registers itself with App() when loaded, as in WeChat: load a fresh copy each time.
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../app');
    });
    return registered;
  }

  it('talks to the local server in DevTools and to the HTTPS domain in a release', () => {
    expect(loadAppWith('develop')?.globalData.apiBase).toBe('http://127.0.0.1:3000');
    expect(loadAppWith('release')?.globalData.apiBase).toMatch(/^https:\/\//);
  });

  /** Launches the app with a wx that records the login code sent to /api/mp/session. */
  async function launchAndCaptureLoginCode(envVersion: string): Promise<unknown> {
    let sent: unknown;
    const app = loadAppWith(envVersion);
    Object.assign((globalThis as unknown as { wx: object }).wx, {
      getStorageSync: () => '',
      setStorageSync: () => undefined,
      login: (o: { success(r: { code: string; errMsg: string }): void }) => o.success({ code: '0a3Fopaque', errMsg: 'login:ok' }),
      request: (o: { url: string; data: { code?: unknown }; success(r: { statusCode: number; data: unknown }): void }) => {
        sent = o.data.code;
        o.success({ statusCode: 201, data: { token: 't', openid: 'o', expiresAt: new Date(Date.now() + 60_000).toISOString() } });
      },
    });
    (app as unknown as { onLaunch(): void }).onLaunch();
    for (let i = 0; i < 100 && sent === undefined; i++) await new Promise((r) => setTimeout(r, 1));
    return sent;
  }

  it('in DevTools logs in as the sandbox demo buyer; trial and release builds send WeChat’s code as it is', async () => {
    expect(await launchAndCaptureLoginCode('develop')).toBe(`${DEV_BUYER}.0a3Fopaque`);
    expect(await launchAndCaptureLoginCode('trial')).toBe('0a3Fopaque');
    expect(await launchAndCaptureLoginCode('release')).toBe('0a3Fopaque');
  });

  it('falls back to the development server for an unknown environment', () => {
    expect(apiBase(undefined)).toBe('http://127.0.0.1:3000');
  });
});
