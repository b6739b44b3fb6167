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
  const db = await startDatabase({ purpose: 'test', log: (line) => process.stderr.write(`[test-db] ${line}\n`) });
  globalThis.fapiaoTestDatabase = db;
  process.env.FAPIAO_TEST_MONGODB_URI = db.uri;
  process.env.FAPIAO_TEST_DATABASE = db.description;
}
