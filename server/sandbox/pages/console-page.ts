import Router from '@koa/router';
import type { Context } from 'koa';
import type { SandboxContext } from '../context';
import { readStats } from '../control/counters';
import { readFaults } from '../control/faults';
import type { AuthFieldSettings, SandboxAuthorization, SandboxPushAttempt } from '../data/invoice-models';
import type { SandboxApp } from '../data/models';
import { authUrlOf } from '../invoice/authurl';
import { invoiceView, merchantView } from '../invoice/views';
import { html, SafeHtml, sendPage, yuan, type HtmlValue } from './html';

/**
 * GET /sandbox (also /sandbox/ and /sandbox/console): what the sandbox holds, to watch a demo.
 * Apps and their merchant settings, authorizations, invoices (with PDF links), push deliveries
 * with every attempt, call counters and the active faults. Newest first, at most ROWS per table.
 * Query: `appid` narrows to one app, `refresh` (seconds, 2–60) reloads the page by itself.
 * Secrets (app secret, push token, EncodingAESKey) are never shown, only whether they are set.
 */

const ROWS = 100;

export function consolePageRoutes(sb: SandboxContext): Router {
  const router = new Router();
  const handler = async (ctx: Context) => sendPage(ctx, 200, await consolePage(sb, ctx));
  router.get('/sandbox', handler);
  router.get('/sandbox/', handler);
  router.get('/sandbox/console', handler);
  return router;
}

