import { render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '../api/session';
import { AuthGate, safeNext } from './AuthGate';

function answerSetupRequired(required: boolean) {
  vi.stubGlobal('fetch', vi.fn(async () => new Response(
    JSON.stringify({ data: { authStatus: { setupRequired: required } } }),
    { headers: { 'content-type': 'application/json' } },
  )));
}

beforeEach(() => {
  localStorage.clear();
  setSession(null);
  window.history.replaceState(null, '', '/executions?status=FAILED');
});

afterEach(() => vi.unstubAllGlobals());

describe('AuthGate', () => {
  it('sends a signed-out user to sign-in, remembering the deep link', async () => {
    answerSetupRequired(false);
    render(<AuthGate><p>secret</p></AuthGate>);
    await screen.findByRole('heading', { name: 'Sign in to Weft' });
    expect(window.location.pathname).toBe('/login');
    expect(new URLSearchParams(window.location.search).get('next')).toBe('/executions?status=FAILED');
    expect(screen.queryByText('secret')).toBeNull();
  });

  it('sends everyone to owner setup while the instance has no owner', async () => {
    answerSetupRequired(true);
    render(<AuthGate><p>secret</p></AuthGate>);
    await screen.findByRole('heading', { name: 'Welcome to Weft' });
    expect(window.location.pathname).toBe('/setup');
  });

  it('shows the app to a signed-in user', async () => {
    answerSetupRequired(false);
    setSession({ accessToken: 'a', accessTokenExpiresAt: null, refreshToken: 'r', user: { id: 'u', email: 'e@x', role: 'viewer' } });
    render(<AuthGate><p>secret</p></AuthGate>);
    await waitFor(() => expect(screen.getByText('secret')).toBeInTheDocument());
    expect(window.location.pathname).toBe('/executions');
  });
});

describe('safeNext', () => {
  it('only follows same-origin paths that are not sign-in screens', () => {
    expect(safeNext('/workflows/w1?tab=x')).toBe('/workflows/w1?tab=x');
    expect(safeNext('https://evil.example/')).toBe('/workflows');
    expect(safeNext('//evil.example/')).toBe('/workflows');
    expect(safeNext('/login?next=/x')).toBe('/workflows');
    expect(safeNext(null)).toBe('/workflows');
  });
});
