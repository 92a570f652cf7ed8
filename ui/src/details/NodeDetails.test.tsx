import { act, fireEvent, render, screen } from '@testing-library/react';
import { Client, Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import type { NodeType, WfNode } from '../api/types';
import NodeDetails, { type StepControl } from './NodeDetails';

const type: NodeType = {
  name: 'test.set', displayName: 'Set', description: 'Sets a field.', category: 'transform', versions: [1], trigger: null,
  dynamicPorts: false, ports: { inputs: ['main'], outputs: ['main'] }, credentials: [],
  parameters: [{ name: 'value', displayName: 'Value', type: { kind: 'string' }, default: '' }],
};
const node: WfNode = {
  id: 'n2', type: 'test.set', typeVersion: 1, name: 'Second', position: { x: 0, y: 0 }, parameters: { value: 'a' }, credentials: {},
  disabled: false, notes: null, onError: 'STOP_WORKFLOW', retry: {}, style: {},
};

function show(step: StepControl | null, onChange = vi.fn()) {
  const client = new Client({ url: 'http://127.0.0.1/graphql', exchanges: [] });
  render(
    <Provider value={client}>
      <NodeDetails step={step} scope={{ json: null, vars: {}, nodes: {} }} lastRun={null} node={node} type={type} editable nodeNames={['Second']} onChange={onChange} onClose={() => undefined} />
    </Provider>,
  );
  return onChange;
}

describe('NodeDetails: Execute step', () => {
  it('is absent for roles that may not run', () => {
    show(null);
    expect(screen.queryByRole('button', { name: 'Execute step' })).toBeNull();
  });

  it('is disabled while a run may not start', () => {
    show({ canRun: false, running: false, onExecute: vi.fn() });
    expect(screen.getByRole('button', { name: 'Execute step' })).toBeDisabled();
  });

  it('saves pending typing first, then runs and shows the data tab', async () => {
    const order: string[] = [];
    let finish: (() => void) | null = null;
    const onExecute = vi.fn(() => {
      order.push('execute');
      return new Promise<void>((resolve) => (finish = resolve));
    });
    const onChange = show({ canRun: true, running: false, onExecute }, vi.fn(() => void order.push('save')));
    fireEvent.change(screen.getByLabelText('Value'), { target: { value: 'b' } });
    fireEvent.click(screen.getByRole('button', { name: 'Execute step' }));
    expect(onChange).toHaveBeenCalledWith({ parameters: { value: 'b' } }, 'Edit parameters');
    expect(order).toEqual(['save', 'execute']);
    expect(screen.getByRole('tab', { name: 'Input / Output' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('button', { name: 'Executing…' })).toBeDisabled();
    await act(async () => finish?.());
    expect(screen.getByRole('button', { name: 'Execute step' })).toBeEnabled();
  });
});
