/** The GraphQL operations the UI sends. */
import { gql } from 'urql';

const NODE_FIELDS = `id type typeVersion name position { x y } parameters credentials disabled notes onError retry style`;
const CONNECTION_FIELDS = `source sourceOutput target targetInput kind`;

export const WORKFLOWS = gql`
  query Workflows($environment: Environment, $search: String, $archived: Boolean, $after: String) {
    workflows(environment: $environment, search: $search, archived: $archived, first: 100, after: $after) {
      items { id name description environment active archived version updatedAt updatedBy }
      nextCursor
    }
  }
`;

export const WORKFLOW = gql`
  query Workflow($id: ID!) {
    workflow(id: $id) {
      id name description environment active archived version
      definition {
        version nodes { ${NODE_FIELDS} } connections { ${CONNECTION_FIELDS} }
        settings { timezone errorWorkflow timeoutSeconds executionOrder } variables pinData
      }
    }
  }
`;

export const NODE_TYPES = gql`
  query NodeTypes {
    nodeTypes {
      name displayName description category versions trigger dynamicPorts
      ports { inputs outputs }
      parameters
      credentials { name required }
    }
  }
`;

export const VERSIONS = gql`
  query Versions($id: ID!) {
    workflow(id: $id) { id version versions { version eventType summary actor recordedAt } }
  }
`;

export const DIFF = gql`
  query Diff($id: ID!, $from: Int!, $to: Int!) {
    workflow(id: $id) {
      id
      diff(from: $from, to: $to) {
        from to isEmpty
        addedNodes { ${NODE_FIELDS} }
        removedNodes { ${NODE_FIELDS} }
        changedNodes { nodeId name changes { path before after } }
        addedConnections { ${CONNECTION_FIELDS} }
        removedConnections { ${CONNECTION_FIELDS} }
        settings { path before after }
        variables { path before after }
        pinData
      }
      before: definition(version: $from) { version nodes { ${NODE_FIELDS} } connections { ${CONNECTION_FIELDS} } }
      after: definition(version: $to) { version nodes { ${NODE_FIELDS} } connections { ${CONNECTION_FIELDS} } }
    }
  }
`;

/**
 * What every mutation selects. Selecting `workflow` makes the answer wait until the read models
 * include the change, so anything read right after (a list, a reload, another client) sees it.
 */
const PROJECTED_CHANGE = `workflowId version changed workflow { id version active archived }`;

export const CREATE_WORKFLOW = gql`
  mutation CreateWorkflow($name: String!) { createWorkflow(name: $name) { ${PROJECTED_CHANGE} } }
`;
export const IMPORT_WORKFLOW = gql`
  mutation ImportWorkflow($document: JSON!, $format: ImportFormat!, $name: String) {
    importWorkflow(document: $document, format: $format, name: $name) { ${PROJECTED_CHANGE} }
  }
`;
export const EXPORT_WORKFLOW = gql`
  mutation ExportWorkflow($workflowId: ID!) { exportWorkflow(workflowId: $workflowId) }
`;
export const ARCHIVE_WORKFLOW = gql`
  mutation ArchiveWorkflow($workflowId: ID!) { archiveWorkflow(workflowId: $workflowId) { ${PROJECTED_CHANGE} } }
`;
export const RESTORE_WORKFLOW = gql`
  mutation RestoreWorkflow($workflowId: ID!) { restoreWorkflow(workflowId: $workflowId) { ${PROJECTED_CHANGE} } }
`;
export const ACTIVATE_WORKFLOW = gql`
  mutation ActivateWorkflow($workflowId: ID!) { activateWorkflow(workflowId: $workflowId) { ${PROJECTED_CHANGE} } }
`;
export const DEACTIVATE_WORKFLOW = gql`
  mutation DeactivateWorkflow($workflowId: ID!) { deactivateWorkflow(workflowId: $workflowId) { ${PROJECTED_CHANGE} } }
`;
export const REVERT_WORKFLOW = gql`
  mutation RevertWorkflow($workflowId: ID!, $version: Int!, $expectedVersion: Int) {
    revertWorkflow(workflowId: $workflowId, version: $version, expectedVersion: $expectedVersion) { ${PROJECTED_CHANGE} }
  }
`;

