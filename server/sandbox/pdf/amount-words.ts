/**
 * 价税合计（大写）: an amount in fen written in Chinese financial numerals, the way invoices print
 * it: 15900 → 壹佰伍拾玖圆整, 13590 → 壹佰叁拾伍圆玖角, 10005 → 壹佰圆零伍分. Negative amounts (red
 * invoices) are prefixed （负数）.
 */

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const IN_SECTION = ['', '拾', '佰', '仟'];
const SECTIONS = ['', '万', '亿', '万'];

export function amountInWords(fen: number): string {
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const jiao = Math.floor(abs / 10) % 10;
  const cents = abs % 10;
  let words = yuan > 0 ? `${integerWords(yuan)}圆` : '';
  if (jiao === 0 && cents === 0) words = yuan > 0 ? `${words}整` : '零圆整';
  else {
    if (jiao > 0) words += `${digit(jiao)}角`;
    else if (yuan > 0) words += '零';
    if (cents > 0) words += `${digit(cents)}分`;
  }
  return fen < 0 ? `（负数）${words}` : words;
}

function digit(d: number): string {
  return DIGITS.charAt(d);
}

/** Position by position, then the zeros collapsed as the rules want (壹拾万零壹拾, 壹亿). */
function integerWords(n: number): string {
  const text = String(n);
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const d = Number(text[i]);
    const position = text.length - 1 - i;
    const section = position % 4 === 0 ? (SECTIONS[Math.floor(position / 4) % SECTIONS.length] ?? '') : '';
    out += d === 0 ? `零${section}` : `${digit(d)}${IN_SECTION[position % 4] ?? ''}${section}`;
  }
  return out
    .replace(/零+/g, '零')
    .replace(/零(万|亿)/g, '$1')
    .replace(/亿万/g, '亿')
    .replace(/零$/, '');
}
