/** Promote the open workflow to the next environment, showing what changes there first. */
import { useMemo, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { PROMOTE_WORKFLOW, PROMOTION_TARGETS, WORKFLOW } from '../api/documents';
import { toApiError } from '../api/errors';
import type { Environment, WorkflowDetail } from '../api/types';
import type { Graph } from '../editor/model';
import { plainGraph } from '../editor/useWorkflowSync';
import { diffLines, localDiff } from './diff';

/** The environment a workflow is promoted to, or null from Production. */
export function nextEnvironment(environment: Environment): Environment | null {
  if (environment === 'TESTING') return 'LAUNCHED';
  if (environment === 'LAUNCHED') return 'PRODUCTION';
  return null;
}

const LABEL: Record<Environment, string> = { TESTING: 'Testing', LAUNCHED: 'Launched', PRODUCTION: 'Production' };

interface Props {
  workflow: WorkflowDetail;
  graph: Graph;
  version: number;
  onClose(): void;
  onPromoted(message: string, targetId: string, version: number): void;
}

export function PromoteDialog({ workflow, graph, version, onClose, onPromoted }: Props) {
  const target = nextEnvironment(workflow.environment)!;
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [targets] = useQuery<{ workflows: { items: { id: string; name: string; version: number; promotedFrom: { workflowId: string; version: number } | null }[] } }>({
    query: PROMOTION_TARGETS,
    variables: { environment: target },
    requestPolicy: 'network-only',
  });
  const existing = targets.data?.workflows.items.find((w) => w.promotedFrom?.workflowId === workflow.id) ?? null;
  const [targetDetail] = useQuery<{ workflow: WorkflowDetail }>({ query: WORKFLOW, variables: { id: existing?.id ?? '' }, pause: !existing, requestPolicy: 'network-only' });
  const lines = useMemo(() => {
    if (!existing) return null;
    const there = targetDetail.data?.workflow;
    if (!there) return null;
    const before = plainGraph(there.definition);
    const names = new Map([...before.nodes, ...graph.nodes].map((n) => [n.id, n.name]));
    return diffLines(localDiff(before, graph), names);
  }, [existing, targetDetail.data, graph]);

  async function promote() {
    setBusy(true);
    setError(null);
    const response = await client.mutation(PROMOTE_WORKFLOW, { workflowId: workflow.id, targetEnvironment: target, expectedVersion: version }).toPromise();
    setBusy(false);
    if (response.error) {
      setError(toApiError(response.error).message);
      return;
    }
    const result = (response.data as { promoteWorkflow: { version: number; promotedVersion: number; targetWorkflowId: string; targetVersion: number } }).promoteWorkflow;
    onPromoted(`Version ${result.promotedVersion} is now in ${LABEL[target]} (its version ${result.targetVersion}).`, result.targetWorkflowId, result.version);
  }

  const loading = targets.fetching || (existing && targetDetail.fetching);
  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <div className="dialog" role="dialog" aria-label={`Promote to ${LABEL[target]}`} onClick={(event) => event.stopPropagation()}>
        <h2>Promote to {LABEL[target]}</h2>
        <p>
          “{workflow.name}” version {version} goes to {LABEL[target]}
          {existing ? `, replacing what runs there now (from version ${existing.promotedFrom?.version}).` : ': the first promotion creates the workflow there.'}
        </p>
        {targets.error && <p className="error" role="alert">{toApiError(targets.error).message}</p>}
        {loading && <p className="loading">Comparing with {LABEL[target]}…</p>}
        {lines && lines.length === 0 && <p className="muted">{LABEL[target]} already runs this exact definition.</p>}
        {lines && lines.length > 0 && (
          <section className="promote-diff" aria-label={`Changes in ${LABEL[target]}`}>
            {lines.map((group) => (
              <div key={group.heading} className="diff-group">
                <h4>{group.heading}</h4>
                <ul>{group.lines.map((line, i) => <li key={i}>{line}</li>)}</ul>
              </div>
            ))}
          </section>
        )}
        {!existing && !loading && graph.nodes.length > 0 && <p className="muted">{graph.nodes.length} node(s), {graph.connections.length} connection(s).</p>}
        {error && <p className="error" role="alert">{error}</p>}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="button" className="primary" disabled={busy || !!loading} onClick={promote}>{busy ? 'Promoting…' : `Promote to ${LABEL[target]}`}</button>
        </div>
      </div>
    </div>
  );
}
