import { useTestDatabase } from '../../../test/harness/database';
import { invoiceRequestRepository, type InvoiceRequestRepository } from './invoice-request.repository';
import { invoiceRequestModel } from './invoice-request.schema';
import { type InvoiceRequestDoc } from '../../domain/entities/invoice-request';

const db = useTestDatabase();
let repo: InvoiceRequestRepository;
let seq = 0;

beforeAll(async () => {
  const model = invoiceRequestModel(db());
  await model.init();
  repo = invoiceRequestRepository(model);
});

function request(over: Partial<InvoiceRequestDoc> = {}): InvoiceRequestDoc {
  seq += 1;
  return {
    _id: `req-${seq}`,
    orderNo: `order-${seq}`,
    openid: 'buyer',
    wxOrderId: `order-${seq}-1`,
    type: 1,
    amount: 11300,
    status: 'AUTH_PENDING',
    history: [],
    fpqqlsh: `ABCDEF${String(seq).padStart(8, '0')}`,
    createdAt: new Date(),
    attempts: 0,
    ...over,
  };
}

describe('invoice request repository', () => {
  it('of 20 concurrent identical transitions exactly one wins and history records it once', async () => {
    const doc = request();
    await repo.create(doc);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => repo.transition({ id: doc._id, from: 'AUTH_PENDING', event: 'authorized', by: 'wechat', at: new Date() })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await repo.findById(doc._id);
    expect(stored?.status).toBe('AUTHORIZED');
    expect(stored?.history).toEqual([expect.objectContaining({ from: 'AUTH_PENDING', to: 'AUTHORIZED', event: 'authorized', by: 'wechat' })]);
  });

  it('refuses a move the state table does not allow', async () => {
    const doc = request();
    await repo.create(doc);
    await expect(repo.transition({ id: doc._id, from: 'AUTH_PENDING', event: 'issued', by: 'worker', at: new Date() })).rejects.toThrow(
      'illegal transition',
    );
  });

  it('hands a due request to one worker at a time, and to another once the lease expires', async () => {
    const now = new Date();
    const doc = request({ nextActionAt: new Date(now.getTime() - 1000) });
    await repo.create(doc);
    const claims = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((owner) => repo.claimDue(owner, now, 60_000)));
    const winners = claims.filter((c) => c?._id === doc._id);
    expect(winners).toHaveLength(1);

    const later = new Date(now.getTime() + 61_000);
    const reclaimed = await repo.claimDue('w5', later, 60_000);
    expect(reclaimed?._id).toBe(doc._id);
    expect(reclaimed?.lease?.owner).toBe('w5');

    // The expired holder's release must not clobber the new lease.
    await repo.release(doc._id, winners[0]!.lease!.owner, { attempts: 9 }, later);
    expect((await repo.findById(doc._id))?.lease?.owner).toBe('w5');
    await repo.release(doc._id, 'w5', { attempts: 0 }, later);
    const released = await repo.findById(doc._id);
    expect(released?.lease).toBeUndefined();
    expect(released?.nextActionAt).toBeUndefined();
    expect(await repo.claimDue('w6', later, 60_000)).toBeNull();
  });

  it('an event that wakes a leased request makes the next look immediate, whatever the step decided', async () => {
    const now = new Date();
    const doc = request({ nextActionAt: now });
    await repo.create(doc);
    await repo.claimDue('w1', now, 60_000);
    expect(await repo.wake(doc._id, 'AUTH_PENDING', now)).toBe(true);
    await repo.release(doc._id, 'w1', { nextActionAt: new Date(now.getTime() + 600_000), attempts: 3 }, now);
    const stored = await repo.findById(doc._id);
    expect(stored?.nextActionAt?.getTime()).toBe(now.getTime());
    expect(stored?.wake).toBeUndefined();
    expect(await repo.wake(doc._id, 'ISSUED', now)).toBe(false);
  });

  it('a wake asked before the claim is answered by that claim: the step’s own next look stands (the first confirm query waits)', async () => {
    // The authorization push wakes the request (wake + due now); the worker claims it and issues.
    const now = new Date();
    const doc = request({ nextActionAt: now });
    await repo.create(doc);
    expect(await repo.wake(doc._id, 'AUTH_PENDING', now)).toBe(true);
    // Other tests' requests are due too: claim until this one is ours.
    let claimed = await repo.claimDue('w2', now, 60_000);
    while (claimed && claimed._id !== doc._id) claimed = await repo.claimDue('w2', now, 60_000);
    expect(claimed?._id).toBe(doc._id);
    const confirmAt = new Date(now.getTime() + 3_000);
    await repo.release(doc._id, 'w2', { nextActionAt: confirmAt, attempts: 0 }, now);
    expect((await repo.findById(doc._id))?.nextActionAt?.getTime()).toBe(confirmAt.getTime());
  });

  it('flags a request for attention only in the state it was judged in; clearing restarts the state’s limits', async () => {
    const now = new Date();
    const doc = request({ status: 'ISSUING', nextActionAt: now });
    await repo.create(doc);
    const attention = { code: 'LIMIT_REACHED', reason: 'r', state: 'ISSUING' as const, since: now, at: now, answers: [] };
    expect(await repo.flagAttention(doc._id, 'AUTHORIZED', { ...attention, state: 'AUTHORIZED' })).toBe(false);
    expect(await repo.flagAttention(doc._id, 'ISSUING', attention)).toBe(true);
    const flagged = await repo.findById(doc._id);
    expect(flagged).toMatchObject({ needsAttention: true, attention: { code: 'LIMIT_REACHED' } });
    expect(flagged?.nextActionAt).toBeUndefined();
    expect((await repo.list({ attention: true }, 100)).map((r) => r._id)).toContain(doc._id);
    expect(await repo.clearAttention(doc._id, now)).toBe(true);
    expect(await repo.clearAttention(doc._id, now)).toBe(false);
    expect(await repo.findById(doc._id)).toMatchObject({ looks: { state: 'ISSUING', n: 0, since: now } });
    expect((await repo.list({ attention: true }, 100)).map((r) => r._id)).not.toContain(doc._id);
  });

  it('marks an ISSUING request issued with its numbers, once, and says whether the emailed copy is due', async () => {
    const doc = request({ status: 'ISSUING', outcomeUnknown: true, attempts: 3, lastError: { code: 'X', message: 'x', at: new Date() } });
    await repo.create(doc);
    const invoice = { fpdm: '012345678901', fphm: '12345678', jym: '12345', kprq: '20260101120000', pdfUrl: 'http://pdf.example/1.pdf' };
    const issued = await repo.markIssued(doc._id, { invoice, copyPending: true, at: new Date() });
    expect(issued).toMatchObject({ status: 'ISSUED', invoice, attempts: 0, copyPending: true });
    expect(issued?.outcomeUnknown).toBeUndefined();
    expect(issued?.lastError).toBeUndefined();
    expect(await repo.markIssued(doc._id, { invoice, copyPending: false, at: new Date() })).toBeNull();
    await repo.markCopyQueued(doc._id);
    expect((await repo.findById(doc._id))?.copyPending).toBeUndefined();
  });

  it('records whether a call’s outcome is unknown only while the request is still in that state', async () => {
    const doc = request({ status: 'OFFSETTING' });
    await repo.create(doc);
    await repo.markOutcomeUnknown(doc._id, 'OFFSETTING', true);
    expect((await repo.findById(doc._id))?.outcomeUnknown).toBe(true);
    await repo.markOutcomeUnknown(doc._id, 'ISSUING', false);
    expect((await repo.findById(doc._id))?.outcomeUnknown).toBe(true);
    await repo.markOutcomeUnknown(doc._id, 'OFFSETTING', false);
    expect((await repo.findById(doc._id))?.outcomeUnknown).toBe(false);
  });

  it('renews a pending authorization: new type and deadline, the title replaced or dropped, channel details added', async () => {
    const doc = request({ type: 0, title: { kind: 'personal', name: '张三' } });
    await repo.create(doc);
    const deadline = new Date(Date.now() + 60_000);
    const renewed = await repo.renewAuthorization(doc._id, { type: 1, authDeadline: deadline, openid: 'buyer-2', redirectUrl: 'https://shop.example/back', callbackUrl: 'https://shop.example/cb' });
    expect(renewed).toMatchObject({ type: 1, authDeadline: deadline, openid: 'buyer-2', redirectUrl: 'https://shop.example/back', callback: { url: 'https://shop.example/cb' } });
    expect(renewed?.title).toBeUndefined();
    const titled = await repo.renewAuthorization(doc._id, { type: 0, authDeadline: deadline, title: { kind: 'personal', name: '李四' } });
    expect(titled).toMatchObject({ type: 0, title: { kind: 'personal', name: '李四' }, openid: 'buyer-2' });
    await repo.transition({ id: doc._id, from: 'AUTH_PENDING', event: 'authorized', by: 'wechat', at: new Date() });
    expect(await repo.renewAuthorization(doc._id, { type: 1, authDeadline: deadline })).toBeNull();
  });
});
