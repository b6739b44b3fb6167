import type { SessionRepository } from '../data/session/session.repository';
import type { WeChatAccount } from '../wechat/accounts';
import type { BuyerIdentity } from './buyer';
import { askWeChat } from './wechat-failure';

/** The buyers' sessions: what a bearer token or cookie is checked against. */
export type BuyerSessions = LoginDeps['sessions'];

/**
 * The buyer behind a session token, or null when it is unknown or expired. A session written
 * before accounts were recorded is the default account's.
 */
export function buyerOfSession(deps: { sessions: BuyerSessions; now(): Date }, token: string, defaultAccount: string): Promise<BuyerIdentity | null> {
  return deps.sessions.buyerFor(token, deps.now(), defaultAccount);
}

export interface LoginDeps {
  /** The Mini Program account whose wx.login codes the Mini Program sends. */
  account: Pick<WeChatAccount, 'name' | 'client'>;
  sessions: SessionRepository;
  now(): Date;
  sessionTtlMs: number;
}

/**
 * A buyer opens the Mini Program: its wx.login code becomes an openid (jscode2session) and an
 * opaque session token. WeChat's session_key is not kept: nothing here decrypts user data.
 */
export async function login(deps: LoginDeps, code: string): Promise<{ token: string; openid: string; expiresAt: Date }> {
  const { openid, unionid } = await askWeChat(() => deps.account.client.login.code2Session(code));
  const session = await deps.sessions.create({ account: deps.account.name, openid, ...(unionid ? { unionid } : {}) }, deps.now(), deps.sessionTtlMs);
  return { ...session, openid };
}

/**
 * A buyer opens the merchant's H5 page in an Official Account: WeChat's web authorization
 * (snsapi_base) redirected back with a code, which becomes the buyer's openid under that account
 * (/sns/oauth2/access_token) and a session like the Mini Program's.
 */
export async function loginWithOAuthCode(
  deps: LoginDeps,
  code: string,
): Promise<{ token: string; openid: string; unionid?: string; expiresAt: Date }> {
  const { openid, unionid } = await askWeChat(() => deps.account.client.login.oauthCode(code));
  const buyer = { account: deps.account.name, openid, ...(unionid ? { unionid } : {}) };
  const session = await deps.sessions.create(buyer, deps.now(), deps.sessionTtlMs);
  return { ...session, ...buyer };
}
