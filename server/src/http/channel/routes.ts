import { channelInvoiceRequest, channelInvoiceResponse, channelStatusDto, requestIdParams } from '@fapiao/shared/contract';
import { accountForChannel } from '../../domain/channels';
import { channelInvoiceStatus, refreshChannelInvoice } from '../../domain/lifecycle/channel-status';
import type { LifecycleDeps } from '../../domain/lifecycle/deps';
import { requestInvoice } from '../../domain/lifecycle/request-invoice';
import { route, type AnyApiRoute } from '../api-route';

export interface ChannelDeps {
  lifecycle: LifecycleDeps;
}

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
      body: channelInvoiceRequest,
      response: channelInvoiceResponse,
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
