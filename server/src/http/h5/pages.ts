import {
  formatQuantity,
  formatYuan,
  INVOICE_TITLE_KIND_LABELS,
  invoiceStatusView,
  isInProgress,
  lineAmountFen,
  PROGRESS_STEPS,
  normalizeTaxNumber,
  validateTaxNumber,
  type InvoiceState,
  type InvoiceStatusResponse,
  type InvoiceTitleDto,
  type OrderDto,
} from '@fapiao/shared';
import { html, mobilePage, type SafeHtml } from './html';

const base = (account: string) => `/h5/${encodeURIComponent(account)}`;
const orderUrl = (account: string, orderNo: string) => `${base(account)}/orders/${encodeURIComponent(orderNo)}`;

function tag(status: InvoiceState | null): SafeHtml {
  const view = invoiceStatusView(status);
  if (status === null) return html`<span class="tag tag-${view.tagType}">${view.statusText}</span>`;
  return html`<span class="tag tag-${view.tagType}" data-status="${status}">${view.statusText}</span>`;
}

const date = (iso: string) => new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });

export function ordersPage(account: string, orders: OrderDto[]): SafeHtml {
  const cards = orders.map(
    (o) => html`<a class="card" href="${orderUrl(account, o.orderNo)}" id="order-${o.orderNo}">
<div class="row"><span class="no">${o.orderNo}</span>${tag(o.invoice.status)}</div>
<div class="row sub"><span>${date(o.createdAt)}</span><span class="money">${formatYuan(o.amount)}</span></div></a>`,
  );
  return mobilePage(
    '我的订单',
    orders.length ? html`${cards}` : html`<div class="empty" id="empty">还没有订单</div>`,
  );
}

/** The Mini Program's progress steps, from the same mapping (shared/src/invoice-view.ts). */
function steps(status: InvoiceState | null): SafeHtml {
  const { activeStep: active, stepStopped: stopped } = invoiceStatusView(status);
  return html`<div class="steps" id="steps">${PROGRESS_STEPS.map(({ text }, i) => {
    const cls = i < active || (i === active && status === 'ISSUED') ? 'done' : i === active ? (stopped ? 'stopped' : 'now') : '';
    return html`<div class="step ${cls}"><span class="dot">${i === active && stopped ? '✕' : i <= active ? '✓' : i + 1}</span>${text}</div>`;
  })}</div>`;
}

export function orderPage(account: string, order: OrderDto, status: InvoiceStatusResponse | null, back: boolean): SafeHtml {
  const state = status?.status ?? null;
  const view = invoiceStatusView(state);
  const refresh = isInProgress(state) ? orderUrl(account, order.orderNo) : state === 'AUTH_PENDING' && back ? `${orderUrl(account, order.orderNo)}?back=1` : undefined;
  const lines = order.items.map(
    (item) => html`<div class="cell"><span class="k">${item.name} × ${formatQuantity(item.quantity)}</span><span class="v">${formatYuan(lineAmountFen(item.unitPrice, item.quantity))}</span></div>`,
  );
  return mobilePage(
    '订单详情',
    html`<div class="cells-title">订单</div>
<section class="cells">
<div class="cell"><span class="k">订单号</span><span class="v" id="order-no">${order.orderNo}</span></div>
<div class="cell"><span class="k">下单时间</span><span class="v">${date(order.createdAt)}</span></div>
${lines}
<div class="cell"><span class="k">合计</span><span class="v money" id="amount">${formatYuan(order.amount)}</span></div>
</section>
<div class="cells-title">电子发票</div>
<section class="cells"><div class="cell"><span class="k">状态</span><span class="v" id="invoice-status">${tag(state)}</span></div></section>
${steps(state)}
<div class="hint" id="hint">${view.hint}${status?.rejectReason ? `（原因：${status.rejectReason}）` : ''}</div>
<div class="actions">
${view.canApply || view.canReapply ? html`<a class="btn btn-primary" id="apply" href="${orderUrl(account, order.orderNo)}/apply">${state === null ? '申请开票' : '重新申请'}</a>` : undefined}
${view.canView ? html`<a class="btn btn-primary" id="view" href="${orderUrl(account, order.orderNo)}/invoice">查看发票</a>` : undefined}
${state === 'AUTH_PENDING' ? html`<a class="btn btn-default" id="refresh" href="${orderUrl(account, order.orderNo)}?back=1">我已完成授权，刷新</a>` : undefined}
<a class="btn btn-default" href="${base(account)}/">返回我的订单</a>
</div>`,
    refresh ? { refreshTo: refresh, refreshSeconds: 2 } : {},
  );
}

/** The apply form: WeChat collects the title (type 1, default), or the buyer types it here (type 0). */
export interface TitleForm {
  type: 0 | 1;
  kind?: 'company' | 'personal';
  values: Map<string, string>;
  errors: Map<string, string>;
  title?: InvoiceTitleDto;
  alert?: string;
}

const FIELDS: { name: string; label: string; kinds: ('company' | 'personal')[]; required?: boolean; type?: string }[] = [
  { name: 'name', label: '抬头名称', kinds: ['company', 'personal'], required: true },
  { name: 'taxNumber', label: '税号', kinds: ['company'], required: true },
  { name: 'address', label: '单位地址', kinds: ['company'] },
  { name: 'phone', label: '电话', kinds: ['company', 'personal'], type: 'tel' },
  { name: 'bankName', label: '开户银行', kinds: ['company'] },
  { name: 'bankAccount', label: '银行账号', kinds: ['company'] },
  { name: 'email', label: '邮箱', kinds: ['company', 'personal'], type: 'email' },
];