function one(ctx: Context, name: string): string | undefined {
  const v = ctx.query[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

async function consolePage(sb: SandboxContext, ctx: Context): Promise<SafeHtml> {
  const appid = one(ctx, 'appid');
  const refreshRaw = Number(one(ctx, 'refresh'));
  const refresh = Number.isInteger(refreshRaw) && refreshRaw >= 2 && refreshRaw <= 60 ? refreshRaw : undefined;
  const byApp = appid ? { appid } : {};
  const { models } = sb;

  const [apps, merchants, authorizations, invoices, deliveries, stats, faults] = await Promise.all([
    models.App.find(byApp).sort({ appid: 1 }).lean(),
    models.Merchant.find(byApp).lean(),
    models.Authorization.find(byApp).sort({ updatedAt: -1 }).limit(ROWS).lean(),
    models.Invoice.find(byApp).sort({ createdAt: -1 }).limit(ROWS).lean(),
    models.PushDelivery.find(byApp).sort({ createdAt: -1 }).limit(ROWS).lean(),
    readStats(models),
    readFaults(sb),
  ]);
  const attempts = await models.PushAttempt.find({ deliveryId: { $in: deliveries.map((d) => String(d._id)) } })
    .sort({ at: 1 })
    .limit(ROWS * 8)
    .lean();
  const attemptsOf = new Map<string, SandboxPushAttempt[]>();
  for (const a of attempts) attemptsOf.set(a.deliveryId, [...(attemptsOf.get(a.deliveryId) ?? []), a]);

  const self = (changes: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    const next = { appid, refresh: refresh === undefined ? undefined : String(refresh), ...changes };
    for (const [k, v] of Object.entries(next)) if (v !== undefined) q.set(k, v);
    const s = q.toString();
    return `${sb.publicUrl}/sandbox${s ? `?${s}` : ''}`;
  };

  const appIds = [...new Set([...apps.map((a) => a.appid), ...merchants.map((m) => m.appid)])].sort();
  const body = html`
<header>
<h1>WeChat 沙箱控制台</h1>
<p class="muted">${sb.publicUrl} · ${fmt(sb.now())} (UTC+8)${appid ? html` · 只看 <b class="mono">${appid}</b> (<a href="${self({ appid: undefined })}">全部</a>)` : undefined} ·
${refresh ? html`每 ${refresh} 秒自动刷新 (<a href="${self({ refresh: undefined })}">停止</a>)` : html`<a href="${self({ refresh: '3' })}">每 3 秒自动刷新</a>`} ·
机器接口：<a href="${sb.publicUrl}/sandbox/api/stats">stats</a> <a href="${sb.publicUrl}/sandbox/api/faults">faults</a> <a href="${sb.publicUrl}/sandbox/api/pushes">pushes</a> <a href="${sb.publicUrl}/sandbox/api/invoices">invoices</a> <a href="${sb.publicUrl}/sandbox/api/authorizations">authorizations</a></p>
</header>

<section id="apps"><h2>应用与商户设置 <small>${appIds.length}</small></h2>
${appIds.length === 0 ? empty('沙箱还不知道任何应用') : appIds.map((id) => appCard(id, apps.find((a) => a.appid === id), merchants.find((m) => m.appid === id) ?? null, self))}
</section>

<section id="authorizations"><h2>开票授权 <small>${count(authorizations.length)}</small></h2>
${
  authorizations.length === 0
    ? empty('还没有授权（getauthurl）')
    : table(
        ['更新时间', '应用', '订单 (order_id)', '类型', '来源', '金额', '状态', '用户 openid', '抬头 (user_auth_info)', '授权页'],
        authorizations.map((a) => [
          fmt(a.updatedAt),
          mono(a.appid),
          mono(a.order_id),
          `${a.type} ${['申请开票', '填写抬头', '领取发票'][a.type] ?? ''}`,
          `${a.source}${a.postPayment ? ' (支付后)' : ''}`,
          `¥${yuan(a.money)}`,
          status(a.status, a.reject ? `拒绝原因：${a.reject.reason}` : undefined),
          mono(a.openid ?? ''),
          authInfo(a),
          a.postPayment ? '' : html`<a href="${pageUrlOf(sb, a)}">打开</a>`,
        ]),
      )
}
</section>

<section id="invoices"><h2>发票 <small>${count(invoices.length)}</small></h2>
${
  invoices.length === 0
    ? empty('还没有发票（makeoutinvoice / clearoutinvoice）')
    : table(
        ['创建时间', '应用', '种类', 'fpqqlsh', '订单 (ddh)', '状态', '发票代码 / 号码', '价税合计', '购方', '冲红', 'PDF'],
        invoices.map((raw) => {
          const i = invoiceView(sb, raw);
          return [
            fmt(raw.createdAt),
            mono(i.appid),
            html`<span class="tag ${i.kind}">${i.kind === 'blue' ? '蓝票' : '红票'}</span>`,
            mono(i.fpqqlsh),
            mono(i.ddh),
            status(i.status, i.failReason, i.round > 1 ? `第 ${i.round} 轮` : undefined),
            i.fpdm ? mono(`${i.fpdm} / ${i.fphm ?? ''}`) : '',
            i.jshj,
            i.ghfmc,
            i.offsets ? html`冲 ${mono(i.offsets.fpqqlsh)}` : i.offsetBy ? html`${i.offset ? '已被冲红' : '冲红中'}：${mono(i.offsetBy)}` : '',
            i.pdfurl ? html`<a href="${i.pdfurl}">PDF</a>` : '',
          ];
        }),
      )
}
</section>

<section id="pushes"><h2>推送 <small>${count(deliveries.length)}</small></h2>
${
  deliveries.length === 0
    ? empty('还没有推送')
    : table(
        ['创建时间', '应用', '事件', '订单 / fpqqlsh', '副本', '状态', '尝试（时间 · 第几次 · HTTP / 错误 · 耗时 · 结果 · 回复）', '内容'],
        deliveries.map((d) => [
          fmt(d.createdAt),
          mono(d.appid),
          mono(d.event),
          mono([d.orderId, d.fpqqlsh].filter(Boolean).join(' / ')),
          d.copy === 0 ? '' : `#${d.copy}`,
          status(d.status),
          html`<ol class="attempts">${(attemptsOf.get(String(d._id)) ?? []).map(
            (a) =>
              html`<li>${fmt(a.at)} · ${a.attempt === 0 ? '未发送' : `#${a.attempt}`} · ${a.httpStatus ?? a.error ?? ''}${a.httpStatus !== undefined && a.error ? ` ${a.error}` : ''} · ${a.durationMs} ms · ${status(a.outcome)}${a.responseSnippet ? html` · <code>${a.responseSnippet.slice(0, 80)}</code>` : undefined}</li>`,
          )}</ol>`,
          html`<details><summary>字段</summary><pre>${JSON.stringify(d.fields, null, 1)}</pre></details>`,
        ]),
      )
}
</section>

