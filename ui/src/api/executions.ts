/** GraphQL operations and types for executions. */
import { gql } from 'urql';

export type ExecutionStatus = 'QUEUED' | 'RUNNING' | 'WAITING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** n8n items: `[{json: …}]`. */
export type Items = { json?: Record<string, unknown> }[];

export interface NodeRun {
  nodeId: string;
  runIndex: number;
  status: string;
  attempts: number;
  inputs: (Items | null)[] | null;
  outputs: Items[] | null;
  error: { kind?: string; message?: string; description?: string } | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  pinned: boolean;
}

export interface ExecutionSummary {
  id: string;
  workflowId: string;
  workflowVersion: number;
  workflow: { id: string; name: string; environment: string } | null;
  status: ExecutionStatus;
  trigger: string;
  mode: string;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: { kind?: string; message?: string } | null;
  errorNodeId: string | null;
}

export interface ReplayEvent { sequence: number; type: string; recordedAt: string; actor: string; payload: Record<string, unknown> }
export interface TraversedConnection { source: string; sourceOutput: number; target: string; targetInput: number }

export interface ExecutionDetail extends ExecutionSummary {
  triggerDetail: unknown;
  nodeRuns: NodeRun[];
  logs: { sequence: number; level: LogLevel; nodeId: string | null; message: string; recordedAt: string }[];
  path: { steps: { nodeId: string; runIndex: number; status: string }[]; connections: TraversedConnection[] };
  replay: { workflowVersion: number; definition: unknown; events: ReplayEvent[] };
}

const SUMMARY = `id workflowId workflowVersion workflow { id name environment } status trigger mode queuedAt startedAt finishedAt durationMs error errorNodeId`;
const NODE_RUN = `nodeId runIndex status attempts inputs outputs error startedAt finishedAt durationMs pinned`;

export const EXECUTIONS = gql`
  query Executions($workflowId: ID, $status: ExecutionStatus, $environment: Environment, $trigger: TriggerKind, $after: String) {
    executions(workflowId: $workflowId, status: $status, environment: $environment, trigger: $trigger, first: 50, after: $after) {
      items { ${SUMMARY} }
      nextCursor
    }
  }
`;

export const EXECUTION = gql`
  query Execution($id: ID!, $minLevel: LogLevel) {
    execution(id: $id) {
      ${SUMMARY} triggerDetail
      nodeRuns { ${NODE_RUN} }
      logs(minLevel: $minLevel) { sequence level nodeId message recordedAt }
      path { steps { nodeId runIndex status } connections { source sourceOutput target targetInput } }
      replay { workflowVersion definition events { sequence type recordedAt actor payload } }
    }
  }
`;

/** The newest execution of a workflow with its node runs (for the editor's last-run data). */
export const LAST_EXECUTION = gql`
  query LastExecution($workflowId: ID!) {
    executions(workflowId: $workflowId, first: 1) { items { id status nodeRuns { ${NODE_RUN} } } }
  }
`;

// Selecting `execution` makes the answer wait until the read models include the new execution,
// so opening it right away finds it.
export const EXECUTE_WORKFLOW = gql`
  mutation ExecuteWorkflow($workflowId: ID!, $input: JSON) {
    executeWorkflow(workflowId: $workflowId, input: $input) { executionId workflowVersion status execution { id } }
  }
`;

// Runs from the trigger through the nodes on the way to the destination, then the destination
// itself; nothing after it ("Execute step").
export const EXECUTE_STEP = gql`
  mutation ExecuteStep($workflowId: ID!, $destinationNodeId: ID!) {
    executeWorkflow(workflowId: $workflowId, destinationNodeId: $destinationNodeId) { executionId workflowVersion status execution { id } }
  }
`;

/** The mutation and variables that run a workflow from the editor: all of it, or up to one node. */
export function runRequest(workflowId: string, destinationNodeId?: string | null) {
  return destinationNodeId
    ? { query: EXECUTE_STEP, variables: { workflowId, destinationNodeId } }
    : { query: EXECUTE_WORKFLOW, variables: { workflowId } };
}

export const STOP_EXECUTION = gql`
  mutation StopExecution($id: ID!) { stopExecution(id: $id) { id status } }
`;

export const DELETE_EXECUTION = gql`
  mutation DeleteExecution($id: ID!) { deleteExecution(id: $id) }
`;

export const RETRY_EXECUTION = gql`
  mutation RetryExecution($id: ID!, $from: RetryFrom!, $version: RetryVersion!) {
    retryExecution(id: $id, from: $from, version: $version) { executionId status execution { id } }
  }
`;

export const EXECUTION_EVENTS = gql`
  subscription ExecutionEvents($executionId: ID!) {
    executionEvents(executionId: $executionId) { executionId sequence type nodeId runIndex recordedAt payload }
  }
`;

export const WORKFLOW_EXECUTIONS = gql`
  subscription WorkflowExecutions($workflowId: ID!) {
    executions(workflowId: $workflowId) { executionId workflowId status type recordedAt }
  }
`;
