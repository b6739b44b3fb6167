import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { decodeAesKey, parseBody } from '../../src/wechat/push';
import { openReply, sealPush, type SealedPush } from './seal';
import type { SandboxContext } from '../context';
import { readBehaviour } from '../control/behaviour';
import { NO_LEASE, type SandboxPushDelivery } from '../data/invoice-models';
import type { SandboxApp } from '../data/models';
import { recordAttempt } from './queue';

/**
 * Sends due pushes the way WeChat does: a POST to the app's push URL with `sealPush`'s query,
 * body and content type; no answer within `pushTimeoutMs` (WeChat: 5 s), a connection error, a
 * non-2xx status or a body that is not a reply counts as failed and is re-sent, `pushRetries`
 * times (WeChat: 3) after the first attempt. `success`, an empty body or a well-formed passive
 * reply ends it. Each delivery is claimed with a lease, so two sandboxes on one database never
 * send the same attempt, and one that stopped mid-way leaves it to the next.
 */

const MAX_IN_FLIGHT = 16;
const LEASE_MARGIN_MS = 30_000;
const SNIPPET_CHARS = 200;
/** What is kept of an answer: a passive reply is small; the rest is only for the snippet. */
const MAX_ANSWER_BYTES = 64 * 1024;

type Delivery = SandboxPushDelivery & { _id: unknown };

export class PushDeliverer {
  private readonly inFlight = new Map<Promise<void>, AbortController>();
  private stopped = false;

  constructor(
    private readonly sb: SandboxContext,
    private readonly log: (msg: string, err?: unknown) => void,
  ) {}

  /** Starts an attempt for every due delivery (up to a bound); does not wait for them. */
  async tick(): Promise<void> {
    while (!this.stopped && this.inFlight.size < MAX_IN_FLIGHT) {
      const delivery = await this.claim();
      if (!delivery) return;
      const controller = new AbortController();
      const running: Promise<void> = this.attempt(delivery, controller.signal)
        .catch((err: unknown) => this.log(`sandbox: push ${delivery.event} to ${delivery.appid} failed`, err))
        .finally(() => this.inFlight.delete(running));
      this.inFlight.set(running, controller);
    }
  }

