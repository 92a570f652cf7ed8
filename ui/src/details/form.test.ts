import { describe, expect, it } from 'vitest';
import type { ParameterSpec } from '../api/types';
import { isExpression, newEntry, parseJsonField, toggleExpression, validate, validateAll, valueOf, visibleFields } from './form';

const method: ParameterSpec = { name: 'method', displayName: 'Method', type: { kind: 'options' }, default: 'GET', options: [{ value: 'GET', label: 'GET' }, { value: 'POST', label: 'POST' }] };
const body: ParameterSpec = { name: 'body', displayName: 'Body', type: { kind: 'json' }, default: {}, showWhen: ['method', ['POST']] };
const url: ParameterSpec = { name: 'url', displayName: 'URL', type: { kind: 'string' }, default: '', required: true, expressions: true };
const count: ParameterSpec = { name: 'count', displayName: 'Count', type: { kind: 'number' }, default: 1 };
const rules: ParameterSpec = { name: 'rules', displayName: 'Rules', type: { kind: 'collection', fields: [url, count] }, default: [] };

describe('form generator', () => {
  it('shows a field only when its showWhen parameter has a listed value, using defaults', () => {
    expect(visibleFields([method, body, url], {}).map((f) => f.name)).toEqual(['method', 'url']);
    expect(visibleFields([method, body, url], { method: 'POST' }).map((f) => f.name)).toEqual(['method', 'body', 'url']);
  });

  it('hides a field whose showWhen parameter is hidden itself', () => {
    const sendBody: ParameterSpec = { name: 'sendBody', displayName: 'Send Body', type: { kind: 'boolean' }, default: false };
    const contentType: ParameterSpec = { name: 'contentType', displayName: 'Content Type', type: { kind: 'options' }, default: 'json', showWhen: ['sendBody', [true]] };
    const jsonBody: ParameterSpec = { name: 'jsonBody', displayName: 'JSON Body', type: { kind: 'json' }, default: '', showWhen: ['contentType', ['json']] };
    const specs = [sendBody, contentType, jsonBody];
    expect(visibleFields(specs, {}).map((f) => f.name)).toEqual(['sendBody']);
    expect(visibleFields(specs, { sendBody: true }).map((f) => f.name)).toEqual(['sendBody', 'contentType', 'jsonBody']);
    const loop: ParameterSpec = { ...jsonBody, name: 'a', showWhen: ['b', ['x']] };
    const back: ParameterSpec = { ...jsonBody, name: 'b', showWhen: ['a', ['x']], default: 'x' };
    expect(visibleFields([loop, back], { a: 'x' }).map((f) => f.name)).toEqual(['a', 'b']);
  });

  it('reads stored values and falls back to defaults', () => {
    expect(valueOf(method, {})).toBe('GET');
    expect(valueOf(method, { method: 'POST' })).toBe('POST');
    expect(valueOf(url, { url: '' })).toBe('');
  });

  it('switches a field to an expression and back without losing its text', () => {
    const expression = toggleExpression('https://x', url);
    expect(expression).toBe('=https://x');
    expect(isExpression(expression)).toBe(true);
    expect(toggleExpression(expression, url)).toBe('https://x');
    expect(toggleExpression(5, count)).toBe('=5');
    expect(toggleExpression('=7', count)).toBe(7);
    expect(toggleExpression('={{ $json.n }}', count)).toBe(1);
    expect(toggleExpression(undefined, url)).toBe('=');
  });

  it('names what is wrong with a value', () => {
    expect(validate(url, '')).toBe('URL is required.');
    expect(validate(url, '={{ $json.url }}')).toBeNull();
    expect(validate(url, '={{ $json.url }')).toMatch(/unbalanced/);
    expect(validate(count, Number.NaN)).toBe('Count must be a number.');
    expect(validate(method, 'PATCH')).toMatch(/not one of the choices/);
    expect(validate(method, 'POST')).toBeNull();
  });

  it('validates nested collection entries with their paths', () => {
    const problems = validateAll([rules], { rules: [{ url: 'a', count: 2 }, { url: '', count: 'x' }] });
    expect(problems).toEqual([
      { path: 'rules[1].url', message: 'URL is required.' },
      { path: 'rules[1].count', message: 'Count must be a number.' },
    ]);
  });

  it('starts new collection entries at the defaults', () => {
    expect(newEntry([url, count])).toEqual({ url: '', count: 1 });
  });

  it('keeps non-JSON text as a string and reports broken JSON', () => {
    expect(parseJsonField('{"a": 1}')).toEqual({ value: { a: 1 }, error: null });
    expect(parseJsonField('hello')).toEqual({ value: 'hello', error: null });
    expect(parseJsonField('{"a": ').error).toMatch(/Not valid JSON/);
  });
});
