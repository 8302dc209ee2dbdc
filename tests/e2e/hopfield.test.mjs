// End-to-end: the Hopfield page in headless Chromium, on both drawing paths: the stage read
// back from the GPU, stepping and the URL, the modern model's β strip, pitchfork and WebGPU
// compute, drawing a pattern into the URL, the capacity worker, and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { startLab, openPage, SHOTS } from './browser.mjs';
import { decodePng } from './png.mjs';

let lab;
before(async () => { lab = await startLab(); });
after(async () => { await lab?.close(); });

const ready = (page, timeout = 30000) =>
  page.waitForFunction(() => window.__lab && window.__lab.state().ready, null, { timeout });
const settled = (page, extra = 'true') =>
  page.waitForFunction(`(() => { const s = window.__lab && window.__lab.state(); return s && s.ready && s.clean && window.__lab.metrics.firstFrameMs !== null && (${extra}); })()`, null, { timeout: 30000 });

/** The stage read back from the GPU: ink (+1) and paper (−1) pixel counts and a hash. */
async function stagePixels(page, w = 420, h = 150) {
  return page.evaluate(async ([w, h]) => {
    const px = await window.__lab.readPixels(w, h);
    let ink = 0, paper = 0, hash = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i] === 24 && px[i + 1] === 28 && px[i + 2] === 38) ink++;
      if (px[i] === 236 && px[i + 1] === 232 && px[i + 2] === 220) paper++;
      hash = (hash * 31 + px[i] + 7 * px[i + 1] + 13 * px[i + 2]) % 1000000007;
    }
    return { ink, paper, hash };
  }, [w, h]);
}

for (const backend of ['webgpu', 'webgl2']) {
  test(`hopfield ${backend}: retrieves a half-masked face, the energy falls, and the URL reproduces the state`, async () => {
    const { page, errors } = await openPage(lab, `?exp=hopfield&seed=4&model=classical&patterns=builtin&count=6&side=32&corrupt=half&fill=plus&backend=${backend}`);
    await ready(page);
    await settled(page);
    assert.equal((await page.evaluate(() => window.__lab.state())).backend, backend);
    const first = await stagePixels(page);
    assert.ok(first.ink > 1000 && first.paper > 1000, `the three pictures are drawn: ${JSON.stringify(first)}`);
    const start = await page.evaluate(() => window.__lab.state().info);
    await page.keyboard.press('.');
    await settled(page, 'window.__lab.state().info.steps === 1');
    const stepped = await stagePixels(page);
    assert.notEqual(stepped.hash, first.hash, 'a sweep changes the state picture');
    await page.evaluate(() => window.__lab.run());
    await settled(page);
    const end = await page.evaluate(() => ({ info: window.__lab.state().info, query: window.__lab.state().query }));
    assert.ok(end.info.converged, 'asynchronous sweeps converge');
    assert.ok(end.info.overlap_target > start.overlap_target, `overlap with the target rose from ${start.overlap_target} to ${end.info.overlap_target}`);
    // The energy never increases under asynchronous updates (Hopfield 1982; docs/hopfield.md).
    const energies = await page.evaluate(() => window.__lab.energies());
    for (let i = 1; i < energies.length; i++) assert.ok(energies[i] <= energies[i - 1] + 1e-9 * Math.abs(energies[i - 1]), `energy rose at step ${i}: ${energies}`);
    const done = await stagePixels(page);
    await page.waitForFunction((steps) => new URLSearchParams(location.search).get('step') === String(steps), end.info.steps);
    await page.screenshot({ path: path.join(SHOTS, `hopfield-${backend}-page.png`), fullPage: true });
    await page.screenshot({ path: path.join(SHOTS, `hopfield-${backend}-view.png`) });
    const second = await openPage(lab, page.url().slice(lab.base.length));
    await ready(second.page);
    await settled(second.page);
    assert.equal((await second.page.evaluate(() => window.__lab.state().info.steps)), end.info.steps);
    assert.equal((await stagePixels(second.page)).hash, done.hash, 'the URL reproduces the stage pixel for pixel');
    assert.deepEqual(errors, []);
    assert.deepEqual(second.errors, []);
    await page.close();
    await second.page.close();
  });
}

