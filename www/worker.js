// Long runs off the main thread. Messages in:
//   {kind: 'batch', query, runs}                               many runs of the page's setup
//   {kind: 'reproduce', figure, seed, runs, worker, workers}    this worker's share of a figure
//   {kind: 'trajectories', query, runs, points, traditional}    sortedness per swap of many runs
//   {kind: 'dendrites-sim', requests, seed, trials}               a figure's simulated points:
//        posts {progress}, then {point: i, estimate} per point, then {finished: true}
//   {kind: 'hopfield-capacity', model, order, beta, neurons, patterns: [P…], tests, flip, seed}
//        posts {progress}, then {point: summary} per P, then {finished: true}
//   {kind: 'hopfield-extras', query, stripBetas, forkBetas}   the β strip, the pitchfork, the
//        softmax entropy against β and the separation view of the page's session (rebuilt from
//        its URL): posts {progress}, then {extras: {strip, fork, entropy, separation}}
//   {kind: 'hopfield-accuracy', query, perLevel}   retrieval accuracy against corruption for the
//        page's session: posts {progress}, then {curve}
//   {kind: 'modern-shard', id, x, n, d, first, count}   keep these segments' rows (modern pool,
//        www/modern-pool.js): posts {id}
//   {kind: 'modern-shard-update', id, queries, q, beta, keepDots, first?, count?}  posts {id,
//        scalars, states, numerators, dots} (dots empty unless keepDots) of the shard's segments,
//        or of segments first .. first + count of the plan
//   {kind: 'modern-shard-whole', id, queries, q, beta, keepDots}  a shard that holds every
//        segment: posts {id, state, p, dots}, the whole update of these queries
//   {kind: 'modern-shard-dots', id, state, first?, count?}  posts {id, dots} (this shard's rows,
//        or those segments')
//   {kind: 'modern-shard-first-pass', id, query, beta, keepDots, first?, count?, withTop?}  the
//        first of one query's two passes: posts {id, scalars, numerators, dots, bounds}, and with
//        withTop {top, topState}: the segment among its own that would be the top, and its state
//   {kind: 'modern-shard-states', id, segments}  after a first pass: posts {id, states}, those
//        segments' states (d values each)
//   {kind: 'modern-shard-signal', id, ctrl, query, result, slot, segments, rows, first?, count?}
//        posts {id}, then waits in Atomics.wait and runs one query's first passes (with the top
//        state) as the page signals them through shared memory, until it signals LEAVE
//        (www/modern-signal.js); only in a cross-origin isolated page
// Messages out: {progress: 0..1} now and then, then {summary, csv}, {rows} or {trajectories},
// or {error} (with the request's id where it had one).
// The page cancels by terminating the worker.
//
// The page names its build in the worker's URL (worker.js?build=webgpu-hopfield): the worker
// loads the same module (from the cache), which has the bindings of the page's experiment. The
// default is the WebGL2 build, which has every experiment. A job a build cannot run, or a kind no
// one knows, is answered with {error} naming it, never sent to the wrong handle.
import { COMMAND, DONE, GEN, KEEP_DOTS, LEAVE, resultLayout, writeResult } from './modern-signal.js';

const BUILD = (() => {
  const asked = new URL(self.location.href).searchParams.get('build') ?? '';
  return /^(webgpu-[a-z0-9-]+|webgl)$/.test(asked) ? asked : 'webgl';
})();
let mod = null;
let ownShard = null; // this worker's ModernShard, when it belongs to a modern pool

/** This worker's shard of a modern pool; throws where the pool never sent it one. */
function heldShard() {
  if (!ownShard) throw new Error('modern pool: this worker holds no patterns');
  return ownShard;
}

/** A thrown value as the text sent back to the page. */
function errorText(e) {
  return String(e && e.message ? e.message : e);
}

const ready = (async () => {
  mod = await import(`./pkg/${BUILD}/emergence_lab.js`);
  await mod.default({ module_or_path: new URL(`./pkg/${BUILD}/emergence_lab_bg.wasm`, import.meta.url) });
})();

function loop(job, total, step, finish) {
  let last = 0;
  while (job.done() < total) {
    step();
    const now = performance.now();
    if (now - last > 50) {
      self.postMessage({ progress: job.done() / total, done: job.done() });
      last = now;
    }
  }
  self.postMessage({ progress: 1, done: total });
  finish();
}

// Importance sampling costs more per sample and needs fewer: a tenth, at most 200,000.
const IMPORTANCE_SHARE = 0.1, IMPORTANCE_MAX = 200000, CHUNK_MS = 40;

