import { decodePageCursor, encodePageCursor, pageOf } from './paging';

describe('page cursors', () => {
  it('give back the time and key they were made from', () => {
    const cursor = { createdAt: new Date('2026-11-22T03:04:05.678Z'), key: 'ir_0123456789abcdef' };
    expect(decodePageCursor(encodePageCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not base64url', 'not a cursor!'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['an object', Buffer.from('{"$gt":""}').toString('base64url')],
    ['a time out of range', Buffer.from('[1e308,"x"]').toString('base64url')],
    ['an operator as the key', Buffer.from('[1,{"$gt":""}]').toString('base64url')],
    ['an empty key', Buffer.from('[1,""]').toString('base64url')],
    ['extra parts', Buffer.from('[1,"a","b"]').toString('base64url')],
    ['overlong', 'A'.repeat(400)],
  ])('refuse %s', (_, text) => {
    expect(decodePageCursor(text)).toBeUndefined();
  });

  it('pageOf hands out a cursor only when one more item than the page was found', () => {
    const items = [1, 2, 3].map((n) => ({ createdAt: new Date(n * 1000), key: `k${n}` }));
    const full = pageOf(items, 2, (item) => item);
    expect(full.items).toEqual(items.slice(0, 2));
    expect(decodePageCursor(full.nextCursor ?? '')).toEqual(items[1]);
    expect(pageOf(items.slice(0, 2), 2, (item) => item)).toEqual({ items: items.slice(0, 2) });
  });
});
