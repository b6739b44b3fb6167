import type { SandboxModels } from './data/models';

/** What every sandbox route needs: its models, the clock, and the lifetimes it hands out. */
export interface SandboxContext {
  models: SandboxModels;
  now(): Date;
  settings: SandboxSettings;
}

export interface SandboxSettings {
  /** access_token lifetime (WeChat: 7200 s). Tests shorten it to watch tokens expire. */
  tokenTtlSeconds: number;
  /** wx_card ticket lifetime (WeChat: 7200 s). */
  ticketTtlSeconds: number;
  /** How long a replaced token keeps working (WeChat: about 5 minutes). */
  overlapSeconds: number;
}

export const WECHAT_DEFAULT_SETTINGS: SandboxSettings = {
  tokenTtlSeconds: 7200,
  ticketTtlSeconds: 7200,
  overlapSeconds: 300,
};
