// End-to-end: every page carries a Content-Security-Policy that allows only the site's own
// scripts, wasm, workers and the blobs and data URLs it needs, and the lab works under it: each
// experiment loads, draws, steps, plays, runs a worker job and exports a PNG, the iframe and the
// element embeds run, and the browser reports no violation. (The other suites bypass the policy
// because Playwright's waitForFunction evaluates strings, which the policy forbids; this one
// polls with page.evaluate, which the policy does not govern.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startLab, ROOT } from './browser.mjs';

let lab;
before(async () => { lab = await startLab({ csp: true }); });
after(async () => { await lab?.close(); });

/** Poll `fn` in the page (no string evaluation) until it returns a truthy value. */
async function until(page, fn, arg, what, timeout = 30000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await page.evaluate(fn, arg).catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function open(url) {
  const page = await lab.context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
  });
  await page.goto(lab.base + url);
  return { page, problems };
}

test('the pages carry the policy and have no inline scripts', () => {
  for (const file of ['index.html', 'embed.html', 'embed-demo.html']) {
    const html = fs.readFileSync(path.join(ROOT, 'dist', file), 'utf8');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self';/, file);
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), `${file}: no inline script`);
  }
});

for (const [id, job] of [['sorting', { kind: 'batch', query: 'exp=sorting&n=20', runs: 3 }], ['dendrites', null], ['hopfield', null]]) {
  test(`${id} works under the policy`, async () => {
    const { page, problems } = await open(`?exp=${id}&seed=3`);
    await until(page, () => window.__lab?.state().ready && window.__lab.metrics.firstFrameMs !== null, null, 'the lab');
    await page.evaluate(() => window.__lab.step());
    await until(page, () => window.__lab.state().position === 1, null, 'one step');
    await page.evaluate(() => window.__lab.play());
    await until(page, () => window.__lab.state().position > 1 || window.__lab.state().done, null, 'play');
    await page.evaluate(() => window.__lab.pause());
    const png = await page.evaluate(async () => (await window.__lab.png()).size);
    assert.ok(png > 100, 'a PNG from the GPU');
    if (job) {
      const result = await page.evaluate((j) => window.__lab.runJob(j.kind, j).then((m) => Object.keys(m)), job);
      assert.ok(result.includes('summary'), 'a worker job ran');
    }
    await page.locator('button.el-share').click();
    assert.match(await page.locator('.el-snippet-iframe').inputValue(), /<iframe src=/);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('the embeds work under the policy', async () => {
  const { page, problems } = await open('embed-demo.html');
  await page.locator('#embed-element').scrollIntoViewIfNeeded();
  await until(page, () => document.querySelector('#embed-element')?.handle?.state().position > 0, null, 'the element to play');
  const frame = await (await page.$('#embed-frame')).contentFrame();
  await page.locator('#embed-frame').scrollIntoViewIfNeeded();
  await until(frame, () => window.__lab?.state().position > 0, null, 'the iframe to play');
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(problems, []);
  await page.close();
});
