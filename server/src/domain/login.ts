import type { SessionRepository } from '../data/session/session.repository';
import type { WeChatClient } from '../wechat';
import { askWeChat } from './wechat-failure';

export interface LoginDeps {
  wechat: Pick<WeChatClient, 'login'>;
  sessions: SessionRepository;
  now(): Date;
  sessionTtlMs: number;
}

/**
 * A buyer opens the Mini Program: its wx.login code becomes an openid (jscode2session) and an
 * opaque session token. WeChat's session_key is not kept: nothing here decrypts user data.
 */
export async function login(deps: LoginDeps, code: string): Promise<{ token: string; openid: string; expiresAt: Date }> {
  const { openid } = await askWeChat(() => deps.wechat.login.code2Session(code));
  const session = await deps.sessions.create(openid, deps.now(), deps.sessionTtlMs);
  return { ...session, openid };
}
