/**
 * Tidy-up: a layered left-to-right layout. Each node goes one column right of its furthest
 * predecessor; within a column nodes keep their vertical order, so a tidy-up never shuffles
 * branches. Sticky notes stay where they are.
 */
import type { WfNode } from '../api/types';
import { isSticky } from './flow';
import type { Command, Graph } from './model';

export const COLUMN = 260;
export const ROW = 130;

/** The `moveNode` commands that tidy `graph` (none for nodes already in place). */
export function tidyUp(graph: Graph): Command[] {
  const nodes = graph.nodes.filter((n) => !isSticky(n.type));
  const ids = new Set(nodes.map((n) => n.id));
  const incoming = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const c of graph.connections) {
    if (ids.has(c.source) && ids.has(c.target) && c.source !== c.target) incoming.get(c.target)!.push(c.source);
  }
  // Longest path from a source; a cycle (loops back to an earlier node) is cut where it closes.
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = column.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let d = 0;
    for (const parent of incoming.get(id) ?? []) if (!visiting.has(parent)) d = Math.max(d, depth(parent) + 1);
    visiting.delete(id);
    column.set(id, d);
    return d;
  };
  nodes.forEach((n) => depth(n.id));
  const columns = new Map<number, WfNode[]>();
  for (const n of nodes) columns.set(column.get(n.id)!, [...(columns.get(column.get(n.id)!) ?? []), n]);
  const left = Math.min(...nodes.map((n) => n.position.x), 0);
  const top = Math.min(...nodes.map((n) => n.position.y), 0);
  const tallest = Math.max(0, ...[...columns.values()].map((c) => c.length));
  const commands: Command[] = [];
  for (const [index, members] of columns) {
    const ordered = members.toSorted((a, b) => a.position.y - b.position.y || a.position.x - b.position.x);
    const offset = ((tallest - ordered.length) * ROW) / 2;
    ordered.forEach((n, row) => {
      const position = { x: Math.round(left + index * COLUMN), y: Math.round(top + offset + row * ROW) };
      if (position.x !== n.position.x || position.y !== n.position.y) commands.push({ kind: 'moveNode', nodeId: n.id, position });
    });
  }
  return commands;
}
