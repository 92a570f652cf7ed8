// Presence end to end: two people open one workflow in two browser contexts and each sees the
// other's avatar in the editor's top bar, live; closing one removes it from the other.
// Real `weft serve`, real Chromium.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { e2eSuite, OWNER, screenshot } from './harness.mjs';

const suite = e2eSuite();
const newPage = (user) => suite.open({ user });

describe('presence', () => {
  it('shows who else has the workflow open, live', async () => {
    const grace = { email: 'grace.hopper@e2e.test', password: 'grace password 42' };
    const graceId = await suite.weft.createUser(grace.email, grace.password, 'EDITOR');
    const { createWorkflow } = await suite.weft.graphql('mutation { createWorkflow(name: "Shared") { workflowId } }');
    const url = `${suite.weft.base}/workflows/${encodeURIComponent(createWorkflow.workflowId)}`;

    const owner = await newPage();
    await owner.page.goto(url);
    await owner.page.getByLabel('Workflow name').waitFor();
    // Alone: no avatars (the owner does not see themselves).
    assert.equal(await owner.page.getByTestId('presence-avatar').count(), 0);

    const editor = await newPage(grace);
    await editor.page.goto(url);
    await editor.page.getByLabel('Workflow name').waitFor();

    // Each sees the other by email and role; Grace is an editor, who may not list users.
    const graceAvatar = owner.page.locator(`[data-testid="presence-avatar"][data-actor="user:${graceId}"]`);
    await graceAvatar.waitFor();
    assert.equal(await graceAvatar.textContent(), 'GH');
    assert.equal(await graceAvatar.getAttribute('title'), `${grace.email} (Editor) has this workflow open`);
    const ownerAvatar = editor.page.locator(`[data-testid="presence-avatar"][data-actor="user:${suite.weft.ownerId}"]`);
    await ownerAvatar.waitFor();
    assert.equal(await ownerAvatar.getAttribute('title'), `${OWNER.email} (Owner) has this workflow open`);
    assert.equal(await ownerAvatar.textContent(), 'OW');
    assert.equal(await editor.page.getByTestId('presence-avatar').count(), 1);
    assert.equal(await owner.page.getByTestId('presence-avatar').count(), 1);
    await screenshot(owner.page, 'presence-owner-sees-editor');
    await screenshot(editor.page, 'presence-editor-sees-owner');

    // Grace leaves the workflow: her avatar goes away on the owner's screen without a reload.
    await editor.page.getByRole('button', { name: 'Back to workflows' }).click();
    await editor.page.waitForURL(/\/workflows$/);
    await graceAvatar.waitFor({ state: 'detached' });
    assert.equal(await owner.page.getByTestId('presence-avatar').count(), 0);

    // And comes back.
    await editor.page.goto(url);
    await graceAvatar.waitFor();
    await editor.context.close();
    await graceAvatar.waitFor({ state: 'detached' });
  });
});
