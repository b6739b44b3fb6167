import { INVOICE_STATES, type InvoiceState } from './invoice-state';
import { invoiceStatusView, isInProgress, PROGRESS_STEPS } from './invoice-view';

const stepText = (status: InvoiceState | null) => PROGRESS_STEPS[invoiceStatusView(status).activeStep]?.text;

describe('the order page’s progress steps', () => {
  it('are 申请 → 授权 → 开票中 → 已开票', () => {
    expect(PROGRESS_STEPS.map((s) => s.text)).toEqual(['申请', '授权', '开票中', '已开票']);
  });

  it('show no step before the buyer applies', () => {
    expect(invoiceStatusView(null).activeStep).toBe(-1);
  });

  it.each<[InvoiceState, string]>([
    ['AUTH_PENDING', '授权'],
    // Authorized but not yet issued: the server is issuing, whichever of the two it is in.
    ['AUTHORIZED', '开票中'],
    ['ISSUING', '开票中'],
    ['ISSUED', '已开票'],
  ])('%s is at %s', (status, step) => {
    expect(stepText(status)).toBe(step);
  });

  it('pass through 开票中 on the way from 授权 to 已开票', () => {
    const path: InvoiceState[] = ['AUTH_PENDING', 'AUTHORIZED', 'ISSUING', 'ISSUED'];
    expect(path.map(stepText)).toEqual(['授权', '开票中', '开票中', '已开票']);
  });

  it('stop where things stopped: at 授权 when authorization failed, at 开票中 when issuing did', () => {
    expect(stepText('AUTH_FAILED')).toBe('授权');
    expect(stepText('AUTH_EXPIRED')).toBe('授权');
    expect(stepText('ISSUE_FAILED')).toBe('开票中');
    expect(stepText('REJECTED')).toBe('开票中');
  });

  it('mark a stopped step (failed, expired, rejected) so it does not read as done', () => {
    const stopped = INVOICE_STATES.filter((state) => invoiceStatusView(state).stepStopped);
    expect(stopped.sort()).toEqual(['AUTH_EXPIRED', 'AUTH_FAILED', 'ISSUE_FAILED', 'REJECTED']);
    expect(invoiceStatusView(null).stepStopped).toBe(false);
  });

  it('place every state the server can report on a step', () => {
    for (const state of INVOICE_STATES) expect(stepText(state)).toBeDefined();
  });

  it('keep asking the server exactly while it is issuing', () => {
    expect(INVOICE_STATES.filter((s) => isInProgress(s))).toEqual(['AUTHORIZED', 'ISSUING']);
    expect(isInProgress(null)).toBe(false);
  });
});

describe('the actions offered per state', () => {
  it('申请开票 before applying, 查看发票 once issued, 重新申请 after a refusal', () => {
    expect(invoiceStatusView(null)).toMatchObject({ statusText: '未开票', canApply: true, canReapply: false, canView: false });
    expect(invoiceStatusView('ISSUED')).toMatchObject({ statusText: '已开票', canApply: false, canReapply: false, canView: true });
    expect(invoiceStatusView('AUTHORIZED')).toMatchObject({ canApply: false, canReapply: false, canView: false });
    for (const refused of ['REJECTED', 'AUTH_FAILED', 'AUTH_EXPIRED'] as const) expect(invoiceStatusView(refused).canReapply).toBe(true);
  });
});
