/**
 * Registers the development merchant with the sandbox the way a merchant does with WeChat:
 * seturl (which gives the invoicing platform's s_pappid), a contact (WeChat requires one before any
 * auth URL: 72063) and auth fields (type 1 needs them: 72029). Returns what the server's
 * configuration needs: the s_pappid and the 6-character merchant code that starts every fpqqlsh.
 */
export interface MerchantIdentity {
  sPappid: string;
  merchantCode: string;
}

interface Credentials {
  appid: string;
  secret: string;
}

type Json = Record<string, unknown>;

async function call(url: string, init?: RequestInit): Promise<Json> {
  const res = await fetch(url, init);
  const body = (await res.json()) as Json;
  if (typeof body.errcode === 'number' && body.errcode !== 0) throw new Error(`${new URL(url).pathname} failed: ${body.errcode} ${String(body.errmsg)}`);
  return body;
}

export async function bootstrapSandboxMerchant(sandboxUrl: string, app: Credentials): Promise<MerchantIdentity> {
  const { access_token: token } = await call(`${sandboxUrl}/cgi-bin/stable_token`, {
    method: 'POST',
    body: JSON.stringify({ grant_type: 'client_credential', appid: app.appid, secret: app.secret }),
  });
  const post = (path: string, body: unknown) =>
    call(`${sandboxUrl}${path}${path.includes('?') ? '&' : '?'}access_token=${String(token)}`, { method: 'POST', body: JSON.stringify(body) });

  await post('/card/invoice/seturl', {});
  await post('/card/invoice/setbizattr?action=set_contact', { contact: { phone: '0591-88888888', time_out: 7200 } });
  await post('/card/invoice/setbizattr?action=set_auth_field', {
    auth_field: {
      user_field: { show_title: 1, show_phone: 1, show_email: 1, require_email: 0, require_phone: 0 },
      biz_field: { show_title: 1, show_tax_no: 1, show_addr: 1, show_phone: 1, show_bank_type: 1, show_bank_no: 1, require_tax_no: 1 },
    },
  });
  const merchant = await call(`${sandboxUrl}/sandbox/api/merchant?appid=${app.appid}`);
  if (typeof merchant.s_pappid !== 'string' || typeof merchant.merchantCode !== 'string') {
    throw new Error('the sandbox did not report the merchant s_pappid and merchant code');
  }
  return { sPappid: merchant.s_pappid, merchantCode: merchant.merchantCode };
}
