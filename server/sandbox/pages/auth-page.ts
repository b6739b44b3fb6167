import Router from '@koa/router';
import type { Context } from 'koa';
import { constantTimeEqual } from '../../src/wechat/push';
import { readText } from '../../src/http/read-text';
import type { SandboxContext } from '../context';
import type { AuthFieldSettings, SandboxAuthorization } from '../data/invoice-models';
import { ApiProblem } from '../invoice/api-problem';
import { authorizeOrder, type StoredAuthorization } from '../invoice/authorization';
import { authUrlSignature, parseAuthUrl } from '../invoice/authurl';
import { isOpenid } from '../invoice/fields';
import { loadMerchant } from '../invoice/merchant';
import { openidFor } from '../platform/routes';
import { html, mobilePage, sendPage, yuan, type SafeHtml } from './html';
import { checkTitle, enteredTitle, fieldsOf, KIND_LABEL, type FieldSpec, type TitleKind } from './title-form';

/**
 * WeChat's invoice authorization page, as the sandbox plays it: GET/POST /sandbox/auth?<auth_url
 * query>. Both forms of auth_url getauthurl hands out open it: the http URL of web/wap/app, and
 * the query of a wxa path (`pages/auth/auth?…`) that a Mini Program shows in a <web-view> as
 * `<sandbox>/sandbox/auth?<the same query>`. The signature is checked as the machine API does.
 *
 * Query parameters the page adds to auth_url's own:
 * - `openid`: the WeChat user acting (the merchant server appends it in sandbox mode); without it
 *   the page asks who is acting;
 * - `user`: a sandbox user name (alice → openidFor(appid, 'alice'), the user whose wx.login codes
 *   are "alice" or "alice.N") or an openid, typed on that question; redirected to `openid`;
 * - `kind`: user | biz, the title tab of a type 1 page (个人 / 单位);
 * - `retry`: 1 shows the form again after the user declined.
 *
 * The form posts back to the same URL; the page calls authorizeOrder, the use case behind
 * POST /sandbox/api/authorize, so the result is recorded and user_authorize_invoice pushed the same
 * way. Success redirects (303) to the GET URL, which shows the result for the authorization's state.
 */

const PAGE_PARAMS = ['openid', 'user', 'kind', 'retry'] as const;
const MAX_FORM_BYTES = 64 * 1024;
/** A sandbox user name: what comes before the "." of a wx.login code in the sandbox. */
const USER_NAME = /^[A-Za-z0-9_@-]{1,64}$/;

const TYPE_TITLE: Record<SandboxAuthorization['type'], string> = { 0: '申请开票', 1: '填写发票抬头', 2: '领取发票' };
const TYPE_HINT: Record<SandboxAuthorization['type'], string> = {
  0: '商户将为该订单开具电子发票，开票后发票将存入你的微信卡包',
  1: '请填写发票抬头，商户将据此开具电子发票并存入你的微信卡包',
  2: '商户已为该订单开具电子发票，领取后将存入你的微信卡包',
};
const AUTHORIZE_LABEL: Record<SandboxAuthorization['type'], string> = { 0: '申请开票', 1: '申请开票', 2: '领取发票' };
const DECLINE_LABEL: Record<SandboxAuthorization['type'], string> = { 0: '取消', 1: '取消', 2: '拒绝' };
const SOURCE_LABEL: Record<SandboxAuthorization['source'], string> = { app: 'App', web: '公众号网页', wap: '网页', wxa: '小程序' };

/** A page that cannot be shown (bad link, unknown order): rendered as an error page. */
class PageProblem extends Error {
  constructor(
    readonly status: number,
    readonly heading: string,
    readonly detail: string,
  ) {
    super(heading);
  }
}

/** What every request of the page starts from: the query split in two, and the authorization. */
interface PageRequest {
  query: URLSearchParams;
  /** auth_url's own query (the page's parameters removed): what the use case is handed. */
  authUrl: string;
  a: StoredAuthorization;
}

