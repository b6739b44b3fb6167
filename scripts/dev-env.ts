import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { dataDir } from './mongo/paths';

/**
 * Development credentials for `npm start`. A value set in the environment wins (and is never
 * printed); otherwise one is generated once, kept in .data/dev-env.json so it is stable across
 * runs, and printed so a developer can use it. Nothing here is ever a production default.
 */
export interface DevCredentials {
  WECHAT_APPID: string;
  WECHAT_SECRET: string;
  WECHAT_TOKEN: string;
  WECHAT_AES_KEY: string;
  ADMIN_API_KEYS: string;
}

const file = path.join(dataDir, 'dev-env.json');

const generators: Record<keyof DevCredentials, () => string> = {
  WECHAT_APPID: () => `wx${crypto.randomBytes(8).toString('hex')}`,
  WECHAT_SECRET: () => crypto.randomBytes(16).toString('hex'),
  WECHAT_TOKEN: () => crypto.randomBytes(12).toString('hex'),
  // 43 characters of [A-Za-z0-9] that base64-decode (with "=") to 32 bytes, as WeChat issues them.
  WECHAT_AES_KEY: () => crypto.randomBytes(64).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 42) + 'A',
  ADMIN_API_KEYS: () => `dev-admin-${crypto.randomBytes(18).toString('hex')}`,
};

/**
 * The development seller's tax identity: not secret, printed on sandbox invoices. A value in the
 * environment wins; production sets all of them (the server has no defaults).
 */
export function devSellerIdentity(env: NodeJS.ProcessEnv): Record<string, string> {
  const defaults: Record<string, string> = {
    SELLER_NSRSBH: '91350100M000100Y43',
    SELLER_NSRMC: '福州示例商贸有限公司',
    SELLER_NSRDZ: '福州市鼓楼区示例路 1 号',
    SELLER_NSRDH: '0591-88888888',
    SELLER_NSRBANK: '中国银行福州分行',
    SELLER_NSRBANKID: '4055 0000 1234 5678',
    INVOICE_ISSUER: '开票员',
  };
  return Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, env[name] || value]));
}

export function devCredentials(env: NodeJS.ProcessEnv): { values: DevCredentials; generated: (keyof DevCredentials)[] } {
  const stored = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DevCredentials>) : {};
  const values = {} as DevCredentials;
  const generated: (keyof DevCredentials)[] = [];
  for (const name of Object.keys(generators) as (keyof DevCredentials)[]) {
    const fromEnv = env[name];
    if (fromEnv) {
      values[name] = fromEnv;
      continue;
    }
    values[name] = stored[name] ?? generators[name]();
    stored[name] = values[name];
    generated.push(name);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return { values, generated };
}

/**
 * The demo staff accounts' password for the console under `npm start`: generated once and kept
 * in .data/dev-env.json beside the other development credentials; CONSOLE_DEMO_PASSWORD wins.
 */
export function devConsolePassword(env: NodeJS.ProcessEnv): { password: string; generated: boolean } {
  if (env.CONSOLE_DEMO_PASSWORD) return { password: env.CONSOLE_DEMO_PASSWORD, generated: false };
  const stored = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>) : {};
  stored.CONSOLE_DEMO_PASSWORD ??= `demo-${crypto.randomBytes(6).toString('hex')}`;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return { password: stored.CONSOLE_DEMO_PASSWORD, generated: true };
}
