import { describe, expect, it } from 'vitest';
import type { NodeType } from '../api/types';
import { credentialSlots, selectedRef, withCredential } from './nodeCredentials';

function nodeType(parameters: string[], credentials: string[]): NodeType {
  return {
    name: 't', displayName: 'T', description: '', category: 'action', versions: [1], trigger: null, dynamicPorts: false,
    ports: { inputs: ['main'], outputs: ['main'] },
    parameters: parameters.map((name) => ({ name, displayName: name, type: { kind: 'string' }, default: '' })),
    credentials: credentials.map((name) => ({ name, required: false })),
  } as unknown as NodeType;
}

describe('node credentials', () => {
  const http = nodeType(['url', 'authentication'], ['httpBasicAuth', 'httpBearerAuth']);

  it('offers the type the authentication parameter names, and none for no authentication', () => {
    expect(credentialSlots(http, {})).toEqual([]);
    expect(credentialSlots(http, { authentication: 'none' })).toEqual([]);
    expect(credentialSlots(http, { authentication: 'httpBearerAuth' })).toEqual([{ name: 'httpBearerAuth', required: true }]);
    expect(credentialSlots(http, { authentication: 'genericCredentialType', genericAuthType: 'httpBasicAuth' })).toEqual([
      { name: 'httpBasicAuth', required: true },
    ]);
    expect(credentialSlots(http, { authentication: 'somethingElse' })).toEqual([]);
  });

  it('offers every declared type when the node has no authentication parameter', () => {
    const webhook = nodeType(['path'], ['httpBasicAuth', 'httpHeaderAuth']);
    expect(credentialSlots(webhook, {}).map((s) => s.name)).toEqual(['httpBasicAuth', 'httpHeaderAuth']);
    expect(credentialSlots(nodeType(['x'], []), {})).toEqual([]);
    expect(credentialSlots(undefined, {})).toEqual([]);
  });

  it('reads and writes references by credential type', () => {
    const credentials = { httpBasicAuth: { id: 'c1', name: 'Basic' }, other: { id: 'x' } };
    expect(selectedRef(credentials, 'httpBasicAuth')).toEqual({ id: 'c1', name: 'Basic' });
    expect(selectedRef(credentials, 'other')).toEqual({ id: 'x', name: 'x' });
    expect(selectedRef(credentials, 'httpBearerAuth')).toBeNull();
    expect(selectedRef({ bad: 'c1' }, 'bad')).toBeNull();
    expect(withCredential(credentials, 'httpBearerAuth', { id: 'c2', name: 'Token' })).toEqual({
      ...credentials, httpBearerAuth: { id: 'c2', name: 'Token' },
    });
    expect(withCredential(credentials, 'httpBasicAuth', null)).toEqual({ other: { id: 'x' } });
    // The input is not changed.
    expect(credentials.httpBasicAuth).toEqual({ id: 'c1', name: 'Basic' });
  });
});
