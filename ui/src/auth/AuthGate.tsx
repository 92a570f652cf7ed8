/**
 * Route guard: finds out whether the instance needs its owner, restores the session from the
 * stored refresh token, sends signed-out users to /setup or /login (remembering the page they
 * asked for in `?next`) and back there once signed in. Renders `children` only when signed in.
 */
import { useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { fetchSetupRequired, keepSessionFresh, refreshSession } from '../api/auth';
import { messageOf } from '../api/errors';
import { getSession, subscribeSession, type Session } from '../api/session';
import { navigate, useLocation } from '../router';
import { LoginScreen, SetupScreen } from './AuthScreens';

/** The current session, re-rendering on change. */
export function useSession(): Session {
  return useSyncExternalStore(subscribeSession, getSession);
}

/** Where to go after signing in: a same-origin path, never back to a sign-in screen. */
export function safeNext(next: string | null): string {
  if (!next || next === '/' || !next.startsWith('/') || next.startsWith('//')) return '/workflows';
  if (next.startsWith('/login') || next.startsWith('/setup')) return '/workflows';
  return next;
}

export function AuthGate({ children }: { children: ReactNode }) {
  const session = useSession();
  const { path, query } = useLocation();
  const [setupRequired, setSetupRequired] = useState<boolean | null>(null);
  const [restoring, setRestoring] = useState(true);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const required = await fetchSetupRequired();
        if (!live) return;
        setSetupRequired(required);
        const { accessToken, refreshToken } = getSession();
        if (!required && !accessToken && refreshToken) await refreshSession();
      } catch (failure) {
        if (live) setError(messageOf(failure));
      } finally {
        if (live) setRestoring(false);
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => keepSessionFresh(), []);

  const onAuthScreen = path === '/login' || path === '/setup';
  const search = query.toString();
  const here = path + (search ? `?${search}` : '');
  const next = query.get('next');

  useEffect(() => {
    if (restoring || setupRequired === null) return;
    if (session.user) {
      if (onAuthScreen) navigate(safeNext(next), true);
    } else if (setupRequired) {
      if (path !== '/setup') navigate(`/setup?next=${encodeURIComponent(onAuthScreen ? safeNext(next) : here)}`, true);
    } else if (path !== '/login') {
      navigate(`/login?next=${encodeURIComponent(onAuthScreen ? safeNext(next) : here)}`, true);
    }
  }, [restoring, setupRequired, session.user, onAuthScreen, path, here, next]);

  if (error) {
    return (
      <div className="auth-screen">
        <div className="auth-card">
          <h1>Weft</h1>
          <p className="error" role="alert">{error}</p>
          <button
            type="button"
            // Starting over is what a reload does: ask the server again, restore the session.
            onClick={() => window.location.reload()}
          >
            Try again
          </button>
        </div>
      </div>
    );
  }
  if (session.user) return <>{children}</>;
  if (!restoring && setupRequired && path === '/setup') return <SetupScreen onDone={() => setSetupRequired(false)} />;
  if (!restoring && !setupRequired && path === '/login') return <LoginScreen />;
  return <p className="loading">Loading…</p>;
}
