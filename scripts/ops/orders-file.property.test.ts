/**
 * The order-import file parser on arbitrary files: it reads what it can, keeps what it cannot as a
 * row problem, and refuses a whole file only with a CliError; it never throws anything else, never
 * loses or invents a row, and what an order system exports comes back as the same orders.
 */
import fc from 'fast-check';
import { formatFen, parseTaxRate } from '../../shared/src/money';
import { CliError } from './errors';
import { EXIT } from './exit-codes';
import { parseOrdersCsv, parseOrdersJson, type OrdersFile } from './orders-file';

const RUNS = { numRuns: 200 };

async function outcome(parse: () => OrdersFile | Promise<OrdersFile>): Promise<OrdersFile | CliError> {
  try {
    return await parse();
  } catch (err) {
    if (!(err instanceof CliError)) throw new Error(`untyped error: ${String(err)}`, { cause: err });
    expect(err.exitCode).toBe(EXIT.VALIDATION);
    return err;
  }
}

/** Every source order is either a request body or a problem, never both or neither. */
function expectBodyOrProblem(file: OrdersFile): void {
  for (const order of file.orders) expect(Number(order.order !== undefined) + Number(order.problem !== undefined)).toBe(1);
}

describe('parseOrdersJson', () => {
  it('on arbitrary text: one source order per element, or a CliError', async () => {
    const text = fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc.json({ maxDepth: 3 }).map((json) => `{"orders":${json}}`),
      fc.json({ maxDepth: 3 }).chain((json) => fc.nat({ max: json.length }).map((cut) => json.slice(0, cut))),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(text, async (json) => {
        const file = await outcome(() => parseOrdersJson(json));
        if (file instanceof CliError) return;
        expect(file.orders).toHaveLength(file.rows);
        file.orders.forEach((order, i) => expect(order.where).toBe(`#${i + 1}`));
        expectBodyOrProblem(file);
      }),
      { numRuns: 500 },
    );
  });

  it('passes every object on untouched (the server judges it) and marks everything else as not an order', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 8 }), fc.boolean(), (list, wrapped) => {
        const file = parseOrdersJson(JSON.stringify(wrapped ? { orders: list } : list));
        expect(file.rows).toBe(list.length);
        list.forEach((element, i) => {
          const isObject = typeof element === 'object' && element !== null && !Array.isArray(element);
          // As JSON would carry it (-0 arrives as 0).
          const sent = JSON.parse(JSON.stringify(element)) as unknown;
          expect(file.orders[i]).toEqual(isObject ? expect.objectContaining({ order: sent }) : expect.objectContaining({ problem: 'not an order object' }));
        });
      }),
      RUNS,
    );
  });
});

const HEADER = ['orderNo', 'openid', 'amount', 'name', 'spbm', 'quantity', 'unitPrice', 'taxRate'];

