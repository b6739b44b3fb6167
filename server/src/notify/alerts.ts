import type { OutboxRepository } from '../data/outbox/outbox.repository';
import type { OutboxDoc } from '../data/outbox/outbox.schema';
import type { Logger } from '../logger';
import { errcodeInfo } from '../wechat/errcodes';
import type { Delivery, Outbox } from './delivery';

export type AlertKind = 'needs_attention' | 'reconcile_mismatch' | 'wechat_errors';

/** What an alert says; stored in the alert outbox, then sent to the webhook. */
export interface AlertPayload {
  kind: AlertKind;
  /** The incident's key: one alert per incident. */
  incident: string;
  title: string;
  text: string;
  at: string;
  requestId?: string;
  orderNo?: string;
  endpoint?: string;
}

/**
 * The alerts Fapiao raises. Each call stores one alert per incident (the outbox's key is the
 * incident: the same request needing attention twice, or two processes seeing one mismatch, is
 * one alert), and the delivery loop sends it to ALERT_WEBHOOK_URL with retries. Never throws:
 * a failure to raise an alert is logged, and must not fail what raised it.
 */
export interface Alerts {
  /** An invoice request needs a human (domain/lifecycle/attention.ts); `since` tells one flag from the next. */
  needsAttention(input: { requestId: string; orderNo: string; reason: string; since?: Date }): Promise<void>;
  /** Ops' reconcile found that WeChat disagrees with us about a request. */
  reconcileMismatch(input: { requestId: string; orderNo: string; status: string; detail: string }): Promise<void>;
  /** One endpoint's WeChat errors reached the threshold within the window (see wechatErrorWatch). */
  wechatErrors(input: { endpoint: string; errors: number; windowS: number; since: Date }): Promise<void>;
}

export function createAlerts(deps: { outbox: OutboxRepository<AlertPayload>; log: Logger; now(): Date; onRaised?(kind: AlertKind): void }): Alerts {
  async function raise(payload: Omit<AlertPayload, 'at'>): Promise<void> {
    try {
      const created = await deps.outbox.enqueue(payload.incident, { ...payload, at: deps.now().toISOString() }, deps.now());
      if (!created) return;
      deps.onRaised?.(payload.kind);
      deps.log.warn({ alert: payload.kind, incident: payload.incident }, `alert: ${payload.title}`);
    } catch (err) {
      deps.log.error({ err, alert: payload.kind, incident: payload.incident }, 'alert could not be stored');
    }
  }
  return {
    needsAttention: ({ requestId, orderNo, reason, since }) =>
      raise({
        kind: 'needs_attention',
        incident: `needs_attention:${requestId}${since ? `:${since.getTime()}` : ''}`,
        title: `Invoice request for order ${orderNo} needs attention`,
        text: reason,
        requestId,
        orderNo,
      }),
    reconcileMismatch: ({ requestId, orderNo, status, detail }) =>
      raise({
        kind: 'reconcile_mismatch',
        incident: `reconcile_mismatch:${requestId}:${status}`,
        title: `Reconcile: WeChat disagrees about order ${orderNo} (${status})`,
        text: detail,
        requestId,
        orderNo,
      }),
    wechatErrors: ({ endpoint, errors, windowS, since }) =>
      raise({
        kind: 'wechat_errors',
        // One incident per endpoint per window: an outage that lasts raises one alert per window.
        incident: `wechat_errors:${endpoint}:${Math.floor(since.getTime() / (windowS * 1000))}`,
        title: `WeChat ${endpoint}: ${errors} errors within ${windowS} s`,
        text: `${errors} calls to ${endpoint} failed (no answer, WeChat busy or over quota, or a platform error) within ${windowS} s`,
        endpoint,
      }),
  };
}

/** Alerts that are only logged: no webhook configured. */
export function loggedAlerts(log: Logger): Alerts {
  const say = (fields: Record<string, unknown>, text: string) => Promise.resolve(log.warn({ ...fields, alert: true }, `alert (no ALERT_WEBHOOK_URL): ${text}`));
  return {
    needsAttention: (i) => say(i, 'invoice request needs attention'),
    reconcileMismatch: (i) => say(i, 'reconcile mismatch'),
    wechatErrors: (i) => say({ endpoint: i.endpoint, errors: i.errors, windowS: i.windowS }, 'WeChat error threshold reached'),
  };
}

/**
 * Counts failed WeChat calls per endpoint over a sliding window in this process, and raises
 * `wechatErrors` when an endpoint reaches `threshold` (once per window: the outbox de-duplicates
 * across processes, this spares the database a write per error meanwhile).
 */
