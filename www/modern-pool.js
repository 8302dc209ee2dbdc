// A pool of Web Workers that computes the modern Hopfield update together: the CPU path on every
// core, without SharedArrayBuffer (so it works in any page, embeds included). The stored patterns
// are cut into the fixed segments of `hopfield::kernels::segments` (at most 8, whole cache
// blocks). Two ways to share the work, both with the bits of the single-threaded update
// (`hopfield_modern_update`, the session's own step) whatever the pool's size:
// - by queries, where X is small enough for every worker to hold a copy (at most WHOLE_VALUES
//   values, 64 MiB) and a batch has at least two queries: the batch is cut into chunks of
//   consecutive queries, one per worker (see #byQueries), and each worker computes its
//   chunk's whole update (ModernShard.update_merged); a query's result does not depend on the
//   others in its batch, so there is nothing to merge;
// - by patterns (one query, or X too large to copy): each worker computes its consecutive
//   segments (all the rows it holds, or its share where it holds all of X) and returns their
//   parts; the page merges them in segment order: the states and one factor per block in wasm
//   (hopfield_modern_merge_states), then every weight here, from the numerators where they
//   arrived (p = e · f, rounded to f32 by the Float32Array's store as Rust's `as f32` rounds).
//   After one query whose softmax was peaked (one pattern holding all but about 2⁻²⁴ of the
//   weight: a retrieval step), the next one query takes two passes (#twoPasses): every worker's
//   scores first, with the state of the one segment whose weights matter (each worker computes
//   its own would-be top's, so it comes in the same round trip), and the other segments' only
//   where the bounds say they could change a bit: the same bits, about one read of X instead of
//   two (hopfield::kernels::OneQueryPath::TwoPass). Where the page is cross-origin isolated, that
//   first pass is signalled through shared memory instead of messages (www/modern-signal.js):
//   the workers wait in Atomics.wait between steps and leave that wait before any message.
import { labWorker } from './common.js';
import { canSignal, DONE, FIRST_PASS, GEN, KEEP_DOTS, COMMAND, LEAVE, STOPPED, readResult, resultLayout, waitFor } from './modern-signal.js';

/** The most pattern values a worker copies so that it can take any of a batch's queries. */
export const WHOLE_VALUES = 1 << 24;

/** The typed arrays `arrays`, one after another, in one new `Type` array (the workers' shares
 * in segment order). */
function concat(Type, arrays) {
  const out = new Type(arrays.reduce((a, v) => a + v.length, 0));
  let at = 0;
  for (const v of arrays) { out.set(v, at); at += v.length; }
  return out;
}

export class ModernPool {
  #queue = Promise.resolve();

  /** `mod`: the page's build (common.js loadBuild); `x`: the stored patterns (n × d, row-major).
   * Starts `size` workers (at most one per segment) and hands each its rows: all of them when
   * `whole` (default: when n·d ≤ WHOLE_VALUES and there are two workers or more), else the rows
   * of its consecutive segments. */
  static async create(mod, x, n, d, size = navigator.hardwareConcurrency || 2, { whole } = {}) {
    if (!mod.ModernShard || !mod.hopfield_modern_segments || !mod.hopfield_modern_merge_states || !mod.hopfield_modern_two_pass_top) throw new Error('this build has no modern-update pool');
    if (x.length !== n * d) throw new Error(`modern pool: ${x.length} pattern values for N = ${n}, d = ${d}`);
    const plan = mod.hopfield_modern_segments(n, d);
    const segments = plan.length / 2;
    const count = Math.max(1, Math.min(size | 0, segments));
    const copies = whole ?? (count > 1 && n * d <= WHOLE_VALUES);
    const pool = new ModernPool(mod, n, d, plan, copies);
    try {
      const ready = [];
      for (let w = 0; w < count; w++) {
        const first = Math.floor((w * segments) / count), end = Math.floor(((w + 1) * segments) / count);
        pool.shares.push([first, end]);
        const rows = copies ? x.slice() : x.slice(plan[2 * first] * d, plan[2 * end - 1] * d);
        const worker = pool.#start();
        const held = copies ? { first: 0, count: segments } : { first, count: end - first };
        ready.push(pool.#call(worker, { kind: 'modern-shard', x: rows, n, d, ...held }, [rows.buffer]));
      }
      await Promise.all(ready);
      if (canSignal() && d % 4 === 0) pool.#shareMemory();
    } catch (e) {
      pool.free();
      throw e;
    }
    return pool;
  }

  /** The shared buffers of a signalled first pass: control words, the query and β, and one
   * result buffer per worker sized for its segments. */
  #shareMemory() {
    const { d, plan } = this;
    const layouts = this.shares.map(([first, end]) => resultLayout(end - first, plan[2 * end - 1] - plan[2 * first], d));
    this.signal = {
      ctrl: new Int32Array(new SharedArrayBuffer(4 * (DONE + this.workers.length))),
      query: new Float32Array(new SharedArrayBuffer(4 * (d + 1))),
      results: layouts.map((l) => new SharedArrayBuffer(l.bytes)),
      layouts,
      waiting: false,
    };
  }

