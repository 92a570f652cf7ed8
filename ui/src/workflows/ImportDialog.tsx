/** Import a workflow from a file or pasted JSON (Weft or n8n). */
import { useState } from 'react';
import { useClient } from 'urql';
import { IMPORT_WORKFLOW } from '../api/documents';
import { toApiError } from '../api/errors';
import { parseImport } from './importDocument';

export function ImportDialog({ onClose, onImported }: { onClose(): void; onImported(id: string): void }) {
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const client = useClient();
  const parsed = text ? parseImport(text) : null;

  async function readFile(file: File) {
    setError(null);
    setText(await file.text());
  }

  async function submit() {
    const result = parseImport(text);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setBusy(true);
    setError(null);
    const response = await client
      .mutation(IMPORT_WORKFLOW, { document: result.document, format: result.format, name: name.trim() || null })
      .toPromise();
    setBusy(false);
    if (response.error) setError(toApiError(response.error).message);
    else onImported((response.data as { importWorkflow: { workflowId: string } }).importWorkflow.workflowId);
  }

  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <div className="dialog" role="dialog" aria-label="Import workflow" onClick={(event) => event.stopPropagation()}>
        <h2>Import workflow</h2>
        <p className="muted">A Weft export or an n8n workflow (JSON). Choose a file or paste the JSON.</p>
        <input type="file" accept=".json,application/json" aria-label="Workflow file" onChange={(event) => event.target.files?.[0] && readFile(event.target.files[0])} />
        <textarea
          aria-label="Workflow JSON"
          rows={12}
          value={text}
          placeholder='{"nodes": [...], "connections": ...}'
          onChange={(event) => {
            setError(null);
            setText(event.target.value);
          }}
        />
        {parsed?.ok && <p className="muted">Detected: {parsed.format === 'N8N' ? 'n8n workflow' : 'Weft workflow'}{parsed.name ? ` “${parsed.name}”` : ''}, {(parsed.document.nodes as unknown[]).length} nodes.</p>}
        <label>
          Name (optional)
          <input value={name} onChange={(event) => setName(event.target.value)} placeholder="Keep the document's name" />
        </label>
        {(error || (parsed && !parsed.ok)) && (
          <p className="error" role="alert">{error ?? (parsed && !parsed.ok ? parsed.error : '')}</p>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="button" className="primary" disabled={busy || !parsed?.ok} onClick={submit}>
            {busy ? 'Importing…' : 'Import'}
          </button>
        </div>
      </div>
    </div>
  );
}
