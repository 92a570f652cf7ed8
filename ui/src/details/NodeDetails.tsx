/**
 * Node details: Parameters (generated form), Settings (retry, on error, disabled, notes, colour),
 * Input / Output of the last run, Docs, and "Execute step" (run the workflow up to this node).
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type React from 'react';
import type { NodeType, OnError, ParameterSpec, WfNode } from '../api/types';
import type { NodeChanges } from '../editor/model';
import { validateAll, type Values } from './form';
import { ParameterForm } from './ParameterForm';
import { ExpressionScope } from './ExpressionInput';
import type { ExpressionContext } from './expression';
import { ItemsView } from '../executions/ItemsView';
import { CredentialSelect } from './CredentialSelect';
import type { NodeData } from '../executions/useRun';

/** "Execute step": run the workflow from its trigger up to and including this node. */
export interface StepControl {
  /** Whether a run may start now (role, no run going, edits saved). */
  canRun: boolean;
  /** A step run up to this node is going on. */
  running: boolean;
  /** Waits for pending edits to be saved, then starts the run. */
  onExecute(): Promise<void>;
}

interface Props {
  /** Absent for roles that may not run workflows. */
  step: StepControl | null;
  /** What expressions in this node can see. */
  scope: ExpressionContext;
  /** This node's items in the last run. */
  lastRun: NodeData | null;
  node: WfNode;
  type: NodeType | undefined;
  editable: boolean;
  nodeNames: string[];
  onChange(changes: NodeChanges, label: string): void;
  onClose(): void;
}

const SAVE_AFTER_MS = 400;