  /** Abandons attempts in flight (their leases are released, nothing is counted) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const controller of this.inFlight.values()) controller.abort();
    await Promise.all(this.inFlight.keys());
  }

  private async claim(): Promise<Delivery | null> {
    const now = this.sb.now();
    return this.sb.models.PushDelivery.findOneAndUpdate(
      { status: 'pending', nextAt: { $lte: now }, leaseUntil: { $lte: now } },
      {
        $set: {
          leaseUntil: new Date(now.getTime() + this.sb.settings.pushTimeoutMs + LEASE_MARGIN_MS),
          leaseToken: crypto.randomBytes(12).toString('hex'),
        },
      },
      { returnDocument: 'after', sort: { nextAt: 1 } },
    ).lean();
  }

  private async attempt(delivery: Delivery, stop: AbortSignal): Promise<void> {
    const { sb } = this;
    const app = await sb.models.App.findOne({ appid: delivery.appid }).lean();
    const lease = { _id: delivery._id, leaseToken: delivery.leaseToken ?? null };
    const at = sb.now();
    const push = app?.push;
    if (!app || !push?.url) {
      await recordAttempt(sb, delivery, { attempt: 0, at, durationMs: 0, outcome: 'skipped', error: 'the app has no push URL configured' });
      await sb.models.PushDelivery.updateOne(lease, { $set: { status: 'skipped', leaseUntil: NO_LEASE, updatedAt: at } });
      return;
    }
    let target: URL;
    let sealed: SealedPush;
    try {
      target = new URL(push.url);
      sealed = seal(delivery, app.appid, push, at);
    } catch (err) {
      // A push config WeChat would not accept (a bad URL or EncodingAESKey): nothing can be sent.
      const error = `cannot seal the push: ${err instanceof Error ? err.message : String(err)}`;
      await recordAttempt(sb, delivery, { attempt: 0, at, durationMs: 0, outcome: 'gave_up', error });
      await sb.models.PushDelivery.updateOne(lease, { $set: { status: 'failed', leaseUntil: NO_LEASE, updatedAt: at } });
      return;
    }
    for (const [name, value] of Object.entries(sealed.query)) target.searchParams.set(name, value);

    const started = Date.now();
    const answer = await post(target, sealed, sb.settings.pushTimeoutMs, stop);
    if (answer.aborted) {
      await sb.models.PushDelivery.updateOne(lease, { $set: { leaseUntil: NO_LEASE } });
      return;
    }
    const attempt = delivery.attempts + 1;
    const delivered = answer.status !== undefined && answer.status >= 200 && answer.status < 300 && isReply(answer.body ?? '', app.appid, push);
    // "A maximum of three retries": 1 + 3 sends, or 3 in all? Undocumented; the behaviour switch decides.
    const sends = (await readBehaviour(sb)).pushAttempts === 'sends' ? Math.max(1, sb.settings.pushRetries) : sb.settings.pushRetries + 1;
    const last = attempt >= sends;
    await recordAttempt(sb, delivery, {
      attempt,
      at,
      url: `${target.origin}${target.pathname}`,
      durationMs: Date.now() - started,
      outcome: delivered ? 'delivered' : last ? 'gave_up' : 'retry',
      ...(answer.status === undefined ? {} : { httpStatus: answer.status }),
      ...(answer.error === undefined ? {} : { error: answer.error }),
      ...(answer.body === undefined ? {} : { responseSnippet: answer.body.slice(0, SNIPPET_CHARS) }),
    });
    const now = sb.now();
    await sb.models.PushDelivery.updateOne(lease, {
      $set: {
        attempts: attempt,
        status: delivered ? 'delivered' : last ? 'failed' : 'pending',
        nextAt: new Date(now.getTime() + sb.settings.pushRetryPauseMs),
        leaseUntil: NO_LEASE,
        updatedAt: now,
      },
    });
  }
}

type PushConfig = NonNullable<SandboxApp['push']>;

function seal(delivery: Delivery, appid: string, push: PushConfig, at: Date): SealedPush {
  const { mode, format, token, aesKey } = push;
  return sealPush(delivery.fields, {
    mode,
    format,
    token,
    appid,
    ...(aesKey ? { aesKey: decodeAesKey(aesKey) } : {}),
    timestamp: String(Math.floor(at.getTime() / 1000)),
    nonce: String(crypto.randomInt(100_000_000, 2_000_000_000)),
  });
}

interface Answer {
  status?: number;
  body?: string;
  error?: string;
  aborted?: boolean;
}

/**
 * One POST with node:http (not fetch, which refuses "bad ports" such as 6000 that a merchant's dev
 * server may well use). The timeout covers the whole exchange, as WeChat's does.
 */
function post(url: URL, sealed: SealedPush, timeoutMs: number, stop: AbortSignal): Promise<Answer> {
  return new Promise((resolve) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      resolve({ error: `unsupported push URL scheme ${url.protocol}` });
      return;
    }
    let done = false;
    const finish = (answer: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
      req.destroy();
      resolve(answer);
    };
    const headers = { 'content-type': sealed.contentType, 'content-length': Buffer.byteLength(sealed.body) };
    const req = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
      });
      res.on('end', () => finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => finish({ error: describe(err) }));
    });
    const timer = setTimeout(() => finish({ error: `timeout: no answer within ${timeoutMs} ms` }), timeoutMs);
    const onStop = () => finish({ aborted: true });
    stop.addEventListener('abort', onStop, { once: true });
    if (stop.aborted) onStop();
    req.on('error', (err) => finish({ error: describe(err) }));
    req.end(sealed.body);
  });
}

function describe(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.message : String(err);
}

/** "success" or empty: the documented acknowledgements; otherwise a passive reply WeChat can read. */
function isReply(body: string, appid: string, push: PushConfig): boolean {
  const text = body.trim();
  if (text === '' || text === 'success') return true;
  try {
    const { token, aesKey } = push;
    if (aesKey) openReply(text, { token, appid, aesKey: decodeAesKey(aesKey) });
    else parseBody(text);
    return true;
  } catch {
    return false;
  }
}
