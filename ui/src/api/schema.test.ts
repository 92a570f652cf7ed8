// Every operation the UI sends must be valid against the API's committed schema, so a renamed
// field or argument fails here rather than in a user's browser.
/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from './documents';
import * as executions from './executions';
import * as people from './people';

const sdlPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'api-graphql', 'schema.graphql');
const schema = buildSchema(readFileSync(sdlPath, 'utf8'));

function operations(module: Record<string, unknown>): [string, DocumentNode][] {
  const found: [string, DocumentNode][] = [];
  const visit = (name: string, value: unknown) => {
    if (value && typeof value === 'object' && (value as { kind?: unknown }).kind === 'Document') found.push([name, value as DocumentNode]);
    else if (value && typeof value === 'object' && !Array.isArray(value)) for (const [key, inner] of Object.entries(value)) visit(`${name}.${key}`, inner);
  };
  for (const [name, value] of Object.entries(module)) visit(name, value);
  return found;
}

describe('operations against schema.graphql', () => {
  const all = [...operations(documents), ...operations(executions), ...operations(people)];

  it('finds the operations', () => {
    expect(all.map(([name]) => name)).toEqual(expect.arrayContaining(['EXECUTE_WORKFLOW', 'WORKFLOW_PRESENCE', 'EDIT_MUTATIONS.renameWorkflow']));
  });

  it.each(all)('%s is valid', (_, document) => {
    expect(validate(schema, document).map((e) => e.message)).toEqual([]);
  });
});
