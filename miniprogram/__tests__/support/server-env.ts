/**
 * The real server + worker + WeChat sandbox (scripts/mp-test-env.ts) in a child process under
 * tsx, driven over IPC. Requires jest's global setup (it starts the database).
 */
import type { ChildProcess } from 'node:child_process';
import { inheritedEnv, spawnTs } from '../../../server/test/support/process';
export { orderFor } from '../../../server/test/support/orders';

interface Reply {
  type: string;
  id?: number;
  ok?: boolean;
  value?: unknown;
  error?: string;
  appUrl?: string;
  sandboxUrl?: string;
}

export interface HttpResult {
  status: number;
  json: Record<string, unknown>;
}

export class ServerEnv {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly appUrl: string,
    readonly sandboxUrl: string,
  ) {
    child.on('message', (m: Reply) => {
      if (m.type !== 'reply' || m.id === undefined) return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.ok) w?.resolve(m.value);
      else w?.reject(new Error(m.error ?? 'env call failed'));
    });
  }

  static start(): Promise<ServerEnv> {
    const spawned = spawnTs('scripts/mp-test-env.ts', inheritedEnv(), [], { ipc: true });
    const { child } = spawned;
    return new Promise((resolve, reject) => {
      void spawned.exited.then(({ code }) => reject(new Error(`test env exited with ${code}:\n${spawned.output().slice(-4000)}`)));
      child.on('message', function onReady(m: Reply) {
        if (m.type === 'ready' && m.appUrl && m.sandboxUrl) {
          child.off('message', onReady);
          resolve(new ServerEnv(child, m.appUrl, m.sandboxUrl));
        } else if (m.type === 'failed') reject(new Error(m.error));
      });
    });
  }

  private call(op: string, ...args: unknown[]): Promise<unknown> {
    this.seq += 1;
    const id = this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, op, args });
    });
  }

  admin(method: string, p: string, body?: unknown): Promise<HttpResult> {
    return this.call('admin', method, p, body) as Promise<HttpResult>;
  }

  sandboxApi(method: string, p: string, body?: unknown): Promise<HttpResult> {
    return this.call('sandboxApi', method, p, body) as Promise<HttpResult>;
  }

  openidFor(name: string): Promise<string> {
    return this.call('openidFor', name) as Promise<string>;
  }

  /** The demo orders `npm start` seeds (scripts/demo-data.ts), for the buyers it names. */
  seedDemoOrders(): Promise<{ buyer: string; orderNo: string }[]> {
    return this.call('seedDemoOrders') as Promise<{ buyer: string; orderNo: string }[]>;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.call('close');
    await exited;
  }
}

