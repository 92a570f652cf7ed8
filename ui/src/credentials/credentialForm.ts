/**
 * The credential form, generated from a credential type's fields: initial values, validation,
 * and the `data` sent to the API. Secret fields always start empty; when editing, an empty
 * secret field means "keep the stored value" (the API keeps secret fields left out of `data`).
 */
import type { CredentialField, CredentialMeta, CredentialTypeInfo } from '../api/people';

/** What the form holds: text for text and number fields, true/false for boolean fields. */
export type CredentialValues = Record<string, string | boolean>;

/** One problem with the form, by field name (`name` is the credential's own name). */
export interface CredentialProblem {
  field: string;
  message: string;
}

const WORDS: Record<string, string> = { url: 'URL', id: 'ID', ssl: 'SSL', api: 'API' };

/** A readable label for a field name: `accessTokenUrl` → `Access token URL`. */
export function fieldLabel(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_]+/).filter(Boolean);
  return words
    .map((word, i) => {
      const lower = word.toLowerCase();
      if (WORDS[lower]) return WORDS[lower];
      return i === 0 ? lower.charAt(0).toUpperCase() + lower.slice(1) : lower;
    })
    .join(' ');
}

/** The form's starting values: the stored public fields, and empty secret fields. */
export function initialValues(type: CredentialTypeInfo, credential: CredentialMeta | null): CredentialValues {
  const values: CredentialValues = {};
  for (const field of type.fields) {
    const stored = field.secret ? undefined : credential?.data[field.name];
    if (field.kind === 'boolean') values[field.name] = stored === true;
    else values[field.name] = stored === undefined || stored === null ? '' : String(stored);
  }
  return values;
}

/** Whether a secret field has a stored value that an empty input keeps. */
export function keepsStoredSecret(field: CredentialField, credential: CredentialMeta | null): boolean {
  return field.secret && !!credential?.secretFields.includes(field.name);
}

/** Everything wrong with the form; empty when it can be saved. */
export function validateCredential(
  type: CredentialTypeInfo,
  name: string,
  values: CredentialValues,
  credential: CredentialMeta | null,
): CredentialProblem[] {
  const problems: CredentialProblem[] = [];
  if (!name.trim()) problems.push({ field: 'name', message: 'Give the credential a name.' });
  for (const field of type.fields) {
    const value = values[field.name];
    if (field.kind === 'boolean') continue;
    const text = typeof value === 'string' ? (field.secret ? value : value.trim()) : '';
    if (!text) {
      if (field.required && !keepsStoredSecret(field, credential)) {
        problems.push({ field: field.name, message: `${fieldLabel(field.name)} is required.` });
      }
      continue;
    }
    if (field.kind === 'number' && !/^-?\d+$/.test(text)) {
      problems.push({ field: field.name, message: `${fieldLabel(field.name)} must be a whole number.` });
    }
  }
  return problems;
}

/**
 * The `data` for `createCredential` / `updateCredential`: every filled field with its kind's
 * JSON type; empty public fields are left out (cleared), and so are empty secret fields (kept
 * when editing).
 */
export function credentialData(type: CredentialTypeInfo, values: CredentialValues): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of type.fields) {
    const value = values[field.name];
    if (field.kind === 'boolean') {
      data[field.name] = value === true;
      continue;
    }
    // Secrets are sent exactly as typed (a password may start or end with a space).
    const text = typeof value === 'string' ? (field.secret ? value : value.trim()) : '';
    if (!text) continue;
    data[field.name] = field.kind === 'number' ? Number.parseInt(text, 10) : text;
  }
  return data;
}

/** Whether a credential type calls an HTTP URL when tested (the test then asks for one). */
export function testNeedsUrl(typeId: string): boolean {
  return ['httpBasicAuth', 'httpBearerAuth', 'httpHeaderAuth', 'httpQueryAuth'].includes(typeId);
}