export default function NodeDetails({ step, scope, lastRun, node, type, editable, onChange, onClose }: Props) {
  const [tab, setTab] = useState<'parameters' | 'settings' | 'docs' | 'data'>('parameters');
  const [draft, setDraft] = useState<Values>(node.parameters);
  const dirty = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ draft, onChange });
  useLayoutEffect(() => {
    latest.current = { draft, onChange };
  });

  // Follow edits from elsewhere while the user is not typing here.
  useEffect(() => {
    if (!dirty.current) setDraft(node.parameters);
  }, [node.parameters]);

  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (dirty.current) {
      dirty.current = false;
      latest.current.onChange({ parameters: latest.current.draft }, 'Edit parameters');
    }
  }, []);

  // Unsaved typing is sent when the panel closes.
  useEffect(() => flush, [flush]);

  // "Execute step" sends unsaved typing first; the run starts once it is saved (the run uses
  // the stored version).
  const [stepStarting, setStepStarting] = useState(false);
  function requestStep() {
    if (!step) return;
    setTab('data');
    flush();
    setStepStarting(true);
    void step.onExecute().finally(() => setStepStarting(false));
  }

  function editParameters(values: Values) {
    setDraft(values);
    latest.current = { draft: values, onChange };
    dirty.current = true;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(flush, SAVE_AFTER_MS);
  }

  const problems = type ? validateAll(type.parameters, draft) : [];
  const retry = node.retry ?? {};
  return (
    <aside className="details" aria-label={`Node details: ${node.name}`} onKeyDown={(event) => event.key === 'Escape' && onClose()}>
      <div className="details-head">
        <div>
          <h2>{node.name}</h2>
          <p className="muted">{type ? `${type.displayName} · v${node.typeVersion}` : `Unknown node type ${node.type}`}</p>
        </div>
        <div className="details-actions">
          {step && (
            <button
              type="button"
              className="run"
              disabled={!step.canRun || stepStarting}
              title="Run the workflow from its trigger up to this node, and show this node's output"
              onClick={requestStep}
            >
              {step.running || stepStarting ? 'Executing…' : 'Execute step'}
            </button>
          )}
          <button type="button" aria-label="Close node details" onClick={() => { flush(); onClose(); }}>×</button>
        </div>
      </div>
      <nav className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'parameters'} className={tab === 'parameters' ? 'tab active' : 'tab'} onClick={() => setTab('parameters')}>Parameters</button>
        <button type="button" role="tab" aria-selected={tab === 'settings'} className={tab === 'settings' ? 'tab active' : 'tab'} onClick={() => { flush(); setTab('settings'); }}>Settings</button>
        <button type="button" role="tab" aria-selected={tab === 'data'} className={tab === 'data' ? 'tab active' : 'tab'} onClick={() => { flush(); setTab('data'); }}>Input / Output</button>
        <button type="button" role="tab" aria-selected={tab === 'docs'} className={tab === 'docs' ? 'tab active' : 'tab'} onClick={() => { flush(); setTab('docs'); }}>Docs</button>
      </nav>
      {tab === 'parameters' && (
        <div className="details-body">
          {type?.description && <p className="muted">{type.description}</p>}
          {type?.trigger === 'webhook' && <WebhookUrls path={String(draft.path ?? '')} method={String(draft.httpMethod ?? 'GET')} />}
          <CredentialSelect node={node} type={type} parameters={draft} editable={editable} onChange={(credentials) => onChange({ credentials }, 'Credential')} />
          {type ? (
            <ExpressionScope.Provider value={scope}>
              <ParameterForm specs={type.parameters} values={draft} editable={editable} onChange={editParameters} />
            </ExpressionScope.Provider>
          ) : (
            <p className="error">This node type is not in the catalog, so its parameters cannot be edited here.</p>
          )}
          {problems.length > 0 && (
            <p className="muted" data-testid="problems">{problems.length} problem(s): {problems.map((p) => p.message).join(' ')}</p>
          )}
        </div>
      )}
      {tab === 'docs' && <NodeDocs type={type} />}
      {tab === 'data' && (
        <div className="details-body">
          {!lastRun && <p className="muted">This node has not run yet: execute the workflow (Ctrl+Enter) or this step to see its items.</p>}
          {lastRun?.error && <p className="error">Last run failed: {lastRun.error}</p>}
          {lastRun && <ItemsView title="Input" ports={lastRun.inputs} />}
          {lastRun && <ItemsView title="Output" ports={lastRun.outputs} />}
        </div>
      )}
      {tab === 'settings' && (
        <div className="details-body settings">
          <label className="check">
            <input type="checkbox" checked={node.disabled} disabled={!editable} onChange={(event) => onChange({ disabled: event.target.checked }, 'Disable')} />
            Disabled (passes its input through)
          </label>
          <label>
            On error
            <select value={node.onError} disabled={!editable} onChange={(event) => onChange({ onError: event.target.value as OnError }, 'On error')}>
              <option value="STOP_WORKFLOW">Stop the workflow</option>
              <option value="CONTINUE_REGULAR_OUTPUT">Continue (error as a regular item)</option>
              <option value="CONTINUE_ERROR_OUTPUT">Continue using the error output</option>
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={retry.retryOnFail === true} disabled={!editable} onChange={(event) => onChange({ retry: { ...retry, retryOnFail: event.target.checked } }, 'Retry')} />
            Retry on fail
          </label>
          {retry.retryOnFail && (
            <>
              <NumberSetting label="Max tries" value={retry.maxTries ?? 3} min={1} max={10} editable={editable} onChange={(v) => onChange({ retry: { ...retry, maxTries: v } }, 'Retry')} />
              <NumberSetting label="Wait between tries (ms)" value={retry.waitBetweenTriesMs ?? 1000} min={0} max={600000} editable={editable} onChange={(v) => onChange({ retry: { ...retry, waitBetweenTriesMs: v } }, 'Retry')} />
            </>
          )}
          <label>
            Notes
            <textarea
              defaultValue={node.notes ?? ''}
              key={node.notes ?? ''}
              rows={3}
              readOnly={!editable}
              onBlur={(event) => event.target.value !== (node.notes ?? '') && onChange({ notes: event.target.value }, 'Notes')}
            />
          </label>
          <label>
            Colour
            <input type="color" value={node.style.color ?? '#888888'} disabled={!editable} onChange={(event) => onChange({ style: { ...node.style, color: event.target.value } }, 'Colour')} />
          </label>
        </div>
      )}
    </aside>
  );
}

