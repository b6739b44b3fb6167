import type { Caller } from '../api-route';

/** Who did it, for the audit log and the request's history: a key's id or the staff member's name. */
export function actor(caller: Caller): string {
  if (caller.kind === 'staff') return `staff:${caller.username}`;
  if (caller.kind !== 'admin') throw new Error('route mounted without admin authentication');
  return `admin:${caller.keyId}`;
}
