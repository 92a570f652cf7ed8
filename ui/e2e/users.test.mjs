// Users and API keys end to end: the owner creates a user, changes their role, disables and
// enables them; API keys are shown once, work, and stop working when revoked; a viewer does not
// get the Users page. Real `weft serve`, real Chromium.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { e2eSuite, screenshot } from './harness.mjs';

const suite = e2eSuite();
const newPage = async (user) => (await suite.open({ user })).page;

/** Signs in through the API; the GraphQL error code, or null when it worked. */
async function loginCode(email, password) {
  const body = await fetch(`${suite.weft.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', variables: { e: email, p: password } }),
  }).then((r) => r.json());
  return body.errors?.[0]?.extensions?.code ?? null;
}

/** `{ me { email } }` with an API key: the email, or the error code. */
async function meWithKey(key) {
  const body = await fetch(`${suite.weft.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query: '{ me { email } }' }),
  }).then((r) => r.json());
  return body.errors?.[0]?.extensions?.code ?? body.data.me.email;
}

const userRow = (page, email) => page.getByTestId('user-row').filter({ hasText: email });

describe('users', () => {
  it('lets the owner create a user, change their role, disable and enable them', async () => {
    const page = await newPage();
    await page.goto(`${suite.weft.base}/workflows`);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(/\/users$/);
    await userRow(page, 'owner@e2e.test').waitFor();
    assert.match(await userRow(page, 'owner@e2e.test').textContent(), /\(you\)/);
    // The owner's own row cannot be changed.
    assert.equal(await userRow(page, 'owner@e2e.test').getByRole('combobox').count(), 0);

    await page.getByRole('button', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create user' });
    await dialog.getByLabel('Email').fill('grace@e2e.test');
    await dialog.getByLabel('Initial password').fill('short');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.getByText('The password needs at least 8 characters.').waitFor();
    await dialog.getByLabel('Initial password').fill('grace password 42');
    await dialog.getByLabel('Role').selectOption('EDITOR');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'detached' });
    await userRow(page, 'grace@e2e.test').waitFor();
    assert.equal(await page.getByLabel('Role of grace@e2e.test').inputValue(), 'EDITOR');

    // A second user with the same email is refused with the server's reason.
    await page.getByRole('button', { name: 'Create user' }).click();
    const again = page.getByRole('dialog', { name: 'Create user' });
    await again.getByLabel('Email').fill('grace@e2e.test');
    await again.getByLabel('Initial password').fill('another password 1');
    await again.getByRole('button', { name: 'Create user' }).click();
    await again.getByRole('alert').waitFor();
    await again.getByRole('button', { name: 'Cancel' }).click();

    await page.getByLabel('Role of grace@e2e.test').selectOption('VIEWER');
    await page.getByText('grace@e2e.test is now viewer.').waitFor();
    const { users } = await suite.weft.graphql('{ users { email role disabled } }');
    assert.deepEqual(users.find((u) => u.email === 'grace@e2e.test'), { email: 'grace@e2e.test', role: 'VIEWER', disabled: false });

    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Disable grace@e2e.test' }).click();
    await userRow(page, 'grace@e2e.test').getByText('disabled').waitFor();
    assert.notEqual(await loginCode('grace@e2e.test', 'grace password 42'), null, 'a disabled user cannot sign in');
    await screenshot(page, 'users-list');

    await page.getByRole('button', { name: 'Enable grace@e2e.test' }).click();
    await userRow(page, 'grace@e2e.test').getByText('Active').waitFor();
    assert.equal(await loginCode('grace@e2e.test', 'grace password 42'), null, 'an enabled user signs in again');
  });

  it('shows a new API key once, lists it, and revokes it', async () => {
    const page = await newPage();
    await page.goto(`${suite.weft.base}/users`);
    const keys = page.getByRole('region', { name: 'Your API keys' });
    await keys.getByText('No API keys yet.').waitFor();
    await keys.getByRole('button', { name: 'Create API key' }).click();
    await keys.getByText('Give the key a name, e.g. the program that will use it.').waitFor();
    await keys.getByLabel('API key name').fill('deploy script');
    await keys.getByRole('button', { name: 'Create API key' }).click();
    const value = keys.getByLabel('New API key value');
    await value.waitFor();
    const key = await value.inputValue();
    assert.ok(key.length >= 20, `a real key, got ${key}`);
    assert.equal(await meWithKey(key), 'owner@e2e.test');

    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await keys.getByRole('button', { name: 'Copy' }).click();
    await keys.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
    await screenshot(page, 'users-api-key-created');

    // Shown once: after a reload only the name is left.
    await page.reload();
    await keys.getByTestId('api-key-row').filter({ hasText: 'deploy script' }).waitFor();
    assert.equal(await keys.getByLabel('New API key value').count(), 0);
    assert.equal((await page.content()).includes(key), false);

    page.once('dialog', (d) => d.accept());
    await keys.getByRole('button', { name: 'Revoke deploy script' }).click();
    await keys.getByTestId('api-key-row').filter({ hasText: 'Revoked' }).waitFor();
    assert.equal(await meWithKey(key), 'UNAUTHENTICATED');
  });

  it('does not show a viewer the Users page, but lets them keep their own API keys', async () => {
    const viewer = { email: 'viewer@e2e.test', password: 'viewer password 123' };
    await suite.weft.createUser(viewer.email, viewer.password, 'VIEWER');
    const page = await newPage(viewer);
    await page.goto(`${suite.weft.base}/workflows`);
    await page.getByTestId('signed-in-role').filter({ hasText: 'viewer' }).waitFor();
    await page.getByRole('link', { name: 'Credentials' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0);

    // A deep link shows why, and nothing from the users list.
    await page.goto(`${suite.weft.base}/users`);
    await page.getByText('Only the owner and admins manage users.').waitFor();
    assert.equal(await page.getByTestId('user-row').count(), 0);
    assert.equal((await page.content()).includes('owner@e2e.test'), false);
    await screenshot(page, 'users-viewer');

    await page.getByTestId('signed-in-user').click();
    await page.waitForURL(/\/account$/);
    const keys = page.getByRole('region', { name: 'Your API keys' });
    await keys.getByLabel('API key name').fill('viewer script');
    await keys.getByRole('button', { name: 'Create API key' }).click();
    const key = await keys.getByLabel('New API key value').inputValue();
    assert.equal(await meWithKey(key), viewer.email);

    // Their own password too: a wrong current password is refused, then the new one works.
    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('New password', { exact: true }).fill('a brand new password');
    await form.getByLabel('Confirm new password').fill('a brand new password');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('alert').waitFor();
    await form.getByLabel('Current password').fill(viewer.password);
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password was changed.').waitFor();
    assert.notEqual(await loginCode(viewer.email, viewer.password), null);
    assert.equal(await loginCode(viewer.email, 'a brand new password'), null);
    await screenshot(page, 'users-account');
  });
});