function NumberSetting({ label, value, min, max, editable, onChange }: { label: string; value: number; min: number; max: number; editable: boolean; onChange(v: number): void }) {
  const [text, setText] = useState(String(value));
  const n = Number(text);
  const error = !Number.isInteger(n) || n < min || n > max ? `${label} must be a whole number from ${min} to ${max}.` : null;
  return (
    <label>
      {label}
      <input
        value={text}
        inputMode="numeric"
        readOnly={!editable}
        aria-invalid={!!error}
        onChange={(event) => setText(event.target.value)}
        onBlur={() => !error && n !== value && onChange(n)}
      />
      {error && <span className="field-error" role="alert">{error}</span>}
    </label>
  );
}

/** What the catalog says about the node type: purpose, ports, credentials, every parameter. */
function NodeDocs({ type }: { type: NodeType | undefined }) {
  if (!type) return <p className="error">This node type is not in the catalog.</p>;
  const describe = (specs: ParameterSpec[], depth = 0): React.ReactNode => (
    <ul className={depth ? 'nested' : undefined}>
      {specs.map((spec) => (
        <li key={spec.name}>
          <code>{spec.name}</code> — {spec.displayName} ({spec.type.kind}{spec.required ? ', required' : ''}{spec.expressions === false ? ', no expressions' : ''})
          {spec.description && <div className="muted">{spec.description}</div>}
          {spec.options && spec.options.length > 0 && <div className="muted">One of: {spec.options.map((o) => o.label).join(', ')}</div>}
          {spec.showWhen && <div className="muted">Shown when {spec.showWhen[0]} is {spec.showWhen[1].map(String).join(' or ')}</div>}
          {(spec.type.kind === 'fixed' || spec.type.kind === 'collection') && describe(spec.type.fields, depth + 1)}
        </li>
      ))}
    </ul>
  );
  return (
    <div className="details-body docs">
      <p>{type.description}</p>
      <p className="muted">
        Type <code>{type.name}</code>, versions {type.versions.join(', ')}.{type.trigger ? ` Trigger: ${type.trigger}.` : ''}
      </p>
      <p>Inputs: {type.ports.inputs.length ? type.ports.inputs.join(', ') : 'none'}. Outputs: {type.ports.outputs.join(', ') || 'none'}{type.dynamicPorts ? ' (depends on the parameters)' : ''}.</p>
      {type.credentials.length > 0 && <p>Credentials: {type.credentials.map((c) => `${c.name}${c.required ? ' (required)' : ''}`).join(', ')}.</p>}
      <h3>Parameters</h3>
      {type.parameters.length ? describe(type.parameters) : <p className="muted">None.</p>}
      <p className="muted">Values starting with <code>=</code> are expressions: <code>{'{{ $json.field }}'}</code> reads the current item.</p>
    </div>
  );
}

/** The URLs that start this workflow: production (active workflows) and test (the current draft). */
function WebhookUrls({ path, method }: { path: string; method: string }) {
  const clean = path.replace(/^\/+/, '');
  if (!clean) return <p className="field-error">Set a path to get this webhook's URLs.</p>;
  const origin = window.location.origin;
  return (
    <div className="webhook-urls" aria-label="Webhook URLs">
      <div><span className="muted">Test URL (runs the current draft):</span> <code>{method} {origin}/webhook-test/{clean}</code></div>
      <div><span className="muted">Production URL (once the workflow is active):</span> <code>{method} {origin}/webhook/{clean}</code></div>
    </div>
  );
}
