/**
 * The comparison for the Mini Program's "request an invoice" route: a bare Koa app (no router, no
 * validation, no error mapping, no WeChat client) that does the same database work through the same
 * repositories in the same order and the same `getauthurl` call to the same WeChat (a plain fetch
 * with a token and ticket fetched once at start), run as its own process like the server.
 * Prints `listening <url>`.
 *
 * Environment: MONGODB_URI, PORT, FPQQLSH_PREFIX, WECHAT_API_BASE, WECHAT_APPID, WECHAT_SECRET, INVOICE_S_PAPPID.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import mongoose from 'mongoose';
import { ensureIndexes } from '../server/src/data/connection';
import { invoiceRequestRepository } from '../server/src/data/invoice-request/invoice-request.repository';
import { invoiceRequestModel } from '../server/src/data/invoice-request/invoice-request.schema';
import { orderRepository } from '../server/src/data/order/order.repository';
import { orderModel } from '../server/src/data/order/order.schema';
import { sessionRepository } from '../server/src/data/session/session.repository';
import { sessionModel } from '../server/src/data/session/session.schema';
import { settingModel } from '../server/src/data/settings/settings.schema';
import { settingsRepository } from '../server/src/data/settings/settings.repository';
import { newFpqqlsh, newRequestId, wxOrderIdFor } from '../server/src/domain/identifiers';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const db = await mongoose.createConnection(required('MONGODB_URI')).asPromise();
  const sessions = sessionRepository(sessionModel(db));
  const orders = orderRepository(orderModel(db));
  const requests = invoiceRequestRepository(invoiceRequestModel(db));
  const settings = settingsRepository(settingModel(db));
  await ensureIndexes(db);
  const prefix = required('FPQQLSH_PREFIX');
  const wechat = required('WECHAT_API_BASE').replace(/\/+$/, '');
  const sPappid = required('INVOICE_S_PAPPID');
  const getJson = async (url: string, init?: RequestInit) => (await (await fetch(url, init)).json()) as Record<string, unknown>;
  const token = await getJson(`${wechat}/cgi-bin/token?grant_type=client_credential&appid=${required('WECHAT_APPID')}&secret=${required('WECHAT_SECRET')}`);
  const accessToken = typeof token.access_token === 'string' ? token.access_token : '';
  const ticketAnswer = (await getJson(`${wechat}/cgi-bin/ticket/getticket?access_token=${accessToken}&type=wx_card`)).ticket;
  const ticket = typeof ticketAnswer === 'string' ? ticketAnswer : '';
  if (!accessToken || !ticket) throw new Error('could not get an access_token and a wx_card ticket from WECHAT_API_BASE');

  const app = new Koa();
  app.use(async (ctx) => {
    const orderNo = /^\/api\/mp\/orders\/([^/]+)\/invoice$/.exec(ctx.path)?.[1];
    const token = /^Bearer (\S+)$/.exec(ctx.get('authorization'))?.[1];
    if (ctx.method !== 'POST' || !orderNo || !token) return void (ctx.status = 404);
    for await (const _chunk of ctx.req); // read the body, as the real route does
    const now = new Date();
    const buyer = await sessions.buyerFor(token, now, 'default');
    const order = buyer ? await orders.findForBuyer(buyer, orderNo) : null;
    if (!order) return void (ctx.status = 404);
    const id = newRequestId();
    const claimed = await orders.claimNextAttempt(order.orderNo, order.requestCount, id);
    if (!claimed) return void (ctx.status = 409);
    const wxOrderId = wxOrderIdFor(order.orderNo, claimed.requestCount);
    const contact = await settings.get('contact');
    const authWindowMs = (Number(contact?.value.time_out) || 172_800) * 1000;
    await requests.create({
      _id: id,
      orderNo: order.orderNo,
      openid: order.openid,
      wxOrderId,
      type: 1,
      amount: order.amount,
      status: 'AUTH_PENDING',
      history: [{ from: null, to: 'AUTH_PENDING', event: 'created', at: now, by: 'buyer' }],
      fpqqlsh: newFpqqlsh(prefix),
      createdAt: now,
      authDeadline: new Date(now.getTime() + authWindowMs),
      nextActionAt: new Date(now.getTime() + 20_000),
      attempts: 0,
    });
    const answer = await getJson(`${wechat}/card/invoice/getauthurl?access_token=${accessToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ s_pappid: sPappid, order_id: wxOrderId, money: order.amount, timestamp: Math.floor(now.getTime() / 1000), source: 'wxa', type: 1, ticket }),
    });
    if (answer.errcode !== 0 && answer.errcode !== undefined) return void ((ctx.status = 502), (ctx.body = answer));
    ctx.body = { appid: answer.appid, authUrl: answer.auth_url };
  });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(Number(required('PORT')), '127.0.0.1', resolve));
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  process.once('SIGTERM', () => {
    server.close();
    void db.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
