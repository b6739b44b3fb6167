import { ERRCODES, errcodeInfo, TOKEN_ERRCODES, type ErrcodeClass } from './errcodes';

/**
 * Every code in WeChat's documented tables (e-invoice "99. Error Codes", getauthdata's and getauthurl's /
 * seturl's tables), each with the start of the documents' own error message. The table must explain
 * each with that message.
 */
const DOCUMENTED_CODES: [number, string][] = [
  [40001, 'invalid credential'],
  [40078, 'invalid card status'],
  [72015, 'unauthorized create invoice'],
  [72023, 'invoice has been lock'],
  [72024, 'invoice status error'],
  [72025, 'invoice token error'],
  [72028, 'invoice never set pay mch info'],
  [72030, 'invalid mchid'],
  [72031, 'invalid params'],
  [72035, 'biz reject insert'],
  [72036, 'invoice is busy'],
  [72038, 'invoice order never auth'],
  [72039, 'invoice must be lock first'],
  [72040, 'invoice pdf error'],
  [72042, 'billing_code and billing_no repeated'],
  [72043, 'billing_code or billing_no size error'],
  [72044, 'scan text out of time'],
  [72063, 'biz contact is empty'],
  [73000, 'sys error make out invoice failed'],
  [73001, 'wxopenid error'],
  [73002, 'ddh orderid empty'],
  [73003, 'fpqqlsh empty'],
  [73004, 'kplx empty'],
  [73007, 'nsrmc empty'],
  [73008, 'nsrdz empty'],
  [73009, 'nsrdh empty'],
  [73010, 'ghfmc empty'],
  [73011, 'kpr empty'],
  [73012, 'jshj empty'],
  [73013, 'hjje empty'],
  [73014, 'hjse empty'],
  [73015, 'hylx empty'],
  [73016, 'nsrsbh empty'],
  [73100, 'ka plat error'],
  [73101, 'nsrsbh not cmp'],
  [73102, 'sys error'],
  [73105, 'Kp plat make invoice timeout'],
  [73106, 'Fpqqlsh exist with different ddh'],
  [73107, 'Fpqqlsh is processing'],
  [73108, 'This ddh with other fpqqlsh already exist'],
  [73110, 'fpqqlsh first 6 byte not cmp'],
];

/** The codes WeChat's access_token and jscode2session pages define, with theirs. */
const API_PAGE_CODES: [number, string][] = [
  [-1, 'system error'],
  [40002, 'invalid grant_type'],
  [40013, 'invalid appid'],
  [40014, 'invalid access_token'],
  [40029, 'invalid code'],
  [40125, 'invalid appsecret'],
  [40163, 'code been used'],
  [40164, 'caller IP not in the whitelist'],
  [40226, 'code blocked'],
  [40243, 'AppSecret frozen'],
  [41004, 'appsecret missing'],
  [42001, 'access_token expired'],
  [45009, 'reach max api daily quota limit'],
  [45011, 'api minute-quota reach limit'],
];

describe('errcode table', () => {
  it.each([...DOCUMENTED_CODES, ...API_PAGE_CODES])('%i is explained with the documents message "%s"', (code, message) => {
    expect(errcodeInfo(code).meaning.startsWith(message)).toBe(true);
  });

  it('classes: only the documented codes are retried, refreshed, quota or login', () => {
    const byClass = (wanted: ErrcodeClass) =>
      Object.keys(ERRCODES)
        .map(Number)
        .filter((code) => errcodeInfo(code).class === wanted)
        .sort((a, b) => a - b);
    expect(byClass('token')).toEqual([40001, 40014, 42001]);
    expect(byClass('transient')).toEqual([-1, 72036]);
    expect(byClass('quota')).toEqual([45009, 45011]);
    expect(byClass('login')).toEqual([40029, 40163, 40226]);
    expect(byClass('unknown')).toEqual([73100, 73102, 73105, 73107]);
    expect(TOKEN_ERRCODES).toEqual(byClass('token'));
  });

  it('a code the documents do not know is permanent', () => {
    expect(errcodeInfo(99999)).toEqual({ class: 'permanent', meaning: expect.stringContaining('not in the WeChat documents') });
  });
});
