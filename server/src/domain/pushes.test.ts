import pino from 'pino';
import { useTestDatabase } from '../../test/harness/database';
import { invoiceRequestRepository, type InvoiceRequestRepository } from '../data/invoice-request/invoice-request.repository';
import { invoiceRequestModel, type InvoiceRequestDoc } from '../data/invoice-request/invoice-request.schema';
import { pushEventRepository, type PushEventRepository } from '../data/push-event/push-event.repository';
import { pushEventModel } from '../data/push-event/push-event.schema';
import { dedupeKey, type InvoiceResultEvent } from '../wechat/push';
import type { LifecycleDeps } from './lifecycle/deps';
import { actingInTurn, actOnPush, sweepPushes, type PushDeps } from './pushes';

const db = useTestDatabase();
let requests: InvoiceRequestRepository;
let pushEvents: PushEventRepository;
let seq = 0;

beforeAll(async () => {
  const requestModel = invoiceRequestModel(db());
  const eventModel = pushEventModel(db());
  await Promise.all([requestModel.init(), eventModel.init()]);
  requests = invoiceRequestRepository(requestModel);
  pushEvents = pushEventRepository(eventModel);
});

/** An ISSUING request whose next look is ten minutes away, and the stored result push for it. */
async function issuingWithStoredResult(at: Date): Promise<{ request: InvoiceRequestDoc; push: { dedupeKey: string; message: InvoiceResultEvent } }> {
  seq += 1;
  const request: InvoiceRequestDoc = {
    _id: `req-push-${seq}`,
    orderNo: `order-push-${seq}`,
    openid: 'buyer',
    wxOrderId: `wx-push-${seq}`,
    type: 1,
    amount: 11300,
    status: 'ISSUING',
    history: [],
    fpqqlsh: `PUSHTEST${String(seq).padStart(8, '0')}`,
    createdAt: at,
    attempts: 0,
    nextActionAt: new Date(at.getTime() + 10 * 60_000),
  };
  await requests.create(request);
  const message: InvoiceResultEvent = { kind: 'cloud_invoice_invoiceresult_event', toUserName: 'gh_x', fromUserName: 'buyer', createTime: seq, fpqqlsh: request.fpqqlsh, nsrsbh: 'N', status: 100 };
  const push = { dedupeKey: dedupeKey(message), message };
  await pushEvents.record({ kind: 'message', ...push, encrypted: true, format: 'xml' }, at);
  return { request, push };
}

function pushDeps(over: { requests?: InvoiceRequestRepository; now?: () => Date; onWorkDue: () => void }): PushDeps {
  const lifecycle = { requests: over.requests ?? requests, now: over.now ?? (() => new Date()), log: pino({ level: 'silent' }) } as unknown as LifecycleDeps;
  return { accounts: {} as PushDeps['accounts'], pushEvents, lifecycle, onWorkDue: over.onWorkDue, acting: actingInTurn() };
}

it('an invoice result push makes its ISSUING request due at once, wakes the worker, and is marked processed', async () => {
  const at = new Date();
  const { request, push } = await issuingWithStoredResult(at);
  let woken = 0;
  await actOnPush(pushDeps({ now: () => at, onWorkDue: () => (woken += 1) }), push);

  const after = await requests.findById(request._id);
  expect(after?.nextActionAt?.getTime()).toBe(at.getTime()); // due now, not in ten minutes
  expect(after?.wake).toBe(true); // a worker holding it looks again at once on release
  expect(woken).toBe(1);
  expect((await pushEvents.findByKey(push.dedupeKey))?.processedAt).toBeDefined();
});

it('a push whose action fails stays unprocessed and wakes nobody; the sweep acts on it once its process is presumed dead', async () => {
  const at = new Date();
  const { request, push } = await issuingWithStoredResult(at);
  const failing: InvoiceRequestRepository = { ...requests, findByFpqqlsh: () => Promise.reject(new Error('database blinked')) };
  let woken = 0;
  await actOnPush(pushDeps({ requests: failing, now: () => at, onWorkDue: () => (woken += 1) }), push);
  expect(woken).toBe(0);
  expect((await pushEvents.findByKey(push.dedupeKey))?.processedAt).toBeUndefined();
  expect((await requests.findById(request._id))?.wake).toBeUndefined();

  // Too soon: its own process may still be acting on it.
  await sweepPushes(pushDeps({ now: () => at, onWorkDue: () => (woken += 1) }));
  expect((await pushEvents.findByKey(push.dedupeKey))?.processedAt).toBeUndefined();

  const later = new Date(at.getTime() + 60_000);
  await sweepPushes(pushDeps({ now: () => later, onWorkDue: () => (woken += 1) }));
  expect((await pushEvents.findByKey(push.dedupeKey))?.processedAt).toBeDefined();
  expect((await requests.findById(request._id))?.nextActionAt?.getTime()).toBe(later.getTime());
  expect(woken).toBeGreaterThanOrEqual(1);
});

it('acts on new pushes a few at a time, in the order they came', async () => {
  const queue = actingInTurn(3);
  const started: number[] = [];
  let running = 0;
  let most = 0;
  const release: (() => void)[] = [];
  for (let i = 0; i < 10; i++) {
    queue.add(async () => {
      started.push(i);
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => release.push(resolve));
      running -= 1;
    });
  }
  expect(queue.pending).toBe(10);
  expect(started).toEqual([0, 1, 2]);
  while (started.length < 10 || release.length) {
    release.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(most).toBe(3);
  expect(queue.pending).toBe(0);
});
