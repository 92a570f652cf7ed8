/**
 * The editor's commands: one per fine-grained mutation, applied locally (optimistically) by a
 * pure function, each with its inverse for undo.
 */
import type { NodeType, Position, WfConnection, WfNode } from '../api/types';

/** Fields of a node that `updateNode` changes. */
export type NodeChanges = Partial<Pick<WfNode, 'name' | 'parameters' | 'typeVersion' | 'credentials' | 'notes' | 'disabled' | 'retry' | 'style' | 'onError'>>;

export type Command =
  | { kind: 'addNode'; node: WfNode }
  | { kind: 'removeNode'; nodeId: string }
  | { kind: 'moveNode'; nodeId: string; position: Position }
  | { kind: 'updateNode'; nodeId: string; changes: NodeChanges }
  | { kind: 'addConnection'; connection: WfConnection }
  | { kind: 'removeConnection'; connection: WfConnection };

/** The part of a definition the canvas edits. */
export interface Graph {
  nodes: WfNode[];
  connections: WfConnection[];
}

/** A user action: what to send, and what undoes it. */
export interface Action {
  label: string;
  forward: Command[];
  inverse: Command[];
}

/** Whether two connections join the same ports. */
export function sameConnection(a: WfConnection, b: WfConnection): boolean {
  return a.source === b.source && a.sourceOutput === b.sourceOutput && a.target === b.target && a.targetInput === b.targetInput && a.kind === b.kind;
}

/** A stable id for a connection (React Flow edge id). */
export function connectionId(c: WfConnection): string {
  return `${c.source}:${c.kind === 'ERROR' ? 'err' : 'out'}-${c.sourceOutput}->${c.target}:in-${c.targetInput}`;
}

/** Applies a command to a graph; unchanged nodes keep their identity (cheap re-renders). */
export function applyCommand(graph: Graph, command: Command): Graph {
  switch (command.kind) {
    case 'addNode':
      if (graph.nodes.some((n) => n.id === command.node.id)) return graph;
      return { ...graph, nodes: [...graph.nodes, command.node] };
    case 'removeNode':
      return {
        nodes: graph.nodes.filter((n) => n.id !== command.nodeId),
        connections: graph.connections.filter((c) => c.source !== command.nodeId && c.target !== command.nodeId),
      };
    case 'moveNode':
      return { ...graph, nodes: graph.nodes.map((n) => (n.id === command.nodeId ? { ...n, position: command.position } : n)) };
    case 'updateNode':
      return { ...graph, nodes: graph.nodes.map((n) => (n.id === command.nodeId ? { ...n, ...command.changes } : n)) };
    case 'addConnection':
      if (graph.connections.some((c) => sameConnection(c, command.connection))) return graph;
      return { ...graph, connections: [...graph.connections, command.connection] };
    case 'removeConnection':
      return { ...graph, connections: graph.connections.filter((c) => !sameConnection(c, command.connection)) };
  }
}

/** Applies commands in order. */
export function applyAll(graph: Graph, commands: Command[]): Graph {
  return commands.reduce(applyCommand, graph);
}

/** The commands that undo `command` on `graph` (the graph before it ran). */
export function inverseOf(graph: Graph, command: Command): Command[] {
  switch (command.kind) {
    case 'addNode':
      return [{ kind: 'removeNode', nodeId: command.node.id }];
    case 'removeNode': {
      const node = graph.nodes.find((n) => n.id === command.nodeId);
      if (!node) return [];
      const touching = graph.connections.filter((c) => c.source === node.id || c.target === node.id);
      return [{ kind: 'addNode', node }, ...touching.map((connection): Command => ({ kind: 'addConnection', connection }))];
    }
    case 'moveNode': {
      const node = graph.nodes.find((n) => n.id === command.nodeId);
      return node ? [{ kind: 'moveNode', nodeId: node.id, position: node.position }] : [];
    }
    case 'updateNode': {
      const node = graph.nodes.find((n) => n.id === command.nodeId);
      if (!node) return [];
      const before: NodeChanges = {};
      for (const key of Object.keys(command.changes) as (keyof NodeChanges)[]) {
        (before as Record<string, unknown>)[key] = key === 'notes' ? (node.notes ?? '') : node[key];
      }
      return [{ kind: 'updateNode', nodeId: node.id, changes: before }];
    }
    case 'addConnection':
      return [{ kind: 'removeConnection', connection: command.connection }];
    case 'removeConnection':
      return [{ kind: 'addConnection', connection: command.connection }];
  }
}

