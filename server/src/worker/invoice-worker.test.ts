import pino from 'pino';
import { useTestDatabase } from '../../test/harness/database';
import { invoiceRequestRepository } from '../data/invoice-request/invoice-request.repository';
import { invoiceRequestModel } from '../data/invoice-request/invoice-request.schema';
import type { LifecycleDeps } from '../domain/lifecycle/deps';
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
