/**
 * One execution: the exact workflow version that ran with the executed path highlighted, a replay
 * stepper over the recorded events (`?step=N` is a deep link), a timeline of node runs, each
 * node's input and output, logs with a level filter, and stop / retry.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Background, MiniMap, ReactFlow, ReactFlowProvider, type Edge } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useClient, useQuery } from 'urql';
import { DELETE_EXECUTION, EXECUTION, EXECUTION_EVENTS, RETRY_EXECUTION, STOP_EXECUTION, type ExecutionDetail, type LogLevel, type NodeRun } from '../api/executions';
import { NODE_TYPES } from '../api/documents';
import { toApiError } from '../api/errors';
import { canEdit, currentRole } from '../api/session';
import type { NodeType } from '../api/types';
import { syncFlowNodes, toEdge } from '../editor/flow';
import { StickyComponent, WeftNodeComponent, type WeftFlowNode } from '../editor/WeftNode';
import { navigate, setQueryParam, useLocation } from '../router';
import { useNotify } from '../ui/notices';
import { formatDuration, formatTime } from './format';
import { ItemsView } from './ItemsView';
import { foldRun, fromWeftJson, isFinal, traversedBy, type RunEvent } from './replay';

const nodeTypes = { weft: WeftNodeComponent, sticky: StickyComponent };
const PLAY_STEP_MS = 700;

export default function ExecutionView({ executionId }: { executionId: string }) {
  const { query } = useLocation();
  const [minLevel, setMinLevel] = useState<LogLevel>('INFO');
  const [result, refetch] = useQuery<{ execution: ExecutionDetail }>({ query: EXECUTION, variables: { id: executionId, minLevel }, requestPolicy: 'cache-and-network' });
  const [types] = useQuery<{ nodeTypes: NodeType[] }>({ query: NODE_TYPES, requestPolicy: 'cache-first' });
  const client = useClient();
  const execution = result.data?.execution;
  const final = execution ? isFinal(execution.status) : true;

  // While it runs, every new event refreshes the view.
  const refreshing = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (final) return;
    const subscription = client.subscription(EXECUTION_EVENTS, { executionId }).subscribe(() => {
      if (refreshing.current) return;
      refreshing.current = setTimeout(() => {
        refreshing.current = null;
        refetch({ requestPolicy: 'network-only' });
      }, 250);
    });
    return () => subscription.unsubscribe();
  }, [client, executionId, final, refetch]);

  if (result.error && !execution) {
    return (
      <div className="empty">
        <h1>Cannot open this execution</h1>
        <p className="error" role="alert">{toApiError(result.error).message}</p>
        <button type="button" onClick={() => navigate('/executions')}>All executions</button>
      </div>
    );
  }
  if (!execution || !types.data) return <p className="loading">Loading execution…</p>;
  const stepParam = query.get('step');
  const total = execution.replay.events.length;
  const step = stepParam === null ? total : Math.max(0, Math.min(total, Number(stepParam) || 0));
  return (
    <ReactFlowProvider>
      <ExecutionBody execution={execution} types={types.data.nodeTypes} step={step} minLevel={minLevel} setMinLevel={setMinLevel} />
    </ReactFlowProvider>
  );
}

interface BodyProps {
  execution: ExecutionDetail;
  types: NodeType[];
  step: number;
  minLevel: LogLevel;
  setMinLevel(level: LogLevel): void;
}

function ExecutionBody({ execution, types, step, minLevel, setMinLevel }: BodyProps) {
  const client = useClient();
  const notify = useNotify();
  const [selected, setSelected] = useState<string | null>(null);
  const [playing, setPlaying] = useState(false);
  const [onCurrent, setOnCurrent] = useState(false);
  const [busy, setBusy] = useState(false);
  const events = execution.replay.events as RunEvent[];
  const total = events.length;
  const typesByName = useMemo(() => new Map(types.map((t) => [t.name, t])), [types]);
  const graph = useMemo(() => fromWeftJson(execution.replay.definition), [execution.replay.definition]);
  const names = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n.name])), [graph]);
  const state = useMemo(() => foldRun(events, step), [events, step]);
  const baseNodes = useMemo(() => syncFlowNodes([], graph, typesByName), [graph, typesByName]);
  const nodes = useMemo(
    () => baseNodes.map((n) => ({ ...n, draggable: false, selected: n.id === selected, data: { ...n.data, run: state.nodes.get(n.id) } }) as WeftFlowNode),
    [baseNodes, state, selected],
  );
  const traversed = useMemo(() => new Set(traversedBy(execution.path.connections, state).map((c) => `${c.source}:${c.sourceOutput}->${c.target}:${c.targetInput}`)), [execution.path.connections, state]);
  const edges: Edge[] = useMemo(
    () => graph.connections.map((c) => toEdge(c, false, traversed.has(`${c.source}:${c.sourceOutput}->${c.target}:${c.targetInput}`) ? 'traversed' : undefined)),
    [graph.connections, traversed],
  );
  const setStep = (n: number) => setQueryParam('step', String(Math.max(0, Math.min(total, n))));

  // Playing stops by itself at the last step.
  const active = playing && step < total;
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(() => setQueryParam('step', String(step + 1)), PLAY_STEP_MS);
    return () => clearTimeout(timer);
  }, [active, step]);

  async function retry(from: 'FAILED_NODE' | 'START') {
    setBusy(true);
    const response = await client.mutation(RETRY_EXECUTION, { id: execution.id, from, version: onCurrent ? 'CURRENT' : 'ORIGINAL' }).toPromise();
    setBusy(false);
    if (response.error) return notify('error', `Could not retry: ${toApiError(response.error).message}`);
    const id = (response.data as { retryExecution: { executionId: string } }).retryExecution.executionId;
    notify('info', 'Retry started.');
    navigate(`/executions/${encodeURIComponent(id)}`);
  }

  async function stop() {
    setBusy(true);
    const response = await client.mutation(STOP_EXECUTION, { id: execution.id }).toPromise();
    setBusy(false);
    if (response.error) notify('error', `Could not stop: ${toApiError(response.error).message}`);
  }

  async function remove() {
    if (!window.confirm('Delete this execution? It leaves the executions list for good (the audit log keeps that you deleted it).')) return;
    setBusy(true);
    const response = await client.mutation(DELETE_EXECUTION, { id: execution.id }).toPromise();
    setBusy(false);
    if (response.error) return notify('error', `Could not delete: ${toApiError(response.error).message}`);
    notify('info', 'Execution deleted.');
    // Replace: going back must not land on the deleted execution.
    navigate(`/executions?workflow=${encodeURIComponent(execution.workflowId)}`, true);
  }

  const current = step > 0 ? events[step - 1] : null;
  const currentNode = current ? (current.nodeId ?? (current.payload as { nodeId?: string }).nodeId ?? ((current.payload[current.type] as { nodeId?: string } | undefined)?.nodeId)) : null;
  const runsOfSelected = execution.nodeRuns.filter((r) => r.nodeId === selected);
  const editable = canEdit(currentRole());
  const status = execution.status.toLowerCase();
  return (
    <div className="execution">
      <div className="editor-bar">
        <button type="button" onClick={() => navigate(`/executions?workflow=${encodeURIComponent(execution.workflowId)}`)} aria-label="Executions of this workflow">←</button>
        <strong>{execution.workflow?.name ?? execution.workflowId}</strong>
        <span className="muted">version {execution.workflowVersion}</span>
        <span className={`run-status run-status-${status}`} data-testid="execution-status">{status}</span>
        <span className="muted">{execution.trigger} · {execution.mode} · {formatTime(execution.startedAt ?? execution.queuedAt)} · {formatDuration(execution.durationMs)}</span>
        <span className="spacer" />
        {execution.workflow && (
          <button type="button" onClick={() => navigate(`/workflows/${encodeURIComponent(execution.workflowId)}`)}>Open workflow</button>
        )}
        {!isFinal(status) && editable && <button type="button" disabled={busy} onClick={stop}>Stop</button>}
        {isFinal(status) && editable && (
          <>
            <label className="check"><input type="checkbox" checked={onCurrent} onChange={(e) => setOnCurrent(e.target.checked)} /> on the current version</label>
            {status === 'failed' && <button type="button" disabled={busy} onClick={() => retry('FAILED_NODE')}>Retry from failed node</button>}
            <button type="button" disabled={busy} onClick={() => retry('START')}>Retry from start</button>
            <button type="button" disabled={busy} onClick={remove}>Delete</button>
          </>
        )}
      </div>
      {execution.error && (
        <p className="error execution-error" role="alert">
          {execution.errorNodeId ? `${names.get(execution.errorNodeId) ?? execution.errorNodeId}: ` : ''}{execution.error.message ?? JSON.stringify(execution.error)}
        </p>
      )}
      <div className="execution-body">
        <div className="execution-main">
          <div className="canvas execution-canvas">
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              nodesDraggable={false}
              nodesConnectable={false}
              onNodeClick={(_, node) => setSelected(node.id)}
              onPaneClick={() => setSelected(null)}
              fitView
              fitViewOptions={{ maxZoom: 1 }}
              zoomOnDoubleClick={false}
              proOptions={{ hideAttribution: true }}
            >
              <Background gap={20} />
              <MiniMap pannable zoomable />
            </ReactFlow>
          </div>
          <div className="replay" aria-label="Replay">
            <button type="button" aria-label="First step" onClick={() => { setPlaying(false); setStep(0); }} disabled={step === 0}>|◀</button>
            <button type="button" aria-label="Previous step" onClick={() => { setPlaying(false); setStep(step - 1); }} disabled={step === 0}>◀</button>
            <button type="button" aria-label={active ? 'Pause' : 'Play'} onClick={() => { if (step >= total) setStep(0); setPlaying(!active); }}>{active ? 'Pause' : 'Play'}</button>
            <button type="button" aria-label="Next step" onClick={() => { setPlaying(false); setStep(step + 1); }} disabled={step >= total}>▶</button>
            <button type="button" aria-label="Last step" onClick={() => { setPlaying(false); setStep(total); }} disabled={step >= total}>▶|</button>
            <input type="range" aria-label="Replay position" min={0} max={total} value={step} onChange={(e) => { setPlaying(false); setStep(Number(e.target.value)); }} />
            <span data-testid="replay-step">
              Step {step} of {total}{current ? `: ${current.type}${currentNode ? ` · ${names.get(currentNode) ?? currentNode}` : ''}` : ': before the start'}
            </span>
          </div>
          <Timeline runs={execution.nodeRuns} names={names} start={execution.startedAt ?? execution.queuedAt} onPick={setSelected} />
        </div>
        <aside className="details execution-side" aria-label="Execution details">
          {selected ? (
            <>
              <div className="details-head">
                <h2>{names.get(selected) ?? selected}</h2>
                <button type="button" aria-label="Close node data" onClick={() => setSelected(null)}>×</button>
              </div>
              {runsOfSelected.length === 0 && <p className="muted">This node did not run.</p>}
              {runsOfSelected.map((run) => (
                <div key={run.runIndex} className="node-run">
                  <p className="muted">
                    Run {run.runIndex + 1}: {run.status}, {formatDuration(run.durationMs)}{run.attempts > 1 ? `, ${run.attempts} attempts` : ''}{run.pinned ? ', pinned data' : ''}
                  </p>
                  {run.error && <p className="error">{run.error.message ?? JSON.stringify(run.error)}</p>}
                  <ItemsView title="Input" ports={run.inputs} />
                  <ItemsView title="Output" ports={run.outputs} />
                </div>
              ))}
            </>
          ) : (
            <Logs logs={execution.logs} names={names} minLevel={minLevel} setMinLevel={setMinLevel} />
          )}
        </aside>
      </div>
    </div>
  );
}

function Timeline({ runs, names, start, onPick }: { runs: NodeRun[]; names: Map<string, string>; start: string; onPick(id: string): void }) {
  const t0 = new Date(start).getTime();
  const ends = runs.map((r) => new Date(r.finishedAt ?? r.startedAt).getTime());
  const span = Math.max(1, ...ends.map((e) => e - t0));
  return (
    <section className="timeline" aria-label="Timeline">
      {runs.map((run) => {
        const left = ((new Date(run.startedAt).getTime() - t0) / span) * 100;
        const width = Math.max(0.5, ((run.durationMs ?? 0) / span) * 100);
        return (
          <button type="button" key={`${run.nodeId}-${run.runIndex}`} className="timeline-row" onClick={() => onPick(run.nodeId)}>
            <span className="timeline-name">{names.get(run.nodeId) ?? run.nodeId}{run.runIndex > 0 ? ` #${run.runIndex + 1}` : ''}</span>
            <span className="timeline-track">
              <span className={`timeline-bar run-badge-${run.status}`} style={{ left: `${Math.min(99, left)}%`, width: `${Math.min(100 - Math.min(99, left), width)}%` }} />
            </span>
            <span className="timeline-info">{formatDuration(run.durationMs)}{run.attempts > 1 ? ` · ${run.attempts} attempts` : ''}</span>
          </button>
        );
      })}
    </section>
  );
}

function Logs({ logs, names, minLevel, setMinLevel }: { logs: ExecutionDetail['logs']; names: Map<string, string>; minLevel: LogLevel; setMinLevel(level: LogLevel): void }) {
  return (
    <section className="logs" aria-label="Logs">
      <div className="details-head">
        <h2>Logs</h2>
        <label className="filter">
          Level
          <select value={minLevel} onChange={(e) => setMinLevel(e.target.value as LogLevel)}>
            <option value="DEBUG">debug and above</option>
            <option value="INFO">info and above</option>
            <option value="WARN">warnings and errors</option>
            <option value="ERROR">errors</option>
          </select>
        </label>
      </div>
      <p className="muted">Click a node or a timeline row for its items.</p>
      <ol className="log-lines">
        {logs.map((line) => (
          <li key={line.sequence} className={`log-${line.level.toLowerCase()}`}>
            <span className="muted">{new Date(line.recordedAt).toLocaleTimeString()}</span> <strong>{line.level}</strong>{' '}
            {line.nodeId ? `${names.get(line.nodeId) ?? line.nodeId}: ` : ''}{line.message}
          </li>
        ))}
      </ol>
    </section>
  );
}

