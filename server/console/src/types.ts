/**
 * The admin API's shapes as the console reads them: the contract's own types (inferred from the
 * zod schemas the server validates and documents with), never restated here.
 */
import type { AdminInvoice as ContractInvoice, AuditEntry, AuthFieldsSetting, DashboardAnswer } from '@fapiao/shared/contract';

export type { StaffRole } from '@fapiao/shared';
export type { AdminOrder, PeriodSummary, ReconcileRunDetail, ReconcileVerdict, SettingView, StaffView, WeChatCall, WeChatCallPage } from '@fapiao/shared/contract';

/** A request from the list, or from its detail page (which adds the audit trail). */
export type AdminInvoice = ContractInvoice & { audit?: AuditEntry[] };
export type DashboardData = DashboardAnswer;
export type AuthFields = AuthFieldsSetting;
export type Flag = 0 | 1;
