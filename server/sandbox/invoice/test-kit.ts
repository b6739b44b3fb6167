import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeAesKey, openPush, type ReceivedPush } from '../../src/wechat/push';
import type { Sandbox, SandboxApp } from '..';
import { openidFor } from '..';
import { eventually } from '../../test/support/eventually';
import { MAKE_OUT_INVOICE_SAMPLE } from '../../test/support/wechat-seeds';

/**
 * Helpers for the sandbox's invoicing tests (not a test file): a merchant push receiver that
 * verifies what it gets with the server's own openPush, a WeChat caller, and sample requests.
 */

export type Json = Record<string, unknown>;

export const PUSH_TOKEN = 'merchant-push-token-0123';
/** 43 characters of [A-Za-z0-9]: an EncodingAESKey. */
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

export function merchantApp(appid: string, pushUrl?: string, mode: 'plain' | 'safe' = 'plain', format: 'xml' | 'json' = 'xml'): SandboxApp {
  return {
    appid,
    secret: `secret-of-${appid}`,
    originalId: `gh_${appid.slice(2, 14)}`,
    ...(pushUrl ? { push: { url: pushUrl, token: PUSH_TOKEN, mode, format, ...(mode === 'safe' ? { aesKey: AES_KEY } : {}) } } : {}),
  };
}

interface ReceiverAnswer {
  /** Answer this late (the sandbox's timeout decides whether it counts). */
  delayMs?: number;
  status?: number;
  body?: string;
}

export interface Receiver {
  readonly url: string;
  /** Every request that arrived, in order, whether or not it verified. */
  readonly requests: { query: Record<string, string>; body: string }[];
  /** The pushes that verified (signature, decryption), in arrival order. */
  readonly pushes: ReceivedPush[];
  /** Refusals by openPush (should stay empty). */
  readonly rejected: string[];
  /** How to answer from now on; a function decides per request (0-based arrival index). */
  answer(how: ReceiverAnswer | ((index: number) => ReceiverAnswer)): void;
  close(): Promise<void>;
}

/** A merchant's push URL: verifies every POST as the server would, for the app `appid`. */
export async function startReceiver(appid: string, mode: 'plain' | 'safe' = 'plain'): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const pushes: ReceivedPush[] = [];
  const rejected: string[] = [];
  let how: ReceiverAnswer | ((index: number) => ReceiverAnswer) = { body: 'success' };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
      const index = requests.length;
      requests.push({ query, body });
      try {
        const opened = openPush(
          { method: 'POST', query, body, contentType: req.headers['content-type'] },
          { token: PUSH_TOKEN, appid, ...(mode === 'safe' ? { aesKey: decodeAesKey(AES_KEY) } : {}) },
        );
        if (opened.kind === 'message') pushes.push(opened);
      } catch (err) {
        rejected.push(err instanceof Error ? err.message : String(err));
      }
      const answer = typeof how === 'function' ? how(index) : how;
      setTimeout(() => {
        if (res.destroyed) return;
        res.statusCode = answer.status ?? 200;
        res.end(answer.body ?? 'success');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechat/push`,
    requests,
    pushes,
    rejected,
    answer(next) {
      how = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Talks to the sandbox like a merchant's WeChat client. */
export class Caller {
  token = '';
  ticket = '';

  constructor(
    readonly sb: Sandbox,
    readonly app: SandboxApp,
  ) {}

  async login(): Promise<this> {
    const token = await this.get(`/cgi-bin/token?grant_type=client_credential&appid=${this.app.appid}&secret=${this.app.secret}`);
    this.token = String(token.access_token);
    this.ticket = String((await this.get(`/cgi-bin/ticket/getticket?type=wx_card&access_token=${this.token}`)).ticket);
    return this;
  }

  async get(path: string): Promise<Json> {
    return (await fetch(`${this.sb.url}${path}`)).json() as Promise<Json>;
  }

  /** POST /card/invoice/<name> with this app's token (name may carry ?action=). */
  async invoice(name: string, body: unknown = {}): Promise<Json> {
    const sep = name.includes('?') ? '&' : '?';
    const res = await fetch(`${this.sb.url}/card/invoice/${name}${sep}access_token=${this.token}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return res.json() as Promise<Json>;
  }

  /** seturl + set_contact (+ set_auth_field): what a merchant does once. Returns the s_pappid. */
  async onboard(authField: Json | undefined = SAMPLE_AUTH_FIELD): Promise<string> {
    const url = String((await this.invoice('seturl')).invoice_url);
    await this.invoice('setbizattr?action=set_contact', { contact: { phone: '88888888', time_out: 12345 } });
    if (authField) await this.invoice('setbizattr?action=set_auth_field', { auth_field: authField });
    return new URL(url).searchParams.get('s_pappid') ?? '';
  }

  authUrl(s_pappid: string, order_id: string, extra: Json = {}): Promise<Json> {
    return this.invoice('getauthurl', {
      s_pappid,
      order_id,
      money: 15900,
      timestamp: Math.floor(Date.now() / 1000),
      source: 'wxa',
      ticket: this.ticket,
      type: 0,
      ...extra,
    });
  }
}

