import { apiBase } from '../config';

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

  it('falls back to the development server for an unknown environment', () => {
    expect(apiBase(undefined)).toBe('http://127.0.0.1:3000');
  });
});
