import { INVOICE_STATES } from './invoice-state';
import { INVOICE_STATE_LABELS, INVOICE_TITLE_KIND_LABELS, invoiceStateTagType, invoiceStateText } from './labels';
import { canReapply } from './invoice-state';

describe('zh-CN invoice status labels', () => {
  it.each([
    ['AUTH_PENDING', '待授权', 'warning'],
    ['AUTHORIZED', '已授权', 'primary'],
    ['ISSUING', '开票中', 'primary'],
    ['ISSUED', '已开票', 'success'],
    ['OFFSETTING', '红冲中', 'warning'],
    ['OFFSET', '已红冲', 'default'],
    ['AUTH_FAILED', '已拒绝授权', 'default'],
    ['AUTH_EXPIRED', '授权已过期', 'default'],
    ['REJECTED', '已驳回', 'danger'],
    ['ISSUE_FAILED', '开票失败', 'danger'],
  ] as const)('%s shows %s with a %s tag', (state, text, tagType) => {
    expect(invoiceStateText(state)).toBe(text);
    expect(invoiceStateTagType(state)).toBe(tagType);
  });

  it('gives every state a distinct label and a hint', () => {
    const texts = INVOICE_STATES.map((state) => INVOICE_STATE_LABELS[state].text);
    expect(new Set(texts).size).toBe(INVOICE_STATES.length);
    for (const state of INVOICE_STATES) expect(INVOICE_STATE_LABELS[state].hint).toMatch(/[\u4e00-\u9fff]/);
  });

  it('tells the user when they can apply again', () => {
    for (const state of INVOICE_STATES) {
      expect([state, INVOICE_STATE_LABELS[state].hint.includes('重新申请')]).toEqual([state, canReapply(state)]);
    }
  });

  it('names the title kinds', () => {
    expect(INVOICE_TITLE_KIND_LABELS).toEqual({ company: '单位', personal: '个人' });
  });
});
