// In-browser benchmark (not a test): headless Chromium on dist/, the same workloads as
// `emergence-lab sorting bench`. Prints time per cell-view bubble experiment (n = 100) in wasm,
// and the time of every "Reproduce the paper" figure through the page's own buttons (Web
// Workers), with the longest main-thread frame gap meanwhile (is the page responsive?).
import { startLab } from '../tests/e2e/browser.mjs';

// `node scripts/bench.mjs [sorting|dendrites|hopfield|limits]` runs one part; no argument runs all.
const only = process.argv[2] ?? null;
if (!only || only === 'sorting' || only === 'dendrites') {
  const lab = await startLab();
  try {
    const page = await lab.context.newPage();
    await page.goto(`${lab.base}?exp=sorting&seed=1`);
    await page.waitForFunction(() => window.__lab && window.__lab.state().ready, null, { timeout: 30000 });
    if (!only || only === 'sorting') await benchSorting(page);
    if (!only || only === 'dendrites') await benchDendrites(page);
  } finally {
    await lab.close();
  }
}

async function benchSorting(page) {
  // V8 runs a wasm call on the code it had when the call began: one long call can spend its whole
  // length in the baseline tier (Liftoff). So, as the page's worker does, many separate calls:
  // a warm-up, then `chunks` timed calls of `chunk` experiments; the median and the range. The
  // warm-up (1000 experiments, about 0.2 s) lets V8 finish compiling the optimised code in the
  // background, so the median is the steady rate a long run (a figure's conditions) gets.
  for (const scheduler of ['uniform', 'threads']) {
    const r = await page.evaluate(async (scheduler) => {
      window.__lab.pause(); // no animation frames drawing (on the CPU, SwiftShader) meanwhile
      const mod = await import('./pkg/webgpu-sorting/emergence_lab.js'); // the page's build
      await mod.default();
      const warm = 1000, chunk = 100, chunks = 20;
      const batch = new mod.SortingBatch(`exp=sorting&n=100&seed=1&scheduler=${scheduler}`, warm + chunk * chunks);
      batch.run_next(warm);
      const perRun = [];
      for (let i = 0; i < chunks; i++) {
        const t0 = performance.now();
        batch.run_next(chunk);
        perRun.push((performance.now() - t0) / chunk);
      }
      batch.free();
      perRun.sort((x, y) => x - y);
      return { median: perRun[chunks >> 1], min: perRun[0], max: perRun[chunks - 1] };
    }, scheduler);
    console.log(`bench (wasm, headless Chromium): cell-view bubble, n = 100, scheduler ${scheduler}: ${r.median.toFixed(3)} ms per experiment (median of 20 calls of 100 after 1000 to warm up; range ${r.min.toFixed(3)}–${r.max.toFixed(3)}; target 0.2 ms)`);
  }
  console.log('For scale, not measured in this run: the official Python code (cell_research, Python 3.11, a 2-core machine of this kind, measured 2026-11 for issue 14) computes one bubble experiment in 0.29–0.52 s (median about 0.4 s), and its driver sleeps 2 s between experiments; with scripts/record_official_traces.py logging every activation it takes 0.5–0.8 s (docs/data/official-traces.json, "seconds").');
  let total = 0;
  for (const figure of ['fig4', 'fig5', 'fig7', 'fig8', 'fig9']) {
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
  console.log(`bench (page): the whole suite (Figs. 4, 5, 7, 8, 9 at 100 runs per condition, uniform and, where the order of activations matters, threads): ${total.toFixed(1)} s (target 5 s)`);
}

// Active dendrites, in wasm: exact E3 per point, the F-θ grid, and bit-level Monte Carlo rates
// (the same workloads as `emergence-lab dendrites bench`).
async function benchDendrites(page) {
  const r = await page.evaluate(async () => {
    const mod = await import('./pkg/webgpu-dendrites/emergence_lab.js');
    await mod.default(); // initialises this build once (the sorting page loaded another)
    const time = (fn, reps) => { fn(); const t0 = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t0) / reps; };
    const e3 = {};
    for (const [name, n, a, s, th] of [['n=1e6 a=2000 s=24 θ=12', 1e6, 2000, 24, 12], ['n=1e6 a=500000 s=50 θ=25', 1e6, 500000, 50, 25], ['n=2048 a=40 s=20 θ=10', 2048, 40, 20, 10]]) {
      e3[name] = (time(() => mod.bench_false_match(n, a, s, th, 2000), 3) / 2000) * 1000; // µs per point
    }
    const gridMs = time(() => mod.bench_threshold_grid(), 5);
    // V8 first runs wasm in its baseline compiler (Liftoff) and swaps in the optimised (TurboFan)
    // code in the background; a call already running keeps the baseline code to its end. One
    // long timed call right after a short warm-up can therefore measure the baseline code for
    // its whole length (2–3× slower here). So: time `chunks` separate calls and report the median
    // rate (the steady state the page's worker, which runs many chunks, sees) and the range.
    const mc = (kind, chunk, chunks, importance) => {
      const sim = new mod.DendritesSimulation(kind, '1', 0, importance);
      sim.run(chunk);
      const rates = [];
      for (let i = 0; i < chunks; i++) {
        const t0 = performance.now();
        sim.run(chunk);
        rates.push(chunk / ((performance.now() - t0) / 1000));
      }
      sim.free();
      rates.sort((x, y) => x - y);
      return { median: rates[chunks >> 1], min: rates[0], max: rates[chunks - 1] };
    };
    const fm = { kind: 'false-match', n: 2048, a: 40, s: 20, theta: 10, segments: 1 };
    return {
      e3, gridMs,
      mc: mc(fm, 5e5, 20, false),
      is: mc({ kind: 'false-match', n: 19900, a: 64, s: 24, theta: 12, segments: 1 }, 2e4, 20, true),
    };
  });
  for (const [name, us] of Object.entries(r.e3)) console.log(`bench (wasm): dendrites exact E3, ${name}: ${us.toFixed(2)} µs per point (target ≤ 10 µs)`);
  console.log(`bench (wasm): dendrites F-θ grid (22 θ × 210 combinations): ${r.gridMs.toFixed(2)} ms (target ≤ 50 ms)`);
  const range = (x) => `${(x.median / 1e6).toFixed(2)}×10⁶ (median of 20 chunks; range ${(x.min / 1e6).toFixed(2)}–${(x.max / 1e6).toFixed(2)})`;
  console.log(`bench (wasm): dendrites bit-level Monte Carlo, n = 2048, a = 40, s = 20, θ = 10: ${range(r.mc)} test vectors/s (target ≥ 10⁷)`);
  console.log(`bench (wasm): dendrites importance sampler, n = 19900, a = 64, s = 24, θ = 12: ${range(r.is)} samples/s`);
}

