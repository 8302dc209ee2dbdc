// Smoke test of the built site in headless Firefox ESR through geckodriver (selenium-webdriver;
// Playwright cannot drive Debian's Firefox). Firefox needs three prefs and MOZ_WEBGL_FORCE_EGL=1
// in geckodriver's environment for WebGL2, and a Vulkan driver (Mesa's lavapipe) for WebGPU
// (docs/toolchain.md, "Headless Firefox").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Builder, By, LogInspector } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import { serve } from '../../scripts/serve.mjs';
import { ROOT, SHOTS } from './browser.mjs';
import { decodePng, foregroundPixels } from './png.mjs';
import { FUZZ_SEED, generator, generatedUrl, SCHEMA_SCRIPT } from './urlgen.mjs';

const which = (cmd) => { try { return execFileSync('sh', ['-c', `command -v ${cmd}`]).toString().trim(); } catch { return ''; } };
const geckodriver = process.env.GECKODRIVER || which('geckodriver') || path.join(process.env.HOME || '', '.cargo/bin/geckodriver');
const firefoxBin = process.env.FIREFOX || which('firefox-esr') || which('firefox');

let server, base, driver;
const errors = [];

before(async () => {
  server = await serve(path.join(ROOT, 'dist'), 0);
  base = `http://127.0.0.1:${server.address().port}/`;
  const options = new firefox.Options()
    .addArguments('-headless')
    .setBinary(firefoxBin)
    .setPreference('webgl.force-enabled', true)
    .setPreference('dom.webgpu.enabled', true)
    .setPreference('gfx.webgpu.ignore-blocklist', true)
    .enableBidi();
  const service = new firefox.ServiceBuilder(geckodriver).setEnvironment({ ...process.env, MOZ_WEBGL_FORCE_EGL: '1' });
  driver = await new Builder().forBrowser('firefox').setFirefoxOptions(options).setFirefoxService(service).build();
  await driver.manage().window().setRect({ width: 1200, height: 900 });
  const inspector = await LogInspector(driver);
  await inspector.onConsoleEntry((e) => { if (e.level === 'error') errors.push(`console: ${e.text}`); });
  await inspector.onJavascriptException((e) => errors.push(`uncaught: ${e.text}`));
  fs.mkdirSync(SHOTS, { recursive: true });
  // Prove the console capture works before trusting "no errors" below.
  await driver.get(`${base}embed.html?exp=sorting&n=10`);
  await driver.executeScript('console.error("emergence-lab console probe")');
  const end = Date.now() + 5000;
  while (!errors.some((e) => e.includes('console probe')) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.ok(errors.some((e) => e.includes('console probe')), 'console errors are captured');
  // Let the probe page's lab finish loading: Firefox reports a module import that a navigation
  // aborts (the experiment's page module) as an uncaught error of the page being left.
  await waitFor('const l = window.__lab; return l && l.state().ready;', 'the probe page');
  errors.length = 0;
});

after(async () => {
  await driver?.quit();
  server?.close();
});

async function waitFor(fn, what, timeout = 30000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await driver.executeScript(fn);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function canvasPixels(selector, name) {
  const el = await driver.findElement(By.css(selector));
  await driver.executeScript('arguments[0].scrollIntoView({block: "center"})', el);
  await driver.executeScript('return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  const png = Buffer.from(await el.takeScreenshot(), 'base64');
  fs.writeFileSync(path.join(SHOTS, name), png);
  return decodePng(png);
}

for (const backend of ['webgpu', 'webgl2']) {
  test(`firefox ${backend}: the lab draws and steps`, async () => {
    const before = errors.length;
    await driver.get(`${base}?exp=sorting&seed=5&n=100&backend=${backend}`);
    const state = await waitFor('const l = window.__lab; return l && l.state().ready && l.metrics.firstFrameMs !== null && l.state();', 'the lab');
    assert.equal(state.backend, backend);
    const a = await canvasPixels('canvas.el-canvas', `firefox-${backend}.png`);
    assert.ok(foregroundPixels(a) > 0.1 * a.width * a.height, `bars drawn (${foregroundPixels(a)} px)`);
    await driver.executeScript('window.__lab.step()');
    await waitFor('const s = window.__lab.state(); return s.position === 1 && s.clean;', 'one step');
    const b = await canvasPixels('canvas.el-canvas', `firefox-${backend}-step1.png`);
    assert.notDeepEqual(a.data, b.data, 'a step changes the pixels');
    assert.deepEqual(errors.slice(before), [], 'no console errors');
  });
}

test('firefox: the embed demo runs both embeds', async () => {
  const before = errors.length;
  await driver.get(`${base}embed-demo.html`);
  await driver.executeScript('document.querySelector("emergence-lab").scrollIntoView()');
  await waitFor('const h = document.querySelector("emergence-lab").handle; return h && h.state().ready && h.metrics.firstFrameMs !== null;', 'the custom element');
  const el = await canvasPixels('emergence-lab canvas', 'firefox-embed-element.png');
  assert.ok(foregroundPixels(el) > 0.05 * el.width * el.height, 'element canvas drawn');
  const frame = await driver.findElement(By.css('#embed-frame'));
  await driver.executeScript('arguments[0].scrollIntoView()', frame);
  await driver.switchTo().frame(frame);
  await waitFor('const l = window.__lab; return l && l.state().ready && l.metrics.firstFrameMs !== null;', 'the iframe lab');
  const p0 = await driver.executeScript('return window.__lab.state().position');
  await waitFor(`return window.__lab.state().position > ${p0};`, 'the iframe to play');
  const fr = await canvasPixels('canvas.el-canvas', 'firefox-embed-iframe.png');
  assert.ok(foregroundPixels(fr) > 0.05 * fr.width * fr.height, 'iframe canvas drawn');
  await driver.switchTo().defaultContent();
  assert.deepEqual(errors.slice(before), [], 'no console errors');
});

for (const backend of ['webgpu', 'webgl2']) {
  test(`firefox ${backend}: the dendrites and Hopfield pages draw and step`, async () => {
    const before = errors.length;
    await driver.get(`${base}?exp=dendrites&seed=3&n=256&a=64&s=32&theta=8&backend=${backend}`);
    let state = await waitFor('const l = window.__lab; return l && l.state().ready && l.metrics.firstFrameMs !== null && l.state();', 'the dendrites lab');
    assert.equal(state.backend, backend);
    const a = await canvasPixels('canvas.el-canvas', `firefox-dendrites-${backend}.png`);
    assert.ok(foregroundPixels(a) > 0.3 * a.width * a.height, `cells drawn (${foregroundPixels(a)} px)`);
    await driver.executeScript('window.__lab.step()');
    await waitFor('const s = window.__lab.state(); return s.info.samples === 2 && s.clean;', 'one sample');
    const b = await canvasPixels('canvas.el-canvas', `firefox-dendrites-${backend}-step.png`);
    assert.notDeepEqual(a.data, b.data, 'a new sample changes the pixels');

    await driver.get(`${base}?exp=hopfield&seed=4&side=32&count=6&backend=${backend}`);
    state = await waitFor('const l = window.__lab; return l && l.state().ready && l.metrics.firstFrameMs !== null && l.state();', 'the Hopfield lab');
    assert.equal(state.backend, backend);
    const c = await canvasPixels('canvas.el-canvas', `firefox-hopfield-${backend}.png`);
    assert.ok(foregroundPixels(c) > 0.2 * c.width * c.height, `the three pictures drawn (${foregroundPixels(c)} px)`);
    await driver.executeScript('window.__lab.step()');
    await waitFor('const s = window.__lab.state(); return s.info.steps === 1 && s.clean;', 'one sweep');
    const d = await canvasPixels('canvas.el-canvas', `firefox-hopfield-${backend}-step.png`);
    assert.notDeepEqual(c.data, d.data, 'a sweep changes the state picture');
    assert.deepEqual(errors.slice(before), [], 'no console errors');
  });
}

test('firefox: generated URLs start cleanly and answer within 5 s (a smaller set than Chromium\'s)', async () => {
  const schemas = {};
  for (const id of ['sorting', 'dendrites', 'hopfield']) {
    await driver.get(`${base}embed.html?exp=${id}`);
    await waitFor('const l = window.__lab; return l && l.state().ready;', `the ${id} lab`);
    schemas[id] = await driver.executeScript(SCHEMA_SCRIPT);
  }
  const g = generator(FUZZ_SEED + 1);
  for (const id of ['sorting', 'dendrites', 'hopfield']) {
    for (let i = 0; i < 4; i++) {
      const u = generatedUrl(g, id, schemas);
      const before = errors.length;
      await driver.get(`${base}${u}`);
      await waitFor('const l = window.__lab; return l && l.state().ready;', `${u} to start`);
      const t0 = Date.now();
      const answer = await Promise.race([driver.executeScript('return window.__lab.state().experiment'), new Promise((r) => setTimeout(() => r('no answer'), 5000))]);
      assert.equal(answer, id, `${u}: the tab answers within 5 s (${Date.now() - t0} ms)`);
      await waitFor('return window.__lab.metrics.firstFrameMs !== null || !!document.querySelector(".el-notice");', `${u}: a canvas or a notice`);
      assert.deepEqual(errors.slice(before), [], `${u}: no console errors`);
    }
  }
});
