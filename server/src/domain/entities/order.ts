/** An order from the merchant's order system: what a buyer can ask an invoice for. */
export interface OrderDoc {
  orderNo: string;
  /** The buyer: their openid under the account the order came from (the Mini Program's by default). */
  openid: string;
  /** The buyer's unionid when the merchant knows it: matches them in every account of the merchant. */
  unionid?: string;
  /** Tax-inclusive total in fen; equals the sum of the lines. */
  amount: number;
  items: OrderItem[];
  createdAt: Date;
  /** Set when the merchant records a refund (an issued invoice must then be offset). */
  refundedAt?: Date;
  /** The latest invoice request for this order (each re-application makes a new one). */
  latestRequestId?: string;
  /** How many invoice requests were made: numbers the WeChat order_id of the next one. */
  requestCount: number;
}

export interface OrderItem {
  name: string;
  /** 19-digit tax classification code. */
  spbm: string;
  /** Positive, up to 8 decimals. */
  quantity: number;
  /** Tax-inclusive unit price in fen. */
  unitPrice: number;
  /** "0.13" etc. */
  taxRate: string;
  /** Tax-inclusive line amount in fen (unitPrice × quantity, rounded once, half up). */
  amount: number;
}
