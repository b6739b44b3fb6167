/**
 * The admin API's console side: the dashboard, the outboxes (emailed copies, alerts) and the
 * staff accounts with their sessions.
 */
import { z } from 'zod';
import { INVOICE_STATES } from '../invoice-state';
import { STAFF_ROLES } from '../staff-roles';
import { fen, limitParam } from './common';

// Dashboard --------------------------------------------------------------------------------------

const period = z
  .object({
    requests: z.number().int(),
    byStatus: z.object(Object.fromEntries(INVOICE_STATES.map((s) => [s, z.number().int()])) as Record<(typeof INVOICE_STATES)[number], z.ZodNumber>),
    issuedAmount: fen.describe('fen, of requests whose invoice was issued (ISSUED, OFFSETTING, OFFSET, OFFSET_FAILED)'),
    issuedCount: z.number().int(),
    failures: z.array(z.object({ reason: z.string(), count: z.number().int() })).describe('ISSUE_FAILED, AUTH_FAILED and OFFSET_FAILED by reason'),
    authToIssued: z.object({ count: z.number().int(), p50: z.number().optional(), p90: z.number().optional() }).describe('seconds from authorization to ISSUED'),
    attention: z.number().int().describe('requests needing a human'),
  })
  .meta({ id: 'DashboardPeriod' });

export const dashboardAnswer = z
  .object({
    today: period,
    last30Days: period,
    days: z.array(z.object({ day: z.string(), requests: z.number().int(), issued: z.number().int(), issuedAmount: fen, failed: z.number().int() })),
    generatedAt: z.string(),
    truncated: z.boolean().describe('true when the period had more requests than the dashboard reads'),
  })
  .meta({ id: 'Dashboard' });
export type DashboardAnswer = z.infer<typeof dashboardAnswer>;
export type PeriodSummary = DashboardAnswer['today'];

// Outboxes ---------------------------------------------------------------------------------------

export const outboxStatus = z.enum(['pending', 'sent', 'bounced', 'failed']);
export const outboxQuery = z.object({ status: outboxStatus.optional(), limit: limitParam(500, 100) }).strict();
export type OutboxQuery = z.output<typeof outboxQuery>;

const attempt = z.object({ at: z.string(), outcome: z.enum(['sent', 'retry', 'bounced', 'failed']), detail: z.string() }).meta({ id: 'OutboxAttempt' });

function outboxMessage<T extends z.ZodType>(payload: T) {
  return z.object({
    id: z.string().describe('the invoice request (an email) or the incident (an alert)'),
    status: outboxStatus,
    attempts: z.number().int(),
    createdAt: z.string(),
    nextAttemptAt: z.string().optional(),
    sentAt: z.string().optional(),
    lastError: z.string().optional(),
    log: z.array(attempt),
    payload,
  });
}

const emailPayload = z.object({ requestId: z.string(), orderNo: z.string(), to: z.string(), fpdm: z.string(), fphm: z.string() });
const alertPayload = z.object({
  kind: z.string(),
  incident: z.string(),
  title: z.string(),
  text: z.string(),
  at: z.string(),
  requestId: z.string().optional(),
  orderNo: z.string().optional(),
  endpoint: z.string().optional(),
});
export const emailMessage = outboxMessage(emailPayload).meta({ id: 'EmailCopyMessage' });
export const alertMessage = outboxMessage(alertPayload).meta({ id: 'AlertMessage' });
export type EmailMessage = z.infer<typeof emailMessage>;
export type AlertMessage = z.infer<typeof alertMessage>;
export const emailList = z.object({ emails: z.array(emailMessage) });
export const alertList = z.object({ alerts: z.array(alertMessage) });

// Staff and the console session ------------------------------------------------------------------

export const staffUsername = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,31}$/, 'must be 2-32 lower-case letters, digits, ".", "_" or "-"');
const password = z.string().min(10, 'must be at least 10 characters').max(72, 'must be at most 72 bytes (bcrypt)');
export const staffRole = z.enum(STAFF_ROLES).meta({ id: 'StaffRole', description: 'viewer reads; operator also acts on invoices, orders and settings; admin also manages staff' });

export const staffView = z
  .object({ username: z.string(), displayName: z.string(), role: staffRole, disabled: z.boolean(), createdAt: z.string(), createdBy: z.string() })
  .meta({ id: 'Staff' });
export type StaffView = z.infer<typeof staffView>;

export const sessionView = z
  .object({ staff: staffView, csrfToken: z.string().describe('send it as X-CSRF-Token with every change made with this session') })
  .meta({ id: 'StaffSession' });
export type StaffSessionView = z.infer<typeof sessionView>;

export const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }).strict();
export const addStaffBody = z.object({ username: staffUsername, displayName: z.string().min(1).max(40), role: staffRole, password }).strict();
export type AddStaffBody = z.output<typeof addStaffBody>;
export const staffParams = z.object({ username: staffUsername }).strict();
export const updateStaffBody = z
  .object({ displayName: z.string().min(1).max(40).optional(), role: staffRole.optional(), disabled: z.boolean().optional(), password: password.optional() })
  .strict();
export type UpdateStaffBody = z.output<typeof updateStaffBody>;
