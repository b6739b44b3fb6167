import type { SandboxContext } from '../context';
import { readFaults } from '../control/faults';
import { NO_LEASE, type SandboxPushAttempt, type SandboxPushDelivery } from '../data/invoice-models';
import { isDuplicateKey } from '../data/mongo-errors';

/** An event WeChat is to push to an app's server. */
export interface PushToQueue {
  /** Unique per event: queueing the same key twice queues it once (crash-safe re-queueing). */
  key: string;
  appid: string;
  /** The message fields; ToUserName, FromUserName, CreateTime, MsgType and Event included. */
  fields: Record<string, string | number>;
  openid: string;
  orderId?: string;
  fpqqlsh?: string;
}

/**
 * Queues a push for the background deliverer, honouring the push faults: `dropRate` drops the
 * whole delivery (recorded, never sent), `duplicates` adds that many identical copies (same
 * CreateTime, each delivered and retried on its own). An app without a push URL gets nothing,
 * recorded as skipped.
 */
export async function queuePush(sb: SandboxContext, given: PushToQueue, random: () => number = Math.random): Promise<void> {
  const faults = (await readFaults(sb)).push;
  const { push, app } = await routed(sb, given);
  const dropped = random() < (faults.dropRate ?? 0);
  const status: SandboxPushDelivery['status'] = !app?.push?.url ? 'skipped' : dropped ? 'dropped' : 'pending';
  const copies = status === 'pending' ? 1 + (faults.duplicates ?? 0) : 1;
  for (let copy = 0; copy < copies; copy += 1) {
    const delivery = await insertDelivery(sb, push, copy, status);
    if (delivery && status !== 'pending') {
      await recordAttempt(sb, delivery, {
        attempt: 0,
        at: sb.now(),
        durationMs: 0,
        outcome: status,
        error: status === 'dropped' ? 'dropped by faults.push.dropRate' : 'the app has no push URL configured',
      });
    }
  }
}

type StoredDelivery = SandboxPushDelivery & { _id: unknown };

async function insertDelivery(
  sb: SandboxContext,
  push: PushToQueue,
  copy: number,
  status: SandboxPushDelivery['status'],
): Promise<StoredDelivery | undefined> {
  const now = sb.now();
  const event = String(push.fields.Event ?? '');
  try {
    const doc = await sb.models.PushDelivery.create({
      key: copy === 0 ? push.key : `${push.key}#${copy}`,
      appid: push.appid,
      event,
      fields: push.fields,
      openid: push.openid,
      ...(push.orderId === undefined ? {} : { orderId: push.orderId }),
      ...(push.fpqqlsh === undefined ? {} : { fpqqlsh: push.fpqqlsh }),
      copy,
      status,
      attempts: 0,
      nextAt: now,
      leaseUntil: NO_LEASE,
      createdAt: now,
      updatedAt: now,
    });
    return doc.toObject();
  } catch (err) {
    if (isDuplicateKey(err)) return undefined; // queued before
    throw err;
  }
}

export type AttemptRecord = Pick<SandboxPushAttempt, 'attempt' | 'at' | 'durationMs' | 'outcome'> &
  Partial<Pick<SandboxPushAttempt, 'url' | 'httpStatus' | 'error' | 'responseSnippet'>>;

export async function recordAttempt(sb: SandboxContext, delivery: StoredDelivery, record: AttemptRecord): Promise<void> {
  await sb.models.PushAttempt.create({
    deliveryId: String(delivery._id),
    appid: delivery.appid,
    event: delivery.event,
    openid: delivery.openid,
    ...(delivery.orderId === undefined ? {} : { orderId: delivery.orderId }),
    ...(delivery.fpqqlsh === undefined ? {} : { fpqqlsh: delivery.fpqqlsh }),
    copy: delivery.copy,
    ...record,
  });
}

/**
 * An app whose pushes go to another account (`pushVia`: an Open Platform mobile app has no push
 * URL; WeChat sends its invoice events to the merchant's Official Account): the push is addressed
 * to that account (its ToUserName, URL and keys), the event fields unchanged (AuthorizeAppId
 * still names the app).
 */
async function routed(sb: SandboxContext, push: PushToQueue) {
  const own = await sb.models.App.findOne({ appid: push.appid }).lean();
  if (!own?.pushVia) return { push, app: own };
  const via = await sb.models.App.findOne({ appid: own.pushVia }).lean();
  if (!via) return { push, app: own };
  const fields = 'ToUserName' in push.fields ? { ...push.fields, ToUserName: via.originalId } : push.fields;
  return { push: { ...push, appid: via.appid, fields }, app: via };
}
