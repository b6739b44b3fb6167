/**
 * Every WeChat `errcode` the client acts on or explains, with the meaning from WeChat's public
 * documents (the e-invoice guide's error-code table, the getauthurl / getauthdata / seturl pages,
 * the access_token and jscode2session pages) or, where they are silent, from what merchants report
 * in WeChat's developer community. docs/wechat-behaviour.md lists each guess and what Fapiao does
 * under the alternatives. The class decides what the client does; see `decide()`.
 *
 * Classes:
 * - `token`: the access_token was refused. On a call that sent one: compare-and-expire it,
 *   fetch a fresh one, retry once. On a call authenticated by appid+secret it is a config error.
 * - `transient`: WeChat asks to try again shortly: bounded retries with back-off.
 * - `quota`: a call limit was hit: never hot-retried; surfaced with a hint for the scheduler.
 * - `login`: jscode2session refused the code: the Mini Program must act (new code, or blocked user).
 * - `unknown`: the invoicing platform may or may not have acted (issue/offset): query by fpqqlsh,
 *   then resend with the same fpqqlsh.
 * - `permanent`: a business, parameter or configuration error: retrying cannot help.
 */
export type ErrcodeClass = 'token' | 'transient' | 'quota' | 'login' | 'unknown' | 'permanent';

export interface ErrcodeInfo {
  readonly meaning: string;
  readonly class: ErrcodeClass;
}

export const ERRCODES = {
  // ── General and credential codes (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html) ──
  /** System busy: "系统繁忙，此时请开发者稍候再试". */
  [-1]: { class: 'transient', meaning: 'system error: WeChat is busy, try again later' },
  /** Not documented; merchants report makeoutinvoice answering it with an empty errmsg (docs/wechat-behaviour.md). */
  1: {
    class: 'permanent',
    meaning:
      'undocumented failure (seen on makeoutinvoice when no invoicing-platform package is selected, or invoicedetail_list is not an array)',
  },
  40001: {
    class: 'token',
    meaning: 'invalid credential, access_token is invalid or not latest (on a token fetch: the AppSecret is wrong)',
  },
  40002: { class: 'permanent', meaning: 'invalid grant_type' },
  40013: { class: 'permanent', meaning: 'invalid appid' },
  40014: { class: 'token', meaning: 'invalid access_token' },
  40029: { class: 'login', meaning: 'invalid code: the wx.login code is wrong or expired; ask the Mini Program for a new one' },
  /** getauthdata's table and the e-invoice error-code table. */
  40078: {
    class: 'permanent',
    meaning:
      'invalid card status: no authorization granted for the card_id (test list, Cards & Offers permission, or card insert too soon after creation)',
  },
  40125: { class: 'permanent', meaning: 'invalid appsecret' },
  /** Reported around getauthdata in WeChat's developer community. */
  40150: { class: 'permanent', meaning: 'invalid card parameters' },
  /** Not in the official table but observed; handled like 40029. */
  40163: { class: 'login', meaning: 'code been used: the wx.login code is single-use; ask the Mini Program for a new one' },
  40164: { class: 'permanent', meaning: 'caller IP not in the whitelist' },
  40226: { class: 'login', meaning: 'code blocked: high-risk user, login intercepted' },
  40243: { class: 'permanent', meaning: 'AppSecret frozen' },
  41004: { class: 'permanent', meaning: 'appsecret missing' },
  42001: { class: 'token', meaning: 'access_token expired' },
  45009: { class: 'quota', meaning: 'reach max api daily quota limit (also: more than 20 stable_token force refreshes a day)' },
  45011: { class: 'quota', meaning: 'api minute-quota reach limit, slower retry next minute' },
  /** Needs WeChat verification plus the invoice permission for this appid (docs/wechat-behaviour.md). */
  48001: { class: 'permanent', meaning: 'api unauthorized: this appid lacks the permission for this API' },

  // ── E-invoice codes (the e-invoice guide's error-code table and getauthdata's; community reports where marked) ──
  72015: {
    class: 'permanent',
    meaning: 'unauthorized create invoice: no invoicing platform permissions; check the necessary permissions are activated',
  },
  /** Community reports. */
  72017: { class: 'permanent', meaning: 'invalid invoice title (发票抬头不一致)' },
  72023: { class: 'permanent', meaning: 'invoice has been lock: locked by another account, already in a reimbursement process' },
  72024: { class: 'permanent', meaning: 'invoice status error: incorrect invoice status' },
  72025: { class: 'permanent', meaning: 'invoice token error: invalid wx_invoice_token' },
  72028: { class: 'permanent', meaning: 'invoice never set pay mch info: WeChat Pay merchant information is not set' },
  /** Community reports: type=1 needs set_auth_field first. */
  72029: { class: 'permanent', meaning: 'invoice never set auth field: call setbizattr set_auth_field first' },
  72030: { class: 'permanent', meaning: 'invalid mchid' },
  72031: {
    class: 'permanent',
    meaning: 'invalid params: an invalid parameter name, or a value that fails the backend verification',
  },
  72035: {
    class: 'permanent',
    meaning: 'biz reject insert: invoicing was rejected for this order_id (rejectinsert), it cannot be used again',
  },
  72036: { class: 'transient', meaning: 'invoice is busy: the invoice is being modified, try again later' },
  /** Community reports. */
  72037: { class: 'permanent', meaning: 'invoice owner error: the invoice does not belong to this user' },
  72038: {
    class: 'permanent',
    meaning:
      'invoice order never auth: no authorization for the order; invoicing platform appid, merchant appid and order_id may not match',
  },
  72039: { class: 'permanent', meaning: 'invoice must be lock first: lock the order before writing it off' },
  72040: { class: 'permanent', meaning: 'invoice pdf error: provide an authentic and valid PDF' },
  72042: {
    class: 'permanent',
    meaning: 'billing_code and billing_no repeated: this invoice has already been collected by another user',
  },
  72043: { class: 'permanent', meaning: 'billing_code or billing_no size error: incorrect invoice ID and code' },
  72044: { class: 'permanent', meaning: 'scan text out of time: the invoice title QR code timed out' },
  /** Community reports (insert after 冲红). */
  72056: { class: 'permanent', meaning: 'order_id repeated' },
  72063: { class: 'permanent', meaning: 'biz contact is empty: set the merchant contact (setbizattr set_contact) first' },
  73000: { class: 'permanent', meaning: 'sys error make out invoice failed: invoicing platform logic error' },
  73001: { class: 'permanent', meaning: 'wxopenid error: incorrect OpenId' },
  73002: { class: 'permanent', meaning: 'ddh orderid empty: order no. is empty' },
  73003: { class: 'permanent', meaning: 'fpqqlsh empty: invoice serial no. is empty' },
  /** The table's description repeats 73003's; kplx is the invoice type (0 blue, 1 red). */
  73004: { class: 'permanent', meaning: 'kplx empty: invoice type is empty' },
  73007: { class: 'permanent', meaning: "nsrmc empty: taxpayer's name is empty" },
  73008: { class: 'permanent', meaning: "nsrdz empty: taxpayer's address is empty" },
  73009: { class: 'permanent', meaning: "nsrdh empty: taxpayer's phone number is empty" },
  73010: { class: 'permanent', meaning: "ghfmc empty: buyer's name is empty" },
  73011: { class: 'permanent', meaning: 'kpr empty: invoice issuer is empty' },
  73012: { class: 'permanent', meaning: 'jshj empty: the price including tax is empty' },
  73013: { class: 'permanent', meaning: 'hjje empty: total amount is empty' },
  73014: { class: 'permanent', meaning: 'hjse empty: total tax amount is empty' },
  73015: { class: 'permanent', meaning: 'hylx empty: industry type is empty' },
  73016: { class: 'permanent', meaning: 'nsrsbh empty: taxpayer ID is empty' },
  /** 73100/73105/73107 mean pending or unknown (community reports; docs/wechat-behaviour.md). */
  73100: { class: 'unknown', meaning: 'ka plat error: invoicing platform error' },
  73101: {
    class: 'permanent',
    meaning: 'nsrsbh not cmp: the taxpayer ID does not match the one entered when creating the ticket',
  },
  /**
   * The table's "WeChat Invoicing platform system error". Classed `unknown`, not `permanent`: the
   * request reached the platform, so whether it acted is not known, and a caller that took it as
   * "failed" might re-issue under a new fpqqlsh (a duplicate invoice). Querying first is always safe.
   */
  73102: { class: 'unknown', meaning: 'sys error: WeChat invoicing platform system error' },
  73105: {
    class: 'unknown',
    meaning: 'Kp plat make invoice timeout: invoicing in progress; invoice again using the same fpqqlsh',
  },
  73106: { class: 'permanent', meaning: 'Fpqqlsh exist with different ddh: this fpqqlsh is already used by another order no.' },
  73107: {
    class: 'unknown',
    meaning: 'Fpqqlsh is processing: this fpqqlsh is being processed; use the query API to obtain the result',
  },
  73108: { class: 'permanent', meaning: 'This ddh with other fpqqlsh already exist: the order was processed under another fpqqlsh' },
  73110: { class: 'permanent', meaning: 'fpqqlsh first 6 byte not cmp: the first 6 characters of fpqqlsh are incorrect' },
} as const satisfies Record<number, ErrcodeInfo>;