<section id="stats"><h2>调用统计</h2>
<p>access_token 发放 ${stats.tokenFetches}（token ${stats.cgiTokenFetches} · stable_token ${stats.stableTokenFetches}）· wx_card ticket 发放 ${stats.ticketFetches}</p>
${
  Object.keys(stats.calls).length === 0
    ? empty('还没有调用')
    : table(
        ['接口', '调用次数'],
        Object.entries(stats.calls)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([path, n]) => [mono(path), n]),
      )
}
</section>

<section id="faults"><h2>故障注入</h2>
${faultList(faults)}
</section>`;
  return html`<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refresh ? html`<meta http-equiv="refresh" content="${refresh}">` : undefined}
<title>WeChat 沙箱控制台</title>
<style>${new SafeHtml(CONSOLE_CSS)}</style>
</head>
<body>${body}</body>
</html>`;
}

const CONSOLE_CSS = `
body{margin:0;padding:16px 20px;font:14px/1.45 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1f2328;background:#f6f8fa}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}h2 small{color:#59636e;font-weight:normal}
a{color:#0969da}.muted{color:#59636e;margin:0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #d1d9e0;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef1f4;white-space:nowrap}
.mono,code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
pre{margin:4px 0;white-space:pre-wrap;word-break:break-all;max-width:420px}
.card{background:#fff;border:1px solid #d1d9e0;border-radius:6px;padding:8px 12px;margin-bottom:10px}
.card h3{margin:0 0 6px;font-size:15px}
.card dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
.card dt{color:#59636e}.card dd{margin:0}
.empty{color:#59636e;font-style:italic}
.st{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;background:#eef1f4}
.st.good{background:#dafbe1;color:#1a7f37}.st.bad{background:#ffebe9;color:#cf222e}.st.wait{background:#fff8c5;color:#7d4e00}
.tag.blue{color:#0969da;font-weight:600}.tag.red{color:#cf222e;font-weight:600}
ol.attempts{margin:0;padding-left:18px}
.fields td,.fields th{font-size:12px}
`;

const GOOD = new Set(['authorized', 'issued', 'delivered']);
const BAD = new Set(['declined', 'rejected', 'failed', 'gave_up', 'dropped']);
const WAIT = new Set(['pending', 'processing', 'retry']);

function status(value: string, ...notes: (string | undefined)[]): SafeHtml {
  const cls = GOOD.has(value) ? 'good' : BAD.has(value) ? 'bad' : WAIT.has(value) ? 'wait' : '';
  const extra = notes.filter((n): n is string => Boolean(n));
  return html`<span class="st ${cls}">${value}</span>${extra.map((n) => html`<br><small>${n}</small>`)}`;
}

const mono = (text: string) => html`<span class="mono">${text}</span>`;
const empty = (text: string) => html`<p class="empty">${text}</p>`;
const count = (n: number) => (n >= ROWS ? `最近 ${ROWS} 条` : String(n));

function table(head: string[], rows: HtmlValue[][]): SafeHtml {
  return html`<table><thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map(
    (r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`,
  )}</tbody></table>`;
}

/** yyyy-mm-dd hh:mm:ss in China time. */
function fmt(d: Date | undefined): string {
  if (!d) return '';
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The authorization page in a browser: the web URL itself, or the wxa path's query on /sandbox/auth. */
function pageUrlOf(sb: SandboxContext, a: SandboxAuthorization): string {
  const url = authUrlOf(sb, a).auth_url;
  return a.source === 'wxa' ? `${sb.publicUrl}/sandbox/auth${url.slice(url.indexOf('?'))}` : url;
}

function authInfo(a: SandboxAuthorization): HtmlValue {
  const info = a.userAuthInfo;
  if (!info) return '';
  const [side, fields] = info.biz_field ? ['单位', info.biz_field] : ['个人', info.user_field ?? {}];
  const lines = Object.entries(fields).map(([k, v]) =>
    typeof v === 'string' ? `${k}: ${v}` : `${k}: ${v.map((c) => `${c.key}=${c.value}`).join(', ')}`,
  );
  return html`<b>${side}</b><br>${lines.map((l, i) => html`${i > 0 ? html`<br>` : undefined}${l}`)}`;
}

function appCard(appid: string, app: SandboxApp | undefined, m: Parameters<typeof merchantView>[1], self: (c: Record<string, string | undefined>) => string): SafeHtml {
  const v = merchantView(appid, m);
  const push = app?.push;
  const row = (k: string, value: HtmlValue) => html`<dt>${k}</dt><dd>${value}</dd>`;
  return html`<div class="card app" data-appid="${appid}">
<h3 class="mono">${appid} <small><a href="${self({ appid })}">只看此应用</a></small></h3>
<dl>
${row('原始 ID', mono(app?.originalId ?? '（未配置的应用）'))}
${row('推送', push ? html`${mono(push.url)} · ${push.format} · ${push.mode} · token 已设置${push.aesKey ? ' · EncodingAESKey 已设置' : ''}` : '未配置推送 URL（推送记为 skipped）')}
${row('s_pappid', html`${mono(v.s_pappid)} ${v.registered ? '（已 seturl）' : '（未 seturl：getauthurl 不接受）'}`)}
${row('商户识别码', html`${mono(v.merchantCode)}（fpqqlsh 前 6 位）`)}
${row('销方税号', v.nsrsbh ? mono(v.nsrsbh) : '（首张发票确定）')}
${row('联系方式', v.contact ? `${v.contact.phone} · 超时 ${v.contact.time_out} 秒` : '未设置（getauthurl 返回 72063）')}
${row('支付商户号', v.paymch_info ? html`${mono(v.paymch_info.mchid)} → ${mono(v.paymch_info.s_pappid)}` : '未设置')}
${row('授权页字段', v.auth_field ? authFieldTable(v.auth_field) : '未设置（type 1 返回 72029）')}
</dl>
</div>`;
}

function authFieldTable(f: AuthFieldSettings): SafeHtml {
  const side = (name: string, s: AuthFieldSettings['user_field'], fields: string[]) => {
    const custom = Array.isArray(s.custom_field) ? (s.custom_field) : [];
    const cells = fields.map((x) => {
      const req = s[`require_${x}`] === 1;
      const shown = req || s[`show_${x}`] === 1 || x === 'title';
      return html`<td>${x}: ${req ? '必填' : shown ? '显示' : '—'}</td>`;
    });
    const customCells = custom.map((c) => html`<td>${c.key}${c.is_require === 1 ? ' (必填)' : ''}${c.notice ? html`<br><small>${c.notice}</small>` : undefined}</td>`);
    return html`<tr><th>${name}</th>${cells}${customCells}</tr>`;
  };
  return html`<table class="fields">${side('个人 user_field', f.user_field, ['title', 'phone', 'email'])}${side('单位 biz_field', f.biz_field, [
    'title',
    'tax_no',
    'addr',
    'phone',
    'bank_type',
    'bank_no',
  ])}</table>`;
}

function faultList(f: Awaited<ReturnType<typeof readFaults>>): SafeHtml {
  const endpoints = Object.entries(f.endpoints);
  const push = [
    f.push.duplicates ? `每个推送多发 ${f.push.duplicates} 份` : undefined,
    f.push.dropRate ? `丢弃率 ${f.push.dropRate}` : undefined,
  ].filter((x): x is string => Boolean(x));
  if (endpoints.length === 0 && push.length === 0) return empty('无（PUT /sandbox/api/faults 设置）');
  return html`${
    endpoints.length > 0
      ? table(
          ['接口', '错误率', 'errcode', '延迟', '延迟比例'],
          endpoints.map(([path, e]) => [mono(path), e.errorRate ?? '', e.errcode ?? '', e.delayMs === undefined ? '' : `${e.delayMs} ms`, e.delayRate ?? '']),
        )
      : undefined
  }${push.length > 0 ? html`<p id="push-faults">推送：${push.join(' · ')}</p>` : undefined}`;
}