export function authPageRoutes(sb: SandboxContext, log: (msg: string, err?: unknown) => void): Router {
  const router = new Router();

  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof PageProblem) return sendPage(ctx, err.status, errorPage(err.heading, err.detail));
      log(`sandbox: ${ctx.method} ${ctx.path} failed`, err);
      sendPage(ctx, 500, errorPage('页面出错了', '沙箱内部错误，请查看沙箱日志'));
    }
  });

  router.get('/sandbox/auth', async (ctx) => {
    const req = await loadRequest(sb, ctx);
    const user = req.query.get('user');
    if (user !== null) {
      const openid = isOpenid(user.trim()) ? user.trim() : USER_NAME.test(user.trim()) ? openidFor(req.a.appid, user.trim()) : undefined;
      if (!openid) return sendPage(ctx, 400, await chooserPage(sb, req, '请输入沙箱用户名（字母、数字、_ - @）或 28 位 openid'));
      ctx.status = 303;
      ctx.redirect(withParams(req.query, { user: undefined, openid }));
      return;
    }
    const openid = req.query.get('openid');
    if (openid === null) return sendPage(ctx, 200, await chooserPage(sb, req));
    if (!isOpenid(openid)) return sendPage(ctx, 400, await chooserPage(sb, req, '链接中的 openid 格式不正确（应为 28 位字母、数字、_ 或 -）'));
    sendPage(ctx, 200, await statePage(sb, req, openid), { formTargets: redirectOrigin(req.a) });
  });

  router.post('/sandbox/auth', async (ctx) => {
    const req = await loadRequest(sb, ctx);
    const openid = req.query.get('openid');
    if (openid === null || !isOpenid(openid)) return sendPage(ctx, 400, await chooserPage(sb, req, '请先选择以哪个微信用户的身份操作'));
    const text = await readText(ctx.req, MAX_FORM_BYTES);
    if (text === undefined) throw new PageProblem(413, '提交的内容过长', `表单不能超过 ${MAX_FORM_BYTES / 1024} KB`);
    const form = new URLSearchParams(text);
    const action = form.get('action');
    if (action !== 'authorize' && action !== 'decline') throw new PageProblem(400, '无法识别的操作', '请通过页面上的按钮提交');

    let title: { user_field?: unknown; biz_field?: unknown } = {};
    let titleForm: TitleFormState | undefined;
    if (action === 'authorize' && req.a.type === 1 && (req.a.status === 'pending' || req.a.status === 'declined')) {
      const settings = await authFieldsOf(sb, req.a);
      const kind = titleKind(form.get('kind'));
      const fields = fieldsOf(settings, kind);
      const values = new Map(fields.map((f) => [f.name, form.get(f.name) ?? '']));
      titleForm = { kind, fields, values, errors: checkTitle(fields, values) };
      if (titleForm.errors.size > 0) return sendPage(ctx, 400, formPage(req, openid, { title: titleForm }), { formTargets: redirectOrigin(req.a) });
      title = enteredTitle(kind, fields, values);
    }
    let outcome;
    try {
      outcome = await authorizeOrder(sb, { auth_url: req.authUrl, openid, action, ...title });
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      const current = { ...req, a: (await sb.models.Authorization.findById(req.a._id).lean()) ?? req.a };
      const alert = problemMessage(err);
      if (current.a.status === 'pending' || current.a.status === 'declined') {
        const shown = titleForm ?? (current.a.type === 1 ? await emptyTitleForm(sb, current.a, titleKind(form.get('kind'))) : undefined);
        return sendPage(ctx, err.status, formPage(current, openid, { alert, ...(shown ? { title: shown } : {}) }), { formTargets: redirectOrigin(current.a) });
      }
      return sendPage(ctx, err.status, resultPage(current, openid, alert));
    }
    ctx.status = 303;
    // An Official Account page (source web): WeChat takes the user on to redirect_url once authorized.
    const a = outcome.authorization;
    if (a.source === 'web' && a.status === 'authorized' && a.redirect_url && isHttpUrl(a.redirect_url)) {
      ctx.redirect(a.redirect_url);
      return;
    }
    ctx.redirect(withParams(req.query, { kind: undefined, retry: undefined, user: undefined }));
  });

  return router;
}

