/**
 * The buyer's session: wx.login → POST /api/mp/session → our own bearer token, kept in storage.
 * login() is single-flight: concurrent callers (e.g. two requests that both got 401) share one
 * wx.login and one /session call.
 */
import { type CreateSessionResponse } from '@fapiao/shared';
import { ApiError, errorFromResponse, userMessage } from './errors';
import { sendRequest } from './http';

export const SESSION_STORAGE_KEY = 'fapiao.session';

export type Session = CreateSessionResponse;

let devBuyer = '';

/**
 * Set once by app.ts from config.ts: in DevTools against the sandbox, the buyer every login is
 * for ('' sends WeChat's code untouched, as trial and release builds always do).
 */
export function configureDevBuyer(buyer: string): void {
  devBuyer = buyer;
}

/** The sandbox buyer logins are for, '' when logins are WeChat's own. */
export function configuredDevBuyer(): string {
  return devBuyer;
}

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return typeof s.token === 'string' && s.token.length > 0 && typeof s.openid === 'string' && typeof s.expiresAt === 'string';
}

/** The stored session, unless it is missing or expired. */
export function currentSession(): Session | undefined {
  let stored: unknown;
  try {
    stored = wx.getStorageSync(SESSION_STORAGE_KEY);
  } catch {
    return undefined;
  }
  if (!isSession(stored)) return undefined;
  // A session of another sandbox buyer (DEV_BUYER was changed) is not this one's.
  if (((stored as { devBuyer?: unknown }).devBuyer ?? '') !== devBuyer) return undefined;
  const expires = Date.parse(stored.expiresAt);
  if (Number.isFinite(expires) && expires <= Date.now()) return undefined;
  return stored;
}

export function clearSession(): void {
  try {
    wx.removeStorageSync(SESSION_STORAGE_KEY);
  } catch {
    // nothing stored
  }
}

function wxLoginCode(): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => {
        if (res.code) resolve(res.code);
        else reject(new ApiError('LOGIN_CODE_INVALID', userMessage('LOGIN_CODE_INVALID'), 0, res.errMsg));
      },
      fail: (err) => reject(new ApiError('NETWORK_ERROR', '微信登录失败，请检查网络后重试', 0, err.errMsg)),
    });
  });
}

async function doLogin(): Promise<Session> {
  const wxCode = await wxLoginCode();
  // The sandbox's jscode2session takes the part before the first "." as the user's name.
  const code = devBuyer ? `${devBuyer}.${wxCode}` : wxCode;
  const res = await sendRequest('POST', '/api/mp/session', { data: { code } });
  if (res.statusCode < 200 || res.statusCode >= 300) throw errorFromResponse(res.statusCode, res.data);
  if (!isSession(res.data)) throw new ApiError('BAD_RESPONSE', userMessage('BAD_RESPONSE'), res.statusCode, 'session body');
  const session: Session = { token: res.data.token, openid: res.data.openid, expiresAt: res.data.expiresAt };
  wx.setStorageSync(SESSION_STORAGE_KEY, devBuyer ? { ...session, devBuyer } : session);
  return session;
}

let inflight: Promise<Session> | undefined;

/** Logs in afresh (one at a time: concurrent callers get the same promise). */
export function login(): Promise<Session> {
  if (!inflight) {
    inflight = doLogin();
    const clear = () => {
      inflight = undefined;
    };
    inflight.then(clear, clear);
  }
  return inflight;
}

/** The stored session, or a new one. */
export async function ensureSession(): Promise<Session> {
  return currentSession() ?? login();
}
