/** Node details: choose the stored credential a node signs in with, per credential type it uses. */
import { useQuery } from 'urql';
import { toApiError } from '../api/errors';
import { CREDENTIALS, type CredentialMeta, type CredentialTypeInfo } from '../api/people';
import type { NodeType, WfNode } from '../api/types';
import { navigate } from '../router';
import { credentialSlots, selectedRef, withCredential } from './nodeCredentials';

interface Props {
  node: WfNode;
  type: NodeType | undefined;
  /** The parameters being edited (the `authentication` choice decides which type is used). */
  parameters: Record<string, unknown>;
  editable: boolean;
  onChange(credentials: Record<string, unknown>): void;
}

/** The credentials page with a new credential of `type` open, coming back here afterwards. */
function createHref(type: string): string {
  const here = window.location.pathname + window.location.search;
  return `/credentials?${new URLSearchParams({ new: type, back: here })}`;
}

export function CredentialSelect({ node, type, parameters, editable, onChange }: Props) {
  const slots = credentialSlots(type, parameters);
  const [result] = useQuery<{ credentials: CredentialMeta[]; credentialTypes: CredentialTypeInfo[] }>({
    query: CREDENTIALS,
    pause: slots.length === 0,
    requestPolicy: 'cache-and-network',
  });
  if (slots.length === 0) return null;
  const stored = result.data?.credentials ?? [];
  const typeName = (id: string) => result.data?.credentialTypes.find((t) => t.id === id)?.displayName ?? id;
  return (
    <div className="credential-selects">
      {result.error && <p className="error" role="alert">{toApiError(result.error).message}</p>}
      {slots.map((slot) => {
        const ref = selectedRef(node.credentials, slot.name);
        const choices = stored.filter((c) => c.type === slot.name);
        const missing = ref && result.data && !choices.some((c) => c.id === ref.id);
        return (
          <label key={slot.name} className="credential-select">
            <span>
              Credential: {typeName(slot.name)}
              {slot.required && <span className="required" aria-hidden="true">*</span>}
            </span>
            <select
              aria-label={`${typeName(slot.name)} credential`}
              value={ref?.id ?? ''}
              disabled={!editable}
              onChange={(event) => {
                const picked = choices.find((c) => c.id === event.target.value);
                onChange(withCredential(node.credentials, slot.name, picked ? { id: picked.id, name: picked.name } : null));
              }}
            >
              <option value="">{choices.length ? '— choose a credential —' : '— no credential of this type yet —'}</option>
              {missing && <option value={ref.id}>{ref.name} (deleted)</option>}
              {choices.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
            {missing && <span className="field-error">The selected credential no longer exists: choose another.</span>}
            {slot.required && !ref && <span className="field-error">Choose a credential: this node signs in with it.</span>}
            {result.data && choices.length === 0 && (
              <a
                href={createHref(slot.name)}
                className="help"
                onClick={(event) => {
                  event.preventDefault();
                  navigate(createHref(slot.name));
                }}
              >
                Create a {typeName(slot.name)} credential
              </a>
            )}
          </label>
        );
      })}
    </div>
  );
}
