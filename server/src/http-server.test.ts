import Koa from 'koa';
import { listen } from './http-server';

describe('listen / close', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const hasArrived = new Promise<void>((resolve) => (arrived = resolve));
    const app = new Koa();
    app.use(async (ctx) => {
      arrived();
      await released;
      ctx.body = 'finished';
    });
    const server = await listen(app, 0, '127.0.0.1');

    const inFlight = fetch(`${server.url}/slow`).then(async (res) => ({ status: res.status, text: await res.text() }));
    await hasArrived;
    const closed = server.close(5_000);
    release();

    await expect(inFlight).resolves.toEqual({ status: 200, text: 'finished' });
    await closed;
    await expect(fetch(`${server.url}/again`)).rejects.toThrow();
  });
});