export function wechatErrorWatch(alerts: Alerts, options: { threshold: number; windowS: number; now(): Date }) {
  const failures = new Map<string, number[]>();
  const alertedUntil = new Map<string, number>();
  return {
    /** Told about every exchange with WeChat (its errcode, or the transport failure). */
    record(endpoint: string, errcode: string): void {
      if (!isWeChatFailure(errcode)) return;
      const now = options.now().getTime();
      const windowMs = options.windowS * 1000;
      const times = (failures.get(endpoint) ?? []).filter((t) => t > now - windowMs);
      times.push(now);
      failures.set(endpoint, times);
      if (times.length < options.threshold || (alertedUntil.get(endpoint) ?? 0) > now) return;
      alertedUntil.set(endpoint, now + windowMs);
      void alerts.wechatErrors({ endpoint, errors: times.length, windowS: options.windowS, since: new Date(times[0]!) });
    },
  };
}

/** "In progress, ask again" answers: part of a normal issuing, not WeChat failing. */
const IN_PROGRESS = new Set([73105, 73107]);

/**
 * Whether an exchange counts towards the error alert: WeChat unreachable or failing (a transport
 * failure, a busy or quota answer, a platform error). Business answers (72038 "not authorized
 * yet" while polling, a refused title) are the flow working, not WeChat failing.
 */
function isWeChatFailure(errcode: string): boolean {
  const code = Number(errcode);
  if (!Number.isInteger(code)) return true; // timeout, network, http_5xx, bad_response…
  if (code === 0 || IN_PROGRESS.has(code)) return false;
  const errclass = errcodeInfo(code).class;
  return errclass === 'transient' || errclass === 'quota' || errclass === 'unknown';
}

/** The webhook's body: generic JSON, or the WeCom group robot's markdown message. */
function webhookBody(payload: AlertPayload, format: 'json' | 'wecom'): object {
  if (format === 'json') return payload;
  const lines = [
    `**Fapiao: ${payload.title}**`,
    `> ${payload.text}`,
    ...(payload.orderNo ? [`> 订单 order: ${payload.orderNo}`] : []),
    ...(payload.requestId ? [`> request: ${payload.requestId}`] : []),
    `> ${payload.at} · ${payload.incident}`,
  ];
  // WeCom caps markdown content at 4096 bytes.
  return { msgtype: 'markdown', markdown: { content: truncateUtf8(lines.join('\n'), 4000) } };
}

/** The alert outbox, delivering to the webhook. */
export function alertOutbox(deps: {
  repository: OutboxRepository<AlertPayload>;
  url: string;
  format: 'json' | 'wecom';
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  onAttempt?: Outbox<AlertPayload>['onAttempt'] | undefined;
}): Outbox<AlertPayload> {
  return {
    name: 'alert',
    repository: deps.repository,
    policy: { retryBaseMs: deps.retryBaseMs, retryMaxMs: deps.retryMaxMs, maxAttempts: deps.maxAttempts },
    logFields: (m: OutboxDoc<AlertPayload>) => ({ incident: m._id, ...(m.payload.requestId ? { requestId: m.payload.requestId, orderNo: m.payload.orderNo } : {}) }),
    onAttempt: deps.onAttempt,
    deliver: (message) => postWebhook(deps.url, deps.format, message.payload, deps.timeoutMs),
  };
}

async function postWebhook(url: string, format: 'json' | 'wecom', payload: AlertPayload, timeoutMs: number): Promise<Delivery> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-fapiao-incident': encodeURIComponent(payload.incident) },
      body: JSON.stringify(webhookBody(payload, format)),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    // The URL may carry a key (WeCom): the message names the failure, never the URL.
    return { ok: false, permanent: false, detail: `webhook unreachable: ${(err as Error).name}` };
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) return { ok: false, permanent: false, detail: `webhook answered HTTP ${res.status}` };
  if (format === 'wecom') {
    // The robot answers 200 with {"errcode":…,"errmsg":…}; only errcode 0 is delivered.
    let errcode: unknown;
    try {
      errcode = (JSON.parse(text) as { errcode?: unknown }).errcode;
    } catch {
      errcode = undefined;
    }
    if (errcode !== 0) return { ok: false, permanent: false, detail: `WeCom robot answered errcode ${String(errcode)}` };
  }
  return { ok: true, detail: `HTTP ${res.status}` };
}

function truncateUtf8(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text);
  if (buffer.length <= maxBytes) return text;
  return `${buffer.subarray(0, maxBytes).toString().replace(/\uFFFD$/, '')}…`;
}