function simulatePoints({ requests, seed, trials }) {
  const plainN = Math.max(1, Math.floor(Number(trials) || 1e6));
  const sizes = requests.map((r) => (r.importance ? Math.min(IMPORTANCE_MAX, Math.max(1000, Math.floor(plainN * IMPORTANCE_SHARE))) : plainN));
  const total = sizes.reduce((a, b) => a + b, 0);
  let before = 0, last = 0;
  requests.forEach((request, i) => {
    const sim = new mod.DendritesSimulation(request.kind, String(seed ?? '1'), i, !!request.importance);
    const n = sizes[i];
    let done = 0, chunk = 1000;
    while (done < n) {
      const t = performance.now();
      done = sim.run(Math.min(chunk, n - done));
      const spent = performance.now() - t;
      // Aim for chunks of about CHUNK_MS so progress flows and the worker stays responsive.
      chunk = Math.max(100, Math.min(50000000, Math.round(chunk * Math.min(4, CHUNK_MS / Math.max(spent, 0.1)))));
      const now = performance.now();
      if (now - last > 50) { self.postMessage({ progress: (before + done) / total }); last = now; }
    }
    before += n;
    self.postMessage({ point: i, estimate: sim.estimate() });
    sim.free();
  });
  self.postMessage({ progress: 1 });
  self.postMessage({ finished: true });
}

function capacityCurve({ model, order, beta, neurons, patterns, tests, flip, seed }) {
  // Work grows with P: weight progress by P × tests.
  const total = patterns.reduce((a, p) => a + p * tests, 0);
  let before = 0, last = 0;
  for (const p of patterns) {
    const job = new mod.HopfieldCapacity(String(model), order | 0, Number(beta) || 1, neurons | 0, p | 0, tests | 0, flip | 0, String(seed ?? '1'));
    let done = 0;
    while ((done = job.run_next()) < job.total()) {
      const now = performance.now();
      if (now - last > 50) { self.postMessage({ progress: (before + p * done) / total }); last = now; }
    }
    before += p * tests;
    self.postMessage({ progress: before / total });
    self.postMessage({ point: job.summary() });
    job.free();
  }
  self.postMessage({ finished: true });
}

// The pitchfork in chunks of β, so progress flows (each chunk finds the same pair of patterns).
const FORK_CHUNK = 6;
function hopfieldExtras({ query, stripBetas, forkBetas }) {
  const lab = new mod.HopfieldLab(String(query ?? ''));
  try {
    const strip = lab.beta_strip_picture(Float64Array.from(stripBetas));
    const chunks = Math.max(1, Math.ceil(forkBetas.length / FORK_CHUNK));
    self.postMessage({ progress: 1 / (chunks + 1) });
    let fork = null;
    for (let c = 0; c < chunks; c++) {
      const part = lab.pitchfork(Float64Array.from(forkBetas.slice(c * FORK_CHUNK, (c + 1) * FORK_CHUNK)));
      if (!fork) fork = part; else fork.points.push(...part.points);
      self.postMessage({ progress: (c + 2) / (chunks + 1) });
    }
    const entropy = lab.entropy(Float64Array.from(forkBetas));
    const separation = lab.separation();
    self.postMessage({ extras: { strip, fork, entropy, separation } }, [strip.buffer]);
  } finally {
    lab.free();
  }
}

function hopfieldAccuracy({ query, perLevel }) {
  const lab = new mod.HopfieldLab(String(query ?? ''));
  let job = null;
  try {
    job = lab.accuracy_job(Math.max(1, Math.min(1000, perLevel | 0)));
    const total = job.total();
    let done = 0, last = 0;
    while (done < total) {
      done = job.run_next();
      const now = performance.now();
      if (now - last > 50) { self.postMessage({ progress: done / total }); last = now; }
    }
    self.postMessage({ progress: 1 });
    self.postMessage({ curve: job.curve() });
  } finally {
    job?.free();
    lab.free();
  }
}

function batch(data) {
  const job = new mod.SortingBatch(String(data.query ?? ''), Math.max(1, Math.min(100000, Number(data.runs) || 100)));
  const total = job.total();
  loop(job, total, () => job.run_next(1), () => self.postMessage({ summary: job.summary(), csv: job.csv() }));
  job.free();
}

function trajectories(data) {
  const job = new mod.SortingTrajectories(String(data.query ?? ''), Number(data.runs) || 30, Number(data.points) || 200, !!data.traditional);
  loop(job, job.total(), () => job.run_next(), () => self.postMessage({ trajectories: Array.from(job.trajectories(), (p) => Array.from(p)) }));
  job.free();
}

function reproduce(data) {
  const job = new mod.SortingReproduce(String(data.figure), String(data.seed ?? '1'), Number(data.runs) || 100, data.worker | 0, Math.max(1, data.workers | 0));
  const total = job.total_runs();
  loop({ done: () => job.done_runs() }, total, () => job.run_next(5), () => self.postMessage({ rows: job.rows(), conditions: job.figure_conditions() }));
  job.free();
}

