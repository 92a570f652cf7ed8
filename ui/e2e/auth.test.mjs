// Signing in end to end: owner setup on first start, sign-in errors, deep links, sign-out, and
// what a viewer may do. Real `weft serve`, real Chromium.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { e2eSuite, OWNER, screenshot } from './harness.mjs';

const suite = e2eSuite({ server: false });
const newPage = async () => (await suite.open({ user: null })).page;

async function signInThroughScreen(page, email, password) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('signing in', () => {
  it('sets up the owner on first start and lands in the workflow list', async () => {
    const weft = await suite.startServer({ setup: false });
    const page = await newPage();
    await page.goto(`${weft.base}/`);
    await page.waitForURL(/\/setup/);
    await page.getByRole('heading', { name: 'Welcome to Weft' }).waitFor();
    await screenshot(page, 'auth-setup');

    // Mismatched passwords are caught before anything is created.
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByLabel('Confirm password').fill('something else');
    await page.getByRole('button', { name: 'Create owner' }).click();
    await page.getByRole('alert').filter({ hasText: 'The passwords do not match.' }).waitFor();

    await page.getByLabel('Confirm password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create owner' }).click();
    await page.waitForURL(/\/workflows$/);
    await page.getByRole('button', { name: 'Create workflow' }).waitFor();
    assert.equal(await page.getByTestId('signed-in-user').textContent(), OWNER.email);
    assert.equal(await page.getByTestId('signed-in-role').textContent(), 'owner');

    // Setup is done: the API refuses a second owner, and /setup now leads to sign-in.
    const second = await fetch(`${weft.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { setupOwner(email: "x@e2e.test", password: "another long password") { accessToken } }' }),
    }).then((r) => r.json());
    assert.equal(second.errors[0].extensions.code, 'CONFLICT');

    // A reload keeps the session (refresh token in storage, new access token).
    await page.reload();
    await page.getByTestId('signed-in-user').waitFor();
    assert.equal(await page.evaluate(() => Object.values(localStorage).some((v) => v.split('.').length === 3)), false,
      'no JWT access token is kept in localStorage');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByRole('heading', { name: 'Sign in to Weft' }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.length), 0);
  });

  it('shows a readable error for a wrong password, then returns to the deep link after signing in', async () => {
    const weft = await suite.startServer();
    const { createWorkflow } = await weft.graphql('mutation { createWorkflow(name: "Deep link") { workflowId } }');
    const deepLink = `/workflows/${encodeURIComponent(createWorkflow.workflowId)}`;
    const page = await newPage();
    await page.goto(`${weft.base}${deepLink}`);
    await page.waitForURL(/\/login\?next=/);

    await signInThroughScreen(page, OWNER.email, 'not the password');
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
    await screenshot(page, 'auth-wrong-password');
    assert.match(page.url(), /\/login\?next=/);

    await signInThroughScreen(page, OWNER.email, OWNER.password);
    await page.waitForURL((url) => url.pathname === deepLink);
    assert.equal(await page.getByLabel('Workflow name').inputValue(), 'Deep link');
  });

  it('shows a viewer no edit controls', async () => {
    const weft = await suite.startServer();
    const { createWorkflow } = await weft.graphql('mutation { createWorkflow(name: "Look only") { workflowId } }');
    const viewer = { email: 'viewer@e2e.test', password: 'viewer password 123' };
    await weft.createUser(viewer.email, viewer.password, 'VIEWER');

    const page = await newPage();
    await page.goto(`${weft.base}/login`);
    await signInThroughScreen(page, viewer.email, viewer.password);
    await page.waitForURL(/\/workflows$/);
    assert.equal(await page.getByTestId('signed-in-role').textContent(), 'viewer');
    await page.getByText('Look only').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create workflow' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Import' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Archive' }).count(), 0);

    await page.goto(`${weft.base}/workflows/${encodeURIComponent(createWorkflow.workflowId)}`);
    await page.getByLabel('Workflow name').waitFor();
    assert.equal(await page.getByLabel('Workflow name').isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: '+ Node' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Promote' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Execute' }).isDisabled(), true);
    await screenshot(page, 'auth-viewer-editor');
  });
});
