import crypto from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { buyerOfSession, type BuyerSessions } from '../domain/login';
import type { StaffDeps } from '../domain/staff';
import { AppError } from '../errors';
import type { AuthKind, Caller } from './api-route';
import { staffCaller } from './staff-session';

/** The short, stable name of an admin key in audit records: never the key itself. */
function adminKeyId(key: string): string {
  return `key-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

function bearer(ctx: Context): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
  return match?.[1];
}

function setCaller(ctx: Context, caller: Caller): void {
  (ctx.state as { caller?: Caller }).caller = caller;
}

export function authenticators(deps: {
  sessions: BuyerSessions;
  adminKeys: readonly string[];
  /** The merchant back end's keys for /api/channel (ops keys work there too). */
  channelKeys?: readonly string[];
  defaultAccount: string;
  staff: StaffDeps;
  now(): Date;
}): Record<AuthKind, Middleware> {
  const digests = (list: readonly string[]) => list.map((key) => ({ digest: crypto.createHash('sha256').update(key).digest(), id: adminKeyId(key) }));
  const keys = digests(deps.adminKeys);
  const channelKeys = digests(deps.channelKeys ?? []);
  const matchKey = (ctx: Context, among: typeof keys) => {
    const token = bearer(ctx);
    // Compare digests (equal length) in constant time, against every key.
    const digest = crypto.createHash('sha256').update(token ?? '').digest();
    return token ? among.find((key) => crypto.timingSafeEqual(key.digest, digest)) : undefined;
  };
  return {
    none: async (_ctx, next) => {
      await next();
    },
    session: async (ctx, next) => {
      const token = bearer(ctx);
      const buyer = token ? await buyerOfSession(deps, token, deps.defaultAccount) : null;
      if (!buyer) throw new AppError('UNAUTHENTICATED', 'Log in again: the session is missing, unknown or expired');
      setCaller(ctx, { kind: 'buyer', ...buyer });
      await next();
    },
    admin: async (ctx, next) => {
      const token = bearer(ctx);
      // The console: a staff member's cookie session (an Authorization header wins: machines).
      if (!token) {
        const staff = await staffCaller(ctx, deps.staff);
        if (!staff) throw new AppError('UNAUTHENTICATED', 'Log in to the console, or send an admin API key (Authorization: Bearer <key>)');
        setCaller(ctx, staff);
        await next();
        return;
      }
      const match = matchKey(ctx, keys);
      if (!match) throw new AppError('UNAUTHENTICATED', 'A valid admin API key is required (Authorization: Bearer <key>)');
      setCaller(ctx, { kind: 'admin', keyId: match.id });
      await next();
    },
    channel: async (ctx, next) => {
      const channel = matchKey(ctx, channelKeys);
      const admin = channel ? undefined : matchKey(ctx, keys);
      if (!channel && !admin) throw new AppError('UNAUTHENTICATED', 'A valid channel API key is required (Authorization: Bearer <key>)');
      setCaller(ctx, channel ? { kind: 'merchant', keyId: channel.id } : { kind: 'admin', keyId: (admin as { id: string }).id });
      await next();
    },
  };
}
