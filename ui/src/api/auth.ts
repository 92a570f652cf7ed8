/**
 * Signing in and keeping the session alive: owner setup, login, logout, the single-flight token
 * refresh (timed before the access token expires, and on demand when the server answers
 * `UNAUTHENTICATED`), and `authFetch`, the fetch every GraphQL request goes through.
 */
import { ApiError } from './errors';
import { getSession, latestRefreshToken, setSession, subscribeSession, type Role, type Session, type SessionUser } from './session';

const GRAPHQL_PATH = '/graphql';
const PAYLOAD = 'accessToken accessTokenExpiresAt refreshToken user { id email role }';
/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 30_000;

interface AuthPayload {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  user: { id: string; email: string; role: string };
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Runs one GraphQL operation outside urql (auth must not depend on the client it authenticates). */
async function request<T>(query: string, variables: Record<string, unknown>, accessToken?: string | null): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch (error) {
    throw new ApiError(`Cannot reach the Weft server: ${error instanceof Error ? error.message : String(error)}`, 'NETWORK');
  }
  let body: GraphQLBody<T>;
  try {
    body = (await response.json()) as GraphQLBody<T>;
  } catch {
    throw new ApiError(`The Weft server answered ${response.status} without a GraphQL body`, 'NETWORK');
  }
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code ?? 'INTERNAL');
  if (!body.data) throw new ApiError('The Weft server answered without data', 'INTERNAL');
  return body.data;
}

/** Maps the API's role enum (`OWNER`) to the UI's (`owner`). */
export function toRole(role: string): Role {
  const lower = role.toLowerCase();
  if (lower === 'owner' || lower === 'admin' || lower === 'editor' || lower === 'viewer') return lower;
  // An unknown role gets the least rights.
  return 'viewer';
}

function toUser(user: AuthPayload['user']): SessionUser {
  return { id: user.id, email: user.email, role: toRole(user.role) };
}

/** The session a payload describes. */
export function sessionFrom(payload: AuthPayload): Session {
  const expires = Date.parse(payload.accessTokenExpiresAt);
  return {
    accessToken: payload.accessToken,
    accessTokenExpiresAt: Number.isNaN(expires) ? null : expires,
    refreshToken: payload.refreshToken,
    user: toUser(payload.user),
  };
}

/** Whether the instance still needs its owner. */
export async function fetchSetupRequired(): Promise<boolean> {
  const data = await request<{ authStatus: { setupRequired: boolean } }>('{ authStatus { setupRequired } }', {});
  return data.authStatus.setupRequired;
}

/** Creates the owner and signs them in. */
export async function setupOwner(email: string, password: string): Promise<SessionUser> {
  const data = await request<{ setupOwner: AuthPayload }>(
    `mutation($email: String!, $password: String!) { setupOwner(email: $email, password: $password) { ${PAYLOAD} } }`,
    { email, password },
  );
  const session = sessionFrom(data.setupOwner);
  setSession(session);
  return session.user!;
}

/** Signs in; a wrong email or password throws an `UNAUTHENTICATED` ApiError. */
export async function login(email: string, password: string): Promise<SessionUser> {
  const data = await request<{ login: AuthPayload }>(
    `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { ${PAYLOAD} } }`,
    { email, password },
  );
  const session = sessionFrom(data.login);
  setSession(session);
  return session.user!;
}

let inflight: Promise<boolean> | null = null;

/**
 * Exchanges the refresh token for new tokens. Concurrent callers share one request (each refresh
 * token works once). Resolves false, signed out, when the server rejects the refresh token; a
 * network failure throws and keeps the session.
 */
export function refreshSession(): Promise<boolean> {
  if (inflight) return inflight;
  const refreshToken = latestRefreshToken();
  if (!refreshToken) return Promise.resolve(false);
  inflight = (async () => {
    try {
      const data = await request<{ refreshToken: AuthPayload }>(
        `mutation($token: String!) { refreshToken(refreshToken: $token) { ${PAYLOAD} } }`,
        { token: refreshToken },
      );
      setSession(sessionFrom(data.refreshToken));
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'NETWORK') throw error;
      setSession(null);
      return false;
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

/** Ends the session on the server (best effort) and forgets it here. */
export async function logout(): Promise<void> {
  const token = getSession().accessToken;
  try {
    if (token) await request<{ logout: boolean }>('mutation { logout }', {}, token);
  } catch {
    // The session is forgotten locally either way; its tokens expire on their own.
  } finally {
    setSession(null);
  }
}

/** Whether a GraphQL response says the caller is not authenticated. */
async function isUnauthenticated(response: Response): Promise<boolean> {
  if (response.status === 401) return true;
  if (!(response.headers.get('content-type') ?? '').includes('json')) return false;
  try {
    const body = (await response.clone().json()) as GraphQLBody<unknown>;
    return (body.errors ?? []).some((error) => error.extensions?.code === 'UNAUTHENTICATED');
  } catch {
    return false;
  }
}

function withCurrentToken(init: RequestInit | undefined): RequestInit {
  const headers = new Headers(init?.headers);
  const token = getSession().accessToken;
  if (token) headers.set('Authorization', `Bearer ${token}`);
  else headers.delete('Authorization');
  return { ...init, headers };
}

/**
 * fetch with the session's access token; when the server answers `UNAUTHENTICATED`, refreshes the
 * tokens and retries once. If the refresh fails the session ends and the first answer is returned.
 */
export async function authFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const first = await fetch(input, withCurrentToken(init));
  if (!(await isUnauthenticated(first))) return first;
  let refreshed = false;
  try {
    refreshed = await refreshSession();
  } catch {
    return first;
  }
  return refreshed ? fetch(input, withCurrentToken(init)) : first;
}

/**
 * Keeps the access token fresh: refreshes REFRESH_MARGIN_MS before it expires, rescheduling on
 * every session change. Returns the stop function.
 */
export function keepSessionFresh(): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const { accessTokenExpiresAt, refreshToken } = getSession();
    if (!accessTokenExpiresAt || !refreshToken) return;
    const delay = Math.max(1_000, accessTokenExpiresAt - Date.now() - REFRESH_MARGIN_MS);
    timer = setTimeout(() => {
      // A network failure keeps the session; the next request retries through authFetch.
      refreshSession().catch(() => undefined);
    }, delay);
  };
  const unsubscribe = subscribeSession(schedule);
  schedule();
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  };
}
