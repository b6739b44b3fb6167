/**
 * Where the Mini Program finds the Fapiao server, and how it opens WeChat's invoice
 * authorization page. One place to change: `npm start` serves on http://127.0.0.1:3000, which
 * WeChat DevTools reaches with domain checks off (urlCheck: false). A release build points at the
 * merchant's HTTPS domain registered in the Mini Program console.
 */
type EnvVersion = 'develop' | 'trial' | 'release';

const API_BASE_BY_ENV: Record<EnvVersion, string> = {
  develop: 'http://127.0.0.1:3000',
  trial: 'https://fapiao.example.com',
  release: 'https://fapiao.example.com',
};

/**
 * true: when the server runs against the WeChat sandbox (it then returns `webviewUrl`), open the
 * sandbox's authorization page in a <web-view> — the only way to reach it from DevTools.
 * false: always wx.navigateToMiniProgram into WeChat's invoice authorization Mini Program.
 * A server talking to real WeChat never returns `webviewUrl`, so real WeChat always navigates.
 */
const AUTH_VIA_WEBVIEW_BY_ENV: Record<EnvVersion, boolean> = {
  develop: true,
  trial: false,
  release: false,
};

/**
 * The sandbox buyer WeChat DevTools logs in as. DevTools' wx.login codes are opaque, and the
 * sandbox's jscode2session names the user by the part of a code before its first "." (any other
 * code is a new user of its own, with no orders): so in 'develop' the app sends
 * "<DEV_BUYER>.<code>". `npm start` seeds orders for alice and bob (scripts/demo-data.ts); set
 * 'bob' to be bob, or '' to be a fresh buyer per login (also what a develop build talking to a
 * server on real WeChat needs). Trial and release builds never do this: see devBuyer().
 */
export const DEV_BUYER = 'alice';

/** Give up on one API call after this long (wx.request `timeout`). */
export const REQUEST_TIMEOUT_MS = 15_000;

/** While an invoice is being authorized or issued, ask the server again after these waits. */
export const STATUS_POLL_DELAYS_MS: readonly number[] = [1_500, 3_000, 5_000, 8_000, 13_000, 21_000];

function envOf(envVersion: string | undefined): EnvVersion {
  return envVersion === 'trial' || envVersion === 'release' ? envVersion : 'develop';
}

/** The API base for the environment WeChat reports (DevTools and previews are 'develop'). */
export function apiBase(envVersion: string | undefined): string {
  return API_BASE_BY_ENV[envOf(envVersion)];
}

/** Whether to prefer the sandbox's web-view authorization page in this environment. */
export function authViaWebview(envVersion: string | undefined): boolean {
  return AUTH_VIA_WEBVIEW_BY_ENV[envOf(envVersion)];
}

/** Whom to log in as in the sandbox: DEV_BUYER in 'develop' only; '' (WeChat's own code) otherwise. */
export function devBuyer(envVersion: string | undefined): string {
  return envOf(envVersion) === 'develop' ? DEV_BUYER : '';
}
