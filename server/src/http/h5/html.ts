import type { Context } from 'koa';

/**
 * Server-rendered HTML for the buyer's H5 pages, escaped by construction: `html` is a tagged
 * template whose interpolations are escaped unless they are themselves `html` fragments.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/**
 * Nothing from elsewhere: inline CSS, no script. No form-action: the invoice form's answer is a
 * redirect to WeChat's authorization page, which form-action would block.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'";

export function sendPage(ctx: Context, status: number, page: SafeHtml): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Security-Policy', CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.body = `<!DOCTYPE html>\n${page.value}`;
}

/** WeChat's look: grey background, white cells, green primary button (WeUI's colours). */
const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#ededed;color:#191919;font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;-webkit-text-size-adjust:100%}
header{background:#fff;padding:12px 16px;font-size:17px;font-weight:600;text-align:center;border-bottom:1px solid #e5e5e5}
main{padding:0 0 24px}
a{color:#576b95;text-decoration:none}
.cells-title{padding:16px 16px 6px;color:rgba(0,0,0,.55);font-size:14px}
.cells{background:#fff;border-top:1px solid #e5e5e5;border-bottom:1px solid #e5e5e5}
.cell{display:flex;align-items:center;justify-content:space-between;gap:12px;padding:13px 16px;border-bottom:1px solid #f0f0f0;min-height:52px}
.cell:last-child{border-bottom:0}
.cell .k{color:rgba(0,0,0,.55);flex:none}
.cell .v{text-align:right;word-break:break-all}
.card{display:block;background:#fff;margin:10px 12px;border-radius:8px;padding:14px 16px;color:inherit}
.card .row{display:flex;justify-content:space-between;align-items:center}
.card .no{font-weight:600}
.card .sub{color:rgba(0,0,0,.5);font-size:13px;margin-top:4px}
.money{font-weight:600}
.tag{display:inline-block;padding:1px 8px;border-radius:4px;font-size:12px;line-height:20px}
.tag-default{background:#f2f2f2;color:#666}.tag-primary{background:#e8f0fe;color:#1989fa}.tag-success{background:#e6f7ec;color:#07c160}
.tag-warning{background:#fff4e5;color:#ff976a}.tag-danger{background:#fdecea;color:#ee0a24}
.steps{display:flex;background:#fff;padding:14px 8px;margin-top:10px}
.step{flex:1;text-align:center;font-size:13px;color:#999;position:relative}
.step .dot{display:block;margin:0 auto 4px;width:18px;height:18px;border-radius:9px;background:#ddd;color:#fff;font-size:12px;line-height:18px}
.step.done{color:#07c160}.step.done .dot{background:#07c160}
.step.now{color:#191919;font-weight:600}.step.now .dot{background:#07c160}
.step.stopped{color:#ee0a24}.step.stopped .dot{background:#ee0a24}
.hint{padding:10px 16px;color:rgba(0,0,0,.55);font-size:14px}
.actions{padding:20px 16px 0;display:flex;flex-direction:column;gap:12px}
.btn{display:block;width:100%;padding:11px;border-radius:8px;border:0;font-size:17px;font-weight:600;text-align:center;cursor:pointer}
.btn-primary{background:#07c160;color:#fff}.btn-default{background:#f2f2f2;color:#06ae56}
.alert{margin:12px 16px 0;padding:10px 12px;border-radius:6px;background:#fdecea;color:#c62828;font-size:14px}
.radio{display:flex;gap:16px;padding:13px 16px;background:#fff}
label.opt{display:flex;align-items:center;gap:6px}
.cell input[type=text],.cell input[type=email],.cell input[type=tel]{flex:1;border:0;outline:0;font-size:16px;text-align:right;min-width:0;background:transparent}
.cell.invalid{background:#fff6f6}
.err{padding:4px 16px 8px;color:#ee0a24;font-size:13px;background:#fff}
.empty{padding:48px 16px;text-align:center;color:rgba(0,0,0,.45)}
.note{padding:12px 16px;color:rgba(0,0,0,.45);font-size:12px;text-align:center}
`;

export function mobilePage(title: string, body: SafeHtml, opts: { refreshTo?: string; refreshSeconds?: number } = {}): SafeHtml {
  return html`<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
${opts.refreshTo ? html`<meta http-equiv="refresh" content="${opts.refreshSeconds ?? 2};url=${opts.refreshTo}">` : undefined}
<title>${title}</title><style>${new SafeHtml(CSS)}</style></head>
<body><header>${title}</header><main>${body}</main></body></html>`;
}
