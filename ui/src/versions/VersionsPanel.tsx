/**
 * Versions: the history, a visual diff of two versions on a canvas, and restore. The editor
 * remounts it (keyed by version) whenever the workflow gets a new version, so the list refreshes.
 */
import { useMemo, useState } from 'react';
import { ReactFlow, ReactFlowProvider, Background, type Edge } from '@xyflow/react';
import { useClient, useQuery } from 'urql';
import { DIFF, REVERT_WORKFLOW, VERSIONS } from '../api/documents';
import { toApiError } from '../api/errors';
import type { DefinitionDiff, Definition, NodeType, WorkflowVersion } from '../api/types';
import { syncFlowNodes, toEdge } from '../editor/flow';
import { WeftNodeComponent, StickyComponent, type WeftFlowNode } from '../editor/WeftNode';
import { setQueryParam, useLocation } from '../router';
import { useNotify } from '../ui/notices';
import { diffGraph, diffLines, withNames } from './diff';
import { actorLabel } from '../users/actors';
import { usePeople } from '../users/usePeople';

const nodeTypes = { weft: WeftNodeComponent, sticky: StickyComponent };

interface Props {
  workflowId: string;
  currentVersion: number;
  editable: boolean;
  types: Map<string, NodeType>;
  /** Node names by id, to show names where summaries carry ids. */
  nodeNames: Map<string, string>;
  onRestored(version: number): void;
}

export default function VersionsPanel({ workflowId, currentVersion, editable, types, nodeNames, onRestored }: Props) {
  const people = usePeople();
  const { query } = useLocation();
  const [result, refetch] = useQuery<{ workflow: { versions: WorkflowVersion[] } }>({ query: VERSIONS, variables: { id: workflowId }, requestPolicy: 'cache-and-network' });
  const versions = useMemo(() => (result.data?.workflow.versions ?? []).toReversed(), [result.data]);
  const to = Number(query.get('to') ?? currentVersion) || currentVersion;
  const from = Number(query.get('from') ?? Math.max(1, to - 1)) || 1;
  const [restoring, setRestoring] = useState(false);
  const client = useClient();
  const notify = useNotify();

  async function restore(version: number) {
    if (!window.confirm(`Restore version ${version}? Its definition becomes a new version; nothing is deleted.`)) return;
    setRestoring(true);
    const response = await client.mutation(REVERT_WORKFLOW, { workflowId, version, expectedVersion: currentVersion }).toPromise();
    setRestoring(false);
    if (response.error) notify('error', `Could not restore version ${version}: ${toApiError(response.error).message}`);
    else {
      const v = (response.data as { revertWorkflow: { version: number } }).revertWorkflow.version;
      notify('info', `Version ${version} restored as version ${v}.`);
      setQueryParam('to', null);
      setQueryParam('from', null);
      onRestored(v);
      refetch({ requestPolicy: 'network-only' });
    }
  }

  return (
    <aside className="versions" aria-label="Versions">
      <h2>Versions</h2>
      <p className="muted">Compare: choose “from” and “to”. Restoring makes an old definition current as a new version.</p>
      {result.error && <p className="error" role="alert">{toApiError(result.error).message}</p>}
      {result.fetching && !result.data && <p className="loading">Loading history…</p>}
      <ol className="version-list">
        {versions.map((v) => (
          <li key={v.version} className={v.version === to ? 'to' : v.version === from ? 'from' : ''} data-testid="version-row">
            <div className="version-head">
              <strong>v{v.version}</strong> <span>{withNames(v.summary, nodeNames)}</span>
            </div>
            <div className="muted">{actorLabel(v.actor, people)} · {new Date(v.recordedAt).toLocaleString()}</div>
            <div className="version-actions">
              <button type="button" aria-pressed={v.version === from} onClick={() => setQueryParam('from', String(v.version))}>From</button>
              <button type="button" aria-pressed={v.version === to} onClick={() => setQueryParam('to', String(v.version))}>To</button>
              {editable && v.version !== currentVersion && (
                <button type="button" disabled={restoring} onClick={() => restore(v.version)}>Restore</button>
              )}
            </div>
          </li>
        ))}
      </ol>
      {from !== to && <DiffView workflowId={workflowId} from={Math.min(from, to)} to={Math.max(from, to)} types={types} />}
    </aside>
  );
}

function DiffView({ workflowId, from, to, types }: { workflowId: string; from: number; to: number; types: Map<string, NodeType> }) {
  const [result] = useQuery<{ workflow: { diff: DefinitionDiff; before: Definition; after: Definition } }>({ query: DIFF, variables: { id: workflowId, from, to } });
  const data = result.data?.workflow;
  const view = useMemo(() => {
    if (!data) return null;
    const graph = diffGraph(data.diff, data.before, data.after);
    const marks = new Map(graph.nodes.map((n) => [n.node.id, n.mark]));
    const nodes = syncFlowNodes([], { nodes: graph.nodes.map((n) => n.node), connections: graph.connections.map((c) => c.connection) }, types).map((n) => {
      const mark = marks.get(n.id);
      return { ...n, draggable: false, data: { ...n.data, diff: mark === 'same' ? undefined : mark } } as WeftFlowNode;
    });
    const edges: Edge[] = graph.connections.map((c) => toEdge(c.connection, false, c.mark === 'same' ? undefined : `diff-${c.mark}`));
    const names = new Map([...data.before.nodes, ...data.after.nodes].map((n) => [n.id, n.name]));
    return { nodes, edges, lines: diffLines(data.diff, names) };
  }, [data, types]);
  if (result.error) return <p className="error" role="alert">{toApiError(result.error).message}</p>;
  if (!view || !data) return <p className="loading">Comparing v{from} and v{to}…</p>;
  return (
    <section className="diff" aria-label={`Differences from v${from} to v${to}`}>
      <h3>v{from} → v{to}</h3>
      <div className="diff-canvas">
        <ReactFlowProvider>
          <ReactFlow nodes={view.nodes} edges={view.edges} nodeTypes={nodeTypes} fitView nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} proOptions={{ hideAttribution: true }}>
            <Background gap={20} />
          </ReactFlow>
        </ReactFlowProvider>
      </div>
      <p className="legend"><span className="diff-added">added</span> <span className="diff-changed">changed</span> <span className="diff-removed">removed</span></p>
      {data.diff.isEmpty ? (
        <p className="muted">The two versions have the same definition.</p>
      ) : (
        view.lines.map((group) => (
          <div key={group.heading} className="diff-group">
            <h4>{group.heading}</h4>
            <ul>{group.lines.map((line, i) => <li key={i}>{line}</li>)}</ul>
          </div>
        ))
      )}
    </section>
  );
}
