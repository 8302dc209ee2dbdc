// End-to-end: the lab recovers from what the browser can take away. A lost WebGPU device (the
// test destroys it, as a driver reset would) is replaced and the picture drawn again, with the
// experiment's state and step kept; the modern Hopfield update that ran on that device falls back
// to the page's thread with a notice. A worker whose module cannot load fails with a notice and
// the same job runs again once it can.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import zlib from 'node:zlib';
import { startLab, openPage, SHOTS } from './browser.mjs';

let lab;
before(async () => { lab = await startLab(); });
after(async () => { await lab?.close(); });

const ready = (page) =>
  page.waitForFunction(() => { const h = window.__lab; return h && h.state().ready && h.metrics.firstFrameMs !== null; }, null, { timeout: 30000 });
const settled = (page, position) =>
  page.waitForFunction((p) => { const s = window.__lab.state(); return s.ready && !s.busy && s.clean && s.position === p; }, position, { timeout: 60000 });
const pixels = (page) => page.evaluate(async () => Array.from(await window.__lab.readPixels(160, 100)));
const notices = (page) => page.locator('.el-notice').allTextContents();

/** Destroy the page's GPU device and wait until the page says it drew again on a new one. */
async function loseAndRecover(page) {
  await page.evaluate(() => { window.__restored = null; window.__lab.on('gpu-restored', (e) => { window.__restored = e; }); });
  await page.evaluate(() => window.__lab.simulateGpuLoss());
  const event = await (await page.waitForFunction(() => window.__restored, null, { timeout: 20000 })).jsonValue();
  // The frame after the recovery is drawn from the kept state.
  await page.waitForFunction(() => window.__lab.state().clean);
  return event;
}

test('device lost (sorting): a new device, the same picture, the same step, and the run goes on', async () => {
  const { page, errors } = await openPage(lab, '?exp=sorting&seed=5&n=40&step=5&backend=webgpu');
  await ready(page);
  await settled(page, 5);
  const before = { state: await page.evaluate(() => window.__lab.state().query), picture: await pixels(page) };
  const event = await loseAndRecover(page);
  assert.equal(event.backend, 'webgpu');
  assert.equal(event.recoveries, 1);
  const state = await page.evaluate(() => window.__lab.state());
  assert.equal(state.position, 5, 'the step is kept');
  assert.equal(state.query, before.state, 'the state is kept');
  assert.deepEqual(await pixels(page), before.picture, 'the new device draws the same picture');
  assert.ok((await notices(page)).some((t) => t.includes('drawing resumed on a new device') && t.includes('swap 5')), (await notices(page)).join(' / '));
  assert.match(await page.locator('.el-badge').textContent(), /WebGPU/);
  await page.screenshot({ path: path.join(SHOTS, 'device-lost-sorting.png') });
  await page.evaluate(() => window.__lab.step());
  await settled(page, 6);
  assert.notDeepEqual(await pixels(page), before.picture, 'the next swap is drawn');
  assert.deepEqual(errors, []);
  await page.close();
});

