/** MongoDB's duplicate key error (E11000): a unique index refused the write. */
const DUPLICATE_KEY = 11000;

/**
 * Whether a write failed on a unique index, and (with `field`) on one that includes that field:
 * from the error's keyPattern where the server sends one, else from its message.
 */
export function isDuplicateKey(err: unknown, field?: string): boolean {
  const e = err as { code?: unknown; keyPattern?: Record<string, unknown>; message?: unknown } | null | undefined;
  if (e?.code !== DUPLICATE_KEY) return false;
  if (field === undefined) return true;
  return e.keyPattern ? field in e.keyPattern : String(e.message).includes(field);
}
