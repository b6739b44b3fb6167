// The buyer's pages (orders, request, invoice) arrive with the Mini Program issue; this one
// shows which server the app talks to, so a DevTools session can be checked end to end.
Page({
  data: { apiBase: '' },
  onLoad() {
    this.setData({ apiBase: getApp<IAppOption>().globalData.apiBase });
  },
});