/** Reads and checks the form as the server checks a title (shared's tax-number check). */
export function titleFromForm(form: URLSearchParams): TitleForm {
  const type = form.get('type') === '0' ? 0 : 1;
  const kind = form.get('kind') === 'company' ? 'company' : 'personal';
  const values = new Map(FIELDS.map((f) => [f.name, (form.get(f.name) ?? '').trim().slice(0, 100)]));
  const errors = new Map<string, string>();
  if (type === 1) return { type, values, errors };
  for (const f of FIELDS) if (f.required && f.kinds.includes(kind) && !values.get(f.name)) errors.set(f.name, `请填写${f.label}`);
  const email = values.get('email') ?? '';
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.set('email', '邮箱格式不正确');
  if (kind === 'company' && values.get('taxNumber')) {
    const taxNumber = normalizeTaxNumber(values.get('taxNumber') ?? '');
    const check = validateTaxNumber(taxNumber);
    if (!check.ok) errors.set('taxNumber', `税号有误：${check.message}`);
    else values.set('taxNumber', taxNumber);
  }
  if (errors.size > 0) return { type, kind, values, errors };
  const pick = (names: string[]) => Object.fromEntries(names.map((n) => [n, values.get(n)]).filter(([, v]) => v)) as Record<string, string>;
  const title: InvoiceTitleDto =
    kind === 'company'
      ? { kind, name: values.get('name') ?? '', taxNumber: values.get('taxNumber') ?? '', ...pick(['address', 'phone', 'bankName', 'bankAccount', 'email']) }
      : { kind, name: values.get('name') ?? '', ...pick(['phone', 'email']) };
  return { type, kind, values, errors, title };
}

export function applyPage(account: string, order: OrderDto, csrf: string, form: TitleForm): SafeHtml {
  const kind = form.kind ?? 'personal';
  const messages = [...(form.alert ? [form.alert] : []), ...form.errors.values()];
  const field = (f: (typeof FIELDS)[number]) => {
    const error = form.errors.get(f.name);
    return html`<div class="cell${error ? ' invalid' : ''}"><label class="k" for="f-${f.name}">${f.label}${f.required ? ' *' : ''}</label><input id="f-${f.name}" name="${f.name}" type="${f.type ?? 'text'}" value="${form.values.get(f.name) ?? ''}" maxlength="100" autocomplete="off"></div>${error ? html`<div class="err">${error}</div>` : undefined}`;
  };
  return mobilePage(
    '申请开票',
    html`<section class="cells"><div class="cell"><span class="k">订单 ${order.orderNo}</span><span class="v money">${formatYuan(order.amount)}</span></div></section>
${messages.length ? html`<div class="alert" role="alert" id="errors">${messages.join('；')}</div>` : undefined}
<form method="post" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
<div class="cells-title">发票抬头</div>
<div class="radio">
<label class="opt"><input type="radio" name="type" value="1" id="type-1"${form.type === 1 ? html` checked` : undefined}>在微信授权页填写</label>
<label class="opt"><input type="radio" name="type" value="0" id="type-0"${form.type === 0 ? html` checked` : undefined}>我来填写</label>
</div>
<div class="cells-title">我来填写时：抬头类型</div>
<div class="radio">${(['personal', 'company'] as const).map(
      (k) => html`<label class="opt"><input type="radio" name="kind" value="${k}" id="kind-${k}"${k === kind ? html` checked` : undefined}>${INVOICE_TITLE_KIND_LABELS[k]}</label>`,
    )}</div>
<section class="cells">${FIELDS.map(field)}</section>
<div class="hint">单位抬头须填写税号（统一社会信用代码）；个人抬头只需名称。</div>
<div class="actions"><button class="btn btn-primary" type="submit" id="submit">申请开票</button>
<a class="btn btn-default" href="${orderUrl(account, order.orderNo)}">取消</a></div>
</form>`,
  );
}

const kprq = (value: string | undefined) =>
  value && /^\d{14}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)} ${value.slice(8, 10)}:${value.slice(10, 12)}` : value ?? '';

export function invoicePage(account: string, order: OrderDto, status: InvoiceStatusResponse): SafeHtml {
  return mobilePage(
    '电子发票',
    html`<section class="cells">
<div class="cell"><span class="k">状态</span><span class="v">${tag(status.status)}</span></div>
<div class="cell"><span class="k">发票代码</span><span class="v" id="fpdm">${status.fpdm ?? ''}</span></div>
<div class="cell"><span class="k">发票号码</span><span class="v" id="fphm">${status.fphm ?? ''}</span></div>
<div class="cell"><span class="k">校验码</span><span class="v">${status.jym ?? ''}</span></div>
<div class="cell"><span class="k">开票日期</span><span class="v">${kprq(status.kprq)}</span></div>
<div class="cell"><span class="k">价税合计</span><span class="v money">${formatYuan(order.amount)}</span></div>
</section>
<div class="hint">发票已放入微信卡包，也可以打开 PDF 保存。</div>
<div class="actions">
${status.pdfUrl && /^https?:\/\//.test(status.pdfUrl) ? html`<a class="btn btn-primary" id="pdf" href="${status.pdfUrl}">打开发票 PDF</a>` : undefined}
<a class="btn btn-default" href="${orderUrl(account, order.orderNo)}">返回订单</a>
</div>`,
  );
}

export function errorPage(code: string, message: string, home: string): SafeHtml {
  return mobilePage(
    '出错了',
    html`<div class="empty" id="error" data-code="${code}"><p>${message}</p><p><a href="${home}">返回首页</a></p></div>`,
  );
}
