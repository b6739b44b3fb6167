/**
 * The database guarantees Fapiao's correctness rests on, checked against whatever server the test
 * harness provides (a real mongod, MONGODB_URI, or the SecantusDB stand-in). A stand-in that
 * breaks one of these must fail here, not in production: never weaken a check to make one pass.
 *
 * - unique indexes reject duplicates with error code 11000 (insert, upsert, update);
 * - a conditional findOneAndUpdate is atomic: of N concurrent transitions A -> B, exactly one wins;
 * - $inc is atomic: N concurrent increments add up to N;
 * - concurrent upserts on one unique key leave exactly one document.
 */
import { Schema, type Connection } from 'mongoose';
import { upsertAndRead } from '../src/data/upsert';
import { testServerDescription, useTestDatabase } from './harness/database';

const DUPLICATE_KEY = 11000;

interface Keyed {
  key: string;
  other?: string;
  n?: number;
}
interface Stateful {
  status: 'A' | 'B';
  winner?: number;
}
interface Counter {
  count: number;
}

/** Settles every promise and reports which ones failed and with what error code. */
async function settle<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises);
  const values = results.filter((r): r is PromiseFulfilledResult<Awaited<T>> => r.status === 'fulfilled').map((r) => r.value);
  const errorCodes = results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => (r.reason as { code?: unknown }).code);
  return { values, errorCodes };
}

const keyedSchema = new Schema<Keyed>({ key: { type: String, required: true, unique: true }, other: String, n: Number });
const statefulSchema = new Schema<Stateful>({ status: { type: String, required: true }, winner: Number });
const counterSchema = new Schema<Counter>({ count: { type: Number, required: true } });

function modelsOn(conn: Connection) {
  return {
    Keyed: conn.model('Keyed', keyedSchema),
    Stateful: conn.model('Stateful', statefulSchema),
    Counter: conn.model('Counter', counterSchema),
  };
}
type Models = ReturnType<typeof modelsOn>;

describe(`database guarantees on ${testServerDescription()}`, () => {
  const db = useTestDatabase();
  let Keyed: Models['Keyed'];
  let Stateful: Models['Stateful'];
  let Counter: Models['Counter'];

  beforeAll(async () => {
    ({ Keyed, Stateful, Counter } = modelsOn(db()));
    // Build the unique index now, so a server that cannot build it fails here and not later.
    await Promise.all([Keyed.init(), Stateful.init(), Counter.init()]);
  });

  describe('a unique index rejects a duplicate with error code 11000', () => {
    it('on insert', async () => {
      await Keyed.create({ key: 'insert-dup' });
      await expect(Keyed.create({ key: 'insert-dup' })).rejects.toMatchObject({ code: DUPLICATE_KEY });
      expect(await Keyed.countDocuments({ key: 'insert-dup' })).toBe(1);
    });

    it('on upsert', async () => {
      await Keyed.create({ key: 'upsert-dup' });
      // No document matches the filter, so the upsert inserts, and the insert collides.
      const upsert = Keyed.updateOne({ other: 'no-such-doc' }, { $set: { key: 'upsert-dup' } }, { upsert: true });
      await expect(upsert).rejects.toMatchObject({ code: DUPLICATE_KEY });
      expect(await Keyed.countDocuments({ key: 'upsert-dup' })).toBe(1);
    });

    it('on an update that sets an existing key', async () => {
      await Keyed.create([{ key: 'update-dup-1' }, { key: 'update-dup-2' }]);
      await expect(Keyed.updateOne({ key: 'update-dup-2' }, { $set: { key: 'update-dup-1' } })).rejects.toMatchObject({
        code: DUPLICATE_KEY,
      });
      expect(await Keyed.countDocuments({ key: { $in: ['update-dup-1', 'update-dup-2'] } })).toBe(2);
    });
  });

  it('50 concurrent conditional findOneAndUpdate A -> B on one document: exactly one succeeds', async () => {
    // Several rounds: a race that is lost only now and then must still be caught.
    for (let round = 0; round < 5; round++) {
      const doc = await Stateful.create({ status: 'A' });
      const attempts = Array.from({ length: 50 }, (_, i) =>
        Stateful.findOneAndUpdate({ _id: doc._id, status: 'A' }, { $set: { status: 'B', winner: i } }, { returnDocument: 'after' }).lean(),
      );
      const { values, errorCodes } = await settle(attempts);
      expect(errorCodes).toEqual([]);
      const winners = values.filter((v) => v !== null);
      expect(winners).toHaveLength(1);
      const stored = await Stateful.findById(doc._id).lean();
      expect(stored).toMatchObject({ status: 'B', winner: winners[0]?.winner });
    }
  });

  it('100 concurrent $inc on one document: the counter ends at exactly 100', async () => {
    const doc = await Counter.create({ count: 0 });
    const { errorCodes } = await settle(Array.from({ length: 100 }, () => Counter.updateOne({ _id: doc._id }, { $inc: { count: 1 } })));
    expect(errorCodes).toEqual([]);
    expect((await Counter.findById(doc._id).lean())?.count).toBe(100);
  });

  it('20 concurrent upserts on the same unique key: exactly one document exists afterwards', async () => {
    for (let round = 0; round < 3; round++) {
      const key = `upsert-race-${round}`;
      const attempts = Array.from({ length: 20 }, (_, i) =>
        Keyed.updateOne({ key }, { $setOnInsert: { n: i } }, { upsert: true }),
      );
      const { values, errorCodes } = await settle(attempts);
      // Real MongoDB may answer a losing concurrent upsert with 11000 (callers retry once);
      // any other failure, or a second document, breaks the guarantee.
      expect(errorCodes.filter((code) => code !== DUPLICATE_KEY)).toEqual([]);
      expect(values.length + errorCodes.length).toBe(20);
      expect(await Keyed.countDocuments({ key })).toBe(1);
    }
  });

  it('upsertAndRead: 20 concurrent callers on one key all get the one stored document', async () => {
    const key = 'upsert-and-read';
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => upsertAndRead(Keyed, { key }, { $setOnInsert: { n: i } })),
    );
    const stored = await Keyed.find({ key }).lean();
    expect(stored).toHaveLength(1);
    expect(results.map((r) => String((r as { _id?: unknown })._id))).toEqual(Array(20).fill(String(stored[0]?._id)));
  });
});
