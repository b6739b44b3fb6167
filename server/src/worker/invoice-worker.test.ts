import pino from 'pino';
import { useTestDatabase } from '../../test/harness/database';
import { invoiceRequestRepository } from '../data/invoice-request/invoice-request.repository';
import { invoiceRequestModel } from '../data/invoice-request/invoice-request.schema';
import type { LifecycleDeps } from '../domain/lifecycle/deps';
import { eventually } from '../../test/support/eventually';
import { startInvoiceWorker } from './invoice-worker';

const db = useTestDatabase();

it('with nothing due, a process looks once per idle period, not once per loop', async () => {
  const model = invoiceRequestModel(db());
  await model.init();
  const requests = invoiceRequestRepository(model);
  let claims = 0;
  const counted = { ...requests, claimDue: (...args: Parameters<typeof requests.claimDue>) => (claims++, requests.claimDue(...args)) };
  // Nothing is ever claimed, so the worker touches nothing but the requests.
  const deps = { requests: counted, now: () => new Date(), random: Math.random, log: pino({ level: 'silent' }) } as unknown as LifecycleDeps;

  const idleMs = 50;
  const started = Date.now();
  const worker = startInvoiceWorker(deps, { concurrency: 8, leaseMs: 10_000, idleMs });
  await new Promise((r) => setTimeout(r, 1_000));
  await worker.stop();
  const periods = (Date.now() - started) / idleMs;

  // Eight loops polling on their own would make about 8 × periods claims.
  expect(claims).toBeGreaterThan(1);
  expect(claims).toBeLessThanOrEqual(Math.ceil(periods) + 8);
});

it('a nudge (a push made work due) makes the idle scout look at once, not after its idle wait', async () => {
  const model = invoiceRequestModel(db());
  await model.init();
  const requests = invoiceRequestRepository(model);
  let claims = 0;
  const counted = { ...requests, claimDue: (...args: Parameters<typeof requests.claimDue>) => (claims++, requests.claimDue(...args)) };
  const deps = { requests: counted, now: () => new Date(), random: Math.random, log: pino({ level: 'silent' }) } as unknown as LifecycleDeps;

  // An idle wait far longer than the test: only a nudge can make the scout look again.
  const worker = startInvoiceWorker(deps, { concurrency: 2, leaseMs: 10_000, idleMs: 10 * 60_000 });
  try {
    await eventually(async () => claims >= 2, 'both loops to find nothing due', 15_000); // each loop looks once at start
    const before = claims;
    // Nudged until it looks: the scout may still be finishing its first look when the first nudge comes.
    await eventually(async () => (worker.nudge(), claims > before), 'the nudged scout to look', 15_000);
  } finally {
    await worker.stop();
  }
});

it('runs its named jobs between claims; a failing job is logged by its name and the claims go on', async () => {
  const model = invoiceRequestModel(db());
  await model.init();
  const requests = invoiceRequestRepository(model);
  let claims = 0;
  const counted = { ...requests, claimDue: (...args: Parameters<typeof requests.claimDue>) => (claims++, requests.claimDue(...args)) };
  const logged: { job?: string; msg?: string }[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line) as { job?: string; msg?: string }) });
  const deps = { requests: counted, now: () => new Date(), random: Math.random, log } as unknown as LifecycleDeps;
  let sweeps = 0;
  const jobs = [
    { name: 'sweep unprocessed pushes', everyMs: 10, run: async () => void (sweeps += 1) },
    { name: 'a job that fails', everyMs: 10, run: () => Promise.reject(new Error('boom')) },
  ];

  const worker = startInvoiceWorker(deps, { concurrency: 2, leaseMs: 10_000, idleMs: 20 }, jobs);
  try {
    await eventually(async () => sweeps >= 3 && logged.length >= 3 && claims >= 3, 'jobs to run again and again between claims', 15_000);
  } finally {
    await worker.stop();
  }
  expect(logged.every((line) => line.job === 'a job that fails' && line.msg === 'worker job failed: a job that fails')).toBe(true);
});
