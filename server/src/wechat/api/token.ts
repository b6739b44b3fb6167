import { z } from 'zod';
import { ENDPOINTS } from '../endpoints';
import type { Call } from '../call';
import { wechatResult } from './result';

/**
 * The credential endpoints: GET /cgi-bin/token, POST /cgi-bin/stable_token and
 * GET /cgi-bin/ticket/getticket?type=wx_card. Only the credentials manager calls these: fetching
 * /cgi-bin/token behind its back would invalidate the token every process shares.
 */

const accessTokenResponse = wechatResult({
  /** At least 512 characters must be storable. */
  access_token: z.string().min(1),
  /** Seconds; at most 7200 (stable_token: never below 300). */
  expires_in: z.number().positive(),
});
export type AccessTokenResponse = z.infer<typeof accessTokenResponse>;

interface StableTokenRequest {
  grant_type: 'client_credential';
  appid: string;
  secret: string;
  /** true invalidates the current token: at most 20 a day, 30 s apart. */
  force_refresh: boolean;
}

const ticketResponse = wechatResult({
  /** The authorization page ticket (getauthurl's `ticket`). */
  ticket: z.string().min(1),
  /** Seconds, generally 7200. */
  expires_in: z.number().positive(),
});
export type TicketResponse = z.infer<typeof ticketResponse>;

/** GET /cgi-bin/token: fetching again invalidates the previous token (after ~5 minutes). */
export function getAccessToken(call: Call, appid: string, secret: string): Promise<AccessTokenResponse> {
  return call(ENDPOINTS.token, { query: { grant_type: 'client_credential', appid, secret } }, accessTokenResponse);
}

/** POST /cgi-bin/stable_token: within its validity every call returns the same token. */
export function getStableAccessToken(call: Call, appid: string, secret: string, forceRefresh = false): Promise<AccessTokenResponse> {
  const body: StableTokenRequest = { grant_type: 'client_credential', appid, secret, force_refresh: forceRefresh };
  return call(ENDPOINTS.stableToken, { body }, accessTokenResponse);
}

/** GET /cgi-bin/ticket/getticket?type=wx_card with the current access_token. */
export function getWxCardTicket(call: Call): Promise<TicketResponse> {
  return call(ENDPOINTS.getTicket, { query: { type: 'wx_card' } }, ticketResponse);
}
