import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchRetryingResets } from './support/retrying-fetch';

/** A real server that resets the connection of its first `resets` requests, then answers 200. */
async function resettingServer(resets: number): Promise<{ url: string; seen: () => number; close(): Promise<void> }> {
  let seen = 0;
  const server = http.createServer((req, res) => {
    seen += 1;
    if (seen <= resets) req.socket.resetAndDestroy();
    else res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen: () => seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the drills’ buyer fetch', () => {
  it('sends again after a reset connection, as a real client does', async () => {
    const server = await resettingServer(2);
    try {
      const res = await fetchRetryingResets(server.url, { method: 'POST', body: '{}' });
      expect(await res.text()).toBe('ok');
      expect(server.seen()).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('gives up after its attempts, with the reset as the error', async () => {
    const server = await resettingServer(10);
    try {
      await expect(fetchRetryingResets(server.url, {}, 2)).rejects.toMatchObject({ cause: { code: 'ECONNRESET' } });
      expect(server.seen()).toBe(2);
    } finally {
      await server.close();
    }
  });
});
