/**
 * One "server process" for token-multiprocess.test.ts, run with tsx as its own OS process.
 * Builds the WeChat client exactly as the server does (MongoDB token store, real HTTP), prints
 * `ready`, waits for a line on stdin so that all processes start together on a cold cache, then
 * makes CALLS concurrent getauthurl calls (each needs the access_token AND the wx_card ticket) and
 * prints one JSON line: {"ok": n, "failed": n, "errors": [...], "tokens": [...], "tickets": [...], "rss": bytes}.
 *
 * Environment: WECHAT_API_BASE, MONGODB_URI, WECHAT_APPID, WECHAT_SECRET, CALLS.
 */
import mongoose from 'mongoose';
import { createMongoTokenStore } from '../../src/data/wechat-credential/wechat-credential.repository';
import { createWeChatClient } from '../../src/wechat/client';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const calls = Number(required('CALLS'));
  const connection = await mongoose.createConnection(required('MONGODB_URI')).asPromise();
  const client = createWeChatClient({
    baseUrl: required('WECHAT_API_BASE'),
    appid: required('WECHAT_APPID'),
    secret: required('WECHAT_SECRET'),
    tokenStore: createMongoTokenStore(connection),
    timeoutMs: 15_000,
    credentials: { pollMs: 25 },
  });

  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy(); // or the open stdin keeps this process alive after its work

  const results = await Promise.allSettled(
    Array.from({ length: calls }, (_, i) =>
      client.invoice.getAuthUrl({
        s_pappid: 'wxabcd',
        order_id: `${process.pid}-${i}`,
        money: 100 + i,
        timestamp: 1_700_000_000,
        source: 'wxa',
        type: 1,
      }),
    ),
  );
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const summary = {
    ok: results.length - failures.length,
    failed: failures.length,
    errors: [...new Set(failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))))].slice(0, 5),
    tokens: [await client.credentials.accessToken()],
    tickets: [await client.credentials.wxCardTicket()],
    rss: process.memoryUsage().rss,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
