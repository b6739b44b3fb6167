import type { AuditDoc } from '../../domain/entities/audit';
import type { AuditModel } from './audit.schema';

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
