import { describe, expect, it } from 'vitest';
import { completions, parseTemplate, pathOf, previewExpression, tokenBefore, type ExpressionContext } from './expression';

const context: ExpressionContext = {
  json: { name: 'Ada', address: { city: 'London', 'post code': 'N1' }, tags: ['a', 'b'] },
  vars: { region: 'eu' },
  nodes: { Webhook: { body: { id: 7 } }, Later: null },
};

describe('expression preview', () => {
  it('splits templates into text and blocks', () => {
    expect(parseTemplate('Hi {{ $json.name }}!')).toEqual([
      { kind: 'text', text: 'Hi ' }, { kind: 'code', code: '$json.name' }, { kind: 'text', text: '!' },
    ]);
    expect(parseTemplate('no {{ close')).toEqual([{ kind: 'text', text: 'no {{ close' }]);
  });

  it('reads plain paths with dots, indexes and quoted keys', () => {
    expect(pathOf('$json.address["post code"]')).toEqual({ root: '$json', keys: ['address', 'post code'] });
    expect(pathOf('$json.tags[1]')).toEqual({ root: '$json', keys: ['tags', 1] });
    expect(pathOf('$json.name.toUpperCase()')).toBeNull();
  });

  it('previews what is known and lists what needs a run', () => {
    expect(previewExpression('Hello {{ $json.name }} from {{ $json.address.city }}', context)).toEqual({ text: 'Hello Ada from London', unresolved: [] });
    expect(previewExpression('{{ $vars.region }}-{{ $node["Webhook"].json.body.id }}', context).text).toBe('eu-7');
    expect(previewExpression('{{ $json.tags }}', context).text).toBe('["a","b"]');
    expect(previewExpression('{{ $json.missing }}', context).text).toBe('[undefined]');
    expect(previewExpression('{{ $json.name.toUpperCase() }}', context)).toEqual({ text: '[$json.name.toUpperCase()]', unresolved: ['$json.name.toUpperCase()'] });
    expect(previewExpression('{{ $json.name }}', { ...context, json: null }).unresolved).toEqual(['$json.name']);
  });
});

describe('expression completions', () => {
  it('finds the path being typed inside a block', () => {
    expect(tokenBefore('Hi {{ $json.addr', 16)).toBe('$json.addr');
    expect(tokenBefore('Hi {{ $json.a }} x', 18)).toBeNull();
    expect(tokenBefore('{{ ', 3)).toBe('');
  });

  it('suggests roots, fields of known items and node names', () => {
    expect(completions('$j', context)).toEqual(['$json']);
    expect(completions('$json.', context)).toEqual(['$json.name', '$json.address', '$json.tags']);
    expect(completions('$json.address.', context)).toEqual(['$json.address.city', '$json.address["post code"]']);
    expect(completions('$vars.r', context)).toEqual(['$vars.region']);
    expect(completions('$node["W', context)).toEqual(['$node["Webhook"].json']);
    expect(completions('$json.name.', context)).toEqual([]);
  });
});
