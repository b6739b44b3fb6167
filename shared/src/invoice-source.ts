/**
 * Where the buyer authorizes (getauthurl's `source`): wxa a Mini Program, web an Official Account's
 * H5 page inside WeChat, app a native app through the WeChat SDK, wap an ordinary mobile web page.
 */
export const INVOICE_SOURCES = ['wxa', 'web', 'app', 'wap'] as const;
export type InvoiceSource = (typeof INVOICE_SOURCES)[number];
