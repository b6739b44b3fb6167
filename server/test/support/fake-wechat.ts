import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_TICKET_REJECTED_ERRCODES } from '../../src/wechat/errcodes';

/**
 * A small scriptable stand-in for api.weixin.qq.com, for the WeChat client's tests, over real
 * HTTP on a loopback port. (The full emulator is server/sandbox; this one only answers like WeChat
 * at the edge and lets a test script faults.)
 *
 * Without a script each path answers like WeChat would, with the documented sample answers:
 * token / stable_token / getticket issue values and are COUNTED; every access_token call checks
 * the token (40001 unknown or revoked, 42001 expired); getauthurl checks the ticket; setbizattr
 * remembers what set_* stored and get_* returns it. A script queued for a path (or for
 * `path?action=x`) overrides the next answers one by one: a JSON reply (optionally late), a dropped
 * connection, an HTTP status, or no answer at all.
 */
type Scripted =
  | { reply: Record<string, unknown>; delayMs?: number }
  | { drop: true; delayMs?: number }
  | { status: number; text: string }
  | { hang: true };

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, or the raw text when the body is not JSON, or undefined when empty. */
  body: unknown;
  contentType: string | undefined;
}

export interface FakeWeChatOptions {
  appid: string;
  secret: string;
  /** expires_in of issued access tokens (s). Default 7200. */
  tokenExpiresIn?: number;
  /** expires_in of issued tickets (s). Default 7200. */
  ticketExpiresIn?: number;
  /** Further accounts it accepts (a deployment with several WeChat accounts). */
  otherApps?: { appid: string; secret: string }[];
}

export interface FakeWeChat {
  readonly baseUrl: string;
  /** Every request that reached the server, in arrival order. */
  readonly requests: RecordedRequest[];
  /** How many requests reached `path` (optionally with setbizattr's `action`). */
  count(path: string, action?: string): number;
  /** Access-token fetches: /cgi-bin/token plus /cgi-bin/stable_token. */
  tokenFetches(): number;
  /** Tokens and tickets issued so far, oldest first. */
  readonly issuedTokens: readonly string[];
  readonly issuedTickets: readonly string[];
  /** Queues answers for `path` or `path?action=name`, used before the default behaviour. */
  enqueue(route: string, ...steps: Scripted[]): void;
  /** From now on WeChat refuses this token: 'invalid' answers 40001, 'expired' 42001. */
  revokeToken(token: string, how?: 'invalid' | 'expired'): void;
  /** From now on getauthurl refuses this ticket. */
  revokeTicket(ticket: string): void;
  /** Codes that jscode2session refuses with this errcode (e.g. 40029, 40226). */
  refuseCode(jsCode: string, errcode: number): void;
  close(): Promise<void>;
}

/** The authorization Mini Program's appid (https://developers.weixin.qq.com/community/develop/doc/0002620bce4c185fb939124a75b000); what getauthurl answers for wxa. */
export const AUTH_MINI_PROGRAM_APPID = 'wx9db2c16d0633c2e7';

const TICKET_REJECTED = DEFAULT_TICKET_REJECTED_ERRCODES[0] ?? 40097;

