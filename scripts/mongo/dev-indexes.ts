import mongoose, { type Connection } from 'mongoose';

/**
 * Indexes a development stand-in needs beyond the product's own (server/src/data), created by the
 * dev harness before the server uses the database; production never gets them.
 *
 * SecantusDB 0.7.0b3 range-scans a compound index for `{a: x, b: {$gte: t}}` by comparing whole
 * keys with the bound, so on `{status, createdAt, _id}` the rows equal to an inclusive bound fall
 * out of ops' paged lists; it picks the shortest index that fits, so this one (redundant on
 * MongoDB) answers those queries instead (docs/database.md).
 */
const SECANTUS_INDEXES: { collection: string; keys: Record<string, 1 | -1> }[] = [{ collection: 'invoice_requests', keys: { status: 1, createdAt: -1 } }];

/** Whether a server (its kind or description, e.g. "SecantusDB 0.7.0b3") needs the indexes above. */
export function needsDevIndexes(server: string | undefined): boolean {
  return /^SecantusDB\b/.test(server ?? '');
}

/** Creates the stand-in's indexes in the connection's database (idempotent). */
export async function addDevIndexes(db: Connection): Promise<void> {
  for (const { collection, keys } of SECANTUS_INDEXES) await db.collection(collection).createIndex(keys);
}

/** The same, for a database named by its URI (the dev harness, before it starts the server). */
export async function addDevIndexesAt(uri: string): Promise<void> {
  const db = await mongoose.createConnection(uri).asPromise();
  try {
    await addDevIndexes(db);
  } finally {
    await db.close();
  }
}
