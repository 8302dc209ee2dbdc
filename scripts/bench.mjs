// In-browser benchmark (not a test): headless Chromium on dist/, the same workloads as
// `emergence-lab sorting bench`. Prints time per cell-view bubble experiment (n = 100) in wasm,
// and the time of every "Reproduce the paper" figure through the page's own buttons (Web
// Workers), with the longest main-thread frame gap meanwhile (is the page responsive?).
import { startLab } from '../tests/e2e/browser.mjs';

const lab = await startLab();
try {
  const page = await lab.context.newPage();
  await page.goto(`${lab.base}?exp=sorting&seed=1`);
  await page.waitForFunction(() => window.__lab && window.__lab.state().ready, null, { timeout: 30000 });
  const perRun = await page.evaluate(async () => {
    const mod = await import('./pkg/webgpu/emergence_lab.js');
    const runs = 2000;
    const batch = new mod.SortingBatch('exp=sorting&n=100&seed=1', runs);
    batch.run_next(50); // warm up
    const t0 = performance.now();
    batch.run_next(runs);
    const ms = (performance.now() - t0) / (runs - 50);
    batch.free();
    return ms;
  });
  console.log(`bench (wasm, headless Chromium): cell-view bubble, n = 100: ${perRun.toFixed(3)} ms per experiment (target 0.2 ms; the official Python code ≈ 2 s, ${(2000 / perRun).toFixed(0)}× longer)`);
  let total = 0;
  for (const figure of ['fig4', 'fig5', 'fig7', 'fig8']) {
    const result = await page.evaluate(async (fig) => {
      let worst = 0, last = performance.now(), running = true;
      const watch = () => { const now = performance.now(); worst = Math.max(worst, now - last); last = now; if (running) requestAnimationFrame(watch); };
      requestAnimationFrame(watch);
      const done = new Promise((resolve) => window.__lab.on('reproduce', (d) => { if (d.figure === fig) resolve(d); }));
      document.querySelector(`button[data-figure="${fig}"]`).click();
      const d = await done;
      running = false;
      return { seconds: d.seconds, worstFrameMs: worst };
    }, figure);
    total += result.seconds;
    console.log(`bench (page): reproduce ${figure}: ${result.seconds.toFixed(2)} s; longest frame gap meanwhile ${result.worstFrameMs.toFixed(0)} ms`);
  }
  console.log(`bench (page): the whole suite (Figs. 4, 5, 7, 8 at 100 runs per condition): ${total.toFixed(1)} s (target 5 s)`);
} finally {
  await lab.close();
}
