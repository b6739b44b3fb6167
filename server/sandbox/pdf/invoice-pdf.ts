import { parseTaxRate, parseYuan } from '@fapiao/shared';
import type { SandboxInvoice } from '../data/invoice-models';
import { amountInWords } from './amount-words';
import { PageCanvas, renderPdf, textWidth, type Align } from './writer';

/**
 * The invoice as a one-page PDF laid out like a 增值税电子普通发票 (240 × 140 mm): numbers and date
 * top right, buyer, the lines with amount, rate and tax, totals with the amount in words, seller,
 * remarks, and who issued it. Marked as a sandbox specimen so nobody takes it for a real invoice.
 */

const W = 680;
const H = 400;
const LEFT = 30;
const RIGHT = 650;
const MAX_ROWS = 8;

interface Column {
  x: number;
  align: Align;
  max: number;
}
const COLUMNS: Record<'xmmc' | 'ggxh' | 'dw' | 'xmsl' | 'xmdj' | 'xmje' | 'sl' | 'se', Column> = {
  xmmc: { x: 36, align: 'left', max: 175 },
  ggxh: { x: 250, align: 'center', max: 60 },
  dw: { x: 300, align: 'center', max: 36 },
  xmsl: { x: 372, align: 'right', max: 60 },
  xmdj: { x: 452, align: 'right', max: 74 },
  xmje: { x: 532, align: 'right', max: 74 },
  sl: { x: 566, align: 'center', max: 30 },
  se: { x: 644, align: 'right', max: 70 },
};

export function invoicePdf(invoice: SandboxInvoice): Buffer {
  const page = new PageCanvas(W, H);
  const c = invoice.content;
  const red = invoice.kind === 'red';
  const title = red ? '增值税电子普通发票（销项负数）' : '增值税电子普通发票';

  page.color(0.55, 0.25, 0.1);
  page.text(W / 2, 366, 16, title, 'center');
  page.line(W / 2 - 110, 360, W / 2 + 110, 360, 0.8);
  page.line(W / 2 - 110, 357, W / 2 + 110, 357, 0.8);
  page.rect(LEFT, 50, RIGHT - LEFT, 276);
  page.line(LEFT, 270, RIGHT, 270);
  page.line(LEFT, 130, RIGHT, 130);
  page.line(LEFT, 148, RIGHT, 148, 0.4);
  page.line(LEFT, 110, RIGHT, 110);
  page.color(0, 0, 0);
  page.text(LEFT, 380, 7, 'SANDBOX 沙箱样票 - not a valid invoice');

  const fields: [string, string][] = [
    ['发票代码:', invoice.fpdm ?? ''],
    ['发票号码:', invoice.fphm ?? ''],
    ['开票日期:', dateOf(invoice.kprq)],
    ['校验码:', (invoice.jym ?? '').replace(/(\d{5})(?=\d)/g, '$1 ')],
  ];
  fields.forEach(([label, value], i) => labelled(page, 470, 372 - i * 12, label, value, 8));

  party(page, 314, '购买方', [
    ['名称:', c.ghfmc],
    ['纳税人识别号:', c.ghfnsrsbh ?? ''],
    ['地址、电话:', join(c.ghfdz, c.ghfdh)],
    ['开户行及账号:', join(c.ghfbank, c.ghfbankid)],
  ]);

  const header = { xmmc: '货物或应税劳务、服务名称', ggxh: '规格型号', dw: '单位', xmsl: '数量', xmdj: '单价', xmje: '金额', sl: '税率', se: '税额' };
  row(page, 258, header);
  const shown = c.lines.length > MAX_ROWS ? c.lines.slice(0, MAX_ROWS - 1) : c.lines;
  shown.forEach((line, i) => row(page, 244 - i * 12, { ...line, sl: percent(line.sl) }));
  if (shown.length < c.lines.length) page.text(36, 244 - shown.length * 12, 8, `（另有${c.lines.length - shown.length}行，详见销货清单）`);
  page.text(36, 136, 8, '合计');
  page.text(COLUMNS.xmje.x, 136, 8, `￥${c.hjje}`, 'right');
  page.text(COLUMNS.se.x, 136, 8, `￥${c.hjse}`, 'right');

  page.text(36, 117, 8, '价税合计（大写）');
  page.text(130, 117, 9, amountInWords(parseYuan(c.jshj)));
  labelled(page, 470, 117, '（小写）', `￥${c.jshj}`, 9);

  party(page, 96, '销售方', [
    ['名称:', c.nsrmc],
    ['纳税人识别号:', c.nsrsbh],
    ['地址、电话:', join(c.nsrdz, c.nsrdh)],
    ['开户行及账号:', join(c.nsrbank, c.nsrbankid)],
  ]);
  page.text(400, 96, 8, '备注');
  wrap(c.bz ?? '', 8, 215).slice(0, 4).forEach((text, i) => page.text(430, 96 - i * 12, 8, text));

  const footer: [string, string][] = [
    ['收款人:', c.skr ?? ''],
    ['复核:', c.fhr ?? ''],
    ['开票人:', c.kpr],
    ['销售方:', '（章）'],
  ];
  footer.forEach(([label, value], i) => labelled(page, 36 + i * 160, 34, label, value, 8));
  return renderPdf(page, `${title} ${invoice.fpdm ?? ''} ${invoice.fphm ?? ''}`);
}

function labelled(page: PageCanvas, x: number, y: number, label: string, value: string, size: number): void {
  page.text(x, y, size, label);
  page.text(x + textWidth(label, size) + 4, y, size, value);
}

function party(page: PageCanvas, top: number, name: string, rows: [string, string][]): void {
  page.text(36, top - 18, 9, name);
  rows.forEach(([label, value], i) => labelled(page, 80, top - i * 13, label, fit(value, 8, 480), 8));
}

function row(page: PageCanvas, y: number, cells: Partial<Record<keyof typeof COLUMNS, string>>): void {
  for (const [name, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, Column][]) {
    page.text(column.x, y, 8, fit(cells[name] ?? '', 8, column.max), column.align);
  }
}

function join(...parts: (string | undefined)[]): string {
  return parts.filter(Boolean).join(' ');
}

/** "0.13" → "13%", "0.015" → "1.5%". */
function percent(sl: string): string {
  const bp = parseTaxRate(sl).basisPoints;
  return `${bp / 100}%`;
}

/** "20241204172159" → "2024年12月04日". */
function dateOf(kprq: string | undefined): string {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(kprq ?? '');
  return m ? `${m[1]}年${m[2]}月${m[3]}日` : '';
}

/** Cuts text to fit `max` points, ending in "…" when cut. */
function fit(text: string, size: number, max: number): string {
  if (textWidth(text, size) <= max) return text;
  const chars = Array.from(text);
  while (chars.length > 0 && textWidth(`${chars.join('')}…`, size) > max) chars.pop();
  return `${chars.join('')}…`;
}

function wrap(text: string, size: number, max: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const ch of text) {
    if (textWidth(current + ch, size) > max) {
      lines.push(current);
      current = '';
    }
    current += ch;
  }
  if (current) lines.push(current);
  return lines;
}
