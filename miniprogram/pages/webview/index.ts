/**
 * Sandbox mode only (config.ts AUTH_VIA_WEBVIEW_BY_ENV): shows the sandbox's authorization page,
 * which stands in for WeChat's invoice authorization Mini Program in DevTools. It replaced the
 * request page (services/authorize.ts), so going back lands on the order page, whose onShow asks
 * the server for the new status.
 */
Page({
  data: { url: '' },

  onLoad(query: Record<string, string | undefined>) {
    this.setData({ url: query.url ? decodeURIComponent(query.url) : '' });
  },
});
