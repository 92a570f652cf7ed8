/** Executions: newest first, filtered by workflow, status, trigger and environment; live for one workflow. */
import { useEffect, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { EXECUTIONS, WORKFLOW_EXECUTIONS, type ExecutionSummary } from '../api/executions';
import { toApiError } from '../api/errors';
import { navigate, setQueryParam, useLocation } from '../router';
import { formatDuration, formatTime } from './format';

const STATUSES = ['QUEUED', 'RUNNING', 'WAITING', 'SUCCEEDED', 'FAILED', 'CANCELED'];
const TRIGGERS = ['MANUAL', 'WEBHOOK', 'SCHEDULE', 'ERROR', 'SUB_WORKFLOW', 'RETRY'];
const ENVIRONMENTS = ['TESTING', 'LAUNCHED', 'PRODUCTION'];

function Select({ label, param, value, options }: { label: string; param: string; value: string; options: string[] }) {
  return (
    <label className="filter">
      {label}
      <select value={value} onChange={(e) => setQueryParam(param, e.target.value || null, false)}>
        <option value="">Any</option>
        {options.map((o) => <option key={o} value={o}>{o.toLowerCase().replace('_', ' ')}</option>)}
      </select>
    </label>
  );
}

export default function ExecutionsList() {
  const { query } = useLocation();
  const workflowId = query.get('workflow');
  const status = query.get('status') ?? '';
  const trigger = query.get('trigger') ?? '';
  const environment = query.get('environment') ?? '';
  const client = useClient();
  const variables = { workflowId, status: status || null, trigger: trigger || null, environment: environment || null };
  const [result, refetch] = useQuery<{ executions: { items: ExecutionSummary[]; nextCursor: string | null } }>({ query: EXECUTIONS, variables, requestPolicy: 'cache-and-network' });
  const [more, setMore] = useState<{ key: string; items: ExecutionSummary[]; cursor: string | null }>({ key: '', items: [], cursor: null });
  const key = JSON.stringify(variables);
  const extra = more.key === key ? more : { key, items: [], cursor: null };

  // One workflow's executions update live; the list across workflows refreshes on demand.
  useEffect(() => {
    if (!workflowId) return;
    const subscription = client.subscription(WORKFLOW_EXECUTIONS, { workflowId }).subscribe(() => refetch({ requestPolicy: 'network-only' }));
    return () => subscription.unsubscribe();
  }, [client, workflowId, refetch]);

  const first = result.data?.executions.items ?? [];
  const items = [...first, ...extra.items.filter((e) => !first.some((f) => f.id === e.id))];
  const cursor = extra.items.length ? extra.cursor : (result.data?.executions.nextCursor ?? null);

  async function loadMore() {
    const response = await client.query(EXECUTIONS, { ...variables, after: cursor }, { requestPolicy: 'network-only' }).toPromise();
    if (response.data) {
      const page = (response.data as { executions: { items: ExecutionSummary[]; nextCursor: string | null } }).executions;
      setMore({ key, items: [...extra.items, ...page.items], cursor: page.nextCursor });
    }
  }

  const workflowName = first.find((e) => e.workflowId === workflowId)?.workflow?.name;
  return (
    <section className="workflows executions">
      <div className="toolbar">
        <h1>Executions{workflowId ? ` of ${workflowName ?? 'one workflow'}` : ''}</h1>
        {workflowId && <button type="button" onClick={() => setQueryParam('workflow', null, false)}>All workflows</button>}
        <button type="button" onClick={() => refetch({ requestPolicy: 'network-only' })}>Refresh</button>
      </div>
      <div className="filters">
        <Select label="Status" param="status" value={status} options={STATUSES} />
        <Select label="Trigger" param="trigger" value={trigger} options={TRIGGERS} />
        <Select label="Environment" param="environment" value={environment} options={ENVIRONMENTS} />
      </div>
      {result.error && <p className="error" role="alert">{toApiError(result.error).message}</p>}
      {result.fetching && !result.data && <p className="loading">Loading executions…</p>}
      {result.data && items.length === 0 && <p className="empty">No executions match.</p>}
      {items.length > 0 && (
        <table className="list">
          <thead><tr><th>Status</th><th>Workflow</th><th>Trigger</th><th>Environment</th><th>Started</th><th>Duration</th><th>Id</th></tr></thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id} data-testid="execution-row" className="clickable" onClick={() => navigate(`/executions/${encodeURIComponent(e.id)}`)}>
                <td><span className={`run-status run-status-${e.status.toLowerCase()}`}>{e.status.toLowerCase()}</span></td>
                <td>{e.workflow?.name ?? e.workflowId} <span className="muted">v{e.workflowVersion}</span></td>
                <td>{e.trigger}{e.mode === 'manual' ? ' (manual)' : ''}</td>
                <td>{e.workflow?.environment.toLowerCase() ?? '—'}</td>
                <td>{formatTime(e.startedAt ?? e.queuedAt)}</td>
                <td>{formatDuration(e.durationMs)}</td>
                <td>
                  <a href={`/executions/${encodeURIComponent(e.id)}`} onClick={(event) => { event.preventDefault(); event.stopPropagation(); navigate(`/executions/${encodeURIComponent(e.id)}`); }}>
                    {e.id.slice(0, 8)}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && <button type="button" className="load-more" onClick={loadMore}>Load more</button>}
    </section>
  );
}
