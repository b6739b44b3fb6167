import type { InvoiceState } from '@fapiao/shared';

export type StaffRole = 'viewer' | 'operator' | 'admin';

export interface StaffView {
  username: string;
  displayName: string;
  role: StaffRole;
  disabled: boolean;
  createdAt: string;
  createdBy: string;
}

export interface HistoryEntry {
  from: InvoiceState | null;
  to: InvoiceState;
  event: string;
  at: string;
  by: string;
  detail?: string;
}

export interface IssuedInvoice {
  fpdm: string;
  fphm: string;
  jym: string;
  kprq: string;
  pdfUrl: string;
}

export interface AdminInvoice {
  id: string;
  orderNo: string;
  openid: string;
  wxOrderId: string;
  type: number;
  amount: number;
  status: InvoiceState;
  title?: Record<string, string>;
  fpqqlsh: string;
  invoice?: IssuedInvoice;
  offset?: { fpqqlsh: string; invoice?: IssuedInvoice };
  rejectReason?: string;
  lastError?: { code: string; message: string; at: string };
  createdAt: string;
  authorizedAt?: string;
  nextActionAt?: string;
  attempts: number;
  history: HistoryEntry[];
  customFields?: { key: string; value: string }[];
  /** A human must act: see `attention`. */
  needsAttention: boolean;
  attention?: { code: string; reason: string; state: InvoiceState; since: string; at: string; answers: WeChatAnswer[] };
  /** WeChat's last answers to the worker about this request. */
  answers?: WeChatAnswer[];
  audit?: { at: string; actor: string; action: string; detail?: Record<string, unknown> }[];
}

export interface WeChatAnswer {
  at: string;
  call: string;
  errcode: number;
  summary: string;
}

/** One WeChat API call made for a request (GET /invoices/:id/calls). */
export interface WeChatCall {
  at: string;
  api: string;
  errcode: number;
  errmsg: string;
  summary: string;
  durationMs: number;
  by: string;
  stateBefore: InvoiceState | null;
  stateAfter?: InvoiceState;
}

export interface AdminOrder {
  orderNo: string;
  openid: string;
  amount: number;
  createdAt: string;
  items: { name: string; spbm: string; quantity: number; unitPrice: number; taxRate: string }[];
  invoice: { status: InvoiceState | null; canApply: boolean; rejectReason?: string };
  refundedAt?: string;
  latestRequestId?: string;
  requestCount: number;
}

export interface PeriodSummary {
  requests: number;
  byStatus: Record<InvoiceState, number>;
  issuedAmount: number;
  issuedCount: number;
  failures: { reason: string; count: number }[];
  authToIssued: { count: number; p50?: number; p90?: number };
  attention: number;
}

export interface DashboardData {
  today: PeriodSummary;
  last30Days: PeriodSummary;
  days: { day: string; requests: number; issued: number; issuedAmount: number; failed: number }[];
  generatedAt: string;
  truncated: boolean;
}

export interface SettingView<T> {
  value: T | null;
  updatedAt?: string;
  updatedBy?: string;
}

export type Flag = 0 | 1;
export interface AuthFields {
  user_field: Partial<Record<'show_title' | 'show_phone' | 'show_email' | 'require_phone' | 'require_email', Flag>> & { custom_field?: CustomField[] };
  biz_field: Partial<
    Record<
      | 'show_title'
      | 'show_tax_no'
      | 'show_addr'
      | 'show_phone'
      | 'show_bank_type'
      | 'show_bank_no'
      | 'require_tax_no'
      | 'require_addr'
      | 'require_phone'
      | 'require_bank_type'
      | 'require_bank_no',
      Flag
    >
  > & { custom_field?: CustomField[] };
}
export interface CustomField {
  key: string;
  is_require?: Flag;
  notice?: string;
}