test('hopfield: modern model — energy within [0, 2M²], β strip, pitchfork, and WebGPU compute equal to the CPU', async () => {
  const { page, errors } = await openPage(lab, '?exp=hopfield&seed=1&model=modern&beta=0.05&patterns=builtin&count=8');
  await ready(page);
  await settled(page);
  await page.keyboard.press('.');
  await settled(page, 'window.__lab.state().info.steps === 1');
  const info = await page.evaluate(() => window.__lab.state().info);
  assert.ok(info.energy >= 0 && info.energy <= info.bounds[1], `0 ≤ E = ${info.energy} ≤ 2M² = ${info.bounds[1]}`);
  await page.locator('.el-hf-fork .uplot').waitFor();
  assert.equal(await page.locator('.el-strip-labels span').count(), 9, 'nine β in the film strip');
  // The strip's pictures: at the smallest β the update averages all eight faces (many grey
  // levels), at the largest it returns one face (ink and paper only, and an edge colour).
  const strip = decodePng(await page.locator('.el-strip-canvas').screenshot({ path: path.join(SHOTS, 'hopfield-beta-strip.png') }));
  const paperColumns = [];
  for (let x = 0; x < strip.width; x++) {
    let paper = false;
    for (let y = 0; y < strip.height && !paper; y++) { const i = 4 * (y * strip.width + x); paper = Math.abs(strip.data[i] - 236) + Math.abs(strip.data[i + 1] - 232) + Math.abs(strip.data[i + 2] - 220) < 12; }
    paperColumns.push(paper);
  }
  const thumbs = [];
  paperColumns.forEach((p, x) => { if (p && !paperColumns[x - 1]) thumbs.push([x, x]); if (p) thumbs[thumbs.length - 1][1] = x + 1; });
  assert.equal(thumbs.length, 9, `nine pictures in the strip: ${JSON.stringify(thumbs)}`);
  const colours = ([x0, x1]) => {
    const seen = new Set();
    for (let y = 0; y < strip.height; y++) for (let x = x0; x < x1; x++) { const i = 4 * (y * strip.width + x); seen.add(`${strip.data[i]},${strip.data[i + 1]},${strip.data[i + 2]}`); }
    return seen.size;
  };
  const [first, last] = [colours(thumbs[0]), colours(thumbs[8])];
  assert.ok(first >= 8 && last <= 4, `grey levels: ${first} at the smallest β, ${last} at the largest`);
  const title = await page.locator('.el-hf-fork .u-title').innerText();
  const bc = Number(/β_c = 4\/‖a−b‖² = ([0-9.e+-]+)/.exec(title)?.[1]);
  assert.ok(bc > 0, `the pitchfork names β_c: ${title}`);
  // β_c = 4/‖a−b‖² (paper scaling): the title's two numbers agree to their printed digits.
  const dist2 = Number(/‖a−b‖² = ([0-9,.]+),/.exec(title)?.[1].replaceAll(',', ''));
  assert.ok(Math.abs(bc - 4 / dist2) / bc < 0.01, `β_c ${bc} against 4/${dist2}`);
  assert.equal(await page.locator('.el-fork-unequal').count(), 0, 'faces are ±1: equal norms');
  assert.ok(await page.locator('.el-hf-fork .u-series').count() >= 4, 'both starts and the theory are plotted');
  const gpu = await page.evaluate(() => window.__lab.compareGpu());
  // f32 sums of d = 1024 products of ±1 entries: the GPU's order of summation differs from the
  // CPU's, so the weights differ by a few ulps of the scores times β (< 1e-4 here).
  assert.ok(gpu.maxDiff < 1e-4 && gpu.maxDiffP < 1e-4, JSON.stringify(gpu));
  console.log(`hopfield: WebGPU compute ${gpu.gpuMs.toFixed(1)} ms, CPU ${gpu.cpuMs.toFixed(1)} ms for ${gpu.queries} queries × ${gpu.patterns} patterns × d = ${gpu.dim}; max |Δ| ${gpu.maxDiff.toExponential(2)}`);
  await page.locator('.el-hf-strip').screenshot({ path: path.join(SHOTS, 'hopfield-beta-strip.png') });
  await page.locator('.el-hf-fork').screenshot({ path: path.join(SHOTS, 'hopfield-pitchfork.png') });
  await page.screenshot({ path: path.join(SHOTS, 'hopfield-modern-page.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();

  // Sparse 0/±1 patterns differ in norm: the midpoint is no fixed point, and the page gives no
  // β_c and says why instead of a threshold that does not hold.
  const sparse = await openPage(lab, '?exp=hopfield&seed=1&model=modern&beta=0.05&patterns=sparse&count=8');
  await ready(sparse.page);
  await sparse.page.locator('.el-hf-fork .uplot').waitFor();
  assert.match(await sparse.page.locator('.el-hf-fork .u-title').innerText(), /no β_c: ‖a‖ ≠ ‖b‖/);
  assert.match(await sparse.page.locator('.el-fork-unequal').innerText(), /differ in norm/);
  await sparse.page.locator('.el-hf-fork').screenshot({ path: path.join(SHOTS, 'hopfield-pitchfork-sparse.png') });
  assert.deepEqual(sparse.errors, []);
  await sparse.page.close();
});

test('hopfield: a drawn pattern goes into the URL and comes back', async () => {
  const { page, errors } = await openPage(lab, '?exp=hopfield&seed=3&side=16&count=3');
  await ready(page);
  await settled(page);
  const pad = page.locator('.el-draw-pad');
  // The pad lies below the fold: mouse events go to what is on screen.
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + 10, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 10, box.y + box.height - 10, { steps: 20 });
  await page.mouse.up();
  await page.locator('.el-draw-add').click();
  await settled(page);
  const q = await page.evaluate(() => window.__lab.state().query);
  assert.match(q, /patterns=drawn/);
  assert.match(q, /drawn=[A-Za-z0-9_-]{10,}/);
  const info = await page.evaluate(() => window.__lab.state().info);
  assert.equal(info.count, 1);
  // The stored pattern (the stage's third picture, the target) is the stroke: ink along the
  // diagonal from the top left to the bottom right, and nowhere else.
  const diagonal = (page) => page.evaluate(async () => {
    const w = 420, h = 150;
    const px = await window.__lab.readPixels(w, h);
    const isInk = (i) => px[i] === 24 && px[i + 1] === 28 && px[i + 2] === 38;
    const isPaper = (i) => px[i] === 236 && px[i + 1] === 232 && px[i + 2] === 220;
    // The target picture: the rightmost third of the cells (ink or paper) on the stage.
    let x0 = w, x1 = -1;
    for (let i = 0; i < px.length; i += 4) if (isInk(i) || isPaper(i)) { const x = (i / 4) % w; x0 = Math.min(x0, x); x1 = Math.max(x1, x); }
    const left = x1 - (x1 - x0 + 1) / 3;
    let [bx0, bx1, by0, by1] = [w, -1, h, -1];
    for (let i = 0; i < px.length; i += 4) {
      const x = (i / 4) % w, y = Math.floor(i / 4 / w);
      if (x > left && (isInk(i) || isPaper(i))) { bx0 = Math.min(bx0, x); bx1 = Math.max(bx1, x); by0 = Math.min(by0, y); by1 = Math.max(by1, y); }
    }
    let ink = 0, off = 0, hash = 0;
    for (let i = 0; i < px.length; i += 4) {
      const x = (i / 4) % w, y = Math.floor(i / 4 / w);
      hash = (hash * 31 + px[i] + 7 * px[i + 1] + 13 * px[i + 2]) % 1000000007;
      if (x < bx0 || !isInk(i)) continue;
      ink++;
      if (Math.abs((x - bx0) / (bx1 - bx0) - (y - by0) / (by1 - by0)) > 0.12) off++;
    }
    return { ink, off, hash };
  });
  const drawn = await diagonal(page);
  assert.ok(drawn.ink > 100 && drawn.off === 0, `the stroke is stored: ${JSON.stringify(drawn)}`);
  const second = await openPage(lab, `?${q}`);
  await ready(second.page);
  await settled(second.page);
  assert.deepEqual(await second.page.evaluate(() => window.__lab.state().info.count), 1);
  assert.deepEqual(await diagonal(second.page), drawn, 'the link brings back the same pattern and stage, pixel for pixel');
  assert.deepEqual(errors, []);
  assert.deepEqual(second.errors, []);
  await page.close();
  await second.page.close();
});

test('hopfield: a greyscale image is stored with its grey levels and comes back from the URL', async () => {
  const { page, errors } = await openPage(lab, '?exp=hopfield&seed=3&side=16&count=3&model=modern&beta=2');
  await ready(page);
  await settled(page);
  // A 32×32 PNG ramp, black (ink, +1) on the left to white (paper, −1) on the right, made by
  // the browser and chosen in the page's file input as a user would; the import averages 2×2
  // pixels onto the 16×16 grid.
  const png = await page.evaluate(async () => {
    const c = new OffscreenCanvas(32, 32);
    const g = c.getContext('2d');
    for (let x = 0; x < 32; x++) { const l = Math.round((255 * x) / 31); g.fillStyle = `rgb(${l}, ${l}, ${l})`; g.fillRect(x, 0, 1, 32); }
    return Array.from(new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer()));
  });
  await page.locator('.el-import-mode').selectOption('greyscale');
  await page.locator('input[type=file]').setInputFiles({ name: 'ramp.png', mimeType: 'image/png', buffer: Buffer.from(png) });
  // The pad shows the ramp once the file is read (its middle column is mid grey, not ink or paper).
  await page.waitForFunction(() => {
    const pad = document.querySelector('.el-draw-pad');
    const px = pad.getContext('2d').getImageData(pad.width / 2, pad.height / 2, 1, 1).data;
    return px[0] > 60 && px[0] < 200;
  }, null, { timeout: 10000 });
  await page.locator('.el-draw-add').click();
  await settled(page);
  const q = await page.evaluate(() => window.__lab.state().query);
  assert.match(q, /drawn=~[A-Za-z0-9_-]{300,}/, 'a grey set is packed with 8 bits per cell');
  // The stage shows the grey levels: many distinct colours between ink and paper.
  const greys = (p) => p.evaluate(async () => {
    const px = await window.__lab.readPixels(420, 150);
    const seen = new Set();
    for (let i = 0; i < px.length; i += 4) {
      const t = (236 - px[i]) / (236 - 24); // 0 paper … 1 ink, along the red channel
      const g = 232 + (28 - 232) * t, b = 220 + (38 - 220) * t;
      if (t > 0.02 && t < 0.98 && Math.abs(px[i + 1] - g) <= 2 && Math.abs(px[i + 2] - b) <= 2) seen.add(px[i]);
    }
    return seen.size;
  });
  const shades = await greys(page);
  assert.ok(shades >= 12, `the stage shows the ramp's grey levels (${shades} distinct shades)`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, 'hopfield-greyscale.png') });
  const second = await openPage(lab, `?${q}`);
  await ready(second.page);
  await settled(second.page);
  assert.equal(await second.page.evaluate(() => window.__lab.state().info.count), 1);
  assert.equal(await greys(second.page), shades, 'the link reproduces the grey picture');
  assert.deepEqual(errors, []);
  assert.deepEqual(second.errors, []);
  await page.close();
  await second.page.close();
});

