/** Items of a node run as a table (one column per top-level field) or as JSON. */
import { useState } from 'react';
import type { Items } from '../api/executions';

/** Table columns: every top-level field of the items, in first-seen order. */
export function columnsOf(items: Items): string[] {
  const seen = new Set<string>();
  for (const item of items) for (const key of Object.keys(item.json ?? {})) seen.add(key);
  return [...seen];
}

function cell(value: unknown): string {
  if (value === undefined) return '';
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function ItemsView({ title, ports }: { title: string; ports: (Items | null)[] | null }) {
  const [mode, setMode] = useState<'table' | 'json'>('table');
  const [port, setPort] = useState(0);
  if (!ports || ports.length === 0) return <section className="items"><h4>{title}</h4><p className="muted">No data from the last run.</p></section>;
  const items = ports[Math.min(port, ports.length - 1)] ?? [];
  const columns = columnsOf(items);
  return (
    <section className="items" aria-label={title}>
      <div className="items-head">
        <h4>{title}</h4>
        {ports.length > 1 && (
          <select aria-label={`${title} port`} value={port} onChange={(e) => setPort(Number(e.target.value))}>
            {ports.map((p, i) => <option key={i} value={i}>{`Port ${i}: ${p?.length ?? 0} item(s)`}</option>)}
          </select>
        )}
        <span className="muted">{items.length} item{items.length === 1 ? '' : 's'}</span>
        <span className="spacer" />
        <button type="button" aria-pressed={mode === 'table'} onClick={() => setMode('table')}>Table</button>
        <button type="button" aria-pressed={mode === 'json'} onClick={() => setMode('json')}>JSON</button>
      </div>
      {mode === 'json' ? (
        <pre className="items-json">{JSON.stringify(items.map((i) => i.json ?? {}), null, 2)}</pre>
      ) : items.length === 0 ? (
        <p className="muted">No items.</p>
      ) : (
        <div className="items-table">
          <table>
            <thead><tr><th>#</th>{columns.map((c) => <th key={c}>{c}</th>)}</tr></thead>
            <tbody>
              {items.slice(0, 200).map((item, i) => (
                <tr key={i}><td>{i}</td>{columns.map((c) => <td key={c}>{cell(item.json?.[c])}</td>)}</tr>
              ))}
            </tbody>
          </table>
          {items.length > 200 && <p className="muted">First 200 of {items.length} items; switch to JSON for all.</p>}
        </div>
      )}
    </section>
  );
}