// ---- Hopfield: the modern update's CPU kernel in wasm (SIMD128), the same workloads as
// `emergence-lab hopfield bench`. scripts/bench-hopfield.sh reads the `hopfield-bench-json:` line
// and sets it beside the native and numpy times.
// `isolated`: a cross-origin isolated page, where the pool signals one query's first pass
// through shared memory (www/modern-signal.js); only the pool's page step is timed there.
async function benchHopfield({ isolated = false } = {}) {
  const lab = await startLab({ isolated });
  try {
    const page = await lab.context.newPage();
    await page.goto(`${lab.base}?exp=sorting&seed=1`);
    await page.waitForFunction(() => window.__lab && window.__lab.state().ready, null, { timeout: 30000 });
    const result = await page.evaluate(async (isolated) => {
      // No animation frames meanwhile: the page's drawing (SwiftShader, on the CPU) would take
      // a core from the workers while the page's thread waits for them.
      window.__lab.pause();
      const mod = await import('./pkg/webgpu-hopfield/emergence_lab.js');
      await mod.default(); // initialises this build once (the sorting page loaded another)
      const { loadBuild } = await import('./common.js');
      const { ModernPool } = await import('./modern-pool.js');
      const build = await loadBuild('webgpu-hopfield'); // the same module, with its name for the workers
      // The page's pool of workers (one per core): the same workload, timed from the queries'
      // postMessage to the merged result; checked bit for bit against the one-thread update.
      const pooled = async (d, n, q, repeats) => {
        const w = mod.bench_modern_workload(d, n, q);
        const one = mod.hopfield_modern_update(w.x, n, d, w.queries, q, w.beta);
        const pool = await ModernPool.create(build, w.x, n, d);
        try {
          const first = await pool.update(w.queries, q, w.beta);
          for (let i = 0; i < 4; i++) await pool.update(w.queries, q, w.beta); // V8 tiers up each worker's wasm on its own
          const same = (a, b) => a.length === b.length && new Uint32Array(a.buffer).every((v, i) => v === new Uint32Array(b.buffer)[i]);
          const times = [];
          for (let i = 0; i < repeats; i++) {
            const t0 = performance.now();
            await pool.update(w.queries, q, w.beta);
            times.push(performance.now() - t0);
          }
          times.sort((a, b) => a - b);
          return { workers: pool.size, ms: times[repeats >> 1], min: times[0], max: times[repeats - 1], sameBits: same(first.state, one.state) && same(first.p, one.p) };
        } finally {
          pool.free();
        }
      };
      // The roofline: the fastest rate of SIMD128 multiplies and adds (no FMA) with every
      // operand in registers, on this thread and on `workers` workers at once (summed), each a
      // module worker of its own that loads the same build.
      const peak = async (workers) => {
        const url = new URL('./pkg/webgpu-hopfield/emergence_lab.js', location.href).href;
        const source = `import init, { bench_lane_peak } from ${JSON.stringify(url)};
          await init(); postMessage('ready'); onmessage = () => postMessage(bench_lane_peak(31));`;
        const blob = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
        const started = Array.from({ length: workers }, () => new Worker(blob, { type: 'module' }));
        try {
          const next = (w) => new Promise((resolve, reject) => { w.onmessage = (e) => resolve(e.data); w.onerror = (e) => reject(new Error(e.message)); });
          await Promise.all(started.map(next));
          const rates = started.map(next);
          for (const w of started) w.postMessage('go'); // all at once, after every one has loaded
          return (await Promise.all(rates)).reduce((a, b) => a + b, 0);
        } finally {
          for (const w of started) w.terminate();
          URL.revokeObjectURL(blob);
        }
      };
      // The page's step at 10,000 patterns of 64×64 where it runs by default on a machine with
      // more than one core (compute=auto hands a store this large to the pool): the pooled
      // update, which returns the dot products of the state it started from, booked by the
      // session (HopfieldLab.step_with, as www/experiments/hopfield.js does), then the read-out
      // and the plot's overlaps.
      const poolStep = async (repeats) => {
        const session = new mod.HopfieldLab('exp=hopfield&seed=1&model=modern&patterns=random&count=10000&side=64&beta=0.015625&corrupt=flip&amount=0.2');
        const pool = await ModernPool.create(build, session.patterns_flat(), 10000, 4096);
        // A pass over the same X on the page's thread just before each step: the step's ratio
        // to it sees the memory speed of that moment (this machine's drifts).
        const pass = new mod.StreamPass(session.patterns_flat());
        try {
          const step = async () => {
            const r = await pool.update(session.state_values(), 1, session.effective_beta(), true);
            session.step_with(r.state, r.p, r.dots);
            session.readout();
            session.booked_overlaps();
          };
          for (let i = 0; i < 3; i++) await step();
          const times = [], passes = [], ratios = [];
          for (let i = 0; i < repeats; i++) {
            const passMs = pass.pass_ms();
            const t0 = performance.now();
            await step();
            const ms = performance.now() - t0;
            times.push(ms);
            passes.push(passMs);
            ratios.push(ms / passMs);
          }
          const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
          return { workers: pool.size, signalled: pool.signalled, ms: median(times), min: Math.min(...times), max: Math.max(...times), stream_ms: median(passes), ratio: median(ratios) };
        } finally {
          pass.free();
          pool.free();
          session.free();
        }
      };
      if (isolated) {
        if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated');
        return { pool_page_step: { d: 4096, n: 10000, ...(await poolStep(15)) } };
      }
      const cores = navigator.hardwareConcurrency || 2;
      return {
        batch: { d: 1024, n: 10000, q: 100, ms: mod.bench_modern_update(1024, 10000, 100, 5) },
        single_64x64: { d: 4096, n: 10000, q: 1, ms: mod.bench_modern_update(4096, 10000, 1, 15), stream_ms: mod.bench_stream_ms(4096, 10000, 15) },
        page_step: { d: 4096, n: 10000, ...mod.bench_page_step_ms(7) },
        pool_batch: { d: 1024, n: 10000, q: 100, ...(await pooled(1024, 10000, 100, 7)) },
        pool_64x64: { d: 4096, n: 10000, q: 1, ...(await pooled(4096, 10000, 1, 21)) },
        pool_page_step: { d: 4096, n: 10000, ...(await poolStep(15)) },
        // Last, so that its workers are gone before anything else is timed.
        peak: { gflops: mod.bench_lane_peak(31), pool_gflops: await peak(cores), workers: cores, batch_gflop: mod.bench_update_flops(1024, 10000, 100) / 1e9 },
      };
    }, isolated);
    const poolStepLine = (ps) => `the page's step at that size on its pool of ${ps.workers} workers (compute=auto there with more than one core: the pooled update with its dot products, booked by the session, and the read-out; ${ps.signalled ? 'a cross-origin isolated page: each first pass signalled through shared memory' : 'messages to and from the workers'}): ${ps.ms.toFixed(1)} ms (median of 15, range ${ps.min.toFixed(1)}–${ps.max.toFixed(1)}), ${ps.ratio.toFixed(2)}× one pass on one thread (each step over a pass on the page's thread timed just before it; the passes ${ps.stream_ms.toFixed(1)} ms; target ≤ 1.3×: ${ps.ratio <= 1.3 ? 'met' : 'MISSED'})`;
    if (isolated) {
      console.log(`bench (wasm, headless Chromium): ${poolStepLine(result.pool_page_step)}`);
      console.log(`hopfield-bench-isolated-json: ${JSON.stringify(result)}`);
      return;
    }
    console.log(`bench (wasm, headless Chromium): hopfield modern update, d = 1024, N = 10000, Q = 100: ${result.batch.ms.toFixed(1)} ms (median of 5, one thread)`);
    console.log(`bench (wasm, headless Chromium): hopfield one 64×64 query (d = 4096) against N = 10000: ${result.single_64x64.ms.toFixed(2)} ms (median of 15, one thread; target ≤ 16.7 ms)`);
    const pool = (r) => `${r.ms.toFixed(2)} ms (median of ${r === result.pool_batch ? 7 : 21}, range ${r.min.toFixed(2)}–${r.max.toFixed(2)}; ${r.workers} workers; same bits as one thread: ${r.sameBits})`;
    console.log(`bench (wasm, headless Chromium): the same update on the page's worker pool: ${pool(result.pool_batch)}`);
    console.log(`bench (wasm, headless Chromium): one 64×64 query on the worker pool: ${pool(result.pool_64x64)} (target ≤ 16.7 ms)`);
    const { peak } = result;
    console.log(`bench (wasm, headless Chromium): roofline: SIMD128 multiplies and adds (no FMA) at most ${peak.gflops.toFixed(1)} GFLOP/s on the page's thread, ${peak.pool_gflops.toFixed(1)} on ${peak.workers} workers at once; ` +
      `the batch's ${peak.batch_gflop.toFixed(2)} GFLOP need at least ${(peak.batch_gflop / peak.gflops * 1e3).toFixed(1)} ms on one thread (this run: ${(100 * peak.batch_gflop / peak.gflops * 1e3 / result.batch.ms).toFixed(0)} % of the peak) ` +
      `and ${(peak.batch_gflop / peak.pool_gflops * 1e3).toFixed(1)} ms on the pool (this run: ${(100 * peak.batch_gflop / peak.pool_gflops * 1e3 / result.pool_batch.ms).toFixed(0)} %)`);
    const s = result.single_64x64;
    console.log(`bench (wasm, headless Chromium): memory roofline: one pass over the 64×64 query's stored patterns (164 MB) takes ${s.stream_ms.toFixed(2)} ms on the page's thread; the query took ${(s.ms / s.stream_ms).toFixed(2)}× that on one thread, ${(result.pool_64x64.ms / s.stream_ms).toFixed(2)}× on the pool`);
    // Each step's ratio is to a pass over the same X on the page's thread timed just before it
    // (the median of those ratios): this machine's memory speed drifts within a run.
    const step = result.page_step.ratio;
    console.log(`bench (wasm, headless Chromium): the page's step while a run plays, on the page's thread (compute=cpu, or a one-core machine; the session at that size: the update, which books the previous state's energy from its own dot products, and what the page reads after it): ${result.page_step.step_ms.toFixed(1)} ms (median of 7), ${step.toFixed(2)}× one pass (each step over a pass of its X timed just before it; the passes ${result.page_step.stream_ms.toFixed(1)} ms; target ≤ 1.3×: ${step <= 1.3 ? 'met' : 'MISSED'}); where the run stops, booking the last energy takes one more pass: ${result.page_step.settle_ms.toFixed(1)} ms`);
    console.log(`bench (wasm, headless Chromium): ${poolStepLine(result.pool_page_step)}`);
    console.log(`hopfield-bench-json: ${JSON.stringify(result)}`);
  } finally {
    await lab.close();
  }
}
if (!only || only === 'hopfield') {
  await benchHopfield();
  await benchHopfield({ isolated: true });
}
if (!only || only === 'limits') await benchLimits();

