import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { StaffDoc, StaffRole, StaffSessionDoc } from '../data/staff/staff.schema';
import type { StaffRepository } from '../data/staff/staff.repository';
import type { StaffView } from '@fapiao/shared/contract';
import { AppError } from '../errors';
import { recordAudit, type AuditDeps } from './audit';

export interface StaffDeps extends AuditDeps {
  staff: StaffRepository;
  sessionTtlMs: number;
  /** Failed logins allowed per username (and 4× per address) in one window. */
  maxFailures: number;
  failureWindowMs: number;
}

/** bcrypt's cost: 2^10 rounds, OWASP's floor; bcryptjs is pure JS, so higher costs cost seconds on a busy machine. */
const BCRYPT_COST = 10;
/** Compared against when the username is unknown, so both answers take as long. */
const DUMMY_HASH = bcrypt.hashSync('not-a-password', BCRYPT_COST);

export type { StaffView };

function toStaffView(doc: StaffDoc): StaffView {
  return { username: doc._id, displayName: doc.displayName, role: doc.role, disabled: doc.disabled, createdAt: doc.createdAt.toISOString(), createdBy: doc.createdBy };
}

export async function addStaff(
  deps: StaffDeps,
  input: { username: string; displayName: string; role: StaffRole; password: string },
  actor: string,
): Promise<StaffView> {
  const at = deps.now();
  const doc: StaffDoc = {
    _id: input.username,
    displayName: input.displayName,
    role: input.role,
    passwordHash: await bcrypt.hash(input.password, BCRYPT_COST),
    disabled: false,
    createdAt: at,
    createdBy: actor,
  };
  if (!(await deps.staff.create(doc))) throw new AppError('STAFF_ALREADY_EXISTS', `A staff account ${input.username} exists already`);
  await recordAudit(deps, { actor, action: 'staff.create', target: `staff:${input.username}`, detail: { role: input.role, displayName: input.displayName } });
  return toStaffView(doc);
}

export async function updateStaff(
  deps: StaffDeps,
  username: string,
  change: { displayName?: string | undefined; role?: StaffRole | undefined; disabled?: boolean | undefined; password?: string | undefined },
  actor: string,
): Promise<StaffView> {
  if (actor === `staff:${username}` && (change.disabled || (change.role && change.role !== 'admin'))) {
    throw new AppError('FORBIDDEN', 'An admin cannot disable or demote their own account (ask another admin)');
  }
  const set: Parameters<StaffRepository['update']>[1] = {};
  if (change.displayName !== undefined) set.displayName = change.displayName;
  if (change.role !== undefined) set.role = change.role;
  if (change.disabled !== undefined) set.disabled = change.disabled;
  if (change.password !== undefined) set.passwordHash = await bcrypt.hash(change.password, BCRYPT_COST);
  const at = deps.now();
  const updated = await deps.staff.update(username, set, at);
  if (!updated) throw new AppError('STAFF_NOT_FOUND', `No staff account ${username}`);
  // A new role, a new password or a disabled account applies at once, not at the next login.
  if (change.role !== undefined || change.disabled !== undefined || change.password !== undefined) await deps.staff.deleteSessionsOf(username);
  const { password: _secret, ...shown } = change;
  await recordAudit(deps, { actor, action: 'staff.update', target: `staff:${username}`, detail: { ...shown, ...(change.password ? { password: 'changed' } : {}) } });
  return toStaffView(updated);
}

/** The staff member behind a console session (gone: the session no longer counts). */
export async function currentStaff(deps: Pick<StaffDeps, 'staff'>, username: string): Promise<StaffView> {
  const staff = await deps.staff.find(username);
  if (!staff) throw new AppError('UNAUTHENTICATED', 'The account is gone');
  return toStaffView(staff);
}

export const listStaff = async (deps: StaffDeps): Promise<StaffView[]> => (await deps.staff.list()).map(toStaffView);

export interface StaffLogin {
  /** For the cookie only; never stored, never logged. */
  token: string;
  csrfToken: string;
  staff: StaffView;
  expiresAt: Date;
}

const digestOf = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/**
 * Checks a username and password. Failures are counted per username and per address in
 * MongoDB (so every server process sees them); past the limit every attempt is refused until
 * the window ends, right password or not, so guessing cannot go on.
 */
export async function login(deps: StaffDeps, input: { username: string; password: string; address: string }): Promise<StaffLogin> {
  const now = deps.now();
  const keys = [
    { key: `user:${input.username}`, max: deps.maxFailures },
    { key: `addr:${input.address}`, max: deps.maxFailures * 4 },
  ];
  for (const { key, max } of keys) {
    const { failures, until } = await deps.staff.failures(key, now);
    if (failures >= max) throw rateLimited(until ?? now, now);
  }
  const staff = await deps.staff.find(input.username);
  const matches = await bcrypt.compare(input.password, staff?.passwordHash ?? DUMMY_HASH);
  if (!staff || !matches || staff.disabled) {
    for (const { key } of keys) await deps.staff.countFailure(key, now, deps.failureWindowMs);
    await recordAudit(deps, { actor: `staff:${input.username}`, action: 'staff.login-failed', target: `staff:${input.username}`, detail: { address: input.address } });
    throw new AppError('UNAUTHENTICATED', 'Wrong username or password (or the account is disabled)');
  }
  await deps.staff.clearFailures(`user:${input.username}`);
  const token = crypto.randomBytes(32).toString('base64url');
  const session: StaffSessionDoc = {
    _id: digestOf(token),
    username: staff._id,
    csrfToken: crypto.randomBytes(24).toString('base64url'),
    createdAt: now,
    expiresAt: new Date(now.getTime() + deps.sessionTtlMs),
  };
  await deps.staff.createSession(session);
  await recordAudit(deps, { actor: `staff:${staff._id}`, action: 'staff.login', target: `staff:${staff._id}`, detail: { address: input.address } });
  return { token, csrfToken: session.csrfToken, staff: toStaffView(staff), expiresAt: session.expiresAt };
}

function rateLimited(until: Date, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new AppError('RATE_LIMITED', `Too many failed logins: try again in ${seconds} s`, { retryAfterSeconds: seconds });
}

/** The staff member behind a session cookie, if the session is live and the account enabled. */
export async function sessionFor(deps: StaffDeps, token: string): Promise<{ staff: StaffDoc; session: StaffSessionDoc } | null> {
  const session = await deps.staff.findSession(digestOf(token), deps.now());
  if (!session) return null;
  const staff = await deps.staff.find(session.username);
  if (!staff || staff.disabled) return null;
  return { staff, session };
}

export async function logout(deps: StaffDeps, token: string): Promise<void> {
  await deps.staff.deleteSession(digestOf(token));
}

