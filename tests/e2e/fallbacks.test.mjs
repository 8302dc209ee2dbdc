// The site where the GPU is missing, and under a course site's sub-path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startLab, openPage, SHOTS, CHROMIUM_FLAGS } from './browser.mjs';

test('no WebGPU adapter and no WebGL2: a readable message, and the numbers, plots and exports still work', async () => {
  // Without --enable-unsafe-webgpu Chromium has navigator.gpu but no adapter; --disable-webgl
  // takes WebGL2 away as well.
  const flags = CHROMIUM_FLAGS.filter((f) => f !== '--enable-unsafe-webgpu').concat(['--disable-webgl', '--disable-3d-apis']);
  const lab = await startLab({ flags });
  try {
    const { page, errors } = await openPage(lab, '?exp=sorting&seed=3&n=40');
    await page.waitForFunction(() => window.__lab && window.__lab.state().ready, null, { timeout: 30000 });
    const s = await page.evaluate(() => window.__lab.state());
    assert.equal(s.backend, 'none');
    const notices = await page.locator('.el-notice').allInnerTexts();
    assert.ok(notices.some((n) => /No GPU drawing here/.test(n)), notices.join(' | '));
    assert.equal(await page.locator('.el-badge').innerText(), 'no GPU');
    await page.keyboard.press('.');
    await page.keyboard.press('.');
    await page.waitForFunction(() => window.__lab.state().position === 2);
    assert.match(await page.locator('.el-readout').innerText(), /swaps 2 /);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
    assert.match(fs.readFileSync(await download.path(), 'utf8'), /^swap,sortedness,monotonicity_error,.*\n0,.*\n1,.*\n2,/);
    assert.equal(await page.locator('.el-plots canvas').count() > 0, true, 'the plot is there');
    await page.screenshot({ path: path.join(SHOTS, 'no-gpu.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await lab.close();
  }
});

test('the site works under a sub-path (relative URLs only)', async () => {
  const lab = await startLab({ prefix: '/course/week3/lab/' });
  try {
    const { page, errors } = await openPage(lab, 'embed-demo.html');
    await page.locator('#embed-element').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => { const h = document.querySelector('emergence-lab').handle; return h && h.state().ready && h.metrics.firstFrameMs !== null; }, null, { timeout: 30000 });
    const main = await openPage(lab, '?exp=sorting&seed=9');
    await main.page.waitForFunction(() => window.__lab && window.__lab.state().ready && window.__lab.metrics.firstFrameMs !== null, null, { timeout: 30000 });
    assert.match(main.page.url(), /\/course\/week3\/lab\/\?exp=sorting&seed=9&step=0/);
    assert.deepEqual(errors, []);
    assert.deepEqual(main.errors, []);
  } finally {
    await lab.close();
  }
});