// The largest state a URL can ask for, per experiment: every size at its schema maximum (the URL
// codec clamps anything larger, with a notice). Each state gets a fresh browser, is run to the
// step its URL asks for, and is measured: time to the first frame and to the step; the page's
// wasm memory (its peak: wasm memory only grows) and JS heap (Chromium's performance.memory,
// sampled every 100 ms); and, for everything the state made (the page, its workers, the GPU
// process), the peak resident memory of each Chromium process (VmHWM in /proc). The bound: what
// a state adds to the renderers' peak, above a small state's (Chromium's own), stays under 1 GiB.
// README "Limits" quotes this output.
async function benchLimits() {
  const fs = await import('node:fs');
  const BOUND = 2 ** 30;
  const states = [
    // A small state first: what Chromium itself takes, for comparison.
    ['baseline', 'exp=sorting&seed=1&n=10'],
    ['sorting', 'exp=sorting&seed=1&n=10000&step=100000000'],
    ['dendrites', 'exp=dendrites&seed=1&n=1000000&a=20000&s=1000&theta=20&v=10000&m=1000&k=100000&view=union'],
    ['hopfield', 'exp=hopfield&seed=1&side=64&count=10000&patterns=random&model=modern&corrupt=flip&amount=0.2&step=3'],
    // Played: the steps go to the worker pool, which keeps its own shards of the store.
    ['hopfield', 'exp=hopfield&seed=1&side=64&count=10000&patterns=random&model=modern&corrupt=flip&amount=0.2&compute=workers&autoplay=true'],
    ['hopfield', 'exp=hopfield&seed=1&side=64&count=1000&patterns=random&model=classical&corrupt=flip&amount=0.2&step=1'],
  ];
  /** Chromium's processes under the one whose command line names `userDir`: {type, peak bytes}. */
  const processes = (userDir) => {
    const read = (pid, file) => { try { return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8'); } catch { return ''; } };
    const all = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((pid) => {
      const status = read(pid, 'status');
      return { pid, ppid: (status.match(/PPid:\s+(\d+)/) || [])[1], hwm: Number((status.match(/VmHWM:\s+(\d+) kB/) || [])[1] || 0) * 1024, cmd: read(pid, 'cmdline').replace(/\0/g, ' ') };
    });
    const root = all.find((p) => p.cmd.includes(`--user-data-dir=${userDir}`) && !p.cmd.includes('--type='));
    if (!root) return [];
    const mine = new Set([root.pid]);
    for (let grew = true; grew;) { grew = false; for (const p of all) if (!mine.has(p.pid) && mine.has(p.ppid)) { mine.add(p.pid); grew = true; } }
    return all.filter((p) => mine.has(p.pid)).map((p) => ({ type: (p.cmd.match(/--type=([a-z-]+)/) || [, 'browser'])[1], peak: p.hwm }));
  };
  const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  let baseline = null; // the renderers' peak for the small state
  const flags = [...(await import('../tests/e2e/browser.mjs')).CHROMIUM_FLAGS, '--enable-precise-memory-info'];
  for (const [id, query] of states.filter(([x]) => !process.env.EL_LIMITS || [x, 'baseline'].includes(process.env.EL_LIMITS) || x === 'baseline')) {
    const lab = await startLab({ flags });
    try {
      const page = await lab.context.newPage();
      const t0 = Date.now();
      await page.goto(`${lab.base}?${query}`);
      await page.waitForFunction(() => window.__lab && window.__lab.state().ready, null, { timeout: 300000 });
      await page.evaluate(() => {
        window.__heapPeak = 0;
        const sample = () => { window.__heapPeak = Math.max(window.__heapPeak, performance.memory?.usedJSHeapSize ?? 0); };
        sample();
        window.__heapTimer = setInterval(sample, 100);
      });
      const first = await page.evaluate(() => window.__lab.metrics.firstFrameMs);
      await page.waitForFunction(() => { const s = window.__lab.state(); return !s.busy && !s.playing && (s.position === s.target || s.done); }, null, { timeout: 600000, polling: 500 });
      // The module's own work after the step (Hopfield's strip and pitchfork in a worker) settles.
      await page.waitForTimeout(3000);
      const seconds = (Date.now() - t0) / 1000;
      const m = await page.evaluate(() => {
        clearInterval(window.__heapTimer);
        const mem = window.__lab.memory();
        return { ...mem, heapPeak: Math.max(window.__heapPeak, mem.jsHeap ?? 0), position: window.__lab.state().position,
          notices: [...document.querySelectorAll('.el-notice')].map((n) => n.textContent.replace(/×$/, '').trim()) };
      });
      const procs = processes(lab.userDir);
      const renderers = procs.filter((p) => p.type === 'renderer');
      const renderer = renderers.reduce((a, p) => a + p.peak, 0);
      const gpu = procs.filter((p) => p.type === 'gpu-process').reduce((a, p) => a + p.peak, 0);
      const total = procs.reduce((a, p) => a + p.peak, 0);
      console.log(`bench (limits, headless Chromium): ${id} ?${query}: first frame ${(first / 1000).toFixed(1)} s, step ${m.position} after ${seconds.toFixed(1)} s; ` +
        `page: wasm memory ${mib(m.wasm)}, JS heap peak ${mib(m.heapPeak)}; peak resident memory: ${renderers.length} renderer process${renderers.length === 1 ? '' : 'es'} (the page and its workers) ${mib(renderer)}, ` +
        `GPU process ${mib(gpu)}, all ${procs.length} Chromium processes ${mib(total)}` +
        (id === 'baseline' ? '' : `; the state adds ${mib(renderer - baseline)} to the renderers (bound 1 GiB: ${renderer - baseline <= BOUND ? 'within' : 'OVER'})`) +
        (m.notices.length ? `; notices: ${m.notices.join(' | ')}` : ''));
      if (id === 'baseline') baseline = renderer;
      console.log(`limits-json: ${JSON.stringify({ id, query, firstFrameS: first / 1000, seconds, position: m.position, wasm: m.wasm, jsHeapPeak: m.heapPeak, renderer, gpu, total })}`);
    } finally {
      await lab.close();
    }
  }
}
