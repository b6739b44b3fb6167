/**
 * Who a buyer is: an openid under one of the merchant's WeChat accounts (openids differ per
 * account), and the unionid that links them when the accounts share an Open Platform account.
 * An order belongs to the buyer whose openid imported it, or whose unionid it carries.
 */
export interface BuyerIdentity {
  /** The configured account the buyer logged in through (its name). */
  account: string;
  openid: string;
  unionid?: string;
}
