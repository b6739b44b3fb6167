/**
 * zh-CN wording for what the Mini Program and ops tools show. Kept beside the state table so a
 * new state cannot ship without a label (the Record type makes a missing one a compile error).
 */
import type { InvoiceState } from './invoice-state';
import type { InvoiceTitleKind } from './contract/common';

/** The `type` of a @vant/weapp `<van-tag>`. */
export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'default';

export interface InvoiceStateLabel {
  /** Short status, e.g. on the order card. */
  readonly text: string;
  /** Colour of the status tag: warning = the user should act, danger = it went wrong. */
  readonly tagType: TagType;
  /** One line under the status explaining what happens next. */
  readonly hint: string;
}

export const INVOICE_STATE_LABELS: Readonly<Record<InvoiceState, InvoiceStateLabel>> = {
  AUTH_PENDING: { text: '待授权', tagType: 'warning', hint: '请在微信发票授权页完成授权' },
  AUTHORIZED: { text: '已授权', tagType: 'primary', hint: '已收到授权，即将开票' },
  ISSUING: { text: '开票中', tagType: 'primary', hint: '发票开具中，完成后将放入微信卡包' },
  ISSUED: { text: '已开票', tagType: 'success', hint: '发票已放入微信卡包' },
  OFFSETTING: { text: '红冲中', tagType: 'warning', hint: '发票正在红冲' },
  OFFSET: { text: '已红冲', tagType: 'default', hint: '发票已红冲作废' },
  AUTH_FAILED: { text: '已拒绝授权', tagType: 'default', hint: '您未授权开票，可重新申请' },
  AUTH_EXPIRED: { text: '授权已过期', tagType: 'default', hint: '授权已过期，可重新申请' },
  REJECTED: { text: '已驳回', tagType: 'danger', hint: '商户驳回了开票申请，可修改后重新申请' },
  ISSUE_FAILED: { text: '开票失败', tagType: 'danger', hint: '开票失败，商户正在处理' },
  OFFSET_FAILED: { text: '红冲失败', tagType: 'danger', hint: '发票红冲未成功，商户正在处理' },
};

export function invoiceStateText(state: InvoiceState): string {
  return INVOICE_STATE_LABELS[state].text;
}

export function invoiceStateTagType(state: InvoiceState): TagType {
  return INVOICE_STATE_LABELS[state].tagType;
}

/** The two title kinds as WeChat's own title picker names them. */
export const INVOICE_TITLE_KIND_LABELS: Readonly<Record<InvoiceTitleKind, string>> = {
  company: '单位',
  personal: '个人',
};
