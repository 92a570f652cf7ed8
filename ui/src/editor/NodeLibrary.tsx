/** The node library: search and categories, triggers first; click, Enter or drag to add. */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { NodeType } from '../api/types';

const CATEGORY_ORDER = ['trigger', 'flow', 'transform', 'action', 'code', 'annotation'];
const CATEGORY_LABEL: Record<string, string> = {
  trigger: 'Triggers', flow: 'Flow', transform: 'Data transformation', action: 'Actions', code: 'Code', annotation: 'Annotations',
};

/** The drag payload type for a node type name. */
export const DRAG_TYPE = 'application/x-weft-node-type';

function rank(category: string): number {
  return CATEGORY_ORDER.indexOf(category) + 1 || CATEGORY_ORDER.length + 1;
}

/** How well a type matches `needle` (lower is better; null: no match). */
function score(type: NodeType, needle: string): number | null {
  const name = type.displayName.toLowerCase();
  if (name === needle) return 0;
  if (name.startsWith(needle)) return 1;
  if (name.split(/[\s()]+/).some((word) => word.startsWith(needle))) return 2;
  if (name.includes(needle) || type.name.toLowerCase().includes(needle)) return 3;
  if (type.description.toLowerCase().includes(needle)) return 4;
  return null;
}

/** The type Enter adds for `search`: the best name match, triggers first among equals. */
export function bestMatch(types: NodeType[], search: string): NodeType | undefined {
  const needle = search.trim().toLowerCase();
  if (!needle) return types[0];
  let best: { type: NodeType; score: number } | undefined;
  for (const type of types) {
    const s = score(type, needle);
    if (s !== null && (!best || s < best.score)) best = { type, score: s };
  }
  return best?.type;
}

/** Types matching `search` (name, display name or description), grouped by category in library order. */
export function groupTypes(types: NodeType[], search: string): [string, NodeType[]][] {
  const needle = search.trim().toLowerCase();
  const matches = types.filter((t) => !needle || score(t, needle) !== null);
  const groups = new Map<string, NodeType[]>();
  for (const t of matches) groups.set(t.category, [...(groups.get(t.category) ?? []), t]);
  return [...groups.entries()].toSorted((a, b) => rank(a[0]) - rank(b[0]));
}

export function NodeLibrary({ types, onPick, onClose }: { types: NodeType[]; onPick(type: NodeType): void; onClose(): void }) {
  const [search, setSearch] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const groups = useMemo(() => groupTypes(types, search), [types, search]);
  const first = useMemo(() => bestMatch(types, search), [types, search]);
  useEffect(() => input.current?.focus(), []);
  return (
    <aside className="library" aria-label="Node library">
      <div className="library-head">
        <input
          ref={input}
          type="search"
          placeholder="Search nodes…"
          aria-label="Search nodes"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') onClose();
            if (event.key === 'Enter' && first) onPick(first);
          }}
        />
        <button type="button" aria-label="Close node library" onClick={onClose}>×</button>
      </div>
      {groups.length === 0 && <p className="muted">No node matches “{search}”.</p>}
      {groups.map(([category, list]) => (
        <section key={category}>
          <h3>{CATEGORY_LABEL[category] ?? category}</h3>
          {list.map((type) => (
            <button
              type="button"
              key={type.name}
              className={type === first && search ? 'library-item best' : 'library-item'}
              draggable
              data-node-type={type.name}
              title={type.description}
              onDragStart={(event) => {
                event.dataTransfer.setData(DRAG_TYPE, type.name);
                event.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={() => onPick(type)}
            >
              <strong>{type.displayName}</strong>
              <span>{type.description}</span>
            </button>
          ))}
        </section>
      ))}
    </aside>
  );
}