/** Builds an action from forward commands, computing the inverse against `graph`. */
export function makeAction(label: string, graph: Graph, forward: Command[]): Action {
  const inverse: Command[] = [];
  let state = graph;
  for (const command of forward) {
    inverse.unshift(...inverseOf(state, command));
    state = applyCommand(state, command);
  }
  return { label, forward, inverse };
}

/** A name not used by any node: `Set`, `Set1`, `Set2`, … as in n8n. */
export function uniqueName(base: string, nodes: WfNode[]): string {
  const taken = new Set(nodes.map((n) => n.name));
  if (!taken.has(base)) return base;
  for (let i = 1; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
}

/** A fresh node of `type` at `position`. */
export function newNode(type: NodeType, position: Position, nodes: WfNode[], id: string = crypto.randomUUID()): WfNode {
  return {
    id,
    type: type.name,
    typeVersion: type.versions[type.versions.length - 1] ?? 1,
    name: uniqueName(type.displayName, nodes),
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    parameters: {},
    credentials: {},
    disabled: false,
    notes: null,
    onError: 'STOP_WORKFLOW',
    retry: {},
    style: {},
  };
}

/** Number of main outputs of `node`, following the catalog's rules for dynamic ports. */
export function outputCount(node: WfNode, type: NodeType | undefined, connections: WfConnection[]): number {
  let count = type?.ports.outputs.length ?? 1;
  const p = node.parameters as Record<string, any>;
  if (type?.dynamicPorts && node.type.endsWith('.switch')) {
    if (node.typeVersion < 3) count = Number(p.outputsAmount ?? 4);
    else if (p.mode === 'expression') count = Number(p.numberOutputs ?? 4);
    else count = (Array.isArray(p.rules?.values) ? p.rules.values.length : 0) + (p.options?.fallbackOutput === 'extra' ? 1 : 0);
  }
  // A connection to a port the parameters no longer have still shows, so it can be removed.
  for (const c of connections) if (c.source === node.id && c.kind === 'MAIN') count = Math.max(count, c.sourceOutput + 1);
  return count;
}

/** Number of main inputs of `node`. */
export function inputCount(node: WfNode, type: NodeType | undefined): number {
  if (type?.dynamicPorts && node.type.endsWith('.merge') && node.typeVersion >= 3) {
    return Number((node.parameters as Record<string, unknown>).numberInputs ?? 2);
  }
  return type?.ports.inputs.length ?? 1;
}

/** Output names for labels (numbered when dynamic). */
export function outputNames(node: WfNode, type: NodeType | undefined, count: number): string[] {
  const names = type?.ports.outputs ?? [];
  if (node.type.endsWith('.switch')) return Array.from({ length: count }, (_, i) => `${i}`);
  return Array.from({ length: count }, (_, i) => names[i] ?? (count > 1 ? `${i}` : ''));
}

/** The first spot at or below `position` where a new node does not cover another. */
export function freeSpot(position: Position, nodes: WfNode[]): Position {
  const spot = { x: Math.round(position.x), y: Math.round(position.y) };
  for (let tries = 0; tries < 50; tries++) {
    if (!nodes.some((n) => Math.abs(n.position.x - spot.x) < 200 && Math.abs(n.position.y - spot.y) < 90)) return spot;
    spot.y += 100;
  }
  return spot;
}
