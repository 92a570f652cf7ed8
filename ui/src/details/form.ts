/**
 * The form generator's logic: which fields of a parameter schema show, their current values
 * (stored or default), expression mode, and validation messages. Pure, so it is unit-tested.
 */
import type { ParameterSpec } from '../api/types';

export type Values = Record<string, unknown>;

/** The stored value of a field, or its default. */
export function valueOf(spec: ParameterSpec, values: Values): unknown {
  return spec.name in values ? values[spec.name] : spec.default;
}

/**
 * Whether the field shows: its `showWhen` parameter shows itself and holds one of the listed
 * values (HTTP Request's JSON Body hides with Send Body, not only with the content type).
 */
export function isVisible(spec: ParameterSpec, values: Values, siblings: ParameterSpec[], depth = 0): boolean {
  if (!spec.showWhen) return true;
  const [name, allowed] = spec.showWhen;
  const other = siblings.find((s) => s.name === name);
  // A cycle in a broken schema must not recurse forever.
  if (other && other !== spec && depth < 8 && !isVisible(other, values, siblings, depth + 1)) return false;
  const current = other ? valueOf(other, values) : values[name];
  return allowed.some((value) => value === current);
}

/** The fields to show for `values`. */
export function visibleFields(specs: ParameterSpec[], values: Values): ParameterSpec[] {
  return specs.filter((spec) => isVisible(spec, values, specs));
}

/** Whether a value is an expression (`=` prefix, as in n8n). */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('=');
}

/** Turns a fixed value into an expression keeping its text, and back. */
export function toggleExpression(value: unknown, spec: ParameterSpec): unknown {
  if (isExpression(value)) {
    const text = value.slice(1);
    switch (spec.type.kind) {
      case 'number': {
        const n = Number(text);
        return text.trim() !== '' && Number.isFinite(n) ? n : spec.default;
      }
      case 'boolean':
        return text === 'true' ? true : text === 'false' ? false : spec.default;
      case 'json':
        try {
          return JSON.parse(text);
        } catch {
          return text;
        }
      default:
        return text;
    }
  }
  if (value === undefined || value === null) return '=';
  return `=${typeof value === 'string' ? value : JSON.stringify(value)}`;
}

/** Returns `values` with one field set (a new object). */
export function setValue(values: Values, name: string, value: unknown): Values {
  return { ...values, [name]: value };
}

/** What is wrong with a field's value, or null. */
export function validate(spec: ParameterSpec, value: unknown): string | null {
  if (isExpression(value)) {
    const open = (value.match(/\{\{/g) ?? []).length;
    const close = (value.match(/\}\}/g) ?? []).length;
    return open === close ? null : `${spec.displayName}: the expression has unbalanced {{ }}.`;
  }
  const empty = value === undefined || value === null || value === '';
  if (spec.required && empty) return `${spec.displayName} is required.`;
  if (empty) return null;
  switch (spec.type.kind) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : `${spec.displayName} must be a number.`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${spec.displayName} must be true or false.`;
    case 'options':
      return spec.options?.some((o) => o.value === value) ? null : `${spec.displayName}: “${String(value)}” is not one of the choices.`;
    case 'collection':
      return Array.isArray(value) ? null : `${spec.displayName} must be a list.`;
    case 'fixed':
      return typeof value === 'object' && !Array.isArray(value) ? null : `${spec.displayName} must be an object.`;
    default:
      return null;
  }
}

/** Every problem in `values` against `specs`, nested fields included, with their paths. */
export function validateAll(specs: ParameterSpec[], values: Values, prefix = ''): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const spec of visibleFields(specs, values)) {
    const value = valueOf(spec, values);
    const path = prefix + spec.name;
    const message = validate(spec, value);
    if (message) problems.push({ path, message });
    else if (spec.type.kind === 'fixed' && value && typeof value === 'object' && !isExpression(value)) {
      problems.push(...validateAll(spec.type.fields, value as Values, `${path}.`));
    } else if (spec.type.kind === 'collection' && Array.isArray(value)) {
      const fields = spec.type.fields;
      value.forEach((entry, i) => problems.push(...validateAll(fields, (entry ?? {}) as Values, `${path}[${i}].`)));
    }
  }
  return problems;
}

/** A new collection entry: every field at its default. */
export function newEntry(fields: ParameterSpec[]): Values {
  const entry: Values = {};
  for (const field of fields) if (field.default !== undefined && field.default !== null) entry[field.name] = field.default;
  return entry;
}

/** Parses the text of a JSON field; strings that are not JSON stay strings. */
export function parseJsonField(text: string): { value: unknown; error: string | null } {
  if (text.trim() === '') return { value: '', error: null };
  try {
    return { value: JSON.parse(text), error: null };
  } catch (error) {
    const looksJson = /^[[{]/.test(text.trim());
    return looksJson ? { value: text, error: `Not valid JSON: ${(error as Error).message}` } : { value: text, error: null };
  }
}
