// The modern Hopfield update against what a person would otherwise use in the browser for it
// (issue 15, points 1 and 2): ONNX Runtime Web (wasm execution provider) and TensorFlow.js's
// wasm backend (XNNPACK), in the same headless Chromium, on the same X and Ξ, with 1 and 2
// threads; numpy and the native kernel for scale. Not a test: the numbers depend on the machine.
//
//   node scripts/bench-peers.mjs            (npm run bench:peers; needs dist/: bash scripts/build.sh)
//
// Workloads (hopfield::bench::workload, the lab's own bench data): the batch, d = 1024,
// N = 10,000, Q = 100, β = 1/√d; and one 64×64 query (d = 4096) against N = 10,000. Each
// system keeps X (the lab in wasm memory or its workers, ONNX Runtime as an initializer,
// TensorFlow.js as tensors, X and Xᵀ for its fast path) and is timed from the queries to the
// outputs in JS arrays. Each round runs every system once (the one query: the median of five
// calls) in an order rotated from round to round, each after QUIET_MS of idleness: a peer's
// threads may go on spinning after its run (ONNX Runtime's thread pool does by default), and
// without the pause whichever system came next paid for it (the lab's pool of 2 took 85–88 ms
// right after ONNX Runtime Web and 71–76 ms after TensorFlow.js in one run); the figures are
// medians over the rounds with
// the range of the round times.
//
// Threads: one page per thread count, cross-origin isolated (so the peers may use threads;
// `ort.env.wasm.numThreads`, `tf.wasm.setThreadsCount`). The lab's one thread is the page's
// thread (`ModernUpdate`); its two threads are the page's worker pool (www/modern-pool.js).
// TensorFlow.js 4.22 caps its threads at half of `navigator.hardwareConcurrency`, so the 2-thread
// page tells it the machine has 4 cores (the threads still share this machine's cores).
//
// Checks: the lab's outputs must have the native kernel's bits (a fingerprint against
// `emergence-lab hopfield bench --json`), and the peers' outputs must lie within the worst-case
// f32 bounds of the lab's, derived below; a peaked case (stored ±1 patterns, large β) is
// checked too, where the uniform data's nearly flat softmax would hide errors.
// The peers are dependencies of this benchmark only (scripts/peers/package.json), installed
// there on first use; never part of the site or the tests.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startLab } from '../tests/e2e/browser.mjs';

const ROUNDS = Math.max(3, Number(process.env.EL_PEER_ROUNDS) || 9);
/** Idle time before each timed run (see the header). */
const QUIET_MS = 200;
const PEERS = path.join(ROOT, 'scripts', 'peers');
const WORKLOADS = [
  { key: 'batch', label: 'batch d = 1024, N = 10000, Q = 100', d: 1024, n: 10000, q: 100, calls: 1 },
  { key: 'single_64x64', label: 'one 64×64 query (d = 4096), N = 10000', d: 4096, n: 10000, q: 1, calls: 5 },
];

function ensurePeers() {
  if (fs.existsSync(path.join(PEERS, 'node_modules', 'onnxruntime-web', 'package.json'))
    && fs.existsSync(path.join(PEERS, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'package.json'))) return;
  console.log('bench-peers: installing ONNX Runtime Web and TensorFlow.js (scripts/peers, benchmark only)…');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: PEERS, stdio: 'inherit' });
}

/** The native bench's JSON (`emergence-lab hopfield bench --json`): times and fingerprints. */
function native() {
  execFileSync('cargo', ['build', '-q', '--release'], { cwd: ROOT, stdio: 'inherit' });
  const out = execFileSync(path.join(ROOT, 'target', 'release', 'emergence-lab'), ['hopfield', 'bench', '--json'], { cwd: ROOT });
  return JSON.parse(out.toString());
}

/** numpy float32 (scripts/bench_numpy.py) in the venv scripts/bench-hopfield.sh uses, for scale;
 * null where it cannot be made. */
