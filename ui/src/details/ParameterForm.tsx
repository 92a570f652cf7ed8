/** A form generated from a node type's parameter schema; every field can switch to an expression. */
import { lazy, Suspense, useState } from 'react';
import type { ParameterSpec } from '../api/types';
import { ExpressionInput } from './ExpressionInput';
import { isExpression, newEntry, parseJsonField, setValue, toggleExpression, validate, valueOf, visibleFields, type Values } from './form';

const CodeEditor = lazy(() => import('./CodeEditor'));

interface FormProps {
  specs: ParameterSpec[];
  values: Values;
  editable: boolean;
  onChange(values: Values): void;
  /** Prefix for element ids (nested forms). */
  path?: string;
}

export function ParameterForm({ specs, values, editable, onChange, path = 'p' }: FormProps) {
  if (specs.length === 0) return <p className="muted">This node has no parameters.</p>;
  return (
    <div className="param-form">
      {visibleFields(specs, values).map((spec) => (
        <Field
          key={spec.name}
          spec={spec}
          id={`${path}-${spec.name}`}
          value={valueOf(spec, values)}
          editable={editable}
          onChange={(value) => onChange(setValue(values, spec.name, value))}
        />
      ))}
    </div>
  );
}

interface FieldProps {
  spec: ParameterSpec;
  id: string;
  value: unknown;
  editable: boolean;
  onChange(value: unknown): void;
}

function Field({ spec, id, value, editable, onChange }: FieldProps) {
  const expression = isExpression(value);
  const canExpress = spec.expressions !== false && spec.type.kind !== 'collection' && spec.type.kind !== 'fixed';
  const error = validate(spec, value);
  return (
    <div className={`field field-${spec.type.kind}${expression ? ' expression' : ''}`} data-param={spec.name}>
      <div className="field-head">
        <label htmlFor={id}>{spec.displayName}{spec.required && <span className="required" aria-hidden>*</span>}</label>
        {canExpress && editable && (
          <button type="button" className="mode" aria-label={`${spec.displayName}: ${expression ? 'use a fixed value' : 'use an expression'}`} onClick={() => onChange(toggleExpression(value, spec))}>
            {expression ? 'Expression' : 'Fixed'}
          </button>
        )}
      </div>
      {expression ? (
        <ExpressionInput id={id} value={value} editable={editable} onChange={onChange} />
      ) : (
        <Input spec={spec} id={id} value={value} editable={editable} onChange={onChange} />
      )}
      {spec.description && <p className="help">{spec.description}</p>}
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}

function Input({ spec, id, value, editable, onChange }: FieldProps) {
  switch (spec.type.kind) {
    case 'string':
      return (
        <input
          id={id}
          value={typeof value === 'string' ? value : value == null ? '' : String(value)}
          readOnly={!editable}
          // Typing `=` first makes the value an expression (the field switches mode), as in n8n.
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case 'number':
      return <NumberInput id={id} value={value} editable={editable} onChange={onChange} />;
    case 'boolean':
      return (
        <input id={id} type="checkbox" checked={value === true} disabled={!editable} onChange={(event) => onChange(event.target.checked)} />
      );
    case 'options':
      return (
        <select id={id} value={typeof value === 'string' ? value : ''} disabled={!editable} onChange={(event) => onChange(event.target.value)}>
          {typeof value !== 'string' || !spec.options?.some((o) => o.value === value) ? <option value="">Choose…</option> : null}
          {spec.options?.map((option) => <option key={option.value} value={option.value}>{option.label}</option>)}
        </select>
      );
    case 'json':
      return <JsonInput id={id} value={value} editable={editable} onChange={onChange} />;
    case 'code':
      return (
        <Suspense fallback={<textarea id={id} readOnly value={typeof value === 'string' ? value : ''} rows={8} />}>
          <CodeEditor id={id} language={spec.type.language} value={typeof value === 'string' ? value : ''} editable={editable} onChange={onChange} />
        </Suspense>
      );
    case 'fixed':
      return (
        <fieldset id={id}>
          <ParameterForm specs={spec.type.fields} values={(value && typeof value === 'object' ? value : {}) as Values} editable={editable} onChange={onChange} path={id} />
        </fieldset>
      );
    case 'collection': {
      const entries = Array.isArray(value) ? (value as Values[]) : [];
      const fields = spec.type.fields;
      return (
        <div className="collection" id={id}>
          {entries.map((entry, i) => (
            <fieldset key={i} className="entry">
              <legend>{spec.displayName} {i + 1}</legend>
              <ParameterForm specs={fields} values={entry ?? {}} editable={editable} path={`${id}-${i}`} onChange={(next) => onChange(entries.map((e, j) => (j === i ? next : e)))} />
              {editable && <button type="button" onClick={() => onChange(entries.filter((_, j) => j !== i))}>Remove</button>}
            </fieldset>
          ))}
          {editable && <button type="button" onClick={() => onChange([...entries, newEntry(fields)])}>Add {spec.displayName.toLowerCase()}</button>}
        </div>
      );
    }
  }
}

function NumberInput({ id, value, editable, onChange }: { id: string; value: unknown; editable: boolean; onChange(v: unknown): void }) {
  const [text, setText] = useState(value == null ? '' : String(value));
  const [bad, setBad] = useState(false);
  return (
    <>
      <input
        id={id}
        inputMode="decimal"
        value={text}
        readOnly={!editable}
        aria-invalid={bad}
        onChange={(event) => {
          const next = event.target.value;
          setText(next);
          if (next.startsWith('=')) return onChange(next);
          const n = Number(next);
          const ok = next.trim() !== '' && Number.isFinite(n);
          setBad(!ok && next.trim() !== '');
          if (ok) onChange(n);
          else if (next.trim() === '') onChange(null);
        }}
      />
      {bad && <p className="field-error" role="alert">“{text}” is not a number.</p>}
    </>
  );
}

function JsonInput({ id, value, editable, onChange }: { id: string; value: unknown; editable: boolean; onChange(v: unknown): void }) {
  const [text, setText] = useState(typeof value === 'string' ? value : JSON.stringify(value ?? '', null, 2));
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <textarea
        id={id}
        rows={Math.min(10, Math.max(2, text.split('\n').length))}
        value={text}
        readOnly={!editable}
        spellCheck={false}
        onChange={(event) => {
          setText(event.target.value);
          const parsed = parseJsonField(event.target.value);
          setError(parsed.error);
          if (!parsed.error) onChange(parsed.value);
        }}
      />
      {error && <p className="field-error" role="alert">{error}</p>}
    </>
  );
}
