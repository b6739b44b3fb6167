import { canReapply, isValidSpbm, lineAmountFen, parseTaxRate, MoneyError, type OrderDto } from '@fapiao/shared';
import type { InvoiceRequestDoc } from '../data/invoice-request/invoice-request.schema';
import type { InvoiceRequestRepository } from '../data/invoice-request/invoice-request.repository';
import type { OrderDoc } from '../data/order/order.schema';
import type { OrderRepository } from '../data/order/order.repository';
import { AppError } from '../errors';
import { decodePageCursor, pageOf } from './paging';

export interface OrderInput {
  orderNo: string;
  openid: string;
  /** Tax-inclusive total in fen. */
  amount: number;
  items: { name: string; spbm: string; quantity: number; unitPrice: number; taxRate: string }[];
  createdAt?: Date | undefined;
}

export interface OrdersDeps {
  orders: OrderRepository;
  requests: InvoiceRequestRepository;
  now(): Date;
}

/**
 * An order from the merchant's order system. Idempotent on orderNo: importing it again returns
 * the stored order (`created: false`) and changes nothing. The lines must add up to the amount,
 * to the fen, or nothing is stored.
 */
export async function importOrder(deps: OrdersDeps, input: OrderInput): Promise<{ created: boolean; order: OrderDoc }> {
  const items = input.items.map((item, index) => {
    if (!isValidSpbm(item.spbm)) throw new AppError('VALIDATION_FAILED', `items.${index}.spbm: must be 19 digits`);
    try {
      parseTaxRate(item.taxRate);
      return { ...item, amount: lineAmountFen(item.unitPrice, item.quantity) };
    } catch (err) {
      if (err instanceof MoneyError) throw new AppError('ORDER_AMOUNT_INVALID', `items.${index}: ${err.message}`);
      throw err;
    }
  });
  const sum = items.reduce((total, item) => total + item.amount, 0);
  if (sum !== input.amount) {
    throw new AppError('ORDER_AMOUNT_INVALID', `amount is ${input.amount} fen but the items add up to ${sum} fen`);
  }
  return deps.orders.createIfAbsent({
    orderNo: input.orderNo,
    openid: input.openid,
    amount: input.amount,
    items,
    createdAt: input.createdAt ?? deps.now(),
    requestCount: 0,
  });
}

/** A buyer's orders, newest first, each with where its invoice stands. */
export async function listBuyerOrders(
  deps: OrdersDeps,
  openid: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ orders: OrderDto[]; nextCursor?: string }> {
  const after = page.cursor ? decodePageCursor(page.cursor) : undefined;
  if (page.cursor && !after) throw new AppError('VALIDATION_FAILED', 'cursor: not a cursor this server issued');
  const found = await deps.orders.listForBuyer(openid, page.limit + 1, after && { createdAt: after.createdAt, orderNo: after.key });
  const { items, nextCursor } = pageOf(found, page.limit, (order) => ({ createdAt: order.createdAt, key: order.orderNo }));
  const latest = await latestRequests(deps, items);
  return {
    orders: items.map((order) => toOrderDto(order, latest.get(order.latestRequestId ?? ''))),
    ...(nextCursor ? { nextCursor } : {}),
  };
}

/** One of the buyer's orders; someone else's order is "not found", never "forbidden". */
export async function getBuyerOrder(deps: OrdersDeps, openid: string, orderNo: string): Promise<OrderDto> {
  const order = await deps.orders.findForBuyer(openid, orderNo);
  if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${orderNo}`);
  const request = order.latestRequestId ? await deps.requests.findById(order.latestRequestId) : null;
  return toOrderDto(order, request ?? undefined);
}

async function latestRequests(deps: OrdersDeps, orders: OrderDoc[]): Promise<Map<string, InvoiceRequestDoc>> {
  const found = await Promise.all(orders.map((o) => (o.latestRequestId ? deps.requests.findById(o.latestRequestId) : Promise.resolve(null))));
  return new Map(found.filter((r): r is InvoiceRequestDoc => r !== null).map((r) => [r._id, r]));
}

export function toOrderDto(order: OrderDoc, request: InvoiceRequestDoc | undefined): OrderDto {
  return {
    orderNo: order.orderNo,
    amount: order.amount,
    createdAt: order.createdAt.toISOString(),
    items: order.items.map(({ name, spbm, quantity, unitPrice, taxRate }) => ({ name, spbm, quantity, unitPrice, taxRate })),
    invoice: {
      status: request?.status ?? null,
      canApply: !request || canReapply(request.status),
      ...(request?.rejectReason ? { rejectReason: request.rejectReason } : {}),
    },
  };
}
