/**
 * Every WeChat endpoint the client calls: path, method, how it authenticates, and what the retry
 * policy must know about it. Paths are WeChat's own (queryinvoceinfo really is spelled so).
 */
export interface Endpoint {
  /** For errors and logs: the path without the leading slash, plus setbizattr's action. */
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Query parameters fixed by the endpoint (setbizattr's `action`). */
  readonly query?: Readonly<Record<string, string>>;
  /**
   * `access_token`: `?access_token=` from the shared credentials (token errors refresh it);
   * `appsecret`: appid + secret in the query or body (token and jscode2session).
   */
  readonly auth: 'access_token' | 'appsecret';
  /**
   * makeoutinvoice / clearoutinvoice: an exchange that failed or ended in -1/72036/731xx may or
   * may not have issued or offset an invoice, so it is never resent blindly.
   */
  readonly issuesInvoice?: true;
  /** jscode2session: 40029/40163/40226 are login errors here. */
  readonly login?: true;
}

const setbizattr = (action: string): Endpoint => ({
  name: `card/invoice/setbizattr?action=${action}`,
  method: 'POST',
  path: '/card/invoice/setbizattr',
  query: { action },
  auth: 'access_token',
});

export const ENDPOINTS = {
  token: { name: 'cgi-bin/token', method: 'GET', path: '/cgi-bin/token', auth: 'appsecret' },
  stableToken: { name: 'cgi-bin/stable_token', method: 'POST', path: '/cgi-bin/stable_token', auth: 'appsecret' },
  getTicket: { name: 'cgi-bin/ticket/getticket', method: 'GET', path: '/cgi-bin/ticket/getticket', auth: 'access_token' },
  jscode2session: { name: 'sns/jscode2session', method: 'GET', path: '/sns/jscode2session', auth: 'appsecret', login: true },
  // Official Account web authorization (网页授权): the code from the snsapi_base redirect.
  oauthAccessToken: { name: 'sns/oauth2/access_token', method: 'GET', path: '/sns/oauth2/access_token', auth: 'appsecret', login: true },
  setUrl: { name: 'card/invoice/seturl', method: 'POST', path: '/card/invoice/seturl', auth: 'access_token' },
  getAuthUrl: { name: 'card/invoice/getauthurl', method: 'POST', path: '/card/invoice/getauthurl', auth: 'access_token' },
  getAuthData: { name: 'card/invoice/getauthdata', method: 'POST', path: '/card/invoice/getauthdata', auth: 'access_token' },
  rejectInsert: { name: 'card/invoice/rejectinsert', method: 'POST', path: '/card/invoice/rejectinsert', auth: 'access_token' },
  setAuthField: setbizattr('set_auth_field'),
  getAuthField: setbizattr('get_auth_field'),
  setPayMch: setbizattr('set_pay_mch'),
  getPayMch: setbizattr('get_pay_mch'),
  setContact: setbizattr('set_contact'),
  getContact: setbizattr('get_contact'),
  makeOutInvoice: {
    name: 'card/invoice/makeoutinvoice',
    method: 'POST',
    path: '/card/invoice/makeoutinvoice',
    auth: 'access_token',
    issuesInvoice: true,
  },
  clearOutInvoice: {
    name: 'card/invoice/clearoutinvoice',
    method: 'POST',
    path: '/card/invoice/clearoutinvoice',
    auth: 'access_token',
    issuesInvoice: true,
  },
  queryInvoiceInfo: { name: 'card/invoice/queryinvoceinfo', method: 'POST', path: '/card/invoice/queryinvoceinfo', auth: 'access_token' },
} as const satisfies Record<string, Endpoint>;
