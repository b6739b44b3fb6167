import { backoffMs } from '@fapiao/shared';
import type { InvoiceRequestRepository } from '../../data/invoice-request/invoice-request.repository';
import type { WeChatAnswer } from '../entities/invoice-request';
import type { OrderRepository } from '../../data/order/order.repository';
import type { PostPaymentRepository } from '../../data/post-payment/post-payment.repository';
import type { SettingsRepository } from '../../data/settings/settings.repository';
import type { WeChatCallLog } from '../../data/wechat-call/wechat-call.repository';
import type { Logger } from '../../logger';
import type { Alerts } from '../../notify/alerts';
import type { EmailCopies } from '../../notify/email-copy';
import type { InvoiceApi } from '../../wechat';
import type { WeChatAccounts } from '../../wechat/accounts';
import type { SellerIdentity } from '../invoice-content';
import type { AttentionListener } from './attention';

/** Everything the invoice lifecycle needs, built by the composition root. */
export interface LifecycleDeps {
  orders: OrderRepository;
  requests: InvoiceRequestRepository;
  postPayments: PostPaymentRepository;
  settings: SettingsRepository;
  /** The default account's invoice API (settings, seturl); a request's own calls go through channel.ts. */
  invoice: InvoiceApi;
  /** Every configured WeChat account, for the calls a request makes with its own account. */
  accounts: WeChatAccounts;
  invoicing: InvoicingConfig;
  schedule: SchedulePolicy;
  now(): Date;
  random(): number;
  log: Logger;
  /** Alerts to ops (webhook); absent in tests that do not need them. */
  alerts?: Alerts;
  /** The buyer's emailed copy; absent when SMTP_URL is unset. */
  copies?: EmailCopies;
  /** Told of every request flagged as needing attention (see attention.ts; alerts subscribe here). */
  onAttention?: AttentionListener[];
  /** The journal of every WeChat call made for a request (wechat_calls); absent in tests that do not read it. */
  wechatCalls?: WeChatCallLog;
  /** Inside one worker step: WeChat's answers so far (a flag raised in the step carries them). */
  stepAnswers?: WeChatAnswer[];
}

interface InvoicingConfig {
  sPappid: string;
  fpqqlshPrefix: string;
  seller: SellerIdentity;
  /** Sandbox mode: base URL of the sandbox, whose authorization page a DevTools web-view opens. */
  sandboxBaseUrl?: string;
  /** How long a post-payment authorization for an order not imported yet waits for it. */
  postPaymentMatchMs: number;
}

/** How long the worker waits between looks at a request (all in ms). */
export interface SchedulePolicy {
  /** First getauthdata poll after the auth URL was handed out, then doubling… */
  authPollFirstMs: number;
  /** …up to this. */
  authPollMaxMs: number;
  /** How long a user has to authorize when the merchant's contact time_out is unknown. */
  defaultAuthWindowMs: number;
  /** First queryinvoceinfo after makeoutinvoice/clearoutinvoice was accepted, then doubling… */
  confirmFirstMs: number;
  /** …up to this. */
  confirmMaxMs: number;
  /** Back-off after a transient failure (WeChat busy, unreachable), doubling… */
  retryBaseMs: number;
  /** …up to this. */
  retryMaxMs: number;
  /**
   * Per worker-driven state: after this many looks, or this long in the state, without an outcome
   * the request is flagged as needing attention and the worker stops looking (AUTH_PENDING is
   * bounded by its authorization deadline instead).
   */
  limits: Record<'AUTHORIZED' | 'ISSUING' | 'OFFSETTING', { looks: number; ageMs: number }>;
}

export const DEFAULT_SCHEDULE: SchedulePolicy = {
  authPollFirstMs: 20_000,
  authPollMaxMs: 10 * 60_000,
  defaultAuthWindowMs: 2 * 24 * 3600_000,
  confirmFirstMs: 3_000,
  confirmMaxMs: 5 * 60_000,
  retryBaseMs: 2_000,
  retryMaxMs: 10 * 60_000,
  // With the waits above, 20 looks are about an hour and a half of querying.
  limits: {
    AUTHORIZED: { looks: 10, ageMs: 30 * 60_000 },
    ISSUING: { looks: 20, ageMs: 2 * 3600_000 },
    OFFSETTING: { looks: 20, ageMs: 2 * 3600_000 },
  },
};

/** The wait before look number `attempts` (shared's one back-off, ±25 % jitter from deps.random). */
export function backoff(deps: Pick<LifecycleDeps, 'random'>, firstMs: number, maxMs: number, attempts: number): number {
  return backoffMs(attempts, { firstMs, maxMs }, deps.random);
}

/** What a worker step decides: look again at `at` (with the attempt count to keep), or done. */
export type Next = { at: Date; attempts: number } | undefined;

export function after(deps: Pick<LifecycleDeps, 'now'>, ms: number, attempts: number): Next {
  return { at: new Date(deps.now().getTime() + ms), attempts };
}
