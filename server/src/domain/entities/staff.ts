import type { StaffRole } from '@fapiao/shared';

// The roles themselves are part of the API contract (shared/src/staff-roles.ts): the console checks them too.

/** A named person at the merchant who uses the console. Never the password, only its hash. */
export interface StaffDoc {
  /** The login name, also what the audit log shows: lower-case letters, digits, ".", "_", "-". */
  _id: string;
  displayName: string;
  role: StaffRole;
  /** bcrypt hash (cost 12). */
  passwordHash: string;
  disabled: boolean;
  createdAt: Date;
  createdBy: string;
  updatedAt?: Date;
}

/** A console login: the cookie carries `token`; only its SHA-256 is stored. */
export interface StaffSessionDoc {
  _id: string; // sha256(token), hex
  username: string;
  /** Sent back by the console in X-CSRF-Token on every change (double submit with the session). */
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}