  /** One query's first pass on every worker through shared memory: the workers enter their
   * wait the first time (a message each), then each pass is a write, a wake-up and a wait. */
  async #signalledFirstPass(query, beta, keepDots) {
    const s = this.signal;
    if (!s.waiting) {
      await Promise.all(this.workers.map((w, i) => this.#call(w, {
        kind: 'modern-shard-signal', ctrl: s.ctrl.buffer, query: s.query.buffer, result: s.results[i], slot: i,
        segments: s.layouts[i].capacity.segments, rows: s.layouts[i].capacity.rows, ...this.#own(i),
      })));
      s.waiting = true;
    }
    s.query.set(query);
    s.query[this.d] = beta;
    Atomics.store(s.ctrl, COMMAND, FIRST_PASS);
    Atomics.store(s.ctrl, KEEP_DOTS, keepDots ? 1 : 0);
    const gen = Atomics.add(s.ctrl, GEN, 1) + 1;
    Atomics.notify(s.ctrl, GEN);
    await Promise.all(this.workers.map((_, i) => waitFor(s.ctrl, DONE + i, gen)));
    return this.workers.map((_, i) => readResult(s.results[i], s.layouts[i]));
  }

  /** Before any message to the workers: ends their shared-memory wait where they are in it. */
  async #endSharedWait() {
    const s = this.signal;
    if (!s?.waiting) return;
    s.waiting = false;
    Atomics.store(s.ctrl, COMMAND, LEAVE);
    const gen = Atomics.add(s.ctrl, GEN, 1) + 1;
    Atomics.notify(s.ctrl, GEN);
    await Promise.all(this.workers.map((_, i) => waitFor(s.ctrl, DONE + i, gen)));
  }

  constructor(mod, n, d, plan, whole) {
    this.mod = mod; this.n = n; this.d = d;
    this.plan = plan; // [n0, n1, n0, n1, …]: the segments' rows
    this.whole = whole; // every worker holds all of X (a batch is split by queries)
    this.shares = []; // [first, end): the segments each worker holds, in the workers' order
    this.workers = [];
    this.pending = new Map(); // id → {resolve, reject}
    this.nextId = 1;
    this.peaked = false; // the last one query's softmax was peaked: the next takes two passes
    // How the last one query went: null (one pass), 'top' (the top segment's state came with the
    // first pass), 'top-asked' (in a second round trip) or 'all'.
    this.lastTwoPasses = null;
    // Shared memory for one query's first pass (cross-origin isolated pages, d a multiple of 4):
    // {ctrl, query, results, layouts, waiting} where `waiting` is whether the workers wait in
    // Atomics.wait; null where the pool uses messages only.
    this.signal = null;
  }

  /** Whether one query's first pass is signalled through shared memory (see modern-signal.js). */
  get signalled() { return this.signal !== null; }

  get size() { return this.workers.length; }

  /** One modern update of `q` queries (Float32Array, q × d) at β: `{state, p}` as from
   * hopfield_modern_update, and with `keepDots` also `dots` (q × N): the queries' dot products
   * with every stored pattern, which the update computes anyway and the energy of the queries
   * needs (HopfieldLab.step_with). */
  update(queries, q, beta, keepDots = false) {
    return this.#serial(() => this.#update(queries, q, beta, keepDots));
  }

  async #update(queries, q, beta, keepDots) {
    if (!this.workers.length) throw new Error('modern pool: already freed');
    if (queries.length !== q * this.d) throw new Error(`modern pool: ${queries.length} query values for Q = ${q}, d = ${this.d}`);
    const twoPasses = q === 1 && this.peaked && this.d % 4 === 0;
    if (!(twoPasses && this.signal)) await this.#endSharedWait();
    if (this.whole && q >= 2) return this.#byQueries(queries, q, beta, keepDots);
    this.lastTwoPasses = null;
    const { scalars, ...r } = twoPasses ? await this.#twoPasses(queries, beta, keepDots) : await this.#byPatterns(queries, q, beta, keepDots);
    if (q === 1) this.peaked = this.mod.hopfield_modern_peaked(this.n, this.d, scalars);
    return r;
  }

  /** One query in two passes: each worker's first pass over its segments (scores, numerators,
   * factors, a bound on |x| per segment), then the top segment's state from the worker that
   * holds it, and every other segment's only where hopfield_modern_top_suffices says the merge
   * needs them (zeros otherwise, which merge to the same bits). */
  async #twoPasses(query, beta, keepDots) {
    const { n, d } = this;
    // Each worker also computes the state of its own would-be top segment with its first pass,
    // where that is a few block shares (a peaked segment: one): the whole query's top is the
    // holder's own (ModernShard.local_top), so its state is here without a second round trip.
    // A worker whose segments are flat sends none (it would read its top's rows again, an
    // eighth of X, for a state the merge does not need).
    const parts = this.signal
      ? await this.#signalledFirstPass(query, beta, keepDots)
      : await Promise.all(this.workers.map((w, i) => this.#call(w, { kind: 'modern-shard-first-pass', query, beta, keepDots, withTop: true, ...this.#own(i) })));
    const scalars = concat(Float64Array, parts.map((p) => p.scalars)), bounds = concat(Uint32Array, parts.map((p) => p.bounds));
    const segments = this.plan.length / 2;
    const top = this.mod.hopfield_modern_two_pass_top(n, d, scalars);
    const holder = this.shares.findIndex(([first, end]) => top >= first && top < end);
    if (holder < 0) throw new Error(`modern pool: no worker holds segment ${top}`);
    let topState = parts[holder].top === top ? parts[holder].topState : null;
    this.lastTwoPasses = 'top';
    if (topState?.length !== d) {
      // The top segment is flat within itself (the update is not peaked after all): ask for
      // its state. The same bits either way.
      await this.#endSharedWait();
      ({ states: topState } = await this.#call(this.workers[holder], { kind: 'modern-shard-states', segments: [top] }));
      this.lastTwoPasses = 'top-asked';
    }
    const states = new Float32Array(segments * d);
    states.set(topState, top * d);
    if (!this.mod.hopfield_modern_top_suffices(n, d, scalars, bounds, topState)) {
      this.lastTwoPasses = 'all';
      await this.#endSharedWait();
      await Promise.all(this.workers.map(async (w, i) => {
        const [first, end] = this.shares[i];
        const own = Array.from({ length: end - first }, (_, k) => first + k);
        const { states: got } = await this.#call(w, { kind: 'modern-shard-states', segments: own });
        if (got.length !== own.length * d) throw new Error('modern pool: a worker returned too few values');
        states.set(got, first * d);
      }));
    }
    const { state, blockRows, factors } = this.mod.hopfield_modern_merge_states(n, d, 1, scalars, states);
    return { state, scalars, ...this.#weights(parts, 1, blockRows, factors, keepDots) };
  }

  /** One chunk of consecutive queries per worker (fewer when the batch is smaller), written
   * where it belongs. Smaller chunks, taken by whichever worker is free, were slower: each chunk
   * is one more pass over X from memory (Chromium, 2 cores, 100 queries, N = 10,000, d = 1024:
   * 1, 2, 3 and 5 chunks per worker took 54, 76, 70 and 86 ms, medians of 7 interleaved
   * rounds). */
  async #byQueries(queries, q, beta, keepDots) {
    const { n, d } = this;
    const state = new Float32Array(q * d), p = new Float32Array(q * n), dots = keepDots ? new Float32Array(q * n) : null;
    const chunks = Math.min(q, this.workers.length);
    await Promise.all(this.workers.slice(0, chunks).map(async (worker, c) => {
      const r0 = Math.floor((c * q) / chunks), r1 = Math.floor(((c + 1) * q) / chunks);
      const part = await this.#call(worker, { kind: 'modern-shard-whole', queries: queries.slice(r0 * d, r1 * d), q: r1 - r0, beta, keepDots });
      if (part.state.length !== (r1 - r0) * d || part.p.length !== (r1 - r0) * n || (dots && part.dots.length !== (r1 - r0) * n)) throw new Error('modern pool: a worker returned too few values');
      state.set(part.state, r0 * d);
      p.set(part.p, r0 * n);
      if (dots) dots.set(part.dots, r0 * n);
    }));
    return dots ? { state, p, dots } : { state, p };
  }

  /** Each worker's segments, merged here in segment order. */
  async #byPatterns(queries, q, beta, keepDots) {
    const parts = await Promise.all(this.workers.map((w, i) => this.#call(w, { kind: 'modern-shard-update', queries, q, beta, keepDots, ...this.#own(i) })));
    const join = (Type, key) => concat(Type, parts.map((p) => p[key]));
    const scalars = join(Float64Array, 'scalars');
    const { state, blockRows, factors } = this.mod.hopfield_modern_merge_states(this.n, this.d, q, scalars, join(Float32Array, 'states'));
    return { state, scalars, ...this.#weights(parts, q, blockRows, factors, keepDots) };
  }

  /** The segments worker `i` computes when the pool splits by patterns: `{first, count}` of its
   * share where it holds every segment; nothing (all it holds) otherwise. */
  #own(i) {
    const [first, end] = this.shares[i];
    return this.whole ? { first, count: end - first } : {};
  }

  /** The softmax weights p (Q × N) from the workers' numerators and the merge's factors (one
   * per block of every query, segment by segment, query by query), and with `keepDots` the dot
   * products (Q × N) from the workers' kept ones: each segment's rows are q × n_s there. */
  #weights(parts, q, blockRows, factors, keepDots) {
    const n = this.n, p = new Float32Array(q * n), dots = keepDots ? new Float32Array(q * n) : null;
    let k = 0;
    parts.forEach((part, w) => {
      const [first, end] = this.shares[w];
      const e = part.numerators;
      let at = 0;
      for (let s = first; s < end; s++) {
        const n0 = this.plan[2 * s], ns = this.plan[2 * s + 1] - n0;
        if (e.length < at + q * ns || (keepDots && part.dots.length < at + q * ns)) throw new Error('modern pool: a worker returned too few values');
        for (let r = 0; r < q; r++) {
          const from = at + r * ns, to = r * n + n0;
          for (let b0 = 0; b0 < ns; b0 += blockRows) {
            const f = factors[k++], b1 = Math.min(b0 + blockRows, ns);
            for (let i = b0; i < b1; i++) p[to + i] = e[from + i] * f;
          }
          if (dots) dots.set(part.dots.subarray(from, from + ns), to);
        }
        at += q * ns;
      }
    });
    if (k !== factors.length) throw new Error(`modern pool: ${factors.length} merge factors for ${k} blocks`);
    return dots ? { p, dots } : { p };
  }

  /** The kernel's dot products ξ^μ·σ of `state` (Float32Array, d) with every stored pattern
   * (Float32Array, N), each worker's rows in order: the energy of a state no update started
   * from yet (HopfieldLab.book_energy_from_dots). */
  dots(state) {
    return this.#serial(async () => {
      if (!this.workers.length) throw new Error('modern pool: already freed');
      await this.#endSharedWait();
      const parts = await Promise.all(this.workers.map((w, i) => this.#call(w, { kind: 'modern-shard-dots', state, ...this.#own(i) })));
      return concat(Float32Array, parts.map((p) => p.dots));
    });
  }

  /** Runs `fn` after every call before it has ended: one update or dots at a time, since a
   * signalled first pass shares one query buffer. */
  #serial(fn) {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Stops the workers; pending updates fail. */
  free() {
    for (const w of this.workers) w.terminate();
    this.#stopWaits();
    this.workers = [];
    for (const { reject } of this.pending.values()) reject(new Error('modern pool: stopped'));
    this.pending.clear();
  }

  #start() {
    const worker = labWorker(this.mod);
    worker.onmessage = ({ data }) => {
      const call = this.pending.get(data.id);
      if (!call) return;
      this.pending.delete(data.id);
      if (data.error) call.reject(new Error(data.error)); else call.resolve(data);
    };
    worker.onerror = (e) => {
      e.preventDefault?.();
      const message = `modern pool: a worker failed (${e.message || 'could not load'})`;
      for (const { reject } of this.pending.values()) reject(new Error(message));
      this.pending.clear();
      this.#stopWaits();
    };
    this.workers.push(worker);
    return worker;
  }

  /** Ends the page's waits on shared memory (the workers are gone or failed). */
  #stopWaits() {
    const s = this.signal;
    if (!s) return;
    for (let i = DONE; i < s.ctrl.length; i++) { Atomics.store(s.ctrl, i, STOPPED); Atomics.notify(s.ctrl, i); }
    s.waiting = false;
  }

  #call(worker, message, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }
}
