// End-to-end: the dendrites bit view by hand (issue 16) in headless Chromium. Painting with the
// mouse changes the read-out and the URL and a reload gives the same pixels; the pair view draws
// x, y, AND and OR; the members view colours the input union by source; the neuron view draws
// its segments as branches; hovering names a cell and the wheel zooms. Pixels are read back from
// the GPU (the bit view) or from a screenshot (the neuron's SVG) and counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { startLab, openPage, SHOTS } from './browser.mjs';
import { decodePng } from './png.mjs';
import { simulatedPoints } from './csv.mjs';

let lab;
before(async () => { lab = await startLab(); });
after(async () => { await lab?.close(); });

const settled = (page, extra = 'true') =>
  page.waitForFunction(`(() => { const s = window.__lab && window.__lab.state(); return s && s.ready && s.clean && window.__lab.metrics.firstFrameMs !== null && (${extra}); })()`, null, { timeout: 30000 });

// Colours of src/dendrites/scene.rs (`colour`, `HUES`).
const C = {
  idle: [44, 50, 60], active: [170, 175, 185], synapse: [70, 120, 215], overlap: [250, 160, 40],
  xOnly: [70, 120, 215], yOnly: [90, 200, 100], miss: [235, 235, 240],
};
const HUES = [[70, 120, 215], [160, 100, 210], [60, 175, 175], [215, 100, 160], [120, 150, 60], [110, 110, 230], [40, 140, 110], [190, 130, 90]];

/** The bit view read back from the GPU at w×h: pixel counts per colour key and a hash. */
async function pixels(page, colours, w = 480, h = 320) {
  return page.evaluate(async ([w, h, colours]) => {
    const px = await window.__lab.readPixels(w, h);
    const counts = Object.fromEntries(Object.keys(colours).map((k) => [k, 0]));
    for (let i = 0; i < px.length; i += 4) {
      for (const [k, [r, g, b]] of Object.entries(colours)) if (px[i] === r && px[i + 1] === g && px[i + 2] === b) counts[k] += 1;
    }
    return { counts, hash: px.reduce((a, v, i) => (a + v * ((i % 251) + 1)) % 1000000007, 0) };
  }, [w, h, colours]);
}

/** Hover at (fx, fy), fractions of the canvas box; returns the tooltip text ('' when hidden). */
async function hoverText(page, fx, fy) {
  const box = await page.locator('canvas.el-canvas').boundingBox();
  await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height);
  return page.evaluate(() => { const t = document.querySelector('.el-cell-tip'); return t && !t.hidden ? t.textContent : ''; });
}

const info = (page) => page.evaluate(() => window.__lab.state().info);

test('dendrites by hand: painting the segment changes the read-out and the URL; the URL gives the same pixels', async () => {
  const { page, errors } = await openPage(lab, '?exp=dendrites&seed=3&view=paint&n=256&a=10&s=8&theta=4&brush=segment&fig=fn');
  await settled(page);
  const before = await info(page);
  assert.equal(before.synapses, 8);
  // Hover a cell: the tooltip names it and its role; clicking it toggles its synapse.
  const text = await hoverText(page, 0.3, 0.4);
  const m = /^cell (\d+): (.*)$/.exec(text);
  assert.ok(m, `hover names a cell: "${text}"`);
  const wasSynapse = m[2].includes('synapse');
  await page.mouse.down();
  await page.mouse.up();
  await settled(page, `window.__lab.state().info.synapses === ${before.synapses + (wasSynapse ? -1 : 1)}`);
  await page.waitForFunction(() => /[?&]ps=[A-Za-z0-9_-]+/.test(location.search));
  const again = await hoverText(page, 0.3, 0.4);
  assert.equal(again.includes('synapse'), !wasSynapse, `the role changed: "${again}"`);
  // Drag across the grid: each cell crossed toggles once.
  const box = await page.locator('canvas.el-canvas').boundingBox();
  const y = box.y + 0.62 * box.height;
  await page.mouse.move(box.x + 0.1 * box.width, y);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + (0.1 + 0.03 * i) * box.width, y);
  await page.mouse.up();
  await settled(page);
  const painted = await info(page);
  assert.notEqual(painted.synapses, before.synapses + (wasSynapse ? -1 : 1), 'the drag painted cells');
  // The drawn synapses are what the read-out says: every cell has the same whole-pixel area.
  const shot = await pixels(page, { idle: C.idle, active: C.active, synapse: C.synapse, overlap: C.overlap });
  const { idle, active, synapse, overlap } = shot.counts;
  const area = (idle + active + synapse + overlap) / 256;
  assert.ok(Number.isInteger(area) && area > 0, `one area per cell (${JSON.stringify(shot.counts)})`);
  assert.equal((synapse + overlap) / area, painted.synapses);
  assert.equal(overlap / area, painted.overlap);
  await page.screenshot({ path: path.join(SHOTS, 'dendrites-paint.png'), fullPage: true });
  // Reopening the URL gives the same pixels.
  // The URL is updated at most four times a second: wait for the painted set to reach it.
  await page.waitForFunction(() => new URLSearchParams(location.search).get('ps') === new URLSearchParams(window.__lab.state().query).get('ps'));
  const url = page.url();
  const second = await openPage(lab, url.slice(lab.base.length));
  await settled(second.page);
  assert.equal((await info(second.page)).synapses, painted.synapses);
  assert.equal((await pixels(second.page, { idle: C.idle })).hash, shot.hash, 'the URL reproduces the painted view');
  assert.deepEqual(errors, []);
  assert.deepEqual(second.errors, []);
  await page.close();
  await second.page.close();
});

