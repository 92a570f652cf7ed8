// Editor performance figures (not a test: prints numbers for the report).
// A 300-node workflow: the JavaScript the editor route loads (gzip), time from navigation to the
// canvas showing its nodes, and frame times while dragging a node. Run: WEFT_BIN=… node e2e/perf.mjs
import { gzipSync } from 'node:zlib';
import { launchBrowser, startWeft } from './harness.mjs';

const COUNT = Number(process.env.NODES ?? 300);
const weft = await startWeft();
const browser = await launchBrowser();
try {
  const nodes = [{ id: 'n0', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }];
  const connections = [];
  for (let i = 1; i < COUNT; i++) {
    nodes.push({ id: `n${i}`, name: `Step ${i}`, type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [(i % 20) * 240, Math.floor(i / 20) * 140], parameters: {} });
    connections.push({ source: `n${i - 1}`, sourceOutput: 0, target: `n${i}`, targetInput: 0, kind: 'main' });
  }
  const created = await weft.graphql('mutation($d: JSON!) { createWorkflow(name: "Big", definition: $d) { workflowId } }', { d: { nodes, connections } });
  const id = created.createWorkflow.workflowId;
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await weft.signIn(context);
  const page = await context.newPage();
  // Warm the HTTP cache with the bundles once, as a returning user would have them, and weigh
  // every script the editor route loads.
  const scripts = new Map();
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.set(response.url(), response.body().then((body) => gzipSync(body).length));
  });
  await page.goto(`${weft.base}/workflows/${encodeURIComponent(id)}`);
  await page.locator('.react-flow__node').first().waitFor();
  await page.waitForLoadState('networkidle');
  const gzipBytes = (await Promise.all(scripts.values())).reduce((sum, n) => sum + n, 0);
  page.removeAllListeners('response');
  const runs = [];
  for (let run = 0; run < 3; run++) {
    const started = Date.now();
    await page.reload();
    await page.locator('.react-flow__node').first().waitFor();
    // fitView shows the whole workflow, so every node is rendered once it is open.
    await page.waitForFunction((count) => document.querySelectorAll('.react-flow__node').length === count, COUNT);
    runs.push(Date.now() - started);
  }
  const rendered = await page.locator('.react-flow__node').count();
  // Drag a node for about a second and collect frame intervals.
  const box = await page.locator('.react-flow__node').nth(1).boundingBox();
  await page.evaluate(() => {
    window.weftFrames = [];
    let last = performance.now();
    const tick = (now) => { window.weftFrames.push(now - last); last = now; if (window.weftFrames.length < 600) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  await page.mouse.move(box.x + 40, box.y + 20);
  await page.mouse.down();
  for (let step = 0; step < 60; step++) await page.mouse.move(box.x + 40 + step * 5, box.y + 20 + step * 2);
  await page.mouse.up();
  const frames = await page.evaluate(() => window.weftFrames.slice(1));
  const sorted = frames.toSorted((a, b) => a - b);
  const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
  console.log(`editor route JS: ${scripts.size} files, ${(gzipBytes / 1024).toFixed(1)} kB gzip`);
  console.log(`nodes in workflow: ${COUNT}, rendered in viewport: ${rendered}`);
  console.log(`open (reload → nodes on canvas), 3 runs: ${runs.join(' ms, ')} ms`);
  console.log(`drag: ${frames.length} frames, median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
} finally {
  await browser.close();
  await weft.stop();
}
