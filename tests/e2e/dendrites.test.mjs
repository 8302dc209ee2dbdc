// End-to-end: the active-dendrites page in headless Chromium, on both drawing paths. The bit
// view is read back from the GPU and its colours counted; the figures, the equations, the
// simulation worker and bad input are checked through the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { startLab, openPage, SHOTS } from './browser.mjs';
import { simulatedPoints } from './csv.mjs';

let lab;
before(async () => { lab = await startLab(); });
after(async () => { await lab?.close(); });

const ready = (page, timeout = 30000) =>
  page.waitForFunction(() => window.__lab && window.__lab.state().ready, null, { timeout });
const settled = (page, extra = 'true') =>
  page.waitForFunction(`(() => { const s = window.__lab && window.__lab.state(); return s && s.ready && s.clean && window.__lab.metrics.firstFrameMs !== null && (${extra}); })()`, null, { timeout: 30000 });

// Colours of src/dendrites/scene.rs (`colour`).
const COLOURS = { synapse: [70, 120, 215], overlap: [250, 160, 40], active: [170, 175, 185], added: [90, 200, 100], lost: [235, 60, 60] };

/** Read the bit view back from the GPU at w×h and count the pixels of each cell colour. */
async function countColours(page, w = 480, h = 320) {
  return page.evaluate(async ([w, h, colours]) => {
    const px = await window.__lab.readPixels(w, h);
    const counts = Object.fromEntries(Object.keys(colours).map((k) => [k, 0]));
    for (let i = 0; i < px.length; i += 4) {
      for (const [k, [r, g, b]] of Object.entries(colours)) {
        if (px[i] === r && px[i + 1] === g && px[i + 2] === b) counts[k] += 1;
      }
    }
    return { counts, bytes: Array.from(px.subarray(0, 4096)), hash: px.reduce((a, v, i) => (a + v * ((i % 251) + 1)) % 1000000007, 0) };
  }, [w, h, COLOURS]);
}

for (const backend of ['webgpu', 'webgl2']) {
  test(`dendrites ${backend}: the bit view draws the overlap it reports, steps, and the URL reproduces it`, async () => {
    // Dense enough that the overlap is usually several cells: a·s/n = 8 expected.
    const { page, errors } = await openPage(lab, `?exp=dendrites&seed=3&n=256&a=64&s=32&theta=8&view=match&fig=theta&backend=${backend}`);
    await ready(page);
    await settled(page);
    const state = await page.evaluate(() => window.__lab.state());
    assert.equal(state.backend, backend);
    const info = state.info;
    const first = await countColours(page);
    const { synapse, overlap, active } = first.counts;
    assert.ok(synapse > 0 && active > 0, `synapses and active cells are drawn (${JSON.stringify(first.counts)})`);
    // Every cell has the same whole-pixel area, so the lit share of the segment's pixels is the
    // overlap's share of its s synapses, exactly.
    assert.equal(overlap * 32, (overlap + synapse) * info.overlap, `overlap ${info.overlap} of 32 synapses: ${JSON.stringify(first.counts)}`);
    assert.equal(info.matched, info.overlap >= 8);

    let seen = first;
    let stepped = null;
    for (let i = 0; i < 5 && !stepped; i++) {
      await page.keyboard.press('.');
      await settled(page, `window.__lab.state().info.samples === ${i + 2}`);
      const now = await countColours(page);
      if (now.hash !== seen.hash) stepped = now;
      seen = now;
    }
    assert.ok(stepped, 'a new sample changes the pixels');
    await page.waitForFunction(() => /step=\d+/.test(location.search) && !/step=0(&|$)/.test(location.search));
    const url = page.url();
    const after = await page.evaluate(() => window.__lab.state().info);
    await page.locator('.el-figure-plot').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, `dendrites-${backend}-page.png`), fullPage: true });
    await page.screenshot({ path: path.join(SHOTS, `dendrites-${backend}-view.png`) });
    const second = await openPage(lab, url.slice(lab.base.length));
    await ready(second.page);
    await settled(second.page);
    assert.deepEqual((await second.page.evaluate(() => window.__lab.state().info)).samples, after.samples);
    const reloaded = await countColours(second.page);
    assert.equal(reloaded.hash, seen.hash, 'the URL reproduces the bit view pixel for pixel');

    assert.deepEqual(errors, [], 'no console errors');
    assert.deepEqual(second.errors, [], 'no console errors after reload');
    await page.close();
    await second.page.close();
  });
}

