/**
 * Execution state from its events: the same fold serves the live run in the editor (events from
 * `executionEvents`) and the replay stepper (the recorded events up to a step).
 */
import type { OnError, WfConnection, WfNode } from '../api/types';
import type { TraversedConnection } from '../api/executions';
import type { Graph } from '../editor/model';

/** One execution event, as the subscription or the replay delivers it. */
export interface RunEvent {
  sequence: number;
  type: string;
  nodeId?: string | null;
  payload: Record<string, unknown>;
}

export type NodeStatus = 'running' | 'retrying' | 'succeeded' | 'failed' | 'canceled' | 'waiting';

export interface NodeState {
  status: NodeStatus;
  /** Runs started (a node in a loop runs more than once). */
  runs: number;
  /** Attempt of the current run (more than 1 after retries). */
  attempts: number;
  /** Items produced by the last successful run, all outputs together. */
  items: number | null;
  /** Items per output of the last successful run. */
  outputs: number[];
  error: string | null;
}

export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'canceled';

export interface RunState {
  status: RunStatus;
  nodes: Map<string, NodeState>;
  /** The node of the last node event. */
  current: string | null;
  error: string | null;
}

/** The event's fields (payloads are stored tagged with their type). */
function fields(event: RunEvent): Record<string, unknown> {
  const nested = event.payload[event.type];
  return nested && typeof nested === 'object' ? (nested as Record<string, unknown>) : event.payload;
}

function nodeOf(event: RunEvent): string | null {
  const id = event.nodeId ?? fields(event).nodeId;
  return typeof id === 'string' ? id : null;
}

function message(error: unknown): string | null {
  if (!error || typeof error !== 'object') return error ? String(error) : null;
  const e = error as Record<string, unknown>;
  return String(e.message ?? e.description ?? JSON.stringify(e));
}

/** Folds `events` (in sequence order) up to but excluding index `upTo`. */
export function foldRun(events: RunEvent[], upTo: number = events.length): RunState {
  const nodes = new Map<string, NodeState>();
  const state: RunState = { status: 'queued', nodes, current: null, error: null };
  const touch = (id: string): NodeState => {
    let node = nodes.get(id);
    if (!node) nodes.set(id, (node = { status: 'running', runs: 0, attempts: 1, items: null, outputs: [], error: null }));
    return node;
  };
  for (const event of events.slice(0, upTo)) {
    const f = fields(event);
    const id = nodeOf(event);
    switch (event.type) {
      case 'ExecutionStarted':
      case 'ExecutionResumed':
        state.status = 'running';
        if (event.type === 'ExecutionResumed') for (const n of nodes.values()) if (n.status === 'waiting') n.status = 'running';
        break;
      case 'NodeRunStarted': {
        const node = touch(id!);
        node.status = 'running';
        node.runs = Math.max(node.runs, Number(f.runIndex ?? 0) + 1);
        node.attempts = 1;
        node.error = null;
        state.current = id;
        break;
      }
      case 'NodeRunSucceeded': {
        const node = touch(id!);
        node.status = 'succeeded';
        const outputs = Array.isArray(f.outputs) ? (f.outputs as unknown[][]) : [];
        node.outputs = outputs.map((items) => (Array.isArray(items) ? items.length : 0));
        node.items = node.outputs.reduce((sum, n) => sum + n, 0);
        state.current = id;
        break;
      }
      case 'NodeRunFailed': {
        const node = touch(id!);
        node.attempts = Number(f.attempt ?? node.attempts);
        node.error = message(f.error);
        node.status = f.willRetry ? 'retrying' : 'failed';
        state.current = id;
        break;
      }
      case 'NodeRunRetried': {
        const node = touch(id!);
        node.attempts = Number(f.nextAttempt ?? node.attempts + 1);
        node.status = 'running';
        break;
      }
      case 'NodeRunCanceled':
        touch(id!).status = 'canceled';
        break;
      case 'ExecutionWaiting':
        state.status = 'waiting';
        if (id) touch(id).status = 'waiting';
        break;
      case 'ExecutionSucceeded':
        state.status = 'succeeded';
        break;
      case 'ExecutionFailed':
        state.status = 'failed';
        state.error = message(f.error);
        break;
      case 'ExecutionCanceled':
        state.status = 'canceled';
        break;
      default:
        break;
    }
  }
  return state;
}

/** The connections items had flowed through by this state: the source succeeded and the target ran. */
export function traversedBy(connections: TraversedConnection[], state: RunState): TraversedConnection[] {
  return connections.filter((c) => state.nodes.get(c.source)?.status === 'succeeded' && state.nodes.has(c.target));
}

/** Connections of `graph` that carried items so far: the source output had items and the target ran. */
export function carriedBy(connections: WfConnection[], state: RunState): WfConnection[] {
  return connections.filter((c) => {
    const source = state.nodes.get(c.source);
    if (!source || source.status !== 'succeeded' || !state.nodes.has(c.target)) return false;
    return c.kind === 'ERROR' || (source.outputs[c.sourceOutput] ?? 0) > 0;
  });
}

/** Whether the run has ended. */
export function isFinal(status: string): boolean {
  return ['succeeded', 'failed', 'canceled'].includes(status.toLowerCase());
}

const screaming = (value: unknown, fallback: string) =>
  typeof value === 'string' && value ? value.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() : fallback;

/** A Weft JSON definition (positions as `[x, y]`, lower-case kinds) as the editor's graph. */
export function fromWeftJson(definition: unknown): Graph {
  const doc = (definition ?? {}) as { nodes?: Record<string, unknown>[]; connections?: Record<string, unknown>[] };
  const nodes: WfNode[] = (doc.nodes ?? []).map((n) => {
    const position = Array.isArray(n.position) ? { x: Number(n.position[0]), y: Number(n.position[1]) } : ((n.position as { x: number; y: number }) ?? { x: 0, y: 0 });
    return {
      id: String(n.id),
      type: String(n.type),
      typeVersion: Number(n.typeVersion ?? 1),
      name: String(n.name ?? n.id),
      position,
      parameters: (n.parameters as Record<string, unknown>) ?? {},
      credentials: (n.credentials as Record<string, unknown>) ?? {},
      disabled: n.disabled === true,
      notes: typeof n.notes === 'string' ? n.notes : null,
      onError: screaming(n.onError, 'STOP_WORKFLOW') as OnError,
      retry: (n.retry as WfNode['retry']) ?? {},
      style: (n.style as WfNode['style']) ?? {},
    };
  });
  const connections: WfConnection[] = (doc.connections ?? []).map((c) => ({
    source: String(c.source),
    sourceOutput: Number(c.sourceOutput ?? 0),
    target: String(c.target),
    targetInput: Number(c.targetInput ?? 0),
    kind: screaming(c.kind, 'MAIN') === 'ERROR' ? 'ERROR' : 'MAIN',
  }));
  return { nodes, connections };
}
