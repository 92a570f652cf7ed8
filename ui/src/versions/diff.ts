/** Turns a definition diff into what the versions panel draws: one merged graph with markers, and readable lines. */
import type { DefinitionDiff, WfConnection, WfNode, ValueChange } from '../api/types';
import { connectionId } from '../editor/model';

export type Mark = 'added' | 'removed' | 'changed' | 'same';

export interface DiffGraph {
  nodes: { node: WfNode; mark: Mark }[];
  connections: { connection: WfConnection; mark: Mark }[];
}

/** The `after` graph plus what was removed since `before`, each part marked. */
export function diffGraph(diff: DefinitionDiff, before: { nodes: WfNode[]; connections: WfConnection[] }, after: { nodes: WfNode[]; connections: WfConnection[] }): DiffGraph {
  const added = new Set(diff.addedNodes.map((n) => n.id));
  const changed = new Set(diff.changedNodes.map((n) => n.nodeId));
  const removed = new Set(diff.removedNodes.map((n) => n.id));
  const addedConnections = new Set(diff.addedConnections.map(connectionId));
  const nodes = after.nodes.map((node) => ({ node, mark: (added.has(node.id) ? 'added' : changed.has(node.id) ? 'changed' : 'same') as Mark }));
  for (const node of before.nodes) if (removed.has(node.id)) nodes.push({ node, mark: 'removed' });
  const connections = after.connections.map((connection) => ({ connection, mark: (addedConnections.has(connectionId(connection)) ? 'added' : 'same') as Mark }));
  for (const connection of diff.removedConnections) connections.push({ connection, mark: 'removed' });
  return { nodes, connections };
}

/** A short, readable rendering of a JSON value. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** One line per change: `path: before → after`. */
export function changeLine(change: ValueChange): string {
  if (change.before === null) return `${change.path}: set to ${formatValue(change.after)}`;
  if (change.after === null) return `${change.path}: removed (was ${formatValue(change.before)})`;
  return `${change.path}: ${formatValue(change.before)} → ${formatValue(change.after)}`;
}

/** Readable lines for the whole diff, grouped. */
export function diffLines(diff: DefinitionDiff, names: Map<string, string>): { heading: string; lines: string[] }[] {
  const name = (id: string) => names.get(id) ?? id;
  const connection = (c: WfConnection) => `${name(c.source)} ${c.kind === 'ERROR' ? 'error' : `output ${c.sourceOutput}`} → ${name(c.target)} input ${c.targetInput}`;
  const groups = [
    { heading: 'Added nodes', lines: diff.addedNodes.map((n) => `${n.name} (${n.type})`) },
    { heading: 'Removed nodes', lines: diff.removedNodes.map((n) => `${n.name} (${n.type})`) },
    ...diff.changedNodes.map((n) => ({ heading: `Changed: ${n.name}`, lines: n.changes.map(changeLine) })),
    { heading: 'Added connections', lines: diff.addedConnections.map(connection) },
    { heading: 'Removed connections', lines: diff.removedConnections.map(connection) },
    { heading: 'Settings', lines: diff.settings.map(changeLine) },
    { heading: 'Variables', lines: diff.variables.map(changeLine) },
    { heading: 'Pinned data', lines: diff.pinData.map((id) => `${name(id)}: pinned items changed`) },
  ];
  return groups.filter((g) => g.lines.length > 0);
}

/** Replaces node ids in an event summary with the nodes' names. */
export function withNames(summary: string, names: Map<string, string>): string {
  return summary.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (id) => {
    const name = names.get(id);
    return name === undefined ? id : `“${name}”`;
  });
}

function leaves(value: unknown, path: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value).map(([k, v]) => [`.${k}`, v] as const);
    if (entries.length === 0) out.set(path, value);
    for (const [key, child] of entries) leaves(child, path + key, out);
  } else out.set(path, value);
}

const NODE_FIELDS = ['name', 'type', 'typeVersion', 'position', 'disabled', 'notes', 'onError', 'retry', 'style', 'credentials'] as const;

/** What changed from `before` to `after` (the promote dialog compares two workflows this way). */
export function localDiff(before: { nodes: WfNode[]; connections: WfConnection[] }, after: { nodes: WfNode[]; connections: WfConnection[] }): DefinitionDiff {
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const changedNodes: DefinitionDiff['changedNodes'] = [];
  for (const node of after.nodes) {
    const previous = old.get(node.id);
    if (!previous) continue;
    const changes: ValueChange[] = [];
    for (const field of NODE_FIELDS) {
      if (JSON.stringify(previous[field] ?? null) !== JSON.stringify(node[field] ?? null)) changes.push({ path: field, before: previous[field] ?? null, after: node[field] ?? null });
    }
    const a = new Map<string, unknown>();
    const b = new Map<string, unknown>();
    leaves(previous.parameters, 'parameters', a);
    leaves(node.parameters, 'parameters', b);
    for (const path of new Set([...a.keys(), ...b.keys()])) {
      if (JSON.stringify(a.get(path) ?? null) !== JSON.stringify(b.get(path) ?? null)) changes.push({ path, before: a.get(path) ?? null, after: b.get(path) ?? null });
    }
    if (changes.length) changedNodes.push({ nodeId: node.id, name: node.name, changes });
  }
  const key = connectionId;
  const oldConnections = new Set(before.connections.map(key));
  const newConnections = new Set(after.connections.map(key));
  const diff: DefinitionDiff = {
    from: 0,
    to: 0,
    isEmpty: false,
    addedNodes: after.nodes.filter((n) => !old.has(n.id)),
    removedNodes: before.nodes.filter((n) => !now.has(n.id)),
    changedNodes,
    addedConnections: after.connections.filter((c) => !oldConnections.has(key(c))),
    removedConnections: before.connections.filter((c) => !newConnections.has(key(c))),
    settings: [],
    variables: [],
    pinData: [],
  };
  diff.isEmpty = !diff.addedNodes.length && !diff.removedNodes.length && !changedNodes.length && !diff.addedConnections.length && !diff.removedConnections.length;
  return diff;
}