/** Opens `query`, takes `steps` steps through the handle, waits for `after(page)`, and reads
 * the energies, the metrics and the notices (no page errors allowed). */
async function stepAndRead(query, steps, after = async () => {}) {
  const { page, errors } = await openPage(lab, query);
  await ready(page);
  await settled(page);
  for (let i = 0; i < steps; i++) await page.evaluate(() => window.__lab.step());
  await after(page);
  const out = await page.evaluate(() => ({ energies: window.__lab.energies(), metrics: { ...window.__lab.metrics } }));
  out.notices = await page.locator('.el-notice').allInnerTexts();
  assert.deepEqual(errors, []);
  await page.close();
  return out;
}

for (const backend of ['webgpu', 'webgl2']) {
  test(`hopfield ${backend}: compute=gpu steps the modern model ${backend === 'webgpu' ? 'on WebGPU compute, agreeing with the CPU' : 'on the CPU, with a notice'}`, async () => {
    const url = `?exp=hopfield&seed=8&side=16&count=6&model=modern&beta=0.3&corrupt=flip&amount=0.3&backend=${backend}`;
    const run = (extra) => stepAndRead(url + extra, 4);
    const cpu = await run('');
    const gpu = await run('&compute=gpu');
    assert.equal(cpu.energies.length, 5);
    assert.equal(gpu.energies.length, 5, 'four GPU steps were booked');
    const fallback = gpu.notices.filter((t) => t.includes('compute:'));
    if (backend === 'webgpu') {
      assert.deepEqual(fallback, [], 'no fallback notice on WebGPU');
      assert.equal(gpu.metrics.gpuSteps, 4, 'the four steps ran on the GPU');
      assert.equal(cpu.metrics.poolSteps, 0, 'a small store steps on the page\'s thread (compute=auto)');
      // f32 on both sides, different summation orders: the energies (eq. 2, |E| ≲ 2M² = 512 at
      // d = 256) agree to a few float32 roundings of the scores, far below the steps' changes.
      for (let i = 0; i < 5; i++) assert.ok(Math.abs(gpu.energies[i] - cpu.energies[i]) <= 1e-3 * Math.max(1, Math.abs(cpu.energies[i])), `energy ${i}: GPU ${gpu.energies[i]}, CPU ${cpu.energies[i]}`);
      assert.ok(cpu.energies[4] < cpu.energies[0] - 1e-3, 'the steps move the state (the comparison is not trivial)');
    } else {
      assert.equal(fallback.length, 1, `one notice says the CPU computes: ${gpu.notices.join(' / ')}`);
      assert.equal(gpu.metrics.gpuSteps, 0);
      assert.deepEqual(gpu.energies, cpu.energies, 'the CPU fallback is the CPU path, bit for bit');
    }
  });
}

