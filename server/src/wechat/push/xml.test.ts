import fc from 'fast-check';
import fixtures from '../../../test/fixtures/wechat-push-vectors.json';
import { PushRejected, type PushRejectionCode } from './errors';
import { buildXml, parseXml } from './xml';

const { seedSamples } = fixtures;

function rejectionCode(run: () => unknown): PushRejectionCode | 'returned' | 'foreign-error' {
  try {
    run();
    return 'returned';
  } catch (err) {
    return err instanceof PushRejected ? err.code : 'foreign-error';
  }
}

/** Drops what XML 1.0 cannot carry, and CR, which every XML parser reads back as LF. */
function xmlCarriable(value: string): string {
  return Array.from(value)
    .filter((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code >= 0x20 ? code !== 0xfffe && code !== 0xffff : code === 0x09 || code === 0x0a;
    })
    .join('');
}

describe('parseXml', () => {
  it('reads the corrected seed samples as flat string records', () => {
    expect(parseXml(seedSamples.user_authorize_invoice_corrected)).toStrictEqual({
      ToUserName: 'gh_fc0a06a20993',
      FromUserName: 'oZI8Fj040-be6rlDohc6gkoPOQTQ',
      CreateTime: '1475134700',
      MsgType: 'event',
      Event: 'user_authorize_invoice',
      SuccOrderId: '1202933957956',
      FailOrderId: '',
      AuthorizeAppId: '',
      Source: '',
    });
    expect(parseXml(seedSamples.invoice_result_corrected)).toMatchObject({
      fpqqlsh: '14574d75004451097886',
      nsrsbh: '150001197205134629',
      status: '100',
    });
  });

  it('refuses the seed samples as printed in the docs (their typos make them malformed XML)', () => {
    expect(rejectionCode(() => parseXml(seedSamples.user_authorize_invoice_verbatim))).toBe('PUSH_MALFORMED');
    expect(rejectionCode(() => parseXml(seedSamples.invoice_result_verbatim))).toBe('PUSH_MALFORMED');
  });

  it('keeps numeric-looking values exactly (no number coercion)', () => {
    const values = ['0012345678901234567890', '1e5', '0x1F', '12345678901234567890123', '-0', '1.50', ' 7 '];
    const xml = `<xml>${values.map((v, i) => `<A${i}>${v}</A${i}><B${i}><![CDATA[${v}]]></B${i}>`).join('')}</xml>`;
    const parsed = parseXml(xml);
    values.forEach((v, i) => {
      expect(parsed[`A${i}`]).toBe(v);
      expect(parsed[`B${i}`]).toBe(v);
    });
  });

  it('keeps CDATA verbatim, whitespace included, and joins split CDATA sections', () => {
    const parsed = parseXml('<xml><A><![CDATA[  spaced <b>&amp;</b>  ]]></A><B><![CDATA[x]]]]><![CDATA[>y]]></B><C/></xml>');
    expect(parsed).toStrictEqual({ A: '  spaced <b>&amp;</b>  ', B: 'x]]>y', C: '' });
  });

  it('accepts the declaration, comments, processing instructions, a BOM and surrounding whitespace', () => {
    const xml = '\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<!-- hi --><?pi x?>\n<xml>\n  <A>1</A>\n</xml>\n';
    expect(parseXml(xml)).toStrictEqual({ A: '1' });
  });

  describe('entities are never expanded', () => {
    it('returns references verbatim, predefined, numeric or unknown alike', () => {
      expect(parseXml('<xml><A>&amp;&lt;&#60;&#x3C;&quot;</A><B>&xxe;</B></xml>')).toStrictEqual({
        A: '&amp;&lt;&#60;&#x3C;&quot;',
        B: '&xxe;',
      });
    });

    it.each([
      ['external entity (XXE)', '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><A>&xxe;</A></xml>'],
      [
        'billion laughs',
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><A>&lol2;</A></xml>',
      ],
      ['a bare DOCTYPE', '<!DOCTYPE xml><xml><A>1</A></xml>'],
      ['lower-case doctype', '<!doctype xml><xml><A>1</A></xml>'],
      ['an ENTITY without DOCTYPE', '<xml><!ENTITY a "b"><A>1</A></xml>'],
      ['a DOCTYPE after the root', '<xml><A>1</A></xml><!DOCTYPE x>'],
      ['a DOCTYPE inside CDATA (refused too: the scan is deliberately blunt)', '<xml><A><![CDATA[<!DOCTYPE x>]]></A></xml>'],
    ])('refuses %s with PUSH_DOCTYPE_FORBIDDEN', (_label, xml) => {
      expect(rejectionCode(() => parseXml(xml))).toBe('PUSH_DOCTYPE_FORBIDDEN');
    });
  });

  it.each([
    ['an empty body', ''],
    ['plain text', 'success'],
    ['JSON', '{"a":1}'],
    ['another root element', '<root><A>1</A></root>'],
    ['a namespaced root', '<w:xml xmlns:w="u"><A>1</A></w:xml>'],
    ['two roots', '<xml><A>1</A></xml><xml><A>2</A></xml>'],
    ['trailing text', '<xml><A>1</A></xml>junk'],
    ['text directly inside <xml>', '<xml>hello<A>1</A></xml>'],
    ['a repeated child (which Encrypt?)', '<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>'],
    ['an unclosed tag', '<xml><A>1</xml>'],
    ['a bare ampersand', '<xml><A>a & b</A></xml>'],
    ['nesting deeper than 32', `<xml>${'<a>'.repeat(40)}x${'</a>'.repeat(40)}</xml>`],
  ])('refuses %s with PUSH_MALFORMED', (_label, xml) => {
    expect(rejectionCode(() => parseXml(xml))).toBe('PUSH_MALFORMED');
  });

  it('leaves out children that contain elements (only flat fields are read)', () => {
    const xml = '<xml><Event>scancode_push</Event><ScanCodeInfo><ScanType>qrcode</ScanType></ScanCodeInfo><A>1</A></xml>';
    expect(parseXml(xml)).toStrictEqual({ Event: 'scancode_push', A: '1' });
  });

  it.each(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'valueOf', 'toString'])(
    'refuses a <%s> child rather than renaming or assigning it',
    (name) => {
      expect(rejectionCode(() => parseXml(`<xml><${name}>1</${name}><A>2</A></xml>`))).toBe('PUSH_MALFORMED');
    },
  );
});

