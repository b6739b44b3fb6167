import { startFakeWeChat } from '../server/test/support/fake-wechat';
import { startTokenWorker } from '../server/test/support/token-worker-process';
import { randomAppid, TEST_SECRET } from '../server/test/support/wechat-seeds';
import type { BenchResult } from './lib/report';
import { freshDatabase } from './lib/stack';

const PROCESSES = 4;

/**
 * 4 OS processes built like the server's WeChat client (token-worker.ts, as the multi-process
 * token test runs them), all released at once on a cold cache against one database, each making
 * its share of getauthurl calls (each needs the access_token and the wx_card ticket). The fake
 * WeChat server counts what reaches it.
 */
export async function tokensBench(serverUri: string, quick: boolean): Promise<BenchResult> {
  const started = performance.now();
  const calls = quick ? 400 : 1000;
  const perProcess = calls / PROCESSES;
  const appid = randomAppid();
  const mongodbUri = freshDatabase(serverUri, 'tokens');
  const fake = await startFakeWeChat({ appid, secret: TEST_SECRET });
  const workers = Array.from({ length: PROCESSES }, () =>
    startTokenWorker({ WECHAT_API_BASE: fake.baseUrl, MONGODB_URI: mongodbUri, WECHAT_APPID: appid, WECHAT_SECRET: TEST_SECRET, CALLS: String(perProcess) }),
  );
  try {
    await Promise.all(workers.map((w) => w.ready));
    const released = performance.now();
    for (const worker of workers) worker.go();
    const summaries = await Promise.all(workers.map((w) => w.summary));
    const seconds = (performance.now() - released) / 1000;
    const ok = summaries.reduce((n, s) => n + s.ok, 0);
    const tokenFetches = fake.tokenFetches();
    const ticketFetches = fake.count('/cgi-bin/ticket/getticket');
    const distinctTokens = new Set(summaries.flatMap((s) => s.tokens)).size;
    return {
      name: 'tokens',
      title: `Tokens: ${calls} concurrent WeChat calls from ${PROCESSES} processes on a cold cache`,
      figures: [
        { name: 'calls that succeeded', value: ok, unit: `of ${calls}` },
        { name: 'access_token fetches at WeChat', value: tokenFetches, unit: '' },
        { name: 'wx_card ticket fetches at WeChat', value: ticketFetches, unit: '' },
        { name: 'distinct tokens the processes ended with', value: distinctTokens, unit: '' },
        { name: 'getauthurl calls reaching WeChat', value: fake.count('/card/invoice/getauthurl'), unit: '' },
        { name: 'time from release to the last answer', value: seconds, unit: 's' },
        { name: 'calls per second (all processes)', value: ok / seconds, unit: 'calls/s' },
      ],
      ratios: [
        { name: 'token fetches / calls', value: tokenFetches / calls, meaning: 'cost of the cold start on the daily token quota' },
        { name: 'calls / token fetches', value: calls / Math.max(1, tokenFetches), meaning: 'calls served per token fetched' },
      ],
      rss: { process: `largest of the ${PROCESSES} client processes`, mb: Math.max(...summaries.map((s) => s.rss)) / 1024 / 1024 },
      notes: [
        'WeChat here is server/test/support/fake-wechat (the counting stand-in the multi-process token test uses), in the benchmark process',
        'the 4 processes share one database: the token and ticket are fetched under a lease stored there',
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    for (const { spawned } of workers) if (spawned.child.exitCode === null) spawned.child.kill();
    await fake.close();
  }
}
