/**
 * `npm start`: the whole thing on one machine, with no WeChat account. Brings up the development
 * database (scripts/mongo decides which server), the WeChat sandbox (in this process) and the
 * Fapiao server pointed at it, prints where everything listens, and on Ctrl-C stops the server
 * gracefully, then the sandbox, then the database.
 */
import path from 'node:path';
import { createSandbox, type Sandbox } from '../server/sandbox';
import { DEV_OPEN_PLATFORM, devConsolePassword, devCredentials, devExtraAccounts, devSellerIdentity } from './dev-env';
import { freePort } from './mongo/free-port';
import { startDatabase, withDatabaseName, type RunningDatabase } from './mongo';
import { addDevIndexesAt, needsDevIndexes } from './mongo/dev-indexes';
import { DEMO_BUYERS, DEMO_STAFF, seedDemoOrders, seedDemoStaff } from './demo-data';
import { bootstrapSandboxMerchant } from './sandbox-bootstrap';
import { spawnServer, type ServerProcess } from './server-process';

const DEV_DATABASE = 'fapiao_dev';
const SANDBOX_DATABASE = 'fapiao_sandbox';
/** The original id (gh_…) the sandbox gives the development app: the ToUserName of its pushes. */
const DEV_ORIGINAL_ID = 'gh_fapiaodev0001';

async function main(): Promise<void> {
  // Filled in as things start, so that Ctrl-C during start-up stops what is already running.
  const running: { db?: RunningDatabase; sandbox?: Sandbox; server?: ServerProcess } = {};
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await running.server?.stop();
    await running.sandbox?.close();
    await running.db?.stop();
    process.exit(code);
  };
  // `on`, not `once`: a second signal (kill of the process group, tsx relaying its own) must not
  // end this process before the server it waits for has finished its in-flight requests.
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const db = (running.db = await startDatabase({ purpose: 'dev', log: (line) => console.log(`[db] ${line}`) }));
  if (needsDevIndexes(db.kind)) await addDevIndexesAt(withDatabaseName(db.uri, DEV_DATABASE));
  const { values: credentials, generated } = devCredentials(process.env);
  const host = process.env.HOST ?? '127.0.0.1';
  // The sandbox must know the server's push URL before the server starts: fix the port now.
  const port = Number(process.env.PORT ?? 3000) || (await freePort());
  // An Official Account and a mobile app beside the Mini Program, unless the environment names its own.
  const extra = process.env.WECHAT_ACCOUNTS || process.env.WECHAT_ACCOUNTS_FILE ? undefined : devExtraAccounts(credentials);
  const [oa, mobileApp] = extra?.accounts ?? [];

  const sandbox = (running.sandbox = await createSandbox(
    {
      mongodbUri: withDatabaseName(db.uri, SANDBOX_DATABASE),
      apps: [
        {
          appid: credentials.WECHAT_APPID,
          secret: credentials.WECHAT_SECRET,
          originalId: DEV_ORIGINAL_ID,
          push: {
            url: `http://127.0.0.1:${port}/wechat/push`,
            token: credentials.WECHAT_TOKEN,
            aesKey: credentials.WECHAT_AES_KEY,
            mode: 'safe',
            format: 'xml',
          },
          ...(extra ? { openPlatform: DEV_OPEN_PLATFORM } : {}),
        },
        ...(oa && mobileApp
          ? [
              {
                appid: oa.appid,
                secret: oa.secret,
                originalId: 'gh_fapiaodevoa01',
                kind: 'official_account' as const,
                openPlatform: DEV_OPEN_PLATFORM,
                push: { url: `http://127.0.0.1:${port}/wechat/push/oa`, token: oa.token ?? '', aesKey: oa.aesKey, mode: 'safe' as const, format: 'xml' as const },
              },
              { appid: mobileApp.appid, secret: mobileApp.secret, originalId: 'gh_fapiaodevapp1', kind: 'app' as const, openPlatform: DEV_OPEN_PLATFORM, pushVia: oa.appid },
            ]
          : []),
      ],
      log: (msg, err) => console.error(`[sandbox] ${msg}`, err ?? ''),
    },
    Number(process.env.SANDBOX_PORT ?? 0),
  ));
  const merchant = await bootstrapSandboxMerchant(sandbox.url, { appid: credentials.WECHAT_APPID, secret: credentials.WECHAT_SECRET });

  const server = (running.server = await spawnServer({
    entry: path.join(__dirname, '..', 'server', 'src', 'main.ts'),
    env: {
      ...process.env,
      ...credentials,
      ...devSellerIdentity(process.env),
      NODE_ENV: 'development',
      HOST: host,
      PORT: String(port),
      MONGODB_URI: withDatabaseName(db.uri, DEV_DATABASE),
      WECHAT_API_BASE: sandbox.url,
      WECHAT_SANDBOX: 'true',
      WECHAT_OPEN_BASE: sandbox.url,
      ...(extra ? { WECHAT_ACCOUNTS: JSON.stringify(extra.accounts), CHANNEL_API_KEYS: process.env.CHANNEL_API_KEYS || extra.channelKey } : {}),
      INVOICE_S_PAPPID: merchant.sPappid,
      FPQQLSH_PREFIX: merchant.merchantCode,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    },
    onExit: (code) => {
      if (!stopping) {
        console.error(`The server exited unexpectedly (code ${code}).`);
        void stop(1);
      }
    },
  }));

  const adminKey = credentials.ADMIN_API_KEYS.split(',')[0]?.trim() ?? '';
  const demo = await seedDemoOrders(server.url, adminKey, credentials.WECHAT_APPID, extra ? DEV_OPEN_PLATFORM : undefined);
  const consoleLogin = devConsolePassword(process.env);
  await seedDemoStaff(server.url, adminKey, consoleLogin.password);

  const shown = (name: keyof typeof credentials) => (generated.includes(name) ? credentials[name] : '(from your environment)');
  console.log(`
Fapiao is running.

  Server           ${server.url}
  Health           ${server.url}/healthz   ${server.url}/readyz
  WeChat sandbox   ${sandbox.url}   (console: ${sandbox.url}/sandbox)
  Database         ${db.description} at ${withDatabaseName(db.uri, DEV_DATABASE)}

  Console          ${server.url}/console/   log in as ${DEMO_STAFF.map((s) => s.username).join(' / ')} (one per role), password ${consoleLogin.generated ? consoleLogin.password : '(CONSOLE_DEMO_PASSWORD from your environment)'}

Development credentials (generated once, kept in .data/dev-env.json):
  WECHAT_APPID     ${shown('WECHAT_APPID')}
  WECHAT_TOKEN     ${shown('WECHAT_TOKEN')}
  WECHAT_AES_KEY   ${shown('WECHAT_AES_KEY')}
  Admin API key    ${shown('ADMIN_API_KEYS')}
  s_pappid         ${merchant.sPappid}   (merchant code ${merchant.merchantCode})

Demo buyers ${DEMO_BUYERS.join(', ')} have ${demo.length} orders (${demo[0]?.orderNo} …). Log in as alice:
  curl -s -X POST ${server.url}/api/mp/session -H 'content-type: application/json' -d '{"code":"alice.1"}'
The README walks the whole flow from there; the API is described at ${server.url}/openapi.json.
${
  extra
    ? `
The Official Account "oa" (H5 pages, post-payment) and the mobile app "app" run beside the Mini Program:
  H5 pages         ${server.url}/h5/oa/   (the sandbox asks once who you are: alice sees her orders)
  Channel API key  ${extra.channelKey}   (POST ${server.url}/api/channel/invoices)
`
    : ''
}
Ctrl-C stops everything.
`);
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
