/**
 * The WeChat sandbox on its own: `npx tsx server/sandbox/main.ts` with
 *   SANDBOX_MONGODB_URI  its own database (required), e.g. mongodb://127.0.0.1:27017/fapiao_sandbox
 *   SANDBOX_APPID, SANDBOX_SECRET  the app WeChat knows (or SANDBOX_APPS, a JSON list of apps)
 *   SANDBOX_PUSH_URL, SANDBOX_PUSH_TOKEN [, SANDBOX_PUSH_AES_KEY, SANDBOX_PUSH_MODE plain|compatible|safe,
 *     SANDBOX_PUSH_FORMAT xml|json]  where and how its pushes go (mode: safe when an AES key is given)
 *   SANDBOX_ORIGINAL_ID (gh_…), SANDBOX_PORT (3900), SANDBOX_HOST (127.0.0.1), SANDBOX_PUBLIC_URL,
 *   SANDBOX_SETTINGS  JSON of SandboxSettings to change (e.g. {"invoiceIssueDelayMs":3000})
 * Prints where it listens; SIGINT/SIGTERM stop it gracefully.
 */
import { createSandbox } from '.';
import { parseSandboxEnv, SandboxEnvError } from './main-env';

async function main(): Promise<void> {
  const config = parseSandboxEnv(process.env);
  const sandbox = await createSandbox({ ...config.options, log: (msg, err) => console.error(`[sandbox] ${msg}`, err ?? '') }, config.port, config.host);
  const base = config.options.publicUrl?.replace(/\/+$/, '') ?? sandbox.url;
  const apps = config.options.apps.map((a) => `  ${a.appid}  pushes: ${a.push ? `${a.push.url} (${a.push.mode}, ${a.push.format})` : 'none'}`);
  console.log(`WeChat sandbox listening on ${sandbox.url}

  WECHAT_API_BASE   ${base}
  Console           ${base}/sandbox
  Auth page         ${base}/sandbox/auth?<auth_url query>[&openid=…]
  Machine API       ${base}/sandbox/api/…
Apps:
${apps.join('\n')}

Ctrl-C stops it.`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('sandbox: stopping failed', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof SandboxEnvError ? err.message : `sandbox failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
