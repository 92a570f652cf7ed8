/** The signed-in user's own page: who they are, their password, and their API keys (every role). */
import { useState } from 'react';
import { useClient } from 'urql';
import { toApiError } from '../api/errors';
import { CHANGE_PASSWORD } from '../api/people';
import { useSession } from '../auth/AuthGate';
import { useNotify } from '../ui/notices';
import { ApiKeys } from './ApiKeys';

export default function AccountPage() {
  const { user } = useSession();
  return (
    <section className="account">
      <div className="toolbar"><h1>Your account</h1></div>
      {user && <p>Signed in as <strong>{user.email}</strong> ({user.role}).</p>}
      <ChangePassword />
      <ApiKeys />
    </section>
  );
}

function ChangePassword() {
  const client = useClient();
  const notify = useNotify();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    if (!current) return setError('Enter your current password.');
    if (next.length < 8) return setError('The new password needs at least 8 characters.');
    if (next !== confirm) return setError('The new passwords do not match.');
    setBusy(true);
    setError(null);
    const response = await client.mutation(CHANGE_PASSWORD, { currentPassword: current, newPassword: next }).toPromise();
    setBusy(false);
    if (response.error) {
      setError(toApiError(response.error).message);
      return;
    }
    setCurrent('');
    setNext('');
    setConfirm('');
    notify('info', 'Your password was changed.');
  }

  return (
    <form
      className="password-form"
      aria-label="Change password"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2>Change password</h2>
      <label>Current password<input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} /></label>
      <label>New password<input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} /></label>
      <label>Confirm new password<input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} /></label>
      {error && <p className="error" role="alert">{error}</p>}
      <div><button type="submit" disabled={busy}>{busy ? 'Changing…' : 'Change password'}</button></div>
    </form>
  );
}
