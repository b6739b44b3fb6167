import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_ENV } from '../test/support/app';
import { ConfigError, describeConfig, loadConfig } from './config';

const valid: Record<string, string> = {
  ...TEST_ENV,
  MONGODB_URI: 'mongodb://127.0.0.1:27017/fapiao',
  ADMIN_API_KEYS: 'key-aaaaaaaaaaaaaaaaaaaaaaaa, key-bbbbbbbbbbbbbbbbbbbbbbbb',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses a complete environment, applying defaults for non-secrets', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      WECHAT_API_BASE: 'https://api.weixin.qq.com',
      ADMIN_API_KEYS: ['key-aaaaaaaaaaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbbbbbbbbbb'],
    });
    expect(config.WECHAT_AES_KEY).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every missing required variable in one message', () => {
    const { WECHAT_SECRET: _secret, ADMIN_API_KEYS: _keys, ...rest } = valid;
    const problems = problemsOf(rest);
    expect(problems).toEqual(['missing required environment variables: WECHAT_SECRET, ADMIN_API_KEYS']);
  });

  it('treats an empty variable as missing', () => {
    expect(problemsOf({ ...valid, WECHAT_TOKEN: '' })).toEqual(['missing required environment variables: WECHAT_TOKEN']);
  });

  it('explains invalid values without echoing them', () => {
    const problems = problemsOf({ ...valid, WECHAT_AES_KEY: 'tooShortButSecret', PORT: 'eighty' });
    expect(problems.join('\n')).toMatch(/WECHAT_AES_KEY: must be the 43-character EncodingAESKey/);
    expect(problems.join('\n')).toMatch(/PORT:/);
    expect(problems.join('\n')).not.toContain('tooShortButSecret');
  });

  it('rejects short admin keys', () => {
    expect(problemsOf({ ...valid, ADMIN_API_KEYS: 'short' }).join()).toMatch(/ADMIN_API_KEYS: each key must be at least 24 characters/);
  });

  it('has no default for any secret', () => {
    const required = describeConfig()
      .filter((v) => v.required)
      .map((v) => v.name);
    expect(required).toEqual(expect.arrayContaining(['MONGODB_URI', 'WECHAT_APPID', 'WECHAT_SECRET', 'WECHAT_TOKEN', 'ADMIN_API_KEYS']));
    expect(describeConfig().find((v) => v.name === 'WECHAT_AES_KEY')?.required).toBe(false);
  });

  it('production extras: metrics, alerts and email are off unless configured, and checked when they are', () => {
    const config = loadConfig(valid);
    expect(config.METRICS_TOKEN).toBeUndefined();
    expect(config.ALERT_WEBHOOK_URL).toBeUndefined();
    expect(config.SMTP_URL).toBeUndefined();
    expect(config).toMatchObject({ ALERT_WEBHOOK_FORMAT: 'json', ALERT_WECHAT_ERRORS: 20, ALERT_WECHAT_WINDOW_S: 300 });
    expect(problemsOf({ ...valid, SMTP_URL: 'smtp://user:pw@mail.example' })).toEqual(['MAIL_FROM: is required with SMTP_URL (the sender of the emailed copy)']);
    const bad = problemsOf({ ...valid, METRICS_TOKEN: 'shortButSecret', SMTP_URL: 'http://mail.example', ALERT_WEBHOOK_URL: 'ftp://hooks', ALERT_WEBHOOK_FORMAT: 'slack' }).join('\n');
    expect(bad).toMatch(/METRICS_TOKEN: must be at least 24 characters/);
    expect(bad).toMatch(/SMTP_URL: must start with smtp:\/\/ or smtps:\/\//);
    expect(bad).toMatch(/ALERT_WEBHOOK_URL: must be an http\(s\) URL/);
    expect(bad).toMatch(/ALERT_WEBHOOK_FORMAT:/);
    expect(bad).not.toContain('shortButSecret');
    const on = loadConfig({ ...valid, SMTP_URL: 'smtps://u:p@mail.example', MAIL_FROM: 'Shop <fapiao@shop.example>', ALERT_WEBHOOK_FORMAT: 'wecom' });
    expect(on).toMatchObject({ SMTP_URL: 'smtps://u:p@mail.example', MAIL_FROM: 'Shop <fapiao@shop.example>', ALERT_WEBHOOK_FORMAT: 'wecom' });
  });
});

