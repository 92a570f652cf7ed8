/** The workflow list: environment tabs, search, create, import, export, archive, activate. */
import { useEffect, useState } from 'react';
import { useClient, useQuery } from 'urql';
import {
  ACTIVATE_WORKFLOW, ARCHIVE_WORKFLOW, CREATE_WORKFLOW, DEACTIVATE_WORKFLOW, EXPORT_WORKFLOW,
  RESTORE_WORKFLOW, WORKFLOWS,
} from '../api/documents';
import { toApiError } from '../api/errors';
import { canEdit, currentRole } from '../api/session';
import type { Environment, WorkflowSummary } from '../api/types';
import { navigate, setQueryParam, useLocation } from '../router';
import { useNotify } from '../ui/notices';
import { ImportDialog } from './ImportDialog';
import { actorLabel } from '../users/actors';
import { usePeople } from '../users/usePeople';

const TABS: { id: string; label: string; environment: Environment | null; archived: boolean }[] = [
  { id: 'testing', label: 'Testing', environment: 'TESTING', archived: false },
  { id: 'launched', label: 'Launched', environment: 'LAUNCHED', archived: false },
  { id: 'production', label: 'Production', environment: 'PRODUCTION', archived: false },
  { id: 'archived', label: 'Archived', environment: null, archived: true },
];