export async function startFakeWeChat(options: FakeWeChatOptions): Promise<FakeWeChat> {
  const requests: RecordedRequest[] = [];
  const queues = new Map<string, Scripted[]>();
  const issuedTokens: string[] = [];
  const issuedTickets: string[] = [];
  const revokedTokens = new Map<string, 'invalid' | 'expired'>();
  const revokedTickets = new Set<string>();
  const refusedCodes = new Map<string, number>();
  const usedCodes = new Set<string>();
  const bizattr = new Map<string, unknown>();
  let stableToken: string | undefined;
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
      }
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
        contentType: req.headers['content-type'],
      };
      requests.push(recorded);
      const action = recorded.query.action;
      const step = (action !== undefined ? queues.get(`${recorded.path}?action=${action}`)?.shift() : undefined) ?? queues.get(recorded.path)?.shift();
      perform(step ?? { reply: answer(recorded) }, res);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function perform(step: Scripted, res: http.ServerResponse): void {
    if ('hang' in step) return;
    if ('status' in step) {
      res.writeHead(step.status, { 'content-type': 'text/html' }).end(step.text);
      return;
    }
    const act = () => {
      if ('drop' in step) res.socket?.destroy();
      else res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(step.reply));
    };
    if (!step.delayMs) return act();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.socket?.destroyed) act();
    }, step.delayMs);
    timers.add(timer);
  }

  function issue(prefix: string, list: string[]): string {
    const value = `${prefix}_${list.length + 1}_${crypto.randomBytes(12).toString('base64url')}`;
    list.push(value);
    return value;
  }

  function tokenProblem(query: Record<string, string>): Record<string, unknown> | undefined {
    const token = query.access_token;
    if (token === undefined) return { errcode: 41001, errmsg: 'access_token missing' };
    const revoked = revokedTokens.get(token);
    if (revoked === 'expired') return { errcode: 42001, errmsg: 'access_token expired' };
    if (revoked === 'invalid' || !issuedTokens.includes(token)) {
      return { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
    }
    return undefined;
  }

  function credentialProblem(appid: unknown, secret: unknown): Record<string, unknown> | undefined {
    const app = [{ appid: options.appid, secret: options.secret }, ...(options.otherApps ?? [])].find((a) => a.appid === appid);
    if (!app) return { errcode: 40013, errmsg: 'invalid appid' };
    if (secret !== app.secret) return { errcode: 40125, errmsg: 'invalid appsecret' };
    return undefined;
  }

  const ok = { errcode: 0, errmsg: 'ok' };

  function answer(r: RecordedRequest): Record<string, unknown> {
    const body = (typeof r.body === 'object' && r.body !== null ? r.body : {}) as Record<string, unknown>;
    switch (r.path) {
      case '/cgi-bin/token':
        if (r.query.grant_type !== 'client_credential') return { errcode: 40002, errmsg: 'invalid grant_type' };
        return (
          credentialProblem(r.query.appid, r.query.secret) ?? {
            access_token: issue('ACCESS_TOKEN', issuedTokens),
            expires_in: options.tokenExpiresIn ?? 7200,
          }
        );
      case '/cgi-bin/stable_token': {
        if (body.grant_type !== 'client_credential') return { errcode: 40002, errmsg: 'invalid grant_type' };
        const problem = credentialProblem(body.appid, body.secret);
        if (problem) return problem;
        if (body.force_refresh === true || stableToken === undefined || revokedTokens.has(stableToken)) {
          stableToken = issue('STABLE_TOKEN', issuedTokens);
        }
        return { access_token: stableToken, expires_in: options.tokenExpiresIn ?? 7200 };
      }
      case '/cgi-bin/ticket/getticket':
        if (r.query.type !== 'wx_card') return { errcode: 40097, errmsg: 'invalid args' };
        return tokenProblem(r.query) ?? { ...ok, ticket: issue('TICKET', issuedTickets), expires_in: options.ticketExpiresIn ?? 7200 };
      case '/sns/jscode2session': {
        const problem = credentialProblem(r.query.appid, r.query.secret);
        if (problem) return problem;
        const code = r.query.js_code ?? '';
        const refused = refusedCodes.get(code);
        if (refused !== undefined) return { errcode: refused, errmsg: `refused code (fake), rid: ${crypto.randomUUID()}` };
        if (code === '') return { errcode: 40029, errmsg: 'invalid code' };
        if (usedCodes.has(code)) return { errcode: 40163, errmsg: 'code been used' };
        usedCodes.add(code);
        const digest = crypto.createHash('sha256').update(code).digest('base64url');
        return { openid: `o${digest.slice(0, 27)}`, session_key: digest.slice(10, 34) };
      }
    }
    const problem = tokenProblem(r.query);
    if (problem) return problem;
    switch (r.path) {
      case '/card/invoice/seturl':
        return { ...ok, invoice_url: 'https://mp.weixin.qq.com/bizmall/authinvoice?action=list&s_pappid=d3JCEfhGLW+q0iGP+o9' };
      case '/card/invoice/getauthurl': {
        if (typeof body.ticket !== 'string' || !issuedTickets.includes(body.ticket) || revokedTickets.has(body.ticket)) {
          return { errcode: TICKET_REJECTED, errmsg: 'invalid args' };
        }
        const params = new URLSearchParams({
          s_pappid: String(body.s_pappid),
          appid: options.appid,
          num: '1',
          o1: String(body.order_id),
          m1: String(body.money),
          t1: String(body.timestamp),
          source: String(body.source),
          type: String(body.type),
          signature: crypto.createHash('sha1').update(`${String(body.ticket)}${String(body.order_id)}`).digest('hex'),
        });
        if (body.source === 'wxa') return { ...ok, auth_url: `pages/auth/auth?${params.toString()}`, appid: AUTH_MINI_PROGRAM_APPID };
        return { ...ok, auth_url: `https://mp.weixin.qq.com/bizmall/authinvoice?action=auth&${params.toString()}` };
      }
      case '/card/invoice/getauthdata':
        return {
          ...ok,
          invoice_status: 'auth success',
          auth_time: 1480342498,
          user_auth_info: {
            user_field: { title: 'Dhxhhx ', phone: '5554545', email: 'dhxhxhhx@qq.cind', custom_field: [{ key: 'field1', value: 'ABCD' }] },
          },
        };
      case '/card/invoice/rejectinsert':
        return ok;
      case '/card/invoice/setbizattr': {
        const action = r.query.action ?? '';
        const [verb, noun] = [action.slice(0, 3), action.slice(4)];
        const fields: Record<string, string> = { auth_field: 'auth_field', pay_mch: 'paymch_info', contact: 'contact' };
        const field = fields[noun];
        if (!field) return { errcode: 40097, errmsg: 'invalid args' };
        if (verb === 'set') {
          bizattr.set(field, body[field]);
          return ok;
        }
        if (!bizattr.has(field)) return noun === 'contact' ? { errcode: 72063, errmsg: 'biz contact is empty' } : ok;
        return { ...ok, [field]: bizattr.get(field) };
      }
      case '/card/invoice/makeoutinvoice':
      case '/card/invoice/clearoutinvoice':
        return { errcode: 0, errmsg: 'sucesss' };
      case '/card/invoice/queryinvoceinfo':
        return {
          errcode: 0,
          errmsg: 'Invoice data obtained successfully',
          invoicedetail: {
            fpqqlsh: String((body as { fpqqlsh?: unknown }).fpqqlsh),
            fpdm: '088978450417',
            fphm: '21590001',
            jym: '59004166725791147047',
            kprq: '20171204172159',
            pdfurl: 'http://weixin.com',
          },
        };
      default:
        return { errcode: 40066, errmsg: 'invalid url (fake: no such path)' };
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    issuedTokens,
    issuedTickets,
    count: (path, action) => requests.filter((r) => r.path === path && (action === undefined || r.query.action === action)).length,
    tokenFetches: () => requests.filter((r) => r.path === '/cgi-bin/token' || r.path === '/cgi-bin/stable_token').length,
    enqueue(route, ...steps) {
      queues.set(route, [...(queues.get(route) ?? []), ...steps]);
    },
    revokeToken(token, how = 'invalid') {
      revokedTokens.set(token, how);
    },
    revokeTicket(ticket) {
      revokedTickets.add(ticket);
    },
    refuseCode(jsCode, errcode) {
      refusedCodes.set(jsCode, errcode);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
