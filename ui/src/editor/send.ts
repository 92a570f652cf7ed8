/** Mutation variables and human descriptions of editor commands. */
import type { WfNode } from '../api/types';
import type { Command } from './model';

function nodeInput(node: WfNode) {
  return {
    id: node.id,
    type: node.type,
    typeVersion: node.typeVersion,
    name: node.name,
    position: { x: node.position.x, y: node.position.y },
    parameters: node.parameters,
    credentials: node.credentials,
    disabled: node.disabled,
    notes: node.notes,
    onError: node.onError,
    retry: node.retry,
    style: node.style,
  };
}

/** The variables of the command's mutation (without workflowId and expectedVersion). */
export function mutationVariables(command: Command): Record<string, unknown> {
  switch (command.kind) {
    case 'addNode':
      return { node: nodeInput(command.node) };
    case 'removeNode':
      return { nodeId: command.nodeId };
    case 'moveNode':
      return { nodeId: command.nodeId, position: { x: command.position.x, y: command.position.y } };
    case 'updateNode': {
      const changes: Record<string, unknown> = { ...command.changes };
      if ('notes' in changes && changes.notes === null) changes.notes = '';
      return { nodeId: command.nodeId, changes };
    }
    case 'addConnection':
    case 'removeConnection': {
      const { source, sourceOutput, target, targetInput, kind } = command.connection;
      return { connection: { source, sourceOutput, target, targetInput, kind } };
    }
  }
}

/** A short description for messages; `names` gives node names by id. */
export function describeCommand(command: Command, names: Map<string, string> = new Map()): string {
  const named = (id: string) => (names.has(id) ? `“${names.get(id)}”` : 'a node');
  switch (command.kind) {
    case 'addNode':
      return `add node “${command.node.name}”`;
    case 'removeNode':
      return `remove ${named(command.nodeId)}`;
    case 'moveNode':
      return `move ${named(command.nodeId)}`;
    case 'updateNode':
      return `change ${Object.keys(command.changes).join(', ')} of ${named(command.nodeId)}`;
    case 'addConnection':
      return 'connect two nodes';
    case 'removeConnection':
      return 'remove a connection';
  }
}
