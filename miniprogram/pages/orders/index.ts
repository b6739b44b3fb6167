import { formatYuan, invoiceStatusView, type OrderDto, type TagType } from '@fapiao/shared';
import { listOrders } from '../../services/api';
import { errorText } from '../../services/errors';
import { configuredDevBuyer } from '../../services/session';
import { formatDateTime } from '../../utils/format';

interface OrderRow {
  orderNo: string;
  amountText: string;
  dateText: string;
  statusText: string;
  tagType: TagType;
}

function toRow(order: OrderDto): OrderRow {
  const view = invoiceStatusView(order.invoice.status);
  return { orderNo: order.orderNo, amountText: formatYuan(order.amount), dateText: formatDateTime(order.createdAt), statusText: view.statusText, tagType: view.tagType };
}

Page({
  data: {
    loading: true,
    loadingMore: false,
    error: '',
    orders: [] as OrderRow[],
    nextCursor: '',
    /** DevTools against the sandbox: the demo buyer this is (config.ts DEV_BUYER), '' otherwise. */
    devBuyer: '',
  },

  onLoad() {
    this.setData({ devBuyer: configuredDevBuyer() });
    void this.load();
  },

  onShow() {
    // Coming back from an order: its invoice status may have changed.
    if (!this.data.loading && this.data.orders.length > 0) void this.load();
  },

  onPullDownRefresh() {
    void this.load().then(() => wx.stopPullDownRefresh());
  },

  onReachBottom() {
    void this.loadMore();
  },

  async load() {
    this.setData({ loading: this.data.orders.length === 0, error: '' });
    try {
      const page = await listOrders();
      this.setData({ orders: page.orders.map(toRow), nextCursor: page.nextCursor ?? '', loading: false });
    } catch (err) {
      this.setData({ error: errorText(err), loading: false });
    }
  },

  async loadMore() {
    if (!this.data.nextCursor || this.data.loadingMore) return;
    this.setData({ loadingMore: true });
    try {
      const page = await listOrders(this.data.nextCursor);
      this.setData({ orders: this.data.orders.concat(page.orders.map(toRow)), nextCursor: page.nextCursor ?? '', loadingMore: false });
    } catch (err) {
      this.setData({ loadingMore: false });
      void wx.showToast({ title: errorText(err), icon: 'none' });
    }
  },

  onRetry() {
    void this.load();
  },

  onOpen(event: WechatMiniprogram.BaseEvent<Record<string, never>, { orderNo: string }>) {
    const orderNo = event.currentTarget.dataset.orderNo;
    void wx.navigateTo({ url: `/pages/order/index?orderNo=${encodeURIComponent(orderNo)}` });
  },
});
