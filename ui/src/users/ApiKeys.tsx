/** The signed-in user's API keys: create (the key is shown once, with copy), list, revoke. */
import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import { toApiError } from '../api/errors';
import { API_KEYS, CREATE_API_KEY, REVOKE_API_KEY, type ApiKeyRow } from '../api/people';
import { useNotify } from '../ui/notices';

interface NewKey {
  id: string;
  name: string;
  key: string;
}

export function ApiKeys() {
  const client = useClient();
  const notify = useNotify();
  const [result, refetch] = useQuery<{ apiKeys: ApiKeyRow[] }>({ query: API_KEYS, requestPolicy: 'cache-and-network' });
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<NewKey | null>(null);
  const [copied, setCopied] = useState(false);
  const keys = result.data?.apiKeys ?? [];
  const reload = () => refetch({ requestPolicy: 'network-only' });

  async function create() {
    if (!name.trim()) {
      setError('Give the key a name, e.g. the program that will use it.');
      return;
    }
    setBusy(true);
    setError(null);
    const response = await client.mutation(CREATE_API_KEY, { name: name.trim() }).toPromise();
    setBusy(false);
    if (response.error) {
      setError(toApiError(response.error).message);
      return;
    }
    setCreated((response.data as { createApiKey: NewKey }).createApiKey);
    setCopied(false);
    setName('');
    reload();
  }

  async function revoke(key: ApiKeyRow) {
    if (!window.confirm(`Revoke the API key “${key.name}”? Programs using it are refused from now on.`)) return;
    const response = await client.mutation(REVOKE_API_KEY, { id: key.id }).toPromise();
    if (response.error) notify('error', toApiError(response.error).message);
    else notify('info', `${key.name} was revoked.`);
    reload();
  }

  async function copy(key: string) {
    try {
      await navigator.clipboard.writeText(key);
      setCopied(true);
    } catch {
      notify('error', 'The browser did not allow copying: select the key and copy it by hand.');
    }
  }

  return (
    <section className="api-keys" aria-label="Your API keys">
      <h2>Your API keys</h2>
      <p className="muted">Programs and the <code>weft</code> CLI send a key in the <code>X-API-Key</code> header (or <code>WEFT_API_KEY</code>); it acts with your role.</p>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <input aria-label="API key name" placeholder="Key name, e.g. deploy script" value={name} onChange={(event) => setName(event.target.value)} />
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Creating…' : 'Create API key'}</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {created && (
        <div className="new-key" role="status" aria-label="New API key">
          <p><strong>{created.name}</strong>: copy the key now. It is shown only this once and cannot be read back.</p>
          <div className="new-key-row">
            <input readOnly value={created.key} aria-label="New API key value" onFocus={(event) => event.target.select()} />
            <button type="button" onClick={() => copy(created.key)}>{copied ? 'Copied' : 'Copy'}</button>
            <button type="button" onClick={() => setCreated(null)}>Done</button>
          </div>
        </div>
      )}
      {result.error && <p className="error" role="alert">{toApiError(result.error).message}</p>}
      {result.data && keys.length === 0 && <p className="empty">No API keys yet.</p>}
      {keys.length > 0 && (
        <table className="list">
          <thead>
            <tr><th>Name</th><th>Created</th><th>Status</th><th aria-label="Actions" /></tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id} data-testid="api-key-row">
                <td>{key.name}</td>
                <td title={key.createdAt}>{new Date(key.createdAt).toLocaleString()}</td>
                <td>{key.revokedAt ? <span title={key.revokedAt}>Revoked {new Date(key.revokedAt).toLocaleString()}</span> : 'Active'}</td>
                <td className="actions">
                  {!key.revokedAt && <button type="button" aria-label={`Revoke ${key.name}`} onClick={() => revoke(key)}>Revoke</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