test('device lost (hopfield, compute=gpu): the stage and its extra pictures are drawn again; the modern update falls back to the CPU with a notice', async () => {
  const query = '?exp=hopfield&seed=8&side=16&count=6&model=modern&beta=0.3&corrupt=flip&amount=0.3&backend=webgpu';
  // The same steps on the page's thread, for the energies.
  const cpuPage = await openPage(lab, query);
  await ready(cpuPage.page);
  const cpu = await cpuPage.page.evaluate(async () => {
    for (let i = 0; i < 3; i++) await window.__lab.step();
    return window.__lab.state().readout.energy;
  });
  await cpuPage.page.close();

  const { page, errors } = await openPage(lab, `${query}&compute=gpu`);
  await ready(page);
  for (let i = 0; i < 2; i++) await page.evaluate(() => window.__lab.step());
  assert.equal(await page.evaluate(() => window.__lab.metrics.gpuSteps), 2, 'two steps on the GPU before the loss');
  const before = await pixels(page);
  const beforeState = await page.evaluate(() => window.__lab.state());
  await loseAndRecover(page);
  const after = await page.evaluate(() => window.__lab.state());
  assert.equal(after.position, beforeState.position, 'the step is kept');
  assert.deepEqual(await pixels(page), before, 'the stage is drawn again, the same');
  // The stored patterns' view was made again on the new device and draws.
  await page.waitForFunction(() => document.querySelector('.el-patterns-canvas')?.width > 0);
  // The next modern step: the GPU path was on the lost device; the page's thread computes it.
  await page.evaluate(() => window.__lab.step());
  const texts = await notices(page);
  assert.equal(texts.filter((t) => t.includes('compute: the GPU cannot run the modern update')).length, 1, texts.join(' / '));
  assert.equal(await page.evaluate(() => window.__lab.metrics.gpuSteps), 2, 'no GPU step after the loss');
  const state = await page.evaluate(() => window.__lab.state());
  assert.equal(state.position, beforeState.position + 1, 'the step was taken on the CPU');
  // Two GPU steps then a CPU one against three CPU steps: float32 on both, summed in different
  // orders (the bound of hopfield.test.mjs's GPU-against-CPU comparison).
  assert.ok(Math.abs(state.readout.energy - cpu) <= 1e-3 * Math.max(1, Math.abs(cpu)), `energy ${state.readout.energy} against ${cpu}`);
  assert.ok(!texts.some((t) => t.includes('could not get the GPU')), 'the extra pictures got the new device');
  await page.screenshot({ path: path.join(SHOTS, 'device-lost-hopfield.png'), fullPage: false });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a worker whose module cannot load: a notice, the page keeps working, and the job runs again', async () => {
  const { page, errors } = await openPage(lab, '?exp=sorting&seed=2&n=60');
  await ready(page);
  // From now on the worker's copy of the wasm arrives corrupted (the page's own copy is loaded).
  const corrupt = (route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from('not wasm at all') });
  await page.route(/emergence_lab_bg\.wasm/, corrupt);
  const failed = await page.evaluate(() => window.__lab.runJob('batch', { query: window.__lab.state().query, runs: 5 }).then(() => 'resolved', (e) => e.message));
  assert.notEqual(failed, 'resolved');
  assert.ok(failed.length > 0, 'the failure is a sentence');
  // The batch panel says so and gives its button back.
  await page.fill('#el-runs', '5');
  await page.click('.el-batch-run');
  await page.waitForFunction(() => [...document.querySelectorAll('.el-notice')].some((n) => /worker|wasm|WebAssembly/i.test(n.textContent)) || /fail|error/i.test(document.querySelector('.el-batch-result')?.textContent ?? ''));
  await page.waitForFunction(() => document.querySelector('.el-batch-run').disabled === false);
  // The page itself still steps.
  await page.evaluate(() => window.__lab.step());
  await settled(page, 1);
  // The download works again: the same job completes.
  await page.unroute(/emergence_lab_bg\.wasm/, corrupt);
  // A job for another build's experiment is answered with a sentence, never sent to the wrong handle.
  const foreign = await page.evaluate(() => window.__lab.runJob('dendrites-sim', { requests: [], seed: '1', trials: 10 }).then(() => 'resolved', (e) => e.message));
  assert.match(foreign, /the job "dendrites-sim" needs DendritesSimulation, which the webgpu-sorting build does not carry/);
  const summary = await page.evaluate(() => window.__lab.runJob('batch', { query: window.__lab.state().query, runs: 5 }));
  assert.equal(summary.summary.runs, 5);
  assert.deepEqual(errors.filter((e) => !/WebAssembly|wasm|magic/i.test(e)), [], 'no error beyond the broken download itself');
  await page.close();
});

/** A grey PNG (8-bit, one channel) whose pixel (x, y) is grey(x, y). */
function png(width, height, grey = () => 0) {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height && width * height < 1e6; y++) for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = grey(x, y);
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // depth; colour type 0 (grey), no interlace
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

test('imports: any bytes, empty, text, truncated, huge and oversized files give a notice naming the file (as text) and change nothing; a good image imports', async () => {
  const { page, errors } = await openPage(lab, '?exp=hopfield&seed=4&side=16&count=3&model=classical');
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await ready(page);
  const input = page.locator('input[aria-label="import an image"]');
  const pad = () => page.evaluate(() => document.querySelector('canvas.el-draw-pad').toDataURL());
  const before = { pad: await pad(), query: await page.evaluate(() => window.__lab.state().query) };
  const good = png(32, 32, (x) => (x < 16 ? 0 : 255));
  const bad = [
    { name: '<img src=x onerror="window.__pwned=1">.png', mimeType: 'image/png', buffer: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)) },
    { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image <b>bold</b>') },
    { name: 'truncated.png', mimeType: 'image/png', buffer: good.subarray(0, 60) },
    { name: 'huge.png', mimeType: 'image/png', buffer: png(9000, 9000) },
    { name: 'oversized.png', mimeType: 'image/png', buffer: Buffer.alloc(33 * 2 ** 20) },
  ];
  for (const [i, file] of bad.entries()) {
    await input.setInputFiles(file);
    await page.waitForFunction((n) => document.querySelectorAll('.el-notice').length >= n, i + 1, { timeout: 30000 });
    const texts = await notices(page);
    const last = texts[texts.length - 1];
    assert.ok(last.includes(`The image "${file.name}" was not imported`) && last.includes('The drawing is unchanged'), last);
    assert.equal(await pad(), before.pad, `${file.name}: the pad is unchanged`);
    assert.equal(await page.evaluate(() => window.__lab.state().query), before.query, `${file.name}: the state is unchanged`);
  }
  assert.match((await notices(page)).join('\n'), /huge\.png" was not imported: 9000×9000 pixels are more than 64 million/);
  assert.match((await notices(page)).join('\n'), /oversized\.png" was not imported: it has 33\.0 MiB/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'the markup in the file name never ran');
  assert.equal(await page.locator('.el-notice img').count(), 0, 'the file name is text, not markup');
  // A good image changes the pad (so the checks above could see a change).
  await input.setInputFiles({ name: 'half.png', mimeType: 'image/png', buffer: good });
  await page.waitForFunction((old) => document.querySelector('canvas.el-draw-pad').toDataURL() !== old, before.pad);
  assert.equal((await notices(page)).length, bad.length, 'no notice for the good image');
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await page.close();
});
