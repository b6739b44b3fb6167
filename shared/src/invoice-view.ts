/**
 * How an invoice state shows to the buyer — label, tag colour, progress step and actions — on the
 * Mini Program's pages and on the server's H5 pages alike (one mapping, so they cannot drift).
 */
import { canReapply, type InvoiceState } from './invoice-state';
import { INVOICE_STATE_LABELS, type TagType } from './labels';

export const PROGRESS_STEPS: readonly { text: string }[] = [{ text: '申请' }, { text: '授权' }, { text: '开票中' }, { text: '已开票' }];

export interface InvoiceStatusView {
  statusText: string;
  tagType: TagType;
  hint: string;
  /** Index into PROGRESS_STEPS of the current step; -1 before applying. */
  activeStep: number;
  /** The flow stopped at that step (failed, expired, rejected): drawn red with a cross, not a green check. */
  stepStopped: boolean;
  canApply: boolean;
  canReapply: boolean;
  canView: boolean;
}

const STOPPED: readonly InvoiceState[] = ['AUTH_FAILED', 'AUTH_EXPIRED', 'REJECTED', 'ISSUE_FAILED'];

const STEP_OF: Record<InvoiceState, number> = {
  AUTH_PENDING: 1,
  AUTH_FAILED: 1,
  AUTH_EXPIRED: 1,
  AUTHORIZED: 2,
  ISSUING: 2,
  REJECTED: 2,
  ISSUE_FAILED: 2,
  ISSUED: 3,
  OFFSETTING: 3,
  OFFSET: 3,
  OFFSET_FAILED: 3,
};

export function invoiceStatusView(status: InvoiceState | null): InvoiceStatusView {
  if (status === null) {
    return { statusText: '未开票', tagType: 'default', hint: '可申请电子发票，开具后放入微信卡包', activeStep: -1, stepStopped: false, canApply: true, canReapply: false, canView: false };
  }
  const label = INVOICE_STATE_LABELS[status];
  return {
    statusText: label.text,
    tagType: label.tagType,
    hint: label.hint,
    activeStep: STEP_OF[status],
    stepStopped: STOPPED.includes(status),
    canApply: false,
    canReapply: canReapply(status),
    canView: status === 'ISSUED' || status === 'OFFSETTING' || status === 'OFFSET_FAILED',
  };
}

/** The server still works on it: worth asking again soon. */
export function isInProgress(status: InvoiceState | null): boolean {
  return status === 'AUTHORIZED' || status === 'ISSUING';
}
