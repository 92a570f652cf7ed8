// Executions end to end: run from the editor with live node status, the executions list, the
// execution view with the executed path, replay stepping, node data, logs and retry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { e2eSuite, PATIENCE, screenshot } from './harness.mjs';

const suite = e2eSuite();
const newPage = async () => (await suite.open()).page;

const node = (page, name) => page.locator(`.react-flow__node:has([data-node-name="${name}"])`);
const badge = (page, name) => node(page, name).getByTestId('run-badge');

/** Webhook → Greet (Set) → Check (If) → Yes / No, imported as Weft JSON. */
async function importBranching() {
  const { nodeTypes } = await suite.weft.graphql('{ nodeTypes { name versions } }');
  const v = (type) => nodeTypes.find((t) => t.name === type).versions.at(-1);
  const n = (id, name, type, x, parameters = {}) => ({ id, name, type, typeVersion: v(type), position: [x, id === 'no' ? 200 : 0], parameters });
  const document = {
    name: 'Branching',
    nodes: [
      n('hook', 'Webhook', 'n8n-nodes-base.webhook', 0, { httpMethod: 'POST', path: 'e2e-run', responseMode: 'lastNode' }),
      n('greet', 'Greet', 'n8n-nodes-base.set', 250, {
        assignments: { assignments: [{ name: 'greeting', value: "=Hello {{ $json.body?.name ?? 'stranger' }}", type: 'string' }] },
      }),
      n('check', 'Check', 'n8n-nodes-base.if', 500, {
        conditions: {
          conditions: [{ leftValue: '={{ $json.greeting }}', rightValue: 'Hello Ada', operator: { type: 'string', operation: 'equals' } }],
          combinator: 'and',
          options: { caseSensitive: true, typeValidation: 'strict' },
        },
      }),
      n('yes', 'Yes', 'n8n-nodes-base.noOp', 750),
      n('no', 'No', 'n8n-nodes-base.noOp', 750),
    ],
    connections: [
      { source: 'hook', target: 'greet' },
      { source: 'greet', target: 'check' },
      { source: 'check', sourceOutput: 0, target: 'yes' },
      { source: 'check', sourceOutput: 1, target: 'no' },
    ],
  };
  const data = await suite.weft.graphql('mutation($d: JSON!) { importWorkflow(document: $d) { workflowId } }', { d: document });
  return data.importWorkflow.workflowId;
}

