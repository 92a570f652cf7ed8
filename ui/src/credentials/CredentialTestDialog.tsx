/** Tests a stored credential against its service and shows what happened. */
import { useState } from 'react';
import { useClient } from 'urql';
import { toApiError } from '../api/errors';
import { TEST_CREDENTIAL, type CredentialMeta } from '../api/people';
import { testNeedsUrl } from './credentialForm';

interface Outcome {
  ok: boolean;
  message: string;
}

export function CredentialTestDialog({ credential, typeName, onClose }: { credential: CredentialMeta; typeName: string; onClose(): void }) {
  const needsUrl = testNeedsUrl(credential.type);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const client = useClient();

  async function run() {
    if (needsUrl && !/^https?:\/\/\S+$/i.test(url.trim())) {
      setError('Enter the http(s) URL to call with this credential.');
      return;
    }
    setBusy(true);
    setError(null);
    setOutcome(null);
    const response = await client
      .mutation(TEST_CREDENTIAL, { id: credential.id, url: needsUrl ? url.trim() : null })
      .toPromise();
    setBusy(false);
    if (response.error) setError(toApiError(response.error).message);
    else setOutcome((response.data as { testCredential: Outcome }).testCredential);
  }

  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <form
        className="dialog"
        role="dialog"
        aria-label={`Test credential ${credential.name}`}
        onClick={(event) => event.stopPropagation()}
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <h2>Test {credential.name}</h2>
        <p className="muted">
          {typeName}: {needsUrl ? 'calls the URL below with this credential applied (a 2xx answer passes).' : 'connects to the service with the stored values.'}
        </p>
        {needsUrl && (
          <label>
            URL to call
            <input type="url" value={url} placeholder="https://api.example.com/me" onChange={(event) => setUrl(event.target.value)} autoFocus />
          </label>
        )}
        {busy && <p className="progress">Testing…</p>}
        {outcome && (
          <p className={outcome.ok ? 'test-result ok' : 'test-result failed'} role="status" data-testid="credential-test-result">
            {outcome.ok ? 'Passed' : 'Failed'}: {outcome.message}
          </p>
        )}
        {error && <p className="error" role="alert">{error}</p>}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>Close</button>
          <button type="submit" className="primary" disabled={busy}>Run test</button>
        </div>
      </form>
    </div>
  );
}
