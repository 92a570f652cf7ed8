// The editor end to end: real `weft serve`, real Chromium.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { e2eSuite, OWNER, PATIENCE, screenshot } from './harness.mjs';

const suite = e2eSuite();
const newPage = () => suite.open();

/** Waits until every edit is answered by the server. */
async function saved(page) {
  await page.getByTestId('save-state').filter({ hasText: /^Saved/ }).waitFor();
}

/** Waits until `locator` matches exactly `count` elements. */
async function waitForCount(locator, count) {
  const deadline = Date.now() + PATIENCE;
  let last;
  while ((last = await locator.count()) !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} elements for ${locator}, found ${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the canvas stops moving (after a fit-view animation). */
async function settled(page) {
  await page.waitForFunction(() => new Promise((resolve) => {
    const viewport = document.querySelector('.react-flow__viewport');
    const start = viewport?.style.transform;
    setTimeout(() => resolve(viewport?.style.transform === start), 300);
  }));
}

const node = (page, name) => page.locator(`.react-flow__node:has([data-node-name="${name}"])`);

async function addFromLibrary(page, search) {
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Tab');
  await page.getByLabel('Search nodes').fill(search);
  await page.getByLabel('Search nodes').press('Enter');
}

/** Drags from one port to another with real mouse moves (React Flow needs a few pixels to start). */
async function connect(page, fromNode, fromHandle, toNode, toHandle) {
  const source = await node(page, fromNode).locator(`[data-handleid="${fromHandle}"]`).boundingBox();
  const target = await node(page, toNode).locator(`[data-handleid="${toHandle}"]`).boundingBox();
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(source.x + 40, source.y + 20, { steps: 5 });
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 10 });
  await page.mouse.up();
}

async function createWorkflow(page, name) {
  await page.goto(`${suite.weft.base}/`);
  page.once('dialog', (dialog) => dialog.accept(name));
  await page.getByRole('button', { name: 'Create workflow' }).click();
  await page.waitForURL(/\/workflows\/[^/]+$/);
  await page.locator('.react-flow').waitFor();
  return decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
}

async function definition(id) {
  const data = await suite.weft.graphql(`query($id: ID!) { workflow(id: $id) { version definition { nodes { id name type parameters position { x y } } connections { source sourceOutput target targetInput kind } } } }`, { id });
  return data.workflow;
}

