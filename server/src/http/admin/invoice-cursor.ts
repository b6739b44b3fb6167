import { z } from 'zod';

/** Where a page of the admin invoice list ended: the last request's creation time and id. */
export interface InvoiceCursor {
  createdAt: Date;
  id: string;
}

const ID = /^[0-9A-Za-z_-]{1,64}$/;

/**
 * Opaque to callers (base64url of "<ISO time>|<id>"), so the sort key behind it may change
 * without breaking clients that only pass it back.
 */
export function encodeInvoiceCursor(cursor: InvoiceCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

/** The cursor in a string, or undefined when it is not one this server gave out. */
export function decodeInvoiceCursor(text: string): InvoiceCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  const [time, id, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (time === undefined || id === undefined || rest.length || !ID.test(id) || !z.iso.datetime().safeParse(time).success) return undefined;
  return { createdAt: new Date(time), id };
}

/** The `cursor` query parameter: decoded while validating, so a bad one is a 400 naming it. */
export const invoiceCursorParam = z
  .string()
  .transform((text, ctx) => {
    const cursor = decodeInvoiceCursor(text);
    if (!cursor) ctx.addIssue({ code: 'custom', message: 'must be the nextCursor of a previous page, unchanged' });
    return cursor ?? z.NEVER;
  })
  .describe('nextCursor from the previous page, to continue after its last request (same filters)');
