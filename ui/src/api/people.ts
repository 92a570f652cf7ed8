/**
 * The GraphQL operations of the credentials and users pages, and the types they return.
 * Nothing here ever selects a secret: credentials come back as metadata only.
 */
import { gql } from 'urql';

/** One field of a credential type, as `credentialTypes` describes it. */
export interface CredentialField {
  name: string;
  /** `string`, `number` or `boolean`. */
  kind: string;
  /** Encrypted at rest and never returned. */
  secret: boolean;
  required: boolean;
}

/** A supported credential type. */
export interface CredentialTypeInfo {
  id: string;
  displayName: string;
  fields: CredentialField[];
}

/** A stored credential's metadata (non-secret fields, and which secret fields are set). */
export interface CredentialMeta {
  id: string;
  name: string;
  type: string;
  data: Record<string, unknown>;
  secretFields: string[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/** A user as the users page shows them. */
export interface UserRow {
  id: string;
  email: string;
  /** `OWNER`, `ADMIN`, `EDITOR` or `VIEWER`. */
  role: string;
  disabled: boolean;
}

/** An API key (never its secret). */
export interface ApiKeyRow {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

const CREDENTIAL = 'id name type data secretFields createdAt createdBy updatedAt updatedBy';

export const CREDENTIALS = gql`
  query Credentials { credentials { ${CREDENTIAL} } credentialTypes { id displayName fields { name kind secret required } } }
`;
export const CREATE_CREDENTIAL = gql`
  mutation CreateCredential($name: String!, $type: String!, $data: JSON!) {
    createCredential(name: $name, type: $type, data: $data) { ${CREDENTIAL} }
  }
`;
export const UPDATE_CREDENTIAL = gql`
  mutation UpdateCredential($id: ID!, $name: String, $data: JSON) {
    updateCredential(id: $id, name: $name, data: $data) { ${CREDENTIAL} }
  }
`;
export const DELETE_CREDENTIAL = gql`
  mutation DeleteCredential($id: ID!) { deleteCredential(id: $id) }
`;
export const TEST_CREDENTIAL = gql`
  mutation TestCredential($id: ID!, $url: String) { testCredential(id: $id, url: $url) { ok message } }
`;

const USER = 'id email role disabled';

export const USERS = gql`query Users { users { ${USER} } }`;
export const CREATE_USER = gql`
  mutation CreateUser($email: String!, $password: String!, $role: Role!) { createUser(email: $email, password: $password, role: $role) { ${USER} } }
`;
export const CHANGE_USER_ROLE = gql`
  mutation ChangeUserRole($id: ID!, $role: Role!) { changeUserRole(id: $id, role: $role) { ${USER} } }
`;
export const DISABLE_USER = gql`mutation DisableUser($id: ID!) { disableUser(id: $id) { ${USER} } }`;
export const ENABLE_USER = gql`mutation EnableUser($id: ID!) { enableUser(id: $id) { ${USER} } }`;

export const API_KEYS = gql`query ApiKeys { apiKeys { id name createdAt revokedAt } }`;
export const CREATE_API_KEY = gql`mutation CreateApiKey($name: String!) { createApiKey(name: $name) { id name key } }`;
export const REVOKE_API_KEY = gql`mutation RevokeApiKey($id: ID!) { revokeApiKey(id: $id) }`;

export const WORKFLOW_PRESENCE = gql`
  subscription WorkflowPresence($workflowId: ID!) { workflowPresence(workflowId: $workflowId) { workflowId actors users { id email role } } }
`;

export const CHANGE_PASSWORD = gql`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) { id }
  }
`;
