/**
 * MongoDB's duplicate key error (E11000): a unique index refused the write. The emulator's own
 * name for it (it imports nothing from the product but the public push crypto).
 */
const DUPLICATE_KEY = 11000;

export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown } | null | undefined)?.code === DUPLICATE_KEY;
}
