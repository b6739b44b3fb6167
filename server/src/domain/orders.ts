import { canReapply, computeInvoiceAmounts, isValidSpbm, lineAmountFen, MoneyError, taxRateProblem, type OrderDto } from '@fapiao/shared';
import type { InvoiceRequestDoc } from './entities/invoice-request';
import type { InvoiceRequestRepository } from '../data/invoice-request/invoice-request.repository';
import type { OrderDoc } from './entities/order';
import type { OrderRepository } from '../data/order/order.repository';
import { AppError } from '../errors';
import type { BuyerIdentity } from './buyer';
import { invoiceLinesOf } from './invoice-content';
import { decodePageCursor, pageOf } from './paging';

export interface OrderInput {
  orderNo: string;
  openid: string;
  unionid?: string | undefined;
  /** Tax-inclusive total in fen. */
  amount: number;
  items: { name: string; spbm: string; quantity: number; unitPrice: number; taxRate: string }[];
  createdAt?: Date | undefined;
}

export interface OrdersDeps {
  orders: OrderRepository;
  requests: InvoiceRequestRepository;
  now(): Date;
  /** The buyer's emailed copy is on (SMTP configured): the Mini Program's form says so. */
  emailCopy?: boolean;
}

/**
 * An order from the merchant's order system. Idempotent on orderNo: importing the same order again
 * returns the stored one (`created: false`) and changes nothing; importing different content under
 * a stored number is ORDER_ALREADY_EXISTS naming the fields that differ (an order is never changed
 * by an import). Nothing is stored unless issuing could invoice it as it is: every amount rule of
 * issuing is checked here (see checkIssuable), so no stored order can get stuck in ISSUING.
 */
export async function importOrder(deps: OrdersDeps, input: OrderInput): Promise<{ created: boolean; order: OrderDoc }> {
  const createdAt = input.createdAt ?? deps.now();
  const items = checkIssuable(input, createdAt);
  const result = await deps.orders.createIfAbsent({
    orderNo: input.orderNo,
    openid: input.openid,
    ...(input.unionid ? { unionid: input.unionid } : {}),
    amount: input.amount,
    items,
    createdAt,
    requestCount: 0,
  });
  if (!result.created) {
    const differ = differingFields(result.order, input, items);
    if (differ.length) {
      throw new AppError('ORDER_ALREADY_EXISTS', `order ${input.orderNo} exists with a different ${differ.join(', ')}; an order is never changed by an import`, {
        fields: differ,
      });
    }
  }
  return result;
}

/**
 * The order's lines as issuing will compute them: each line's spbm and a tax rate the rules know
 * for the sale's date, its amount (unit price × quantity, to the fen), and the invoice as a whole
 * (computeInvoiceAmounts: a goods line of 0 fen, a total of 0…), the lines adding up to the amount.
 * A MoneyError is ORDER_AMOUNT_INVALID naming the line.
 */
function checkIssuable(input: OrderInput, soldAt: Date): OrderDoc['items'] {
  const items = input.items.map((item, index) => {
    if (!isValidSpbm(item.spbm)) throw new AppError('VALIDATION_FAILED', `items.${index}.spbm: must be 19 digits`);
    const rateProblem = taxRateProblem(item.taxRate, soldAt);
    if (rateProblem) throw new AppError('ORDER_AMOUNT_INVALID', `items.${index}.taxRate: ${rateProblem}`);
    return { ...item, amount: amountOf(() => lineAmountFen(item.unitPrice, item.quantity), `items.${index}`) };
  });
  const sum = items.reduce((total, item) => total + item.amount, 0);
  if (sum !== input.amount) {
    throw new AppError('ORDER_AMOUNT_INVALID', `amount is ${input.amount} fen but the items add up to ${sum} fen`);
  }
  amountOf(() => computeInvoiceAmounts(invoiceLinesOf(items)), 'items');
  return items;
}

