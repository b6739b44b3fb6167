import { createWeChatClient, type WeChatClient, type WeChatClientOptions } from './client';
import { decodeAesKey, type PushConfig } from './push';

/** One configured WeChat account as the rest of the server sees it (config-accounts.ts). */
export interface AccountSettings {
  name: string;
  kind: 'mini_program' | 'official_account' | 'app';
  appid: string;
  secret: string;
  token?: string | undefined;
  aesKey?: string | undefined;
  acceptPlainPush: boolean;
}

export interface WeChatAccount {
  readonly name: string;
  readonly kind: AccountSettings['kind'];
  readonly appid: string;
  /** Its own client: its access_token and wx_card ticket (the shared store is keyed by appid). */
  readonly client: WeChatClient;
  /** How its pushes are verified and opened; undefined for an app account (no push URL of its own). */
  readonly push?: PushConfig;
}

/** A stored reference to the account a request was made with. */
interface AccountRef {
  account?: string;
  appid?: string;
}

export interface WeChatAccounts {
  /** The first configured account: `/wechat/push`, and requests stored before accounts were recorded. */
  readonly default: WeChatAccount;
  readonly all: readonly WeChatAccount[];
  byName(name: string): WeChatAccount | undefined;
  /**
   * The account of a stored request: by appid first (a renamed account keeps its requests), then by
   * name; a reference with neither is the default account. Undefined when that account is no longer
   * configured: the caller must wait, never fall back to another account (WeChat would refuse it).
   */
  resolve(ref: AccountRef): WeChatAccount | undefined;
}

/** Builds one client per account, sharing everything but appid and secret. */
export function createWeChatAccounts(
  accounts: readonly AccountSettings[],
  shared: Omit<WeChatClientOptions, 'appid' | 'secret'>,
): WeChatAccounts {
  if (accounts.length === 0) throw new RangeError('at least one WeChat account is needed');
  const all: WeChatAccount[] = accounts.map((a) => ({
    name: a.name,
    kind: a.kind,
    appid: a.appid,
    client: createWeChatClient({ ...shared, appid: a.appid, secret: a.secret }),
    ...(a.token
      ? {
          push: {
            token: a.token,
            appid: a.appid,
            // Decoded once at start-up: a malformed key stops the process instead of failing each push.
            aesKey: a.aesKey ? decodeAesKey(a.aesKey) : undefined,
            // A plain push's signature covers token, timestamp and nonce, not the body: once safe mode
            // is configured, anyone holding one signed URL could otherwise post any event with it.
            requireEncryption: Boolean(a.aesKey) && !a.acceptPlainPush,
          },
        }
      : {}),
  }));
  const byName = new Map(all.map((a) => [a.name, a]));
  const byAppid = new Map(all.map((a) => [a.appid, a]));
  const first = all[0] as WeChatAccount;
  return {
    default: first,
    all,
    byName: (name) => byName.get(name),
    resolve(ref) {
      if (ref.appid) return byAppid.get(ref.appid);
      if (ref.account) return byName.get(ref.account);
      return first;
    },
  };
}
