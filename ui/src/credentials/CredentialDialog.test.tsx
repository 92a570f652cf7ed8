import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { Provider, type Client } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import type { CredentialMeta, CredentialTypeInfo } from '../api/people';
import { CredentialDialog } from './CredentialDialog';

const basic: CredentialTypeInfo = {
  id: 'httpBasicAuth',
  displayName: 'Basic Auth',
  fields: [
    { name: 'user', kind: 'string', secret: false, required: true },
    { name: 'password', kind: 'string', secret: true, required: true },
  ],
};
const stored: CredentialMeta = {
  id: 'c1', name: 'Partner API', type: 'httpBasicAuth', data: { user: 'ada' }, secretFields: ['password'],
  createdAt: '2026-11-27T10:00:00Z', createdBy: 'user:a', updatedAt: '2026-11-27T10:00:00Z', updatedBy: 'user:a',
};

function fakeClient() {
  const mutation = vi.fn((_query: unknown, variables: Record<string, unknown>) => ({
    toPromise: async () => ({ data: { updateCredential: { ...stored, name: variables.name }, createCredential: { ...stored, id: 'c2', name: variables.name } } }),
  }));
  return { client: { mutation } as unknown as Client, mutation };
}

describe('CredentialDialog', () => {
  it('edits without showing the stored secret, and an empty secret keeps it', async () => {
    const { client, mutation } = fakeClient();
    const onSaved = vi.fn();
    render(
      <Provider value={client}>
        <CredentialDialog types={[basic]} credential={stored} onClose={() => undefined} onSaved={onSaved} />
      </Provider>,
    );
    const password = screen.getByPlaceholderText(/Unchanged: leave empty to keep/) as HTMLInputElement;
    expect(password.value).toBe('');
    expect(password.type).toBe('password');
    expect((screen.getByDisplayValue('ada') as HTMLInputElement).value).toBe('ada');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(mutation.mock.calls[0][1]).toEqual({ id: 'c1', name: 'Partner API', data: { user: 'ada' } });
  });

  it('refuses to create without the required fields and names them', async () => {
    const { client, mutation } = fakeClient();
    render(
      <Provider value={client}>
        <CredentialDialog types={[basic]} credential={null} onClose={() => undefined} onSaved={() => undefined} />
      </Provider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText('Give the credential a name.')).toBeInTheDocument();
    expect(screen.getByText('User is required.')).toBeInTheDocument();
    expect(screen.getByText('Password is required.')).toBeInTheDocument();
    expect(mutation).not.toHaveBeenCalled();
  });
});
