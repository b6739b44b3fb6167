import { startDatabase, type RunningDatabase } from '../../../scripts/mongo';

declare global {
  var fapiaoTestDatabase: RunningDatabase | undefined;
}

/**
 * Once per jest run: find or start the MongoDB-compatible server (scripts/mongo decides which)
 * and hand its URI to the test workers through the environment. Each test file then works in a
 * database of its own (see ./database.ts).
 */
export default async function globalSetup(): Promise<void> {
  process.env.FC_SEED = propertySeed(process.env.FC_SEED);
  process.stderr.write(`[property tests] fast-check seed ${process.env.FC_SEED} (replay: FC_SEED=${process.env.FC_SEED} npx jest <file>)\n`);
  const db = await startDatabase({ purpose: 'test', log: (line) => process.stderr.write(`[test-db] ${line}\n`) });
  globalThis.fapiaoTestDatabase = db;
  process.env.FAPIAO_TEST_MONGODB_URI = db.uri;
  process.env.FAPIAO_TEST_DATABASE = db.description;
}

/** The seed every property test of this run uses: FC_SEED if it is an integer, else a random one. */
function propertySeed(given: string | undefined): string {
  if (given !== undefined && given !== '') {
    if (!/^-?\d+$/.test(given)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(given)}`);
    return given;
  }
  return String(Math.floor(Math.random() * 2 ** 31));
}
