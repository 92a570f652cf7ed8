import { describe, expect, it } from 'vitest';
import type { WfConnection, WfNode } from '../api/types';
import { applyAll } from './model';
import { COLUMN, ROW, tidyUp } from './layout';

const n = (id: string, x: number, y: number, type = 'n8n-nodes-base.set'): WfNode => ({ id, name: id, type, typeVersion: 1, position: { x, y }, parameters: {}, credentials: {}, disabled: false, notes: null, onError: 'STOP_WORKFLOW', retry: {}, style: {} });
const c = (source: string, target: string, sourceOutput = 0): WfConnection => ({ source, sourceOutput, target, targetInput: 0, kind: 'MAIN' });

describe('tidy-up', () => {
  it('puts each node one column after its furthest predecessor, branches in their vertical order', () => {
    const graph = {
      nodes: [n('t', 500, 40), n('if', 10, 300), n('yes', 90, 0), n('no', 30, 500), n('merge', 0, 0), n('note', 999, 999, 'n8n-nodes-base.stickyNote')],
      connections: [c('t', 'if'), c('if', 'yes', 0), c('if', 'no', 1), c('yes', 'merge'), c('no', 'merge'), c('t', 'merge')],
    };
    const tidy = applyAll(graph, tidyUp(graph));
    const at = (id: string) => tidy.nodes.find((x) => x.id === id)!.position;
    expect([at('t').x, at('if').x, at('yes').x, at('merge').x]).toEqual([0, COLUMN, 2 * COLUMN, 3 * COLUMN]);
    expect(at('no').x).toBe(2 * COLUMN);
    expect(at('no').y - at('yes').y).toBe(ROW);
    expect(at('note')).toEqual({ x: 999, y: 999 });
    // Tidying a tidy graph changes nothing.
    expect(tidyUp(tidy)).toEqual([]);
  });

  it('survives loops', () => {
    const graph = { nodes: [n('a', 0, 0), n('b', 0, 0)], connections: [c('a', 'b'), c('b', 'a')] };
    expect(applyAll(graph, tidyUp(graph)).nodes.map((x) => x.position.x).toSorted()).toEqual([0, COLUMN]);
  });
});
