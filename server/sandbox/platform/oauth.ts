import crypto from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { SandboxContext } from '../context';
import { count } from '../control/counters';
import { html, mobilePage, sendPage } from '../pages/html';
import { fail } from '../reply';
import { authenticateApp, newOpaqueValue } from './credentials';
import { openidFor, unionidFor } from './routes';

/**
 * WeChat web authorization (网页授权) for Official Account pages, as the sandbox plays it:
 * GET /connect/oauth2/authorize redirects to redirect_uri?code=CODE&state=STATE (silently for
 * snsapi_base once the sandbox knows who the browser's WeChat user is), and
 * GET /sns/oauth2/access_token turns the code into the user's openid for that account (+ unionid
 * when the account is bound to an Open Platform account). A code works once, for 5 minutes.
 *
 * The sandbox has no WeChat user: the first visit asks who is acting (alice, bob, or a name),
 * remembered in a cookie for the next visits, as WeChat knows its logged-in user.
 */

const USER_COOKIE = 'sandbox_wechat_user';
const USER_NAME = /^[A-Za-z0-9_@-]{1,64}$/;
const CODE_TTL_MS = 5 * 60_000;
const SCOPES = ['snsapi_base', 'snsapi_userinfo'];

export function oauthPageRoutes(sb: SandboxContext): Router {
  const router = new Router();
  router.get('/connect/oauth2/authorize', async (ctx) => {
    const q = (name: string) => (typeof ctx.query[name] === 'string' ? (ctx.query[name]) : '');
    const appid = q('appid');
    const redirectUri = q('redirect_uri');
    const state = q('state');
    const app = appid ? await sb.models.App.findOne({ appid }).lean() : null;
    // WeChat shows an error page for these (it never redirects to a URL it cannot trust).
    if (!app) return sendPage(ctx, 400, errorPage('appid 参数错误', '该公众号不存在（沙箱中没有这个 appid）'));
    if (!/^https?:\/\//.test(redirectUri)) return sendPage(ctx, 400, errorPage('redirect_uri 参数错误', 'redirect_uri 必须是 http(s) 地址'));
    if (q('response_type') !== 'code' || !SCOPES.includes(q('scope'))) return sendPage(ctx, 400, errorPage('参数错误', 'response_type 须为 code，scope 须为 snsapi_base 或 snsapi_userinfo'));
    if (state.length > 128 || !/^[A-Za-z0-9]*$/.test(state)) return sendPage(ctx, 400, errorPage('state 参数错误', 'state 最多 128 字节，只能是字母和数字'));

    const chosen = q('sandbox_user').trim();
    if (chosen && !USER_NAME.test(chosen)) return sendPage(ctx, 400, chooserPage(ctx, '请输入沙箱用户名（字母、数字、_ - @）'));
    const user = chosen || (ctx.cookies.get(USER_COOKIE) ?? '');
    if (!USER_NAME.test(user)) return sendPage(ctx, 200, chooserPage(ctx));
    if (chosen) ctx.cookies.set(USER_COOKIE, chosen, { httpOnly: true, sameSite: 'lax', maxAge: 30 * 24 * 3600_000 });

    const code = crypto.randomBytes(16).toString('hex');
    const now = sb.now();
    await sb.models.OAuthCode.create({ code, appid, user, scope: q('scope'), createdAt: now, expiresAt: new Date(now.getTime() + CODE_TTL_MS) });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('state', state);
    ctx.redirect(target.toString());
  });
  return router;
}

/** GET /sns/oauth2/access_token: the JSON half (mounted with the other platform endpoints). */
export function oauthApiRoutes(sb: SandboxContext): Router {
  const router = new Router();
  router.get('/sns/oauth2/access_token', async (ctx) => {
    if (ctx.query.grant_type !== 'authorization_code') fail(40002);
    const app = await authenticateApp(sb, ctx.query.appid, ctx.query.secret);
    const code = ctx.query.code;
    if (typeof code !== 'string' || !code) fail(41008);
    const now = sb.now();
    const found = await sb.models.OAuthCode.findOne({ code, appid: app.appid }).lean();
    if (!found || found.expiresAt <= now) fail(40029);
    const used = await sb.models.OAuthCode.updateOne({ code, appid: app.appid, usedAt: { $exists: false } }, { $set: { usedAt: now } });
    if (used.modifiedCount !== 1) fail(40163);
    await count(sb.models, 'oauth:code_exchange');
    const unionid = app.openPlatform ? unionidFor(app.openPlatform, found.user) : undefined;
    ctx.body = {
      access_token: newOpaqueValue(),
      expires_in: 7200,
      refresh_token: newOpaqueValue(),
      openid: openidFor(app.appid, found.user),
      scope: found.scope,
      ...(unionid ? { unionid } : {}),
    };
  });
  return router;
}

function chooserPage(ctx: Context, error?: string) {
  const here = new URLSearchParams(ctx.querystring);
  here.delete('sandbox_user');
  const link = (name: string) => {
    const q = new URLSearchParams(here);
    q.set('sandbox_user', name);
    return `?${q.toString()}`;
  };
  return mobilePage(
    '微信授权登录',
    html`${error ? html`<div class="alert" role="alert" id="errors">${error}</div>` : undefined}
<div class="cells-title">以哪个微信用户的身份打开公众号网页？</div>
<section class="cells users">${['alice', 'bob'].map(
      (name) => html`<div class="cell"><a href="${link(name)}" id="user-${name}"><span class="k">${name}</span><span class="v">沙箱用户</span></a></div>`,
    )}</section>
<form method="get">
${[...here.entries()].map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<section class="cells"><div class="cell"><label for="sandbox_user">用户</label><input id="sandbox_user" name="sandbox_user" placeholder="沙箱用户名（如 alice）" autocomplete="off"></div></section>
<div class="actions"><button class="btn btn-primary" type="submit">继续</button></div>
</form>
<div class="note">沙箱里没有真实的微信用户：选择的用户会被记住，之后的网页授权（snsapi_base）直接跳回商户页面。用户名与小程序登录 code 的用户名相同（alice 即 code “alice.N” 的用户）。</div>`,
  );
}

function errorPage(heading: string, detail: string) {
  return mobilePage('微信授权登录', html`<section class="result" id="result" data-status="error"><div class="icon warn" aria-hidden="true">!</div><h1>${heading}</h1><p>${detail}</p></section>`);
}
