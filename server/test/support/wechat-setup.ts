import type { Connection } from 'mongoose';
import { createMongoTokenStore } from '../../src/data/wechat-credential/wechat-credential.repository';
import { createWeChatClient, type WeChatClient, type WeChatClientOptions } from '../../src/wechat/client';
import { startFakeWeChat, type FakeWeChat, type FakeWeChatOptions } from './fake-wechat';
import { randomAppid, TEST_SECRET } from './wechat-seeds';

export interface WeChatHarness {
  fake: FakeWeChat;
  appid: string;
  /** A client on the fake and the test database (a new one shares the store: "another process"). */
  client(overrides?: Partial<WeChatClientOptions>): WeChatClient;
}

/**
 * A fake WeChat per test with an appid of its own, and clients that store credentials in the
 * file's test database. Retries wait 1 ms (the numbers themselves are checked in policy.test.ts).
 */
export function useFakeWeChat(db: () => Connection, fakeOptions: Partial<FakeWeChatOptions> = {}): () => WeChatHarness {
  let harness: WeChatHarness | undefined;
  beforeEach(async () => {
    const appid = randomAppid();
    const fake = await startFakeWeChat({ appid, secret: TEST_SECRET, ...fakeOptions });
    harness = {
      fake,
      appid,
      client: (overrides = {}) =>
        createWeChatClient({
          baseUrl: fake.baseUrl,
          appid,
          secret: TEST_SECRET,
          tokenStore: createMongoTokenStore(db()),
          timeoutMs: 2_000,
          retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 },
          credentials: { pollMs: 10 },
          ...overrides,
        }),
    };
  });
  afterEach(async () => {
    await harness?.fake.close();
    harness = undefined;
  });
  return () => {
    if (!harness) throw new Error('the fake WeChat is not running (use it inside a test)');
    return harness;
  };
}
