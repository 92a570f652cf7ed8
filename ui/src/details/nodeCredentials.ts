/**
 * Which credentials a node can select, and the node's `credentials` map after a choice
 * (`{"httpBasicAuth": {"id": "…", "name": "…"}}`, the API's and n8n's shape).
 */
import type { NodeType } from '../api/types';

/** A reference to a stored credential, as nodes keep it. */
export interface CredentialRef {
  id: string;
  name: string;
}

/**
 * The credential types to offer a selector for. A node with an `authentication` parameter (HTTP
 * Request) uses the type it names, or none; otherwise every type the catalog declares.
 */
export function credentialSlots(type: NodeType | undefined, parameters: Record<string, unknown>): { name: string; required: boolean }[] {
  if (!type || type.credentials.length === 0) return [];
  const hasAuthParameter = type.parameters.some((spec) => spec.name === 'authentication');
  if (!hasAuthParameter) return type.credentials;
  const chosen = String(parameters.authentication ?? 'none');
  const wanted =
    chosen === 'genericCredentialType' ? String(parameters.genericAuthType ?? '')
      : chosen === 'predefinedCredentialType' ? String(parameters.nodeCredentialType ?? '')
        : chosen;
  if (wanted === 'none' || wanted === '') return [];
  const slot = type.credentials.find((c) => c.name === wanted);
  // The node authenticates with this type, so it needs a credential of it.
  return slot ? [{ ...slot, required: true }] : [];
}

/** The credential a node references for `credentialType`, if any. */
export function selectedRef(credentials: Record<string, unknown>, credentialType: string): CredentialRef | null {
  const ref = credentials[credentialType] as Partial<CredentialRef> | undefined;
  if (!ref || typeof ref !== 'object' || typeof ref.id !== 'string') return null;
  return { id: ref.id, name: typeof ref.name === 'string' ? ref.name : ref.id };
}

/** The node's credentials with `credentialType` set to `ref` (null removes it). */
export function withCredential(credentials: Record<string, unknown>, credentialType: string, ref: CredentialRef | null): Record<string, unknown> {
  const next = { ...credentials };
  if (ref) next[credentialType] = { id: ref.id, name: ref.name };
  else delete next[credentialType];
  return next;
}