describe('executions', () => {
  let workflowId;

  it('runs from the editor and lights up the path live', async () => {
    workflowId = await importBranching();
    const page = await newPage();
    await page.goto(`${suite.weft.base}/workflows/${encodeURIComponent(workflowId)}`);
    await node(page, 'Check').waitFor();
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('run-status').filter({ hasText: 'Succeeded' }).waitFor();
    // No body in a manual run: the greeting is "Hello stranger", so the false branch ran.
    await badge(page, 'No').filter({ hasText: 'succeeded · 1 item' }).waitFor();
    assert.equal(await badge(page, 'Yes').count(), 0);
    assert.equal(await page.locator('.react-flow__edge.traversed').count(), 3);
    await screenshot(page, 'editor-run');

    // The node details show the last run's items.
    await node(page, 'Greet').dblclick();
    await page.getByRole('tab', { name: 'Input / Output' }).click();
    await page.getByRole('region', { name: 'Output' }).getByRole('cell', { name: 'Hello stranger' }).waitFor();
  });

  it('lists a webhook execution and replays it step by step', async () => {
    const response = await fetch(`${suite.weft.base}/webhook-test/e2e-run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    assert.equal(response.status, 200, await response.text());

    const page = await newPage();
    await page.goto(`${suite.weft.base}/executions?workflow=${encodeURIComponent(workflowId)}`);
    const rows = page.getByTestId('execution-row');
    await rows.filter({ hasText: 'webhook' }).waitFor();
    assert.equal(await rows.count(), 2);
    await screenshot(page, 'executions-list');
    await rows.filter({ hasText: 'webhook' }).click();
    await page.waitForURL(/\/executions\/[^/?]+$/);
    await page.getByTestId('execution-status').filter({ hasText: 'succeeded' }).waitFor();
    await badge(page, 'Yes').filter({ hasText: 'succeeded' }).waitFor();
    assert.equal(await badge(page, 'No').count(), 0);
    assert.equal(await page.locator('.react-flow__edge.traversed').count(), 3);
    await screenshot(page, 'execution-view');

    // Back to the start: nothing has run.
    await page.getByRole('button', { name: 'First step' }).click();
    await page.getByTestId('replay-step').filter({ hasText: /^Step 0 of/ }).waitFor();
    assert.equal(await page.getByTestId('run-badge').count(), 0);
    // Step forward until the webhook has produced its item: only it is lit.
    const ran = async () => (await page.getByTestId('run-badge').allTextContents()).length;
    while (!(await badge(page, 'Webhook').filter({ hasText: 'succeeded' }).count())) {
      await page.getByRole('button', { name: 'Next step' }).click();
    }
    assert.equal(await ran(), 1);
    assert.equal(await page.locator('.react-flow__edge.traversed').count(), 0);
    // On to the If: three nodes have run, one connection carried items into a node that ran.
    while (!(await badge(page, 'Check').filter({ hasText: 'succeeded' }).count())) {
      await page.getByRole('button', { name: 'Next step' }).click();
    }
    assert.equal(await ran(), 3);
    assert.equal(await page.locator('.react-flow__edge.traversed').count(), 2);
    assert.equal(await badge(page, 'Yes').count(), 0);
    // The step is in the URL: a reload shows the same step.
    const step = new URL(page.url()).searchParams.get('step');
    await page.reload();
    await page.getByTestId('replay-step').filter({ hasText: new RegExp(`^Step ${step} of`) }).waitFor();
    assert.equal(await ran(), 3);
    await page.getByRole('button', { name: 'Last step' }).click();
    await badge(page, 'Yes').filter({ hasText: 'succeeded' }).waitFor();

    // A node's items, the timeline and the logs.
    await node(page, 'Greet').click();
    const side = page.getByRole('complementary', { name: 'Execution details' });
    await side.getByRole('region', { name: 'Output' }).getByRole('cell', { name: 'Hello Ada' }).waitFor();
    await page.getByRole('region', { name: 'Timeline' }).getByText('Check').waitFor();
    await side.getByRole('button', { name: 'Close node data' }).click();
    await side.getByRole('region', { name: 'Logs' }).locator('li').first().waitFor();

    // Retry from the start: a new execution that succeeds the same way.
    const first = page.url();
    await page.getByRole('button', { name: 'Retry from start' }).click();
    await page.waitForURL((url) => url.href !== first && /\/executions\/[^/?]+$/.test(url.pathname));
    await page.getByTestId('execution-status').filter({ hasText: 'succeeded' }).waitFor();
    await badge(page, 'Yes').filter({ hasText: 'succeeded' }).waitFor();

    // Delete the retry (after a confirmation): it leaves the list, and its link finds nothing.
    const retried = page.url();
    const listed = await rowsOf(workflowId);
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\/executions\?workflow=/);
    await page.getByText('Execution deleted.').waitFor();
    await waitForRows(page, listed - 1);
    assert.equal(await rowsOf(workflowId), listed - 1);
    await page.goto(retried);
    await page.getByRole('heading', { name: 'Cannot open this execution' }).waitFor();
  });
});

/** How many executions of the workflow the API lists. */
async function rowsOf(workflowId) {
  const data = await suite.weft.graphql('query($w: ID!) { executions(workflowId: $w, first: 100) { items { id } } }', { w: workflowId });
  return data.executions.items.length;
}

async function waitForRows(page, count) {
  const deadline = Date.now() + PATIENCE;
  while ((await page.getByTestId('execution-row').count()) !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} execution rows`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
