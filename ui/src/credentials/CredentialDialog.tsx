/**
 * Create or edit a credential with a form generated from its type's fields. A stored secret is
 * never shown: editing shows secret fields empty, and an empty secret field keeps its value.
 */
import { useState } from 'react';
import { useClient } from 'urql';
import { toApiError } from '../api/errors';
import { CREATE_CREDENTIAL, UPDATE_CREDENTIAL, type CredentialMeta, type CredentialTypeInfo } from '../api/people';
import {
  credentialData, fieldLabel, initialValues, keepsStoredSecret, validateCredential, type CredentialValues,
} from './credentialForm';

interface Props {
  types: CredentialTypeInfo[];
  /** The credential to edit; null creates one. */
  credential: CredentialMeta | null;
  /** For a new credential: the type to start with (when it exists). */
  initialType?: string;
  onClose(): void;
  onSaved(credential: CredentialMeta, created: boolean): void;
}

export function CredentialDialog({ types, credential, initialType, onClose, onSaved }: Props) {
  const [typeId, setTypeId] = useState(
    credential?.type ?? types.find((t) => t.id === initialType)?.id ?? types[0]?.id ?? '',
  );
  const type = types.find((t) => t.id === typeId);
  const [name, setName] = useState(credential?.name ?? '');
  const [values, setValues] = useState<CredentialValues>(() => (type ? initialValues(type, credential) : {}));
  const [showProblems, setShowProblems] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const client = useClient();

  const problems = type ? validateCredential(type, name, values, credential) : [];
  const problemFor = (field: string) => (showProblems ? problems.find((p) => p.field === field)?.message : undefined);

  function chooseType(id: string) {
    setTypeId(id);
    const next = types.find((t) => t.id === id);
    setValues(next ? initialValues(next, null) : {});
  }

  async function save() {
    if (!type) return;
    setShowProblems(true);
    if (problems.length > 0) return;
    setBusy(true);
    setError(null);
    const data = credentialData(type, values);
    const response = credential
      ? await client.mutation(UPDATE_CREDENTIAL, { id: credential.id, name: name.trim(), data }).toPromise()
      : await client.mutation(CREATE_CREDENTIAL, { name: name.trim(), type: type.id, data }).toPromise();
    setBusy(false);
    if (response.error) {
      setError(toApiError(response.error).message);
      return;
    }
    const saved = (response.data as { createCredential?: CredentialMeta; updateCredential?: CredentialMeta });
    onSaved((saved.createCredential ?? saved.updateCredential)!, !credential);
  }

  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <form
        className="dialog credential-dialog"
        role="dialog"
        aria-label={credential ? `Edit credential ${credential.name}` : 'Create credential'}
        onClick={(event) => event.stopPropagation()}
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
        autoComplete="off"
      >
        <h2>{credential ? `Edit ${credential.name}` : 'Create credential'}</h2>
        <label>
          Type
          <select value={typeId} disabled={!!credential} onChange={(event) => chooseType(event.target.value)}>
            {types.map((t) => <option key={t.id} value={t.id}>{t.displayName}</option>)}
          </select>
        </label>
        <label>
          Name
          <input value={name} aria-invalid={!!problemFor('name')} onChange={(event) => setName(event.target.value)} autoFocus />
          {problemFor('name') && <span className="field-error" role="alert">{problemFor('name')}</span>}
        </label>
        {type?.fields.map((field) => {
          const label = fieldLabel(field.name);
          const problem = problemFor(field.name);
          if (field.kind === 'boolean') {
            return (
              <label key={`${type.id}.${field.name}`} className="check">
                <input
                  type="checkbox"
                  checked={values[field.name] === true}
                  onChange={(event) => setValues({ ...values, [field.name]: event.target.checked })}
                />
                {label}
              </label>
            );
          }
          const keeps = keepsStoredSecret(field, credential);
          return (
            <label key={`${type.id}.${field.name}`}>
              <span>
                {label}
                {field.required && !keeps && <span className="required" aria-hidden="true">*</span>}
                {field.secret && <span className="muted"> · secret, never shown again</span>}
              </span>
              <input
                type={field.secret ? 'password' : 'text'}
                inputMode={field.kind === 'number' ? 'numeric' : undefined}
                autoComplete={field.secret ? 'new-password' : 'off'}
                value={String(values[field.name] ?? '')}
                placeholder={keeps ? 'Unchanged: leave empty to keep the stored value' : undefined}
                aria-invalid={!!problem}
                onChange={(event) => setValues({ ...values, [field.name]: event.target.value })}
              />
              {problem && <span className="field-error" role="alert">{problem}</span>}
            </label>
          );
        })}
        {error && <p className="error" role="alert">{error}</p>}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy || !type}>{busy ? 'Saving…' : credential ? 'Save' : 'Create'}</button>
        </div>
      </form>
    </div>
  );
}
