/** A workflow node on the canvas: name, type, ports (labelled when several), status badges. */
import { memo } from 'react';
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import type { NodeType, WfNode } from '../api/types';
import type { NodeState } from '../executions/replay';

export interface WeftNodeData extends Record<string, unknown> {
  node: WfNode;
  type: NodeType | undefined;
  inputs: number;
  outputs: string[];
  errorOutput: boolean;
  /** Visual diff marker in the versions view. */
  diff?: 'added' | 'removed' | 'changed';
  /** Run state (live run in the editor, or a replay step). */
  run?: NodeState;
}

export type WeftFlowNode = Node<WeftNodeData, 'weft'>;

const HEIGHT = 64;

function spread(index: number, count: number): string {
  return `${((index + 1) / (count + 1)) * 100}%`;
}

function WeftNodeView({ data, selected }: NodeProps<WeftFlowNode>) {
  const { node, type, inputs, outputs, errorOutput, diff, run } = data;
  const outCount = outputs.length + (errorOutput ? 1 : 0);
  const classes = ['weft-node', `category-${type?.category ?? 'unknown'}`];
  if (selected) classes.push('selected');
  if (node.disabled) classes.push('disabled');
  if (type?.trigger) classes.push('trigger');
  if (diff) classes.push(`diff-${diff}`);
  if (!type) classes.push('unknown-type');
  if (run) classes.push(`run-${run.status}`);
  return (
    <div className={classes.join(' ')} style={{ minHeight: HEIGHT, borderColor: node.style.color }} data-testid="canvas-node" data-node-name={node.name} title={node.notes ?? undefined}>
      {Array.from({ length: inputs }, (_, i) => (
        <Handle key={`in-${i}`} id={`in-${i}`} type="target" position={Position.Left} style={{ top: spread(i, inputs) }} />
      ))}
      <div className="weft-node-name">{node.name}</div>
      <div className="weft-node-type">{type?.displayName ?? `Unknown type ${node.type}`}{node.disabled ? ' · disabled' : ''}</div>
      {run && <RunBadge run={run} />}
      {outputs.map((label, i) => (
        <Handle key={`out-${i}`} id={`out-${i}`} type="source" position={Position.Right} style={{ top: spread(i, outCount) }}>
          {outputs.length > 1 && label && <span className="port-label">{label}</span>}
        </Handle>
      ))}
      {errorOutput && (
        <Handle id="err-0" type="source" position={Position.Right} className="error-handle" style={{ top: spread(outputs.length, outCount) }}>
          <span className="port-label">error</span>
        </Handle>
      )}
    </div>
  );
}

export const WeftNodeComponent = memo(WeftNodeView);

/** Sticky notes: text on the canvas, no ports. */
function StickyView({ data, selected }: NodeProps<WeftFlowNode>) {
  const content = String((data.node.parameters as Record<string, unknown>).content ?? '');
  return (
    <div className={`sticky${selected ? ' selected' : ''}`} data-testid="canvas-node" data-node-name={data.node.name}>
      {content || 'Double-click to write a note'}
    </div>
  );
}

export const StickyComponent = memo(StickyView);

const RUN_LABEL: Record<NodeState['status'], string> = {
  running: 'running', retrying: 'retrying', succeeded: 'succeeded', failed: 'failed', canceled: 'canceled', waiting: 'waiting',
};

/** Status, items and attempts of a node's run. */
function RunBadge({ run }: { run: NodeState }) {
  const parts = [RUN_LABEL[run.status]];
  if (run.status === 'succeeded' && run.items !== null) parts.push(`${run.items} item${run.items === 1 ? '' : 's'}`);
  if (run.attempts > 1) parts.push(`attempt ${run.attempts}`);
  if (run.runs > 1) parts.push(`${run.runs} runs`);
  return (
    <div className={`run-badge run-badge-${run.status}`} data-testid="run-badge" title={run.error ?? undefined}>
      {parts.join(' · ')}
    </div>
  );
}
