import { z } from 'zod';
import type { OutboxRepository } from '../../data/outbox/outbox.repository';
import type { OutboxDoc } from '../../data/outbox/outbox.schema';
import type { AlertPayload } from '../../notify/alerts';
import type { EmailCopyPayload } from '../../notify/email-copy';
import { route, type AnyApiRoute } from '../api-route';

const outboxStatus = z.enum(['pending', 'sent', 'bounced', 'failed']);

const attempt = z.object({ at: z.string(), outcome: z.enum(['sent', 'retry', 'bounced', 'failed']), detail: z.string() });

function messageDto<T extends z.ZodType>(payload: T) {
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

function toDto<P, Q>(doc: OutboxDoc<P>, payload: (p: P) => Q) {
  return {
    id: doc._id,
    status: doc.status,
    attempts: doc.attempts,
    createdAt: doc.createdAt.toISOString(),
    ...(doc.nextAttemptAt && doc.status === 'pending' ? { nextAttemptAt: doc.nextAttemptAt.toISOString() } : {}),
    ...(doc.sentAt ? { sentAt: doc.sentAt.toISOString() } : {}),
    ...(doc.lastError ? { lastError: doc.lastError.message } : {}),
    log: doc.log.map((entry) => ({ at: entry.at.toISOString(), outcome: entry.outcome, detail: entry.detail })),
    payload: payload(doc.payload),
  };
}

const listQuery = z.object({ status: outboxStatus.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();

/** Ops' view of the outboxes: the buyers' emailed copies and the alerts, with every attempt. */
export function outboxRoutes(deps: { emails: OutboxRepository<EmailCopyPayload>; alerts: OutboxRepository<AlertPayload> }): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/outbox/emails',
      summary: "The buyers' emailed copies, newest first: pending (with the next attempt), sent, bounced (address refused) or failed",
      auth: 'admin',
      query: listQuery,
      response: z.object({ emails: z.array(messageDto(emailPayload)) }),
      handler: async ({ query }) => ({
        emails: (await deps.emails.list({ status: query.status }, query.limit)).map((doc) =>
          toDto(doc, (p) => ({ requestId: p.requestId, orderNo: p.orderNo, to: p.to, fpdm: p.fpdm, fphm: p.fphm })),
        ),
      }),
    }),
    route({
      method: 'get',
      path: '/outbox/alerts',
      summary: 'Alerts raised (one per incident), newest first, with their webhook deliveries',
      auth: 'admin',
      query: listQuery,
      response: z.object({ alerts: z.array(messageDto(alertPayload)) }),
      handler: async ({ query }) => ({
        alerts: (await deps.alerts.list({ status: query.status }, query.limit)).map((doc) => toDto(doc, (p) => p)),
      }),
    }),
  ];
}