/** Saves `value` as a pretty-printed JSON file. */
function download(fileName: string, value: unknown) {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function WorkflowList() {
  const { query } = useLocation();
  const tab = TABS.find((t) => t.id === query.get('tab')) ?? TABS[0];
  const search = query.get('q') ?? '';
  const [searchInput, setSearchInput] = useState(search);
  const [importing, setImporting] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const client = useClient();
  const notify = useNotify();
  const editable = canEdit(currentRole());
  const people = usePeople();

  useEffect(() => {
    const timer = setTimeout(() => setQueryParam('q', searchInput.trim() || null), 250);
    return () => clearTimeout(timer);
  }, [searchInput]);

  const [result, refetch] = useQuery<{ workflows: { items: WorkflowSummary[]; nextCursor: string | null } }>({
    query: WORKFLOWS,
    variables: { environment: tab.environment, search: search || null, archived: tab.archived },
    requestPolicy: 'cache-and-network',
  });

  async function run(label: string, mutation: typeof CREATE_WORKFLOW, variables: object): Promise<Record<string, unknown> | null> {
    setBusy(label);
    try {
      const response = await client.mutation(mutation, variables).toPromise();
      if (response.error) {
        notify('error', toApiError(response.error).message);
        return null;
      }
      return response.data as Record<string, unknown>;
    } finally {
      setBusy(null);
      refetch({ requestPolicy: 'network-only' });
    }
  }

  async function create() {
    const name = window.prompt('Name of the new workflow', 'My workflow');
    if (name === null) return;
    if (!name.trim()) {
      notify('error', 'A workflow needs a name.');
      return;
    }
    const data = await run('Creating…', CREATE_WORKFLOW, { name: name.trim() });
    const change = data?.createWorkflow as { workflowId: string } | undefined;
    if (change) navigate(`/workflows/${encodeURIComponent(change.workflowId)}`);
  }

  async function exportOne(workflow: WorkflowSummary) {
    const data = await run('Exporting…', EXPORT_WORKFLOW, { workflowId: workflow.id });
    if (data) download(`${workflow.name.replace(/[^\w.-]+/g, '_') || 'workflow'}.json`, data.exportWorkflow);
  }

  async function toggleActive(workflow: WorkflowSummary) {
    const data = await run(workflow.active ? 'Deactivating…' : 'Activating…', workflow.active ? DEACTIVATE_WORKFLOW : ACTIVATE_WORKFLOW, {
      workflowId: workflow.id,
    });
    if (data) notify('info', `${workflow.name} is ${workflow.active ? 'inactive' : 'active'}.`);
  }

  async function archive(workflow: WorkflowSummary) {
    if (!window.confirm(`Archive “${workflow.name}”? It stops listening to its triggers.`)) return;
    const data = await run('Archiving…', ARCHIVE_WORKFLOW, { workflowId: workflow.id });
    if (data) notify('info', `${workflow.name} was archived.`);
  }

  async function restore(workflow: WorkflowSummary) {
    const data = await run('Restoring…', RESTORE_WORKFLOW, { workflowId: workflow.id });
    if (data) notify('info', `${workflow.name} was restored.`);
  }

  // Later pages, fetched with "Load more"; they belong to one tab and search.
  const listKey = `${tab.id}|${search}`;
  const [more, setMore] = useState<{ key: string; items: WorkflowSummary[]; cursor: string | null; loading: boolean }>({ key: '', items: [], cursor: null, loading: false });
  const extra = more.key === listKey ? more : { key: listKey, items: [], cursor: null, loading: false };
  const firstPage = result.data?.workflows.items ?? [];
  const items = [...firstPage, ...extra.items.filter((w) => !firstPage.some((f) => f.id === w.id))];
  const cursor = extra.items.length ? extra.cursor : (result.data?.workflows.nextCursor ?? null);

  async function loadMore() {
    if (!cursor) return;
    setMore({ ...extra, loading: true });
    const response = await client
      .query(WORKFLOWS, { environment: tab.environment, search: search || null, archived: tab.archived, after: cursor }, { requestPolicy: 'network-only' })
      .toPromise();
    if (response.error) {
      notify('error', `Could not load more workflows: ${toApiError(response.error).message}`);
      setMore({ ...extra, loading: false });
      return;
    }
    const page = (response.data as { workflows: { items: WorkflowSummary[]; nextCursor: string | null } }).workflows;
    setMore({ key: listKey, items: [...extra.items, ...page.items], cursor: page.nextCursor, loading: false });
  }

  return (
    <section className="workflows">
      <div className="toolbar">
        <h1>Workflows</h1>
        <input
          type="search"
          placeholder="Search workflows"
          aria-label="Search workflows"
          value={searchInput}
          onChange={(event) => setSearchInput(event.target.value)}
        />
        {busy && <span className="progress">{busy}</span>}
        {editable && (
          <>
            <button type="button" onClick={() => setImporting(true)}>Import</button>
            <button type="button" className="primary" onClick={create}>Create workflow</button>
          </>
        )}
      </div>
      <nav className="tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={t.id === tab.id}
            className={t.id === tab.id ? 'tab active' : 'tab'}
            onClick={() => setQueryParam('tab', t.id === 'testing' ? null : t.id, false)}
          >
            {t.label}
          </button>
        ))}
      </nav>
      {result.error && <p className="error" role="alert">{toApiError(result.error).message}</p>}
      {result.fetching && !result.data && <p className="loading">Loading workflows…</p>}
      {result.data && items.length === 0 && (
        <p className="empty">{search ? `No workflow matches “${search}”.` : `No workflows in ${tab.label} yet.`}</p>
      )}
      {items.length > 0 && (
        <table className="list">
          <thead>
            <tr><th>Name</th><th>Active</th><th>Version</th><th>Updated</th><th aria-label="Actions" /></tr>
          </thead>
          <tbody>
            {items.map((workflow) => (
              <tr key={workflow.id} data-testid="workflow-row">
                <td>
                  <a
                    href={`/workflows/${encodeURIComponent(workflow.id)}`}
                    onClick={(event) => {
                      event.preventDefault();
                      navigate(`/workflows/${encodeURIComponent(workflow.id)}`);
                    }}
                  >
                    {workflow.name}
                  </a>
                  {workflow.description && <div className="muted">{workflow.description}</div>}
                </td>
                <td>
                  <label className="switch">
                    <input
                      type="checkbox"
                      checked={workflow.active}
                      disabled={!editable || workflow.archived || busy !== null}
                      aria-label={`Active: ${workflow.name}`}
                      onChange={() => toggleActive(workflow)}
                    />
                    <span>{workflow.active ? 'Active' : 'Inactive'}</span>
                  </label>
                </td>
                <td>v{workflow.version}</td>
                <td title={workflow.updatedAt}>{new Date(workflow.updatedAt).toLocaleString()} · {actorLabel(workflow.updatedBy, people)}</td>
                <td className="actions">
                  <button type="button" onClick={() => exportOne(workflow)}>Export</button>
                  {editable && !workflow.archived && <button type="button" onClick={() => archive(workflow)}>Archive</button>}
                  {editable && workflow.archived && <button type="button" onClick={() => restore(workflow)}>Restore</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" className="load-more" disabled={extra.loading} onClick={loadMore}>
          {extra.loading ? 'Loading…' : 'Load more'}
        </button>
      )}
      {importing && (
        <ImportDialog
          onClose={() => setImporting(false)}
          onImported={(id) => {
            setImporting(false);
            navigate(`/workflows/${encodeURIComponent(id)}`);
          }}
        />
      )}
    </section>
  );
}
