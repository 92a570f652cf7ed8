/** An expression field: the template, completions for the path being typed, and a preview. */
import { createContext, useContext, useRef, useState } from 'react';
import { completions, previewExpression, tokenBefore, type ExpressionContext } from './expression';

/** What expressions in the open node can see (provided by the node details panel). */
export const ExpressionScope = createContext<ExpressionContext>({ json: null, vars: {}, nodes: {} });

export function ExpressionInput({ id, value, editable, onChange }: { id: string; value: string; editable: boolean; onChange(v: unknown): void }) {
  const scope = useContext(ExpressionScope);
  const text = value.slice(1);
  const [cursor, setCursor] = useState<number | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const token = cursor === null ? null : tokenBefore(text, cursor);
  const suggestions = token === null ? [] : completions(token, scope).slice(0, 8);
  const preview = previewExpression(text, scope);

  function accept(completion: string) {
    if (cursor === null || token === null) return;
    const next = text.slice(0, cursor - token.length) + completion + text.slice(cursor);
    const at = cursor - token.length + completion.length;
    onChange(`=${next}`);
    setCursor(at);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(at, at);
    });
  }

  return (
    <div className="expression">
      <textarea
        ref={area}
        id={id}
        className="expression-input"
        rows={2}
        value={text}
        readOnly={!editable}
        spellCheck={false}
        placeholder="{{ $json.field }}"
        onChange={(event) => {
          onChange(`=${event.target.value}`);
          setCursor(event.target.selectionStart);
        }}
        onSelect={(event) => setCursor(event.currentTarget.selectionStart)}
        onBlur={() => setTimeout(() => setCursor(null), 150)}
      />
      {editable && suggestions.length > 0 && (
        <div className="suggestions" role="listbox" aria-label="Completions">
          {suggestions.map((s) => (
            <button type="button" role="option" aria-selected={false} key={s} onMouseDown={(event) => event.preventDefault()} onClick={() => accept(s)}>{s}</button>
          ))}
        </div>
      )}
      <div className="preview" data-testid="expression-preview">
        <span className="muted">Result: </span>{preview.text || <span className="muted">(empty)</span>}
        {preview.unresolved.length > 0 && (
          <div className="muted">
            {scope.json ? 'Evaluated when the workflow runs: ' : 'No sample input (pin data on the previous node, or run the workflow): '}
            {preview.unresolved.join(', ')}
          </div>
        )}
      </div>
    </div>
  );
}
