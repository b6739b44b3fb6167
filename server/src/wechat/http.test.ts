import { redactSecrets } from './errors';
import { errcodeOf, joinUrl } from './http';

describe('errcodeOf', () => {
  it.each([
    [{}, 0],
    [{ errcode: 0 }, 0],
    [{ errcode: null }, 0],
    [{ errcode: 40001 }, 40001],
    [{ errcode: -1 }, -1],
    [{ errcode: '0' }, 0],
    [{ errcode: ' 72036 ' }, 72036],
    [{ errcode: '-1' }, -1],
  ])('%j -> %i', (body, expected) => {
    expect(errcodeOf(body)).toBe(expected);
  });

  it.each([[{ errcode: 'busy' }], [{ errcode: 1.5 }], [{ errcode: true }], [{ errcode: {} }]])('%j is not an errcode', (body) => {
    expect(errcodeOf(body)).toBeNaN();
  });
});

describe('joinUrl', () => {
  it('keeps a base path prefix and adds the query', () => {
    expect(joinUrl('https://api.weixin.qq.com', '/cgi-bin/token', { grant_type: 'client_credential', appid: 'wx1' })).toBe(
      'https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1',
    );
    expect(joinUrl('http://127.0.0.1:4000/sandbox/', '/card/invoice/seturl', {})).toBe('http://127.0.0.1:4000/sandbox/card/invoice/seturl');
    expect(joinUrl('http://h', '/p', { action: 'set_contact', access_token: 'a+b/c' })).toBe('http://h/p?action=set_contact&access_token=a%2Bb%2Fc');
  });
});

describe('redactSecrets', () => {
  it('hides the values of secret-bearing parameters', () => {
    const url = 'https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=S3CR3T&js_code=C0DE&grant_type=authorization_code';
    expect(redactSecrets(url)).toBe(
      'https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=[redacted]&js_code=[redacted]&grant_type=authorization_code',
    );
    expect(redactSecrets('GET /x?access_token=ABC&type=wx_card failed; ticket=T1')).toBe(
      'GET /x?access_token=[redacted]&type=wx_card failed; ticket=[redacted]',
    );
    expect(redactSecrets('nothing secret here')).toBe('nothing secret here');
  });
});
