/** Shapes of the API's objects, as the UI reads them. */

export type Environment = 'TESTING' | 'LAUNCHED' | 'PRODUCTION';
export type OnError = 'STOP_WORKFLOW' | 'CONTINUE_REGULAR_OUTPUT' | 'CONTINUE_ERROR_OUTPUT';
export type ConnectionKind = 'MAIN' | 'ERROR';

export interface Position { x: number; y: number }

export interface RetrySettings {
  retryOnFail?: boolean;
  maxTries?: number;
  waitBetweenTriesMs?: number;
  backoffFactor?: number;
}

export interface WfNode {
  id: string;
  type: string;
  typeVersion: number;
  name: string;
  position: Position;
  parameters: Record<string, unknown>;
  credentials: Record<string, unknown>;
  disabled: boolean;
  notes: string | null;
  onError: OnError;
  retry: RetrySettings;
  style: { color?: string; icon?: string };
}

export interface WfConnection {
  source: string;
  sourceOutput: number;
  target: string;
  targetInput: number;
  kind: ConnectionKind;
}

export interface WorkflowSettings {
  timezone: string | null;
  errorWorkflow: string | null;
  timeoutSeconds: number | null;
  executionOrder: 'V0' | 'V1';
}

export interface Definition {
  version: number;
  nodes: WfNode[];
  connections: WfConnection[];
  /** Present where the query asks for them (the editor's load). */
  settings?: WorkflowSettings;
  variables?: Record<string, unknown>;
  /** Pinned items by node id (`[{json: …}]`). */
  pinData?: Record<string, { json?: Record<string, unknown> }[]>;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string;
  environment: Environment;
  active: boolean;
  archived: boolean;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface WorkflowDetail {
  id: string;
  name: string;
  description: string;
  environment: Environment;
  active: boolean;
  archived: boolean;
  version: number;
  definition: Definition;
}

/** One parameter of a node type's schema (see the catalog). */
export interface ParameterSpec {
  name: string;
  displayName: string;
  type: ParameterType;
  default?: unknown;
  required?: boolean;
  expressions?: boolean;
  options?: { value: string; label: string }[];
  description?: string;
  showWhen?: [string, unknown[]];
}

export type ParameterType =
  | { kind: 'string' }
  | { kind: 'code'; language: string }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'options' }
  | { kind: 'json' }
  | { kind: 'collection'; fields: ParameterSpec[] }
  | { kind: 'fixed'; fields: ParameterSpec[] };

export interface NodeType {
  name: string;
  displayName: string;
  description: string;
  category: string;
  versions: number[];
  trigger: string | null;
  dynamicPorts: boolean;
  ports: { inputs: string[]; outputs: string[] };
  parameters: ParameterSpec[];
  credentials: { name: string; required: boolean }[];
}

export interface WorkflowVersion {
  version: number;
  eventType: string;
  summary: string;
  actor: string;
  recordedAt: string;
}

export interface ValueChange { path: string; before: unknown; after: unknown }

export interface DefinitionDiff {
  from: number;
  to: number;
  isEmpty: boolean;
  addedNodes: WfNode[];
  removedNodes: WfNode[];
  changedNodes: { nodeId: string; name: string; changes: ValueChange[] }[];
  addedConnections: WfConnection[];
  removedConnections: WfConnection[];
  settings: ValueChange[];
  variables: ValueChange[];
  pinData: string[];
}
