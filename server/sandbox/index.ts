import http from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose, { type Connection } from 'mongoose';
import { createSandboxApp } from './app';
import { sandboxClock, type SandboxClock } from './clock';
import { WECHAT_DEFAULT_SETTINGS, type SandboxContext, type SandboxSettings } from './context';
import { sandboxModels, type SandboxApp } from './data/models';
import { setBehaviour, type BehaviourInput } from './control/behaviour';
import { startBackground } from './invoice/background';

export type { SandboxApp, SandboxSettings };
export { sandboxClock } from './clock';
export type { BehaviourInput } from './control/behaviour';
export { openidFor, unionidFor } from './platform/routes';

export interface SandboxOptions {
  /** MongoDB URI of the sandbox's own database (not the merchant server's). */
  mongodbUri: string;
  /** The apps WeChat knows: created or updated at start. */
  apps: SandboxApp[];
  settings?: Partial<SandboxSettings>;
  /**
   * WeChat's undocumented behaviour (control/behaviour.ts; env SANDBOX_BEHAVIOUR). When given, it
   * replaces what the database held; otherwise the database's switches stay.
   */
  behaviour?: BehaviourInput;
  /**
   * Base URL the outside world uses to reach the sandbox (pdfurl, web auth_url), e.g. behind a
   * proxy or for a phone on the LAN. Defaults to the URL it listens on.
   */
  publicUrl?: string;
  /** Where failures inside the sandbox are reported (defaults to stderr). */
  log?: (msg: string, err?: unknown) => void;
  /** The sandbox's time (defaults to the wall clock); tests move it instead of sleeping. */
  clock?: SandboxClock;
}

export interface Sandbox {
  /** Base URL to use as WECHAT_API_BASE, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly db: Connection;
  /** The sandbox's time: `clock.advance(ms)` expires tokens, makes invoices and push retries due. */
  readonly clock: SandboxClock;
  close(): Promise<void>;
}

/**
 * Starts the WeChat sandbox on `port` (0 = a free port) with its state in MongoDB.
 * Embeddable in tests; `server/sandbox/main.ts` runs it standalone.
 */
export async function createSandbox(options: SandboxOptions, port = 0, host = '127.0.0.1'): Promise<Sandbox> {
  const db = await mongoose.createConnection(options.mongodbUri).asPromise();
  const models = sandboxModels(db);
  await Promise.all(Object.values(models).map((model) => model.init()));
  for (const app of options.apps) await models.App.updateOne({ appid: app.appid }, { $set: app }, { upsert: true });

  const clock = options.clock ?? sandboxClock();
  const sb: SandboxContext = {
    models,
    clock,
    now: () => clock.now(),
    settings: { ...WECHAT_DEFAULT_SETTINGS, ...options.settings },
    publicUrl: '',
  };
  if (options.behaviour) await setBehaviour(sb, options.behaviour);
  const log = options.log ?? ((msg, err) => console.error(msg, err));
  const server = http.createServer(createSandboxApp(sb, log).callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  sb.publicUrl = (options.publicUrl ?? url).replace(/\/+$/, '');
  // Issues due invoices and delivers pushes, including those a previous run left unfinished.
  const background = startBackground(sb, log);
  return {
    url,
    db,
    clock,
    async close() {
      await background.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await db.close();
    },
  };
}
