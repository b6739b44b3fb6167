/**
 * The channel API (/api/channel/*): the merchant's own back end asks for invoices on its buyers'
 * behalf (native app, plain mobile web).
 */
import { z } from 'zod';
import { invoiceSource, invoiceStatusDto, invoiceTitle, openid, orderNo, requestId, unionid } from './common';

const httpUrl = z
  .url()
  .max(1024)
  .refine((value) => /^https?:\/\//.test(value), 'must be an http(s) URL');

const channelSource = z.enum(['app', 'wap', 'web']);

export const channelInvoiceRequest = z
  .object({
    orderNo,
    account: z.string().min(1).max(32).describe('the configured WeChat account that asks for the authorization URL (for source app: the mobile app)'),
    source: channelSource,
    openid: openid.optional().describe("the buyer's openid under that account, when known (WeChat login for apps); otherwise WeChat's push names it"),
    unionid: unionid.optional(),
    type: z.union([z.literal(0), z.literal(1)]).default(1),
    title: invoiceTitle.optional(),
    redirectUrl: httpUrl.optional().describe('web/wap: where WeChat sends the buyer after authorizing'),
    callbackUrl: httpUrl.optional().describe('POSTed {requestId, orderNo, status} when the request is issued or ends'),
  })
  .strict();
export type ChannelInvoiceRequest = z.input<typeof channelInvoiceRequest>;

export const channelInvoiceResponse = z
  .object({
    requestId: z.string(),
    orderNo: z.string(),
    source: channelSource,
    authUrl: z.string().describe("for the app: WXInvoiceAuthInsertReq's url; for web/wap: the page to open"),
    webviewUrl: z.string().optional().describe('sandbox mode: authUrl with the buyer filled in'),
  })
  .meta({ id: 'ChannelInvoiceLink' });
export type ChannelInvoiceResponse = z.infer<typeof channelInvoiceResponse>;

export const requestIdParams = z.object({ requestId }).strict();

export const channelStatusDto = invoiceStatusDto
  .extend({ requestId: z.string(), orderNo: z.string(), account: z.string(), source: invoiceSource })
  .meta({ id: 'ChannelInvoiceStatus' });
export type ChannelInvoiceStatusResponse = z.infer<typeof channelStatusDto>;
