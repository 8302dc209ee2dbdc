// End-to-end: generated URLs on all three experiments (a seeded generator, so a failure can be
// replayed: EL_FUZZ_SEED). Each page must start without an uncaught error or a panic, answer a
// script call within 5 s, show a drawn canvas or a notice, and open no dialog. Bounded to about
// a minute; the native property tests (tests/url_properties.rs) cover the codec at scale.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, openPage } from './browser.mjs';
import { FUZZ_SEED, generator, generatedUrl, SCHEMA_SCRIPT } from './urlgen.mjs';

let lab;
const schemas = {};
const PER_EXPERIMENT = Number(process.env.EL_FUZZ_URLS ?? 16);

before(async () => {
  lab = await startLab();
  for (const id of ['sorting', 'dendrites', 'hopfield']) {
    const { page } = await openPage(lab, `embed.html?exp=${id}`);
    await page.waitForFunction(() => window.__lab && window.__lab.state().ready, null, { timeout: 30000 });
    schemas[id] = await page.evaluate(new Function(SCHEMA_SCRIPT));
    await page.close();
  }
});
after(async () => { await lab?.close(); });

for (const id of ['sorting', 'dendrites', 'hopfield']) {
  test(`${id}: ${PER_EXPERIMENT} generated URLs start cleanly and stay responsive`, async () => {
    const g = generator(FUZZ_SEED ^ id.length * 0x9e3779b9);
    for (let i = 0; i < PER_EXPERIMENT; i++) {
      const u = generatedUrl(g, id, schemas);
      const { page, errors } = await openPage(lab, u);
      const dialogs = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
      await page.waitForFunction(() => window.__lab && window.__lab.state().ready, null, { timeout: 30000 });
      const t0 = Date.now();
      const answer = await Promise.race([page.evaluate(() => window.__lab.state().experiment), new Promise((r) => setTimeout(() => r('no answer'), 5000))]);
      assert.equal(answer, id, `${u}: the tab answers within 5 s (${Date.now() - t0} ms)`);
      await page.waitForFunction(() => window.__lab.metrics.firstFrameMs !== null || document.querySelector('.el-notice'), null, { timeout: 30000 });
      assert.deepEqual(errors, [], `${u}: no uncaught error or panic`);
      assert.deepEqual(dialogs, [], `${u}: no dialog`);
      await page.close();
    }
  });
}

// The largest states a URL can ask for, one per experiment: they must stay responsive too.
const LARGEST = {
  sorting: '?exp=sorting&n=10000&speed=10000000&autoplay=1&step=100000',
  dendrites: '?exp=dendrites&n=1000000&a=500000&s=1000000&theta=1000000&v=500000&m=1000&k=100000&view=neuron&fig=neuron&autoplay=1&speed=5000',
  hopfield: '?exp=hopfield&model=modern&patterns=random&count=10000&side=64&corrupt=noise&amount=4&autoplay=1',
};
for (const [id, u] of Object.entries(LARGEST)) {
  test(`${id}: the largest state a URL can ask for stays responsive`, async () => {
    const { page, errors } = await openPage(lab, u);
    await page.waitForFunction(() => window.__lab && window.__lab.state().ready, null, { timeout: 60000 });
    for (let k = 0; k < 3; k++) {
      const t0 = Date.now();
      const answer = await Promise.race([page.evaluate(() => window.__lab.state().experiment), new Promise((r) => setTimeout(() => r('no answer'), 5000))]);
      assert.equal(answer, id, `${u}: the tab answers within 5 s (${Date.now() - t0} ms)`);
      await page.waitForTimeout(1000);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
}
