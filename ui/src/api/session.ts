/**
 * The signed-in session: the access token (memory only), the refresh token (localStorage, so a
 * reload stays signed in) and the signed-in user. Listeners re-render the UI when it changes.
 */

/** Roles, from most to least powerful. */
export type Role = 'owner' | 'admin' | 'editor' | 'viewer';

/** The signed-in user. */
export interface SessionUser {
  id: string;
  email: string;
  role: Role;
}

/** What the client knows about the session. */
export interface Session {
  accessToken: string | null;
  /** When the access token expires (ms since the epoch). */
  accessTokenExpiresAt: number | null;
  refreshToken: string | null;
  user: SessionUser | null;
}

/** The localStorage key holding the refresh token. */
export const REFRESH_TOKEN_KEY = 'weft.refreshToken';
const empty: Session = { accessToken: null, accessTokenExpiresAt: null, refreshToken: null, user: null };

let current: Session = { ...empty, refreshToken: loadRefreshToken() };
const listeners = new Set<() => void>();

function loadRefreshToken(): string | null {
  try {
    return globalThis.localStorage?.getItem(REFRESH_TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

/** The current session. */
export function getSession(): Session {
  return current;
}

/** Replaces the session (sign-in, token refresh; `null` signs out and forgets the refresh token). */
export function setSession(next: Session | null): void {
  current = next ?? empty;
  try {
    if (current.refreshToken) globalThis.localStorage?.setItem(REFRESH_TOKEN_KEY, current.refreshToken);
    else globalThis.localStorage?.removeItem(REFRESH_TOKEN_KEY);
  } catch {
    // Storage may be unavailable (private mode); the in-memory session still works.
  }
  listeners.forEach((listener) => listener());
}

/**
 * The newest refresh token: the stored one (another tab may have rotated it since this tab read
 * it; each works once), else the one in memory.
 */
export function latestRefreshToken(): string | null {
  return loadRefreshToken() ?? current.refreshToken;
}

/** Calls `listener` on every change; returns the unsubscribe function. */
export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Headers that authenticate a request (none when signed out). */
export function authHeaders(): Record<string, string> {
  return current.accessToken ? { Authorization: `Bearer ${current.accessToken}` } : {};
}

/** The role of the signed-in user, or null when signed out. */
export function currentRole(): Role | null {
  return current.user?.role ?? null;
}

/** Whether the role may change workflows (viewers may only look). */
export function canEdit(role: Role | null): boolean {
  return role === 'owner' || role === 'admin' || role === 'editor';
}

/** Whether the role may manage users and instance settings. */
export function canAdminister(role: Role | null): boolean {
  return role === 'owner' || role === 'admin';
}
