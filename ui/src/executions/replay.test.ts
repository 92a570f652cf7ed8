import { describe, expect, it } from 'vitest';
import { carriedBy, foldRun, fromWeftJson, traversedBy, type RunEvent } from './replay';

let seq = 0;
const e = (type: string, payload: Record<string, unknown> = {}): RunEvent => ({ sequence: ++seq, type, payload: { type, ...payload } });
const events: RunEvent[] = [
  e('ExecutionQueued', { workflowId: 'w', workflowVersion: 3 }),
  e('ExecutionStarted'),
  e('NodeRunStarted', { nodeId: 'hook', runIndex: 0 }),
  e('NodeRunSucceeded', { nodeId: 'hook', runIndex: 0, outputs: [[{ json: {} }]] }),
  e('NodeRunStarted', { nodeId: 'if', runIndex: 0 }),
  e('NodeRunSucceeded', { nodeId: 'if', runIndex: 0, outputs: [[], [{ json: {} }, { json: {} }]] }),
  e('NodeRunStarted', { nodeId: 'no', runIndex: 0 }),
  e('NodeRunFailed', { nodeId: 'no', runIndex: 0, attempt: 1, willRetry: true, error: { message: 'boom' } }),
  e('NodeRunRetried', { nodeId: 'no', runIndex: 0, nextAttempt: 2 }),
  e('NodeRunFailed', { nodeId: 'no', runIndex: 0, attempt: 2, willRetry: false, error: { message: 'boom again' } }),
  e('ExecutionFailed', { error: { message: 'boom again' }, nodeId: 'no' }),
];
const path = [
  { source: 'hook', sourceOutput: 0, target: 'if', targetInput: 0 },
  { source: 'if', sourceOutput: 1, target: 'no', targetInput: 0 },
];

describe('replay', () => {
  it('shows each step: which nodes ran, how many items, which connections carried them', () => {
    const afterIf = foldRun(events, 6);
    expect(afterIf.status).toBe('running');
    expect([...afterIf.nodes.keys()]).toEqual(['hook', 'if']);
    expect(afterIf.nodes.get('if')).toMatchObject({ status: 'succeeded', items: 2 });
    expect(traversedBy(path, afterIf)).toEqual([path[0]]);
    const started = foldRun(events, 7);
    expect(started.current).toBe('no');
    expect(traversedBy(path, started)).toEqual(path);
  });

  it('finds the connections that carried items in a live run from the outputs per port', () => {
    const connections = [
      { source: 'hook', sourceOutput: 0, target: 'if', targetInput: 0, kind: 'MAIN' as const },
      { source: 'if', sourceOutput: 0, target: 'yes', targetInput: 0, kind: 'MAIN' as const },
      { source: 'if', sourceOutput: 1, target: 'no', targetInput: 0, kind: 'MAIN' as const },
    ];
    expect(carriedBy(connections, foldRun(events, 7)).map((c) => c.target)).toEqual(['if', 'no']);
  });

  it('follows retries to the final failure', () => {
    expect(foldRun(events, 8).nodes.get('no')).toMatchObject({ status: 'retrying', attempts: 1, error: 'boom' });
    expect(foldRun(events, 9).nodes.get('no')).toMatchObject({ status: 'running', attempts: 2 });
    const end = foldRun(events);
    expect(end.nodes.get('no')).toMatchObject({ status: 'failed', attempts: 2, error: 'boom again' });
    expect(end).toMatchObject({ status: 'failed', error: 'boom again' });
  });

  it('reads payloads nested under their type and node ids given beside them', () => {
    const nested: RunEvent = { sequence: 1, type: 'NodeRunStarted', nodeId: 'x', payload: { NodeRunStarted: { runIndex: 2 } } };
    expect(foldRun([nested]).nodes.get('x')).toMatchObject({ status: 'running', runs: 3 });
  });

  it('reads Weft JSON definitions', () => {
    const graph = fromWeftJson({
      nodes: [{ id: 'a', name: 'A', type: 't', position: [10, 20], onError: 'continueErrorOutput' }],
      connections: [{ source: 'a', target: 'b', kind: 'error' }],
    });
    expect(graph.nodes[0]).toMatchObject({ position: { x: 10, y: 20 }, onError: 'CONTINUE_ERROR_OUTPUT', typeVersion: 1 });
    expect(graph.connections[0]).toEqual({ source: 'a', sourceOutput: 0, target: 'b', targetInput: 0, kind: 'ERROR' });
  });
});
