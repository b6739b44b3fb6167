import type { SandboxClock } from './clock';
import type { SandboxModels } from './data/models';

/** What every sandbox route needs: its models, the clock, and the lifetimes it hands out. */
export interface SandboxContext {
  models: SandboxModels;
  /** The sandbox's time (clock.ts); `now()` reads it. */
  clock: SandboxClock;
  now(): Date;
  settings: SandboxSettings;
  /**
   * Base URL under which the sandbox is reached from outside (pdfurl, web auth_url), without a
   * trailing slash. Set once the server listens (or from SandboxOptions.publicUrl).
   */
  publicUrl: string;
}

export interface SandboxSettings {
  /** access_token lifetime (WeChat: 7200 s). Tests shorten it to watch tokens expire. */
  tokenTtlSeconds: number;
  /** wx_card ticket lifetime (WeChat: 7200 s). */
  ticketTtlSeconds: number;
  /** How long a replaced token keeps working (WeChat: about 5 minutes). */
  overlapSeconds: number;
  /** How long the invoicing platform takes to issue (or fail) after makeoutinvoice/clearoutinvoice. */
  invoiceIssueDelayMs: number;
  /** A push attempt without an answer after this long counts as failed (WeChat: 5 s). */
  pushTimeoutMs: number;
  /** Retries after a failed first attempt (WeChat: 3). */
  pushRetries: number;
  /** Pause between a failed attempt and its retry (WeChat re-sends at once: 0). */
  pushRetryPauseMs: number;
  /** How often the background loop looks for due invoices and pushes. */
  workerPollMs: number;
}

export const WECHAT_DEFAULT_SETTINGS: SandboxSettings = {
  tokenTtlSeconds: 7200,
  ticketTtlSeconds: 7200,
  overlapSeconds: 300,
  invoiceIssueDelayMs: 1000,
  pushTimeoutMs: 5000,
  pushRetries: 3,
  pushRetryPauseMs: 0,
  workerPollMs: 200,
};
