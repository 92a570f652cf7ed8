/**
 * The credentials page: metadata of every credential; create, edit, test and delete (editors and
 * up). The open dialog is in the URL (`?new=TYPE`, `?edit=ID`, `?test=ID`), so it deep-links and
 * back closes it; `&back=PATH` returns there afterwards (node details link here to create one).
 */
import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import { toApiError } from '../api/errors';
import { CREDENTIALS, DELETE_CREDENTIAL, type CredentialMeta, type CredentialTypeInfo } from '../api/people';
import { canEdit } from '../api/session';
import { safeNext, useSession } from '../auth/AuthGate';
import { navigate, useLocation } from '../router';
import { useNotify } from '../ui/notices';
import { actorLabel } from '../users/actors';
import { usePeople } from '../users/usePeople';
import { CredentialDialog } from './CredentialDialog';
import { CredentialTestDialog } from './CredentialTestDialog';

type Open = { kind: 'create'; type: string } | { kind: 'edit'; credential: CredentialMeta } | { kind: 'test'; credential: CredentialMeta } | null;

/** Opens a dialog (or none) by URL. */
function show(params: Record<string, string> | null) {
  navigate(`/credentials${params ? `?${new URLSearchParams(params)}` : ''}`);
}

export default function CredentialsPage() {
  const { user } = useSession();
  const editable = canEdit(user?.role ?? null);
  const people = usePeople();
  const notify = useNotify();
  const client = useClient();
  const { query } = useLocation();
  const [busy, setBusy] = useState<string | null>(null);
  const [result, refetch] = useQuery<{ credentials: CredentialMeta[]; credentialTypes: CredentialTypeInfo[] }>({
    query: CREDENTIALS,
    requestPolicy: 'cache-and-network',
  });
  const types = result.data?.credentialTypes ?? [];
  const typeName = (id: string) => types.find((t) => t.id === id)?.displayName ?? id;
  const credentials = result.data?.credentials ?? [];
  const reload = () => refetch({ requestPolicy: 'network-only' });

  const back = query.get('back');
  const editId = query.get('edit');
  const testId = query.get('test');
  const newType = query.get('new');
  const asked = editId ?? testId;
  const found = asked ? credentials.find((c) => c.id === asked) : undefined;
  // Dialogs open once the types and credentials are loaded (the form is built from them).
  const open: Open =
    !result.data || !editable ? null
      : newType !== null ? { kind: 'create', type: newType }
        : editId && found ? { kind: 'edit', credential: found }
          : testId && found ? { kind: 'test', credential: found }
            : null;
  const missing = asked && result.data && !found;
  const close = () => (back ? navigate(safeNext(back)) : show(null));

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
          <button type="button" className="primary" disabled={types.length === 0} onClick={() => show({ new: '' })}>
            Create credential
          </button>
        )}
      </div>
      <p className="muted">Secrets are encrypted when saved and never shown again, not even to you.</p>
      {result.error && <p className="error" role="alert">{toApiError(result.error).message}</p>}
      {missing && <p className="error" role="alert">There is no credential with the id {asked}: it may have been deleted.</p>}
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
                      <button type="button" aria-label={`Test ${credential.name}`} onClick={() => show({ test: credential.id })}>Test</button>
                      <button type="button" aria-label={`Edit ${credential.name}`} onClick={() => show({ edit: credential.id })}>Edit</button>
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
          initialType={open.kind === 'create' ? open.type : undefined}
          onClose={close}
          onSaved={(saved, created) => {
            close();
            notify('info', `${saved.name} was ${created ? 'created' : 'saved'}.`);
            reload();
          }}
        />
      )}
      {open?.kind === 'test' && (
        <CredentialTestDialog credential={open.credential} typeName={typeName(open.credential.type)} onClose={close} />
      )}
    </section>
  );
}
