/** The workflow editor: canvas, node library, node details and the versions panel. */
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import {
  Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, applyNodeChanges, useReactFlow,
  type Connection, type Edge, type EdgeChange, type NodeChange, type OnDelete,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useClient, useQuery } from 'urql';
import { EDIT_MUTATIONS, NODE_TYPES } from '../api/documents';
import { toApiError } from '../api/errors';
import { canEdit, currentRole } from '../api/session';
import type { NodeType, WfNode } from '../api/types';
import { navigate } from '../router';
import { useNotify } from '../ui/notices';
import { connectionFromHandles, syncFlowNodes, toEdge } from './flow';
import { connectionId, freeSpot, newNode, sameConnection, type Command } from './model';
import { DRAG_TYPE, NodeLibrary } from './NodeLibrary';
import { tidyUp } from './layout';
import { contextFor } from '../details/expression';
import { WorkflowSettingsDialog } from './WorkflowSettingsDialog';
import { nextEnvironment, PromoteDialog } from '../versions/PromoteDialog';
import { copyNodes, pasteNodes } from './clipboard';
import { useWorkflowSync, type WorkflowSync } from './useWorkflowSync';
import { useRun } from '../executions/useRun';
import { carriedBy, isFinal } from '../executions/replay';
import { RunBar } from '../executions/RunBar';
import { StickyComponent, WeftNodeComponent, type WeftFlowNode } from './WeftNode';
import { Presence } from './Presence';
import { actorLabel } from '../users/actors';
import { usePeople } from '../users/usePeople';

const NodeDetails = lazy(() => import('../details/NodeDetails'));
const VersionsPanel = lazy(() => import('../versions/VersionsPanel'));

const nodeTypes = { weft: WeftNodeComponent, sticky: StickyComponent };

function isTyping(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.tagName === 'INPUT' || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT' || element.isContentEditable || !!element.closest?.('.cm-editor'));
}

export default function Editor({ workflowId, showVersions }: { workflowId: string; showVersions: boolean }) {
  const sync = useWorkflowSync(workflowId);
  const [types] = useQuery<{ nodeTypes: NodeType[] }>({ query: NODE_TYPES, requestPolicy: 'cache-first' });
  if (sync.loadError && !sync.workflow) {
    return (
      <div className="empty">
        <h1>Cannot open this workflow</h1>
        <p className="error" role="alert">{sync.loadError}</p>
        <button type="button" onClick={() => navigate('/workflows')}>Back to workflows</button>
      </div>
    );
  }
  if (!sync.workflow || !types.data) {
    return <p className="loading">{types.error ? toApiError(types.error).message : 'Loading workflow…'}</p>;
  }
  return (
    <ReactFlowProvider>
      <EditorCanvas sync={sync} types={types.data.nodeTypes} showVersions={showVersions} />
    </ReactFlowProvider>
  );
}

