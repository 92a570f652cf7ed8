import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authFetch, keepSessionFresh, refreshSession, REFRESH_MARGIN_MS, toRole } from './auth';
import { getSession, REFRESH_TOKEN_KEY, setSession } from './session';

interface Call {
  url: string;
  authorization: string | null;
  body: { query: string; variables: Record<string, unknown> } | null;
}

let calls: Call[];
let answers: ((call: Call) => Response)[];

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

function payload(n: number, expiresAt = '2030-01-01T00:00:00Z') {
  return {
    accessToken: `access-${n}`,
    accessTokenExpiresAt: expiresAt,
    refreshToken: `refresh-${n}`,
    refreshTokenExpiresAt: '2030-02-01T00:00:00Z',
    user: { id: 'u1', email: 'owner@example.com', role: 'OWNER' },
  };
}

const unauthenticated = () => json({ data: null, errors: [{ message: 'sign in', extensions: { code: 'UNAUTHENTICATED' } }] });

beforeEach(() => {
  calls = [];
  answers = [];
  localStorage.clear();
  setSession(null);
  vi.stubGlobal('fetch', vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const call: Call = {
      url: String(input),
      authorization: headers.get('Authorization'),
      body: init?.body ? JSON.parse(String(init.body)) : null,
    };
    calls.push(call);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected request ${call.body?.query}`);
    // Lets concurrent callers start before the answer arrives.
    await Promise.resolve();
    return answer(call);
  }));
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('refreshSession', () => {
  it('exchanges the refresh token once for concurrent callers, keeping only the refresh token in storage', async () => {
    setSession({ accessToken: 'access-0', accessTokenExpiresAt: null, refreshToken: 'refresh-0', user: null });
    answers.push(() => json({ data: { refreshToken: payload(1) } }));

    const results = await Promise.all([refreshSession(), refreshSession(), refreshSession()]);

    expect(results).toEqual([true, true, true]);
    expect(calls).toHaveLength(1);
    expect(calls[0].body?.variables).toEqual({ token: 'refresh-0' });
    expect(getSession()).toMatchObject({
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      accessTokenExpiresAt: Date.parse('2030-01-01T00:00:00Z'),
      user: { id: 'u1', email: 'owner@example.com', role: 'owner' },
    });
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-1');
    expect(JSON.stringify({ ...localStorage })).not.toContain('access-1');
  });

  it('signs out when the server rejects the refresh token', async () => {
    setSession({ accessToken: 'access-0', accessTokenExpiresAt: null, refreshToken: 'used', user: null });
    answers.push(unauthenticated);

    expect(await refreshSession()).toBe(false);
    expect(getSession()).toMatchObject({ accessToken: null, refreshToken: null, user: null });
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
  });

  it('keeps the session when the server cannot be reached', async () => {
    setSession({ accessToken: 'access-0', accessTokenExpiresAt: null, refreshToken: 'refresh-0', user: null });
    answers.push(() => {
      throw new TypeError('Failed to fetch');
    });

    await expect(refreshSession()).rejects.toMatchObject({ code: 'NETWORK' });
    expect(getSession().refreshToken).toBe('refresh-0');
  });

  it('does nothing without a refresh token', async () => {
    expect(await refreshSession()).toBe(false);
    expect(calls).toHaveLength(0);
  });
});

describe('authFetch', () => {
  it('sends the access token as a bearer token', async () => {
    setSession({ accessToken: 'access-0', accessTokenExpiresAt: null, refreshToken: 'refresh-0', user: null });
    answers.push(() => json({ data: { workflows: [] } }));

    const response = await authFetch('/graphql', { method: 'POST', body: '{"query":"{ workflows }"}' });

    expect(await response.json()).toEqual({ data: { workflows: [] } });
    expect(calls.map((c) => c.authorization)).toEqual(['Bearer access-0']);
  });

  it('on UNAUTHENTICATED refreshes and retries once with the new token', async () => {
    setSession({ accessToken: 'expired', accessTokenExpiresAt: null, refreshToken: 'refresh-0', user: null });
    answers.push(unauthenticated);
    answers.push(() => json({ data: { refreshToken: payload(1) } }));
    answers.push(() => json({ data: { workflows: [] } }));

    const response = await authFetch('/graphql', { method: 'POST', headers: { Authorization: 'Bearer expired' }, body: '{"query":"{ workflows }"}' });

    expect(await response.json()).toEqual({ data: { workflows: [] } });
    expect(calls.map((c) => c.authorization)).toEqual(['Bearer expired', null, 'Bearer access-1']);
  });

  it('returns the UNAUTHENTICATED answer and signs out when the refresh fails', async () => {
    setSession({ accessToken: 'expired', accessTokenExpiresAt: null, refreshToken: 'revoked', user: null });
    answers.push(unauthenticated);
    answers.push(unauthenticated);

    const response = await authFetch('/graphql', { method: 'POST', body: '{"query":"{ workflows }"}' });

    expect((await response.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(calls).toHaveLength(2);
    expect(getSession().user).toBeNull();
  });

  it('does not retry other errors', async () => {
    setSession({ accessToken: 'access-0', accessTokenExpiresAt: null, refreshToken: 'refresh-0', user: null });
    answers.push(() => json({ data: null, errors: [{ message: 'viewers cannot edit', extensions: { code: 'FORBIDDEN' } }] }));

    await authFetch('/graphql', { method: 'POST', body: '{}' });

    expect(calls).toHaveLength(1);
    expect(getSession().refreshToken).toBe('refresh-0');
  });
});

describe('keepSessionFresh', () => {
  it('refreshes shortly before the access token expires, then reschedules for the new one', async () => {
    vi.useFakeTimers({ now: Date.parse('2030-01-01T00:00:00Z') });
    setSession({
      accessToken: 'access-0',
      accessTokenExpiresAt: Date.parse('2030-01-01T00:05:00Z'),
      refreshToken: 'refresh-0',
      user: { id: 'u1', email: 'owner@example.com', role: 'owner' },
    });
    answers.push(() => json({ data: { refreshToken: payload(1, '2030-01-01T00:10:00Z') } }));
    answers.push(() => json({ data: { refreshToken: payload(2, '2030-01-01T00:15:00Z') } }));
    const stop = keepSessionFresh();

    await vi.advanceTimersByTimeAsync(5 * 60_000 - REFRESH_MARGIN_MS - 1);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    expect(getSession().accessToken).toBe('access-1');

    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(calls).toHaveLength(2);
    expect(getSession().accessToken).toBe('access-2');

    stop();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(calls).toHaveLength(2);
  });
});

describe('toRole', () => {
  it('maps API roles and gives unknown roles the least rights', () => {
    expect(['OWNER', 'ADMIN', 'EDITOR', 'VIEWER', 'ROOT'].map(toRole)).toEqual(['owner', 'admin', 'editor', 'viewer', 'viewer']);
  });
});

describe('refresh across tabs', () => {
  it('uses the refresh token another tab stored after rotating it', async () => {
    setSession({ accessToken: 'access-0', accessTokenExpiresAt: null, refreshToken: 'refresh-0', user: null });
    // Another tab refreshed meanwhile: refresh-0 is used up, refresh-9 is current.
    localStorage.setItem(REFRESH_TOKEN_KEY, 'refresh-9');
    answers.push(() => json({ data: { refreshToken: payload(10) } }));

    expect(await refreshSession()).toBe(true);
    expect(calls[0].body?.variables).toEqual({ token: 'refresh-9' });
  });
});
