/**
 * Opening WeChat's invoice authorization page for an ApplyInvoiceResponse: in real WeChat with
 * wx.navigateToMiniProgram({appId, path}) exactly as the server returned them; in DevTools
 * against the sandbox, the sandbox's page in our <web-view> page instead (config.ts decides; only
 * a sandbox server sends `webviewUrl`).
 */
import { type ApplyInvoiceResponse } from '@fapiao/shared';

export type AuthorizationOutcome = { kind: 'navigated' } | { kind: 'webview' } | { kind: 'cancelled'; message: string } | { kind: 'failed'; message: string };

const WEBVIEW_PAGE = '/pages/webview/index';

function explainFailure(errMsg: string): AuthorizationOutcome {
  if (/cancel/i.test(errMsg)) {
    return { kind: 'cancelled', message: '您取消了跳转，发票授权尚未完成。开票申请已保留，点击“继续授权”即可完成。' };
  }
  return { kind: 'failed', message: `无法打开微信发票授权页（${errMsg}），请稍后点击“继续授权”重试。` };
}

/** Must run inside a tap handler (WeChat requires a user gesture for navigateToMiniProgram). */
export function openAuthorization(link: ApplyInvoiceResponse, viaWebview: boolean): Promise<AuthorizationOutcome> {
  return new Promise((resolve) => {
    if (viaWebview && link.webviewUrl) {
      // redirectTo: the web-view page takes the request page's place, so going back from it lands
      // on the order page, which asks the server (as after navigateToMiniProgram's navigateBack).
      wx.redirectTo({
        url: `${WEBVIEW_PAGE}?url=${encodeURIComponent(link.webviewUrl)}`,
        success: () => resolve({ kind: 'webview' }),
        fail: (err) => resolve(explainFailure(err.errMsg)),
      });
      return;
    }
    wx.navigateToMiniProgram({
      appId: link.appid,
      path: link.authUrl,
      success: () => resolve({ kind: 'navigated' }),
      fail: (err) => resolve(explainFailure(err.errMsg)),
    });
  });
}
