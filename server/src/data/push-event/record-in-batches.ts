import { Types, type InsertManyOptions } from 'mongoose';
import { groupCommit, type GroupCommitOptions, type ItemOutcome } from '../group-commit';
import type { PushEventDoc, PushEventModel } from './push-event.schema';
import { isDuplicateKey } from '../mongo-errors';

/** A push event ready to store; `_id` is ours, so a re-read can tell our document from an earlier one. */
export type NewPushEvent = PushEventDoc & { _id: Types.ObjectId };
export type Recorded = { duplicate: boolean };

/**
 * A push is answered "success" only once it is stored, and WeChat never sends it again: it must
 * survive a database crash (the outage drill SIGKILLs one), so the write waits for the journal,
 * and on a replica set for a majority. Group commit makes that one flush per batch.
 */
const DURABLE = { w: 'majority', j: true } as const;
// insertMany hands its options to the driver, which takes a writeConcern; mongoose's type omits it.
const DURABLE_BULK = { writeConcern: DURABLE } as InsertManyOptions;

export function newPushEvent(fields: PushEventDoc): NewPushEvent {
  return { _id: new Types.ObjectId(), ...fields };
}

/** Stores one event unless its de-duplication key is stored already. */
export async function recordOne(model: PushEventModel, event: NewPushEvent): Promise<Recorded> {
  try {
    await model.create([event], DURABLE);
    return { duplicate: false };
  } catch (err) {
    if (isDuplicateKey(err)) return { duplicate: true };
    throw err;
  }
}

/**
 * Pushes that arrive together are stored by one unordered bulk insert (see group-commit.ts); each
 * caller is answered once the insert is acknowledged. A key repeated inside the batch is inserted
 * once, and the repeats share its outcome. When the database refuses some documents (a key stored
 * by an earlier batch or another process), the batch falls back to per-document handling: one read
 * of the batch's keys shows which documents are ours, and any other is retried on its own. An error
 * that leaves unknown what was written (connection lost, write concern not met) fails the whole
 * batch, so every push in it is answered non-success and WeChat resends it.
 */
export function recordInBatches(model: PushEventModel, options: GroupCommitOptions): (event: NewPushEvent) => Promise<Recorded> {
  return groupCommit((events) => storeBatch(model, events), options);
}

async function storeBatch(model: PushEventModel, events: readonly NewPushEvent[]): Promise<ItemOutcome<Recorded>[]> {
  const firstOf = new Map<string, NewPushEvent>();
  for (const event of events) if (!firstOf.has(event.dedupeKey)) firstOf.set(event.dedupeKey, event);
  const unique = [...firstOf.values()];
  let stored: Map<string, ItemOutcome<Recorded>>;
  try {
    // Unordered: one refused document does not stop the others. Through mongoose, so documents are
    // cast exactly as create() casts them; throwOnValidationError so none is skipped in silence.
    await model.insertMany(unique, { ordered: false, throwOnValidationError: true, ...DURABLE_BULK });
    stored = new Map(unique.map((e) => [e.dedupeKey, { ok: true, value: { duplicate: false } }]));
  } catch (err) {
    if (!refusedPerDocument(err)) throw err;
    stored = await perDocument(model, unique);
  }
  return events.map((event) => {
    const outcome = stored.get(event.dedupeKey) as ItemOutcome<Recorded>;
    // A repeat inside the batch is a duplicate of the first, once the first is safe.
    return firstOf.get(event.dedupeKey) === event || !outcome.ok ? outcome : { ok: true, value: { duplicate: true } };
  });
}

/** The bulk insert ran and the server refused some documents one by one (and nothing else went wrong). */
function refusedPerDocument(err: unknown): boolean {
  const e = err as { name?: unknown; writeErrors?: unknown; validationErrors?: unknown; result?: { getWriteConcernError?: () => unknown } };
  if (e.name === 'MongooseBulkWriteError') return Array.isArray(e.validationErrors) && e.validationErrors.length > 0;
  return e.name === 'MongoBulkWriteError' && Array.isArray(e.writeErrors) && e.writeErrors.length > 0 && !e.result?.getWriteConcernError?.();
}

async function perDocument(model: PushEventModel, events: NewPushEvent[]): Promise<Map<string, ItemOutcome<Recorded>>> {
  const found = await model.collection
    .find({ dedupeKey: { $in: events.map((e) => e.dedupeKey) } }, { projection: { _id: 1, dedupeKey: 1 } })
    .toArray();
  const storedId = new Map(found.map((doc) => [String(doc.dedupeKey), String(doc._id)]));
  const outcomes = new Map<string, ItemOutcome<Recorded>>();
  await Promise.all(
    events.map(async (event) => {
      const id = storedId.get(event.dedupeKey);
      if (id !== undefined) return void outcomes.set(event.dedupeKey, { ok: true, value: { duplicate: id !== String(event._id) } });
      try {
        outcomes.set(event.dedupeKey, { ok: true, value: await recordOne(model, event) });
      } catch (error) {
        outcomes.set(event.dedupeKey, { ok: false, error });
      }
    }),
  );
  return outcomes;
}
