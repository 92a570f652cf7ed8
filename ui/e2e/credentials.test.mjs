// Credentials end to end: create through the form, the secret never comes back (not after a
// reload, not in the page's HTML, not in the API), test against a local service, edit with the
// secret left unchanged, choose the credential in an HTTP Request node and run it, delete.
// Real `weft serve`, real Chromium; the "external service" is a small server on 127.0.0.1.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { e2eSuite, PATIENCE, screenshot } from './harness.mjs';

const SECRET = 'tr0ub4dor-e2e-SECRET-7731';
const suite = e2eSuite();
let service;
let serviceUrl;
/** Authorization headers the fake service received. */
const seen = [];

before(async () => {
  // Answers 200 only to Basic partner:SECRET.
  service = createServer((request, response) => {
    seen.push(request.headers.authorization ?? null);
    const expected = `Basic ${Buffer.from(`partner:${SECRET}`).toString('base64')}`;
    const ok = request.headers.authorization === expected;
    response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify(ok ? { hello: 'partner' } : { error: 'who are you?' }));
  });
  await new Promise((resolve) => service.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${service.address().port}/me`;
});

after(async () => {
  await new Promise((resolve) => service?.close(resolve));
});

const newPage = async () => (await suite.open()).page;

const row = (page, name) => page.getByTestId('credential-row').filter({ hasText: name });

describe('credentials', () => {
  it('creates a credential whose secret is never shown again, tests it, edits it keeping the secret, deletes it', async () => {
    const page = await newPage();
    await page.goto(`${suite.weft.base}/credentials`);
    await page.getByRole('heading', { name: 'Credentials' }).waitFor();
    await page.getByText('No credentials yet.').waitFor();

    await page.getByRole('button', { name: 'Create credential' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create credential' });
    await dialog.getByLabel('Type').selectOption('httpBasicAuth');
    // Missing fields are named before anything is sent.
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText('Give the credential a name.').waitFor();
    await dialog.getByText('Password is required.').waitFor();
    await dialog.getByLabel('Name').fill('Partner API');
    await dialog.getByLabel('User').fill('partner');
    await dialog.getByLabel(/^Password/).fill(SECRET);
    await screenshot(page, 'credentials-create');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(page, 'Partner API').waitFor();
    assert.match(await row(page, 'Partner API').textContent(), /Basic Auth/);
    assert.match(await row(page, 'Partner API').textContent(), /owner@e2e\.test/);
    assert.match(await row(page, 'Partner API').textContent(), /Secret set: password/);

    // After a reload the secret is nowhere: not in the page, not in the edit form, not in the API.
    await page.reload();
    await row(page, 'Partner API').waitFor();
    assert.equal((await page.content()).includes(SECRET), false, 'the list page HTML holds no secret');
    // The open dialog is a deep link: a reload keeps it, back closes it.
    await page.getByRole('button', { name: 'Edit Partner API' }).click();
    await page.waitForURL(/\/credentials\?edit=/);
    await page.reload();
    const edit = page.getByRole('dialog', { name: 'Edit credential Partner API' });
    await edit.waitFor();
    await page.goBack();
    await edit.waitFor({ state: 'detached' });
    await page.goForward();
    const password = edit.getByLabel(/^Password/);
    assert.equal(await password.inputValue(), '');
    assert.equal(await password.getAttribute('placeholder'), 'Unchanged: leave empty to keep the stored value');
    assert.equal(await edit.getByLabel('User').inputValue(), 'partner');
    assert.equal((await page.content()).includes(SECRET), false, 'the edit form HTML holds no secret');
    await screenshot(page, 'credentials-edit');
    const { credentials } = await suite.weft.graphql('{ credentials { id name type data secretFields } }');
    assert.equal(JSON.stringify(credentials).includes(SECRET), false, 'the API returns no secret');
    assert.deepEqual(credentials[0].data, { user: 'partner' });

    // Rename only: the empty password field keeps the stored secret, so the test still passes.
    await edit.getByLabel('Name').fill('Partner API (prod)');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await row(page, 'Partner API (prod)').waitFor();

    await page.getByRole('button', { name: 'Test Partner API (prod)' }).click();
    const test = page.getByRole('dialog', { name: 'Test credential Partner API (prod)' });
    await test.getByRole('button', { name: 'Run test' }).click();
    await test.getByText('Enter the http(s) URL to call with this credential.').waitFor();
    await test.getByLabel('URL to call').fill(serviceUrl);
    await test.getByRole('button', { name: 'Run test' }).click();
    await test.getByTestId('credential-test-result').filter({ hasText: 'Passed: the server answered 200 OK' }).waitFor();
    await screenshot(page, 'credentials-test');
    await test.getByRole('button', { name: 'Close' }).click();

    // A wrong secret fails the test with the service's answer.
    await page.getByRole('button', { name: 'Edit Partner API (prod)' }).click();
    const wrong = page.getByRole('dialog', { name: 'Edit credential Partner API (prod)' });
    await wrong.getByLabel(/^Password/).fill('not the secret');
    await wrong.getByRole('button', { name: 'Save' }).click();
    await wrong.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Test Partner API (prod)' }).click();
    const again = page.getByRole('dialog', { name: 'Test credential Partner API (prod)' });
    await again.getByLabel('URL to call').fill(serviceUrl);
    await again.getByRole('button', { name: 'Run test' }).click();
    await again.getByTestId('credential-test-result').filter({ hasText: 'Failed: the server answered 401 Unauthorized' }).waitFor();
    await again.getByRole('button', { name: 'Close' }).click();

    // Delete asks first; dismissing keeps it, accepting removes it.
    page.once('dialog', (d) => d.dismiss());
    await page.getByRole('button', { name: 'Delete Partner API (prod)' }).click();
    await row(page, 'Partner API (prod)').waitFor();
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Delete Partner API (prod)' }).click();
    await page.getByText('No credentials yet.').waitFor();
    assert.deepEqual((await suite.weft.graphql('{ credentials { id } }')).credentials, []);
  });

  it('lets an HTTP Request node use a credential chosen in its details, and the run signs in with it', async () => {
    const { createCredential } = await suite.weft.graphql(
      'mutation($d: JSON!) { createCredential(name: "Partner login", type: "httpBasicAuth", data: $d) { id } }',
      { d: { user: 'partner', password: SECRET } },
    );
    const { nodeTypes } = await suite.weft.graphql('{ nodeTypes { name versions credentials { name } } }');
    const http = nodeTypes.find((t) => t.name === 'n8n-nodes-base.httpRequest');
    assert.ok(http.credentials.some((c) => c.name === 'httpBasicAuth'), 'the catalog declares HTTP Request credentials');
    const v = (type) => nodeTypes.find((t) => t.name === type).versions.at(-1);
    const { importWorkflow } = await suite.weft.graphql(
      'mutation($d: JSON!) { importWorkflow(document: $d) { workflowId } }',
      {
        d: {
          name: 'Call the partner',
          nodes: [
            { id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: v('n8n-nodes-base.manualTrigger'), position: [0, 0], parameters: {} },
            { id: 'call', name: 'Call partner', type: 'n8n-nodes-base.httpRequest', typeVersion: v('n8n-nodes-base.httpRequest'), position: [260, 0], parameters: { url: serviceUrl } },
          ],
          connections: [{ source: 'start', target: 'call' }],
        },
      },
    );
    const workflowId = importWorkflow.workflowId;

    const page = await newPage();
    await page.goto(`${suite.weft.base}/workflows/${encodeURIComponent(workflowId)}`);
    await page.locator('.react-flow__node:has([data-node-name="Call partner"])').dblclick();
    const details = page.getByRole('complementary', { name: 'Node details: Call partner' });
    // No authentication, no credential to choose.
    assert.equal(await details.getByLabel('Basic Auth credential').count(), 0);

    // A type without credentials yet links to creating one, and comes back to the workflow.
    await details.getByLabel('Authentication', { exact: true }).selectOption('httpBearerAuth');
    await details.getByLabel('Bearer Token credential').waitFor();
    await details.getByRole('option', { name: '— no credential of this type yet —' }).waitFor({ state: 'attached' });
    await details.getByRole('link', { name: 'Create a Bearer Token credential' }).click();
    await page.waitForURL(/\/credentials\?new=httpBearerAuth&back=/);
    const create = page.getByRole('dialog', { name: 'Create credential' });
    assert.equal(await create.getByLabel('Type').inputValue(), 'httpBearerAuth');
    await create.getByLabel('Name').fill('Partner token');
    await create.getByLabel(/^Token/).fill('bearer-e2e-token');
    await create.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL((u) => u.pathname === `/workflows/${workflowId}`);
    await page.locator('.react-flow__node:has([data-node-name="Call partner"])').dblclick();
    await details.getByLabel('Bearer Token credential').selectOption({ label: 'Partner token' });
    await page.getByTestId('save-state').filter({ hasText: /^Saved/ }).waitFor();
    await details.getByLabel('Authentication', { exact: true }).selectOption('httpBasicAuth');
    const select = details.getByLabel('Basic Auth credential');
    await select.waitFor();
    await details.getByText('Choose a credential: this node signs in with it.').waitFor();
    await select.selectOption({ label: 'Partner login' });
    await screenshot(page, 'credentials-node-details');
    await page.getByTestId('save-state').filter({ hasText: /^Saved/ }).waitFor();

    // The stored node references the credential by id and name, and its parameters name the type.
    const deadline = Date.now() + PATIENCE;
    let node;
    for (;;) {
      const { workflow } = await suite.weft.graphql('query($id: ID!) { workflow(id: $id) { definition { nodes { name parameters credentials } } } }', { id: workflowId });
      node = workflow.definition.nodes.find((n) => n.name === 'Call partner');
      if ((node.credentials.httpBasicAuth && node.parameters.authentication === 'httpBasicAuth') || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(node.credentials.httpBasicAuth, { id: createCredential.id, name: 'Partner login' });
    assert.equal(node.credentials.httpBearerAuth.name, 'Partner token');
    assert.equal(node.parameters.authentication, 'httpBasicAuth');

    // Running it signs in to the service with the stored secret.
    seen.length = 0;
    const { executeWorkflow } = await suite.weft.graphql('mutation($w: ID!) { executeWorkflow(workflowId: $w, wait: true) { status result } }', { w: workflowId });
    assert.equal(executeWorkflow.status, 'SUCCEEDED', JSON.stringify(executeWorkflow.result));
    assert.equal(seen.length, 1);
    assert.equal(seen[0], `Basic ${Buffer.from(`partner:${SECRET}`).toString('base64')}`);
    assert.equal(JSON.stringify(executeWorkflow.result).includes(SECRET), false);
  });

  it('shows a viewer the credentials without any way to change them', async () => {
    await suite.weft.graphql('mutation($d: JSON!) { createCredential(name: "Mail", type: "smtp", data: $d) { id } }', {
      d: { host: 'smtp.example.com', port: 587, password: SECRET, secure: true },
    });
    const viewer = { email: 'cred-viewer@e2e.test', password: 'viewer password 123' };
    await suite.weft.createUser(viewer.email, viewer.password, 'VIEWER');
    const { page } = await suite.open({ user: viewer });
    await page.goto(`${suite.weft.base}/credentials`);
    await row(page, 'Mail').waitFor();
    assert.match(await row(page, 'Mail').textContent(), /SMTP/);
    assert.equal(await page.getByRole('button', { name: 'Create credential' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^(Edit|Test|Delete) / }).count(), 0);
    assert.equal((await page.content()).includes(SECRET), false);
  });
});
