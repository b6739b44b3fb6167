import { createMemoryTokenStore } from './token-store';
import { createWeChatAccounts, type AccountSettings } from './accounts';

const MP: AccountSettings = { name: 'default', kind: 'mini_program', appid: 'wx0123456789abcdef', secret: 's'.repeat(32), token: 'tok1', acceptPlainPush: false };
const OA: AccountSettings = {
  name: 'oa',
  kind: 'official_account',
  appid: 'wxoa01oa01oa01oa01',
  secret: 'o'.repeat(32),
  token: 'tok2',
  aesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut',
  acceptPlainPush: false,
};
const APP: AccountSettings = { name: 'app', kind: 'app', appid: 'wxapp1app1app1app1', secret: 'a'.repeat(32), acceptPlainPush: false };

const build = (list: AccountSettings[]) => createWeChatAccounts(list, { baseUrl: 'http://127.0.0.1:9', tokenStore: createMemoryTokenStore() });

describe('createWeChatAccounts', () => {
  it('gives each account its own client and push keys; an app account has no push endpoint', () => {
    const accounts = build([MP, OA, APP]);
    expect(accounts.default.name).toBe('default');
    expect(accounts.all.map((a) => a.client.appid)).toEqual([MP.appid, OA.appid, APP.appid]);
    expect(accounts.byName('oa')?.push).toMatchObject({ token: 'tok2', appid: OA.appid, requireEncryption: true });
    expect(accounts.byName('oa')?.push?.aesKey).toHaveLength(32);
    expect(accounts.byName('app')?.push).toBeUndefined();
  });

  it('finds a stored request’s account by appid first, so a renamed account keeps its requests', () => {
    const renamed = build([MP, { ...OA, name: 'service' }]);
    expect(renamed.resolve({ account: 'oa', appid: OA.appid })?.name).toBe('service');
    expect(renamed.resolve({ account: 'default' })?.appid).toBe(MP.appid);
    // Stored before accounts were recorded: the default account's.
    expect(renamed.resolve({})?.name).toBe('default');
  });

  it('answers nothing for an account that is no longer configured, never another account', () => {
    const without = build([MP]);
    expect(without.resolve({ account: 'oa', appid: OA.appid })).toBeUndefined();
    expect(without.resolve({ account: 'oa' })).toBeUndefined();
  });
});
