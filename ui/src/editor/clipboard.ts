/** Copy and paste of nodes as JSON (the Weft definition shape), through the system clipboard. */
import type { WfConnection, WfNode } from '../api/types';
import { uniqueName, type Command } from './model';

/** The JSON put on the clipboard for `nodes` and the connections among them. */
export function clipboardJson(nodes: WfNode[], connections: WfConnection[]): string {
  const ids = new Set(nodes.map((n) => n.id));
  return JSON.stringify({ nodes, connections: connections.filter((c) => ids.has(c.source) && ids.has(c.target)) }, null, 2);
}

export async function copyNodes(nodes: WfNode[], connections: WfConnection[]): Promise<void> {
  await navigator.clipboard.writeText(clipboardJson(nodes, connections));
}

/** Commands that add pasted nodes with fresh ids and names, offset from the originals. */
export function pasteCommands(text: string, existing: WfNode[], newId: () => string = () => crypto.randomUUID()): { commands: Command[]; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { commands: [], error: 'The clipboard does not hold workflow JSON.' };
  }
  const doc = value as { nodes?: Partial<WfNode>[]; connections?: WfConnection[] };
  if (!doc || !Array.isArray(doc.nodes)) return { commands: [], error: 'The clipboard JSON has no "nodes" list.' };
  const ids = new Map<string, string>();
  const taken = [...existing];
  const commands: Command[] = [];
  for (const node of doc.nodes) {
    if (typeof node?.type !== 'string' || typeof node?.name !== 'string') return { commands: [], error: 'A pasted node lacks a "type" or "name".' };
    const id = newId();
    if (node.id) ids.set(node.id, id);
    const defaults: Omit<WfNode, 'id' | 'name' | 'type' | 'position'> = {
      parameters: {}, credentials: {}, disabled: false, notes: null, onError: 'STOP_WORKFLOW', retry: {}, style: {}, typeVersion: 1,
    };
    const copy: WfNode = {
      ...defaults,
      ...(node as WfNode),
      id,
      name: uniqueName(node.name, taken),
      position: { x: (node.position?.x ?? 0) + 40, y: (node.position?.y ?? 0) + 40 },
    };
    taken.push(copy);
    commands.push({ kind: 'addNode', node: copy });
  }
  for (const c of doc.connections ?? []) {
    const source = ids.get(c.source);
    const target = ids.get(c.target);
    if (source && target) commands.push({ kind: 'addConnection', connection: { ...c, source, target } });
  }
  return { commands };
}

export async function pasteNodes(existing: WfNode[]): Promise<{ commands: Command[]; error?: string }> {
  let text: string;
  try {
    text = await navigator.clipboard.readText();
  } catch {
    return { commands: [], error: 'The browser did not allow reading the clipboard.' };
  }
  return pasteCommands(text, existing);
}