/** The authorization behind the query, with its signature checked as getauthurl made it. */
async function loadRequest(sb: SandboxContext, ctx: Context): Promise<PageRequest> {
  const query = new URLSearchParams(ctx.querystring);
  const own = new URLSearchParams(query);
  for (const name of PAGE_PARAMS) own.delete(name);
  const authUrl = `/sandbox/auth?${own.toString()}`;
  const id = parseAuthUrl(authUrl);
  if (!id) throw new PageProblem(400, '链接不完整', '授权链接缺少 appid、s_pappid、o1 或 signature，请使用 getauthurl 返回的 auth_url');
  const a = await sb.models.Authorization.findOne({ appid: id.appid, s_pappid: id.s_pappid, order_id: id.order_id }).lean();
  if (!a) throw new PageProblem(404, '找不到该开票授权', '该链接对应的订单没有通过 getauthurl 申请过授权页');
  if (!constantTimeEqual(authUrlSignature(a.urlKey, a.appid, a.s_pappid, a.order_id), id.signature)) {
    throw new PageProblem(403, '链接校验失败', '授权链接的签名不正确，链接可能被修改过');
  }
  return { query, authUrl, a };
}

async function authFieldsOf(sb: SandboxContext, a: SandboxAuthorization): Promise<AuthFieldSettings> {
  const { authField } = await loadMerchant(sb, a.appid);
  if (!authField) throw new PageProblem(409, '暂时无法填写抬头', '商户尚未设置授权页字段（setbizattr set_auth_field）');
  return authField;
}

function titleKind(value: string | null): TitleKind {
  return value === 'biz' ? 'biz' : 'user';
}

/** The page URL with some of the page's parameters changed (undefined removes one), relative to itself. */
function withParams(query: URLSearchParams, changes: Partial<Record<(typeof PAGE_PARAMS)[number], string | undefined>>): string {
  const next = new URLSearchParams(query);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) next.delete(name);
    else next.set(name, value);
  }
  return `?${next.toString()}`;
}

// ---------------------------------------------------------------------------------------------
// Pages

interface TitleFormState {
  kind: TitleKind;
  fields: FieldSpec[];
  values: ReadonlyMap<string, string>;
  errors: ReadonlyMap<string, string>;
}

async function statePage(sb: SandboxContext, req: PageRequest, openid: string): Promise<SafeHtml> {
  const { a, query } = req;
  if (a.status === 'pending' || (a.status === 'declined' && query.get('retry') === '1')) {
    if (a.type !== 1) return formPage(req, openid, {});
    return formPage(req, openid, { title: await emptyTitleForm(sb, a, titleKind(query.get('kind'))) });
  }
  return resultPage(req, openid);
}

async function emptyTitleForm(sb: SandboxContext, a: SandboxAuthorization, kind: TitleKind): Promise<TitleFormState> {
  return { kind, fields: fieldsOf(await authFieldsOf(sb, a), kind), values: new Map(), errors: new Map() };
}

function orderHead(a: SandboxAuthorization, hint: string): SafeHtml {
  return html`<section class="head">
<div class="merchant">商户 <span class="mono">${a.appid}</span> · 来自${SOURCE_LABEL[a.source]}</div>
<div class="money">¥${yuan(a.money)}</div>
<div class="hint">${hint}</div>
</section>
<section class="cells">
<div class="cell"><span class="k">订单号</span><span class="v" id="order-id">${a.order_id}</span></div>
</section>`;
}

function whoAmI(req: PageRequest, openid: string): SafeHtml {
  return html`<div class="note">当前微信用户 <span class="mono" id="openid">${openid}</span> · <a href="${withParams(req.query, { openid: undefined, kind: undefined })}">切换用户</a></div>`;
}

