/**
 * What the admin API answers, as types. The invoice and order shapes come from the server's own
 * HTTP schemas (the ones that generate /openapi.json), so the CLI cannot drift from them silently.
 */
import type { z } from 'zod';
import type { adminInvoiceDto, orderDto } from '../../server/src/http/schemas';
import type { AuthFieldsSetting, ContactSetting, PayMchSetting, SettingView } from '../../server/src/domain/settings';
import type { InvoiceState } from '../../shared/src/invoice-state';

export type { AuthFieldsSetting, ContactSetting, PayMchSetting, SettingView };

export type AdminInvoice = z.infer<typeof adminInvoiceDto>;
export type OrderView = z.infer<typeof orderDto>;

interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  detail?: Record<string, unknown>;
}

export type AdminInvoiceDetail = AdminInvoice & { audit: AuditEntry[] };

/** POST /api/admin/orders: the order as the order system has it (amounts in fen). */
export interface OrderInput {
  orderNo: string;
  openid: string;
  amount: number;
  items: { name: string; spbm: string; quantity: number; unitPrice: number; taxRate: string }[];
  createdAt?: string;
}

type WeChatView =
  | { state: 'issued'; fpdm: string; fphm: string }
  | { state: 'processing' }
  | { state: 'failed'; errcode: number; meaning: string }
  | { state: 'unknown'; errcode: number; meaning: string };

export interface ReconcileAnswer {
  id: string;
  orderNo: string;
  status: InvoiceState;
  fpqqlsh: string;
  wechat: WeChatView;
  verdict: 'ok' | 'mismatch' | 'stuck';
  detail: string;
}

export interface SetUrlAnswer {
  invoiceUrl: string;
  sPappid: string | null;
}