function numpy() {
  const venv = path.join(ROOT, 'target', 'bench-venv');
  const python = path.join(venv, 'bin', 'python');
  try {
    try { execFileSync(python, ['-c', 'import numpy'], { stdio: 'ignore' }); } catch {
      execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
      execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', 'numpy'], { stdio: 'inherit' });
    }
    const run = (env) => JSON.parse(execFileSync(python, [path.join(ROOT, 'scripts', 'bench_numpy.py')], { env: { ...process.env, ...env } }).toString());
    return { threads: run({}), one: run({ OPENBLAS_NUM_THREADS: '1' }) };
  } catch (e) {
    console.log(`bench-peers: numpy for scale is not available (${e.message.split('\n')[0]})`);
    return null;
  }
}

/** Runs in the benchmark page: sets up the three systems with `threads` threads, checks their
 * outputs, and times `rounds` rounds of every workload. */
async function inPage({ threads, rounds, workloads, quietMs }) {
  if (!crossOriginIsolated) throw new Error('the benchmark page is not cross-origin isolated');
  const mod = await import('/pkg/webgpu-hopfield/emergence_lab.js');
  await mod.default();
  const { loadBuild } = await import('/common.js');
  const { ModernPool } = await import('/modern-pool.js');
  const { modernUpdateModel } = await import('/peers/onnx-model.mjs');
  const build = await loadBuild('webgpu-hopfield');
  const ort = globalThis.ort, tf = globalThis.tf;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = '/peers/node_modules/onnxruntime-web/dist/';
  tf.wasm.setWasmPaths('/peers/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  tf.wasm.setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js: the wasm backend did not start');
  await tf.ready();

  /** The three systems holding X (n × d): each `run(queries, q, beta)` resolves to {state, p}. */
  async function systems(x, n, d, q, beta) {
    const lab = threads === 1 ? new mod.ModernUpdate(x, n, d) : await ModernPool.create(build, x, n, d, threads);
    const session = await ort.InferenceSession.create(modernUpdateModel(x, n, d, q, beta), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const X = tf.tensor2d(x, [n, d]);
    const XT = tf.transpose(X); // TensorFlow.js's fast matMul path wants the right factor as k × n
    return {
      lab: { run: async (queries) => lab.update(queries, q, beta), free: () => lab.free() },
      ort: {
        run: async (queries) => {
          const out = await session.run({ queries: new ort.Tensor('float32', queries, [q, d]) });
          const r = { state: out.state.data, p: out.p.data };
          out.state.dispose?.(); out.p.dispose?.();
          return r;
        },
        free: () => session.release(),
      },
      tfjs: {
        run: async (queries) => {
          const [s, p] = tf.tidy(() => {
            const P = tf.softmax(tf.mul(tf.matMul(tf.tensor2d(queries, [q, d]), XT), beta));
            return [tf.matMul(P, X), P];
          });
          const r = { state: await s.data(), p: await p.data() };
          s.dispose(); p.dispose();
          return r;
        },
        free: () => { X.dispose(); XT.dispose(); },
      },
    };
  }

  // Worst-case f32 bounds between two implementations (each within them of the exact update):
  // every score β ξ·x_n is off by at most B = |β| γ_d Σ_k |ξ_k x_nk| ≤ |β| γ_d d max|ξ| max|x|
  // (γ_d = d u / (1 − d u), u = 2⁻²⁴, for any summation order), so the two softmaxes differ by a
  // factor within e^{±4B}, plus a few roundings of the exponentials (8u); a state component
  // Σ_n p_n x_nk then differs by at most ((e^{4B} − 1) + 8u + 2γ_N) max|x|.
  const U = 2 ** -24;
  const gamma = (k) => (k * U) / (1 - k * U);
  const maxAbs = (v) => v.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
  function compare(ref, other, x, queries, n, d, beta) {
    const B = Math.abs(beta) * gamma(d) * d * maxAbs(queries) * maxAbs(x);
    const rel = Math.expm1(4 * B) + 8 * U;
    let dp = 0, ds = 0, okP = true;
    for (let i = 0; i < ref.p.length; i++) {
      const e = Math.abs(ref.p[i] - other.p[i]);
      dp = Math.max(dp, e);
      if (e > rel * Math.max(ref.p[i], other.p[i]) + 1e-38) okP = false;
    }
    for (let i = 0; i < ref.state.length; i++) ds = Math.max(ds, Math.abs(ref.state[i] - other.state[i]));
    const stateTol = (rel + 2 * gamma(n)) * maxAbs(x);
    return { maxAbsP: dp, maxAbsState: ds, pRelTolerance: rel, stateTolerance: stateTol, ok: okP && ds <= stateTol };
  }

  // A peaked case: stored ±1 patterns, queries are stored patterns with 20 % of their signs
  // flipped, β = 0.02: the target's score is 0.6 d ≈ 614, the others' about N(0, d), so the
  // target's e^{0.02·614} ≈ 2·10⁵ outweighs the others' total ≈ 2000·e^{0.02²·d/2} ≈ 2.5·10³:
  // it holds about 99 % of p, the rest spread thin. A wrong score or softmax would show, and p
  // is not saturated (at β = 0.05 it would be exactly one-hot in f32).
  function peakedCase() {
    let s = 12345n;
    const next = () => { s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn; return Number(s >> 40n) / 2 ** 24; };
    const n = 2000, d = 1024, q = 8, beta = 0.02;
    const x = Float32Array.from({ length: n * d }, () => (next() < 0.5 ? -1 : 1));
    const queries = new Float32Array(q * d);
    for (let r = 0; r < q; r++) for (let k = 0; k < d; k++) queries[r * d + k] = x[(r * 97) * d + k] * (next() < 0.2 ? -1 : 1);
    return { x, n, d, q, beta, queries };
  }

  const out = { threads, tfThreads: tf.wasm.getThreadsCount(), ortThreads: ort.env.wasm.numThreads, labThreads: threads, checks: {}, times: {}, fingerprints: {} };
  {
    const c = peakedCase();
    const sys = await systems(c.x, c.n, c.d, c.q, c.beta);
    const ref = await sys.lab.run(c.queries);
    out.checks.peaked = { maxP: maxAbs(ref.p) };
    for (const peer of ['ort', 'tfjs']) out.checks.peaked[peer] = compare(ref, await sys[peer].run(c.queries), c.x, c.queries, c.n, c.d, c.beta);
    for (const s of Object.values(sys)) s.free();
  }
  for (const w of workloads) {
    const data = mod.bench_modern_workload(w.d, w.n, w.q);
    const sys = await systems(data.x, w.n, w.d, w.q, data.beta);
    const names = Object.keys(sys);
    const ref = await sys.lab.run(data.queries);
    out.fingerprints[w.key] = mod.bench_fingerprint(ref.state, ref.p);
    out.checks[w.key] = {};
    for (const peer of ['ort', 'tfjs']) out.checks[w.key][peer] = compare(ref, await sys[peer].run(data.queries), data.x, data.queries, w.n, w.d, data.beta);
    for (const name of names) for (let i = 0; i < 3; i++) await sys[name].run(data.queries); // warm up (V8 tiers, thread pools)
    const times = Object.fromEntries(names.map((name) => [name, []]));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + r) % names.length];
        const calls = [];
        await new Promise((resolve) => setTimeout(resolve, quietMs));
        for (let c = 0; c < w.calls; c++) {
          const t0 = performance.now();
          await sys[name].run(data.queries);
          calls.push(performance.now() - t0);
        }
        calls.sort((a, b) => a - b);
        times[name].push(calls[calls.length >> 1]);
      }
    }
    out.times[w.key] = times;
    for (const s of Object.values(sys)) s.free();
  }
  return out;
}

