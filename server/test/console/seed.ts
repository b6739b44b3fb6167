import { eventually } from '../support/eventually';
import { orderFor, type LifecycleEnv } from '../support/lifecycle-env';

let seq = 0;

/**
 * A buyer's request authorized on WeChat's page with `title` (the sandbox's user_field or
 * biz_field); waits for the state the sandbox leads it to (ISSUED, or ISSUE_FAILED for a title
 * starting SANDBOX_FAIL).
 */
export async function seedRequest(
  env: LifecycleEnv,
  buyer: { token: string; openid: string },
  prefix: string,
  title: { biz_field?: object; user_field?: object },
  until: string,
): Promise<{ id: string; orderNo: string }> {
  const orderNo = `${prefix}-${Date.now().toString(36)}-${++seq}`;
  expect((await env.admin('POST', '/orders', orderFor(buyer.openid, orderNo))).status).toBe(201);
  const link = await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice`, { type: 1 });
  await env.sandboxApi('POST', '/authorize', { auth_url: link.json.authUrl, openid: buyer.openid, action: 'authorize', ...title });
  return eventually(async () => {
    const [r] = (await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as { id: string; status: string }[];
    return r?.status === until ? { id: r.id, orderNo } : undefined;
  }, `${orderNo} to reach ${until}`, 30_000);
}
