/**
 * Authenticated API calls: the bearer token from session.ts, and on 401 one shared re-login and
 * exactly one retry. Everything the pages need goes through here (via api.ts).
 */
import { errorFromResponse } from './errors';
import { sendRequest, type HttpMethod } from './http';
import { clearSession, currentSession, ensureSession, login, type Session } from './session';

/** After a 401 with `staleToken`: reuse a session someone else already renewed, else log in. */
async function renewAfter(staleToken: string): Promise<Session> {
  const current = currentSession();
  if (current && current.token !== staleToken) return current;
  clearSession();
  return login();
}

/** Calls the API as the logged-in buyer; resolves with the JSON body of a 2xx answer. */
export async function apiRequest<T>(method: HttpMethod, path: string, data?: object): Promise<T> {
  let session = await ensureSession();
  let res = await sendRequest(method, path, { data, token: session.token });
  if (res.statusCode === 401) {
    session = await renewAfter(session.token);
    res = await sendRequest(method, path, { data, token: session.token });
  }
  if (res.statusCode < 200 || res.statusCode >= 300) throw errorFromResponse(res.statusCode, res.data);
  return res.data as T;
}