function formPage(req: PageRequest, openid: string, opts: { title?: TitleFormState; alert?: string }): SafeHtml {
  const { a } = req;
  const t = opts.title;
  const messages = [...(opts.alert ? [opts.alert] : []), ...(t ? [...t.errors.values()] : [])];
  const alert =
    messages.length > 0
      ? html`<div class="alert" role="alert" id="errors">${messages.length === 1 ? messages[0] : html`请检查填写的内容：<ul>${messages.map((m) => html`<li>${m}</li>`)}</ul>`}</div>`
      : undefined;
  const declinedNote = a.status === 'declined' ? html`<div class="note">你之前拒绝了本次${TYPE_TITLE[a.type]}，可以重新操作。</div>` : undefined;
  const tabs = t
    ? html`<div class="cells-title">抬头类型</div><nav class="tabs">${(['user', 'biz'] as const).map(
        (k) => html`<a href="${withParams(req.query, { kind: k })}" class="${k === t.kind ? 'on' : ''}" id="tab-${k}">${KIND_LABEL[k]}</a>`,
      )}</nav>`
    : undefined;
  return mobilePage(
    TYPE_TITLE[a.type],
    html`${orderHead(a, TYPE_HINT[a.type])}
${alert}${declinedNote}
<form method="post" novalidate>
${tabs}
${t ? titleFields(t) : undefined}
<div class="actions">
<button class="btn btn-primary" type="submit" name="action" value="authorize" id="authorize">${AUTHORIZE_LABEL[a.type]}</button>
<button class="btn btn-default" type="submit" name="action" value="decline" id="decline">${DECLINE_LABEL[a.type]}</button>
</div>
</form>
${whoAmI(req, openid)}`,
  );
}

