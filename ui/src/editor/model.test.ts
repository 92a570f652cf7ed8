import { describe, expect, it } from 'vitest';
import type { NodeType, WfConnection, WfNode } from '../api/types';
import { applyAll, makeAction, newNode, outputCount, uniqueName, type Graph } from './model';
import { pasteCommands } from './clipboard';
import { connectionFromHandles } from './flow';

const setType: NodeType = { name: 'n8n-nodes-base.set', displayName: 'Edit Fields', description: '', category: 'transform', versions: [3, 3.4], trigger: null, dynamicPorts: false, ports: { inputs: ['main'], outputs: ['main'] }, parameters: [], credentials: [] };
const switchType: NodeType = { ...setType, name: 'n8n-nodes-base.switch', displayName: 'Switch', dynamicPorts: true };

function node(id: string, name = id): WfNode {
  return { ...newNode(setType, { x: 0, y: 0 }, [], id), name };
}
const link = (source: string, target: string): WfConnection => ({ source, sourceOutput: 0, target, targetInput: 0, kind: 'MAIN' });

describe('editor commands', () => {
  it('undoes a node removal with its connections', () => {
    const graph: Graph = { nodes: [node('a'), node('b'), node('c')], connections: [link('a', 'b'), link('b', 'c')] };
    const action = makeAction('Delete', graph, [{ kind: 'removeNode', nodeId: 'b' }]);
    const after = applyAll(graph, action.forward);
    expect(after.nodes.map((n) => n.id)).toEqual(['a', 'c']);
    expect(after.connections).toEqual([]);
    const undone = applyAll(after, action.inverse);
    expect(undone.nodes.map((n) => n.id).toSorted()).toEqual(['a', 'b', 'c']);
    expect(undone.connections).toEqual(expect.arrayContaining(graph.connections));
  });

  it('undoes moves and field changes to the values before', () => {
    const graph: Graph = { nodes: [node('a')], connections: [] };
    const action = makeAction('Edit', graph, [
      { kind: 'moveNode', nodeId: 'a', position: { x: 50, y: 60 } },
      { kind: 'updateNode', nodeId: 'a', changes: { name: 'Renamed', disabled: true } },
    ]);
    const after = applyAll(graph, action.forward);
    expect(after.nodes[0]).toMatchObject({ name: 'Renamed', disabled: true, position: { x: 50, y: 60 } });
    expect(applyAll(after, action.inverse).nodes[0]).toMatchObject({ name: 'a', disabled: false, position: { x: 0, y: 0 } });
  });

  it('names new nodes uniquely as n8n does', () => {
    expect(uniqueName('Set', [node('1', 'Set'), node('2', 'Set1')])).toBe('Set2');
    expect(newNode(setType, { x: 1.4, y: 2.6 }, []).position).toEqual({ x: 1, y: 3 });
    expect(newNode(setType, { x: 0, y: 0 }, []).typeVersion).toBe(3.4);
  });

  it('gives Switch one output per rule plus the fallback, and keeps ports that still have connections', () => {
    const sw = { ...node('s'), type: switchType.name, typeVersion: 3, parameters: { rules: { values: [{}, {}] }, options: { fallbackOutput: 'extra' } } };
    expect(outputCount(sw, switchType, [])).toBe(3);
    expect(outputCount({ ...sw, parameters: {} }, switchType, [{ ...link('s', 'x'), sourceOutput: 4 }])).toBe(5);
  });

  it('maps handles to ports and refuses self-connections', () => {
    expect(connectionFromHandles('a', 'out-1', 'b', 'in-0')).toEqual({ source: 'a', sourceOutput: 1, target: 'b', targetInput: 0, kind: 'MAIN' });
    expect(connectionFromHandles('a', 'err-0', 'b', 'in-1')).toMatchObject({ kind: 'ERROR', targetInput: 1 });
    expect(connectionFromHandles('a', 'out-0', 'a', 'in-0')).toBeNull();
  });

  it('pastes nodes with new ids and names, keeping the connections among them', () => {
    let n = 0;
    const text = JSON.stringify({ nodes: [node('a', 'Set'), node('b', 'If')], connections: [link('a', 'b'), link('a', 'zzz')] });
    const { commands, error } = pasteCommands(text, [node('x', 'Set')], () => `new${++n}`);
    expect(error).toBeUndefined();
    expect(commands.map((c) => c.kind)).toEqual(['addNode', 'addNode', 'addConnection']);
    expect(commands[0]).toMatchObject({ node: { id: 'new1', name: 'Set1', position: { x: 40, y: 40 } } });
    expect(commands[2]).toMatchObject({ connection: { source: 'new1', target: 'new2' } });
    expect(pasteCommands('not json', []).error).toMatch(/does not hold workflow JSON/);
  });
});

describe('placement and search', () => {
  it('places a new node below the ones it would cover', async () => {
    const { freeSpot } = await import('./model');
    const taken = [node('a'), { ...node('b'), position: { x: 0, y: 100 } }];
    expect(freeSpot({ x: 10, y: 10 }, taken)).toEqual({ x: 10, y: 210 });
    expect(freeSpot({ x: 500, y: 0 }, taken)).toEqual({ x: 500, y: 0 });
  });

  it('adds the best name match on Enter, not the first description match', async () => {
    const { bestMatch } = await import('./NodeLibrary');
    const sort = { ...setType, name: 'n8n-nodes-base.sort', displayName: 'Sort', description: 'Sorts items, like code would' };
    const code = { ...setType, name: 'n8n-nodes-base.code', displayName: 'Code', description: 'Runs JavaScript' };
    expect(bestMatch([sort, code], 'code')).toBe(code);
    expect(bestMatch([sort, code], 'javascript')).toBe(code);
    expect(bestMatch([sort, code], 'fields')).toBeUndefined();
  });
});
