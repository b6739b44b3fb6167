import type { AlertMessage, EmailMessage, OutboxQuery } from '@fapiao/shared/contract';
import type { OutboxRepository } from '../../data/outbox/outbox.repository';
import type { OutboxDoc } from '../../data/outbox/outbox.schema';
import type { AlertPayload } from '../../notify/alerts';
import type { EmailCopyPayload } from '../../notify/email-copy';

export interface OutboxDeps {
  emails: OutboxRepository<EmailCopyPayload>;
  alerts: OutboxRepository<AlertPayload>;
}

/** The buyers' emailed copies, newest first, with every attempt. */
export async function listEmailCopies(deps: Pick<OutboxDeps, 'emails'>, query: OutboxQuery): Promise<EmailMessage[]> {
  const found = await deps.emails.list({ status: query.status }, query.limit);
  return found.map((doc) => messageOf(doc, (p) => ({ requestId: p.requestId, orderNo: p.orderNo, to: p.to, fpdm: p.fpdm, fphm: p.fphm })));
}

/** The alerts raised (one per incident), newest first, with their webhook deliveries. */
export async function listAlerts(deps: Pick<OutboxDeps, 'alerts'>, query: OutboxQuery): Promise<AlertMessage[]> {
  return (await deps.alerts.list({ status: query.status }, query.limit)).map((doc) => messageOf(doc, (p) => p));
}

function messageOf<P, Q>(doc: OutboxDoc<P>, payload: (p: P) => Q) {
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
