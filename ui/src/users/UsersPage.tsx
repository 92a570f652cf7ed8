/**
 * The users page (owners and admins): every user with role and status, create a user, change a
 * role, disable and enable; then the signed-in user's API keys. Other roles see why they cannot
 * (the server refuses them with FORBIDDEN anyway).
 */
import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import { toApiError } from '../api/errors';
import { CHANGE_USER_ROLE, CREATE_USER, DISABLE_USER, ENABLE_USER, USERS, type UserRow } from '../api/people';
import { canAdminister } from '../api/session';
import { useSession } from '../auth/AuthGate';
import { useNotify } from '../ui/notices';
import { ApiKeys } from './ApiKeys';

/** Roles a user can be given (there is only ever one owner). */
export const ASSIGNABLE_ROLES = ['ADMIN', 'EDITOR', 'VIEWER'] as const;

const ROLE_HELP: Record<string, string> = {
  ADMIN: 'Admin: edits workflows and manages users',
  EDITOR: 'Editor: edits and runs workflows, uses credentials',
  VIEWER: 'Viewer: looks only',
};

export default function UsersPage() {
  const { user } = useSession();
  if (!canAdminister(user?.role ?? null)) {
    return (
      <div className="empty">
        <h1>Users</h1>
        <p>Only the owner and admins manage users.</p>
      </div>
    );
  }
  return (
    <section className="users">
      <UserList myId={user!.id} />
      <ApiKeys />
    </section>
  );
}

function UserList({ myId }: { myId: string }) {
  const client = useClient();
  const notify = useNotify();
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [result, refetch] = useQuery<{ users: UserRow[] }>({ query: USERS, requestPolicy: 'cache-and-network' });
  const users = result.data?.users ?? [];

  async function run(label: string, mutation: typeof USERS, variables: object, done: string) {
    setBusy(label);
    const response = await client.mutation(mutation, variables).toPromise();
    setBusy(null);
    if (response.error) notify('error', toApiError(response.error).message);
    else notify('info', done);
    refetch({ requestPolicy: 'network-only' });
  }

  return (
    <>
      <div className="toolbar">
        <h1>Users</h1>
        {busy && <span className="progress">{busy}</span>}
        <button type="button" className="primary" onClick={() => setCreating(true)}>Create user</button>
      </div>
      {result.error && <p className="error" role="alert">{toApiError(result.error).message}</p>}
      {result.fetching && !result.data && <p className="loading">Loading users…</p>}
      {users.length > 0 && (
        <table className="list">
          <thead>
            <tr><th>Email</th><th>Role</th><th>Status</th><th aria-label="Actions" /></tr>
          </thead>
          <tbody>
            {users.map((row) => {
              const fixed = row.role === 'OWNER' || row.id === myId;
              return (
                <tr key={row.id} data-testid="user-row">
                  <td>{row.email}{row.id === myId && <span className="muted"> (you)</span>}</td>
                  <td>
                    {fixed ? (
                      <span className={`role-badge role-${row.role.toLowerCase()}`}>{row.role.toLowerCase()}</span>
                    ) : (
                      <select
                        aria-label={`Role of ${row.email}`}
                        value={row.role}
                        disabled={busy !== null}
                        onChange={(event) => run('Changing role…', CHANGE_USER_ROLE, { id: row.id, role: event.target.value }, `${row.email} is now ${event.target.value.toLowerCase()}.`)}
                      >
                        {ASSIGNABLE_ROLES.map((role) => <option key={role} value={role}>{role.toLowerCase()}</option>)}
                      </select>
                    )}
                  </td>
                  <td>{row.disabled ? <span className="badge disabled">disabled</span> : 'Active'}</td>
                  <td className="actions">
                    {!fixed && (row.disabled ? (
                      <button type="button" aria-label={`Enable ${row.email}`} disabled={busy !== null} onClick={() => run('Enabling…', ENABLE_USER, { id: row.id }, `${row.email} can sign in again.`)}>Enable</button>
                    ) : (
                      <button
                        type="button"
                        aria-label={`Disable ${row.email}`}
                        disabled={busy !== null}
                        onClick={() => window.confirm(`Disable ${row.email}? They are signed out and their API keys stop working.`) && run('Disabling…', DISABLE_USER, { id: row.id }, `${row.email} is disabled.`)}
                      >
                        Disable
                      </button>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {creating && (
        <CreateUserDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            notify('info', `${created.email} was created as ${created.role.toLowerCase()}.`);
            refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
    </>
  );
}

function CreateUserDialog({ onClose, onCreated }: { onClose(): void; onCreated(user: UserRow): void }) {
  const client = useClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<string>('EDITOR');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
      setError('Enter the email address the user signs in with.');
      return;
    }
    if (password.length < 8) {
      setError('The password needs at least 8 characters.');
      return;
    }
    setBusy(true);
    setError(null);
    const response = await client.mutation(CREATE_USER, { email: email.trim(), password, role }).toPromise();
    setBusy(false);
    if (response.error) setError(toApiError(response.error).message);
    else onCreated((response.data as { createUser: UserRow }).createUser);
  }

  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <form
        className="dialog"
        role="dialog"
        aria-label="Create user"
        autoComplete="off"
        onClick={(event) => event.stopPropagation()}
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h2>Create user</h2>
        <label>
          Email
          <input type="email" value={email} onChange={(event) => setEmail(event.target.value)} autoFocus />
        </label>
        <label>
          Initial password
          <input type="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(event) => setRole(event.target.value)}>
            {ASSIGNABLE_ROLES.map((r) => <option key={r} value={r}>{ROLE_HELP[r]}</option>)}
          </select>
        </label>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>{busy ? 'Creating…' : 'Create user'}</button>
        </div>
      </form>
    </div>
  );
}
