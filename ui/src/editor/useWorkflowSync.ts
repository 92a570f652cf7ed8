/**
 * The open workflow's state: loads it, applies local edits optimistically, sends them through the
 * command queue, and follows edits made elsewhere (`workflowEvents`) by reloading once idle.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { EDIT_MUTATIONS, WORKFLOW, WORKFLOW_EVENTS } from '../api/documents';
import { ApiError, toApiError } from '../api/errors';
import type { WfConnection, WfNode, WorkflowDetail } from '../api/types';
import { useNotify } from '../ui/notices';
import { CommandQueue } from './commandQueue';
import { applyAll, makeAction, type Action, type Command, type Graph } from './model';
import { describeCommand, mutationVariables } from './send';
import { withNames } from '../versions/diff';

/** The definition without the `__typename` fields the GraphQL client adds (they are not valid inputs). */
export function plainGraph(definition: { nodes: WfNode[]; connections: WfConnection[] }): Graph {
  return {
    nodes: definition.nodes.map(({ id, type, typeVersion, name, position, parameters, credentials, disabled, notes, onError, retry, style }) => ({
      id, type, typeVersion, name, position: { x: position.x, y: position.y }, parameters, credentials, disabled, notes, onError, retry, style,
    })),
    connections: definition.connections.map(({ source, sourceOutput, target, targetInput, kind }) => ({ source, sourceOutput, target, targetInput, kind })),
  };
}

export interface RemoteEdit { version: number; actor: string; summary: string }

export interface WorkflowSync {
  workflow: WorkflowDetail | null;
  graph: Graph;
  loadError: string | null;
  saving: boolean;
  version: number;
  lastRemote: RemoteEdit | null;
  /** Applies and sends an action, recording it for undo. */
  commit(label: string, forward: Command[]): void;
  undo(): void;
  redo(): void;
  canUndo: boolean;
  canRedo: boolean;
  /** Holds remote reloads back while a drag is in progress. */
  setInteracting(busy: boolean): void;
  reload(): Promise<void>;
  /** Sets workflow fields after a mutation outside the queue (rename, restore, …). */
  observeVersion(version: number): void;
  /** Resolves once every edit made so far has been answered (at once when none is pending). */
  whenSaved(): Promise<void>;
}

