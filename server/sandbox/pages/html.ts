import type { Context } from 'koa';

/**
 * Server-rendered HTML for the sandbox's pages, escaped by construction: `html` is a tagged
 * template whose interpolations are escaped unless they are themselves `html` fragments. Nothing
 * the pages show (order ids, titles, custom field names, push snippets) reaches the markup raw.
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for an element body or a double-quoted attribute value. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

/** html`<p>${text}</p>`: every interpolation escaped; arrays joined; null/undefined/booleans render nothing. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/**
 * A Content-Security-Policy that allows nothing from elsewhere: the pages use inline CSS only, no
 * script, no external asset, and forms post to the sandbox itself.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'";

/**
 * `formTargets`: origins a form's answer may redirect to besides the sandbox (browsers apply
 * form-action to the redirect too): the merchant's redirect_url after an H5 authorization.
 */
export function sendPage(ctx: Context, status: number, page: SafeHtml, opts: { formTargets?: string[] } = {}): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  const targets = (opts.formTargets ?? []).filter((origin) => /^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(origin));
  ctx.set('Content-Security-Policy', targets.length ? CSP.replace("form-action 'self'", `form-action 'self' ${targets.join(' ')}`) : CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.body = `<!DOCTYPE html>\n${page.value}`;
}

/** Looks roughly like WeChat's own pages: grey background, white cells, a green primary button. */
const MOBILE_CSS = `
*{box-sizing:border-box}
body{margin:0;background:#ededed;color:#191919;font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;-webkit-text-size-adjust:100%}
.bar{background:#ededed;text-align:center;font-size:17px;font-weight:500;padding:12px 16px}
.sandbox{background:#fff3cd;color:#7a5b00;font-size:12px;text-align:center;padding:4px 8px}
main{max-width:560px;margin:0 auto;padding-bottom:32px}
.head{background:#fff;padding:20px 16px;text-align:center}
.head .merchant{color:rgba(0,0,0,.5);font-size:14px}
.head .money{font-size:32px;font-weight:600;margin:6px 0}
.head .hint{color:rgba(0,0,0,.55);font-size:14px}
.cells{background:#fff;margin-top:8px}
.cells-title{color:rgba(0,0,0,.55);font-size:14px;padding:16px 16px 6px}
.cell{display:flex;align-items:center;padding:12px 16px;position:relative;min-height:52px}
.cell+.cell:before{content:"";position:absolute;left:16px;right:0;top:0;border-top:1px solid rgba(0,0,0,.1)}
.cell label,.cell .k{width:6.5em;flex:none;color:#191919}
.cell .v{flex:1;text-align:right;color:rgba(0,0,0,.7);word-break:break-all}
.cell input{flex:1;min-width:0;border:0;outline:0;font:inherit;background:transparent;padding:4px 0}
.cell.invalid input{color:#fa5151}
.req{color:#fa5151;margin-left:2px}
.err{color:#fa5151;font-size:13px;padding:0 16px 10px 16px}
.cell-note{color:rgba(0,0,0,.45);font-size:13px;padding:0 16px 10px}
.tabs{display:flex;gap:8px;padding:12px 16px;background:#fff}
.tabs a{flex:1;text-align:center;padding:8px 0;border:1px solid rgba(0,0,0,.15);border-radius:6px;color:#191919;text-decoration:none}
.tabs a.on{border-color:#07c160;color:#07c160;font-weight:600;background:#f0fbf5}
.alert{margin:8px 16px 0;padding:10px 12px;border-radius:6px;background:#fde2e2;color:#c4262e;font-size:14px}
.alert ul{margin:4px 0 0;padding-left:20px}
.note{margin:8px 16px 0;padding:10px 12px;border-radius:6px;background:#fff;color:rgba(0,0,0,.6);font-size:14px}
.actions{padding:24px 16px 0}
.btn{display:block;width:100%;margin:0 auto 12px;padding:11px 0;border:0;border-radius:8px;font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer}
.btn-primary{background:#07c160;color:#fff}
.btn-default{background:#f2f2f2;color:#06ae56}
.result{background:#fff;padding:40px 16px 24px;text-align:center}
.icon{width:64px;height:64px;border-radius:50%;margin:0 auto 16px;color:#fff;font-size:40px;line-height:64px}
.icon.ok{background:#07c160}.icon.no{background:#b2b2b2}.icon.warn{background:#fa9d3b}
.result h1{font-size:20px;font-weight:500;margin:0 0 8px}
.result p{color:rgba(0,0,0,.55);margin:0 0 4px;font-size:14px;word-break:break-all}
.users a{color:#191919;text-decoration:none;display:flex;width:100%}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
`;

export function mobilePage(title: string, body: SafeHtml): SafeHtml {
  return html`<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="format-detection" content="telephone=no">
<title>${title}</title>
<style>${new SafeHtml(MOBILE_CSS)}</style>
</head>
<body>
<div class="sandbox">微信沙箱 · 模拟页面，非真实微信</div>
<div class="bar">${title}</div>
<main>
${body}
</main>
</body>
</html>`;
}

/** ¥ and two decimals from fen, e.g. 15900 → "159.00". */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