test('hopfield: a large store steps on the worker pool (auto), with the bits of the page\'s thread', async () => {
  // 256 random patterns of 64×64 = 2²⁰ stored values: auto hands the modern steps to the pool
  // (one worker per core; 8 segments of 2 cache blocks). β = 0.01 spreads the weights over every
  // segment, so the merge matters. compute=cpu steps on the page's thread: the same energies,
  // bit for bit, and the same state.
  const url = '?exp=hopfield&seed=3&side=64&count=256&patterns=random&model=modern&beta=0.01&corrupt=flip&amount=0.3';
  // The β strip and the pitchfork of a store this large come from a background worker.
  const extras = (page) => page.waitForFunction(() => document.querySelector('.el-hf-fork .uplot') && !document.querySelector('.el-fork-status'), null, { timeout: 120000 });
  const run = (extra) => stepAndRead(url + extra, 3, extras);
  const cpu = await run('&compute=cpu');
  const auto = await run('');
  assert.equal(cpu.metrics.poolSteps, 0);
  assert.equal(auto.metrics.poolSteps, 3, `the three steps ran on the pool (notices: ${auto.notices.join(' / ')})`);
  assert.ok(auto.metrics.poolWorkers >= 1);
  assert.deepEqual(auto.notices.filter((t) => t.includes('compute:')), []);
  assert.equal(cpu.energies.length, 4);
  assert.deepEqual(auto.energies, cpu.energies, 'the pool gives the bits of the page\'s thread');
  assert.ok(cpu.energies[3] < cpu.energies[0] - 1e-3, 'the steps move the state (the comparison is not trivial)');
});

/** The worker pool's checks (www/modern-pool.js) in `page`: a batch of queries split by
 * queries or by patterns, with and without the dot products, one query, and one query in two
 * passes after a retrieval (entering, leaving and entering again the shared-memory wait where
 * the page is cross-origin isolated), each against the page's thread bit for bit. */
async function poolChecks(page) {
  return page.evaluate(async () => {
    const { loadBuild } = await import('./common.js');
    const { ModernPool } = await import('./modern-pool.js');
    const mod = await loadBuild('webgpu-hopfield');
    const n = 5020, d = 100, q = 13, beta = 0.05;
    let s = 7;
    // A 32-bit LCG (Math.imul: the product in doubles would lose bits and repeat rows).
    const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s / 2 ** 32) * 2 - 1; };
    const x = Float32Array.from({ length: n * d }, rnd), queries = Float32Array.from({ length: q * d }, rnd);
    const single = new mod.ModernUpdate(x, n, d);
    const one = single.update(queries, q, beta), first = single.update(queries.subarray(0, d), 1, beta);
    const bits = (a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
    const same = (a, b) => { const [u, v] = [bits(a), bits(b)]; return u.length === v.length && u.every((w, i) => w === v[i]); };
    // The dots against the kernel's own, query by query (one shard holding every segment).
    const whole = new mod.ModernShard(x, n, d, 0, mod.hopfield_modern_segments(n, d).length / 2);
    const dotsOf = (dots, count) => dots.length === count * n
      && Array.from({ length: count }, (_, r) => same(dots.subarray(r * n, (r + 1) * n), whole.dots(queries.subarray(r * d, (r + 1) * d)))).every(Boolean);
    const peak = x.slice(4000 * d, 4001 * d), peakOne = single.update(peak, 1, 5);
    const dotsOfQuery = (dots, query) => same(dots, whole.dots(query));
    const modes = {};
    for (const copies of [true, false]) {
      const pool = await ModernPool.create(mod, x, n, d, 2, { whole: copies });
      try {
        const plain = await pool.update(queries, q, beta);
        const kept = await pool.update(queries, q, beta, true);
        const alone = await pool.update(queries.slice(0, d), 1, beta, true);
        // A retrieval (a stored pattern as the query, β = 5: its weight all but e^-100) makes the
        // next one query take two passes: the top segment's state alone, then (for the spread
        // query after it) every segment's again; each with the one-thread bits. Then a batch
        // (messages again) and two more retrievals (the second takes two passes again).
        const passes = [], twoPass = [];
        const steps = [[peak, 5, peakOne], [peak, 5, peakOne], [queries.slice(0, d), beta, first], [peak, 5, peakOne], [peak, 5, peakOne]];
        for (const [query, b, want] of steps) {
          const got = await pool.update(query, 1, b, true);
          passes.push(pool.lastTwoPasses);
          twoPass.push(same(got.state, want.state) && same(got.p, want.p) && dotsOfQuery(got.dots, query));
        }
        // A worker's error in a two-pass step (β not finite) reaches the caller, and the pool
        // goes on.
        const failed = await pool.update(peak, 1, Number.NaN, true).then(() => 'no error', (e) => e.message);
        const after = await pool.update(queries, q, beta);
        modes[copies ? 'byQueries' : 'byPatterns'] = {
          passes, twoPass, failed: /β|beta|finite/i.test(failed) ? 'β' : failed,
          afterError: same(after.state, one.state) && same(after.p, one.p),
          workers: pool.size, whole: pool.whole, signalled: pool.signalled,
          plainState: same(plain.state, one.state), plainP: same(plain.p, one.p), hasDots: 'dots' in plain,
          keptState: same(kept.state, one.state), keptP: same(kept.p, one.p), keptDots: dotsOf(kept.dots, q),
          aloneState: same(alone.state, first.state), aloneP: same(alone.p, first.p), aloneDots: dotsOf(alone.dots, 1),
          poolDots: same(await pool.dots(queries.subarray(0, d)), whole.dots(queries.subarray(0, d))),
        };
      } finally { pool.free(); }
    }
    whole.free();
    single.free();
    return { modes, isolated: crossOriginIsolated, spread: Math.max(...one.p) < 0.5, defaultWhole: (await ModernPool.create(mod, x, n, d, 2).then((p) => { p.free(); return p.whole; })) };
  });
}