test('dendrites: noise view marks lost inputs and added cells; 65,536 cells stay drawable', async () => {
  const { page, errors } = await openPage(lab, '?exp=dendrites&seed=4&n=2048&a=40&s=20&theta=10&v=20&view=noise&fig=noise');
  await ready(page);
  await settled(page);
  const { counts } = await countColours(page);
  assert.ok(counts.added > 0, `added cells are drawn: ${JSON.stringify(counts)}`);
  const info = await page.evaluate(() => window.__lab.state().info);
  // With v = 20 of a = 40 replaced, about half the segment's 20 inputs are lost.
  assert.ok(counts.lost > 0 && info.overlap < 20, `lost inputs drawn, overlap ${info.overlap}`);
  await page.screenshot({ path: path.join(SHOTS, 'dendrites-noise-page.png'), fullPage: true });

  await page.evaluate(() => window.__lab.setParams({ n: 65536, a: 1300, s: 40, theta: 20, view: 'union', m: 5 }));
  await settled(page);
  const big = await page.evaluate(() => window.__lab.state().info);
  // All 65,536 cells are on the picture, each the same whole number of pixels: counting the
  // pixels of each colour gives back the union's synapses and the overlap the read-out reports.
  const union = await page.evaluate(async () => {
    const px = await window.__lab.readPixels(1100, 1000);
    const hues = [[70, 120, 215], [160, 100, 210], [60, 175, 175], [215, 100, 160], [120, 150, 60]];
    const same = (i, [r, g, b]) => px[i] === r && px[i + 1] === g && px[i + 2] === b;
    let cells = 0, synapse = 0, overlap = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (same(i, [250, 160, 40])) { overlap += 1; cells += 1; } else if (hues.some((h) => same(i, h))) { synapse += 1; cells += 1; } else if (same(i, [44, 50, 60]) || same(i, [170, 175, 185])) cells += 1;
    }
    return { cells, synapse, overlap };
  });
  const area = union.cells / 65536;
  assert.ok(Number.isInteger(area) && area >= 1, `every one of 65,536 cells drawn with the same area: ${JSON.stringify(union)}`);
  assert.equal((union.synapse + union.overlap) / area, big.synapses, 'the union\'s synapses');
  assert.equal(union.overlap / area, big.overlap, 'the overlap');
  assert.ok(big.synapses > 150 && big.synapses <= 200, `M = 5 patterns of s = 40: ${big.synapses} distinct synapses`);
  await page.locator('canvas.el-canvas').first().screenshot({ path: path.join(SHOTS, 'dendrites-union-65536.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('dendrites: figures, equations and the simulation worker agree with the theory', async () => {
  const { page, errors } = await openPage(lab, '?exp=dendrites&seed=2&fig=sim&trials=200000');
  await ready(page);
  await settled(page);
  await page.locator('.el-figure-plot').first().waitFor();
  const fig = await page.evaluate(() => window.__lab.figure());
  assert.equal(fig.id, 'sim');
  assert.equal(fig.simulate.length, 11, 'the eleven points of the official F-sim table');
  // The equations show each formula with the current numbers substituted and its value (n =
  // 2048, a = 40, s = 20, θ = 10, v = 10, K = 8, M = 4; values from emergence-lab dendrites
  // false-match, set-match, union-segment, union-input and sdr-count).
  const eq = await page.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll('.el-eq')).map((r) => [r.querySelector('.el-eq-title').textContent.split(' ')[0], r.querySelector('.el-eq-math').textContent])));
  assert.deepEqual(Object.keys(eq), ['E1', 'E3', 'E4', 'E5', 'E6', 'E7']);
  assert.match(eq.E1, /C\(2048,40\)=1084\.375$/, eq.E1);
  assert.match(eq.E3, /C\(20,b\)C\(2028,40−b\)C\(2048,40\)=3\.911e-13$/, eq.E3);
  assert.match(eq.E4, /\(1−Pfm\)8=3\.128e-12≤8·Pfm=3\.128e-12$/, eq.E4);
  assert.match(eq.E5, /C\(40,10\)=0$/, `v = 10 ≤ s − θ: exactly 0 (${eq.E5})`);
  assert.match(eq.E6, /=78\.8;Pexact=1\.345e-6,/, eq.E6);
  assert.match(eq.E7, /=155\.37;Pfm\(n,A,20,10\)=4\.542e-7$/, eq.E7);

  const t0 = Date.now();
  await page.locator('.el-sim-run').click();
  await page.waitForFunction(() => /points in/.test(document.querySelector('.el-sim-status')?.textContent ?? ''), null, { timeout: 240000 });
  const rows = await page.locator('.el-sim-results tr').count();
  assert.equal(rows, 12, 'a header and eleven simulated points');
  const results = await page.evaluate(() => Array.from(document.querySelectorAll('.el-sim-results tr')).slice(1).map((tr) => Array.from(tr.children).map((td) => td.textContent)));
  for (const r of results) {
    // 11 points: |z| > 4.5 has probability about 1e-4 under the theory. A z of "–" (no spread:
    // every vector hit, or none) passes only when the theory agrees by the rule of three:
    // P(all N hit) = P^N ≥ 5 % needs N·(1 − P) ≤ 3, and P(no hit) ≥ 5 % needs N·P ≤ 3.
    const z = Number(r[5]);
    const [hits, n] = r[6].split(' / ').map(Number);
    if (r[5] === '–') {
      const request = fig.simulate.find((q) => q.series === r[0] && String(q.x) === r[1]);
      assert.ok(request && typeof request.theory === 'number', `point ${r.join(' | ')}: its request`);
      if (hits === n) assert.ok(n * (1 - request.theory) <= 3, `point ${r.join(' | ')}: all hit, theory ${request.theory}`);
      else assert.ok(hits === 0 && n * request.theory <= 3, `point ${r.join(' | ')}: no spread, theory ${request.theory}`);
    } else {
      assert.ok(Number.isFinite(z) && Math.abs(z) < 4.5, `point ${r.join(' | ')}: z = ${r[5]}`);
    }
  }
  const importance = results.filter((r) => r[7].startsWith('importance'));
  assert.ok(importance.length > 0, 'tiny probabilities use the importance sampler');
  // Each importance point shows its effective sample size (with 200,000 trials per plain point
  // the sampler gets 20,000 samples: thousands of effective ones, no warning).
  for (const r of importance) {
    const ess = Number((r[7].match(/^importance \(ESS ([\d.]+)\)/) ?? [])[1]);
    assert.ok(ess >= 50 && !r[7].includes('⚠'), `point ${r.join(' | ')}`);
  }
  console.log(`F-sim: 11 points simulated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await page.screenshot({ path: path.join(SHOTS, 'dendrites-sim-page.png'), fullPage: true });
  await page.locator('.el-figure').screenshot({ path: path.join(SHOTS, 'dendrites-fig-sim.png') });

  // Every figure draws: its legend names every series of the figure, and the plot's canvas has
  // the current curve (white) and the paper's first curve (the first palette colour) in it.
  for (const id of ['fn', 'fs', 'noise', 'theta', 'u1', 'u2', 'uin', 'neuron']) {
    await page.evaluate((id) => window.__lab.setParams({ fig: id }), id);
    await page.waitForFunction((id) => window.__lab.figure()?.id === id && document.querySelector('.el-figure-plot .u-title')?.textContent === window.__lab.figure().title, id);
    const drawn = await page.evaluate(() => {
      const fig = window.__lab.figure();
      const labels = Array.from(document.querySelectorAll('.el-figure-plot .u-legend .u-label')).map((l) => l.textContent);
      const canvas = document.querySelector('.el-figure-plot canvas');
      const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let white = 0, first = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3] < 200) continue;
        if (px[i] > 245 && px[i + 1] > 245 && px[i + 2] > 245) white += 1;
        if (Math.abs(px[i] - 0x4e) < 12 && Math.abs(px[i + 1] - 0x79) < 12 && Math.abs(px[i + 2] - 0xa7) < 12) first += 1;
      }
      const current = fig.series.find((s) => s.style === 'current');
      const firstLine = fig.series.find((s) => s.style === 'line' || s.style === 'dashed');
      return { missing: fig.series.map((s) => s.label).filter((l) => !labels.includes(l)), white, first,
        hasCurrent: !!current && current.y.filter((v) => v !== null).length > 1, hasLine: !!firstLine && firstLine.y.filter((v) => v !== null).length > 1 };
    });
    assert.deepEqual(drawn.missing, [], `${id}: every series is in the legend`);
    if (drawn.hasCurrent) assert.ok(drawn.white > 100, `${id}: the current curve is drawn (${drawn.white} white pixels)`);
    if (drawn.hasLine) assert.ok(drawn.first > 100, `${id}: the paper's first curve is drawn (${drawn.first} pixels)`);
    await page.locator('.el-figure').screenshot({ path: path.join(SHOTS, `dendrites-fig-${id}.png`) });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('dendrites: bad input is clamped with notices, never a crash', async () => {
  const { page, errors } = await openPage(lab, '?exp=dendrites&n=abc&a=99999999&s=30&theta=-3&v=NaN&fig=nope&trials=1e99');
  await ready(page);
  await settled(page);
  const texts = await page.locator('.el-notice').allInnerTexts();
  assert.ok(texts.length >= 4, `notices: ${texts.join(' / ')}`);
  const q = await page.evaluate(() => window.__lab.state().query);
  assert.match(q, /a=2048/, 'a is clamped to n');
  assert.match(q, /theta=0/);
  assert.match(q, /fig=fn/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('dendrites: the custom-element embed draws and steps', async () => {
  const { page, errors } = await openPage(lab, 'embed-demo.html');
  const element = page.locator('#embed-dendrites');
  await element.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => { const h = document.querySelector('#embed-dendrites')?.handle; return h && h.state().ready && h.metrics.firstFrameMs !== null; }, null, { timeout: 30000 });
  const before = await page.evaluate(() => document.querySelector('#embed-dendrites').handle.state().info.samples);
  await element.locator('button.el-step').click();
  await page.waitForFunction((b) => document.querySelector('#embed-dendrites').handle.state().info.samples === b + 1, before);
  // Only the listed controls: θ and v inputs, no figure menu.
  assert.equal(await element.locator('[data-key="theta"]').count(), 1);
  assert.equal(await element.locator('[data-key="fig"]').count(), 0);
  await element.screenshot({ path: path.join(SHOTS, 'embed-dendrites.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('dendrites: a probability below f64\'s range (10^-442) is shown from its logarithm, never as 0', async () => {
  // E3 with every one of s = θ = 100 synapses on one of a = 100 active cells of n = 10⁶:
  // about 10^-442.03 (emergence-lab dendrites false-match gives the same); K = 5 segments.
  const { page, errors } = await openPage(lab, '?exp=dendrites&seed=1&n=1000000&a=100&s=100&theta=100&k=5&fig=uin');
  await ready(page);
  await settled(page);
  const equations = await page.locator('.el-equations').innerText();
  assert.match(equations, /10\^-442\.03/, 'E3 from its logarithm');
  // E4, exact and bound: both 5·10^-442.03 to this precision.
  assert.equal(equations.match(/10\^-441\.33/g)?.length, 2, `E4 exact and bound from their logarithms: ${equations}`);
  await page.evaluate(() => window.__lab.step());
  await settled(page, 'window.__lab.state().position === 1');
  const readout = await page.evaluate(() => window.__lab.state().readout);
  assert.equal(readout.expected, null, 'the read-out gives no false 0 for the hit probability');
  assert.ok(Math.abs(readout.expected_log10 + 442.03) < 0.01, `log10 ${readout.expected_log10}`);
  // Two samples so far (the first is drawn at step 0): the expected tally is 2·10^-442.03.
  assert.match(await page.locator('.el-readout').innerText(), /0 of 2 \(expected 10\^-441\.73, 95 % range 0–0; P = 10\^-442\.03 per sample\)/);
  // The figure's export: the simulation requests carry no literal 0 for a non-zero theory.
  const fig = await page.evaluate(() => window.__lab.figure());
  assert.ok(fig.simulate.length > 0);
  for (const r of fig.simulate) {
    assert.notEqual(r.theory, 0, `no 0 for a non-zero theory value (x = ${r.x})`);
    assert.ok(r.theory !== null || Number.isFinite(r.theory_log10), 'an underflowed value keeps its log10');
  }
  assert.ok(fig.simulate.some((r) => r.theory === null && r.theory_log10 < -308), 'the first points lie below f64\'s range');
  // Simulated there by the importance sampler (E7), the estimate, its SE and its z come from
  // their logarithms in the table, and the CSV writes no literal 0 for them.
  await page.evaluate(() => window.__lab.setParams({ trials: 10000 }));
  await settled(page);
  await page.locator('.el-sim-run').click();
  await page.waitForFunction(() => /points in/.test(document.querySelector('.el-sim-status')?.textContent ?? ''), null, { timeout: 240000 });
  const rows = await page.evaluate(() => Array.from(document.querySelectorAll('.el-sim-results tr')).slice(1).map((tr) => Array.from(tr.children).map((td) => td.textContent)));
  const deep = rows.filter((r) => r[2].startsWith('10^'));
  assert.ok(deep.length >= 1, `points below f64's range: ${JSON.stringify(rows)}`);
  let spread = 0;
  for (const r of deep) {
    assert.match(r[3], /^10\^-\d+\.\d\d$/, `the estimate from its logarithm: ${r.join(' | ')}`);
    if (r[4] === '–') {
      // M = 1: the union is one pattern and every synapse must be on it, so every sample has
      // the same weight: a zero-variance estimate, which must then be the exact value.
      assert.equal(r[3], r[2], `a zero-variance estimate is exact: ${r.join(' | ')}`);
      continue;
    }
    spread += 1;
    assert.match(r[4], /^10\^-\d+\.\d\d$/, `its SE from its logarithm: ${r.join(' | ')}`);
    assert.ok(Number.isFinite(Number(r[5])) && Math.abs(Number(r[5])) < 4.5, `z from logarithms: ${r.join(' | ')}`);
  }
  assert.ok(spread >= 1, 'some deep points have spread (M > 1: the union size varies)');
  const [csvFile] = await Promise.all([page.waitForEvent('download'), page.locator('.el-figure .el-exports').getByRole('button', { name: 'CSV', exact: true }).click()]);
  for (const point of simulatedPoints(fs.readFileSync(await csvFile.path(), 'utf8'))) {
    const { theory, p, se, ci_low: low, ci_high: high, log10_se: log10Se } = point;
    const row = JSON.stringify(point);
    if (!theory.startsWith('1e-')) continue;
    // The SE is a true 0 only for a zero-variance estimate (no log10_se); then the interval is
    // [p, p], never [0, 0].
    const checked = [['theory', theory], ['p', p], ['ci_high', high]];
    if (log10Se !== '') checked.push(['se', se]);
    else checked.push(['ci_low', low]);
    for (const [name, v] of checked) assert.ok(/^1e-\d/.test(v), `${name} = "${v}" in ${row}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
