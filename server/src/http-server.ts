import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface RunningHttpServer {
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish, closes idle keep-alive
   * connections, and after timeoutMs closes whatever is left. Resolves when all are closed.
   */
  close(timeoutMs: number): Promise<void>;
}

export async function listen(app: Koa, port: number, host: string): Promise<RunningHttpServer> {
  const server = http.createServer(app.callback());
  // Slightly above common load-balancer idle timeouts, so the balancer closes first.
  server.keepAliveTimeout = 65_000;
  // Once closing, a keep-alive connection that finishes its request must not linger idle.
  let closing = false;
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (closing) res.setHeader('Connection', 'close');
    res.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: (timeoutMs) =>
      new Promise<void>((resolve) => {
        closing = true;
        const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
