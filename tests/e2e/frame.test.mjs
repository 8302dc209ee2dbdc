// End-to-end: the one lab frame (www/shell.js) behaves the same for every experiment. One table,
// the same checks on all three: autoplay plays, controls= limits the transport and the controls,
// seed and step reproduce the picture, an unknown job kind gives a clear error, bad values give
// notices; then every scenario of the registry opens by URL and keeps its narrative's promise; and
// the share/embed builder's three snippets work when pasted into a plain page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startLab, openPage, SHOTS, ROOT } from './browser.mjs';

let lab;
before(async () => { lab = await startLab(); });
after(async () => { await lab?.close(); });

const ready = (page, handle = 'window.__lab') =>
  page.waitForFunction(`(() => { const h = ${handle}; return h && h.state().ready && h.metrics.firstFrameMs !== null; })()`, null, { timeout: 30000 });
const settled = (page, extra = 'true') =>
  page.waitForFunction(`(() => { const s = window.__lab.state(); return s.ready && !s.busy && s.clean && (${extra}); })()`, null, { timeout: 60000 });
const pixels = (page, w = 160, h = 100) => page.evaluate(async ([w, h]) => Array.from(await window.__lab.readPixels(w, h)), [w, h]);

// One row per experiment: a parameter its embed can list, a step that exists in every run of the
// query, and the build its page loads.
const EXPERIMENTS = [
  { id: 'sorting', key: 'n', query: 'seed=5&n=40', step: 5 },
  { id: 'dendrites', key: 'theta', query: 'seed=5&n=1024&a=64&s=24&theta=8', step: 5 },
  { id: 'hopfield', key: 'model', query: 'seed=5&model=classical&patterns=random&count=3&side=16&corrupt=flip&amount=0.3', step: 1 },
];

