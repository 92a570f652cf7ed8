/**
 * Running the open workflow from the editor: starts an execution, follows its events live and
 * keeps each node's input and output items of the last run for the node details.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { EXECUTION_EVENTS, LAST_EXECUTION, runRequest, STOP_EXECUTION, type Items, type NodeRun } from '../api/executions';
import { toApiError } from '../api/errors';
import { foldRun, type RunEvent, type RunState } from './replay';

/** A node's items in the last run. */
export interface NodeData {
  inputs: (Items | null)[] | null;
  outputs: Items[] | null;
  error: string | null;
}

export interface EditorRun {
  executionId: string | null;
  state: RunState | null;
  starting: boolean;
  error: string | null;
  /** The node the current run stops after ("Execute step"), or null for a whole run. */
  destination: string | null;
  /** Items per node of the last run (this session's run, else the newest recorded one). */
  data: Map<string, NodeData>;
  /** Runs the workflow; with `destinationNodeId`, only up to and including that node. */
  start(destinationNodeId?: string): Promise<void>;
  stop(): Promise<void>;
}

function fromNodeRuns(runs: NodeRun[]): Map<string, NodeData> {
  const data = new Map<string, NodeData>();
  for (const run of runs) data.set(run.nodeId, { inputs: run.inputs, outputs: run.outputs, error: run.error?.message ?? null });
  return data;
}

/** Input and output items per node from the events seen so far. */
export function dataFromEvents(events: RunEvent[]): Map<string, NodeData> {
  const data = new Map<string, NodeData>();
  for (const event of events) {
    const f = (event.payload[event.type] as Record<string, unknown> | undefined) ?? event.payload;
    const id = (event.nodeId ?? f.nodeId) as string | undefined;
    if (!id) continue;
    const node = data.get(id) ?? { inputs: null, outputs: null, error: null };
    if (event.type === 'NodeRunStarted') Object.assign(node, { inputs: (f.inputs as NodeData['inputs']) ?? null, outputs: null, error: null });
    if (event.type === 'NodeRunSucceeded') node.outputs = (f.outputs as NodeData['outputs']) ?? null;
    if (event.type === 'NodeRunFailed') node.error = String((f.error as { message?: string })?.message ?? 'failed');
    data.set(id, node);
  }
  return data;
}

export function useRun(workflowId: string): EditorRun {
  const client = useClient();
  const [executionId, setExecutionId] = useState<string | null>(null);
  const [destination, setDestination] = useState<string | null>(null);
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [recorded, setRecorded] = useState<Map<string, NodeData>>(new Map());
  const subscription = useRef<{ unsubscribe(): void } | null>(null);

  // The newest recorded execution's items, so node details show data before any run here.
  useEffect(() => {
    let live = true;
    void client.query(LAST_EXECUTION, { workflowId }, { requestPolicy: 'network-only' }).toPromise().then((response) => {
      const last = (response.data as { executions?: { items: { nodeRuns: NodeRun[] }[] } } | undefined)?.executions?.items[0];
      if (live && last) setRecorded(fromNodeRuns(last.nodeRuns));
    });
    return () => {
      live = false;
    };
  }, [client, workflowId]);

  useEffect(() => () => subscription.current?.unsubscribe(), []);

  const start = useCallback(async (destinationNodeId?: string) => {
    setStarting(true);
    setError(null);
    subscription.current?.unsubscribe();
    const request = runRequest(workflowId, destinationNodeId);
    const response = await client.mutation(request.query, request.variables).toPromise();
    setStarting(false);
    if (response.error) {
      setError(toApiError(response.error).message);
      return;
    }
    const id = (response.data as { executeWorkflow: { executionId: string } }).executeWorkflow.executionId;
    setExecutionId(id);
    setDestination(destinationNodeId ?? null);
    setEvents([]);
    subscription.current = client.subscription(EXECUTION_EVENTS, { executionId: id }).subscribe((result) => {
      if (result.error) {
        setError(toApiError(result.error).message);
        return;
      }
      const event = (result.data as { executionEvents?: RunEvent } | undefined)?.executionEvents;
      if (event) setEvents((all) => (all.some((e) => e.sequence === event.sequence) ? all : [...all, event].toSorted((a, b) => a.sequence - b.sequence)));
    });
  }, [client, workflowId]);

  const stop = useCallback(async () => {
    if (!executionId) return;
    const response = await client.mutation(STOP_EXECUTION, { id: executionId }).toPromise();
    if (response.error) setError(toApiError(response.error).message);
  }, [client, executionId]);

  const state = executionId ? foldRun(events) : null;
  const data = executionId ? dataFromEvents(events) : recorded;
  return { executionId, state, starting, error, destination, data, start, stop };
}