function titleFields(t: TitleFormState): SafeHtml {
  const cell = (f: FieldSpec) => {
    const error = t.errors.get(f.name);
    const id = `f-${f.name.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
    return html`<div class="cell${error ? ' invalid' : ''}"><label for="${id}">${f.label}${f.required ? html`<span class="req" aria-hidden="true">*</span>` : undefined}</label><input id="${id}" name="${f.name}" type="${f.inputType}" value="${t.values.get(f.name) ?? ''}" placeholder="${f.placeholder}" maxlength="200" autocomplete="off"${f.inputMode ? html` inputmode="${f.inputMode}"` : undefined}${error ? html` aria-invalid="true"` : undefined}></div>${error ? html`<div class="err">${error}</div>` : undefined}`;
  };
  const builtin = t.fields.filter((f) => f.customKey === undefined);
  const custom = t.fields.filter((f) => f.customKey !== undefined);
  return html`<input type="hidden" name="kind" value="${t.kind}">
<div class="cells-title">${KIND_LABEL[t.kind]}抬头</div>
<section class="cells">${builtin.map(cell)}</section>
${custom.length > 0 ? html`<div class="cells-title">其他信息</div><section class="cells">${custom.map(cell)}</section>` : undefined}`;
}

function resultPage(req: PageRequest, openid: string, alert?: string): SafeHtml {
  const { a } = req;
  const mine = a.openid === openid;
  let icon: 'ok' | 'no' | 'warn';
  let heading: string;
  let lines: string[];
  let again: SafeHtml | undefined;
  switch (a.status) {
    case 'authorized':
      icon = mine ? 'ok' : 'warn';
      heading = mine ? (a.type === 2 ? '已领取发票' : '开票申请已提交') : '该订单已由其他微信用户授权';
      lines = mine ? [a.type === 2 ? '发票将存入你的微信卡包' : '商户开具发票后，发票将存入你的微信卡包'] : ['授权后不能撤回，也不能由其他用户再次授权'];
      break;
    case 'declined':
      icon = 'no';
      heading = a.type === 2 ? '你已拒绝领取发票' : '你已取消开票申请';
      lines = ['商户已收到通知'];
      again = html`<a class="btn btn-default" href="${withParams(req.query, { retry: '1' })}" id="again">重新${TYPE_TITLE[a.type]}</a>`;
      break;
    case 'rejected':
      icon = 'warn';
      heading = '商户已拒绝为该订单开票';
      lines = a.reject?.reason ? [`原因：${a.reject.reason}`] : [];
      break;
    default:
      icon = 'warn';
      heading = '该订单尚未授权';
      lines = [];
  }
  const rejectLink = a.status === 'rejected' && a.reject?.url && isHttpUrl(a.reject.url) ? html`<a class="btn btn-default" href="${a.reject.url}">查看详情</a>` : undefined;
  return mobilePage(
    TYPE_TITLE[a.type],
    html`${alert ? html`<div class="alert" role="alert" id="errors">${alert}</div>` : undefined}
<section class="result" id="result" data-status="${a.status}">
<div class="icon ${icon}" aria-hidden="true">${icon === 'ok' ? '✓' : icon === 'no' ? '✕' : '!'}</div>
<h1>${heading}</h1>
${lines.map((l) => html`<p>${l}</p>`)}
</section>
<section class="cells">
<div class="cell"><span class="k">订单号</span><span class="v">${a.order_id}</span></div>
<div class="cell"><span class="k">金额</span><span class="v">¥${yuan(a.money)}</span></div>
${mine && a.status === 'authorized' ? enteredSummary(a) : undefined}
</section>
<div class="actions">${backTo(a)}${again}${rejectLink}</div>
${whoAmI(req, openid)}`,
  );
}

/** The title the user entered (type 1), as recorded. */
function enteredSummary(a: SandboxAuthorization): SafeHtml | undefined {
  const info = a.userAuthInfo;
  const side = info?.biz_field ? 'biz' : info?.user_field ? 'user' : undefined;
  if (!side || !info) return undefined;
  const entered = (side === 'biz' ? info.biz_field : info.user_field) ?? {};
  const title = typeof entered.title === 'string' ? entered.title : '';
  return html`<div class="cell"><span class="k">${KIND_LABEL[side]}抬头</span><span class="v" id="entered-title">${title}</span></div>`;
}

/** Where the user goes next: back to the merchant's page (web/wap with redirect_url), the Mini Program or the app. */
function backTo(a: SandboxAuthorization): SafeHtml | undefined {
  if ((a.source === 'web' || a.source === 'wap') && a.redirect_url && isHttpUrl(a.redirect_url)) {
    return html`<a class="btn btn-primary" href="${a.redirect_url}" id="back">返回商户</a>`;
  }
  if (a.source === 'app') {
    // What the app's WXApiDelegate onResp / IWXAPIEventHandler.onResp receives when WeChat returns
    // to it (WXInvoiceAuthInsertResp): errCode 0 and the order id, or -2 (user cancelled).
    const onResp = { errCode: a.status === 'authorized' ? 0 : -2, wxOrderId: a.order_id };
    return html`<p class="cell-note" style="text-align:center">微信将返回 App，App 的 onResp 收到：</p>
<pre class="note mono" id="onresp" data-errcode="${onResp.errCode}">${JSON.stringify(onResp)}</pre>
<p class="cell-note" style="text-align:center">（用户也可能不回到 App：商户以推送或 getauthdata 为准）</p>`;
  }
  const where = a.source === 'wxa' ? '点击左上角返回小程序' : '可以关闭本页面';
  return html`<p class="cell-note" style="text-align:center">${where}</p>`;
}

/** The origin a form's redirect may go to (the merchant's redirect_url), for the page's CSP. */
function redirectOrigin(a: SandboxAuthorization): string[] {
  if (a.source !== 'web' || !a.redirect_url || !isHttpUrl(a.redirect_url)) return [];
  return [new URL(a.redirect_url).origin];
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Who is acting? The sandbox has no WeChat user: pick one it has seen, or type a name or openid. */
async function chooserPage(sb: SandboxContext, req: PageRequest, error?: string): Promise<SafeHtml> {
  const { a, query } = req;
  const users = await knownUsers(sb, a.appid);
  const hidden = [...query.entries()].filter(([name]) => !(PAGE_PARAMS as readonly string[]).includes(name));
  return mobilePage(
    TYPE_TITLE[a.type],
    html`${orderHead(a, TYPE_HINT[a.type])}
${error ? html`<div class="alert" role="alert" id="errors">${error}</div>` : undefined}
<div class="cells-title">以哪个微信用户的身份操作？</div>
<section class="cells users">${users.map(
      (u) => html`<div class="cell"><a href="${withParams(query, { user: undefined, openid: u.openid })}"><span class="k">${u.label}</span><span class="v mono">${u.openid}</span></a></div>`,
    )}</section>
<form method="get">
${hidden.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<section class="cells"><div class="cell"><label for="user">用户</label><input id="user" name="user" placeholder="沙箱用户名（如 alice）或 openid" autocomplete="off"></div></section>
<div class="actions"><button class="btn btn-primary" type="submit">继续</button></div>
</form>
<div class="note">沙箱里没有真实的微信用户。商户服务器在沙箱模式下会在链接后附加 <span class="mono">openid</span>；没有时请在这里选择或输入。
用户名 alice 即 wx.login code 为 “alice” 或 “alice.N” 的用户（openid 由 appid 和用户名算出）。</div>`,
  );
}

interface KnownUser {
  label: string;
  openid: string;
}

/**
 * Users of the app the sandbox knows by name (recent wx.login users, then alice and bob), then
 * other openids that acted on its authorizations.
 */
async function knownUsers(sb: SandboxContext, appid: string): Promise<KnownUser[]> {
  const users: KnownUser[] = [];
  const add = (label: string, openid: string) => {
    if (users.length < 12 && !users.some((u) => u.openid === openid)) users.push({ label, openid });
  };
  const logins = await sb.models.LoginCode.find({ appid }).sort({ usedAt: -1 }).limit(200).lean();
  for (const l of logins) {
    const name = l.code.split('.')[0] ?? l.code;
    add(name.length > 16 ? `${name.slice(0, 16)}…` : name, openidFor(appid, l.code));
  }
  for (const name of ['alice', 'bob']) add(name, openidFor(appid, name));
  const acted = await sb.models.Authorization.find({ appid, openid: { $exists: true } }).sort({ updatedAt: -1 }).limit(50).lean();
  for (const x of acted) if (x.openid) add('曾授权的用户', x.openid);
  return users;
}

function errorPage(heading: string, detail: string): SafeHtml {
  return mobilePage(
    '发票授权',
    html`<section class="result" id="result" data-status="error">
<div class="icon warn" aria-hidden="true">!</div>
<h1>${heading}</h1>
<p>${detail}</p>
</section>`,
  );
}

/** The use case's refusals, for a person. */
function problemMessage(p: ApiProblem): string {
  const messages: Record<string, string> = {
    FIELD_REQUIRED: '请填写所有必填项',
    FIELD_NOT_SHOWN: '提交了本页面没有的字段',
    VALIDATION_FAILED: '填写的内容有误',
    AUTH_URL_INVALID: '授权链接无效',
    AUTHORIZATION_NOT_FOUND: '找不到该开票授权',
    ORDER_REJECTED: '商户已拒绝为该订单开票',
    ALREADY_AUTHORIZED: '你已授权过该订单，授权不能撤回',
    AUTHORIZED_BY_ANOTHER_USER: '该订单已由其他微信用户授权',
    AUTH_FIELD_NOT_SET: '商户尚未设置授权页字段，暂时无法填写抬头',
    CONFLICT: '授权状态刚刚发生了变化，请重试',
  };
  return `${messages[p.code] ?? '操作失败'}（${p.code}：${p.message}）`;
}
