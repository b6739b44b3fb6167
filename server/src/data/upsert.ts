import type { Model, QueryFilter, UpdateQuery } from 'mongoose';
import { isDuplicateKey } from './mongo-errors';

/**
 * Upsert on a unique key and return the stored document, portably.
 *
 * Two concurrent upserts on one key may, on MongoDB itself, answer the loser with E11000; the
 * document exists by then, so one retry finds it. SecantusDB (the development stand-in) instead
 * applies the loser's update to the winner's document and answers `value: null`; re-reading by the
 * filter returns the document. Either way every caller gets the one stored document.
 * The filter must select by a unique index.
 */
export async function upsertAndRead<T>(
  // Any model of T, whatever its virtuals and helpers: mongoose's Model generics are invariant
  // in them, and TypeScript's variance check otherwise rejects models declared elsewhere.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<T, any, any, any, any, any>,
  filter: QueryFilter<T>,
  update: UpdateQuery<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      // The model's generics are `any` (above), so its queries are too: the document is a T.
      /* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
      const doc: T | null = await model.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' }).lean();
      if (doc) return doc;
      const reread: T | null = await model.findOne(filter).lean();
      /* eslint-enable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
      if (reread) return reread;
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= 1) throw err;
    }
    if (attempt >= 1) throw new Error(`upsert on ${model.modelName} returned no document twice`);
  }
}
