/**
 * A small history router: the URL is the state (deep links and back/forward work), routes are
 * matched from the path, query parameters carry panel state.
 */
import { useSyncExternalStore } from 'react';

/** A matched screen. */
export type Route =
  | { name: 'workflows' }
  | { name: 'editor'; workflowId: string }
  | { name: 'versions'; workflowId: string }
  | { name: 'executions' }
  | { name: 'execution'; executionId: string }
  | { name: 'credentials' }
  | { name: 'users' }
  | { name: 'account' }
  | { name: 'login' }
  | { name: 'setup' }
  | { name: 'notFound'; path: string };

/** Matches a path to a route. */
export function matchRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'workflows')) return { name: 'workflows' };
  if (parts[0] === 'workflows' && parts.length === 2) return { name: 'editor', workflowId: parts[1] };
  if (parts[0] === 'workflows' && parts.length === 3 && parts[2] === 'versions') {
    return { name: 'versions', workflowId: parts[1] };
  }
  if (parts.length === 1 && parts[0] === 'executions') return { name: 'executions' };
  if (parts.length === 1 && parts[0] === 'credentials') return { name: 'credentials' };
  if (parts.length === 1 && parts[0] === 'users') return { name: 'users' };
  if (parts.length === 1 && parts[0] === 'account') return { name: 'account' };
  if (parts.length === 1 && parts[0] === 'login') return { name: 'login' };
  if (parts.length === 1 && parts[0] === 'setup') return { name: 'setup' };
  if (parts[0] === 'executions' && parts.length === 2) return { name: 'execution', executionId: parts[1] };
  return { name: 'notFound', path };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((listener) => listener()));

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Goes to `href` (path and query), adding a history entry unless `replace`. */
export function navigate(href: string, replace = false): void {
  if (href === window.location.pathname + window.location.search) return;
  if (replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  listeners.forEach((listener) => listener());
}

/** The current path and query, re-rendering on change. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
  const url = new URL(href, window.location.origin);
  return { path: url.pathname, query: url.searchParams };
}

/** Sets one query parameter (null removes it), replacing the history entry. */
export function setQueryParam(name: string, value: string | null, replace = true): void {
  const url = new URL(window.location.href);
  if (value === null || value === '') url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  navigate(url.pathname + url.search, replace);
}