/** The documented set_auth_field sample, its custom keys cut to the table's 5 characters (the sample's own "field1" has 6). */
export const SAMPLE_AUTH_FIELD: Json = {
  user_field: { require_phone: 1, custom_field: [{ is_require: 1, key: 'fld1' }], show_email: 1, show_title: 1, show_phone: 1, require_email: 1 },
  biz_field: {
    require_phone: 0,
    custom_field: [{ is_require: 0, key: 'fld2' }],
    require_bank_type: 0,
    require_tax_no: 0,
    show_addr: 1,
    require_addr: 0,
    show_title: 1,
    show_tax_no: 1,
    show_phone: 1,
    show_bank_type: 1,
    show_bank_no: 1,
    require_bank_no: 0,
  },
};

export async function machine(sb: Sandbox, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${sb.url}/sandbox/api${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Json };
}

export const userOf = (appid: string, name: string) => openidFor(appid, name);

/** The merchant code the sandbox's platform gave `appid` at seturl: the first 6 characters of every fpqqlsh. */
export async function merchantCodeOf(sb: Sandbox, appid: string): Promise<string> {
  return String((await machine(sb, 'GET', `/merchant?appid=${appid}`)).json.merchantCode);
}

/** The documented makeoutinvoice sample, with this merchant's fpqqlsh prefix. */
export function sampleInvoice(merchantCode: string, overrides: Json = {}): Json {
  return { ...MAKE_OUT_INVOICE_SAMPLE, fpqqlsh: `${merchantCode}20160511000461`.slice(0, 20), ...overrides };
}

/** getauthurl for `orderId`, then `openid` authorizes it on the page. */
export async function authorizedOrder(wx: Caller, s_pappid: string, orderId: string, openid: string): Promise<void> {
  const answer = await wx.authUrl(s_pappid, orderId);
  if (answer.errcode !== 0) throw new Error(`getauthurl failed: ${JSON.stringify(answer)}`);
  const done = await machine(wx.sb, 'POST', '/authorize', { auth_url: answer.auth_url, openid, action: 'authorize' });
  if (done.status !== 200) throw new Error(`authorize failed: ${JSON.stringify(done.json)}`);
}

/** The result push for `fpqqlsh` (with `status` when given), once it has arrived. */
export function resultPush(receiver: Receiver, fpqqlsh: string, status?: number, timeoutMs = 8000): Promise<ReceivedPush> {
  return eventually(
    () =>
      receiver.pushes.find(
        (p) => p.message.kind === 'cloud_invoice_invoiceresult_event' && p.message.fpqqlsh === fpqqlsh && (status === undefined || p.message.status === status),
      ),
    `the result push of ${fpqqlsh}`,
    timeoutMs,
  );
}
