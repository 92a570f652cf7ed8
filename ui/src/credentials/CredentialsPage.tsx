/** The credentials page: metadata of every credential; create, edit, test and delete (editors and up). */
import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import { toApiError } from '../api/errors';
import { CREDENTIALS, DELETE_CREDENTIAL, type CredentialMeta, type CredentialTypeInfo } from '../api/people';
import { canEdit } from '../api/session';
import { useSession } from '../auth/AuthGate';
import { useNotify } from '../ui/notices';
import { actorLabel } from '../users/actors';
import { usePeople } from '../users/usePeople';
import { CredentialDialog } from './CredentialDialog';
import { CredentialTestDialog } from './CredentialTestDialog';

type Open = { kind: 'create' } | { kind: 'edit'; credential: CredentialMeta } | { kind: 'test'; credential: CredentialMeta } | null;

export default function CredentialsPage() {
  const { user } = useSession();
  const editable = canEdit(user?.role ?? null);
  const people = usePeople();
  const notify = useNotify();
  const client = useClient();
  const [open, setOpen] = useState<Open>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [result, refetch] = useQuery<{ credentials: CredentialMeta[]; credentialTypes: CredentialTypeInfo[] }>({
    query: CREDENTIALS,
    requestPolicy: 'cache-and-network',
  });
  const types = result.data?.credentialTypes ?? [];
  const typeName = (id: string) => types.find((t) => t.id === id)?.displayName ?? id;
  const credentials = result.data?.credentials ?? [];
  const reload = () => refetch({ requestPolicy: 'network-only' });

  async function remove(credential: CredentialMeta) {
    if (!window.confirm(`Delete the credential “${credential.name}”? Nodes using it stop working, and its stored secrets are destroyed for good.`)) return;
    setBusy(`Deleting ${credential.name}…`);
    const response = await client.mutation(DELETE_CREDENTIAL, { id: credential.id }).toPromise();
    setBusy(null);
    if (response.error) notify('error', toApiError(response.error).message);
    else notify('info', `${credential.name} was deleted.`);
    reload();
  }

  const who = (actor: string) => actorLabel(actor, people);
  return (
    <section className="credentials">
      <div className="toolbar">
        <h1>Credentials</h1>
        {busy && <span className="progress">{busy}</span>}
        {editable && (
          <button type="button" className="primary" disabled={types.length === 0} onClick={() => setOpen({ kind: 'create' })}>
            Create credential
          </button>
        )}
      </div>
      <p className="muted">Secrets are encrypted when saved and never shown again, not even to you.</p>
      {result.error && <p className="error" role="alert">{toApiError(result.error).message}</p>}
      {result.fetching && !result.data && <p className="loading">Loading credentials…</p>}
      {result.data && credentials.length === 0 && (
        <p className="empty">No credentials yet.{editable ? ' Create one to let nodes sign in to other services.' : ''}</p>
      )}
      {credentials.length > 0 && (
        <table className="list">
          <thead>
            <tr><th>Name</th><th>Type</th><th>Created</th><th>Updated</th><th aria-label="Actions" /></tr>
          </thead>
          <tbody>
            {credentials.map((credential) => (
              <tr key={credential.id} data-testid="credential-row">
                <td>
                  <strong>{credential.name}</strong>
                  {credential.secretFields.length > 0 && (
                    <div className="muted">Secret set: {credential.secretFields.join(', ')}</div>
                  )}
                </td>
                <td>{typeName(credential.type)}</td>
                <td title={credential.createdAt}>{new Date(credential.createdAt).toLocaleString()} · {who(credential.createdBy)}</td>
                <td title={credential.updatedAt}>{new Date(credential.updatedAt).toLocaleString()} · {who(credential.updatedBy)}</td>
                <td className="actions">
                  {editable && (
                    <>
                      <button type="button" aria-label={`Test ${credential.name}`} onClick={() => setOpen({ kind: 'test', credential })}>Test</button>
                      <button type="button" aria-label={`Edit ${credential.name}`} onClick={() => setOpen({ kind: 'edit', credential })}>Edit</button>
                      <button type="button" aria-label={`Delete ${credential.name}`} disabled={busy !== null} onClick={() => remove(credential)}>Delete</button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(open?.kind === 'create' || open?.kind === 'edit') && (
        <CredentialDialog
          key={open.kind === 'edit' ? open.credential.id : 'new'}
          types={types}
          credential={open.kind === 'edit' ? open.credential : null}
          onClose={() => setOpen(null)}
          onSaved={(saved, created) => {
            setOpen(null);
            notify('info', `${saved.name} was ${created ? 'created' : 'saved'}.`);
            reload();
          }}
        />
      )}
      {open?.kind === 'test' && (
        <CredentialTestDialog credential={open.credential} typeName={typeName(open.credential.type)} onClose={() => setOpen(null)} />
      )}
    </section>
  );
}