describe('editor', () => {
  let workflowId;

  it('builds a workflow from the node library, connects ports, and a reload shows it', async () => {
    const { page, errors } = await newPage();
    workflowId = await createWorkflow(page, 'E2E flow');

    // Tab opens the library; Enter adds the first match.
    await addFromLibrary(page, 'manual');
    await node(page, 'Manual Trigger').waitFor();

    // Drag a node type from the library onto the canvas.
    await page.keyboard.press('Tab');
    await page.getByLabel('Search nodes').fill('edit fields');
    const pane = await page.locator('.react-flow__pane').boundingBox();
    await page.locator('[data-node-type="n8n-nodes-base.set"]').dragTo(page.locator('.react-flow__pane'), {
      targetPosition: { x: pane.width / 2 + 350, y: pane.height / 2 + 60 },
    });
    await node(page, 'Edit Fields (Set)').waitFor();

    await connect(page, 'Manual Trigger', 'out-0', 'Edit Fields (Set)', 'in-0');
    await page.locator('.react-flow__edge').first().waitFor();

    // With a node selected, the added node is connected after it.
    await node(page, 'Edit Fields (Set)').click();
    await page.keyboard.press('Tab');
    await page.getByLabel('Search nodes').fill('if');
    await page.getByLabel('Search nodes').press('Enter');
    await node(page, 'If').waitFor();
    // If has two outputs, both labelled.
    assert.equal(await node(page, 'If').locator('.react-flow__handle.source').count(), 2);
    await saved(page);
    await screenshot(page, 'editor-canvas');

    await page.reload();
    await node(page, 'If').waitFor();
    assert.equal(await page.locator('[data-testid="canvas-node"]').count(), 3);
    assert.equal(await page.locator('.react-flow__edge').count(), 2);

    const stored = await definition(workflowId);
    const byName = Object.fromEntries(stored.definition.nodes.map((n) => [n.name, n.id]));
    assert.deepEqual(
      stored.definition.connections.map((c) => [c.source, c.target]).toSorted(),
      [[byName['Manual Trigger'], byName['Edit Fields (Set)']], [byName['Edit Fields (Set)'], byName.If]].toSorted(),
    );
    assert.deepEqual(errors, []);
  });

  it('undoes and redoes a deletion, each sent to the server', async () => {
    const { page } = await newPage();
    await page.goto(`${suite.weft.base}/workflows/${encodeURIComponent(workflowId)}`);
    await node(page, 'If').click();
    await page.keyboard.press('Delete');
    await saved(page);
    await page.locator('[data-node-name="If"]').waitFor({ state: 'detached' });
    assert.equal((await definition(workflowId)).definition.nodes.length, 2);

    await page.keyboard.press('Control+z');
    await node(page, 'If').waitFor();
    await saved(page);
    const restored = await definition(workflowId);
    assert.equal(restored.definition.nodes.length, 3);
    assert.equal(restored.definition.connections.length, 2, 'the undo brings the connection back too');

    await page.keyboard.press('Control+Shift+z');
    await page.locator('[data-node-name="If"]').waitFor({ state: 'detached' });
    await saved(page);
    assert.equal((await definition(workflowId)).definition.nodes.length, 2);
    await page.keyboard.press('Control+z');
    await saved(page);
  });

  it('shows edits from a second browser and from the API without a reload', async () => {
    const first = await newPage();
    const second = await newPage();
    const url = `${suite.weft.base}/workflows/${encodeURIComponent(workflowId)}`;
    await first.page.goto(url);
    await second.page.goto(url);
    await node(second.page, 'If').waitFor();

    await addFromLibrary(first.page, 'no operation');
    await node(first.page, 'No Operation').waitFor();
    await node(second.page, 'No Operation').waitFor();

    // An edit through the API (another client entirely) shows up too.
    const stored = await definition(workflowId);
    const ifNode = stored.definition.nodes.find((n) => n.name === 'If');
    await suite.weft.graphql(
      `mutation($w: ID!, $n: ID!) { updateNode(workflowId: $w, nodeId: $n, changes: { name: "Check" }) { version } }`,
      { w: workflowId, n: ifNode.id },
    );
    await node(first.page, 'Check').waitFor();
    await node(second.page, 'Check').waitFor();
    await second.page.getByText(`Updated by ${OWNER.email}`).waitFor();
    await screenshot(second.page, 'editor-live-update');
  });

  it('tells the user when an edit conflicts with one made meanwhile, and shows the current state', async () => {
    const { page } = await newPage();
    // Hold back live updates so this page does not learn of the API's edit before making its own.
    await page.routeWebSocket('**/graphql', (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        if (JSON.parse(message).type !== 'next') ws.send(message);
      });
      ws.onMessage((message) => server.send(message));
    });
    await page.goto(`${suite.weft.base}/workflows/${encodeURIComponent(workflowId)}`);
    await node(page, 'No Operation').waitFor();
    const noOp = (await definition(workflowId)).definition.nodes.find((n) => n.name === 'No Operation');
    await suite.weft.graphql(
      `mutation($w: ID!, $n: ID!) { updateNode(workflowId: $w, nodeId: $n, changes: { name: "Theirs" }) { version } }`,
      { w: workflowId, n: noOp.id },
    );
    await node(page, 'No Operation').click();
    await page.keyboard.press('F2');
    await page.getByLabel('Node name').fill('Mine');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByText(/conflicts with a change made meanwhile/).waitFor();
    await screenshot(page, 'editor-conflict');
    // Their edit is kept and shown; ours was not applied and the user was told.
    await node(page, 'Theirs').waitFor();
    await page.locator('[data-node-name="Mine"]').waitFor({ state: 'detached' });
    assert.ok((await definition(workflowId)).definition.nodes.some((n) => n.name === 'Theirs'));
  });

  it('edits parameters in the generated form, with an expression', async () => {
    // Sample input for expressions: an item pinned on the trigger that feeds this node.
    const trigger = (await definition(workflowId)).definition.nodes.find((n) => n.name === 'Manual Trigger');
    await suite.weft.graphql(
      `mutation($w: ID!, $n: ID!, $items: JSON) { pinData(workflowId: $w, nodeId: $n, items: $items) { version } }`,
      { w: workflowId, n: trigger.id, items: [{ json: { name: 'Ada', city: 'London' } }] },
    );
    const { page } = await newPage();
    await page.goto(`${suite.weft.base}/workflows/${encodeURIComponent(workflowId)}`);
    await node(page, 'Edit Fields (Set)').dblclick();
    const details = page.getByRole('complementary', { name: 'Node details: Edit Fields (Set)' });
    await details.waitFor();
    await details.getByRole('button', { name: 'Add assignments' }).click();
    await details.getByRole('textbox', { name: 'Name', exact: true }).fill('greeting');
    await details.getByRole('button', { name: 'Value: use an expression' }).click();
    const value = details.getByRole('textbox', { name: 'Value', exact: true });
    await value.fill('Hi {{ $json.');
    // Completions list the sample item's fields; picking one inserts it.
    await details.getByRole('option', { name: '$json.name' }).click();
    await value.press('End');
    await value.pressSequentially(' }}');
    await details.getByTestId('expression-preview').filter({ hasText: 'Result: Hi Ada' }).waitFor();
    await screenshot(page, 'node-details');
    await details.getByRole('button', { name: 'Close node details' }).click();
    await saved(page);
    const set = (await definition(workflowId)).definition.nodes.find((n) => n.name === 'Edit Fields (Set)');
    assert.deepEqual(set.parameters.assignments.assignments, [{ name: 'greeting', value: '=Hi {{ $json.name }}', type: 'string' }]);

    // Settings: disable the node.
    await node(page, 'Edit Fields (Set)').dblclick();
    await details.getByRole('tab', { name: 'Settings' }).click();
    await details.getByLabel('Disabled (passes its input through)').check();
    await saved(page);
    await node(page, 'Edit Fields (Set)').locator('.disabled').waitFor();
  });

  it('compares two versions and restores an old one', async () => {
    const { page } = await newPage();
    const current = await definition(workflowId);
    await page.goto(`${suite.weft.base}/workflows/${encodeURIComponent(workflowId)}/versions`);
    const panel = page.getByRole('complementary', { name: 'Versions' });
    await waitForCount(panel.getByTestId('version-row'), current.version);
    // People are named by email, not by their actor id.
    await panel.getByTestId('version-row').first().getByText(OWNER.email).waitFor();

    // Version 3 has the trigger and Set only (1 created, 2 and 3 added them): compare it with now.
    await page.goto(`${suite.weft.base}/workflows/${encodeURIComponent(workflowId)}/versions?from=3&to=${current.version}`);
    const diff = page.getByRole('region', { name: `Differences from v3 to v${current.version}` });
    await diff.getByText('Added nodes').waitFor();
    assert.ok(await diff.locator('.weft-node.diff-added').count() >= 1);
    await screenshot(page, 'versions-diff');

    // Restore version 3 (trigger and Set only): a new version, the canvas follows.
    page.once('dialog', (dialog) => dialog.accept());
    await panel.getByTestId('version-row').filter({ hasText: /^v3 / }).getByRole('button', { name: 'Restore' }).click();
    await page.getByText('Version 3 restored').waitFor();
    const restored = await definition(workflowId);
    assert.equal(restored.version, current.version + 1);
    assert.equal(restored.definition.nodes.length, 2);
    await page.locator('.editor-body > .canvas [data-node-name="No Operation"]').waitFor({ state: 'detached' });
  });
});

