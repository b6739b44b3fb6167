import type { AuditEntry } from '@fapiao/shared/contract';
import type { AuditLog } from '../data/audit/audit.schema';

/**
 * The audit trail of admin actions: who (an API key's id or a staff member, never a secret), what,
 * on what, when. Every use case that changes something on ops' behalf records it here, and only
 * here, after the change succeeded.
 */
export interface AuditDeps {
  audit: AuditLog;
  now(): Date;
}

export async function recordAudit(deps: AuditDeps, entry: { actor: string; action: string; target: string; detail?: Record<string, unknown> | undefined }): Promise<void> {
  await deps.audit.record({ at: deps.now(), actor: entry.actor, action: entry.action, target: entry.target, ...(entry.detail ? { detail: entry.detail } : {}) });
}

/** The trail of one target, newest first. */
export async function auditTrail(deps: Pick<AuditDeps, 'audit'>, target: string, limit = 100): Promise<AuditEntry[]> {
  const found = await deps.audit.forTarget(target, limit);
  return found.map((a) => ({ at: a.at.toISOString(), actor: a.actor, action: a.action, ...(a.detail ? { detail: a.detail } : {}) }));
}