/** What `poolChecks` must find; `signalled` where the page is cross-origin isolated. */
function assertPoolChecks(r, signalled) {
  assert.equal(r.isolated, signalled, 'the page is cross-origin isolated where the pool signals');
  assert.ok(r.spread, 'the weights are spread over many patterns (the factors matter)');
  assert.equal(r.defaultWhole, true, 'a pool over 502,000 values copies X to every worker');
  const want = {
    workers: 2, signalled, plainState: true, plainP: true, hasDots: false, keptState: true, keptP: true, keptDots: true,
    aloneState: true, aloneP: true, aloneDots: true, poolDots: true, passes: [null, 'top', 'all', null, 'top'],
    twoPass: [true, true, true, true, true], failed: 'β', afterError: true,
  };
  assert.deepEqual(r.modes.byQueries, { ...want, whole: true });
  assert.deepEqual(r.modes.byPatterns, { ...want, whole: false });
}

test('hopfield: the worker pool\'s update of a batch of queries has the bits of the page\'s thread, with and without the dot products, split by queries or by patterns, and one query in two passes after a retrieval', async () => {
  // www/modern-pool.js splits a batch by queries where every worker holds a copy of X (chunks
  // of consecutive queries, each worker's whole update), and one query, or a batch where the
  // workers hold only their segments, by patterns: the page merges the states and a factor per
  // block in wasm, every weight in JS from the workers' numerators. Thirteen queries (six chunks
  // of two or three: pairs and a lone query in the kernel's tiles), and N = 5020 at d = 100 (10
  // blocks of up to 512 rows in 8 segments, two of them with two blocks, the last block short)
  // make every index of both layouts matter; β = 0.05 spreads the weights over both workers'
  // segments.
  const { page, errors } = await openPage(lab, '?exp=hopfield&seed=2&model=modern');
  await ready(page);
  assertPoolChecks(await poolChecks(page), false);
  assert.deepEqual(errors, []);
});

test('hopfield: on a cross-origin isolated page the pool signals one query\'s first pass through shared memory, with the same bits', async () => {
  // The same checks where SharedArrayBuffer and Atomics.waitAsync exist: the workers wait in
  // Atomics.wait between two-pass steps (www/modern-signal.js) and leave that wait before any
  // message (the batch, the states of an 'all' step, the dots). A message posted to a worker
  // still waiting would never be read: the race turns that hang into a failure, and closing the
  // browser ends the page's evaluation.
  const isolated = await startLab({ isolated: true });
  try {
    const { page, errors } = await openPage(isolated, '?exp=hopfield&seed=2&model=modern');
    await ready(page);
    const checks = poolChecks(page);
    checks.catch(() => {}); // where the race below ends first
    let timer;
    const hung = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('the pool hung: a message to a worker still waiting on shared memory?')), 90000);
    });
    try {
      assertPoolChecks(await Promise.race([checks, hung]), true);
    } finally {
      clearTimeout(timer);
    }
    assert.deepEqual(errors, []);
  } finally {
    await isolated.close();
  }
});

