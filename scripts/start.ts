/**
 * `npm start`: the whole thing on one machine. Brings up the development database
 * (scripts/mongo decides which server), starts the Fapiao server against it, prints where
 * everything listens, and on Ctrl-C stops the server gracefully, then the database.
 */
import path from 'node:path';
import { devCredentials } from './dev-env';
import { startDatabase, withDatabaseName, type RunningDatabase } from './mongo';
import { spawnServer, type ServerProcess } from './server-process';

const DEV_DATABASE = 'fapiao_dev';

async function main(): Promise<void> {
  // Filled in as things start, so that Ctrl-C during start-up stops what is already running.
  const running: { db?: RunningDatabase; server?: ServerProcess } = {};
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await running.server?.stop();
    await running.db?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  const db = (running.db = await startDatabase({ purpose: 'dev', log: (line) => console.log(`[db] ${line}`) }));
  const { values: credentials, generated } = devCredentials(process.env);
  const port = process.env.PORT ?? '3000';
  const server = (running.server = await spawnServer({
    entry: path.join(__dirname, '..', 'server', 'src', 'main.ts'),
    env: {
      ...process.env,
      ...credentials,
      NODE_ENV: 'development',
      HOST: process.env.HOST ?? '127.0.0.1',
      PORT: port,
      MONGODB_URI: withDatabaseName(db.uri, DEV_DATABASE),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    },
    onExit: (code) => {
      if (!stopping) {
        console.error(`The server exited unexpectedly (code ${code}).`);
        void stop(1);
      }
    },
  }));

  const shown = (name: keyof typeof credentials) => (generated.includes(name) ? credentials[name] : '(from your environment)');
  console.log(`
Fapiao is running.

  Server           ${server.url}
  Health           ${server.url}/healthz   ${server.url}/readyz
  Database         ${db.description} at ${withDatabaseName(db.uri, DEV_DATABASE)}

Development credentials (generated once, kept in .data/dev-env.json):
  WECHAT_APPID     ${shown('WECHAT_APPID')}
  WECHAT_TOKEN     ${shown('WECHAT_TOKEN')}
  WECHAT_AES_KEY   ${shown('WECHAT_AES_KEY')}
  Admin API key    ${shown('ADMIN_API_KEYS')}

Ctrl-C stops everything.
`);
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