function amountOf<T>(compute: () => T, where: string): T {
  try {
    return compute();
  } catch (err) {
    if (!(err instanceof MoneyError)) throw err;
    const line = err.lineIndex === undefined ? where : `items.${err.lineIndex}`;
    throw new AppError('ORDER_AMOUNT_INVALID', `${line}: ${err.message.replace(/^line \d+: /, '')} (${err.code})`);
  }
}

/** Which of the given order's fields differ from the stored one (createdAt only when given). */
function differingFields(stored: OrderDoc, input: OrderInput, items: OrderDoc['items']): string[] {
  const differ: string[] = [];
  if (stored.openid !== input.openid) differ.push('openid');
  if (input.unionid && stored.unionid !== input.unionid) differ.push('unionid');
  if (stored.amount !== input.amount) differ.push('amount');
  if (input.createdAt && stored.createdAt.getTime() !== input.createdAt.getTime()) differ.push('createdAt');
  const line = (item: OrderDoc['items'][number]) => JSON.stringify([item.name, item.spbm, item.quantity, item.unitPrice, item.taxRate]);
  if (stored.items.length !== items.length) differ.push('items');
  else stored.items.forEach((item, i) => items[i] && line(item) !== line(items[i]) && differ.push(`items.${i}`));
  return differ;
}

/** A buyer's orders, newest first, each with where its invoice stands. */
export async function listBuyerOrders(
  deps: OrdersDeps,
  buyer: Pick<BuyerIdentity, 'openid' | 'unionid'>,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ orders: OrderDto[]; nextCursor?: string }> {
  const after = page.cursor ? decodePageCursor(page.cursor) : undefined;
  if (page.cursor && !after) throw new AppError('VALIDATION_FAILED', 'cursor: not a cursor this server issued');
  const found = await deps.orders.listForBuyer(buyer, page.limit + 1, after && { createdAt: after.createdAt, orderNo: after.key });
  const { items, nextCursor } = pageOf(found, page.limit, (order) => ({ createdAt: order.createdAt, key: order.orderNo }));
  const latest = await latestRequests(deps, items);
  return {
    orders: items.map((order) => toOrderDto(order, latest.get(order.latestRequestId ?? ''), deps.emailCopy)),
    ...(nextCursor ? { nextCursor } : {}),
  };
}

/** One of the buyer's orders; someone else's order is "not found", never "forbidden". */
export async function getBuyerOrder(deps: OrdersDeps, buyer: Pick<BuyerIdentity, 'openid' | 'unionid'>, orderNo: string): Promise<OrderDto> {
  const order = await deps.orders.findForBuyer(buyer, orderNo);
  if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${orderNo}`);
  const request = order.latestRequestId ? await deps.requests.findById(order.latestRequestId) : null;
  return toOrderDto(order, request ?? undefined, deps.emailCopy);
}

async function latestRequests(deps: OrdersDeps, orders: OrderDoc[]): Promise<Map<string, InvoiceRequestDoc>> {
  const found = await Promise.all(orders.map((o) => (o.latestRequestId ? deps.requests.findById(o.latestRequestId) : Promise.resolve(null))));
  return new Map(found.filter((r): r is InvoiceRequestDoc => r !== null).map((r) => [r._id, r]));
}

export function toOrderDto(order: OrderDoc, request: InvoiceRequestDoc | undefined, emailCopy = false): OrderDto {
  return {
    orderNo: order.orderNo,
    amount: order.amount,
    createdAt: order.createdAt.toISOString(),
    items: order.items.map(({ name, spbm, quantity, unitPrice, taxRate, amount }) => ({ name, spbm, quantity, unitPrice, taxRate, amount })),
    invoice: {
      status: request?.status ?? null,
      canApply: !request || canReapply(request.status),
      ...(request?.rejectReason ? { rejectReason: request.rejectReason } : {}),
      emailCopy,
    },
  };
}