export function useWorkflowSync(workflowId: string): WorkflowSync {
  const client = useClient();
  const notify = useNotify();
  const [workflow, setWorkflow] = useState<WorkflowDetail | null>(null);
  const [graph, setGraphState] = useState<Graph>({ nodes: [], connections: [] });
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [version, setVersion] = useState(0);
  const [lastRemote, setLastRemote] = useState<RemoteEdit | null>(null);
  const [historySize, setHistorySize] = useState({ undo: 0, redo: 0 });
  const graphRef = useRef(graph);
  const queueRef = useRef<CommandQueue | null>(null);
  const undoStack = useRef<Action[]>([]);
  const redoStack = useRef<Action[]>([]);
  const remoteSeen = useRef(0);
  /** The newest event not (yet) known to be ours; shown once it causes a reload. */
  const newestRemote = useRef<RemoteEdit | null>(null);
  const edits = useRef(0);
  const interacting = useRef(false);
  const loading = useRef(false);
  const savedWaiters = useRef<(() => void)[]>([]);

  const setGraph = useCallback((next: Graph) => {
    graphRef.current = next;
    setGraphState(next);
  }, []);

  const syncHistory = () => setHistorySize({ undo: undoStack.current.length, redo: redoStack.current.length });

  const reload = useCallback(async () => {
    if (loading.current) return;
    loading.current = true;
    const editsAtStart = edits.current;
    try {
      const response = await client.query(WORKFLOW, { id: workflowId }, { requestPolicy: 'network-only' }).toPromise();
      if (response.error) {
        setLoadError(toApiError(response.error).message);
        return;
      }
      const detail = (response.data as { workflow: WorkflowDetail }).workflow;
      const queue = queueRef.current;
      // A local edit made while this load was in flight would be overwritten: load again later.
      if (queue && (queue.pending > 0 || edits.current !== editsAtStart)) return;
      // Read models not yet at a version this client already has: try again shortly.
      if (queue && detail.version < queue.version) {
        setTimeout(() => void reloadRef.current(), 200);
        return;
      }
      setLoadError(null);
      setWorkflow(detail);
      setGraph(plainGraph(detail.definition));
      if (!queue) queueRef.current = createQueue(detail.version);
      else queue.observe(detail.version);
      setVersion(Math.max(detail.version, queueRef.current!.version));
    } finally {
      loading.current = false;
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, workflowId, setGraph]);

  const reloadRef = useRef(reload);
  useEffect(() => {
    reloadRef.current = reload;
  }, [reload]);

  const catchUp = useCallback(() => {
    const queue = queueRef.current;
    if (!queue || queue.pending > 0 || interacting.current) return;
    if (remoteSeen.current > queue.version) {
      // Newer than every answer to our own edits: someone else made it.
      if (newestRemote.current && newestRemote.current.version > queue.version) setLastRemote(newestRemote.current);
      void reload();
    }
  }, [reload]);

  function createQueue(initial: number): CommandQueue {
    return new CommandQueue(initial, {
      async send(command, expectedVersion) {
        const response = await client
          .mutation(EDIT_MUTATIONS[command.kind], { ...mutationVariables(command), workflowId, expectedVersion })
          .toPromise();
        if (response.error) throw toApiError(response.error);
        const result = Object.values(response.data as Record<string, { version: number }>)[0];
        setVersion((v) => Math.max(v, result.version));
        return result;
      },
      onConflict(error: ApiError, rejected: Command, dropped: Command[]) {
        const names = new Map(graphRef.current.nodes.map((n) => [n.id, n.name]));
        const also = dropped.length ? ` ${dropped.length} later edit(s) were not sent either.` : '';
        notify(
          'warning',
          `Your edit (${describeCommand(rejected, names)}) conflicts with a change made meanwhile (now version ${error.currentVersion ?? '?'}): ${withNames(error.message, names)}. It was not applied.${also} The canvas now shows the current workflow; make the edit again if you still want it.`,
        );
        undoStack.current = [];
        redoStack.current = [];
        syncHistory();
        void reload();
      },
      onError(error: ApiError, rejected: Command, dropped: Command[]) {
        const names = new Map(graphRef.current.nodes.map((n) => [n.id, n.name]));
        const also = dropped.length ? ` ${dropped.length} later edit(s) were not sent.` : '';
        notify('error', `Could not save (${describeCommand(rejected, names)}): ${withNames(error.message, names)}.${also} The canvas was reloaded.`);
        undoStack.current = [];
        redoStack.current = [];
        syncHistory();
        void reload();
      },
      onIdle() {
        setSaving(false);
        const waiters = savedWaiters.current;
        savedWaiters.current = [];
        waiters.forEach((resolve) => resolve());
        catchUp();
      },
    });
  }

  useEffect(() => {
    void reload();
  }, [reload]);

  // Edits made elsewhere: reload once our own edits are answered (theirs and ours both kept).
  const afterVersion = workflow ? workflow.version : null;
  useEffect(() => {
    if (afterVersion === null) return;
    const subscription = client
      .subscription(WORKFLOW_EVENTS, { workflowId, afterVersion })
      .subscribe((result) => {
        const event = (result.data as { workflowEvents?: RemoteEdit } | undefined)?.workflowEvents;
        if (!event) return;
        const queue = queueRef.current;
        if (queue && event.version <= queue.version) return;
        if (event.version > remoteSeen.current) {
          remoteSeen.current = event.version;
          newestRemote.current = event;
        }
        catchUp();
      });
    return () => subscription.unsubscribe();
    // Subscribe once per opened workflow; later versions arrive through the stream itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, workflowId, afterVersion === null]);

  const send = useCallback((commands: Command[]) => {
    const queue = queueRef.current;
    if (!queue || commands.length === 0) return;
    edits.current += 1;
    setGraph(applyAll(graphRef.current, commands));
    setSaving(true);
    commands.forEach((command) => queue.enqueue(command));
  }, [setGraph]);

  const commit = useCallback((label: string, forward: Command[]) => {
    if (forward.length === 0) return;
    undoStack.current.push(makeAction(label, graphRef.current, forward));
    if (undoStack.current.length > 200) undoStack.current.shift();
    redoStack.current = [];
    syncHistory();
    send(forward);
  }, [send]);

  const undo = useCallback(() => {
    const action = undoStack.current.pop();
    if (!action) return;
    redoStack.current.push(action);
    syncHistory();
    send(action.inverse);
  }, [send]);

  const redo = useCallback(() => {
    const action = redoStack.current.pop();
    if (!action) return;
    undoStack.current.push(action);
    syncHistory();
    send(action.forward);
  }, [send]);

  const setInteracting = useCallback((busy: boolean) => {
    interacting.current = busy;
    if (!busy) catchUp();
  }, [catchUp]);

  const observeVersion = useCallback((v: number) => {
    queueRef.current?.observe(v);
    setVersion((old) => Math.max(old, v));
  }, []);

  const whenSaved = useCallback(() => {
    const queue = queueRef.current;
    if (!queue || queue.pending === 0) return Promise.resolve();
    return new Promise<void>((resolve) => savedWaiters.current.push(resolve));
  }, []);

  return {
    workflow, graph, loadError, saving, version, lastRemote, commit, undo, redo,
    canUndo: historySize.undo > 0, canRedo: historySize.redo > 0, setInteracting, reload, observeVersion, whenSaved,
  };
}
