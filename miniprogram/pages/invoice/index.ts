import { formatYuan, invoiceStatusView } from '@fapiao/shared';
import { getInvoiceStatus, getOrder } from '../../services/api';
import { errorText } from '../../services/errors';
import { formatKprq } from '../../utils/format';

interface InvoiceView {
  fpdm: string;
  fphm: string;
  jym: string;
  kprqText: string;
  amountText: string;
  statusText: string;
  pdfUrl: string;
}

const orderNos = new WeakMap<object, string>();

function downloadPdf(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url,
      success: (res) => (res.statusCode === 200 ? resolve(res.tempFilePath) : reject(new Error(`HTTP ${res.statusCode}`))),
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}

function openPdf(filePath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    wx.openDocument({ filePath, fileType: 'pdf', showMenu: true, success: () => resolve(), fail: (err) => reject(new Error(err.errMsg)) });
  });
}

Page({
  data: {
    loading: true,
    error: '',
    invoice: null as InvoiceView | null,
    opening: false,
    pdfError: '',
  },

  onLoad(query: Record<string, string | undefined>) {
    orderNos.set(this, query.orderNo ? decodeURIComponent(query.orderNo) : '');
    void this.load();
  },

  onPullDownRefresh() {
    void this.load().then(() => wx.stopPullDownRefresh());
  },

  async load() {
    const orderNo = orderNos.get(this) ?? '';
    this.setData({ loading: this.data.invoice === null, error: '' });
    try {
      const [order, status] = await Promise.all([getOrder(orderNo), getInvoiceStatus(orderNo)]);
      if (!status || !status.fphm) {
        this.setData({ loading: false, invoice: null, error: status ? `发票${invoiceStatusView(status.status).statusText}，暂无发票信息` : '该订单尚未申请开票' });
        return;
      }
      this.setData({
        loading: false,
        invoice: {
          fpdm: status.fpdm ?? '',
          fphm: status.fphm,
          jym: status.jym ?? '',
          kprqText: status.kprq ? formatKprq(status.kprq) : '',
          amountText: formatYuan(order.amount),
          statusText: invoiceStatusView(status.status).statusText,
          pdfUrl: status.pdfUrl ?? '',
        },
      });
    } catch (err) {
      this.setData({ loading: false, error: errorText(err) });
    }
  },

  async onOpenPdf() {
    const url = this.data.invoice?.pdfUrl;
    if (!url || this.data.opening) return;
    this.setData({ opening: true, pdfError: '' });
    try {
      await openPdf(await downloadPdf(url));
      this.setData({ opening: false });
    } catch (err) {
      this.setData({ opening: false, pdfError: `发票 PDF 打开失败（${err instanceof Error ? err.message : String(err)}），请稍后重试，或在微信卡包中查看。` });
    }
  },

  onRetry() {
    void this.load();
  },
});