function EditorCanvas({ sync, types, showVersions }: { sync: WorkflowSync; types: NodeType[]; showVersions: boolean }) {
  const workflow = sync.workflow!;
  const { graph, commit } = sync;
  const flow = useReactFlow();
  const client = useClient();
  const notify = useNotify();
  const people = usePeople();
  const editable = canEdit(currentRole()) && !workflow.archived && workflow.environment !== 'PRODUCTION';
  const typesByName = useMemo(() => new Map(types.map((t) => [t.name, t])), [types]);
  const [rfNodes, setRfNodes] = useState<WeftFlowNode[]>([]);
  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  const [libraryOpen, setLibraryOpen] = useState(false);
  const [detailsFor, setDetailsFor] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [promoting, setPromoting] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const promotable = canEdit(currentRole()) && !workflow.archived && nextEnvironment(workflow.environment) !== null;
  const dragStart = useRef<Map<string, { x: number; y: number }>>(new Map());
  const wrapper = useRef<HTMLDivElement>(null);

  // React Flow keeps view state (selection, drag positions) in its nodes: re-derive them when the graph changes.
  const [syncedWith, setSyncedWith] = useState<{ graph: typeof graph; types: typeof typesByName } | null>(null);
  if (!syncedWith || syncedWith.graph !== graph || syncedWith.types !== typesByName) {
    setSyncedWith({ graph, types: typesByName });
    setRfNodes((previous) => syncFlowNodes(previous, graph, typesByName));
  }
  const run = useRun(workflow.id);
  const runState = run.state;
  const carried = useMemo(() => new Set(runState ? carriedBy(graph.connections, runState).map(connectionId) : []), [graph.connections, runState]);
  const edges = useMemo(
    () => graph.connections.map((c) => toEdge(c, selectedEdges.has(connectionId(c)), carried.has(connectionId(c)) ? 'traversed' : undefined)),
    [graph.connections, selectedEdges, carried],
  );
  // Run states go on the nodes shown, not into the editing state.
  const shownNodes = useMemo(() => {
    if (!runState) return rfNodes;
    return rfNodes.map((n) => {
      const state = runState.nodes.get(n.id);
      return state === n.data.run ? n : ({ ...n, data: { ...n.data, run: state } } as WeftFlowNode);
    });
  }, [rfNodes, runState]);
  const selectedNodes = useMemo(() => rfNodes.filter((n) => n.selected).map((n) => n.data.node), [rfNodes]);

  const onNodesChange = useCallback((changes: NodeChange<WeftFlowNode>[]) => {
    // Removals go through onDelete (one undoable action); the rest is local view state.
    setRfNodes((nodes) => applyNodeChanges(changes.filter((c) => c.type !== 'remove'), nodes));
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setSelectedEdges((current) => {
      let next: Set<string> | null = null;
      for (const change of changes) {
        if (change.type !== 'select') continue;
        next ??= new Set(current);
        if (change.selected) next.add(change.id);
        else next.delete(change.id);
      }
      return next ?? current;
    });
  }, []);

  const addNodeOfType = useCallback((type: NodeType, at?: { x: number; y: number }) => {
    if (!editable) return;
    const anchor = selectedNodes.length === 1 ? selectedNodes[0] : null;
    let position = at;
    if (!position) {
      if (anchor) position = freeSpot({ x: anchor.position.x + 260, y: anchor.position.y }, graph.nodes);
      else {
        const box = wrapper.current?.getBoundingClientRect();
        position = flow.screenToFlowPosition({ x: (box?.left ?? 0) + (box?.width ?? 800) / 2, y: (box?.top ?? 0) + (box?.height ?? 600) / 2 });
        position = freeSpot({ x: position.x - 90, y: position.y - 32 }, graph.nodes);
      }
    }
    const node = newNode(type, position, graph.nodes);
    const commands: Command[] = [{ kind: 'addNode', node }];
    // As in n8n: a node added while one node is selected is connected after it.
    if (!at && anchor && type.ports.inputs.length > 0 && !type.trigger) {
      commands.push({ kind: 'addConnection', connection: { source: anchor.id, sourceOutput: 0, target: node.id, targetInput: 0, kind: 'MAIN' } });
    }
    commit(`Add ${node.name}`, commands);
    setRfNodes((nodes) => nodes.map((n) => (n.selected ? { ...n, selected: false } : n)));
    setLibraryOpen(false);
  }, [editable, selectedNodes, flow, graph.nodes, commit]);

  const onConnect = useCallback((params: Connection) => {
    if (!editable) return;
    const connection = connectionFromHandles(params.source, params.sourceHandle, params.target, params.targetHandle);
    if (!connection || graph.connections.some((c) => sameConnection(c, connection))) return;
    commit('Connect', [{ kind: 'addConnection', connection }]);
  }, [editable, graph.connections, commit]);

  const onDelete: OnDelete<WeftFlowNode, Edge> = useCallback(({ nodes, edges: removedEdges }) => {
    if (!editable) return;
    const removedIds = new Set(nodes.map((n) => n.id));
    const commands: Command[] = [];
    for (const edge of removedEdges) {
      const connection = graph.connections.find((c) => connectionId(c) === edge.id);
      if (connection && !removedIds.has(connection.source) && !removedIds.has(connection.target)) commands.push({ kind: 'removeConnection', connection });
    }
    for (const id of removedIds) commands.push({ kind: 'removeNode', nodeId: id });
    commit(nodes.length ? `Delete ${nodes.length} node(s)` : 'Delete connection', commands);
    setSelectedEdges(new Set());
    if (detailsFor && removedIds.has(detailsFor)) setDetailsFor(null);
  }, [editable, graph.connections, commit, detailsFor]);

  const onNodeDragStart = useCallback((_: unknown, __: unknown, nodes: WeftFlowNode[]) => {
    sync.setInteracting(true);
    dragStart.current = new Map(nodes.map((n) => [n.id, n.data.node.position]));
  }, [sync]);

  const onNodeDragStop = useCallback((_: unknown, __: unknown, nodes: WeftFlowNode[]) => {
    const commands: Command[] = [];
    for (const n of nodes) {
      const before = dragStart.current.get(n.id);
      const position = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
      if (before && (before.x !== position.x || before.y !== position.y)) commands.push({ kind: 'moveNode', nodeId: n.id, position });
    }
    if (editable) commit(commands.length > 1 ? `Move ${commands.length} nodes` : 'Move node', commands);
    else setRfNodes((previous) => syncFlowNodes(previous.map((p) => ({ ...p, data: { ...p.data } })), graph, typesByName));
    sync.setInteracting(false);
  }, [editable, commit, sync, graph, typesByName]);

  const onDrop = useCallback((event: DragEvent) => {
    event.preventDefault();
    const type = typesByName.get(event.dataTransfer.getData(DRAG_TYPE));
    if (!type) return;
    const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    addNodeOfType(type, { x: position.x - 90, y: position.y - 32 });
  }, [typesByName, flow, addNodeOfType]);

  const toggleDisabled = useCallback(() => {
    if (!editable || selectedNodes.length === 0) return;
    const disable = selectedNodes.some((n) => !n.disabled);
    commit(disable ? 'Disable' : 'Enable', selectedNodes.map((n) => ({ kind: 'updateNode', nodeId: n.id, changes: { disabled: disable } })));
  }, [editable, selectedNodes, commit]);

  const running = !!runState && !isFinal(runState.status);
  const canRun = canEdit(currentRole()) && !sync.saving && !run.starting && !running && graph.nodes.length > 0;

  const tidy = useCallback(() => {
    if (!editable) return;
    const moves = tidyUp(graph);
    if (moves.length === 0) notify('info', 'The workflow is already tidy.');
    else {
      commit('Tidy up', moves);
      setTimeout(() => flow.fitView({ duration: 200, maxZoom: 1 }), 50);
    }
  }, [editable, graph, commit, notify, flow]);

  const renameNode = useCallback((node: WfNode, name: string) => {
    const trimmed = name.trim();
    if (!trimmed || trimmed === node.name) return;
    if (graph.nodes.some((n) => n.id !== node.id && n.name === trimmed)) {
      notify('error', `Another node is already named “${trimmed}”: node names are unique within a workflow.`);
      return;
    }
    commit('Rename node', [{ kind: 'updateNode', nodeId: node.id, changes: { name: trimmed } }]);
  }, [graph.nodes, commit, notify]);

  // Keyboard shortcuts as in n8n.
  useEffect(() => {
    async function onKey(event: KeyboardEvent) {
      if (isTyping(event.target)) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && key === 'z' && !event.shiftKey) { event.preventDefault(); if (editable) sync.undo(); }
      else if (mod && (key === 'y' || (key === 'z' && event.shiftKey))) { event.preventDefault(); if (editable) sync.redo(); }
      else if (event.key === 'Tab' && !mod) { event.preventDefault(); if (editable) setLibraryOpen(true); }
      else if (event.key === 'Enter' && selectedNodes.length === 1) { event.preventDefault(); setDetailsFor(selectedNodes[0].id); }
      else if (event.key === 'F2' && selectedNodes.length === 1) { event.preventDefault(); setRenaming(selectedNodes[0].id); }
      else if (key === 'd' && !mod && selectedNodes.length > 0) { event.preventDefault(); toggleDisabled(); }
      else if (mod && key === 'c' && selectedNodes.length > 0) {
        await copyNodes(selectedNodes, graph.connections);
        notify('info', `Copied ${selectedNodes.length} node(s) as JSON.`);
      } else if (mod && key === 'v' && editable) {
        const pasted = await pasteNodes(graph.nodes);
        if (pasted.error) notify('error', pasted.error);
        else if (pasted.commands.length) commit('Paste', pasted.commands);
      } else if (mod && key === 'a') {
        event.preventDefault();
        setRfNodes((nodes) => nodes.map((n) => ({ ...n, selected: true })));
      } else if (event.key === '1' && event.shiftKey) flow.fitView({ duration: 200 });
      else if (event.shiftKey && event.altKey && event.code === 'KeyT') { event.preventDefault(); tidy(); }
      else if (mod && event.key === 'Enter') { event.preventDefault(); if (canRun) void run.start(); }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [editable, sync, selectedNodes, toggleDisabled, graph, commit, notify, flow, tidy, canRun, run]);

  const renameWorkflow = useCallback(async (name: string) => {
    if (!name.trim() || name.trim() === workflow.name) return;
    const response = await client.mutation(EDIT_MUTATIONS.renameWorkflow, { workflowId: workflow.id, name: name.trim(), expectedVersion: sync.version }).toPromise();
    if (response.error) notify('error', `Could not rename: ${toApiError(response.error).message}`);
    else {
      sync.observeVersion((response.data as { renameWorkflow: { version: number } }).renameWorkflow.version);
      void sync.reload();
    }
  }, [client, workflow, sync, notify]);

  const nodeNames = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n.name])), [graph.nodes]);
  const detailsNode = detailsFor ? graph.nodes.find((n) => n.id === detailsFor) ?? null : null;
  const renamingNode = renaming ? graph.nodes.find((n) => n.id === renaming) ?? null : null;

  return (
    <div className="editor">
      <div className="editor-bar">
        <button type="button" onClick={() => navigate('/workflows')} aria-label="Back to workflows">←</button>
        <input
          className="workflow-name"
          aria-label="Workflow name"
          defaultValue={workflow.name}
          key={workflow.name}
          disabled={!editable}
          onBlur={(event) => renameWorkflow(event.target.value)}
          onKeyDown={(event) => event.key === 'Enter' && (event.target as HTMLInputElement).blur()}
        />
        <span className={`badge env-${workflow.environment.toLowerCase()}`}>{workflow.environment.toLowerCase()}</span>
        {workflow.archived && <span className="badge">archived</span>}
        {workflow.active && <span className="badge active">active</span>}
        <span className="save-state" data-testid="save-state">{sync.saving ? 'Saving…' : `Saved · v${sync.version}`}</span>
        {sync.lastRemote && <span className="muted remote" title={sync.lastRemote.summary}>Updated by {actorLabel(sync.lastRemote.actor, people)}</span>}
        <span className="spacer" />
        <Presence workflowId={workflow.id} />
        <RunBar run={run} running={running} canRun={canRun} saving={sync.saving} destinationName={run.destination ? nodeNames.get(run.destination) : undefined} />
        {editable && (
          <>
            <button type="button" onClick={sync.undo} disabled={!sync.canUndo} title="Undo (Ctrl+Z)">Undo</button>
            <button type="button" onClick={sync.redo} disabled={!sync.canRedo} title="Redo (Ctrl+Shift+Z)">Redo</button>
            <button type="button" onClick={tidy} disabled={graph.nodes.length === 0} title="Tidy up (Shift+Alt+T)">Tidy up</button>
            <button type="button" className="primary" onClick={() => setLibraryOpen(true)} title="Add node (Tab)">+ Node</button>
          </>
        )}
        <button type="button" onClick={() => setSettingsOpen(true)}>Settings</button>
        {promotable && (
          <button type="button" onClick={() => setPromoting(true)} title={`Promote to ${nextEnvironment(workflow.environment) === 'LAUNCHED' ? 'Launched' : 'Production'}`}>
            Promote
          </button>
        )}
        <button
          type="button"
          aria-pressed={showVersions}
          onClick={() => navigate(`/workflows/${encodeURIComponent(workflow.id)}${showVersions ? '' : '/versions'}`)}
        >
          Versions
        </button>
      </div>
      <div className="editor-body">
        <div className="canvas" ref={wrapper} onDragOver={(event) => { event.preventDefault(); event.dataTransfer.dropEffect = 'copy'; }} onDrop={onDrop}>
          <ReactFlow<WeftFlowNode, Edge>
            nodes={shownNodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onDelete={onDelete}
            onNodeDragStart={onNodeDragStart}
            onNodeDragStop={onNodeDragStop}
            onNodeDoubleClick={(_, node) => setDetailsFor(node.id)}
            nodesDraggable
            nodesConnectable={editable}
            elementsSelectable
            deleteKeyCode={editable ? ['Delete', 'Backspace'] : null}
            multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
            selectionOnDrag={false}
            zoomOnDoubleClick={false}
            fitView
            fitViewOptions={{ maxZoom: 1 }}
            minZoom={0.1}
            onlyRenderVisibleElements
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={20} />
            <Controls />
            <MiniMap pannable zoomable />
          </ReactFlow>
          {graph.nodes.length === 0 && editable && (
            <button type="button" className="canvas-empty" onClick={() => setLibraryOpen(true)}>
              Add the first step: press Tab or click here
            </button>
          )}
        </div>
        {libraryOpen && <NodeLibrary types={types} onPick={(type) => addNodeOfType(type)} onClose={() => setLibraryOpen(false)} />}
        <Suspense fallback={null}>
          {detailsNode && (
            <NodeDetails
              key={detailsNode.id}
              step={canEdit(currentRole()) ? {
                canRun,
                running: running && run.destination === detailsNode.id,
                onExecute: async () => {
                  await sync.whenSaved();
                  await run.start(detailsNode.id);
                },
              } : null}
              scope={contextFor(detailsNode.id, graph, workflow.definition.pinData ?? {}, workflow.definition.variables ?? {}, run.data)}
              lastRun={run.data.get(detailsNode.id) ?? null}
              node={detailsNode}
              type={typesByName.get(detailsNode.type)}
              editable={editable}
              nodeNames={graph.nodes.map((n) => n.name)}
              onChange={(changes, label) => commit(label, [{ kind: 'updateNode', nodeId: detailsNode.id, changes }])}
              onClose={() => setDetailsFor(null)}
            />
          )}
          {showVersions && <VersionsPanel key={sync.version} workflowId={workflow.id} currentVersion={sync.version} editable={editable} types={typesByName} nodeNames={nodeNames} onRestored={(v) => { sync.observeVersion(v); void sync.reload(); }} />}
        </Suspense>
      </div>
      {settingsOpen && (
        <WorkflowSettingsDialog
          workflow={workflow}
          version={sync.version}
          editable={editable}
          onClose={() => setSettingsOpen(false)}
          onSaved={(version, message) => {
            sync.observeVersion(version);
            void sync.reload();
            notify('info', message);
          }}
        />
      )}
      {promoting && (
        <PromoteDialog
          workflow={workflow}
          graph={graph}
          version={sync.version}
          onClose={() => setPromoting(false)}
          onPromoted={(message, targetId, version) => {
            setPromoting(false);
            sync.observeVersion(version);
            notify('info', message);
            navigate(`/workflows/${encodeURIComponent(targetId)}`);
          }}
        />
      )}
      {renamingNode && (
        <div className="dialog-backdrop" role="presentation" onClick={() => setRenaming(null)}>
          <form
            className="dialog"
            aria-label="Rename node"
            onClick={(event) => event.stopPropagation()}
            onSubmit={(event) => {
              event.preventDefault();
              renameNode(renamingNode, String(new FormData(event.currentTarget).get('name') ?? ''));
              setRenaming(null);
            }}
          >
            <h2>Rename node</h2>
            <input name="name" aria-label="Node name" defaultValue={renamingNode.name} autoFocus />
            <div className="dialog-buttons">
              <button type="button" onClick={() => setRenaming(null)}>Cancel</button>
              <button type="submit" className="primary">Rename</button>
            </div>
          </form>
        </div>
      )}
    </div>
  );
}
