/** Workflow settings: description, active, timezone, error workflow, timeout, execution order, variables. */
import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import {
  ACTIVATE_WORKFLOW, CHANGE_SETTINGS, DEACTIVATE_WORKFLOW, DESCRIBE_WORKFLOW, SET_VARIABLES, WORKFLOWS,
} from '../api/documents';
import { toApiError } from '../api/errors';
import type { WorkflowDetail, WorkflowSettings, WorkflowSummary } from '../api/types';

interface Props {
  workflow: WorkflowDetail;
  version: number;
  editable: boolean;
  onClose(): void;
  /** Called after each saved change with the workflow's new version. */
  onSaved(version: number, message: string): void;
}

const DEFAULTS: WorkflowSettings = { timezone: null, errorWorkflow: null, timeoutSeconds: null, executionOrder: 'V1' };

/** What is wrong with the form, or null. */
export function settingsProblem(timeout: string, variables: string, timezone: string): string | null {
  if (timeout.trim() !== '' && !/^\d+$/.test(timeout.trim())) return 'The timeout is a whole number of seconds (empty for none).';
  if (timezone.trim() !== '' && !/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(timezone.trim())) return `“${timezone}” is not an IANA timezone such as Europe/Berlin.`;
  try {
    const parsed = JSON.parse(variables || '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'Variables are a JSON object, e.g. {"region": "eu"}.';
  } catch (error) {
    return `Variables are not valid JSON: ${(error as Error).message}`;
  }
  return null;
}

export function WorkflowSettingsDialog({ workflow, version, editable, onClose, onSaved }: Props) {
  const settings = workflow.definition.settings ?? DEFAULTS;
  const [description, setDescription] = useState(workflow.description);
  const [timezone, setTimezone] = useState(settings.timezone ?? '');
  const [errorWorkflow, setErrorWorkflow] = useState(settings.errorWorkflow ?? '');
  const [timeout, setTimeoutText] = useState(settings.timeoutSeconds === null ? '' : String(settings.timeoutSeconds));
  const [order, setOrder] = useState(settings.executionOrder);
  const [variables, setVariables] = useState(JSON.stringify(workflow.definition.variables ?? {}, null, 2));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const client = useClient();
  const [others] = useQuery<{ workflows: { items: WorkflowSummary[] } }>({ query: WORKFLOWS, variables: { environment: workflow.environment } });
  const problem = settingsProblem(timeout, variables, timezone);

  async function save() {
    if (problem) return setError(problem);
    setBusy(true);
    setError(null);
    let current = version;
    const steps: [string, unknown, object][] = [];
    if (description !== workflow.description) steps.push(['description', DESCRIBE_WORKFLOW, { description }]);
    const next: WorkflowSettings = {
      timezone: timezone.trim() || null,
      errorWorkflow: errorWorkflow || null,
      timeoutSeconds: timeout.trim() ? Number(timeout.trim()) : null,
      executionOrder: order,
    };
    if (JSON.stringify(next) !== JSON.stringify({ ...DEFAULTS, ...settings, __typename: undefined })) steps.push(['settings', CHANGE_SETTINGS, { settings: next }]);
    const parsedVariables = JSON.parse(variables || '{}');
    if (JSON.stringify(parsedVariables) !== JSON.stringify(workflow.definition.variables ?? {})) steps.push(['variables', SET_VARIABLES, { variables: parsedVariables }]);
    for (const [what, mutation, input] of steps) {
      const response = await client.mutation(mutation as typeof DESCRIBE_WORKFLOW, { workflowId: workflow.id, expectedVersion: current, ...input }).toPromise();
      if (response.error) {
        setBusy(false);
        return setError(`Could not save the ${what}: ${toApiError(response.error).message}`);
      }
      current = (Object.values(response.data as Record<string, { version: number }>)[0]).version;
    }
    setBusy(false);
    onSaved(current, steps.length ? `Saved ${steps.map((s) => s[0]).join(', ')}.` : 'Nothing to save.');
  }

  async function toggleActive() {
    setBusy(true);
    setError(null);
    const response = await client.mutation(workflow.active ? DEACTIVATE_WORKFLOW : ACTIVATE_WORKFLOW, { workflowId: workflow.id }).toPromise();
    setBusy(false);
    if (response.error) return setError(toApiError(response.error).message);
    const result = Object.values(response.data as Record<string, { version: number }>)[0];
    onSaved(result.version, workflow.active ? 'The workflow is inactive.' : 'The workflow is active: its triggers listen.');
  }

  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <form className="dialog settings-form" aria-label="Workflow settings" onClick={(event) => event.stopPropagation()} onSubmit={(event) => { event.preventDefault(); void save(); }}>
        <h2>Workflow settings</h2>
        <label>Description<textarea rows={2} value={description} readOnly={!editable} onChange={(e) => setDescription(e.target.value)} /></label>
        <div className="row">
          <span>{workflow.active ? 'Active: triggers listen.' : 'Inactive: only manual runs.'}</span>
          {editable && <button type="button" disabled={busy || workflow.archived} onClick={toggleActive}>{workflow.active ? 'Deactivate' : 'Activate'}</button>}
        </div>
        <label>Timezone<input value={timezone} placeholder="Server default" readOnly={!editable} onChange={(e) => setTimezone(e.target.value)} /></label>
        <label>
          Error workflow
          <select value={errorWorkflow} disabled={!editable} onChange={(e) => setErrorWorkflow(e.target.value)}>
            <option value="">None</option>
            {(others.data?.workflows.items ?? []).filter((w) => w.id !== workflow.id).map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
          </select>
        </label>
        <label>Timeout (seconds)<input value={timeout} inputMode="numeric" placeholder="No timeout" readOnly={!editable} onChange={(e) => setTimeoutText(e.target.value)} /></label>
        <label>
          Execution order
          <select value={order} disabled={!editable} onChange={(e) => setOrder(e.target.value as 'V0' | 'V1')}>
            <option value="V1">v1: depth first, branches by canvas position (recommended)</option>
            <option value="V0">v0: legacy breadth first</option>
          </select>
        </label>
        <label>Variables ($vars, JSON object)<textarea rows={4} value={variables} readOnly={!editable} spellCheck={false} onChange={(e) => setVariables(e.target.value)} /></label>
        {(error || problem) && <p className="error" role="alert">{error ?? problem}</p>}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>Close</button>
          {editable && <button type="submit" className="primary" disabled={busy || !!problem}>{busy ? 'Saving…' : 'Save'}</button>}
        </div>
      </form>
    </div>
  );
}
