/** The first-start owner setup screen and the sign-in screen. */
import { useState, type FormEvent } from 'react';
import { login, setupOwner } from '../api/auth';
import { ApiError, messageOf } from '../api/errors';

function Field({ label, type, value, onChange, autoComplete }: {
  label: string;
  type: string;
  value: string;
  onChange: (value: string) => void;
  autoComplete: string;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input type={type} value={value} required autoComplete={autoComplete} onChange={(event) => onChange(event.target.value)} />
    </label>
  );
}

/** Signs in with email and password. */
export function LoginScreen() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password);
    } catch (failure) {
      setError(failure instanceof ApiError && failure.code === 'UNAUTHENTICATED'
        ? 'Wrong email or password.'
        : messageOf(failure));
      setBusy(false);
    }
  }

  return (
    <div className="auth-screen">
      <form className="auth-card" aria-label="Sign in" onSubmit={submit}>
        <h1>Sign in to Weft</h1>
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" />
        <Field label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" />
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </div>
  );
}

/** Creates the instance owner on first start. */
export function SetupScreen({ onDone }: { onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== confirm) {
      setError('The passwords do not match.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await setupOwner(email.trim(), password);
      onDone();
    } catch (failure) {
      setError(messageOf(failure));
      setBusy(false);
    }
  }

  return (
    <div className="auth-screen">
      <form className="auth-card" aria-label="Set up Weft" onSubmit={submit}>
        <h1>Welcome to Weft</h1>
        <p>Create the owner account for this instance.</p>
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" />
        <Field label="Password" type="password" value={password} onChange={setPassword} autoComplete="new-password" />
        <Field label="Confirm password" type="password" value={confirm} onChange={setConfirm} autoComplete="new-password" />
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Creating…' : 'Create owner'}</button>
      </form>
    </div>
  );
}
