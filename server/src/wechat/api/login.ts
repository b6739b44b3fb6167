import { z } from 'zod';
import type { Call } from '../call';
import { ENDPOINTS } from '../endpoints';
import { wechatResult } from './result';

/**
 * GET /sns/jscode2session (code2Session) for the Mini Program login. Errors: 40029 and 40163 throw
 * WeChatLoginError `WECHAT_LOGIN_CODE_INVALID` (call wx.login again), 40226 throws
 * `WECHAT_LOGIN_BLOCKED`, 45011 throws WeChatQuotaError, -1 is retried with back-off.
 */
export const code2SessionResponse = wechatResult({
  openid: z.string().min(1),
  /** A secret: it never leaves the server. */
  session_key: z.string().min(1),
  /** Only when the Mini Program is bound to an Open Platform account. */
  unionid: z.string().optional(),
});
export type Code2SessionResponse = z.infer<typeof code2SessionResponse>;

export function code2Session(call: Call, appid: string, secret: string, jsCode: string): Promise<Code2SessionResponse> {
  return call(
    ENDPOINTS.jscode2session,
    { query: { appid, secret, js_code: jsCode, grant_type: 'authorization_code' } },
    code2SessionResponse,
  );
}
