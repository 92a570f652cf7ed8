// End-to-end harness: a real `weft serve` on a fresh data dir and a free port, serving ui/dist,
// and headless Debian Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Starts `weft serve`; resolves once /healthz answers. */
export async function startWeft() {
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
  return {
    base,
    output: () => output,
    /** Runs a GraphQL operation over HTTP; throws on errors. */
    async graphql(query, variables = {}) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-weft-actor': 'user:e2e-api' },
        body: JSON.stringify({ query, variables }),
      });
      const body = await response.json();
      if (body.errors) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
      return body.data;
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
