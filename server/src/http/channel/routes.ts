import { z } from 'zod';
import { accountForChannel } from '../../domain/channels';
import { channelInvoiceStatus, refreshChannelInvoice } from '../../domain/lifecycle/channel-status';
import type { LifecycleDeps } from '../../domain/lifecycle/deps';
import { requestInvoice } from '../../domain/lifecycle/request-invoice';
import { route, type AnyApiRoute } from '../api-route';
import { invoiceStatusDto, invoiceTitle, openid, orderNo } from '../schemas';

export interface ChannelDeps {
  lifecycle: LifecycleDeps;
}

const httpUrl = z
  .url()
  .max(1024)
  .refine((value) => /^https?:\/\//.test(value), 'must be an http(s) URL');

const requestIdParams = z.object({ requestId: z.string().regex(/^ir_[0-9a-z]{16}$/, 'must be an invoice request id') }).strict();

const channelStatusDto = invoiceStatusDto.extend({
  requestId: z.string(),
  orderNo: z.string(),
  account: z.string(),
  source: z.enum(['wxa', 'web', 'app', 'wap']),
});

/**
 * /api/channel: the merchant's own back end asks for invoices on its buyers' behalf (native app,
 * plain mobile web): it vouches for the buyer, so there is no buyer session here. It creates the
 * request for an order and hands the auth_url to its app (WXInvoiceAuthInsertReq) or page, then
 * polls the status or waits for its callback (a hint: confirm with GET).
 */
export function channelRoutes(deps: ChannelDeps): AnyApiRoute[] {
  return [
    route({
      method: 'post',
      path: '/invoices',
      summary:
        'Request an invoice for an order through an app, plain web or Official Account page; returns the request id and the auth_url ' +
        '(for the app: WXInvoiceAuthInsertReq url; for web/wap: the page to open)',
      auth: 'channel',
      status: 201,
      body: z
        .object({
          orderNo,
          account: z.string().min(1).max(32).describe('the configured WeChat account that asks for the authorization URL (for source app: the mobile app)'),
          source: z.enum(['app', 'wap', 'web']),
          openid: openid.optional().describe("the buyer's openid under that account, when known (WeChat login for apps); otherwise WeChat's push names it"),
          unionid: z.string().regex(/^[0-9A-Za-z_-]{6,64}$/).optional(),
          type: z.union([z.literal(0), z.literal(1)]).default(1),
          title: invoiceTitle.optional(),
          redirectUrl: httpUrl.optional().describe('web/wap: where WeChat sends the buyer after authorizing'),
          callbackUrl: httpUrl.optional().describe('POSTed {requestId, orderNo, status} when the request is issued or ends'),
        })
        .strict(),
      response: z.object({
        requestId: z.string(),
        orderNo: z.string(),
        source: z.enum(['app', 'wap', 'web']),
        authUrl: z.string(),
        webviewUrl: z.string().optional().describe('sandbox mode: authUrl with the buyer filled in'),
      }),
      handler: async ({ body }) => {
        const account = accountForChannel(deps.lifecycle.accounts, body.source, body.account);
        const link = await requestInvoice(deps.lifecycle, {
          orderNo: body.orderNo,
          type: body.type,
          title: body.title,
          ...(body.openid ? { openid: body.openid } : {}),
          ...(body.unionid ? { unionid: body.unionid } : {}),
          channel: { account, source: body.source, ...(body.redirectUrl ? { redirectUrl: body.redirectUrl } : {}), ...(body.callbackUrl ? { callbackUrl: body.callbackUrl } : {}) },
        });
        return {
          requestId: link.requestId,
          orderNo: body.orderNo,
          source: body.source,
          authUrl: link.authUrl,
          ...(link.webviewUrl ? { webviewUrl: link.webviewUrl } : {}),
        };
      },
    }),
    route({
      method: 'get',
      path: '/invoices/:requestId',
      summary: 'Where the request stands, with the invoice numbers and PDF once issued',
      auth: 'channel',
      params: requestIdParams,
      response: channelStatusDto,
      handler: ({ params }) => channelInvoiceStatus(deps.lifecycle, params.requestId),
    }),
    route({
      method: 'post',
      path: '/invoices/:requestId/refresh',
      summary: "The app is back from WeChat (onResp) or the buyer opened the page again: ask WeChat now (getauthdata), then answer like GET",
      auth: 'channel',
      params: requestIdParams,
      response: channelStatusDto,
      handler: ({ params }) => refreshChannelInvoice(deps.lifecycle, params.requestId),
    }),
  ];
}
