/**
 * Expression help in the editor: a preview of `={{ … }}` templates where the values are known
 * (workflow variables, sample items from pinned data or the last run, node names), and
 * completions for what can follow `$json.`, `$vars.`, `$node[…]`. Only plain paths are evaluated
 * here; anything else shows as needing a run (the engine evaluates it then).
 */

/** What an expression can see in the editor. */
export interface ExpressionContext {
  /** The current item's JSON (first input item of a sample), if known. */
  json: Record<string, unknown> | null;
  /** Workflow variables. */
  vars: Record<string, unknown>;
  /** Sample output JSON of other nodes, by node name (null when unknown). */
  nodes: Record<string, Record<string, unknown> | null>;
}

export type Segment = { kind: 'text'; text: string } | { kind: 'code'; code: string };

/** Splits a template (without the leading `=`) into text and `{{ code }}` parts. */
export function parseTemplate(template: string): Segment[] {
  const segments: Segment[] = [];
  let rest = template;
  while (rest.length) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      segments.push({ kind: 'text', text: rest });
      break;
    }
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) {
      segments.push({ kind: 'text', text: rest });
      break;
    }
    if (open > 0) segments.push({ kind: 'text', text: rest.slice(0, open) });
    segments.push({ kind: 'code', code: rest.slice(open + 2, close).trim() });
    rest = rest.slice(close + 2);
  }
  return segments;
}

const UNKNOWN = Symbol('unknown');

/** Splits `$json.a["b c"][0].d` into its root and keys; null when it is not a plain path. */
export function pathOf(code: string): { root: string; keys: (string | number)[] } | null {
  const match = /^(\$[A-Za-z_]+)/.exec(code);
  if (!match) return null;
  const keys: (string | number)[] = [];
  let rest = code.slice(match[1].length);
  while (rest.length) {
    let m: RegExpExecArray | null;
    if ((m = /^\.([A-Za-z_$][\w$]*)/.exec(rest))) keys.push(m[1]);
    else if ((m = /^\[\s*(\d+)\s*\]/.exec(rest))) keys.push(Number(m[1]));
    else if ((m = /^\[\s*(["'])(.*?)\1\s*\]/.exec(rest))) keys.push(m[2]);
    else return null;
    rest = rest.slice(m[0].length);
  }
  return { root: match[1], keys };
}

function walk(value: unknown, keys: (string | number)[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** Evaluates one `{{ }}` block when it is a plain path or a literal; UNKNOWN otherwise. */
function evaluate(code: string, context: ExpressionContext): unknown {
  if (/^-?\d+(\.\d+)?$/.test(code)) return Number(code);
  const literal = /^(["'])(.*)\1$/.exec(code);
  if (literal) return literal[2];
  const path = pathOf(code);
  if (!path) return UNKNOWN;
  switch (path.root) {
    case '$json':
      return context.json ? walk(context.json, path.keys) : UNKNOWN;
    case '$vars':
      return walk(context.vars, path.keys);
    case '$input':
      // $input.item.json.x and $input.first().json.x are common; only the plain form is a path.
      if (path.keys[0] === 'item' && path.keys[1] === 'json') return context.json ? walk(context.json, path.keys.slice(2)) : UNKNOWN;
      return UNKNOWN;
    case '$node': {
      const [name, json, ...rest] = path.keys;
      if (typeof name !== 'string' || json !== 'json') return UNKNOWN;
      const sample = context.nodes[name];
      return sample ? walk(sample, rest) : UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}

function show(value: unknown): string {
  if (value === undefined) return '[undefined]';
  if (value === null) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The template's value where it can be known, and the blocks that need a run. */
export function previewExpression(template: string, context: ExpressionContext): { text: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const segments = parseTemplate(template);
  // A template that is a single block keeps its value's type (as the engine does).
  const parts = segments.map((segment) => {
    if (segment.kind === 'text') return segment.text;
    const value = evaluate(segment.code, context);
    if (value === UNKNOWN) {
      unresolved.push(segment.code);
      return `[${segment.code}]`;
    }
    return show(value);
  });
  return { text: parts.join(''), unresolved };
}

/** The path being typed just before the cursor inside `{{ }}`, or null outside a block. */
export function tokenBefore(text: string, cursor: number): string | null {
  const before = text.slice(0, cursor);
  const open = before.lastIndexOf('{{');
  if (open < 0 || before.lastIndexOf('}}') > open) return null;
  const match = /(\$[\w$]*(?:(?:\.[\w$]*)|(?:\[[^\]]*\]?))*)$/.exec(before.slice(open + 2));
  return match ? match[1] : '';
}

/** Completions for `token`: full replacements for it. */
export function completions(token: string, context: ExpressionContext): string[] {
  const roots = ['$json', '$vars', '$node', '$input.item.json', '$now', '$today', '$workflow', '$execution', '$itemIndex'];
  if (!token.includes('.') && !token.includes('[')) return roots.filter((r) => r.startsWith(token) && r !== token);
  const cut = Math.max(token.lastIndexOf('.'), token.lastIndexOf('['));
  const base = token.slice(0, cut);
  const partial = token.slice(cut + 1).replace(/^["']/, '');
  if (base === '$node' && token[cut] === '[') {
    return Object.keys(context.nodes).filter((n) => n.startsWith(partial)).map((n) => `$node["${n}"].json`);
  }
  const path = pathOf(base);
  if (!path) return [];
  const value = evaluate(base, context);
  if (value === UNKNOWN || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.keys(value as object)
    .filter((key) => key.startsWith(partial))
    .map((key) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}["${key}"]`));
}

/** The context for a node: the first pinned item of the node feeding its first input, every variable, node samples. */
export function contextFor(
  nodeId: string,
  graph: { nodes: { id: string; name: string }[]; connections: { source: string; target: string; targetInput: number }[] },
  pinData: Record<string, { json?: Record<string, unknown> }[]>,
  vars: Record<string, unknown>,
  lastRun: Map<string, { inputs: ({ json?: Record<string, unknown> }[] | null)[] | null; outputs: { json?: Record<string, unknown> }[][] | null }> = new Map(),
): ExpressionContext {
  // The last run's items win over pinned ones: they are what the node really received.
  const output = (id: string) => lastRun.get(id)?.outputs?.[0]?.[0]?.json ?? pinData[id]?.[0]?.json ?? null;
  const ownInput = lastRun.get(nodeId)?.inputs?.[0]?.[0]?.json ?? null;
  const feeding = graph.connections.find((c) => c.target === nodeId && c.targetInput === 0);
  const nodes: ExpressionContext['nodes'] = {};
  for (const node of graph.nodes) if (node.id !== nodeId) nodes[node.name] = output(node.id);
  return { json: ownInput ?? (feeding ? output(feeding.source) : null), vars, nodes };
}
