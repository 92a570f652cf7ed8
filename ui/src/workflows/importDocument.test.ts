import { describe, expect, it } from 'vitest';
import { parseImport } from './importDocument';

describe('import documents', () => {
  it('detects n8n by its name-keyed connections and Weft by its list', () => {
    expect(parseImport('{"name":"A","nodes":[],"connections":{}}')).toMatchObject({ ok: true, format: 'N8N', name: 'A' });
    expect(parseImport('{"nodes":[],"connections":[]}')).toMatchObject({ ok: true, format: 'WEFT', name: null });
  });

  it('explains what is wrong with bad input', () => {
    expect(parseImport('')).toMatchObject({ ok: false, error: expect.stringMatching(/empty/) });
    expect(parseImport('{nodes')).toMatchObject({ ok: false, error: expect.stringMatching(/not valid JSON/) });
    expect(parseImport('[1]')).toMatchObject({ ok: false, error: expect.stringMatching(/JSON object/) });
    expect(parseImport('{"connections":{}}')).toMatchObject({ ok: false, error: expect.stringMatching(/no "nodes" list/) });
    expect(parseImport('{"nodes":[],"connections":3}')).toMatchObject({ ok: false, error: expect.stringMatching(/"connections" must be/) });
  });
});