test('dendrites by hand: two SDRs side by side with AND and OR', async () => {
  const { page, errors } = await openPage(lab, '?exp=dendrites&seed=7&view=pair&n=100&a=20&theta=3&fig=fn');
  await settled(page);
  const i = await info(page);
  const shot = await pixels(page, { x: C.xOnly, y: C.yOnly, both: C.overlap, idle: C.idle });
  const { x, y, both, idle } = shot.counts;
  // Four panels of 100 cells, 40 cells lit in x and y, overlap·2 in AND and OR.
  const area = (x + y + both + idle) / 400;
  assert.ok(Number.isInteger(area) && area > 0, JSON.stringify(shot.counts));
  assert.equal(both / area, 2 * i.overlap, 'x AND y is drawn twice: in the AND and the OR panel');
  assert.equal(x / area, 20 + (20 - i.overlap), 'x alone and x-only cells of the OR panel');
  assert.equal(y / area, 20 + (20 - i.overlap));
  assert.equal(i.union_cells, 40 - i.overlap);
  const readout = await page.locator('.el-readout').textContent();
  assert.match(readout, new RegExp(`x AND y: ${i.overlap} · x OR y: ${40 - i.overlap}`));
  await page.screenshot({ path: path.join(SHOTS, 'dendrites-pair.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('dendrites by hand: the input union is coloured by source and tested by random segments (E7)', async () => {
  const { page, errors } = await openPage(lab, '?exp=dendrites&seed=9&view=members&n=400&a=20&s=10&theta=5&m=3&fig=uin');
  await settled(page);
  const i = await info(page);
  const colours = { miss: C.miss, hit: C.overlap, idle: C.idle };
  HUES.slice(0, 3).forEach((h, k) => { colours[`p${k}`] = h; });
  const shot = await pixels(page, colours);
  const c = shot.counts;
  const area = (c.miss + c.hit + c.idle + c.p0 + c.p1 + c.p2) / 400;
  assert.ok(Number.isInteger(area) && area > 0, JSON.stringify(c));
  assert.ok(c.p0 > 0 && c.p1 > 0 && c.p2 > 0, 'three sources, three colours');
  assert.equal((c.p0 + c.p1 + c.p2 + c.hit) / area, i.union_cells);
  assert.equal(c.hit / area, i.overlap);
  assert.equal((c.hit + c.miss) / area, 10);
  await page.screenshot({ path: path.join(SHOTS, 'dendrites-members.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('dendrites by hand: the neuron view draws its segments as branches, the firing one lit', async () => {
  // n = 64, a = 16, s = 8, θ = 4: a segment fires with probability about 0.12, so within a few
  // samples some segment fires and some do not; step until a sample shows both.
  const { page, errors } = await openPage(lab, '?exp=dendrites&seed=2&view=neuron&n=64&a=16&s=8&theta=4&k=6&fig=neuron');
  await settled(page);
  let fired = false;
  for (let step = 0; step < 40 && !fired; step++) {
    const branches = await page.evaluate(() => document.querySelectorAll('.el-neuron .el-fired').length);
    fired = (await info(page)).matched && branches > 0 && branches < 6;
    if (!fired) { await page.keyboard.press('.'); await settled(page, `window.__lab.state().info.samples === ${step + 2}`); }
  }
  assert.ok(fired, 'some sample fires some segments but not all');
  const svg = page.locator('.el-neuron svg');
  await svg.waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.el-neuron .el-branch').length === 6);
  const firedBranches = await page.locator('.el-neuron .el-fired').count();
  assert.ok(firedBranches >= 1);
  // Pixels: the lit branch and soma are yellow (#ffd54a), the others blue.
  const img = decodePng(await svg.screenshot({ path: path.join(SHOTS, 'dendrites-neuron.png') }));
  // The SVG is 900 units wide: the soma ends at x = 76, the branches run from there to
  // 160 + 8·11 (8 synapses), their labels follow. Count yellow in the soma and, separately,
  // along the branches (not the labels), so a lit soma cannot stand in for a lit branch.
  // The picture keeps its aspect ratio, centred (SVG's default xMidYMid meet).
  const box = await svg.evaluate((e) => ({ w: e.viewBox.baseVal.width, h: e.viewBox.baseVal.height }));
  const scale = Math.min(img.width / box.w, img.height / box.h);
  const left = (img.width - box.w * scale) / 2;
  let soma = 0, branch = 0, blue = 0;
  for (let p = 0; p < img.data.length; p += 4) {
    const x = ((p / 4) % img.width - left);
    const [r, g, b] = [img.data[p], img.data[p + 1], img.data[p + 2]];
    const yellow = Math.abs(r - 255) < 20 && Math.abs(g - 213) < 20 && Math.abs(b - 74) < 30;
    if (yellow && x < 80 * scale) soma += 1;
    if (yellow && x > 80 * scale && x < 250 * scale) branch += 1;
    if (Math.abs(r - 70) < 20 && Math.abs(g - 120) < 20 && Math.abs(b - 215) < 20) blue += 1;
  }
  assert.ok(soma > 500, `the firing soma is drawn (${soma} yellow pixels)`);
  assert.ok(branch > 150, `the firing branch is lit (${branch} yellow pixels along the branches)`);
  assert.ok(blue > 200, `the quiet branches are drawn (${blue} blue pixels)`);
  const caption = await page.locator('.el-neuron .el-help').textContent();
  assert.match(caption, /E4/);
  // Another view hides the neuron.
  await page.evaluate(() => window.__lab.setParams({ view: 'match' }));
  await page.waitForFunction(() => document.querySelector('.el-neuron').hidden);
  assert.deepEqual(errors, []);
  await page.close();
});

test('dendrites by hand: hover names cells among 65,536 and the wheel zooms around the pointer', async () => {
  const { page, errors } = await openPage(lab, '?exp=dendrites&seed=1&view=match&n=65536&a=40&s=20&theta=10&fig=fn');
  await settled(page);
  assert.equal((await info(page)).drawn, 65536);
  const text = await hoverText(page, 0.4, 0.5);
  const cell = Number(/^cell (\d+)/.exec(text)?.[1]);
  assert.ok(cell >= 0 && cell < 65536, `hover: "${text}"`);
  // Three wheel notches in: zoom 8, a window of 8,192 cells holding the hovered cell.
  for (let k = 0; k < 3; k++) {
    await page.mouse.wheel(0, -100);
    await settled(page, `window.__lab.state().info.drawn === ${65536 / 2 ** (k + 1)}`);
  }
  await page.waitForFunction(() => /[?&]zoom=8(&|$)/.test(location.search));
  const zoomed = await info(page);
  assert.ok(zoomed.window_start <= cell && cell < zoomed.window_start + zoomed.drawn, `cell ${cell} in [${zoomed.window_start}, +${zoomed.drawn})`);
  // Hovering now names cells of the window, and the picture has the window's cells: at 1/8 of
  // the cells each is drawn about 8 times larger.
  const inside = Number(/^cell (\d+)/.exec(await hoverText(page, 0.4, 0.5))?.[1]);
  assert.ok(inside >= zoomed.window_start && inside < zoomed.window_start + zoomed.drawn);
  const readout = await page.locator('.el-readout').textContent();
  assert.match(readout, new RegExp(`showing cells ${zoomed.window_start}–${zoomed.window_start + zoomed.drawn - 1} of 65536`));
  await page.screenshot({ path: path.join(SHOTS, 'dendrites-zoom.png') });
  // Wheel out to the end: zoom 1 again.
  for (let k = 0; k < 3; k++) { await page.mouse.wheel(0, 100); await settled(page); }
  assert.equal((await info(page)).drawn, 65536);
  assert.deepEqual(errors, []);
  await page.close();
});

test('dendrites simulation: progress moves, cancel stops the run and keeps the page usable, and the CSV and JSON exports carry every point', async () => {
  // F-noise at a = 128, s = 30, θ = 12: 16 noise levels, the ones with v ≤ s − θ = 18 exactly
  // impossible; 5·10⁷ vectors per plain point make a run of many seconds.
  const { page, errors } = await openPage(lab, '?exp=dendrites&seed=4&fig=noise&n=6000&a=128&s=30&theta=12&v=20&trials=50000000');
  await settled(page);
  await page.locator('.el-sim-run').waitFor();
  const fig = await page.evaluate(() => window.__lab.figure());
  const points = fig.simulate.length;
  assert.ok(points >= 8, `${points} points`);
  await page.locator('.el-sim-run').click();
  // Progress moves while the worker runs, and the Cancel button is live.
  await page.waitForFunction(() => Number(document.querySelector('.el-sim-progress').value) > 0.01, null, { timeout: 60000 });
  const midway = await page.evaluate(() => Number(document.querySelector('.el-sim-progress').value));
  assert.ok(midway < 1, `progress ${midway} is partial`);
  assert.equal(await page.locator('.el-sim-run').isDisabled(), true, 'one run at a time');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForFunction(() => document.querySelector('.el-sim-status').textContent === 'cancelled');
  const after = await page.evaluate(() => Number(document.querySelector('.el-sim-progress').value));
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => Number(document.querySelector('.el-sim-progress').value)), after, 'the bar stops: the worker is gone');
  assert.equal(await page.locator('.el-sim-run').isDisabled(), false, 'a new run can start');
  const partial = await page.locator('.el-sim-results tr').count();
  assert.ok(partial - 1 < points, `cancelled before the end (${partial - 1} of ${points} points)`);
  // The page still steps after a cancelled run.
  await page.keyboard.press('.');
  await settled(page, 'window.__lab.state().info.samples === 2');

  // A short run to the end; then both exports hold every point with its theory.
  await page.evaluate(() => window.__lab.setParams({ trials: 20000 }));
  await settled(page);
  await page.locator('.el-sim-run').click();
  await page.waitForFunction(() => /points in/.test(document.querySelector('.el-sim-status').textContent), null, { timeout: 120000 });
  assert.equal(await page.evaluate(() => Number(document.querySelector('.el-sim-progress').value)), 1);
  const [csvFile] = await Promise.all([page.waitForEvent('download'), page.locator('.el-figure .el-exports').getByRole('button', { name: 'CSV', exact: true }).click()]);
  const rows = simulatedPoints(fs.readFileSync(await csvFile.path(), 'utf8'));
  assert.equal(rows.length, points, 'one CSV row per simulated point');
  for (const point of rows) {
    const { x, theory, p, se, hits, trials, method, ess } = point;
    const row = JSON.stringify(point);
    const request = fig.simulate.find((q) => Math.abs(q.x - Number(x)) < 1e-12);
    assert.ok(request, `row ${row}: its request`);
    assert.equal(Number(theory), request.theory, `row ${row}: the theory value`);
    assert.equal(method, request.importance ? 'importance' : 'monte-carlo');
    assert.ok(Number(trials) > 0 && Number(hits) <= Number(trials));
    if (request.importance) assert.ok(Number(ess) > 0, `row ${row}: importance rows carry their ESS`);
    // A point with spread (some hits and some misses, or weighted hits) has a positive SE and
    // lies within 4.5 SE of the theory; one with none passes only by the rule of three.
    const [h, n] = [Number(hits), Number(trials)];
    if (h > 0 && (h < n || request.importance)) {
      assert.ok(Number(se) > 0 && Math.abs(Number(p) - request.theory) <= 4.5 * Number(se), `row ${row}: within 4.5 SE`);
    } else {
      assert.ok(h === 0 ? n * request.theory <= 3 : n * (1 - request.theory) <= 3, `row ${row}: rule of three`);
    }
  }
  const [jsonFile] = await Promise.all([page.waitForEvent('download'), page.locator('.el-figure .el-exports').getByRole('button', { name: 'JSON', exact: true }).click()]);
  const json = JSON.parse(fs.readFileSync(await jsonFile.path(), 'utf8'));
  assert.equal(json.figure.id, 'noise');
  assert.equal(json.simulation.length, points);
  assert.ok(json.query.includes('fig=noise') && json.query.includes('trials=20000'));
  for (const { request, estimate } of json.simulation) {
    assert.ok(estimate.trials > 0 && Number.isFinite(estimate.log10_p), JSON.stringify(estimate));
    assert.ok(typeof request.theory === 'number' || Number.isFinite(request.theory_log10));
  }
  assert.deepEqual(errors, []);
  await page.close();
});
