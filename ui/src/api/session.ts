/**
 * The signed-in session: the token slot every request reads, and the user's role. Kept in
 * localStorage so a reload stays signed in; listeners re-render the UI when it changes.
 */

/** Roles, from most to least powerful. */
export type Role = 'owner' | 'admin' | 'member' | 'viewer';

/** What the client knows about the signed-in user. */
export interface Session {
  accessToken: string | null;
  refreshToken: string | null;
  /** Null until the server reports it; the UI then assumes a server without accounts (full rights). */
  role: Role | null;
  userName: string | null;
}

const KEY = 'weft.session';
const empty: Session = { accessToken: null, refreshToken: null, role: null, userName: null };

let current: Session = load();
const listeners = new Set<() => void>();

function load(): Session {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    return raw ? { ...empty, ...(JSON.parse(raw) as Partial<Session>) } : empty;
  } catch {
    return empty;
  }
}

/** The current session. */
export function getSession(): Session {
  return current;
}

/** Replaces the session (sign-in, token refresh, sign-out with `null`). */
export function setSession(next: Session | null): void {
  current = next ?? empty;
  try {
    if (next) globalThis.localStorage?.setItem(KEY, JSON.stringify(next));
    else globalThis.localStorage?.removeItem(KEY);
  } catch {
    // Storage may be unavailable (private mode); the in-memory session still works.
  }
  listeners.forEach((listener) => listener());
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

/** Whether the role may change workflows (viewers may only look). */
export function canEdit(role: Role | null): boolean {
  return role !== 'viewer';
}

/** Whether the role may manage users and instance settings. */
export function canAdminister(role: Role | null): boolean {
  return role === null || role === 'owner' || role === 'admin';
}
