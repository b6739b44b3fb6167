/**
 * `npm run db`: starts the development database (see scripts/mongo/index.ts for how it is chosen),
 * prints its URI and keeps it running until Ctrl-C. `npm run db -- --ephemeral` starts a throw-away
 * one whose data is removed when it stops.
 */
import { startDatabase } from './mongo';

async function main(): Promise<void> {
  const db = await startDatabase({ purpose: process.argv.includes('--ephemeral') ? 'test' : 'dev' });
  console.log(`MongoDB-compatible server: ${db.description}`);
  console.log(`MONGODB_URI=${db.uri}`);
  console.log('Ctrl-C stops it.');
  const stop = async () => {
    await db.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
