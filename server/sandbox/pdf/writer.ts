/**
 * A minimal PDF 1.4 writer, enough for a one-page invoice: text and lines. ASCII is set in
 * Helvetica; everything else in STSong-Light, a non-embedded CID font (Type0, UniGB-UCS2-H,
 * Adobe-GB1) that every PDF reader substitutes with a Song typeface. The body is pure ASCII (CJK
 * text goes in as UTF-16BE hex strings), so byte offsets are character offsets; the xref table
 * points at every object exactly.
 */

/** Helvetica advance widths (1/1000 em) for ASCII 32..126, from the standard AFM (WinAnsi). */
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278,
  584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944,
  667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
  278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
/** STSong-Light: every CJK glyph (and full-width punctuation) is one em wide. */
const CJK_WIDTH = 1000;

export type Align = 'left' | 'right' | 'center';

interface Run {
  ascii: boolean;
  text: string;
}

/**
 * Splits text into Helvetica (printable ASCII) and CJK runs. Control characters print as spaces;
 * characters outside the BMP (which UCS-2 cannot name) as "?".
 */
function runs(text: string): Run[] {
  const out: Run[] = [];
  for (const raw of text) {
    const code = raw.codePointAt(0) ?? 63;
    const ch = code < 0x20 || code === 0x7f ? ' ' : code > 0xffff ? '?' : raw;
    const ascii = (ch.codePointAt(0) ?? 63) <= 0x7e;
    const last = out[out.length - 1];
    if (last && last.ascii === ascii) last.text += ch;
    else out.push({ ascii, text: ch });
  }
  return out;
}

export function textWidth(text: string, size: number): number {
  let units = 0;
  for (const run of runs(text)) {
    for (const ch of run.text) units += run.ascii ? (HELVETICA[(ch.codePointAt(0) ?? 63) - 32] ?? 556) : CJK_WIDTH;
  }
  return (units * size) / 1000;
}

function literal(text: string): string {
  return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

function utf16Hex(text: string): string {
  return `<${Array.from(text, (ch) => (ch.codePointAt(0) ?? 63).toString(16).padStart(4, '0')).join('').toUpperCase()}>`;
}

const num = (n: number) => (Math.round(n * 100) / 100).toString();

/** A page's content stream, drawn from the bottom-left corner in points. */
export class PageCanvas {
  private readonly ops: string[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  text(x: number, y: number, size: number, text: string, align: Align = 'left'): void {
    if (!text) return;
    const w = textWidth(text, size);
    const left = align === 'right' ? x - w : align === 'center' ? x - w / 2 : x;
    const shown = runs(text).map((run) => (run.ascii ? `/F1 ${size} Tf ${literal(run.text)} Tj` : `/F2 ${size} Tf ${utf16Hex(run.text)} Tj`));
    this.ops.push(`BT ${num(left)} ${num(y)} Td ${shown.join(' ')} ET`);
  }

  line(x1: number, y1: number, x2: number, y2: number, width = 0.6): void {
    this.ops.push(`${num(width)} w ${num(x1)} ${num(y1)} m ${num(x2)} ${num(y2)} l S`);
  }

  rect(x: number, y: number, w: number, h: number, width = 0.8): void {
    this.ops.push(`${num(width)} w ${num(x)} ${num(y)} ${num(w)} ${num(h)} re S`);
  }

  /** Stroke and fill colour for what follows (0..1 RGB). */
  color(r: number, g: number, b: number): void {
    this.ops.push(`${num(r)} ${num(g)} ${num(b)} RG ${num(r)} ${num(g)} ${num(b)} rg`);
  }

  content(): string {
    return this.ops.join('\n');
  }
}

/** The whole file: catalog, one page, its content, the two fonts, and an Info dictionary. */
export function renderPdf(page: PageCanvas, title: string): Buffer {
  const content = page.content();
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${page.width} ${page.height}] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>`,
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H /DescendantFonts [7 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 8 0 R /DW 1000 /W [1 95 500] >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
    `<< /Title ${utf16Hex(`\uFEFF${title}`)} /Producer (Fapiao WeChat sandbox) >>`,
  ];
  // The second line is the customary binary comment telling tools the file is not plain text.
  const header = Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n', 'latin1');
  const chunks: Buffer[] = [header];
  const offsets: number[] = [];
  let offset = header.length;
  objects.forEach((body, i) => {
    const chunk = Buffer.from(`${i + 1} 0 obj\n${body}\nendobj\n`, 'latin1');
    offsets.push(offset);
    chunks.push(chunk);
    offset += chunk.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>`,
    'startxref',
    String(offset),
    '%%EOF',
    '',
  ].join('\n');
  chunks.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(chunks);
}
