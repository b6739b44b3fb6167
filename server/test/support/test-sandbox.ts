import { createSandbox, type BehaviourInput, type Sandbox, type SandboxApp, type SandboxSettings } from '../../sandbox';
import { testDatabaseUri } from '../harness/database';
import { TEST_ENV } from './app';

/** The EncodingAESKey of the test Mini Program's safe-mode pushes (the server under test has it too). */
export const PUSH_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** Issuing and pushes quick, so a whole flow takes a second or two. */
const QUICK: Partial<SandboxSettings> = { invoiceIssueDelayMs: 100, pushTimeoutMs: 2_000, workerPollMs: 50 };

/**
 * The WeChat sandbox of every stack the tests start — under an in-process server
 * (lifecycle-env.ts) or a server process (server-process.ts): its own fresh database, the test
 * Mini Program (TEST_ENV's appid and secret) registered, quick to issue and push, silent.
 */
export function startTestSandbox(
  opts: {
    /** The Mini Program's gh_… id (a drill names its own, to tell its pushes apart). */
    originalId?: string;
    /** Further accounts of the merchant, and fields the Mini Program's entry gets (e.g. an Open Platform). */
    apps?: SandboxApp[];
    miniProgram?: Partial<SandboxApp>;
    settings?: Partial<SandboxSettings>;
    /** WeChat's undocumented behaviour in the sandbox (docs/wechat-behaviour.md). */
    behaviour?: BehaviourInput;
  } = {},
): Promise<Sandbox> {
  return createSandbox({
    mongodbUri: testDatabaseUri(),
    apps: [{ appid: TEST_ENV.WECHAT_APPID, secret: TEST_ENV.WECHAT_SECRET, originalId: opts.originalId ?? 'gh_fapiaotest001', ...opts.miniProgram }, ...(opts.apps ?? [])],
    settings: { ...QUICK, ...opts.settings },
    ...(opts.behaviour ? { behaviour: opts.behaviour } : {}),
    log: () => {},
  });
}

/**
 * Points an account's pushes at `url`, as its owner would in WeChat's console: safe-mode XML with
 * the test Mini Program's Token and key unless `keys` says otherwise (no aesKey: plain mode).
 */
export async function pointSandboxPushesAt(
  sandbox: Sandbox,
  url: string,
  appid: string = TEST_ENV.WECHAT_APPID,
  keys: { token: string; aesKey?: string | undefined } = { token: TEST_ENV.WECHAT_TOKEN, aesKey: PUSH_AES_KEY },
): Promise<void> {
  const push = { url, token: keys.token, ...(keys.aesKey ? { aesKey: keys.aesKey, mode: 'safe' } : { mode: 'plain' }), format: 'xml' };
  await sandbox.db.model('SandboxApp').updateOne({ appid }, { $set: { push } });
}
