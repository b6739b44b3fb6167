import { isDateInYearRange } from '@fapiao/shared';

/**
 * Keyset paging for newest-first lists (a buyer's orders, ops' invoice requests): a page ends at
 * its last item's creation time and unique key, and the next page continues strictly after it.
 * The cursor is opaque to clients (base64url JSON), so what is behind it may change.
 */
export interface PageCursor {
  createdAt: Date;
  /** The item's unique key (order number, request id): breaks ties between equal times. */
  key: string;
}

const MAX_CURSOR_LENGTH = 300;

export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.getTime(), cursor.key])).toString('base64url');
}

/** The cursor in `text`, or undefined when it is not one this server gave out. */
export function decodePageCursor(text: string): PageCursor | undefined {
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const [time, key, ...rest] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    // An out-of-range time makes an Invalid Date, and year 0 or 10000 a date not every database
    // stores: either is refused here, as a forged cursor, not by the database with an untyped error.
    const createdAt = new Date(typeof time === 'number' && Number.isSafeInteger(time) ? time : Number.NaN);
    if (isDateInYearRange(createdAt) && typeof key === 'string' && key !== '' && key.length <= 64 && rest.length === 0) return { createdAt, key };
  } catch {
    // not JSON, or not an array: not ours
  }
  return undefined;
}

/**
 * `found` holds up to limit + 1 items (one more than the page): the page, and a cursor only when
 * another page really follows.
 */
export function pageOf<T>(found: T[], limit: number, cursorOf: (item: T) => PageCursor): { items: T[]; nextCursor?: string } {
  const items = found.slice(0, limit);
  const last = items[items.length - 1];
  return { items, ...(found.length > limit && last ? { nextCursor: encodePageCursor(cursorOf(last)) } : {}) };
}
