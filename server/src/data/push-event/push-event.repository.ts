import type { ReceivedPush } from '../../wechat/push';
import type { GroupCommitOptions } from '../group-commit';
import type { PushEventDoc, PushEventModel } from './push-event.schema';
import { markProcessedInBatches } from './mark-processed-in-batches';
import { newPushEvent, recordInBatches, recordOne } from './record-in-batches';

export interface PushEventRepository {
  /** Stores the event unless one with its de-duplication key exists; says which happened. */
  record(push: ReceivedPush, receivedAt: Date, account?: string): Promise<{ duplicate: boolean }>;
  findByKey(dedupeKey: string): Promise<PushEventDoc | null>;
  markProcessed(dedupeKey: string, at: Date): Promise<void>;
  /** Events stored before `receivedBefore` and never processed (their process died first). */
  unprocessed(receivedBefore: Date, limit: number): Promise<PushEventDoc[]>;
}

/**
 * `groupCommit`: store pushes that arrive together with one bulk insert, and mark them processed
 * with one update (see record-in-batches.ts, mark-processed-in-batches.ts).
 */
export function pushEventRepository(model: PushEventModel, options: { groupCommit?: GroupCommitOptions | undefined } = {}): PushEventRepository {
  const store = options.groupCommit ? recordInBatches(model, options.groupCommit) : recordOne.bind(null, model);
  const markProcessed = options.groupCommit
    ? markProcessedInBatches(model, options.groupCommit)
    : async (dedupeKey: string, at: Date) => void (await model.updateOne({ dedupeKey }, { $set: { processedAt: at } }));
  return {
    record: (push, receivedAt, account) =>
      store(
        newPushEvent({
          dedupeKey: push.dedupeKey,
          ...(account ? { account } : {}),
          kind: push.message.kind,
          message: storable({ ...push.message }) as Record<string, unknown>,
          encrypted: push.encrypted,
          format: push.format,
          receivedAt,
        }),
      ),
    async findByKey(dedupeKey) {
      return model.findOne({ dedupeKey }, { _id: 0, __v: 0 }).lean<PushEventDoc>();
    },
    markProcessed,
    unprocessed: (receivedBefore, limit) =>
      model
        .find({ processedAt: null, receivedAt: { $lt: receivedBefore } }, { _id: 0, __v: 0 })
        .sort({ receivedAt: 1 })
        .limit(limit)
        .lean<PushEventDoc[]>(),
  };
}

/**
 * The message with every field name the database could refuse escaped: a NUL (BSON names are
 * C strings), a leading "$" or a "." (operators and paths to some servers). Such names come only
 * from unknown JSON pushes, which are kept for the record, not read; refusing to store one would
 * answer WeChat with an error on every resend.
 */
function storable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(storable);
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([name, inner]) => [safeName(name), storable(inner)]));
}

function safeName(name: string): string {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what BSON refuses in a key
  return name.replace(/[\u0000.%]|^\$/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
