// Two builds of the Hopfield experiment's wasm timed against each other on the modern update, in
// one cross-origin isolated headless Chromium page, call by call: how docs/hopfield.md's A/B
// tables were measured. Not a test: the numbers depend on the machine.
//
//   bash scripts/build-variant.sh NAME      (the source tree as it is → dist/pkg/webgpu-hopfield-NAME)
//   node scripts/bench-ab.mjs webgpu-hopfield webgpu-hopfield-NAME [rounds] [q d n]
//
// Both builds hold the same X as `ModernUpdate`s; each round calls each once, in an order that
// alternates from round to round, on the lab's bench data (`bench_modern_workload`; by default
// the batch: Q = 100, d = 1024, N = 10,000). Prints each build's median and range, the median of
// the paired ratios B/A (the round's B time over its A time: paired, so a slow phase of a shared
// machine moves both), and whether their outputs have the same bits, which a variant meant to
// change the speed only must keep. Two instances of one build differ by up to about 1 % here
// (each instance's memory lies elsewhere): time a change both ways (A B, then B A).
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startLab } from '../tests/e2e/browser.mjs';

const [a, b, rounds = '11', q = '100', d = '1024', n = '10000'] = process.argv.slice(2);
const builds = [a, b];
for (const name of builds) {
  if (!name || !/^webgpu-hopfield(-[a-z0-9-]+)?$/.test(name) || !fs.existsSync(path.join(ROOT, 'dist', 'pkg', name, 'emergence_lab.js'))) {
    console.error(`bench-ab: "${name ?? ''}" is not a build in dist/pkg (webgpu-hopfield, or webgpu-hopfield-NAME from scripts/build-variant.sh)`);
    process.exit(2);
  }
}
const sizes = { rounds: Number(rounds), q: Number(q), d: Number(d), n: Number(n) };
if (!Object.values(sizes).every((v) => Number.isInteger(v) && v >= 1) || sizes.q * sizes.n > 1 << 26 || sizes.n * sizes.d > 1 << 26) {
  console.error('bench-ab: rounds, q, d and n must be whole numbers ≥ 1, with Q·N and N·d at most 2²⁶');
  process.exit(2);
}

const lab = await startLab({ isolated: true });
try {
  const page = await lab.context.newPage();
  await page.goto(`${lab.base}experiments.json`);
  const out = await page.evaluate(async ({ builds, rounds, q, d, n }) => {
    const mods = [];
    for (const name of builds) {
      const m = await import(`/pkg/${name}/emergence_lab.js`);
      await m.default({ module_or_path: `/pkg/${name}/emergence_lab_bg.wasm` });
      mods.push(m);
    }
    const data = mods[0].bench_modern_workload(d, n, q);
    const ups = mods.map((m) => new m.ModernUpdate(data.x, n, d));
    const first = ups.map((u) => u.update(data.queries, q, data.beta));
    const same = (u, v) => u.length === v.length && u.every((x, i) => Object.is(x, v[i]));
    const sameBits = same(first[0].state, first[1].state) && same(first[0].p, first[1].p);
    const times = [[], []];
    for (let r = 0; r < rounds; r++) {
      for (const k of r % 2 ? [1, 0] : [0, 1]) {
        const t0 = performance.now();
        ups[k].update(data.queries, q, data.beta);
        times[k].push(performance.now() - t0);
      }
    }
    ups.forEach((u) => u.free());
    return { sameBits, times };
  }, { builds, ...sizes });
  const median = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
  const range = (v, digits = 1) => `${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)}`;
  const ratios = out.times[1].map((t, i) => t / out.times[0][i]);
  console.log(`bench-ab: modern update, Q = ${sizes.q}, d = ${sizes.d}, N = ${sizes.n}, ${sizes.rounds} rounds`);
  builds.forEach((name, k) => console.log(`  ${name}: ${median(out.times[k]).toFixed(1)} ms (${range(out.times[k])})`));
  console.log(`  paired ratio ${b} / ${a}: median ${median(ratios).toFixed(3)} (${range(ratios, 3)}); the same bits: ${out.sameBits ? 'yes' : 'NO'}`);
} finally {
  await lab.close();
}