for (const isolated of [false, true]) test(`hopfield: a large store playing on the pool books each energy from the next update, the last from the pool${isolated ? ', signalled through shared memory on a cross-origin isolated page' : ''}`, async () => {
  // While a modern run plays, a step costs one pass over the stored patterns: the update's own
  // dot products book the previous state's energy, so the energies end at most one state behind
  // the picture; where the run stops, the pool's shards book the last one (no pass on the
  // page's thread). The energies are those of a run on the page's thread, bit for bit.
  const url = '?exp=hopfield&seed=3&side=64&count=256&patterns=random&model=modern&beta=0.05&corrupt=flip&amount=0.3&speed=20';
  const reference = await openPage(lab, url + '&compute=cpu');
  await ready(reference.page);
  await settled(reference.page);
  await reference.page.evaluate(() => window.__lab.run());
  const cpu = await reference.page.evaluate(() => ({ energies: window.__lab.energies(), steps: window.__lab.state().info.steps }));
  assert.deepEqual(reference.errors, []);
  await reference.page.close();
  assert.ok(cpu.steps >= 2 && cpu.energies.length === cpu.steps + 1, JSON.stringify(cpu));

  // On an isolated page the steps after the first retrieval take two passes whose first pass is
  // signalled through shared memory (www/modern-signal.js), and stopping books the last energy
  // by messages (the workers leave their wait first).
  const played = isolated ? await startLab({ isolated: true }) : lab;
  try {
    const { page, errors } = await openPage(played, url);
    await ready(page);
    await settled(page);
    const seen = await page.evaluate(async () => {
      const samples = [];
      window.__lab.play();
      const deadline = performance.now() + 60000;
      while (performance.now() < deadline) {
        const s = window.__lab.state();
        samples.push([s.info.steps, window.__lab.energies().length, s.playing]);
        if (!s.playing && s.info.steps > 0) break;
        await new Promise((r) => requestAnimationFrame(r));
      }
      return { samples, energies: window.__lab.energies(), steps: window.__lab.state().info.steps, metrics: { ...window.__lab.metrics } };
    });
    assert.deepEqual(errors, []);
    await page.close();
    const during = seen.samples.filter(([, , playing]) => playing);
    assert.ok(during.some(([steps, booked]) => booked === steps), `some frames show the energy one step behind: ${JSON.stringify(seen.samples)}`);
    for (const [steps, booked] of seen.samples) assert.ok(booked === steps || booked === steps + 1, `steps ${steps}, energies ${booked}`);
    assert.equal(seen.metrics.poolSteps, cpu.steps, 'every step ran on the pool');
    assert.equal(seen.metrics.poolSettles, 1, 'the pool booked the last energy');
    assert.equal(seen.steps, cpu.steps);
    assert.deepEqual(seen.energies, cpu.energies, 'the energies of the page\'s thread, bit for bit');
    if (isolated) assert.ok(seen.metrics.poolSignalledSteps >= 1, `steps signalled: ${seen.metrics.poolSignalledSteps} of ${seen.metrics.poolSteps}`);
    else assert.equal(seen.metrics.poolSignalledSteps, 0, 'a plain page uses messages');
  } finally {
    if (isolated) await played.close();
  }
});

