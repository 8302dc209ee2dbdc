// Shared harness for the end-to-end suite: serves dist/ on 127.0.0.1 and launches Debian's
// Chromium through playwright-core with the flags that give a stable WebGPU (SwiftShader)
// adapter and WebGL2 in headless mode (docs/toolchain.md, "WebGPU in headless Chromium").
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/serve.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');
export const SHOTS = path.join(ROOT, 'test-results', 'screenshots');

export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader',
  '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--use-angle=swiftshader',
  '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Serve dist/ (under `prefix`, to check that the site works under any sub-path) and launch
 * Chromium. `flags` replaces the default flag set (e.g. to take the GPU away); `csp: true` keeps
 * the pages' Content-Security-Policy in force (otherwise Playwright bypasses it); `isolated`
 * serves every file with the cross-origin isolation headers; `mounts` serves more folders
 * (scripts/serve.mjs).
 */
export async function startLab({ prefix = '/', flags = CHROMIUM_FLAGS, csp = false, isolated = false, mounts = {} } = {}) {
  const server = await serve(path.join(ROOT, 'dist'), 0, '127.0.0.1', prefix, { isolated, mounts });
  const base = `http://127.0.0.1:${server.address().port}${prefix}`;
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emergence-lab-chromium-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: flags,
    viewport: { width: 1200, height: 900 },
    // The pages' Content-Security-Policy forbids evaluating strings, which Playwright's
    // waitForFunction does; tests/e2e/csp.test.mjs runs the pages with the policy on.
    bypassCSP: !csp,
  });
  fs.mkdirSync(SHOTS, { recursive: true });
  return {
    base,
    context,
    userDir,
    async close() {
      await context.close();
      server.close();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** Open a page and collect console errors and uncaught exceptions. */
export async function openPage(lab, url) {
  const page = await lab.context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  await page.goto(lab.base + url);
  return { page, errors };
}
