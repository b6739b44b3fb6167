import type { SandboxModels } from '../data/models';
import { isDuplicateKey } from '../data/mongo-errors';

/** Counters the sandbox keeps: calls per endpoint, and the token and ticket fetches that tests count. */
export async function count(models: SandboxModels, key: string): Promise<void> {
  try {
    await models.Counter.updateOne({ _id: key }, { $inc: { n: 1 } }, { upsert: true });
  } catch (err) {
    // Two first increments racing: the loser's upsert may fail with 11000; the document exists now.
    if (!isDuplicateKey(err)) throw err;
    await models.Counter.updateOne({ _id: key }, { $inc: { n: 1 } });
  }
}

export interface SandboxStats {
  /** Requests per path, whatever their outcome. */
  calls: Record<string, number>;
  /** access_tokens handed out, by /cgi-bin/token and /cgi-bin/stable_token together… */
  tokenFetches: number;
  /** …and by each. */
  cgiTokenFetches: number;
  stableTokenFetches: number;
  /** Tickets handed out by /cgi-bin/ticket/getticket. */
  ticketFetches: number;
}

export async function readStats(models: SandboxModels): Promise<SandboxStats> {
  const counters = await models.Counter.find().lean();
  const calls: Record<string, number> = {};
  const get = (id: string) => counters.find((c) => c._id === id)?.n ?? 0;
  for (const c of counters) if (c._id.startsWith('call:')) calls[c._id.slice('call:'.length)] = c.n;
  return {
    calls,
    tokenFetches: get('fetch:token') + get('fetch:stable_token'),
    cgiTokenFetches: get('fetch:token'),
    stableTokenFetches: get('fetch:stable_token'),
    ticketFetches: get('fetch:ticket'),
  };
}