/** Codes with which WeChat refuses the access_token (WxJava's ACCESS_TOKEN_ERROR_CODES). */
export const TOKEN_ERRCODES: readonly number[] = [40001, 40014, 42001];

/**
 * Codes with which getauthurl may refuse a stale `wx_card` ticket. WeChat documents none (getauthurl's
 * own table lists only 40001), so every code that can mean "a parameter is no good" counts: 40097
 * (invalid args) and 72031 (invalid params). The client compare-and-expires the ticket, fetches a
 * new one and sends once more; a second refusal reaches the caller (docs/wechat-behaviour.md).
 */
export const DEFAULT_TICKET_REJECTED_ERRCODES: readonly number[] = [40097, 72031];

/**
 * The codes the domain decides on, named once. Outcome queries (queryinvoceinfo) are where WeChat's
 * documents are silent: docs/wechat-behaviour.md says what each guess is and what happens otherwise.
 */
export const WECHAT_ERR = {
  /** queryinvoceinfo / makeoutinvoice: the fpqqlsh is still being processed. */
  FPQQLSH_PROCESSING: 73107,
  /** queryinvoceinfo: the invoicing platform failed this invoice. */
  PLATFORM_FAILED: 73000,
  /** getauthdata / makeoutinvoice: the order was never authorized (or appid/s_pappid/order_id do not match). */
  ORDER_NEVER_AUTH: 72038,
  /** rejectinsert / makeoutinvoice: the order was rejected (rejectinsert) and is dead. */
  ORDER_REJECTED: 72035,
  /** Invalid parameters (the sandbox's answer for an fpqqlsh WeChat never saw). */
  INVALID_PARAMS: 72031,
} as const;

/** What the table says about a code; codes missing from it are permanent. */
export function errcodeInfo(errcode: number): ErrcodeInfo {
  const known: ErrcodeInfo | undefined = (ERRCODES as Record<number, ErrcodeInfo>)[errcode];
  return known ?? { class: 'permanent', meaning: 'errcode not in the WeChat documents this client was built from' };
}
