import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExtraAccount } from './lifecycle-env';

/** The merchant's Official Account and Open Platform mobile app, beside the Mini Program (TEST_ENV). */
export const OA: ExtraAccount = {
  name: 'oa',
  kind: 'official_account',
  appid: 'wxoa01oa01oa01oa01',
  secret: 'oa-secret-0123456789abcdef0123',
  token: 'oaPushToken42',
  aesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut',
  originalId: 'gh_oatest000001',
};
export const APP: ExtraAccount = {
  name: 'app',
  kind: 'app',
  appid: 'wxapp1app1app1app1',
  secret: 'app-secret-0123456789abcdef012',
  pushVia: 'oa',
  originalId: 'gh_apptest00001',
};
export const CHANNEL_KEY = 'channel-key-0123456789abcdefghij';
export const OPEN_PLATFORM = 'open-platform-test';

export interface Page {
  status: number;
  url: string;
  text: string;
}

/**
 * A browser as far as the H5 flow needs one: follows redirects (as a browser does: 303 and 302
 * become GET) and keeps cookies per host.
 */
export class CookieBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    let current = url;
    let method = init.method ?? 'GET';
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    for (let hop = 0; hop < 12; hop += 1) {
      const host = new URL(current).host;
      const cookies = [...(this.jar.get(host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(current, {
        method,
        redirect: 'manual',
        headers: { ...(cookies ? { cookie: cookies } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body: body ?? null,
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = (pair ?? '').indexOf('=');
        if (eq <= 0) continue;
        const jar = this.jar.get(host) ?? new Map<string, string>();
        const value = (pair ?? '').slice(eq + 1);
        if (value === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(line)) jar.delete((pair ?? '').slice(0, eq));
        else jar.set((pair ?? '').slice(0, eq), value);
        this.jar.set(host, jar);
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        current = new URL(location, current).toString().replace(/#.*$/, '');
        method = 'GET';
        body = undefined;
        continue;
      }
      return { status: res.status, url: current, text: await res.text() };
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

/** A merchant back end's callback endpoint: records what it is POSTed. */
export async function startCallbackReceiver(): Promise<{ url: string; received: Record<string, unknown>[]; close(): Promise<void> }> {
  const received: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      try {
        received.push(JSON.parse(text) as Record<string, unknown>);
      } catch {
        received.push({ unparsable: text });
      }
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fapiao-callback`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The hidden field of a server-rendered form. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no ${name} field on the page`);
  return match[1];
}
