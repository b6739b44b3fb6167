import { groupCommit, type GroupCommitOptions } from '../group-commit';
import type { PushEventModel } from './push-event.schema';

/**
 * Marks pushes processed in groups: the pushes of one burst finish at nearly the same moment, and
 * one updateMany for all of them costs the database what one updateOne does. Each caller is
 * answered when its batch is acknowledged; a failure fails the batch (the sweeper then acts on
 * those pushes again, which is a no-op for work already done).
 */
export function markProcessedInBatches(model: PushEventModel, options: GroupCommitOptions): (dedupeKey: string, at: Date) => Promise<void> {
  const submit = groupCommit(async (items: readonly { dedupeKey: string; at: Date }[]) => {
    // One time for the batch: the latest, so no push is marked before it was processed.
    const at = new Date(Math.max(...items.map((i) => i.at.getTime())));
    await model.updateMany({ dedupeKey: { $in: [...new Set(items.map((i) => i.dedupeKey))] } }, { $set: { processedAt: at } });
    return items.map(() => ({ ok: true as const, value: undefined }));
  }, options);
  return (dedupeKey, at) => submit({ dedupeKey, at });
}
