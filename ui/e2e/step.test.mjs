// "Execute step" end to end: in a manual trigger → Set → Set → Set chain, executing the middle
// Set runs the trigger and the first two Sets (live status on the canvas) and not the third, and
// its node details show the middle node's output. Real `weft serve`, real Chromium.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { e2eSuite, screenshot } from './harness.mjs';

const suite = e2eSuite();
const newPage = async () => (await suite.open()).page;

const node = (page, name) => page.locator(`.react-flow__node:has([data-node-name="${name}"])`);
const badge = (page, name) => node(page, name).getByTestId('run-badge');

/** Start → First → Second → Third: a manual trigger, then three Sets each adding a letter. */
async function importChain() {
  const { nodeTypes } = await suite.weft.graphql('{ nodeTypes { name versions } }');
  const version = (type) => nodeTypes.find((t) => t.name === type).versions.at(-1);
  const set = (id, name, x, value) => ({
    id, name, type: 'n8n-nodes-base.set', typeVersion: version('n8n-nodes-base.set'), position: [x, 0],
    parameters: { assignments: { assignments: [{ name: 'letters', value, type: 'string' }] } },
  });
  const document = {
    name: 'Chain',
    nodes: [
      { id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: version('n8n-nodes-base.manualTrigger'), position: [-250, 0], parameters: {} },
      set('first', 'First', 0, 'A'),
      set('second', 'Second', 250, '={{ $json.letters }}B'),
      set('third', 'Third', 500, '={{ $json.letters }}C'),
    ],
    connections: [
      { source: 'start', target: 'first' },
      { source: 'first', target: 'second' },
      { source: 'second', target: 'third' },
    ],
  };
  const data = await suite.weft.graphql('mutation($d: JSON!) { importWorkflow(document: $d) { workflowId } }', { d: document });
  return data.importWorkflow.workflowId;
}

describe('execute step', () => {
  it('runs up to the chosen node and shows its output', async () => {
    const workflowId = await importChain();
    const page = await newPage();
    await page.goto(`${suite.weft.base}/workflows/${encodeURIComponent(workflowId)}`);
    await node(page, 'Third').waitFor();

    await node(page, 'Second').dblclick();
    const details = page.getByRole('complementary', { name: 'Node details: Second' });
    await details.getByRole('button', { name: 'Execute step' }).click();

    // The nodes on the way light up as they run; nothing after the destination runs.
    await page.getByTestId('run-status').filter({ hasText: 'Succeeded (up to Second)' }).waitFor();
    await badge(page, 'Start').filter({ hasText: 'succeeded · 1 item' }).waitFor();
    await badge(page, 'First').filter({ hasText: 'succeeded · 1 item' }).waitFor();
    await badge(page, 'Second').filter({ hasText: 'succeeded · 1 item' }).waitFor();
    assert.equal(await badge(page, 'Third').count(), 0);
    assert.equal(await page.locator('.react-flow__edge.traversed').count(), 2);

    // The details switched to the data and show the middle node's items.
    await details.getByRole('region', { name: 'Output' }).getByRole('cell', { name: 'AB', exact: true }).waitFor();
    await details.getByRole('region', { name: 'Input' }).getByRole('cell', { name: 'A', exact: true }).waitFor();
    await screenshot(page, 'execute-step');

    // The recorded execution agrees: Third never ran.
    const { executions } = await suite.weft.graphql(
      'query($w: ID!) { executions(workflowId: $w, first: 5) { items { status nodeRuns { nodeId } } } }',
      { w: workflowId },
    );
    assert.equal(executions.items.length, 1);
    assert.equal(executions.items[0].status, 'SUCCEEDED');
    assert.deepEqual(executions.items[0].nodeRuns.map((r) => r.nodeId).toSorted(), ['first', 'second', 'start']);

    // A whole run afterwards still runs everything.
    await details.getByRole('button', { name: 'Close node details' }).click();
    await page.getByRole('button', { name: 'Execute', exact: true }).click();
    await badge(page, 'Third').filter({ hasText: 'succeeded · 1 item' }).waitFor();
    await page.getByTestId('run-status').filter({ hasText: /^Succeeded$/ }).waitFor();
    await node(page, 'Third').dblclick();
    await page.getByRole('tab', { name: 'Input / Output' }).click();
    await page.getByRole('region', { name: 'Output' }).getByRole('cell', { name: 'ABC', exact: true }).waitFor();
  });
});