const summary = (v) => { const s = [...v].sort((a, b) => a - b); return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] }; };
const ms = (r) => `${r.median.toFixed(1)} ms (${r.min.toFixed(1)}–${r.max.toFixed(1)})`;

ensurePeers();
if (!fs.existsSync(path.join(ROOT, 'dist', 'pkg', 'webgpu-hopfield', 'emergence_lab.js'))) {
  console.error('bench-peers: dist/ is missing; run bash scripts/build.sh first');
  process.exit(1);
}
const nat = native();
const np = numpy();
const json = { rounds: ROUNDS, native: nat, numpy: np, browser: [] };
let allFaster = true, allChecks = true, sameBits = true;
for (const threads of [1, 2]) {
  const lab = await startLab({ isolated: true, mounts: { '/peers/': PEERS } });
  try {
    const page = await lab.context.newPage();
    if (threads > 1) await page.addInitScript((cores) => Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => cores }), 2 * threads);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${lab.base}peers/bench.html`);
    const r = await page.evaluate(inPage, { threads, rounds: ROUNDS, workloads: WORKLOADS, quietMs: QUIET_MS });
    if (errors.length) console.log(`bench-peers: page errors: ${errors.join(' / ')}`);
    json.browser.push(r);
    console.log(`\nbench-peers, ${threads} thread${threads > 1 ? 's' : ''} (lab: ${threads === 1 ? "the page's thread" : `its pool of ${threads} workers`}; ONNX Runtime Web ${r.ortThreads}; TensorFlow.js ${r.tfThreads}), medians of ${ROUNDS} rounds (range):`);
    for (const w of WORKLOADS) {
      const t = Object.fromEntries(Object.entries(r.times[w.key]).map(([k, v]) => [k, summary(v)]));
      const ratio = (peer) => t[peer].median / t.lab.median;
      const faster = ratio('ort') > 1 && ratio('tfjs') > 1;
      allFaster &&= faster;
      console.log(`  ${w.label}: lab ${ms(t.lab)}; ONNX Runtime Web ${ms(t.ort)} = ${ratio('ort').toFixed(2)}× the lab's time; TensorFlow.js ${ms(t.tfjs)} = ${ratio('tfjs').toFixed(2)}×; lab faster than both: ${faster ? 'yes' : 'NO'}`);
      const same = r.fingerprints[w.key] === nat.fingerprints[w.key];
      sameBits &&= same;
      const c = r.checks[w.key];
      allChecks &&= c.ort.ok && c.tfjs.ok;
      console.log(`    outputs: the lab's bits are the native kernel's: ${same ? 'yes' : 'NO'} (${r.fingerprints[w.key]}); max |Δp|, |Δstate| against the lab: ONNX Runtime ${c.ort.maxAbsP.toExponential(1)}, ${c.ort.maxAbsState.toExponential(1)}; TensorFlow.js ${c.tfjs.maxAbsP.toExponential(1)}, ${c.tfjs.maxAbsState.toExponential(1)} (within the f32 bounds, p relative ${c.ort.pRelTolerance.toExponential(1)}, state ${c.ort.stateTolerance.toExponential(1)}: ${c.ort.ok && c.tfjs.ok ? 'yes' : 'NO'})`);
    }
    const p = r.checks.peaked;
    allChecks &&= p.ort.ok && p.tfjs.ok;
    console.log(`  peaked case (2000 stored ±1 patterns, d = 1024, 8 queries with 20 % flipped, β = 0.02; largest p ${p.maxP.toFixed(4)}): max |Δp|, |Δstate|: ONNX Runtime ${p.ort.maxAbsP.toExponential(1)}, ${p.ort.maxAbsState.toExponential(1)}; TensorFlow.js ${p.tfjs.maxAbsP.toExponential(1)}, ${p.tfjs.maxAbsState.toExponential(1)} (within the f32 bounds, p relative ${p.ort.pRelTolerance.toExponential(1)}, state ${p.ort.stateTolerance.toExponential(1)}: ${p.ort.ok && p.tfjs.ok ? 'yes' : 'NO'})`);
  } finally {
    await lab.close();
  }
}
const scale = [`native (one thread): batch ${nat.batch.ms.toFixed(1)} ms, one 64×64 query ${nat.single_64x64.ms.toFixed(1)} ms; on ${nat.threads.count} threads ${nat.threads.batch_ms.toFixed(1)} ms and ${nat.threads.single_64x64_ms.toFixed(1)} ms`];
if (np) scale.push(`numpy ${np.threads.numpy} float32 (${np.threads.blas.join('; ')}): batch ${np.threads.batch.ms.toFixed(1)} ms with its default threads, ${np.one.batch.ms.toFixed(1)} ms with one; one 64×64 query ${np.threads.single_64x64.ms.toFixed(1)} ms and ${np.one.single_64x64.ms.toFixed(1)} ms`);
console.log(`\nfor scale, the same workloads outside the browser in this run: ${scale.join('; ')}`);
console.log(`bench-peers: the lab faster than both peers on both workloads with 1 and 2 threads: ${allFaster ? 'yes' : 'NO'}; the lab's outputs the native kernel's bits: ${sameBits ? 'yes' : 'NO'}; the peers within the f32 bounds: ${allChecks ? 'yes' : 'NO'}`);
console.log(`bench-peers-json: ${JSON.stringify(json)}`);
