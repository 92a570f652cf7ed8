import { describe, expect, it } from 'vitest';
import type { DefinitionDiff, WfConnection, WfNode } from '../api/types';
import { changeLine, diffGraph, diffLines, localDiff, withNames } from './diff';

const n = (id: string, name: string): WfNode => ({ id, name, type: 'n8n-nodes-base.set', typeVersion: 1, position: { x: 0, y: 0 }, parameters: {}, credentials: {}, disabled: false, notes: null, onError: 'STOP_WORKFLOW', retry: {}, style: {} });
const c = (source: string, target: string): WfConnection => ({ source, sourceOutput: 0, target, targetInput: 0, kind: 'MAIN' });

const before = { nodes: [n('a', 'Start'), n('b', 'Old')], connections: [c('a', 'b')] };
const after = { nodes: [n('a', 'Start'), n('c', 'New')], connections: [c('a', 'c')] };
const diff: DefinitionDiff = {
  from: 3, to: 5, isEmpty: false,
  addedNodes: [after.nodes[1]], removedNodes: [before.nodes[1]],
  changedNodes: [{ nodeId: 'a', name: 'Start', changes: [{ path: 'parameters.url', before: 'http://a', after: 'http://b' }] }],
  addedConnections: [c('a', 'c')], removedConnections: [c('a', 'b')],
  settings: [{ path: 'timezone', before: null, after: 'Europe/Paris' }], variables: [], pinData: [],
};

describe('diff rendering', () => {
  it('marks added, changed and removed nodes and connections on one graph', () => {
    const graph = diffGraph(diff, before, after);
    expect(graph.nodes.map((x) => [x.node.name, x.mark])).toEqual([['Start', 'changed'], ['New', 'added'], ['Old', 'removed']]);
    expect(graph.connections.map((x) => [x.connection.target, x.mark])).toEqual([['c', 'added'], ['b', 'removed']]);
  });

  it('lists changes as readable lines with node names', () => {
    const names = new Map([...before.nodes, ...after.nodes].map((x) => [x.id, x.name]));
    expect(diffLines(diff, names)).toEqual([
      { heading: 'Added nodes', lines: ['New (n8n-nodes-base.set)'] },
      { heading: 'Removed nodes', lines: ['Old (n8n-nodes-base.set)'] },
      { heading: 'Changed: Start', lines: ['parameters.url: http://a → http://b'] },
      { heading: 'Added connections', lines: ['Start output 0 → New input 0'] },
      { heading: 'Removed connections', lines: ['Start output 0 → Old input 0'] },
      { heading: 'Settings', lines: ['timezone: set to Europe/Paris'] },
    ]);
  });

  it('says when a value was removed', () => {
    expect(changeLine({ path: 'notes', before: 'hi', after: null })).toBe('notes: removed (was hi)');
  });

  it('names nodes in summaries that carry their ids', () => {
    const id = '9a3e6372-9bfe-4fcd-bf57-35233a6bceeb';
    expect(withNames(`changed name of node ${id}`, new Map([[id, 'Check']]))).toBe('changed name of node “Check”');
    expect(withNames(`removed node ${id}`, new Map())).toBe(`removed node ${id}`);
  });

  it('compares two definitions locally, parameters leaf by leaf', () => {
    const changed = { ...n('a', 'Start'), parameters: { url: 'http://b', options: { retries: [1, 2] } } };
    const base = { ...n('a', 'Start'), parameters: { url: 'http://a', options: { retries: [1] } } };
    const local = localDiff({ nodes: [base, n('b', 'Old')], connections: [c('a', 'b')] }, { nodes: [changed, n('c', 'New')], connections: [c('a', 'c')] });
    expect(local.addedNodes.map((x) => x.id)).toEqual(['c']);
    expect(local.removedNodes.map((x) => x.id)).toEqual(['b']);
    expect(local.changedNodes).toEqual([{ nodeId: 'a', name: 'Start', changes: [
      { path: 'parameters.url', before: 'http://a', after: 'http://b' },
      { path: 'parameters.options.retries[1]', before: null, after: 2 },
    ] }]);
    expect(local.addedConnections).toEqual([c('a', 'c')]);
    expect(local.isEmpty).toBe(false);
    expect(localDiff(before, before).isEmpty).toBe(true);
  });
});
