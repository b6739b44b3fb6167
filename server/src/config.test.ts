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
