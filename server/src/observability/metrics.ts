import { INVOICE_STATES, type InvoiceState } from '@fapiao/shared';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InvoiceRequestRepository } from '../data/invoice-request/invoice-request.repository';

/** What the gauges read from the database at each scrape (counts across every process). */
export interface MetricsSnapshot {
  requestsByState(): Promise<Partial<Record<InvoiceState, number>>>;
  requestsNeedingAttention(): Promise<number>;
  outboxBacklog(): Promise<Record<string, number>>;
}

/**
 * The process's Prometheus metrics (prom-client), on a registry of its own (no global state: a
 * test may run several servers in one process). Counters and histograms count what this process
 * did; the gauges are read from the database when scraped, so every replica reports the same.
 * docs/grafana-dashboard.json is built on these names.
 */
export function createMetrics(snapshot: MetricsSnapshot) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fapiao_' });
  const registers = [registry];

  const metrics = {
    registry,
    transitions: new Counter({
      name: 'fapiao_invoice_transitions_total',
      help: 'Invoice request state transitions made by this process',
      labelNames: ['from', 'to', 'event'] as const,
      registers,
    }),
    pushAck: new Histogram({
      name: 'fapiao_push_ack_seconds',
      help: 'Time from receiving a WeChat push to answering it (WeChat gives up after 5 s)',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    }),
    pushes: new Counter({
      name: 'fapiao_pushes_total',
      help: 'WeChat pushes by outcome: stored (new), duplicate (already stored), refused (bad signature or body)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    wechatCalls: new Counter({
      name: 'fapiao_wechat_calls_total',
      help: 'HTTP exchanges with WeChat by endpoint and errcode (0 = success; transport failures as e.g. "timeout")',
      labelNames: ['endpoint', 'errcode'] as const,
      registers,
    }),
    credentialRefreshes: new Counter({
      name: 'fapiao_wechat_credential_refreshes_total',
      help: 'access_token and wx_card ticket fetches from WeChat made by this process',
      labelNames: ['kind'] as const,
      registers,
    }),
    claimLag: new Histogram({
      name: 'fapiao_worker_claim_lag_seconds',
      help: "How late the worker claimed a request: claim time minus the request's due time",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    emails: new Counter({
      name: 'fapiao_emails_total',
      help: "Delivery attempts of the buyer's emailed copy by outcome (sent, retry, bounced, failed)",
      labelNames: ['outcome'] as const,
      registers,
    }),
    alerts: new Counter({
      name: 'fapiao_alerts_total',
      help: 'Alert webhook deliveries by kind and outcome (sent, retry, failed), and new incidents (raised)',
      labelNames: ['kind', 'outcome'] as const,
      registers,
    }),
  };

  new Gauge({
    name: 'fapiao_invoice_requests',
    help: 'Invoice requests in the database by state',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const counts = await snapshot.requestsByState();
      for (const state of INVOICE_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'fapiao_invoice_requests_needing_attention',
    help: 'Invoice requests flagged as needing a human',
    registers,
    async collect() {
      this.set(await snapshot.requestsNeedingAttention());
    },
  });
  new Gauge({
    name: 'fapiao_outbox_backlog',
    help: 'Messages waiting to be delivered, by outbox (email, alert)',
    labelNames: ['outbox'] as const,
    registers,
    async collect() {
      for (const [outbox, count] of Object.entries(await snapshot.outboxBacklog())) this.set({ outbox }, count);
    },
  });
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The repository with every successful transition counted (a lost race is not a transition). */
export function countTransitions(requests: InvoiceRequestRepository, counter: Metrics['transitions']): InvoiceRequestRepository {
  return {
    ...requests,
    async transition(input) {
      const moved = await requests.transition(input);
      if (moved) counter.inc({ from: input.from, to: moved.status, event: input.event });
      return moved;
    },
  };
}
