/** Maps the workflow graph to React Flow nodes and edges. */
import type { Edge } from '@xyflow/react';
import type { NodeType, WfConnection, WfNode } from '../api/types';
import { connectionId, inputCount, outputCount, outputNames, type Graph } from './model';
import type { WeftFlowNode } from './WeftNode';

/** Whether a node type is a sticky note. */
export function isSticky(type: string): boolean {
  return type.endsWith('.stickyNote');
}

function sameOutputs(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** React Flow nodes for `graph`, reusing `previous` objects that did not change. */
export function syncFlowNodes(previous: WeftFlowNode[], graph: Graph, types: Map<string, NodeType>): WeftFlowNode[] {
  const byId = new Map(previous.map((n) => [n.id, n]));
  return graph.nodes.map((node) => {
    const type = types.get(node.type);
    const outputs = outputNames(node, type, outputCount(node, type, graph.connections));
    const inputs = inputCount(node, type);
    const errorOutput = node.onError === 'CONTINUE_ERROR_OUTPUT';
    const old = byId.get(node.id);
    if (old && old.data.node === node && old.data.type === type && old.data.inputs === inputs && old.data.errorOutput === errorOutput && sameOutputs(old.data.outputs, outputs)) {
      return old;
    }
    return {
      id: node.id,
      type: isSticky(node.type) ? 'sticky' : 'weft',
      position: node.position,
      selected: old?.selected ?? false,
      data: { node, type, inputs, outputs, errorOutput },
    } as WeftFlowNode;
  });
}

/** A React Flow edge for a connection. */
export function toEdge(connection: WfConnection, selected: boolean, className?: string): Edge {
  return {
    id: connectionId(connection),
    source: connection.source,
    target: connection.target,
    sourceHandle: connection.kind === 'ERROR' ? `err-${connection.sourceOutput}` : `out-${connection.sourceOutput}`,
    targetHandle: `in-${connection.targetInput}`,
    selected,
    className: [connection.kind === 'ERROR' ? 'edge-error' : '', className ?? ''].join(' ').trim() || undefined,
    data: { connection },
  };
}

/** The connection a drag between two handles makes, or null when the handles are not ports. */
export function connectionFromHandles(source: string, sourceHandle: string | null | undefined, target: string, targetHandle: string | null | undefined): WfConnection | null {
  const out = /^(out|err)-(\d+)$/.exec(sourceHandle ?? 'out-0');
  const input = /^in-(\d+)$/.exec(targetHandle ?? 'in-0');
  if (!out || !input || source === target) return null;
  return { source, sourceOutput: Number(out[2]), target, targetInput: Number(input[1]), kind: out[1] === 'err' ? 'ERROR' : 'MAIN' };
}

/** Node positions as a map (for drag start snapshots). */
export function positions(nodes: WfNode[]): Map<string, { x: number; y: number }> {
  return new Map(nodes.map((n) => [n.id, n.position]));
}
