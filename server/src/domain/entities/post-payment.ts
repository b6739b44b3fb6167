/**
 * A post-payment authorization (WeChat Pay receipt=Y, the buyer tapped 开发票) for an order Fapiao
 * did not have when the push came. Kept, never dropped: it is matched when the order is imported
 * within the match window, and listed for ops otherwise.
 */
export interface PostPaymentDoc {
  /** `<appid>:<order id>`: WeChat authorizes an order once per account. */
  _id: string;
  /** The order number WeChat named (SuccOrderId): the payment's out_trade_no. */
  orderId: string;
  /** AuthorizeAppId, or the account the push came to. */
  appid: string;
  account?: string;
  source?: string;
  /** FromUserName: the buyer's openid under that account. */
  openid: string;
  receivedAt: Date;
  status: 'waiting' | 'matched' | 'conflict';
  matchedAt?: Date;
  requestId?: string;
  /** Why it could not be matched although the order exists (the order already has a request). */
  note?: string;
}
