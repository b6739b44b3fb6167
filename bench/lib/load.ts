import autocannon from 'autocannon';

export interface PreparedRequest {
  method: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  /** Requests answered 2xx. */
  ok: number;
  /** Answers other than 2xx, connection errors and timeouts. */
  failed: number;
  /** Answers by HTTP status, to see what failed. */
  statuses: Record<string, number>;
  seconds: number;
  /** 2xx answers per second over the whole run. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Sends each prepared request exactly once over `connections` keep-alive connections (autocannon:
 * HdrHistogram latencies, no coordinated omission from a hand-written loop) and summarises.
 */
export async function loadTest(url: string, connections: number, requests: readonly PreparedRequest[]): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    amount: requests.length,
    timeout: 30,
    requests: [
      {
        setupRequest: (req) => {
          const prepared = requests[next++ % requests.length];
          if (!prepared) return req;
          return { ...req, method: prepared.method, path: prepared.path, headers: prepared.headers, body: prepared.body };
        },
      },
    ],
  });
  const ok = result['2xx'];
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    ok,
    failed: result.non2xx + result.errors,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0])),
    seconds,
    throughput: ok / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}
