// End-to-end: generated URLs on all three experiments (a seeded generator, so a failure can be
// replayed: EL_FUZZ_SEED). Each page must start without an uncaught error or a panic, answer a
// script call within 5 s, show a drawn canvas or a notice, and open no dialog. Bounded to about
// a minute; the native property tests (tests/url_properties.rs) cover the codec at scale.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, openPage } from './browser.mjs';

let lab, schemas;
const SEED = Number(process.env.EL_FUZZ_SEED ?? 20261202);
const PER_EXPERIMENT = Number(process.env.EL_FUZZ_URLS ?? 16);

before(async () => {
  lab = await startLab();
  const { page } = await openPage(lab, 'embed.html?exp=sorting');
  schemas = await page.evaluate(async () => {
    const m = await import('./pkg/webgl/emergence_lab.js');
    await m.default();
    const list = await (await fetch('experiments.json')).json();
    const cls = (id) => m[`${id[0].toUpperCase()}${id.slice(1)}Lab`];
    return Object.fromEntries(list.map((e) => [e.id, { schema: cls(e.id).schema(), scenarios: cls(e.id).scenarios().map((s) => s.id) }]));
  });
  await page.close();
});
after(async () => { await lab?.close(); });

/** xorshift32: the test's own seeded generator (the lab's is not in reach from Node). */
function generator(seed) {
  let x = seed >>> 0 || 1;
  const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
  return { next, int: (n) => Math.floor(next() * n), pick: (a) => a[Math.floor(next() * a.length)] };
}

const GARBAGE = ['NaN', 'abc', '%FF%FE', '1e999', '-1e999', '', '0x10', '  ', '<b>x</b>', 'x'.repeat(3000), '1,2,,3', '-0'];

function value(g, spec) {
  const roll = g.next();
  if (roll < 0.15) return g.pick(GARBAGE);
  if (spec.type === 'choice') return g.pick(spec.options);
  if (spec.type === 'bool') return g.pick(['0', '1', 'true', 'no']);
  if (spec.type === 'list' || spec.type === 'packed') return g.pick(['', '1,2,3', '0', 'AAAA', '~~', '5 3 9 1 7 2']);
  if (roll < 0.35) return String(g.pick([spec.min, spec.max, spec.max * 10, spec.min - 1]));
  if (spec.type === 'float' && spec.log) return String(Number((spec.min * (spec.max / spec.min) ** g.next()).toPrecision(3)));
  const v = spec.min + g.next() * (spec.max - spec.min);
  return String(spec.type === 'int' ? Math.round(v) : Number(v.toPrecision(3)));
}

function url(g, id) {
  const { schema, scenarios } = schemas[id];
  const q = new URLSearchParams({ exp: id });
  if (g.next() < 0.7) q.set('seed', g.next() < 0.9 ? String(g.int(2 ** 32)) : g.pick(GARBAGE));
  if (g.next() < 0.4) q.set('step', String(g.pick([0, 1, g.int(50), g.int(3000), 10 ** 12])));
  if (g.next() < 0.3) q.set('scenario', g.next() < 0.8 ? g.pick(scenarios) : 'nope');
  for (let k = g.int(7); k > 0; k--) {
    const spec = g.pick(schema);
    q.set(spec.key, value(g, spec));
  }
  if (g.next() < 0.2) q.set(g.pick(['nope', 'controls', 'backend', 'autoplay']), g.pick(['1', 'play,step', 'webgl2', 'zz']));
  return `?${q}`;
}

for (const id of ['sorting', 'dendrites', 'hopfield']) {
  test(`${id}: ${PER_EXPERIMENT} generated URLs start cleanly and stay responsive`, async () => {
    const g = generator(SEED ^ id.length * 0x9e3779b9);
    for (let i = 0; i < PER_EXPERIMENT; i++) {
      const u = url(g, id);
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
