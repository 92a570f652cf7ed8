import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import type { ParameterSpec } from '../api/types';
import { ParameterForm } from './ParameterForm';

const specs: ParameterSpec[] = [
  { name: 'mode', displayName: 'Mode', type: { kind: 'options' }, default: 'manual', options: [{ value: 'manual', label: 'Manual' }, { value: 'raw', label: 'JSON' }] },
  { name: 'value', displayName: 'Value', type: { kind: 'string' }, default: '', expressions: true, showWhen: ['mode', ['manual']] },
  { name: 'keep', displayName: 'Keep', type: { kind: 'boolean' }, default: false },
];

describe('ParameterForm', () => {
  it('renders the fields the schema shows and reports edits', () => {
    const onChange = vi.fn();
    render(<ParameterForm specs={specs} values={{}} editable onChange={onChange} />);
    expect(screen.getByLabelText('Mode')).toHaveValue('manual');
    fireEvent.change(screen.getByLabelText('Value'), { target: { value: 'hello' } });
    expect(onChange).toHaveBeenLastCalledWith({ value: 'hello' });
    fireEvent.click(screen.getByLabelText('Keep'));
    expect(onChange).toHaveBeenLastCalledWith({ keep: true });
  });

  it('hides fields whose condition does not hold', () => {
    render(<ParameterForm specs={specs} values={{ mode: 'raw' }} editable onChange={() => undefined} />);
    expect(screen.queryByLabelText('Value')).toBeNull();
  });

  it('shows an expression in expression mode and switches back to a fixed value', () => {
    const onChange = vi.fn();
    render(<ParameterForm specs={specs} values={{ value: '={{ $json.name }}' }} editable onChange={onChange} />);
    expect(screen.getByLabelText('Value')).toHaveValue('{{ $json.name }}');
    fireEvent.click(screen.getByRole('button', { name: 'Value: use a fixed value' }));
    expect(onChange).toHaveBeenLastCalledWith({ value: '{{ $json.name }}' });
  });

  it('marks a missing required value', () => {
    render(<ParameterForm specs={[{ ...specs[1], required: true, showWhen: undefined }]} values={{}} editable onChange={() => undefined} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Value is required.');
  });
});
