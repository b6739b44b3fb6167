import { formatYuan, INVOICE_STATE_LABELS, type InvoiceState } from '@fapiao/shared';
import dayjs from 'dayjs';

export const yuan = (fen: number): string => formatYuan(fen);
export const time = (iso: string | undefined): string => (iso ? dayjs(iso).format('YYYY-MM-DD HH:mm:ss') : '');
export const seconds = (s: number | undefined): string => (s === undefined ? '—' : s < 60 ? `${s.toFixed(1)} 秒` : `${(s / 60).toFixed(1)} 分钟`);

const TAG_COLORS: Record<string, string> = { primary: 'processing', success: 'success', warning: 'warning', danger: 'error', default: 'default' };
export const stateText = (state: InvoiceState): string => INVOICE_STATE_LABELS[state].text;
export const stateColor = (state: InvoiceState): string => TAG_COLORS[INVOICE_STATE_LABELS[state].tagType] ?? 'default';

/** Who did it, as the audit log and the history name them. */
export function actorText(by: string): string {
  if (by.startsWith('staff:')) return `员工 ${by.slice(6)}`;
  if (by.startsWith('admin:')) return `API 密钥 ${by.slice(6)}`;
  return ({ buyer: '买家', wechat: '微信', worker: '系统' } as Record<string, string>)[by] ?? by;
}