/** One CSV cell, quoted when it has to be. */
const cell = (value: string) => (/[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value);

describe('parseOrdersCsv', () => {
  it('on arbitrary text: every data row lands in exactly one order or problem, readable orders hold only safe integers of fen, or a CliError', async () => {
    const header = fc.oneof(
      { arbitrary: fc.constant(HEADER.join(',')), weight: 3 },
      fc.shuffledSubarray([...HEADER, 'amountFen', 'unitPriceFen', 'createdAt', 'Order No', 'qty', 'extra'], { minLength: 1 }).map((h) => h.join(',')),
      fc.string({ maxLength: 30 }),
    );
    const junk = fc.oneof(
      fc.constantFrom('', '-1', '1e3', '¥1,234.5', '13 %', '1.05E+18', '"', '""', 'a,b', '\n', '9007199254740993', 'NaN', '2026-02-30', '0x10'),
      fc.string({ maxLength: 8 }),
    );
    // Cells that fit the full header's columns, so that some rows are readable orders.
    const fitting = [
      fc.constantFrom('A-1', 'A-2', 'B_3'),
      fc.constantFrom('oOPENID1234', 'oOPENID5678'),
      fc.constantFrom('143.00', '¥1,234.50', '0.01', '99'),
      fc.constantFrom('办公椅', 'Chair, black', ' padded '),
      fc.constant('1050201010000000000'),
      fc.constantFrom('1', '2.5', '100'),
      fc.constantFrom('56.50', '10', '0'),
      fc.constantFrom('0.13', '13%', '1.5%', '0.06'),
    ];
    const row = fc.oneof(
      fc.tuple(...fitting.map((fits) => fc.oneof({ arbitrary: fits, weight: 6 }, { arbitrary: junk, weight: 1 }))),
      fc.array(junk, { maxLength: 10 }),
    );
    const rows = fc.array(row.map((cells) => cells.map(cell).join(',')), { maxLength: 8 });
    const noise = fc.string({ unit: fc.constantFrom('a', '1', ',', '"', '\n', '\r', ' ', '\uFEFF'), maxLength: 40 });
    const csv = fc.oneof({ arbitrary: fc.tuple(header, rows).map(([h, r]) => [h, ...r].join('\n')), weight: 3 }, noise, fc.string());

    let readable = 0;
    await fc.assert(
      fc.asyncProperty(csv, async (text) => {
        const file = await outcome(() => parseOrdersCsv(text));
        if (file instanceof CliError) return;
        readable += file.orders.filter((o) => o.order).length;
        expectBodyOrProblem(file);
        const accounted = file.orders.reduce((sum, order) => sum + (order.itemLines?.length ?? 1), 0);
        expect(accounted).toBe(file.rows);
        const orderNos = file.orders.flatMap((order) => (order.orderNo === undefined ? [] : [order.orderNo]));
        expect(new Set(orderNos).size).toBe(orderNos.length);
        for (const { order } of file.orders) {
          if (!order) continue;
          const body = order as { orderNo: string; amount: number; items: { unitPrice: number; quantity: number }[] };
          expect(body.orderNo.length).toBeGreaterThan(0);
          // Safe integers of fen; the sign is the server's to judge (a "-1" yuan amount reaches it and is refused there).
          expect(Number.isSafeInteger(body.amount)).toBe(true);
          for (const item of body.items) {
            expect(Number.isSafeInteger(item.unitPrice)).toBe(true);
            expect(Number.isFinite(item.quantity) && item.quantity >= 0).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
    expect(readable).toBeGreaterThan(0); // not vacuous: some arbitrary rows were readable orders
  });

  it('reads back the orders an order system exported, in yuan or fen, with rates as decimals or percentages', async () => {
    const item = fc.record({
      name: fc.string({ minLength: 1, maxLength: 12 }).map((s) => s.trim()).filter((s) => s.length > 0),
      spbm: fc.stringMatching(/^\d{19}$/),
      quantity: fc.oneof(fc.integer({ min: 1, max: 10_000 }).map(String), fc.tuple(fc.nat(999), fc.integer({ min: 1, max: 9999 })).map(([w, f]) => `${w}.${f}`)),
      unitPrice: fc.integer({ min: 0, max: 1e12 }),
      basisPoints: fc.constantFrom(0, 100, 150, 300, 500, 600, 900, 1300),
      percent: fc.boolean(),
    });
    const order = fc.record({
      openid: fc.stringMatching(/^o[0-9A-Za-z_-]{10,27}$/),
      amount: fc.integer({ min: 1, max: 1e13 }),
      items: fc.array(item, { minLength: 1, maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(order, { minLength: 1, maxLength: 4 }), fc.boolean(), async (orders, inFen) => {
        const header = ['orderNo', 'openid', inFen ? 'amountFen' : 'amount', 'name', 'spbm', 'quantity', inFen ? 'unitPriceFen' : 'unitPrice', 'taxRate'];
        const money = (fen: number) => (inFen ? String(fen) : formatFen(fen));
        const rate = (bp: number, percent: boolean) => (percent ? `${bp / 100}%` : `0.${String(bp).padStart(4, '0')}`);
        const lines = orders.flatMap((o, i) =>
          o.items.map((it) => [`ORD-${i}`, o.openid, money(o.amount), it.name, it.spbm, it.quantity, money(it.unitPrice), rate(it.basisPoints, it.percent)].map(cell).join(',')),
        );
        const file = await parseOrdersCsv([header.join(','), ...lines].join('\r\n'));
        expect(file.orders.map((o) => o.problem)).toEqual(orders.map(() => undefined));
        file.orders.forEach((source, i) => {
          const expected = orders[i];
          const body = source.order as { orderNo: string; openid: string; amount: number; items: { name: string; spbm: string; quantity: number; unitPrice: number; taxRate: string }[] };
          expect(body).toMatchObject({ orderNo: `ORD-${i}`, openid: expected?.openid, amount: expected?.amount });
          expect(body.items.map((it) => ({ ...it, taxRate: parseTaxRate(it.taxRate).basisPoints }))).toEqual(
            expected?.items.map((it) => ({ name: it.name, spbm: it.spbm, quantity: Number(it.quantity), unitPrice: it.unitPrice, taxRate: it.basisPoints })),
          );
        });
      }),
      RUNS,
    );
  });
});
