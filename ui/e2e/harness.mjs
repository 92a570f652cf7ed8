// End-to-end harness: a real `weft serve` on a fresh data dir and a free port, serving ui/dist,
// and headless Debian Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before } from 'node:test';
import { chromium } from 'playwright-core';

const uiDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const screenshotDir = join(uiDir, 'test-results', 'screenshots');

/** The `weft` binary: WEFT_BIN, else the debug build in CARGO_TARGET_DIR. */
function weftBinary() {
  if (process.env.WEFT_BIN) return process.env.WEFT_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? '/var/cache/weft-target';
  return join(target, 'debug', 'weft');
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** The owner every e2e server is set up with (unless started with `{ setup: false }`). */
export const OWNER = { email: 'owner@e2e.test', password: 'correct horse battery staple' };

/** The localStorage key the UI keeps its refresh token under (ui/src/api/session.ts). */
const REFRESH_TOKEN_KEY = 'weft.refreshToken';

const PAYLOAD = 'accessToken refreshToken user { id email role }';

/** One GraphQL request; returns the parsed body (data and errors). */
async function post(base, query, variables, accessToken) {
  const headers = { 'content-type': 'application/json' };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return response.json();
}

async function login(base, email, password) {
  const body = await post(base, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { ${PAYLOAD} } }`, { e: email, p: password });
  if (body.errors) throw new Error(`login as ${email} failed: ${JSON.stringify(body.errors)}`);
  return body.data.login;
}

/**
 * Starts `weft serve`; resolves once /healthz answers. Unless `setup` is false, the owner (OWNER)
 * is set up through the API and `graphql` runs as them.
 */
export async function startWeft({ setup = true } = {}) {
  const bin = weftBinary();
  if (!existsSync(bin)) throw new Error(`no weft binary at ${bin}: build it (cargo build -p weft-api-graphql) or set WEFT_BIN`);
  if (!existsSync(join(uiDir, 'dist', 'index.html'))) throw new Error('ui/dist is not built: run `npm run build` first');
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(bin, ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], {
    env: { ...process.env, WEFT_UI_DIR: join(uiDir, 'dist'), WEFT_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`weft serve exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 300) throw new Error(`weft serve did not answer /healthz within 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  let accessToken = null;
  let ownerId = null;
  if (setup) {
    const body = await post(base, `mutation($e: String!, $p: String!) { setupOwner(email: $e, password: $p) { ${PAYLOAD} } }`, { e: OWNER.email, p: OWNER.password });
    if (body.errors) throw new Error(`owner setup failed: ${JSON.stringify(body.errors)}`);
    accessToken = body.data.setupOwner.accessToken;
    ownerId = body.data.setupOwner.user.id;
  }
  return {
    base,
    /** The owner's user id (their events' actor is `user:ID`); null without setup. */
    ownerId,
    output: () => output,
    /** Runs a GraphQL operation over HTTP as the owner; throws on errors. */
    async graphql(query, variables = {}) {
      let body = await post(base, query, variables, accessToken);
      // Access tokens are short-lived: sign in again once when the token has expired.
      if (body.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') && setup) {
        accessToken = (await login(base, OWNER.email, OWNER.password)).accessToken;
        body = await post(base, query, variables, accessToken);
      }
      if (body.errors) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
    /** Creates a user with `role` (VIEWER, EDITOR, ADMIN) as the owner. */
    async createUser(email, password, role) {
      const data = await this.graphql('mutation($e: String!, $p: String!, $r: Role!) { createUser(email: $e, password: $p, role: $r) { id } }', { e: email, p: password, r: role });
      return data.createUser.id;
    },
    /**
     * Signs a browser context in as `user` (default the owner) without the login screen: a session
     * from the API whose refresh token the UI finds in localStorage, as after a reload.
     */
    async signIn(context, user = OWNER) {
      const session = await login(base, user.email, user.password);
      await context.addInitScript(([key, token]) => {
        try {
          if (!window.localStorage.getItem(key)) window.localStorage.setItem(key, token);
        } catch {
          // about:blank has no storage
        }
      }, [REFRESH_TOKEN_KEY, session.refreshToken]);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium from Debian (never a downloaded browser). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.WEFT_TEST_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Saves a screenshot for reviewers under ui/test-results/screenshots. */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

/** How long a page waits for an element or a navigation by default. */
export const PATIENCE = 15_000;

/**
 * The set-up every e2e file shares, as node:test hooks: one headless Chromium for the file, a
 * `weft serve` with the owner set up (unless `server` is false; `startServer` starts more), and
 * pages opened with `open`, whose last state is saved as a screenshot after each test
 * (test-results/screenshots/after-*.png) before their context closes. Servers stop after the
 * file.
 */
export function e2eSuite({ server = true } = {}) {
  const servers = [];
  const open = [];
  let browser;
  const suite = {
    /** The file's server (started before the first test), or the first one `startServer` gave. */
    get weft() {
      return servers[0];
    },
    /** Starts another `weft serve` (options as `startWeft`), stopped after the file. */
    async startServer(options) {
      const weft = await startWeft(options);
      servers.push(weft);
      return weft;
    },
    /**
     * A page in a context of its own, signed in as `user` on `weft` (default the owner on the
     * file's server; `user: null` stays signed out). `errors` collects the page's uncaught errors.
     */
    async open({ user = OWNER, weft = suite.weft } = {}) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      if (user && weft) await weft.signIn(context, user);
      const page = await context.newPage();
      page.setDefaultTimeout(PATIENCE);
      const errors = [];
      page.on('pageerror', (error) => errors.push(error.message));
      open.push({ page, context });
      return { page, context, errors };
    },
  };
  before(async () => {
    if (server) await suite.startServer();
    browser = await launchBrowser();
  });
  afterEach(async (t) => {
    const slug = t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    for (const [i, { page, context }] of open.entries()) {
      await screenshot(page, `after-${slug}-${i}`).catch(() => undefined);
      await context.close().catch(() => undefined);
    }
    open.length = 0;
  });
  after(async () => {
    await browser?.close();
    for (const weft of servers) await weft.stop();
  });
  return suite;
}
