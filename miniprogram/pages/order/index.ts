import { formatYuan, invoiceStatusView, isInProgress, PROGRESS_STEPS, type InvoiceState, type InvoiceStatusResponse, type OrderDto, type TagType } from '@fapiao/shared';
import { STATUS_POLL_DELAYS_MS } from '../../config';
import { getInvoiceStatus, getOrder } from '../../services/api';
import { errorText } from '../../services/errors';
import { onInvoiceStatus, pendingInvoice, refreshPendingInvoice } from '../../services/pending-invoice';
import { formatDateTime, formatQuantity } from '../../utils/format';

interface LineRow {
  name: string;
  quantityText: string;
  unitPriceText: string;
  totalText: string;
}

interface OrderView {
  orderNo: string;
  amountText: string;
  dateText: string;
  lines: LineRow[];
}

function orderView(order: OrderDto): OrderView {
  return {
    orderNo: order.orderNo,
    amountText: formatYuan(order.amount),
    dateText: formatDateTime(order.createdAt),
    lines: order.items.map((item) => ({
      name: item.name,
      quantityText: formatQuantity(item.quantity),
      unitPriceText: formatYuan(item.unitPrice),
      // The server's line amount (integer fen, as invoiced): a float product here can differ by a fen.
      totalText: formatYuan(item.amount),
    })),
  };
}

/** Non-data state of one page instance (timers and subscriptions must not live in `data`). */
interface PageState {
  orderNo: string;
  pollTimer?: ReturnType<typeof setTimeout> | undefined;
  pollIndex: number;
  unsubscribe?: (() => void) | undefined;
  visible: boolean;
}

const states = new WeakMap<object, PageState>();

Page({
  data: {
    loading: true,
    error: '',
    order: null as OrderView | null,
    status: null as InvoiceState | null,
    statusText: '',
    tagType: 'default' as TagType,
    hint: '',
    rejectReason: '',
    steps: PROGRESS_STEPS.slice(),
    activeStep: -1,
    stepStopped: false,
    canApply: false,
    canReapply: false,
    canView: false,
    fphm: '',
  },

  state(): PageState {
    let state = states.get(this);
    if (!state) {
      state = { orderNo: '', pollIndex: 0, visible: true };
      states.set(this, state);
    }
    return state;
  },

  onLoad(query: Record<string, string | undefined>) {
    const state = this.state();
    state.orderNo = query.orderNo ? decodeURIComponent(query.orderNo) : '';
    // The app refreshes the pending invoice when the buyer returns from WeChat's authorization page.
    state.unsubscribe = onInvoiceStatus((orderNo, status) => {
      if (orderNo === this.state().orderNo) this.showStatus(status);
    });
    void this.load();
  },

  onShow() {
    const state = this.state();
    // Back from the request, web-view or invoice page: the status may have moved on.
    if (!state.visible && this.data.order) {
      // Back from the sandbox's web-view authorization page: ask WeChat now, like App.onShow does.
      if (pendingInvoice() === state.orderNo) refreshPendingInvoice().catch((err: unknown) => this.setData({ error: errorText(err) }));
      else void this.loadStatus();
    }
    state.visible = true;
  },

  onHide() {
    this.state().visible = false;
    this.stopPolling();
  },

  onUnload() {
    const state = this.state();
    this.stopPolling();
    state.unsubscribe?.();
    state.unsubscribe = undefined;
  },

  onPullDownRefresh() {
    void this.load().then(() => wx.stopPullDownRefresh());
  },

  async load() {
    const { orderNo } = this.state();
    this.setData({ loading: this.data.order === null, error: '' });
    try {
      const order = await getOrder(orderNo);
      const status = order.invoice.status === null ? null : await getInvoiceStatus(orderNo);
      this.setData({ order: orderView(order), loading: false });
      this.showStatus(status, order.invoice.rejectReason);
    } catch (err) {
      this.setData({ error: errorText(err), loading: false });
    }
  },

  async loadStatus() {
    try {
      this.showStatus(await getInvoiceStatus(this.state().orderNo));
    } catch (err) {
      this.setData({ error: errorText(err) });
    }
  },

  showStatus(invoice: InvoiceStatusResponse | null, fallbackReason = '') {
    const status = invoice ? invoice.status : null;
    const view = invoiceStatusView(status);
    this.setData({
      error: '',
      status,
      statusText: view.statusText,
      tagType: view.tagType,
      hint: view.hint,
      activeStep: view.activeStep,
      stepStopped: view.stepStopped,
      rejectReason: status === 'REJECTED' ? (invoice?.rejectReason ?? fallbackReason) : '',
      canApply: view.canApply,
      canReapply: view.canReapply,
      canView: view.canView,
      fphm: invoice?.fphm ?? '',
    });
    if (isInProgress(status)) this.schedulePoll();
    else this.stopPolling();
  },

  schedulePoll() {
    const state = this.state();
    if (state.pollTimer !== undefined || !state.visible) return;
    const delay = STATUS_POLL_DELAYS_MS[Math.min(state.pollIndex, STATUS_POLL_DELAYS_MS.length - 1)] ?? 5_000;
    state.pollIndex += 1;
    state.pollTimer = setTimeout(() => {
      state.pollTimer = undefined;
      void this.loadStatus();
    }, delay);
  },

  stopPolling() {
    const state = this.state();
    if (state.pollTimer !== undefined) clearTimeout(state.pollTimer);
    state.pollTimer = undefined;
    state.pollIndex = 0;
  },

  onApply() {
    void wx.navigateTo({ url: `/pages/request/index?orderNo=${encodeURIComponent(this.state().orderNo)}` });
  },

  onViewInvoice() {
    void wx.navigateTo({ url: `/pages/invoice/index?orderNo=${encodeURIComponent(this.state().orderNo)}` });
  },

  onRetry() {
    void this.load();
  },
});