describe('buildXml', () => {
  it('writes strings as CDATA and WeChat\'s numeric fields bare', () => {
    expect(buildXml({ ToUserName: 'gh_1', CreateTime: 1475134700, status: '100', TimeStamp: '1714112445', Nonce: '123' })).toBe(
      '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1475134700</CreateTime><status>100</status>' +
        '<TimeStamp>1714112445</TimeStamp><Nonce><![CDATA[123]]></Nonce></xml>',
    );
  });

  it('keeps a non-numeric value of a numeric field in CDATA', () => {
    expect(buildXml({ CreateTime: 'soon' })).toBe('<xml><CreateTime><![CDATA[soon]]></CreateTime></xml>');
  });

  it('splits CDATA around "]]>"', () => {
    expect(buildXml({ A: 'a]]>b' })).toBe('<xml><A><![CDATA[a]]]]><![CDATA[>b]]></A></xml>');
    expect(parseXml(buildXml({ A: ']]>]]>]]]>>' })).A).toBe(']]>]]>]]]>>');
  });

  it('refuses what cannot be written as XML', () => {
    expect(() => buildXml({ 'bad name': 'x' })).toThrow(TypeError);
    expect(() => buildXml({ '1st': 'x' })).toThrow(TypeError);
    expect(() => buildXml({ A: 'nul\u0000' })).toThrow(TypeError);
    expect(() => buildXml({ A: 'lone \uD800 surrogate' })).toThrow(TypeError);
    expect(() => buildXml({ A: Number.NaN })).toThrow(TypeError);
  });

  it('round-trips through parseXml for any carriable strings, emoji and 中文 included', () => {
    const reserved = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'];
    const nameArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/).filter((n) => !reserved.includes(n) && !n.startsWith('__'));
    const valueArb = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })).map(xmlCarriable);
    fc.assert(
      fc.property(fc.dictionary(nameArb, valueArb, { maxKeys: 8 }), (record) => {
        expect(parseXml(buildXml(record))).toStrictEqual({ ...record });
      }),
      { numRuns: 300 },
    );
  });
});
