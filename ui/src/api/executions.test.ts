import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { EXECUTE_STEP, EXECUTE_WORKFLOW, runRequest } from './executions';

describe('runRequest', () => {
  it('runs the whole workflow without a destination', () => {
    expect(runRequest('w1')).toEqual({ query: EXECUTE_WORKFLOW, variables: { workflowId: 'w1' } });
    expect(runRequest('w1', null)).toEqual({ query: EXECUTE_WORKFLOW, variables: { workflowId: 'w1' } });
    expect(print(EXECUTE_WORKFLOW)).not.toContain('destinationNodeId');
  });

  it('runs up to one node for "Execute step"', () => {
    const request = runRequest('w1', 'node-2');
    expect(request.query).toBe(EXECUTE_STEP);
    expect(request.variables).toEqual({ workflowId: 'w1', destinationNodeId: 'node-2' });
    const text = print(EXECUTE_STEP);
    expect(text).toContain('$destinationNodeId: ID!');
    expect(text).toContain('executeWorkflow(workflowId: $workflowId, destinationNodeId: $destinationNodeId)');
  });
});