export const PROMOTION_TARGETS = gql`
  query PromotionTargets($environment: Environment!) {
    workflows(environment: $environment, first: 500) { items { id name version promotedFrom { workflowId version } } }
  }
`;

export const PROMOTE_WORKFLOW = gql`
  mutation PromoteWorkflow($workflowId: ID!, $targetEnvironment: Environment!, $expectedVersion: Int) {
    promoteWorkflow(workflowId: $workflowId, targetEnvironment: $targetEnvironment, expectedVersion: $expectedVersion) {
      workflowId version promotedVersion targetWorkflowId targetVersion target { id version }
    }
  }
`;

export const CHANGE_SETTINGS = gql`
  mutation ChangeSettings($workflowId: ID!, $settings: WorkflowSettingsInput!, $expectedVersion: Int) {
    changeSettings(workflowId: $workflowId, settings: $settings, expectedVersion: $expectedVersion) { ${PROJECTED_CHANGE} }
  }
`;
export const SET_VARIABLES = gql`
  mutation SetVariables($workflowId: ID!, $variables: JSON!, $expectedVersion: Int) {
    setVariables(workflowId: $workflowId, variables: $variables, expectedVersion: $expectedVersion) { ${PROJECTED_CHANGE} }
  }
`;
export const DESCRIBE_WORKFLOW = gql`
  mutation DescribeWorkflow($workflowId: ID!, $description: String!, $expectedVersion: Int) {
    describeWorkflow(workflowId: $workflowId, description: $description, expectedVersion: $expectedVersion) { ${PROJECTED_CHANGE} }
  }
`;

export const WORKFLOW_EVENTS = gql`
  subscription WorkflowEvents($workflowId: ID!, $afterVersion: Int) {
    workflowEvents(workflowId: $workflowId, afterVersion: $afterVersion) { workflowId version eventType summary actor }
  }
`;

/** Editor commands: one mutation each, all with `expectedVersion`. */
export const EDIT_MUTATIONS = {
  addNode: gql`
    mutation AddNode($workflowId: ID!, $node: NodeInput!, $expectedVersion: Int) {
      addNode(workflowId: $workflowId, node: $node, expectedVersion: $expectedVersion) { ${PROJECTED_CHANGE} }
    }
  `,
  removeNode: gql`
    mutation RemoveNode($workflowId: ID!, $nodeId: ID!, $expectedVersion: Int) {
      removeNode(workflowId: $workflowId, nodeId: $nodeId, expectedVersion: $expectedVersion) { ${PROJECTED_CHANGE} }
    }
  `,
  moveNode: gql`
    mutation MoveNode($workflowId: ID!, $nodeId: ID!, $position: PositionInput!, $expectedVersion: Int) {
      moveNode(workflowId: $workflowId, nodeId: $nodeId, position: $position, expectedVersion: $expectedVersion) { ${PROJECTED_CHANGE} }
    }
  `,
  updateNode: gql`
    mutation UpdateNode($workflowId: ID!, $nodeId: ID!, $changes: NodeChangesInput!, $expectedVersion: Int) {
      updateNode(workflowId: $workflowId, nodeId: $nodeId, changes: $changes, expectedVersion: $expectedVersion) { ${PROJECTED_CHANGE} }
    }
  `,
  addConnection: gql`
    mutation AddConnection($workflowId: ID!, $connection: ConnectionInput!, $expectedVersion: Int) {
      addConnection(workflowId: $workflowId, connection: $connection, expectedVersion: $expectedVersion) { ${PROJECTED_CHANGE} }
    }
  `,
  removeConnection: gql`
    mutation RemoveConnection($workflowId: ID!, $connection: ConnectionInput!, $expectedVersion: Int) {
      removeConnection(workflowId: $workflowId, connection: $connection, expectedVersion: $expectedVersion) { ${PROJECTED_CHANGE} }
    }
  `,
  renameWorkflow: gql`
    mutation RenameWorkflow($workflowId: ID!, $name: String!, $expectedVersion: Int) {
      renameWorkflow(workflowId: $workflowId, name: $name, expectedVersion: $expectedVersion) { ${PROJECTED_CHANGE} }
    }
  `,
} as const;
