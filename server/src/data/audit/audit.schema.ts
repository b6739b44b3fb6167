import { Schema, type Connection, type Model } from 'mongoose';

/** Every admin action: who (an API key's id, never the key), what, on what, when. */
interface AuditDoc {
  at: Date;
  actor: string;
  action: string;
  target?: string;
  detail?: Record<string, unknown>;
}

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

export interface AuditLog {
  record(entry: AuditDoc): Promise<void>;
  forTarget(target: string, limit: number): Promise<AuditDoc[]>;
}

export function auditLog(model: AuditModel): AuditLog {
  return {
    async record(entry) {
      await model.create(entry);
    },
    forTarget: (target, limit) => model.find({ target }, { _id: 0, __v: 0 }).sort({ at: -1 }).limit(limit).lean<AuditDoc[]>(),
  };
}
