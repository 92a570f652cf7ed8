/** The editor's run control: execute (Ctrl+Enter), live status, stop, a link to the execution. */
import { navigate } from '../router';
import type { EditorRun } from './useRun';

const LABEL: Record<string, string> = {
  queued: 'Queued…', running: 'Running…', waiting: 'Waiting (suspended by a Wait node)', succeeded: 'Succeeded', failed: 'Failed', canceled: 'Stopped',
};

export function RunBar({ run, running, canRun, saving, destinationName }: {
  run: EditorRun;
  running: boolean;
  canRun: boolean;
  saving: boolean;
  /** The node an "Execute step" run stops after. */
  destinationName?: string;
}) {
  const state = run.state;
  return (
    <div className="run-bar">
      {state && (
        <span className={`run-status run-status-${state.status}`} data-testid="run-status" title={state.error ?? undefined}>
          {LABEL[state.status] ?? state.status}
          {destinationName ? ` (up to ${destinationName})` : ''}
          {state.status === 'failed' && state.error ? `: ${state.error}` : ''}
        </span>
      )}
      {run.error && <span className="error" role="alert">{run.error}</span>}
      {run.executionId && (
        <a
          href={`/executions/${encodeURIComponent(run.executionId)}`}
          onClick={(event) => {
            event.preventDefault();
            navigate(`/executions/${encodeURIComponent(run.executionId!)}`);
          }}
        >
          Open run
        </a>
      )}
      {running && <button type="button" onClick={() => void run.stop()}>Stop</button>}
      <button type="button" className="run" disabled={!canRun} title={saving ? 'Waiting for edits to be saved' : 'Execute workflow (Ctrl+Enter)'} onClick={() => void run.start()}>
        {run.starting ? 'Starting…' : 'Execute'}
      </button>
    </div>
  );
}
