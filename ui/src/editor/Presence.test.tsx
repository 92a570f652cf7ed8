import { act, render, screen } from '@testing-library/react';
import { Provider, type Client } from 'urql';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '../api/session';
import { Presence } from './Presence';

type Listener = (result: { data?: unknown }) => void;

function fakeClient() {
  let listener: Listener | null = null;
  const unsubscribe = vi.fn();
  const client = {
    subscription: vi.fn(() => ({
      subscribe(next: Listener) {
        listener = next;
        return { unsubscribe };
      },
    })),
  } as unknown as Client;
  return { client, unsubscribe, push: (actors: string[], users: { id: string; email: string; role: string }[] = []) =>
    act(() => listener?.({ data: { workflowPresence: { workflowId: 'w1', actors, users } } })) };
}

beforeEach(() => {
  setSession({ accessToken: 't', accessTokenExpiresAt: null, refreshToken: null, user: { id: 'me', email: 'me@example.com', role: 'editor' } });
});

describe('Presence', () => {
  it('shows the others live, never the signed-in user, and stops listening on unmount', () => {
    const { client, push, unsubscribe } = fakeClient();
    const view = render(<Provider value={client}><Presence workflowId="w1" /></Provider>);
    expect(client.subscription).toHaveBeenCalledWith(expect.anything(), { workflowId: 'w1' });
    push(['user:me']);
    expect(screen.queryAllByTestId('presence-avatar')).toHaveLength(0);
    // An editor may not list users; the subscription names the others anyway.
    push(['user:ada', 'user:me'], [
      { id: 'ada', email: 'ada.lovelace@example.com', role: 'OWNER' },
      { id: 'me', email: 'me@example.com', role: 'EDITOR' },
    ]);
    const avatar = screen.getByTestId('presence-avatar');
    expect(avatar).toHaveAttribute('data-actor', 'user:ada');
    expect(avatar).toHaveTextContent('AL');
    expect(avatar).toHaveAttribute('title', 'ada.lovelace@example.com (Owner) has this workflow open');
    // Someone the server could not name keeps their actor.
    push(['user:me', 'user:zed']);
    expect(screen.getByTestId('presence-avatar')).toHaveAttribute('title', 'user:zed has this workflow open');
    push(['user:me']);
    expect(screen.queryAllByTestId('presence-avatar')).toHaveLength(0);
    view.unmount();
    expect(unsubscribe).toHaveBeenCalled();
  });
});
