import type { SandboxInvoice } from '../data/invoice-models';
import { NO_LEASE } from '../data/invoice-models';
import { amountInWords } from './amount-words';
import { invoicePdf } from './invoice-pdf';

/** Reads a PDF the way a reader starts: startxref → xref table → every object where it says. */
function parsePdf(pdf: Buffer): { objects: Map<number, string>; trailer: string; streams: string[] } {
  const text = pdf.toString('latin1');
  expect(text.startsWith('%PDF-1.4\n')).toBe(true);
  const tail = /startxref\n(\d+)\n%%EOF\n$/.exec(text);
  if (!tail) throw new Error('no startxref at the end');
  const xrefAt = Number(tail[1]);
  const head = /^xref\n0 (\d+)\n/.exec(text.slice(xrefAt));
  if (!head) throw new Error('startxref does not point at an xref table');
  const count = Number(head[1]);
  const table = text.slice(xrefAt + head[0].length, xrefAt + head[0].length + count * 20);
  const entries = Array.from({ length: count }, (_, i) => table.slice(i * 20, i * 20 + 20));
  expect(entries[0]).toBe('0000000000 65535 f \n');
  const objects = new Map<number, string>();
  entries.slice(1).forEach((entry, i) => {
    const match = /^(\d{10}) 00000 n \n$/.exec(entry);
    if (!match) throw new Error(`xref entry ${i + 1} is malformed: ${JSON.stringify(entry)}`);
    const offset = Number(match[1]);
    const body = text.slice(offset, text.indexOf('\nendobj\n', offset));
    expect(body.startsWith(`${i + 1} 0 obj\n`)).toBe(true);
    objects.set(i + 1, body);
  });
  const trailer = text.slice(xrefAt + head[0].length + count * 20);
  expect(trailer).toMatch(new RegExp(`^trailer\\n<< /Size ${count} /Root (\\d+) 0 R /Info (\\d+) 0 R >>\\n`));
  const root = Number(/\/Root (\d+) 0 R/.exec(trailer)?.[1]);
  expect(objects.get(root)).toContain('/Type /Catalog');
  const streams: string[] = [];
  for (const body of objects.values()) {
    const stream = /<< \/Length (\d+) >>\nstream\n/.exec(body);
    if (!stream) continue;
    const start = stream.index + stream[0].length;
    const length = Number(stream[1]);
    expect(body.slice(start + length)).toBe('\nendstream');
    streams.push(body.slice(start, start + length));
  }
  return { objects, trailer, streams };
}

const hex = (s: string) => `<${Array.from(s, (c) => (c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')).join('').toUpperCase()}>`;

function issued(overrides: Partial<SandboxInvoice> = {}): SandboxInvoice {
  const at = new Date('2024-12-04T09:21:59Z');
  return {
    appid: 'wx0000000000000001',
    kind: 'blue',
    fpqqlsh: 'ABC123test0001',
    ddh: 'o-1',
    ddhClaim: 'blue:o-1',
    wxopenid: 'o0000000000000000000000000001',
    content: {
      nsrsbh: '91440300MA5FXXXX1X',
      nsrmc: '深圳市示例科技有限公司',
      nsrdz: '深圳市南山区',
      nsrdh: '0755-88889999',
      nsrbank: '招商银行深圳分行',
      nsrbankid: '755900000000001',
      ghfmc: '广州(测试)贸易有限公司',
      ghfnsrsbh: '91440101MA5CXXXX2Y',
      kpr: '张三',
      jshj: '159.00',
      hjje: '140.71',
      hjse: '18.29',
      bz: 'Order o-1',
      hylx: '0',
      lines: [{ fphxz: '0', spbm: '1090418010000000000', xmmc: '洗衣机 60L', ggxh: '60L', dw: '台', xmsl: '1', xmdj: '140.71', xmje: '140.71', sl: '0.13', se: '18.29' }],
    },
    status: 'issued',
    round: 1,
    dueAt: at,
    leaseUntil: NO_LEASE,
    fpdm: '044031900111',
    fphm: '00000042',
    jym: '59004166725791147047',
    kprq: '20241204172159',
    issuedAt: at,
    pdfId: 'f'.repeat(32),
    resultPushPending: false,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

describe('sandbox invoice PDF', () => {
  it('is a well-formed PDF: every xref offset points at its object, stream lengths are exact', () => {
    const { objects, streams } = parsePdf(invoicePdf(issued()));
    expect(objects.size).toBe(9);
    expect([...objects.values()].join('\n')).toContain('/BaseFont /STSong-Light');
    expect(streams).toHaveLength(1);
  });

  it('carries the numbers, the date, the parties, the lines and the totals', () => {
    const [content = ''] = parsePdf(invoicePdf(issued())).streams;
    for (const ascii of ['044031900111', '00000042', '59004 16672 57911 47047', '2024', '140.71', '18.29', '91440300MA5FXXXX1X', '13%']) {
      expect(content).toContain(`(${ascii})`);
    }
    expect(content).toContain('/F1 8 Tf (\\() Tj'); // "(" of the buyer's name, escaped
    for (const cjk of ['增值税电子普通发票', '深圳市示例科技有限公司', '张三', '壹佰伍拾玖圆整', '年', '洗衣机']) expect(content).toContain(hex(cjk));
    expect(content).toContain(`${hex('￥')} Tj /F1 8 Tf (140.71)`);
  });

  it('a red invoice says so and shows negative amounts', () => {
    const red = issued({ kind: 'red', content: { ...issued().content, jshj: '-159.00', hjje: '-140.71', hjse: '-18.29', bz: '对应正数发票代码:044031900111号码:00000041' } });
    const [content = ''] = parsePdf(invoicePdf(red)).streams;
    expect(content).toContain(hex('增值税电子普通发票（销项负数）'));
    expect(content).toContain('(-159.00)');
    expect(content).toContain(hex('（负数）壹佰伍拾玖圆整'));
  });

  it('writes amounts in words the way invoices do', () => {
    expect(amountInWords(15900)).toBe('壹佰伍拾玖圆整');
    expect(amountInWords(13590)).toBe('壹佰叁拾伍圆玖角');
    expect(amountInWords(10005)).toBe('壹佰圆零伍分');
    expect(amountInWords(1000000)).toBe('壹万圆整');
    expect(amountInWords(10001000)).toBe('壹拾万零壹拾圆整');
    expect(amountInWords(10000000000)).toBe('壹亿圆整');
    expect(amountInWords(50)).toBe('伍角');
    expect(amountInWords(-15900)).toBe('（负数）壹佰伍拾玖圆整');
  });
});