describe('loadConfig: several WeChat accounts', () => {
  const oa = {
    name: 'oa',
    kind: 'official_account',
    appid: 'wxoa01oa01oa01oa01',
    secret: 'oa-secret-0123456789abcdef0123',
    token: 'oaPushToken42',
    aesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut',
  };
  const app = { name: 'app', kind: 'app', appid: 'wxapp1app1app1app1', secret: 'app-secret-0123456789abcdef012' };
  const { WECHAT_APPID: _a, WECHAT_SECRET: _s, WECHAT_TOKEN: _t, ...withoutLegacy } = valid;

  it("keeps today's single account: the variables make the account named default", () => {
    expect(loadConfig(valid).accounts).toEqual([
      { name: 'default', kind: 'mini_program', appid: valid.WECHAT_APPID, secret: valid.WECHAT_SECRET, token: valid.WECHAT_TOKEN, acceptPlainPush: false },
    ]);
  });

  it('adds the listed accounts after the default one, or uses the list alone', () => {
    expect(loadConfig({ ...valid, WECHAT_ACCOUNTS: JSON.stringify([oa, app]) }).accounts.map((a) => a.name)).toEqual(['default', 'oa', 'app']);
    const alone = loadConfig({ ...withoutLegacy, WECHAT_ACCOUNTS: JSON.stringify([oa]) });
    expect(alone.accounts).toEqual([{ ...oa, acceptPlainPush: false }]);
    expect(Object.isFrozen(alone.accounts[0])).toBe(true);
  });

  it('reads the list from a file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fapiao-accounts-')), 'accounts.json');
    fs.writeFileSync(file, JSON.stringify([oa, app]));
    expect(loadConfig({ ...withoutLegacy, WECHAT_ACCOUNTS_FILE: file }).accounts.map((a) => a.appid)).toEqual([oa.appid, app.appid]);
    expect(problemsOf({ ...withoutLegacy, WECHAT_ACCOUNTS_FILE: `${file}.missing` })).toEqual(['WECHAT_ACCOUNTS_FILE: cannot read the file (ENOENT)']);
  });

  it('checks every account is complete, names are unique and appids too, without echoing any value', () => {
    const problems = problemsOf({
      ...valid,
      WECHAT_ACCOUNTS: JSON.stringify([
        { ...oa, token: undefined },
        { ...app, secret: 'shortSecret' },
        { ...oa, name: 'default' },
        { ...oa, name: 'oa2' },
        { ...oa, name: 'oa3', extra: 1 },
      ]),
    }).join('\n');
    expect(problems).toContain('WECHAT_ACCOUNTS[0] "oa".token: required for this kind of account');
    expect(problems).toContain('WECHAT_ACCOUNTS[1] "app".secret: must be the 32-character AppSecret');
    expect(problems).toContain('WECHAT_ACCOUNTS[4] "oa3".(entry): Unrecognized key');
    expect(problems).toContain('the account name "default" is used twice');
    expect(problems).toContain(`the appid ${oa.appid} is configured twice`);
    expect(problems).not.toContain('shortSecret');
    expect(problems).not.toContain(oa.aesKey);
  });

  it('never quotes the variable when it is not JSON (it holds secrets)', () => {
    const problems = problemsOf({ ...withoutLegacy, WECHAT_ACCOUNTS: '[{"secret":"topSecretValue123456",' });
    expect(problems).toEqual(['WECHAT_ACCOUNTS: not valid JSON']);
  });

  it('without the list, the single-account variables are required; an empty list is refused', () => {
    expect(problemsOf(withoutLegacy)).toEqual(['missing required environment variables: WECHAT_APPID, WECHAT_SECRET, WECHAT_TOKEN']);
    expect(problemsOf({ ...withoutLegacy, WECHAT_ACCOUNTS: '[]' })).toEqual(['WECHAT_ACCOUNTS: must be a JSON list with at least one account']);
  });
});
