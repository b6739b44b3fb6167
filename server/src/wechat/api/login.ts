import { z } from 'zod';
import type { Call } from '../call';
import { ENDPOINTS } from '../endpoints';
import { wechatResult } from './result';

/**
 * GET /sns/jscode2session (code2Session) for the Mini Program login. Errors: 40029 and 40163 throw
 * WeChatLoginError `WECHAT_LOGIN_CODE_INVALID` (call wx.login again), 40226 throws
 * `WECHAT_LOGIN_BLOCKED`, 45011 throws WeChatQuotaError, -1 is retried with back-off.
 */
const code2SessionResponse = wechatResult({
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

/**
 * GET /sns/oauth2/access_token: the code WeChat's web authorization redirect (snsapi_base) brought
 * back, for the buyer's openid under the Official Account (+ unionid when it is bound to an Open
 * Platform account). The access_token in the answer is the web-authorization one, not the API's;
 * nothing here uses it. 40029 (invalid code) and 40163 (code used) are login errors.
 */
const oauthTokenResponse = wechatResult({
  openid: z.string().min(1),
  unionid: z.string().optional(),
  scope: z.string().optional(),
});
export type OAuthTokenResponse = z.infer<typeof oauthTokenResponse>;

export function oauthCodeToOpenid(call: Call, appid: string, secret: string, code: string): Promise<OAuthTokenResponse> {
  return call(ENDPOINTS.oauthAccessToken, { query: { appid, secret, code, grant_type: 'authorization_code' } }, oauthTokenResponse);
}
