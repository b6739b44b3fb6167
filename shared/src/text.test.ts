import { escapeControlCharacters, isWellFormedText, textProblem } from './text';

describe('printable text', () => {
  it('refuses empty text, lone surrogates, control characters and bidi overrides; takes pairs and CJK', () => {
    expect(textProblem('', 10)?.problem).toBe('EMPTY');
    expect(textProblem('张\ud800三', 10)?.problem).toBe('NOT_WELL_FORMED');
    expect(textProblem('\udc00', 10)?.problem).toBe('NOT_WELL_FORMED');
    for (const bad of ['a\u0000b', '\u001b[2J', 'bell\u0007', 'a\tb', 'x\u009by', 'ab\u202e', '\u2066x']) expect(textProblem(bad, 10)?.problem).toBe('CONTROL_CHARACTER');
    expect(textProblem('福州测试有限公司😀', 10)).toBeUndefined();
    expect(textProblem('😀😀😀', 3)).toBeUndefined(); // code points, not UTF-16 units
    expect(textProblem('😀😀😀😀', 3)?.problem).toBe('TOO_LONG');
    expect(isWellFormedText('😀')).toBe(true);
  });

  it('shows control characters and lone surrogates escaped, keeping newlines, pairs and everything else', () => {
    expect(escapeControlCharacters('\u001b]0;pwned\u0007\u001b[2J张三')).toBe('\\x1b]0;pwned\\x07\\x1b[2J张三');
    expect(escapeControlCharacters('a\nb\tc\u009b')).toBe('a\nb\\x09c\\x9b');
    expect(escapeControlCharacters('😀\ud800x\u202e')).toBe('😀\\ud800x\\u202e');
    expect(escapeControlCharacters('{"name":"\\u001b"}')).toBe('{"name":"\\u001b"}');
  });
});
