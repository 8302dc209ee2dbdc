// End-to-end: a fourth experiment that exists only as a Rust type implementing the Experiment
// trait (the test-only random walk, src/lab/walk.rs, Cargo feature `walk`) gets the whole page
// from the lab frame: URL state, generated controls, the transport, exact step back, exports and
// an embed. No JavaScript, HTML or CSS knows it: the test build (EL_TEST_BUILDS=1, as npm test
// builds) adds its wasm build and a registry file that lists it, which the test serves in place
// of experiments.json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startLab, SHOTS, ROOT } from './browser.mjs';

let lab;
const registryWithWalk = path.join(ROOT, 'dist', 'experiments-test.json');
before(async () => { lab = await startLab(); });
after(async () => { await lab?.close(); });

async function openWithWalk(url) {
  assert.ok(fs.existsSync(registryWithWalk), 'the test build is missing: run EL_TEST_BUILDS=1 bash scripts/build.sh (npm test does)');
  const page = await lab.context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  await page.route('**/experiments.json', (route) => route.fulfill({ contentType: 'application/json', body: fs.readFileSync(registryWithWalk) }));
  await page.goto(lab.base + url);
  return { page, errors };
}

const ready = (page) => page.waitForFunction(() => window.__lab && window.__lab.state().ready && window.__lab.metrics.firstFrameMs !== null, null, { timeout: 30000 });
const settled = (page, extra) => page.waitForFunction(`(() => { const s = window.__lab.state(); return !s.busy && s.clean && (${extra}); })()`, null, { timeout: 30000 });

test('a fourth experiment gets URL state, controls, transport, step back, exports and an embed', async () => {
  const { page, errors } = await openWithWalk('?exp=walk&seed=3&step=12&window=30&backend=webgpu');
  await ready(page);
  await settled(page, 'window.__lab.state().position === 12');
  const state = await page.evaluate(() => window.__lab.state());
  assert.equal(state.experiment, 'walk');
  assert.equal(state.build, 'webgpu-walk', 'its own small build');
  assert.equal(state.query, 'exp=walk&seed=3&step=12&window=30&speed=20&backend=webgpu');
  // The menu and the controls come from the registry and the schema.
  assert.equal(await page.locator('nav a[data-exp="walk"]').count(), 1);
  assert.equal(await page.locator('.el-params [data-key="window"]').count(), 1);
  assert.equal(await page.locator('input.el-speed').count(), 1);
  assert.equal(await page.locator('.el-chip').count(), 1, 'its scenario');
  // The transport: step, step back (exact), keys.
  const pixels = () => page.evaluate(async () => Array.from(await window.__lab.readPixels(120, 80)));
  const at12 = await pixels();
  await page.keyboard.press(',');
  await settled(page, 'window.__lab.state().position === 11');
  assert.notDeepEqual(await pixels(), at12);
  await page.keyboard.press('.');
  await settled(page, 'window.__lab.state().position === 12');
  assert.deepEqual(await pixels(), at12, 'step back and forward is exact');
  // Exports: CSV and JSON from Rust, PNG from the GPU.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV', exact: true }).click()]);
  assert.equal(fs.readFileSync(await csv.path(), 'utf8').trim().split('\n').length, 1 + 13);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'JSON', exact: true }).click()]);
  assert.equal(JSON.parse(fs.readFileSync(await json.path(), 'utf8')).experiment, 'walk');
  const png = await page.evaluate(async () => (await window.__lab.png()).type);
  assert.equal(png, 'image/png');
  // Bad values: notices.
  await page.evaluate(() => window.__lab.setParams({ window: 'abc' }));
  assert.match((await page.locator('.el-notice').allInnerTexts()).join(' '), /Bars \(window\): "abc" is not a whole number/);
  await page.screenshot({ path: path.join(SHOTS, 'walk-page.png') });
  assert.deepEqual(errors, []);
  await page.close();

  // An embed with two controls, autoplaying.
  const embed = await openWithWalk('embed.html?exp=walk&seed=5&controls=play,window&autoplay=1');
  await ready(embed.page);
  await embed.page.waitForFunction(() => window.__lab.state().position > 3);
  assert.equal(await embed.page.locator('button.el-play').count(), 1);
  assert.equal(await embed.page.locator('button.el-step').count(), 0);
  assert.equal(await embed.page.locator('.el-params [data-key]').count(), 1);
  assert.deepEqual(embed.errors, []);
  await embed.page.close();
});