test('hopfield: the capacity worker finds the classical network failing above about 0.14 N', async () => {
  const { page, errors } = await openPage(lab, '?exp=hopfield&seed=5');
  await ready(page);
  await settled(page);
  const done = page.evaluate(() => new Promise((resolve) => window.__lab.on('capacity', resolve)));
  await page.locator('.el-hf-capacity input[aria-label="neurons N"]').fill('100');
  await page.locator('.el-hf-capacity input[aria-label="repeats"]').fill('4');
  await page.locator('.el-cap-run').click();
  const result = await done;
  const byLoad = Object.fromEntries(result.points.map((p) => [p.load.toFixed(2), p]));
  // Far below 0.138 almost every start is retrieved; far above almost none is.
  assert.ok(byLoad['0.02'].mean_overlap > 0.95, JSON.stringify(byLoad['0.02']));
  assert.ok(byLoad['0.30'].fixed_point_fraction < 0.5, JSON.stringify(byLoad['0.30']));
  await page.locator('.el-hf-capacity').screenshot({ path: path.join(SHOTS, 'hopfield-capacity.png') });
  // The exports hold exactly the curve the page drew.
  const exports = page.locator('.el-hf-capacity .el-exports');
  const [csvFile] = await Promise.all([page.waitForEvent('download'), exports.getByRole('button', { name: 'CSV', exact: true }).click()]);
  const csv = (await readFile(await csvFile.path(), 'utf8')).trim().split('\n');
  assert.equal(csv[0], 'neurons,patterns,load,tests,fixed_point_fraction,fixed_point_se,perfect_fraction,perfect_se,mean_overlap,overlap_se');
  const sorted = [...result.points].sort((a, b) => a.patterns - b.patterns);
  assert.deepEqual(csv.slice(1).map((line) => line.split(',').map(Number)), sorted.map((p) => [p.neurons, p.patterns, p.load, p.tests, p.fixed_point_fraction, p.fixed_point_se, p.perfect_fraction, p.perfect_se, p.mean_overlap, p.overlap_se]));
  const [jsonFile] = await Promise.all([page.waitForEvent('download'), exports.getByRole('button', { name: 'JSON', exact: true }).click()]);
  const exported = JSON.parse(await readFile(await jsonFile.path(), 'utf8'));
  assert.equal(exported.neurons, 100);
  assert.deepEqual(exported.points, sorted);

  // Cancel: a long run stops where it is, the page draws nothing more and can run again.
  await page.locator('.el-hf-capacity input[aria-label="neurons N"]').fill('2000');
  await page.locator('.el-hf-capacity input[aria-label="repeats"]').fill('100');
  await page.evaluate(() => { window.__capacityAfterCancel = 0; window.__lab.on('capacity', () => { window.__capacityAfterCancel++; }); });
  await page.locator('.el-cap-run').click();
  await page.waitForFunction(() => document.querySelector('.el-hf-capacity progress').value > 0, null, { timeout: 60000 });
  await page.locator('.el-hf-capacity button', { hasText: 'Cancel' }).click();
  assert.equal(await page.locator('.el-cap-status').innerText(), 'cancelled');
  assert.ok(await page.locator('.el-cap-run').isEnabled(), 'Run is offered again');
  const progress = await page.locator('.el-hf-capacity progress').evaluate((p) => p.value);
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('.el-hf-capacity progress').evaluate((p) => p.value), progress, 'no progress after the cancel');
  assert.equal(await page.evaluate(() => window.__capacityAfterCancel), 0, 'no curve after the cancel');
  await page.locator('.el-hf-capacity input[aria-label="neurons N"]').fill('100');
  await page.locator('.el-hf-capacity input[aria-label="repeats"]').fill('4');

  // The modern model at β = 50, N = 64, K = 22 of 64 signs flipped in each noisy start. Scores
  // of ±1 vectors are even integers, so a pattern that leads strictly leads by ≥ 2 and takes all
  // the softmax weight (the rest ≤ P·e^{−100}). The query's score with another pattern is
  // 64 − 2B, B ~ Binomial(64, ½) independently of the query; the target's is 64 − 2K. So the
  // first update lands exactly on the target when every B > K, with probability
  // P(B > 22)^{P−1}, and exact retrieval needs at least the target tied at the top,
  // P(B > 21)^{P−1}: a tie averages the tied patterns, and the iteration sometimes resolves it
  // toward the target (an odd tie's majority vote), sometimes not. From the pattern itself it is 1.
  const modern = page.evaluate(() => new Promise((resolve) => window.__lab.on('capacity', (r) => { if (r.model === 'modern') resolve(r); })));
  await page.locator('.el-hf-capacity select[aria-label="capacity model"]').selectOption('modern');
  await page.locator('.el-hf-capacity input[aria-label="modern β"]').fill('50');
  await page.locator('.el-hf-capacity input[aria-label="neurons N"]').fill('64');
  await page.locator('.el-hf-capacity input[aria-label="repeats"]').fill('10');
  await page.locator('.el-hf-capacity input[aria-label="noisy start: flipped fraction"]').fill('0.34');
  await page.locator('.el-cap-run').click();
  const m = await modern;
  m.points.sort((a, b) => a.load - b.load);
  const binomialCdf = (k) => { let cdf = 0, choose = 1; for (let b = 0; b <= k; b++) { cdf += choose / 2 ** 64; choose = (choose * (64 - b)) / (b + 1); } return cdf; };
  const queries = 10 * 20; // repeats × the worker's queries per test
  const se = (p) => Math.sqrt((p * (1 - p)) / queries);
  for (const point of m.points) {
    const strict = (1 - binomialCdf(22)) ** (point.patterns - 1), tied = (1 - binomialCdf(21)) ** (point.patterns - 1);
    const lo = strict - 3 * se(strict) - 1 / queries, hi = tied + 3 * se(tied) + 1 / queries;
    assert.equal(point.tests, 10);
    assert.equal(point.fixed_point_fraction, 1, `P = ${point.patterns}: every pattern is retrieved from itself`);
    assert.ok(point.perfect_fraction >= lo && point.perfect_fraction <= hi, `P = ${point.patterns}: exact retrieval ${point.perfect_fraction}, between P(B > 22)^{P−1} = ${strict.toFixed(3)} and P(B > 21)^{P−1} = ${tied.toFixed(3)} (3 SE: ${lo.toFixed(3)} … ${hi.toFixed(3)})`);
  }
  assert.ok(m.points[0].perfect_fraction > 0.7 && m.points[m.points.length - 1].perfect_fraction < 0.05, 'the curve spans retrieval to failure');
  assert.ok(m.points[m.points.length - 1].mean_overlap < m.points[0].mean_overlap, 'the weight on the target falls with the load');
  await page.locator('.el-hf-capacity').screenshot({ path: path.join(SHOTS, 'hopfield-capacity-modern.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

/** Pixels within `tol` per channel of colour `rgb` in a decoded PNG. */
function near(img, rgb, tol = 8) {
  let k = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    if (Math.abs(img.data[i] - rgb[0]) <= tol && Math.abs(img.data[i + 1] - rgb[1]) <= tol && Math.abs(img.data[i + 2] - rgb[2]) <= tol) k++;
  }
  return k;
}
/** A plot colour at alpha 0x99 over the page's background (16, 20, 26): the bars' fill. */
const filled = ([r, g, b]) => [r, g, b].map((c, i) => Math.round(0.6 * c + 0.4 * [16, 20, 26][i]));

test('hopfield: the analysis views — separation against Theorem 5, the softmax entropy against β, accuracy against corruption', async () => {
  // Ten faces at β = 0.5: eight are well separated, two (0 and 3, close to others) are not.
  const { page, errors } = await openPage(lab, '?exp=hopfield&seed=4&model=modern&patterns=builtin&count=10&corrupt=flip&amount=0.1&beta=0.5');
  await ready(page);
  await settled(page);
  await page.waitForFunction(() => window.__lab.extras()?.separation, null, { timeout: 60000 });
  const { separation: v, entropy } = await page.evaluate(() => window.__lab.extras());
  const N = v.patterns, b = v.beta_effective, M = v.max_norm;
  // Definition 1's threshold and Theorem 5's bound, written out again from the wasm numbers.
  const threshold = 2 / (b * N) + Math.log(2 * (N - 1) * N * b * M * M) / b;
  assert.ok(Math.abs(v.threshold - threshold) <= 1e-9 * threshold, `${v.threshold} vs ${threshold}`);
  for (const r of v.rows) {
    const bound = 2 * (N - 1) * Math.exp(-b * r.delta) * M;
    assert.ok(Math.abs(r.bound - bound) <= 1e-9 * bound, `pattern ${r.pattern}: bound ${r.bound} vs ${bound}`);
    assert.ok(r.error <= r.bound + 1e-5 * M, `pattern ${r.pattern}: error ${r.error} above Theorem 5's ${r.bound}`);
    assert.equal(r.well_separated, r.delta >= v.threshold);
  }
  const well = v.rows.filter((r) => r.well_separated).length;
  assert.ok(well > 0 && well < v.rows.length, `both kinds of pattern: ${well} of ${v.rows.length} well separated`);
  assert.match(await page.locator('.el-hf-sep-summary').innerText(), new RegExp(`${well} of ${v.rows.length} listed patterns are well separated`));
  // Pixels: green bars (well separated), orange ones (not) and the red threshold line.
  const bars = decodePng(await page.locator('.el-hf-separation .uplot').first().locator('canvas').screenshot());
  assert.ok(near(bars, filled([89, 161, 79]), 6) > 200, 'green bars drawn');
  assert.ok(near(bars, filled([242, 142, 43]), 6) > 50, 'orange bars drawn');
  assert.ok(near(bars, [225, 87, 89], 30) > 50, 'the threshold line drawn');
  await page.locator('.el-hf-separation').screenshot({ path: path.join(SHOTS, 'hopfield-separation.png') });

  // The entropy: ln N at small β, falling to 0, never rising with β after one update.
  assert.ok(Math.abs(entropy.ln_n - Math.log(N)) < 1e-12);
  const hs = entropy.points.map((p) => p.one_step);
  assert.ok(hs.every((h, i) => i === 0 || h <= hs[i - 1] + 1e-5), `H(β) never rises: ${hs.map((h) => h.toFixed(3))}`);
  assert.ok(hs[hs.length - 1] < 1e-3 && hs[0] > 0.5 * entropy.ln_n, `${hs[0]} … ${hs[hs.length - 1]}`);
  const curve = decodePng(await page.locator('.el-hf-entropy canvas').screenshot());
  assert.ok(near(curve, [78, 121, 167], 10) > 100 && near(curve, [242, 142, 43], 10) > 100, 'both entropy curves drawn');
  await page.locator('.el-hf-entropy').screenshot({ path: path.join(SHOTS, 'hopfield-entropy.png') });

  // The read-out names the effective β.
  assert.match(await page.locator('.el-readout').innerText(), /β in the paper's formula 0\.5 /);

  // Accuracy against flips: every listed pattern comes back from itself in one update, so the
  // uncorrupted level is retrieved exactly; at half the components flipped, far less is.
  assert.ok(v.rows.every((r) => r.one_step));
  const done = page.evaluate(() => new Promise((resolve) => window.__lab.on('accuracy', resolve)));
  await page.locator('.el-hf-accuracy input[aria-label="queries per level"]').fill('12');
  await page.locator('.el-acc-run').click();
  const acc = await done;
  assert.equal(acc.axis, 'flip');
  assert.equal(acc.points.length, 11);
  assert.ok(acc.points.every((p) => p.queries === 12));
  assert.equal(acc.points[0].exact, 1);
  assert.equal(acc.points[0].wrong, 0);
  assert.ok(acc.points[10].exact < 0.5, `at half flipped: ${JSON.stringify(acc.points[10])}`);
  const accPlot = decodePng(await page.locator('.el-hf-accuracy canvas').screenshot());
  assert.ok(near(accPlot, [89, 161, 79], 10) > 100, 'the exact-retrieval curve drawn');
  await page.locator('.el-hf-accuracy').screenshot({ path: path.join(SHOTS, 'hopfield-accuracy.png') });
  assert.deepEqual(errors, []);
  await page.close();

  // One stored pattern in the classical network comes back from any flips below one half:
  // the field xᵢ(x·σ − xᵢσᵢ)/d has the sign of xᵢ (tests/hopfield_views.rs).
  const one = await openPage(lab, '?exp=hopfield&seed=2&model=classical&patterns=random&count=1&side=8&corrupt=flip&amount=0.25');
  await ready(one.page);
  await settled(one.page);
  assert.match(await one.page.locator('.el-readout').innerText(), /0 signs changed from the query, 16 differ from the target/);
  const curveOne = one.page.evaluate(() => new Promise((resolve) => window.__lab.on('accuracy', resolve)));
  await one.page.locator('.el-hf-accuracy input[aria-label="queries per level"]').fill('6');
  await one.page.locator('.el-acc-run').click();
  const c1 = await curveOne;
  assert.ok(c1.points.slice(0, 10).every((p) => p.exact === 1 && p.wrong === 0), JSON.stringify(c1.points));
  await one.page.keyboard.press('.');
  await settled(one.page, 'window.__lab.state().info.steps === 1');
  assert.match(await one.page.locator('.el-readout').innerText(), /16 signs changed from the query, 0 differ from the target/);
  assert.deepEqual(one.errors, []);
  await one.page.close();
});

test('hopfield: bad input is clamped with notices, never a crash', async () => {
  const { page, errors } = await openPage(lab, '?exp=hopfield&model=nope&count=-3&beta=NaN&side=999&drawn=%25%25&patterns=drawn');
  await ready(page);
  await settled(page);
  const texts = await page.locator('.el-notice').allInnerTexts();
  assert.ok(texts.length >= 4, `notices: ${texts.join(' / ')}`);
  const q = await page.evaluate(() => window.__lab.state().query);
  assert.match(q, /side=64/);
  assert.deepEqual(errors, []);
  await page.close();
});
