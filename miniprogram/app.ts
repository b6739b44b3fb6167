import { apiBase, authViaWebview, devBuyer } from './config';
import { configureApiBase } from './services/http';
import { refreshPendingInvoice } from './services/pending-invoice';
import { configureDevBuyer, ensureSession } from './services/session';

/** Scene of "returned from another Mini Program" (WeChat's invoice authorization app). */
const SCENE_BACK_FROM_MINIPROGRAM = 1038;

const envVersion = wx.getAccountInfoSync().miniProgram.envVersion;
configureApiBase(apiBase(envVersion));
configureDevBuyer(devBuyer(envVersion));

App<IAppOption>({
  globalData: {
    apiBase: apiBase(envVersion),
    authViaWebview: authViaWebview(envVersion),
  },

  onLaunch() {
    // Log in early; pages call ensureSession() again and share this login if it is still running.
    ensureSession().catch((err: unknown) => console.warn('login on launch failed', err));
  },

  onShow(options) {
    // Back from the invoice authorization Mini Program. referrerInfo carries nothing reliable
    // about the outcome, so the return is only a cue to ask our server.
    if (options && options.scene === SCENE_BACK_FROM_MINIPROGRAM) {
      this.refreshPendingInvoice().catch((err: unknown) => console.warn('refreshing the pending invoice failed', err));
    }
  },

  async refreshPendingInvoice() {
    await refreshPendingInvoice();
  },
});
