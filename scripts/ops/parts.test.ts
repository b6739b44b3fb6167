/**
 * The ops CLI's parts on their own: file formats, times, tables, errors and exit codes, the HTTP
 * client's failure handling, progress and the worker pool. cli.test.ts runs the whole tool.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ERROR_CODES, type ErrorCode } from '../../shared/src/errors';
import type { AdminInvoice } from '../../shared/src/contract';
import { AdminClient } from './client';
import { normalizeServer, resolveConnection } from './context';
import { ApiError, CliError, exitCodeOf, redact, UnreachableError, UsageError, validationProblems } from './errors';
import { EXIT, EXIT_CODE_HELP } from './exit-codes';
import { displayWidth, humanSeconds, table } from './format';
import { fetchInvoices, parsePageSize, parseStatuses } from './invoice-query';
import { parseOrdersCsv, parseOrdersJson, taxRate } from './orders-file';
import { mapPool } from './pool';
import { Progress, progressWanted } from './progress';
import { parseDurationSeconds, parseOrderTime, parseWhen } from './time';

const OPENID = 'oAbCdEfGhIjKlMnOpQrStUvWxYz1';

describe('CSV orders', () => {
  it('groups line-item rows by orderNo (adjacent or not), converts yuan and percent, keeps line numbers', async () => {
    const csv = [
      '\uFEFFOrder No,OpenID,Amount,Created At,Item Name,SPBM,Qty,Unit Price,Tax Rate,Shop',
      `A-1,${OPENID},143.00,2026-05-01 10:00:00,"办公椅, 黑色",1050201010000000000,2,56.50,13%,north`,
      `B-1,${OPENID},"¥1,000.05",,纸,1080212990000000000,1,"1,000.05",0.06,south`,
      '',
      `A-1,${OPENID},143.00,2026-05-01 10:00:00,订书机,1080212990000000000,3,10,13%,north`,
    ].join('\r\n');
    const file = await parseOrdersCsv(csv);
    expect(file).toMatchObject({ format: 'csv', rows: 3, ignoredColumns: ['Shop'] });
    expect(file.orders).toEqual([
      {
        where: 'lines 2, 5',
        orderNo: 'A-1',
        itemLines: [2, 5],
        order: {
          orderNo: 'A-1',
          openid: OPENID,
          amount: 14300,
          createdAt: '2026-05-01T02:00:00.000Z',
          items: [
            { name: '办公椅, 黑色', spbm: '1050201010000000000', quantity: 2, unitPrice: 5650, taxRate: '0.13' },
            { name: '订书机', spbm: '1080212990000000000', quantity: 3, unitPrice: 1000, taxRate: '0.13' },
          ],
        },
      },
      {
        where: 'line 3',
        orderNo: 'B-1',
        itemLines: [3],
        order: { orderNo: 'B-1', openid: OPENID, amount: 100005, items: [{ name: '纸', spbm: '1080212990000000000', quantity: 1, unitPrice: 100005, taxRate: '0.06' }] },
      },
    ]);
  });

  it('accepts amounts in fen instead of yuan', async () => {
    const file = await parseOrdersCsv(`orderNo,openid,amountFen,name,spbm,quantity,unitPriceFen,taxRate\nF-1,${OPENID},5650,椅,1050201010000000000,1,5650,0.13\n`);
    expect(file.orders[0]?.order).toMatchObject({ amount: 5650, items: [{ unitPrice: 5650 }] });
  });

  it('keeps unreadable rows as problems instead of guessing', async () => {
    const csv = [
      'orderNo,openid,amount,createdAt,name,spbm,quantity,unitPrice,taxRate',
      `X-1,${OPENID},56.505,,椅,1050201010000000000,1,56.50,13%`,
      `X-2,${OPENID},10.00,yesterday,椅,1.0502E+18,1,10.00,13%`,
      `X-3,${OPENID},10.00,,椅,1050201010000000000,two,10.00,13%`,
      `X-4,${OPENID},20.00,,椅,1050201010000000000,1,10.00,13%`,
      `X-4,oSomeoneElse0000000000000000,20.00,,椅,1050201010000000000,1,10.00,13%`,
      `,${OPENID},10.00,,椅,1050201010000000000,1,10.00,13%`,
      `X-5,${OPENID},0.00,,椅,1050201010000000000,0,10.00,13%`,
      `X-6,${OPENID},-10.00,,椅,1050201010000000000,1,-10.00,13%`,
    ].join('\n');
    const { orders } = await parseOrdersCsv(csv);
    const problems = Object.fromEntries(orders.map((o) => [o.orderNo ?? o.where, o.problem]));
    expect(orders.every((o) => o.order === undefined)).toBe(true);
    expect(problems['X-1']).toContain('amount: "56.505" is not an amount in yuan');
    expect(problems['X-2']).toContain('createdAt: "yesterday" is not a time');
    expect(problems['X-2']).toContain('spbm: "1.0502E+18" was turned into a number by a spreadsheet');
    expect(problems['X-3']).toContain('quantity: "two" is not a positive number');
    expect(problems['X-4']).toContain('openid differs between the rows of this order');
    expect(problems['line 7']).toBe('orderNo is empty');
    expect(problems['X-5']).toContain('quantity: "0" is not a positive number');
    expect(problems['X-6']).toContain('amount: "-10.00" is negative');
    expect(problems['X-6']).toContain('unitPrice: "-10.00" is negative');
  });

  it('refuses a file without the needed columns, naming them (exit 5)', async () => {
    const err = await parseOrdersCsv('orderNo,openid,name\nA,b,c\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT.VALIDATION);
    expect((err as CliError).message).toBe('input: missing columns: spbm, quantity, taxRate, amount, unitPrice');
  });

  it('tax rates: percent to a decimal, anything else left for the server to judge', () => {
    expect(['13%', '6%', '0%', '1.5%', '10%', '100%', '0.13', '13'].map(taxRate)).toEqual(['0.13', '0.06', '0', '0.015', '0.1', '1', '0.13', '13']);
  });
});

describe('JSON orders', () => {
  it('takes an array (or {orders}) of API order objects as they are', () => {
    const order = { orderNo: 'J-1', openid: OPENID, amount: 1, items: [] };
    expect(parseOrdersJson(JSON.stringify([order, 7])).orders).toEqual([
      { where: '#1', orderNo: 'J-1', order },
      { where: '#2', problem: 'not an order object' },
    ]);
    expect(parseOrdersJson(JSON.stringify({ orders: [order] })).orders).toHaveLength(1);
    expect(() => parseOrdersJson('{"orderNo":"J-1"}')).toThrow('expected an array of orders');
    expect(() => parseOrdersJson('[')).toThrow(CliError);
  });
});

describe('times and durations', () => {
  const now = new Date('2026-05-10T12:00:00Z');

  it('reads ages, dates, local times and ISO times', () => {
    expect(parseWhen('24h', '--since', now).toISOString()).toBe('2026-05-09T12:00:00.000Z');
    expect(parseWhen('7d', '--since', now).toISOString()).toBe('2026-05-03T12:00:00.000Z');
    expect(parseWhen('2026-05-01T08:00:00+08:00', '--since', now).toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(parseWhen('2026-05-01', '--since', now).getTime()).toBe(new Date(2026, 4, 1).getTime());
    expect(parseWhen('2026-05-01 10:30', '--since', now).getTime()).toBe(new Date(2026, 4, 1, 10, 30).getTime());
    expect(parseWhen('2026-05-01T10:30', '--since', now).getTime()).toBe(new Date(2026, 4, 1, 10, 30).getTime());
    expect(parseWhen('yesterday', '--since', now).getTime()).toBe(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1).getTime());
  });

  it('refuses what it cannot read as a usage error naming the option', () => {
    for (const bad of ['last tuesday', '2026-02-30', '2026-05-01T10:00+8', '12']) {
      const err = (() => {
        try {
          parseWhen(bad, '--until', now);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toBe(`--until: "${bad}" is not a time`);
    }
  });

  it('durations in seconds; order times without a zone are China time', () => {
    expect(['3600', '2h', '1h30m', '90m', '1d', 'soon', '2 h'].map(parseDurationSeconds)).toEqual([3600, 7200, 5400, 5400, 86400, undefined, undefined]);
    expect(humanSeconds(5400)).toBe('1h30m');
    expect(parseOrderTime('2026-05-01 00:30')).toBe('2026-04-30T16:30:00.000Z');
    expect(parseOrderTime('2026-05-01T00:30:00Z')).toBe('2026-05-01T00:30:00.000Z');
    expect(parseOrderTime('05/01/2026')).toBeUndefined();
  });

  it('states are checked and case does not matter', () => {
    expect(parseStatuses('issued, Issuing,ISSUED')).toEqual(['ISSUED', 'ISSUING']);
    expect(() => parseStatuses('DONE')).toThrow('--status: unknown state DONE');
  });
});

describe('output', () => {
  it('aligns columns by display width, CJK counting double', () => {
    expect(displayWidth('抬头有误')).toBe(8);
    expect(displayWidth('¥113.00')).toBe(7);
    const text = table(['name', 'amount'], [['王小明', '¥1.00'], ['Bob', '¥113.00']], { align: ['left', 'right'] });
    expect(text.split('\n')).toEqual(['name     amount', '王小明    ¥1.00', 'Bob     ¥113.00']);
  });
});

describe('errors and exit codes', () => {
  it('maps every API error code to a documented exit code', () => {
    const documented = new Set(EXIT_CODE_HELP.map(([code]) => code));
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) expect(documented.has(exitCodeOf(code))).toBe(true);
    expect(exitCodeOf('UNAUTHENTICATED')).toBe(4);
    expect(exitCodeOf('VALIDATION_FAILED')).toBe(5);
    expect(exitCodeOf('WECHAT_REJECTED')).toBe(6);
    expect(exitCodeOf('INVOICE_REQUEST_NOT_FOUND')).toBe(7);
    expect(exitCodeOf('INVALID_STATE_TRANSITION')).toBe(8);
    expect(exitCodeOf('DATABASE_UNAVAILABLE')).toBe(3);
    expect(exitCodeOf('INTERNAL')).toBe(9);
  });

  it('says what WeChat wants first, by errcode', () => {
    const err = new ApiError(502, 'WECHAT_REJECTED', 'WeChat refused (72063): biz contact is empty');
    expect(err.errcode).toBe(72063);
    expect(err.hint).toContain('ops settings contact');
    expect(new ApiError(502, 'WECHAT_REJECTED', 'WeChat refused (72029): invoice never set auth field').hint).toContain('ops settings auth-fields');
  });

  it('reads the fields out of a validation message, and keeps secrets out of text', () => {
    expect(validationProblems('Invalid body: items.0.spbm: must be 19 digits; openid: must be a WeChat openid')).toEqual([
      { field: 'items.0.spbm', problem: 'must be 19 digits' },
      { field: 'openid', problem: 'must be a WeChat openid' },
    ]);
    expect(redact('Bearer s3cret-key and s3cret-key', ['s3cret-key'])).toBe('Bearer *** and ***');
  });
});

describe('connection', () => {
  it('normalizes the server URL and refuses credentials in it', () => {
    expect(normalizeServer('https://fapiao.example.com/')).toBe('https://fapiao.example.com');
    expect(normalizeServer('http://127.0.0.1:3000/api/admin/')).toBe('http://127.0.0.1:3000');
    expect(() => normalizeServer('fapiao.example.com')).toThrow(UsageError);
    expect(() => normalizeServer('https://ops:pw@fapiao.example.com')).toThrow('put no credentials in the URL');
  });

  it('takes the key from the environment or a file, and fails with exit 4 without one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-key-'));
    try {
      const file = path.join(dir, 'key');
      fs.writeFileSync(file, '  key-from-file-0123456789abcdef\n');
      expect(resolveConnection({ adminKeyFile: file }, { FAPIAO_ADMIN_KEY: 'ignored' }).key).toBe('key-from-file-0123456789abcdef');
      expect(resolveConnection({}, { FAPIAO_ADMIN_KEY: 'key-env', FAPIAO_SERVER: 'http://h:1' })).toEqual({ server: 'http://h:1', key: 'key-env', timeoutMs: 30_000 });
      expect(() => resolveConnection({}, {})).toThrow(expect.objectContaining({ exitCode: EXIT.AUTH }));
      expect(() => resolveConnection({}, { FAPIAO_ADMIN_KEY: 'two words' })).toThrow(expect.objectContaining({ exitCode: EXIT.AUTH }));
      expect(() => resolveConnection({ adminKeyFile: path.join(dir, 'none') }, {})).toThrow(UsageError);
      expect(() => resolveConnection({ requestTimeout: 'soon' }, { FAPIAO_ADMIN_KEY: 'k' })).toThrow(UsageError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the admin API client', () => {
  const KEY = 'key-client-secret-0123456789';
  const answer = (status: number, body: string, type = 'application/json') =>
    (async () => new Response(body, { status, headers: { 'content-type': type } })) as unknown as typeof fetch;

  it('sends the key as a bearer token only, and returns the answer', async () => {
    let seen: RequestInit | undefined;
    const client = new AdminClient({ server: 'http://s', key: KEY, timeoutMs: 1000 }, (async (_url: string, init: RequestInit) => {
      seen = init;
      return new Response('{"invoices":[]}', { status: 200 });
    }) as unknown as typeof fetch);
    expect(await client.listInvoices({ status: 'ISSUED', limit: 5 })).toEqual({ invoices: [] });
    expect((seen?.headers as Record<string, string>).authorization).toBe(`Bearer ${KEY}`);
  });

  it('turns error answers into typed errors with their exit codes', async () => {
    const refused = await new AdminClient({ server: 'http://s', key: KEY, timeoutMs: 1000 }, answer(401, '{"error":{"code":"UNAUTHENTICATED","message":"A valid admin API key is required"}}'))
      .getContact()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ exitCode: EXIT.AUTH, code: 'UNAUTHENTICATED' });

    const html = await new AdminClient({ server: 'http://s', key: KEY, timeoutMs: 1000 }, answer(404, '<html>nginx</html>', 'text/html')).getContact().catch((e: unknown) => e);
    expect(html).toBeInstanceOf(UnreachableError);
    expect((html as Error).message).toContain('no JSON (text/html)');

    const down = await new AdminClient({ server: 'http://s', key: KEY, timeoutMs: 1000 }, async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    })
      .getContact()
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ exitCode: EXIT.UNREACHABLE, message: 'cannot reach the server at http://s (ECONNREFUSED)' });
    for (const err of [refused, html, down]) expect(JSON.stringify({ m: (err as Error).message, h: (err as CliError).hint })).not.toContain(KEY);
  });
});

describe('listing through the server’s pages', () => {
  // What the server answers, page by page: its contract (newest first, nextCursor while more follow).
  const request = (id: string, createdAt: string) => ({ id, createdAt }) as AdminInvoice;
  const byState: Record<string, AdminInvoice[]> = {
    ISSUING: [request('ir_c', '2026-05-03T00:00:00.000Z'), request('ir_b', '2026-05-01T00:00:00.000Z'), request('ir_a', '2026-05-01T00:00:00.000Z')],
    ISSUED: [request('ir_e', '2026-05-04T00:00:00.000Z'), request('ir_d', '2026-05-02T00:00:00.000Z')],
  };
  function server(asked: URLSearchParams[]): AdminClient {
    return new AdminClient({ server: 'http://s', key: 'k', timeoutMs: 1000 }, (async (url: string) => {
      const query = new URL(url).searchParams;
      asked.push(query);
      const all = byState[query.get('status') ?? ''] ?? [];
      const from = Number(query.get('cursor') ?? 0);
      const to = from + Number(query.get('limit'));
      return new Response(JSON.stringify({ invoices: all.slice(from, to), ...(to < all.length ? { nextCursor: String(to) } : {}) }), { status: 200 });
    }) as unknown as typeof fetch);
  }

  it('follows every cursor of every state, sends the dates, and merges newest first', async () => {
    const asked: URLSearchParams[] = [];
    const since = new Date('2026-05-01T00:00:00Z');
    const { invoices, more } = await fetchInvoices(server(asked), { statuses: ['ISSUING', 'ISSUED'], since }, { pageSize: 1 });
    expect(invoices.map((r) => r.id)).toEqual(['ir_e', 'ir_c', 'ir_d', 'ir_b', 'ir_a']);
    expect(more).toBe(false);
    expect(asked.map((q) => `${q.get('status')} ${q.get('cursor') ?? '-'}`)).toEqual(['ISSUING -', 'ISSUING 1', 'ISSUING 2', 'ISSUED -', 'ISSUED 1']);
    expect(asked.every((q) => q.get('createdAfter') === since.toISOString() && !q.has('createdBefore'))).toBe(true);
  });

  it('stops at the limit, asking no more than it needs, and says that more match', async () => {
    const asked: URLSearchParams[] = [];
    const { invoices, more } = await fetchInvoices(server(asked), { statuses: ['ISSUING', 'ISSUED'] }, { limit: 2, pageSize: 500 });
    expect(invoices.map((r) => r.id)).toEqual(['ir_e', 'ir_c']);
    expect(more).toBe(true);
    expect(asked.map((q) => q.get('limit'))).toEqual(['2', '2']);
    expect(() => parsePageSize('501')).toThrow(UsageError);
  });
});

describe('progress and the pool', () => {
  it('draws only on a terminal unless forced, to the stream it is given', () => {
    expect(progressWanted(undefined, { write: () => true, isTTY: false }, {})).toBe(false);
    expect(progressWanted(undefined, { write: () => true, isTTY: true }, {})).toBe(true);
    expect(progressWanted(undefined, { write: () => true, isTTY: true }, { CI: 'true' })).toBe(false);
    expect(progressWanted(true, { write: () => true, isTTY: false }, { CI: 'true' })).toBe(true);

    let drawn = '';
    const stream = { write: (t: string) => (drawn += t), columns: 80 };
    const bar = new Progress(stream, true, 'importing', 4);
    for (let i = 0; i < 4; i++) bar.tick();
    bar.finish();
    expect(drawn).toContain('importing [');
    expect(drawn).toMatch(/4\/4\s+100%/);
    expect(drawn.endsWith('\n')).toBe(true);
    let silent = '';
    const off = new Progress({ write: (t: string) => (silent += t) }, false, 'x', 2);
    off.tick();
    off.finish();
    expect(silent).toBe('');
  });

  it('runs at most `concurrency` at a time, keeps the order, and starts nothing after stop', async () => {
    let running = 0;
    let most = 0;
    const results = await mapPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      running--;
      return n * 10;
    });
    expect(results).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(most).toBe(3);
    let started = 0;
    const partial = await mapPool([1, 2, 3, 4], 1, async (n) => ++started && n, () => started >= 2);
    expect(partial).toEqual([1, 2, undefined, undefined]);
  });
});