for (const x of EXPERIMENTS) {
  test(`${x.id}: autoplay=true plays`, async () => {
    const { page, errors } = await openPage(lab, `?exp=${x.id}&${x.query}&autoplay=true`);
    await ready(page);
    await page.waitForFunction(() => window.__lab.state().position > 0, null, { timeout: 15000 });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`${x.id}: controls= limits the transport and the controls`, async () => {
    const { page, errors } = await openPage(lab, `embed.html?exp=${x.id}&${x.query}&controls=play,step,${x.key}`);
    await ready(page);
    assert.equal(await page.locator('button.el-play').count(), 1);
    assert.equal(await page.locator('button.el-step').count(), 1);
    assert.equal(await page.locator('button.el-reset').count(), 0);
    assert.equal(await page.locator('button.el-back').count(), 0);
    assert.equal(await page.locator('button.el-share').count(), 0);
    assert.equal(await page.locator(`.el-params [data-key="${x.key}"]`).count(), 1);
    assert.equal(await page.locator('.el-params [data-key]').count(), 1, 'no other parameter');
    assert.equal(await page.locator('.el-scenarios').isVisible(), false, 'no scenario chips');
    await page.locator('button.el-step').click();
    await page.waitForFunction(() => window.__lab.state().position === 1);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`${x.id}: seed and step reproduce the picture; step back is exact`, async () => {
    const url = `?exp=${x.id}&${x.query}&step=${x.step}`;
    const a = await openPage(lab, url);
    await ready(a.page);
    await settled(a.page, `window.__lab.state().position === ${x.step}`);
    const first = await pixels(a.page);
    const b = await openPage(lab, url);
    await ready(b.page);
    await settled(b.page, `window.__lab.state().position === ${x.step}`);
    assert.deepEqual(await pixels(b.page), first, 'the same URL draws the same pixels');
    // Back one step and forward again: the same picture.
    await b.page.evaluate(() => window.__lab.back());
    await settled(b.page, `window.__lab.state().position === ${x.step - 1}`);
    const previous = await pixels(b.page);
    assert.notDeepEqual(previous, first, 'a step changes the picture');
    await b.page.evaluate(() => window.__lab.step());
    await settled(b.page, `window.__lab.state().position === ${x.step}`);
    assert.deepEqual(await pixels(b.page), first, 'step back then forward gives the same pixels');
    // A different seed gives a different picture.
    const c = await openPage(lab, url.replace('seed=5', 'seed=6'));
    await ready(c.page);
    await settled(c.page, `window.__lab.state().position === ${x.step}`);
    assert.notDeepEqual(await pixels(c.page), first, 'another seed, another picture');
    assert.deepEqual([...a.errors, ...b.errors, ...c.errors], []);
    for (const p of [a, b, c]) await p.page.close();
  });

  test(`${x.id}: an unknown job kind gives a clear error and the page keeps working`, async () => {
    const { page, errors } = await openPage(lab, `?exp=${x.id}&${x.query}`);
    await ready(page);
    const unknown = await page.evaluate(() => window.__lab.runJob('nope').then(() => 'resolved', (e) => e.message));
    assert.match(unknown, /unknown job kind "nope"; this worker runs batch, /);
    if (x.id !== 'sorting') {
      const other = await page.evaluate(() => window.__lab.runJob('batch', { query: '', runs: 1 }).then(() => 'resolved', (e) => e.message));
      assert.match(other, new RegExp(`the job "batch" needs SortingBatch, which the webgpu-${x.id} build does not carry`));
    }
    await page.evaluate(() => window.__lab.step());
    await settled(page, 'window.__lab.state().position === 1');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`${x.id}: bad values give notices and a working lab`, async () => {
    const { page, errors } = await openPage(lab, `?exp=${x.id}&seed=abc&nope=1&speed=NaN&scenario=zzz&${x.key}=%FF`);
    await ready(page);
    const texts = (await page.locator('.el-notice').allInnerTexts()).join(' | ');
    for (const needle of ['"abc"', 'unknown parameter "nope"', 'speed', 'no scenario "zzz"', x.key]) assert.ok(texts.includes(needle), `${needle} in: ${texts}`);
    await page.evaluate(() => window.__lab.step());
    await settled(page, 'window.__lab.state().position === 1');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`${x.id}: every scenario opens by URL, tells its story and keeps its promise`, async () => {
    const { page, errors } = await openPage(lab, `?exp=${x.id}`);
    await ready(page);
    const scenarios = await page.evaluate(() => window.__lab.scenarios());
    assert.ok(scenarios.length >= 6, `${scenarios.length} scenarios`);
    const chips = await page.locator('.el-chip').allInnerTexts();
    assert.deepEqual(chips, scenarios.map((s) => s.title), 'one chip per scenario, in order');
    await page.close();
    for (const s of scenarios) {
      const { page: p, errors: e } = await openPage(lab, `?exp=${x.id}&scenario=${s.id}`);
      await ready(p);
      assert.equal(await p.locator('.el-narrative-title').innerText(), s.title);
      assert.ok((await p.locator('.el-narrative').innerText()).includes(s.narrative.slice(0, 40)), 'the narrative is shown');
      assert.equal(await p.locator(`.el-chip[data-scenario="${s.id}"]`).getAttribute('aria-pressed'), 'true');
      // When the promise holds, counted as the read-out counts (sample 1 is position 0).
      const when = { 'why-sparse': 'after 2,000 samples)', 'modern-one-step': 'after 1 step)', 'cells-sort': 'at the end of the run)' }[s.id];
      if (when) assert.ok((await p.locator('.el-watch-range').innerText()).endsWith(when), `${s.id}: ${when}`);
      const state = await p.evaluate(() => window.__lab.state());
      assert.equal(state.scenario, s.id);
      for (const pair of s.query.split('&').filter((kv) => !kv.startsWith('exp=') && !kv.startsWith('scenario='))) assert.ok(state.query.includes(pair), `${pair} in ${state.query}`);
      // Run it to the point the promise is about: the end of the run, or the given step.
      const target = s.watch.until.until === 'done' ? 1e9 : s.watch.until.steps;
      await p.evaluate((t) => window.__lab.seek(t), target);
      await p.waitForFunction((t) => { const st = window.__lab.state(); return !st.busy && (st.done || st.position === t); }, target, { timeout: 120000 });
      await p.waitForTimeout(500);
      const shown = Number(await p.locator('.el-watch-value').getAttribute('data-value'));
      assert.ok(shown >= s.watch.min && shown <= s.watch.max, `${s.id}: ${s.watch.label} = ${shown}, promised ${s.watch.min}…${s.watch.max}`);
      if (s === scenarios[0]) await p.screenshot({ path: path.join(SHOTS, `scenario-${x.id}-${s.id}.png`) });
      assert.deepEqual(e, []);
      await p.close();
    }
    assert.deepEqual(errors, []);
  });
}

test('a scenario chip opens the scenario in place (and the URL follows)', async () => {
  const { page, errors } = await openPage(lab, '?exp=sorting&seed=9&n=30');
  await ready(page);
  await page.locator('.el-chip[data-scenario="chimeras-cluster"]').click();
  await page.waitForFunction(() => /scenario=chimeras-cluster/.test(location.search) && /selection=50/.test(location.search));
  assert.match(await page.locator('.el-narrative').innerText(), /Chimeras cluster/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the first view shows the essential controls of the chosen model; advanced ones are one click away', async () => {
  const { page, errors } = await openPage(lab, '?exp=hopfield&model=classical');
  await ready(page);
  const visible = async () => page.locator('.el-params [data-field]:visible').evaluateAll((fs) => fs.map((f) => f.dataset.field));
  const first = await visible();
  assert.deepEqual(first.sort(), ['corrupt', 'count', 'model', 'patterns'].sort(), `essential controls of the classical model: ${first}`);
  for (const key of ['beta', 'order', 'rectified', 'scaling', 'compute', 'flip', 'dilution', 'temperature', 'tie']) assert.ok(!first.includes(key), `${key} is hidden`);
  await page.evaluate(() => window.__lab.setParams({ model: 'modern' }));
  await page.waitForFunction(() => document.querySelector('.el-params [data-field="beta"]')?.checkVisibility());
  assert.ok(!(await visible()).includes('tie'), 'the tie rule does not apply to the modern model');
  await page.locator('.el-more').click();
  const all = await visible();
  for (const key of ['scaling', 'compute', 'seed']) assert.ok(all.includes(key), `${key} is one click away`);
  assert.ok(!all.includes('order') && !all.includes('tie'), 'irrelevant ones stay hidden');
  // Help on demand, from the keyboard.
  await page.locator('.el-params [data-field="beta"] .el-info').focus();
  await page.keyboard.press('Enter');
  assert.match(await page.locator('.el-params [data-field="beta"] .el-help').innerText(), /inverse temperature/);
  // Hidden values stay in the URL.
  assert.match(await page.evaluate(() => window.__lab.state().query), /order=3&rectified=0/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('first views at 1280 and 390 px: the picture is above the fold', async () => {
  for (const id of ['sorting', 'dendrites', 'hopfield']) {
    for (const width of [1280, 390]) {
      const { page, errors } = await openPage(lab, `?exp=${id}`);
      await page.setViewportSize({ width, height: width > 500 ? 800 : 844 });
      await ready(page);
      await page.waitForTimeout(300);
      const box = await page.locator('canvas.el-canvas').first().boundingBox();
      const viewport = page.viewportSize();
      assert.ok(box.y + box.height <= viewport.height, `${id} at ${width}: the picture ends at ${box.y + box.height} of ${viewport.height}`);
      await page.screenshot({ path: path.join(SHOTS, `first-view-${id}-${width}.png`) });
      assert.deepEqual(errors, []);
      await page.close();
    }
  }
});

test('the share/embed builder: link, iframe and element snippets each show the lab with the chosen controls', async () => {
  const { page, errors } = await openPage(lab, '?exp=dendrites&seed=4&n=1024&a=32&s=24&theta=8&view=match');
  await ready(page);
  await page.locator('button.el-share').click();
  for (const box of await page.locator('.el-share-controls input').all()) await box.setChecked(false);
  for (const name of ['play', 'step', 'theta']) await page.locator(`.el-share-controls input[value="${name}"]`).check();
  await page.locator('.el-share-autoplay').check();
  const snippet = async (kind) => page.locator(`.el-snippet-${kind}`).inputValue();
  const link = await snippet('link'), iframe = await snippet('iframe'), element = await snippet('element');
  assert.match(link, /controls=play,step,theta/);
  await page.locator('.el-share-panel').screenshot({ path: path.join(SHOTS, 'embed-builder.png') });

  const check = async (frame, label) => {
    await frame.waitForFunction(() => { const h = window.__lab ?? document.querySelector('emergence-lab')?.handle; return h && h.state().ready && h.state().position > 0; }, null, { timeout: 30000 });
    assert.equal(await frame.locator('button.el-play').count(), 1, `${label}: play`);
    assert.equal(await frame.locator('button.el-reset').count(), 0, `${label}: no reset`);
    assert.equal(await frame.locator('.el-params [data-key="theta"]').count(), 1, `${label}: θ`);
    assert.equal(await frame.locator('.el-params [data-key="n"]').count(), 0, `${label}: no n`);
    const q = await frame.evaluate(() => (window.__lab ?? document.querySelector('emergence-lab').handle).state().query);
    assert.match(q, /seed=4&/, `${label}: the state travels`);
    assert.match(q, /n=1024&a=32&s=24&theta=8/, `${label}: the parameters travel`);
  };
  // The link opens the full lab with the chosen controls.
  const viaLink = await openPage(lab, link.slice(lab.base.length));
  await check(viaLink.page, 'link');
  // The two embed snippets, pasted into a plain page.
  const written = [];
  for (const [name, html] of [['iframe', iframe], ['element', element]]) {
    const file = `pasted-${name}.html`;
    fs.writeFileSync(path.join(ROOT, 'dist', file), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>course page</title></head><body><h1>Week 5</h1>\n${html}\n</body></html>`);
    written.push(file);
    const { page: p, errors: e } = await openPage(lab, file);
    const frame = name === 'iframe' ? await (await p.waitForSelector('iframe')).contentFrame() : p;
    await check(frame, name);
    await p.screenshot({ path: path.join(SHOTS, `pasted-${name}.png`) });
    assert.deepEqual(e, [], `${name}: no errors`);
    await p.close();
  }
  for (const f of written) fs.rmSync(path.join(ROOT, 'dist', f));
  assert.deepEqual([...errors, ...viaLink.errors], []);
  await page.close();
  await viaLink.page.close();
});

test('scenario= opens a scenario from the element attribute and from mount()', async () => {
  const { page, errors } = await openPage(lab, 'embed-demo.html');
  const state = await page.evaluate(async () => {
    const { mount } = await import('./lab.js');
    const host = document.createElement('div');
    host.style.height = '400px';
    document.body.prepend(host);
    const viaMount = mount(host, { query: 'exp=hopfield', chrome: false, scenario: 'modern-one-step' });
    await viaMount.ready;
    const element = document.createElement('emergence-lab');
    element.setAttribute('experiment', 'dendrites');
    element.setAttribute('scenario', 'unions');
    element.setAttribute('narrative', '0');
    element.style.height = '400px';
    element.style.display = 'block';
    document.body.prepend(element);
    await new Promise((resolve) => element.addEventListener('lab-mounted', resolve, { once: true }));
    await element.handle.ready;
    return [viaMount.state().scenario, viaMount.state().query, element.handle.state().scenario,
      element.querySelector('.el-narrative')?.hidden];
  });
  assert.equal(state[0], 'modern-one-step');
  assert.match(state[1], /model=modern/);
  assert.equal(state[2], 'unions');
  assert.equal(state[3], true, 'narrative=0 hides the narrative');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the docs the page cites are part of the site', async () => {
  for (const id of ['sorting', 'dendrites', 'hopfield']) {
    const { page, errors } = await openPage(lab, `?exp=${id}`);
    await ready(page);
    await page.waitForTimeout(300);
    const hrefs = await page.locator('a[href*="docs/"]').evaluateAll((as) => [...new Set(as.map((a) => a.href))]);
    assert.ok(hrefs.length >= 1, `${id}: links to docs`);
    for (const href of hrefs) {
      const head = await page.evaluate(async (u) => { const r = await fetch(u); return [r.status, (await r.text()).slice(0, 2)]; }, href);
      assert.deepEqual(head, [200, '# '], href);
    }
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('markup in URL values is shown as text, never run', async () => {
  for (const id of ['sorting', 'dendrites', 'hopfield']) {
    const key = EXPERIMENTS.find((x) => x.id === id).key;
    const markup = '<img src=x onerror="window.__pwned=1">';
    const q = new URLSearchParams({ exp: id, seed: '<b>7</b>', [key]: markup, scenario: '<svg onload="window.__pwned=2">', controls: `play,<i>x</i>,${key}` });
    const { page, errors } = await openPage(lab, `?${q}`);
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    await ready(page);
    const texts = (await page.locator('.el-notice').allInnerTexts()).join(' | ');
    assert.ok(texts.includes('<b>7</b>') && texts.includes('<svg'), `the markup is shown as text: ${texts}`);
    const injected = await page.evaluate(() => ({
      pwned: window.__pwned ?? null,
      elements: document.querySelectorAll('.el-lab b, .el-lab svg, .el-lab img, .el-lab i:not(.el-legend i)').length,
    }));
    assert.deepEqual(injected, { pwned: null, elements: 0 });
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, [], 'no errors, and no CSP violation');
    await page.close();
  }
});

test('workers: a job that throws, a job cancelled mid-run, and the same job run again', async () => {
  const { page, errors } = await openPage(lab, '?exp=sorting&seed=2&n=200');
  await ready(page);
  // A job that throws in the worker: the page gets its sentence and keeps working.
  const thrown = await page.evaluate(() => window.__lab.runJob('reproduce', { figure: 'fig99', seed: '1', runs: 1, worker: 0, workers: 1 }).then(() => 'resolved', (e) => e.message));
  assert.match(thrown, /there is no figure "fig99"; choose one of fig4/);
  // Cancel a long batch mid-run: the worker is gone, the buttons come back.
  await page.fill('#el-runs', '100000');
  await page.click('.el-batch-run');
  await page.waitForFunction(() => document.querySelector('.el-batch .el-progress').value > 0);
  await page.getByRole('button', { name: 'Cancel', exact: true }).first().click();
  await page.waitForFunction(() => document.querySelector('.el-batch-result').textContent === 'cancelled');
  assert.equal(await page.locator('.el-batch-run').isEnabled(), true);
  // Run it again, smaller: it completes.
  const summary = page.evaluate(() => new Promise((resolve) => window.__lab.on('batch', resolve)));
  await page.fill('#el-runs', '20');
  await page.click('.el-batch-run');
  assert.equal((await summary).runs, 20);
  await page.evaluate(() => window.__lab.step());
  await settled(page, 'window.__lab.state().position === 1');
  assert.deepEqual(errors, []);
  await page.close();
});
