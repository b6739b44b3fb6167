import fixtures from '../../../test/fixtures/wechat-push-vectors.json';
import { detectFormat, parseBody, serializeBody } from './body';
import { PushRejected, type PushRejectionCode } from './errors';
import { parseJson } from './json';

const { A1 } = fixtures.vectors;

function rejectionCode(run: () => unknown): PushRejectionCode | 'returned' | 'foreign-error' {
  try {
    run();
    return 'returned';
  } catch (err) {
    return err instanceof PushRejected ? err.code : 'foreign-error';
  }
}

describe('detectFormat', () => {
  it('goes by the first non-blank character, whatever the Content-Type claims', () => {
    expect(detectFormat('<xml/>')).toBe('xml');
    expect(detectFormat(' \n\t<xml/>', 'application/json')).toBe('xml');
    expect(detectFormat('\uFEFF{"a":1}', 'text/xml; charset=utf-8')).toBe('json');
  });

  it.each(['', '   ', 'success', '[1]', '"x"', '42'])('refuses %j with PUSH_MALFORMED', (body) => {
    expect(rejectionCode(() => detectFormat(body, 'text/plain'))).toBe('PUSH_MALFORMED');
  });
});

describe('parseJson', () => {
  it('reads the A1 plaintext, numbers as their source text', () => {
    expect(parseJson(A1.plaintext)).toStrictEqual({
      ToUserName: 'gh_97417a04a28d',
      FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      CreateTime: '1714112445',
      MsgType: 'event',
      Event: 'debug_demo',
      debug_str: 'hello world',
    });
  });

  it('keeps 64-bit ids and other number spellings exactly, and does not touch digits inside strings', () => {
    const body = '{"MsgId":23158946520393408,"Big":12345678901234567890123,"F":-1.50e+3,"S":"12 \\"3\\" 4","Z":0}';
    expect(parseJson(body)).toStrictEqual({ MsgId: '23158946520393408', Big: '12345678901234567890123', F: '-1.50e+3', S: '12 "3" 4', Z: '0' });
  });

  it('keeps booleans as text, drops null and nested values', () => {
    expect(parseJson('{"a":true,"b":false,"c":null,"d":{"e":1},"f":[1,2],"g":"x"}')).toStrictEqual({ a: 'true', b: 'false', g: 'x' });
  });

  it('keeps a "__proto__" key as plain data', () => {
    const parsed = parseJson('{"__proto__":"x","A":"1"}');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(parsed, '__proto__')).toBe(true);
  });

  it.each([
    ['invalid JSON', '{"a":1,}'],
    ['leading zeros (invalid JSON the number rewrite must not legitimise)', '{"a":0012}'],
    ['an array', '[{"a":1}]'],
    ['null', 'null'],
  ])('refuses %s with PUSH_MALFORMED', (_label, body) => {
    expect(rejectionCode(() => parseJson(body))).toBe('PUSH_MALFORMED');
  });
});

describe('parseBody / serializeBody', () => {
  it('gives the same record for the same fields in either format', () => {
    const fields = { ToUserName: 'gh_1', CreateTime: 1475134700, Event: 'user_authorize_invoice', SuccOrderId: '0012345678901234567890' };
    const fromXml = parseBody(serializeBody(fields, 'xml'));
    const fromJson = parseBody(serializeBody(fields, 'json'));
    expect(fromXml.format).toBe('xml');
    expect(fromJson.format).toBe('json');
    expect(fromXml.fields).toStrictEqual(fromJson.fields);
    expect(fromXml.fields.CreateTime).toBe('1475134700');
  });
});