function modernShard(data) {
  ownShard?.free();
  ownShard = null;
  ownShard = new mod.ModernShard(data.x, data.n, data.d, data.first, data.count);
  self.postMessage({ id: data.id });
}

function modernShardUpdate(data) {
  const shard = heldShard();
  const r = shard.update(data.queries, data.q, data.beta, Boolean(data.keepDots), data.first, data.count);
  self.postMessage({ id: data.id, ...r }, [r.scalars.buffer, r.states.buffer, r.numerators.buffer, r.dots.buffer]);
}

function modernShardWhole(data) {
  const shard = heldShard();
  const r = shard.update_merged(data.queries, data.q, data.beta, Boolean(data.keepDots));
  self.postMessage({ id: data.id, ...r }, [r.state.buffer, r.p.buffer, r.dots.buffer]);
}

function modernShardDots(data) {
  const shard = heldShard();
  const dots = shard.dots(data.state, data.first, data.count);
  self.postMessage({ id: data.id, dots }, [dots.buffer]);
}

function modernShardFirstPass(data) {
  const shard = heldShard();
  const r = shard.first_pass(data.query, data.beta, Boolean(data.keepDots), data.first, data.count, Boolean(data.withTop));
  const buffers = [r.scalars.buffer, r.numerators.buffer, r.dots.buffer, r.bounds.buffer];
  if (r.topState) buffers.push(r.topState.buffer);
  self.postMessage({ id: data.id, ...r }, buffers);
}

function modernShardSignal(data) {
  const shard = heldShard();
  const ctrl = new Int32Array(data.ctrl), query = new Float32Array(data.query);
  const d = query.length - 1, slot = data.slot | 0;
  const layout = resultLayout(data.segments, data.rows, d);
  if (data.result.byteLength < layout.bytes) throw new Error('modern pool: a result buffer too small for this shard');
  let seen = Atomics.load(ctrl, GEN);
  self.postMessage({ id: data.id });
  // Blocks this worker's event loop until LEAVE: messages wait meanwhile (the pool signals LEAVE
  // before it posts any).
  for (;;) {
    Atomics.wait(ctrl, GEN, seen);
    seen = Atomics.load(ctrl, GEN);
    if (Atomics.load(ctrl, COMMAND) === LEAVE) {
      Atomics.store(ctrl, DONE + slot, seen);
      Atomics.notify(ctrl, DONE + slot);
      return;
    }
    try {
      const r = shard.first_pass(query.subarray(0, d), query[d], Atomics.load(ctrl, KEEP_DOTS) === 1, data.first, data.count, true);
      writeResult(data.result, layout, r);
    } catch (e) {
      writeResult(data.result, layout, null, errorText(e));
    }
    Atomics.store(ctrl, DONE + slot, seen);
    Atomics.notify(ctrl, DONE + slot);
  }
}

function modernShardStates(data) {
  const shard = heldShard();
  const states = shard.segment_states(Uint32Array.from(data.segments));
  self.postMessage({ id: data.id, states }, [states.buffer]);
}

// The jobs: kind → [the export of the build it needs, the function that runs it].
const JOBS = {
  batch: ['SortingBatch', batch],
  trajectories: ['SortingTrajectories', trajectories],
  reproduce: ['SortingReproduce', reproduce],
  'dendrites-sim': ['DendritesSimulation', simulatePoints],
  'hopfield-capacity': ['HopfieldCapacity', capacityCurve],
  'hopfield-extras': ['HopfieldLab', hopfieldExtras],
  'hopfield-accuracy': ['HopfieldLab', hopfieldAccuracy],
  'modern-shard': ['ModernShard', modernShard],
  'modern-shard-update': ['ModernShard', modernShardUpdate],
  'modern-shard-whole': ['ModernShard', modernShardWhole],
  'modern-shard-dots': ['ModernShard', modernShardDots],
  'modern-shard-first-pass': ['ModernShard', modernShardFirstPass],
  'modern-shard-states': ['ModernShard', modernShardStates],
  'modern-shard-signal': ['ModernShard', modernShardSignal],
};

self.onmessage = async ({ data }) => {
  try {
    await ready;
    const kind = String(data?.kind ?? '');
    const job = Object.hasOwn(JOBS, kind) ? JOBS[kind] : null;
    if (!job) throw new Error(`unknown job kind "${kind.slice(0, 40)}"; this worker runs ${Object.keys(JOBS).join(', ')}`);
    const [needs, run] = job;
    if (typeof mod[needs] !== 'function') throw new Error(`the job "${kind}" needs ${needs}, which the ${BUILD} build does not carry`);
    run(data);
  } catch (e) {
    self.postMessage({ id: data?.id, error: errorText(e) });
  }
};