describe('promotion and tidy-up', () => {
  it('promotes to Launched, then shows what a second promotion changes there', async () => {
    const { page } = await newPage();
    const id = await createWorkflow(page, 'Promoted flow');
    await addFromLibrary(page, 'manual');
    await node(page, 'Manual Trigger').waitFor();
    await saved(page);

    await page.locator('.editor-bar').getByRole('button', { name: 'Promote', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Promote to Launched' });
    await dialog.getByText('the first promotion creates the workflow there').waitFor();
    await dialog.getByRole('button', { name: 'Promote to Launched' }).click();
    await page.getByText(/is now in Launched/).waitFor();
    await page.locator('.badge.env-launched').waitFor();
    const launchedId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
    assert.notEqual(launchedId, id);

    // Back to the Testing workflow with the browser's back button; add a node there.
    await page.goBack();
    await page.locator('.badge.env-testing').waitFor();
    await addFromLibrary(page, 'no operation');
    await node(page, 'No Operation').waitFor();
    await saved(page);
    await page.locator('.editor-bar').getByRole('button', { name: 'Promote', exact: true }).click();
    await dialog.getByRole('region', { name: 'Changes in Launched' }).getByText('No Operation (n8n-nodes-base.noOp)').waitFor();
    await screenshot(page, 'promote-dialog');
    await dialog.getByRole('button', { name: 'Promote to Launched' }).click();
    await page.locator('.badge.env-launched').waitFor();
    await node(page, 'No Operation').waitFor();
    const launched = await definition(launchedId);
    assert.deepEqual(launched.definition.nodes.map((n) => n.name).toSorted(), ['Manual Trigger', 'No Operation']);
  });

  it('tidies the canvas up as one undoable edit, and documents node types', async () => {
    const { page } = await newPage();
    await createWorkflow(page, 'Messy');
    for (const search of ['manual', 'no operation', 'code']) {
      await addFromLibrary(page, search);
    }
    await node(page, 'Code').waitFor();
    await page.getByRole('button', { name: 'Tidy up' }).click();
    await saved(page);
    await settled(page);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
    const xs = (await definition(id)).definition.nodes.map((n) => n.position.x);
    assert.equal(new Set(xs).size, 1, 'unconnected nodes share the first column');

    await node(page, 'Code').dblclick();
    await page.getByRole('tab', { name: 'Docs' }).click();
    await page.getByText('Runs JavaScript over the items in a sandbox.').first().waitFor();
  });
});

describe('webhook workflow', () => {
  it('is built in the editor and answers its test URL with the last node’s output', async () => {
    const { page } = await newPage();
    await createWorkflow(page, 'Greeter');
    await addFromLibrary(page, 'webhook');
    await node(page, 'Webhook').dblclick();
    const hook = page.getByRole('complementary', { name: 'Node details: Webhook' });
    await hook.getByText('Set a path to get this webhook').waitFor();
    await hook.getByLabel('HTTP Method').selectOption('POST');
    await hook.getByRole('textbox', { name: 'Path', exact: true }).fill('e2e-greet');
    await hook.getByLabel('Respond').selectOption('lastNode');
    await hook.getByText(/webhook-test\/e2e-greet/).waitFor();
    await hook.getByRole('button', { name: 'Close node details' }).click();

    // With the webhook selected, the new Set node is connected after it.
    await node(page, 'Webhook').click();
    await page.keyboard.press('Tab');
    await page.getByLabel('Search nodes').fill('edit fields');
    await page.getByLabel('Search nodes').press('Enter');
    await node(page, 'Edit Fields (Set)').dblclick();
    const set = page.getByRole('complementary', { name: 'Node details: Edit Fields (Set)' });
    await set.getByRole('button', { name: 'Add assignments' }).click();
    await set.getByRole('textbox', { name: 'Name', exact: true }).fill('greeting');
    await set.getByRole('button', { name: 'Value: use an expression' }).click();
    await set.getByRole('textbox', { name: 'Value', exact: true }).fill('Hello {{ $json.body.name }}');
    await set.getByRole('button', { name: 'Close node details' }).click();
    await saved(page);
    await screenshot(page, 'webhook-workflow');

    const response = await fetch(`${suite.weft.base}/webhook-test/e2e-greet`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.match(text, /Hello Ada/);
  });
});

describe('workflow settings', () => {
  it('saves settings and variables, and explains why a workflow without triggers cannot be activated', async () => {
    const { page } = await newPage();
    const id = await createWorkflow(page, 'Configured');
    await addFromLibrary(page, 'manual');
    await saved(page);
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('form', { name: 'Workflow settings' });
    await dialog.getByLabel('Timeout (seconds)').fill('abc');
    await dialog.getByText('The timeout is a whole number of seconds').waitFor();
    await dialog.getByLabel('Timeout (seconds)').fill('30');
    await dialog.getByLabel('Variables ($vars, JSON object)').fill('{"region": "eu"}');
    await dialog.getByLabel('Description').fill('Runs by hand');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved description, settings, variables.').waitFor();
    const stored = await suite.weft.graphql(`query($id: ID!) { workflow(id: $id) { description definition { settings { timeoutSeconds executionOrder } variables } } }`, { id });
    assert.equal(stored.workflow.description, 'Runs by hand');
    assert.deepEqual(stored.workflow.definition.settings, { timeoutSeconds: 30, executionOrder: 'V1' });
    assert.deepEqual(stored.workflow.definition.variables, { region: 'eu' });

    await dialog.getByRole('button', { name: 'Activate' }).click();
    await dialog.getByRole('alert').waitFor();
    assert.match(await dialog.getByRole('alert').textContent(), /trigger/i);
  });
});

describe('workflow list', () => {
  it('imports n8n JSON with a readable error first, then searches, exports and archives', async () => {
    const { page } = await newPage();
    await page.goto(`${suite.weft.base}/workflows`);
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import workflow' });
    await dialog.getByLabel('Workflow JSON').fill('{"nodes": [');
    await dialog.getByText(/This is not valid JSON/).waitFor();
    const n8n = {
      name: 'From n8n',
      nodes: [
        { id: '1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
        { id: '2', name: 'Mystery', type: 'n8n-nodes-base.doesNotExist', typeVersion: 1, position: [200, 0], parameters: {} },
      ],
      connections: { Start: { main: [[{ node: 'Mystery', type: 'main', index: 0 }]] } },
    };
    await dialog.getByLabel('Workflow JSON').fill(JSON.stringify(n8n));
    await dialog.getByText('Detected: n8n workflow').waitFor();
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'doesNotExist' }).waitFor();

    n8n.nodes[1].type = 'n8n-nodes-base.noOp';
    await dialog.getByLabel('Workflow JSON').fill(JSON.stringify(n8n));
    await dialog.getByRole('button', { name: 'Import' }).click();
    await page.waitForURL(/\/workflows\/[^/]+$/);
    await node(page, 'Mystery').waitFor();
    assert.equal(await page.locator('.react-flow__edge').count(), 1);

    await page.goto(`${suite.weft.base}/workflows`);
    await page.getByLabel('Search workflows').fill('n8n');
    await page.waitForURL(/q=n8n/);
    await waitForCount(page.getByTestId('workflow-row'), 1);
    await page.getByTestId('workflow-row').filter({ hasText: 'From n8n' }).waitFor();
    assert.match(await page.getByTestId('workflow-row').filter({ hasText: 'From n8n' }).textContent(), /owner@e2e\.test/);
    await screenshot(page, 'workflow-list');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^From_n8n\.json$/);

    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Archive' }).click();
    await page.getByText('No workflow matches “n8n”.').waitFor();
    await page.getByRole('tab', { name: 'Archived' }).click();
    await page.getByTestId('workflow-row').filter({ hasText: 'From n8n' }).waitFor();
  });
});

describe('long lists', () => {
  it('loads the next page of workflows on demand', async () => {
    for (let i = 0; i < 105; i++) await suite.weft.graphql(`mutation($n: String!) { createWorkflow(name: $n) { workflowId } }`, { n: `Bulk ${i}` });
    const { page } = await newPage();
    await page.goto(`${suite.weft.base}/workflows?q=Bulk`);
    await waitForCount(page.getByTestId('workflow-row'), 100);
    await page.getByRole('button', { name: 'Load more' }).click();
    await waitForCount(page.getByTestId('workflow-row'), 105);
    await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'detached' });
  });
});
