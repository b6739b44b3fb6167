import { formatYuan, type ApplyInvoiceRequest, type ApplyInvoiceResponse, type InvoiceTitleKind } from '@fapiao/shared';
import { applyInvoice, getOrder } from '../../services/api';
import { openAuthorization } from '../../services/authorize';
import { errorText } from '../../services/errors';
import { rememberPendingInvoice } from '../../services/pending-invoice';
import { buildTitle, EMPTY_FORM, type FieldName, type TitleForm } from '../../utils/title';

/** "1": WeChat's authorization page collects the title (default); "0": the buyer enters it here. */
type RequestType = '1' | '0';

interface RequestState {
  orderNo: string;
  /** The authorization link of the request already created, to continue after a cancel. */
  link?: ApplyInvoiceResponse;
}

const states = new WeakMap<object, RequestState>();

Page({
  data: {
    orderNo: '',
    amountText: '',
    loading: true,
    error: '',
    type: '1' as RequestType,
    kind: 'personal' as InvoiceTitleKind,
    form: { ...EMPTY_FORM } as TitleForm,
    errors: { name: '', taxNumber: '' },
    canChooseTitle: false,
    submitting: false,
    /** Why the authorization did not open (cancel or failure), shown above the buttons. */
    notice: '',
    /** A request exists: offer to open its authorization page again. */
    canContinue: false,
    /** The merchant emails a copy of the invoice (the server has SMTP): only then does the email hint promise one. */
    emailCopy: false,
  },

  state(): RequestState {
    let state = states.get(this);
    if (!state) {
      state = { orderNo: '' };
      states.set(this, state);
    }
    return state;
  },

  onLoad(query: Record<string, string | undefined>) {
    const orderNo = query.orderNo ? decodeURIComponent(query.orderNo) : '';
    this.state().orderNo = orderNo;
    this.setData({ orderNo, canChooseTitle: typeof wx.chooseInvoiceTitle === 'function' && wx.canIUse('chooseInvoiceTitle') });
    void this.load();
  },

  async load() {
    this.setData({ loading: true, error: '' });
    try {
      const order = await getOrder(this.state().orderNo);
      this.setData({ amountText: formatYuan(order.amount), emailCopy: order.invoice.emailCopy === true, loading: false });
    } catch (err) {
      this.setData({ error: errorText(err), loading: false });
    }
  },

  onTypeChange(event: VantEvent<RequestType>) {
    this.setData({ type: event.detail, notice: '' });
  },

  onKindChange(event: VantEvent<InvoiceTitleKind>) {
    this.setData({ kind: event.detail, errors: { name: '', taxNumber: '' } });
  },

  onFieldChange(event: VantEvent<string, { field: FieldName }>) {
    const field = event.currentTarget.dataset.field;
    this.setData({ [`form.${field}`]: event.detail, [`errors.${field}`]: '' });
  },

  onChooseTitle() {
    wx.chooseInvoiceTitle({
      success: (res) => {
        // WeChat: type 0 = 单位 (company), 1 = 个人 (personal).
        const kind: InvoiceTitleKind = Number(res.type) === 0 ? 'company' : 'personal';
        this.setData({
          kind,
          errors: { name: '', taxNumber: '' },
          form: {
            ...EMPTY_FORM,
            email: this.data.form.email,
            name: res.title,
            taxNumber: kind === 'company' ? res.taxNumber : '',
            address: res.companyAddress,
            phone: res.telephone,
            bankName: res.bankName,
            bankAccount: res.bankAccount,
          },
        });
      },
      fail: (err) => {
        if (!/cancel/i.test(err.errMsg)) this.setData({ notice: `无法读取微信发票抬头（${err.errMsg}），请手动填写。` });
      },
    });
  },

  async onSubmit() {
    if (this.data.submitting) return;
    let body: ApplyInvoiceRequest = { type: 1 };
    if (this.data.type === '0') {
      const built = buildTitle(this.data.kind, this.data.form);
      this.setData({ errors: built.errors });
      if (!built.title) return;
      body = { type: 0, title: built.title };
    }
    this.setData({ submitting: true, notice: '', error: '' });
    const state = this.state();
    try {
      state.link = await applyInvoice(state.orderNo, body);
    } catch (err) {
      this.setData({ submitting: false, error: errorText(err) });
      return;
    }
    rememberPendingInvoice(state.orderNo);
    this.setData({ canContinue: true });
    await this.authorize();
  },

  onContinue() {
    void this.authorize();
  },

  async authorize() {
    const link = this.state().link;
    if (!link) return;
    this.setData({ submitting: true, notice: '' });
    const outcome = await openAuthorization(link, getApp<IAppOption>().globalData.authViaWebview);
    this.setData({ submitting: false });
    if (outcome.kind === 'navigated') {
      // When the buyer returns (App.onShow, scene 1038) the order page shows the new status.
      void wx.navigateBack({ delta: 1 });
    } else if (outcome.kind === 'cancelled' || outcome.kind === 'failed') {
      this.setData({ notice: outcome.message });
    }
    // 'webview': the sandbox's page has taken this page's place; back from it is the order page.
  },
});
