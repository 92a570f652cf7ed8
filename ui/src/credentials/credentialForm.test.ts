import { describe, expect, it } from 'vitest';
import type { CredentialMeta, CredentialTypeInfo } from '../api/people';
import { credentialData, fieldLabel, initialValues, keepsStoredSecret, testNeedsUrl, validateCredential } from './credentialForm';

const postgres: CredentialTypeInfo = {
  id: 'postgres',
  displayName: 'Postgres',
  fields: [
    { name: 'host', kind: 'string', secret: false, required: true },
    { name: 'port', kind: 'number', secret: false, required: false },
    { name: 'user', kind: 'string', secret: false, required: true },
    { name: 'password', kind: 'string', secret: true, required: true },
    { name: 'secure', kind: 'boolean', secret: false, required: false },
  ],
};

const stored: CredentialMeta = {
  id: 'c1', name: 'Warehouse', type: 'postgres',
  data: { host: 'db.internal', port: 5432, user: 'etl', secure: true },
  secretFields: ['password'],
  createdAt: '2026-11-27T10:00:00Z', createdBy: 'user:a', updatedAt: '2026-11-27T10:00:00Z', updatedBy: 'user:a',
};

describe('credential form', () => {
  it('labels fields readably', () => {
    expect(fieldLabel('accessTokenUrl')).toBe('Access token URL');
    expect(fieldLabel('clientId')).toBe('Client ID');
    expect(fieldLabel('apiKey')).toBe('API key');
    expect(fieldLabel('host')).toBe('Host');
  });

  it('starts a new credential empty and an edited one with its public fields, never a secret', () => {
    expect(initialValues(postgres, null)).toEqual({ host: '', port: '', user: '', password: '', secure: false });
    expect(initialValues(postgres, stored)).toEqual({ host: 'db.internal', port: '5432', user: 'etl', password: '', secure: true });
    // Even if metadata carried a value under a secret field's name, it is not shown.
    expect(initialValues(postgres, { ...stored, data: { ...stored.data, password: 'leaked?' } }).password).toBe('');
  });

  it('requires the required fields, and a secret only when none is stored', () => {
    const empty = initialValues(postgres, null);
    expect(validateCredential(postgres, '', empty, null).map((p) => p.field)).toEqual(['name', 'host', 'user', 'password']);
    const edited = initialValues(postgres, stored);
    expect(keepsStoredSecret(postgres.fields[3], stored)).toBe(true);
    expect(validateCredential(postgres, 'Warehouse', edited, stored)).toEqual([]);
    expect(validateCredential(postgres, 'Warehouse', { ...edited, port: '54x' }, stored)).toEqual([
      { field: 'port', message: 'Port must be a whole number.' },
    ]);
    // A stored credential without that secret set still needs it.
    expect(validateCredential(postgres, 'W', edited, { ...stored, secretFields: [] }).map((p) => p.field)).toEqual(['password']);
  });

  it('sends typed values, leaves out empty fields, and keeps an empty secret out (unchanged)', () => {
    const edited = initialValues(postgres, stored);
    expect(credentialData(postgres, edited)).toEqual({ host: 'db.internal', port: 5432, user: 'etl', secure: true });
    expect(credentialData(postgres, { ...edited, password: ' new secret ', port: '' })).toEqual({
      host: 'db.internal', user: 'etl', password: ' new secret ', secure: true,
    });
  });

  it('asks for a URL only when testing an HTTP credential', () => {
    expect(testNeedsUrl('httpBasicAuth')).toBe(true);
    expect(testNeedsUrl('postgres')).toBe(false);
    expect(testNeedsUrl('openAiApi')).toBe(false);
  });
});
