import { STAFF_ROLES, type StaffRole } from '@fapiao/shared';
import { Schema, type Connection, type Model } from 'mongoose';

// The roles are part of the API contract (shared/staff-roles.ts): the console checks them too.
export type { StaffRole };

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

const staffSchema = new Schema<StaffDoc>(
  {
    _id: { type: String, required: true },
    displayName: { type: String, required: true },
    role: { type: String, required: true, enum: STAFF_ROLES },
    passwordHash: { type: String, required: true },
    disabled: { type: Boolean, required: true, default: false },
    createdAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
    updatedAt: Date,
  },
  { collection: 'staff', _id: false },
);

/** A console login: the cookie carries `token`; only its SHA-256 is stored. */
export interface StaffSessionDoc {
  _id: string; // sha256(token), hex
  username: string;
  /** Sent back by the console in X-CSRF-Token on every change (double submit with the session). */
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

const sessionSchema = new Schema<StaffSessionDoc>(
  {
    _id: { type: String, required: true },
    username: { type: String, required: true },
    csrfToken: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'staff_sessions', _id: false },
);
// Expired sessions are refused by the query; the TTL index only tidies up.
sessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
sessionSchema.index({ username: 1 });

/** Failed logins per key (a username, an address) in the current window. */
interface LoginAttemptDoc {
  _id: string;
  failures: number;
  windowStart: Date;
  expiresAt: Date;
}

const attemptSchema = new Schema<LoginAttemptDoc>(
  {
    _id: { type: String, required: true },
    failures: { type: Number, required: true },
    windowStart: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'staff_login_attempts', _id: false },
);
attemptSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type StaffModel = Model<StaffDoc>;
export type StaffSessionModel = Model<StaffSessionDoc>;
export type LoginAttemptModel = Model<LoginAttemptDoc>;

export function staffModels(db: Connection): { staff: StaffModel; sessions: StaffSessionModel; attempts: LoginAttemptModel } {
  return {
    staff: (db.models.Staff as StaffModel | undefined) ?? db.model<StaffDoc>('Staff', staffSchema),
    sessions: (db.models.StaffSession as StaffSessionModel | undefined) ?? db.model<StaffSessionDoc>('StaffSession', sessionSchema),
    attempts: (db.models.StaffLoginAttempt as LoginAttemptModel | undefined) ?? db.model<LoginAttemptDoc>('StaffLoginAttempt', attemptSchema),
  };
}
