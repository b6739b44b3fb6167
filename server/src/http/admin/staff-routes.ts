import { z } from 'zod';
import { STAFF_ROLES } from '../../domain/entities/staff';
import { addStaff, listStaff, login, logout, toStaffView, updateStaff, type StaffDeps } from '../../domain/staff';
import { AppError } from '../../errors';
import { route, type AnyApiRoute } from '../api-route';
import { clearStaffCookie, isCrossSite, setStaffCookie, staffCookieOf, type StaffCookieOptions } from '../staff-session';
import { actor } from './routes';

const username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,31}$/, 'must be 2-32 lower-case letters, digits, ".", "_" or "-"');
const password = z.string().min(10, 'must be at least 10 characters').max(72, 'must be at most 72 bytes (bcrypt)');
const role = z.enum(STAFF_ROLES);
const staffView = z.object({ username: z.string(), displayName: z.string(), role, disabled: z.boolean(), createdAt: z.string(), createdBy: z.string() });
const sessionView = z.object({ staff: staffView, csrfToken: z.string().describe('send it as X-CSRF-Token with every change made with this session') });

/** The console's login and the staff accounts (admin only). */
export function staffRoutes(deps: StaffDeps & { cookie: StaffCookieOptions }): AnyApiRoute[] {
  return [
    route({
      method: 'post',
      path: '/session',
      summary: 'Console login: sets the session cookie (httpOnly, SameSite=Strict); failed logins are limited per username and address',
      auth: 'none',
      body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }).strict(),
      response: sessionView,
      handler: async ({ body, ctx }) => {
        // A login posted from another site would log this browser in as someone else.
        if (isCrossSite(ctx)) throw new AppError('CSRF_FAILED', 'Log in from the console itself');
        try {
          const session = await login(deps, { username: body.username, password: body.password, address: ctx.ip });
          setStaffCookie(ctx, session, deps.cookie);
          return { staff: session.staff, csrfToken: session.csrfToken };
        } catch (err) {
          const seconds = err instanceof AppError ? err.details?.retryAfterSeconds : undefined;
          if (typeof seconds === 'number') ctx.set('Retry-After', String(seconds));
          throw err;
        }
      },
    }),
    route({
      method: 'get',
      path: '/session',
      summary: 'The staff member logged in with this cookie, and the CSRF token for changes',
      auth: 'admin',
      response: sessionView,
      handler: async ({ caller }) => {
        if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'No console session: this is an API key');
        const staff = await deps.staff.find(caller.username);
        if (!staff) throw new AppError('UNAUTHENTICATED', 'The account is gone');
        return { staff: toStaffView(staff), csrfToken: caller.csrfToken };
      },
    }),
    route({
      method: 'delete',
      path: '/session',
      summary: 'Console logout: ends the session and clears the cookie',
      auth: 'admin',
      role: 'viewer',
      response: z.object({ ok: z.literal(true) }),
      handler: async ({ ctx }) => {
        const token = staffCookieOf(ctx);
        if (token) await logout(deps, token);
        clearStaffCookie(ctx, deps.cookie);
        return { ok: true as const };
      },
    }),
    route({
      method: 'get',
      path: '/staff',
      summary: 'Staff accounts (admin only)',
      auth: 'admin',
      role: 'admin',
      response: z.object({ staff: z.array(staffView) }),
      handler: async () => ({ staff: await listStaff(deps) }),
    }),
    route({
      method: 'post',
      path: '/staff',
      summary: 'Add a staff account: viewer (reads), operator (acts on invoices, orders, settings) or admin (also staff)',
      auth: 'admin',
      role: 'admin',
      status: 201,
      body: z.object({ username, displayName: z.string().min(1).max(40), role, password }).strict(),
      response: staffView,
      handler: ({ body, caller }) => addStaff(deps, body, actor(caller)),
    }),
    route({
      method: 'put',
      path: '/staff/:username',
      summary: 'Change a staff account: name, role, disabled, or a new password (ends its sessions)',
      auth: 'admin',
      role: 'admin',
      params: z.object({ username }).strict(),
      body: z.object({ displayName: z.string().min(1).max(40).optional(), role: role.optional(), disabled: z.boolean().optional(), password: password.optional() }).strict(),
      response: staffView,
      handler: async ({ params, body, caller }) => {
        if (caller.kind === 'staff' && caller.username === params.username && (body.disabled || (body.role && body.role !== 'admin'))) {
          throw new AppError('FORBIDDEN', 'An admin cannot disable or demote their own account (ask another admin)');
        }
        return updateStaff(deps, params.username, body, actor(caller));
      },
    }),
  ];
}
