import { Schema, type Connection, type Model } from 'mongoose';
import type { AuditDoc } from '../../domain/entities/audit';

const schema = new Schema<AuditDoc>(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    target: String,
    detail: Schema.Types.Mixed,
  },
  { collection: 'admin_audit' },
);
// Ops read the trail of one target (an invoice request, a setting), newest first.
schema.index({ target: 1, at: -1 });

export type AuditModel = Model<AuditDoc>;

export function auditModel(db: Connection): AuditModel {
  return (db.models.Audit as AuditModel | undefined) ?? db.model<AuditDoc>('Audit', schema);
}

