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

/** Types matching `search` (name, display name or description), grouped by category in library order. */
export function groupTypes(types: NodeType[], search: string): [string, NodeType[]][] {
  const needle = search.trim().toLowerCase();
  const matches = types.filter(
    (t) => !needle || t.displayName.toLowerCase().includes(needle) || t.name.toLowerCase().includes(needle) || t.description.toLowerCase().includes(needle),
  );
  const groups = new Map<string, NodeType[]>();
  for (const t of matches) groups.set(t.category, [...(groups.get(t.category) ?? []), t]);
  return [...groups.entries()].toSorted((a, b) => rank(a[0]) - rank(b[0]));
}

export function NodeLibrary({ types, onPick, onClose }: { types: NodeType[]; onPick(type: NodeType): void; onClose(): void }) {
  const [search, setSearch] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const groups = useMemo(() => groupTypes(types, search), [types, search]);
  const first = groups[0]?.[1][0];
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
              className="library-item"
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
