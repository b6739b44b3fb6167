import { addStaffBody, loginBody, sessionView, staffParams, staffView, updateStaffBody } from '@fapiao/shared/contract';
import { z } from 'zod';
import { addStaff, currentStaff, listStaff, login, logout, updateStaff, type StaffDeps } from '../../domain/staff';
import { AppError } from '../../errors';
import { route, type AnyApiRoute } from '../api-route';
import { clearStaffCookie, isCrossSite, setStaffCookie, staffCookieOf, type StaffCookieOptions } from '../staff-session';
import { actor } from './actor';

/** The console's login and the staff accounts (admin only): domain/staff.ts. */
export function staffRoutes(deps: StaffDeps & { cookie: StaffCookieOptions }): AnyApiRoute[] {
  return [...sessionRoutes(deps), ...accountRoutes(deps)];
}

/** A staff member's console session: log in, who am I, log out. */
function sessionRoutes(deps: StaffDeps & { cookie: StaffCookieOptions }): AnyApiRoute[] {
  return [
    route({
      method: 'post',
      path: '/session',
      summary: 'Console login: sets the session cookie (httpOnly, SameSite=Strict); failed logins are limited per username and address',
      auth: 'none',
      body: loginBody,
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
        return { staff: await currentStaff(deps, caller.username), csrfToken: caller.csrfToken };
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
  ];
}

/** The staff accounts themselves (admin only). */
function accountRoutes(deps: StaffDeps): AnyApiRoute[] {
  return [
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
      body: addStaffBody,
      response: staffView,
      handler: ({ body, caller }) => addStaff(deps, body, actor(caller)),
    }),
    route({
      method: 'put',
      path: '/staff/:username',
      summary: 'Change a staff account: name, role, disabled, or a new password (ends its sessions)',
      auth: 'admin',
      role: 'admin',
      params: staffParams,
      body: updateStaffBody,
      response: staffView,
      handler: ({ params, body, caller }) => updateStaff(deps, params.username, body, actor(caller)),
    }),
  ];
}
