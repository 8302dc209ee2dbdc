// One query's first pass on the modern pool's workers, signalled through shared memory instead
// of messages (www/modern-pool.js uses it where the page is cross-origin isolated, so that
// SharedArrayBuffer and Atomics.waitAsync exist). A step of the page's modern run at 10,000
// patterns of 64×64 is one first pass on every worker; with messages, each step waited about
// 0.3–0.8 ms for a worker's event loop to pick the query up and 0.3–0.5 ms for the page's to
// pick the reply up. Here each worker waits in Atomics.wait on a control word, the page writes
// the query into shared memory and wakes them, and each worker writes its results into its own
// shared buffer and wakes the page (Atomics.waitAsync). The worker's wasm memory is its own:
// the query and the results are copied in and out, d and about 2·N/workers numbers per step.
//
// Control words (Int32Array over one SharedArrayBuffer): [GEN] counts the page's commands,
// [COMMAND] is the last one (FIRST_PASS or LEAVE), [KEEP_DOTS] 1 or 0, and [DONE + w] the
// last command worker w finished. The query buffer holds d values and β after them. A worker's
// result buffer: a header of Int32 (status, the lengths of what follows, the top segment or −1
// where it sent no top state, the error's length), then scalars (f64), numerators, dots
// (f32), bounds (u32), the top segment's state (f32) and an error text (UTF-16), each at a
// fixed offset computed from the worker's segments (`resultLayout`).

export const GEN = 0, COMMAND = 1, KEEP_DOTS = 2, DONE = 4;
export const FIRST_PASS = 1, LEAVE = 2;
/** What the page writes into a worker's DONE word when the pool stops: its waits end. */
export const STOPPED = -1;
// The header's Int32 words: the status (0, or 1 for an error), the lengths of the scalars,
// numerators, dots and bounds (in that order from LENGTHS), the top segment (−1: no top state),
// the error's length, one spare.
const HEADER = 8, STATUS = 0, LENGTHS = 1, TOP = 5, ERROR_LENGTH = 6;
const ERROR_CHARS = 400;

/** Whether this page can signal workers through shared memory. */
export function canSignal() {
  return globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function'
    && typeof Atomics === 'object' && typeof Atomics.waitAsync === 'function';
}

/** Byte offsets of a result buffer for a worker computing `segments` segments of `rows` rows in
 * all, at dimension `d`: at most 2 scalars per segment and one per block (blocks hold at least
 * 8 rows: hopfield::kernels::block_rows), one bound per segment. */
export function resultLayout(segments, rows, d) {
  const scalars = 3 * segments + Math.ceil(rows / 8);
  const at = { scalars: 8 * Math.ceil((4 * HEADER) / 8) };
  at.numerators = at.scalars + 8 * scalars;
  at.dots = at.numerators + 4 * rows;
  at.bounds = at.dots + 4 * rows;
  at.topState = at.bounds + 4 * segments;
  at.error = at.topState + 4 * d;
  at.bytes = at.error + 2 * ERROR_CHARS;
  return { ...at, capacity: { scalars, rows, segments, d } };
}

/** Writes a first pass's result `r` (ModernShard.first_pass's object) into `buffer`, or the
 * error `error` where it failed. */
export function writeResult(buffer, layout, r, error = null) {
  const head = new Int32Array(buffer, 0, HEADER);
  const cap = layout.capacity;
  if (!error && (r.scalars.length > cap.scalars || r.numerators.length > cap.rows || r.dots.length > cap.rows
    || r.bounds.length > cap.segments || (r.topState && r.topState.length !== cap.d))) {
    error = 'modern pool: a first pass larger than its shared buffer';
  }
  if (error) {
    const text = String(error).slice(0, ERROR_CHARS);
    const chars = new Uint16Array(buffer, layout.error, ERROR_CHARS);
    for (let i = 0; i < text.length; i++) chars[i] = text.charCodeAt(i);
    head[STATUS] = 1;
    head[ERROR_LENGTH] = text.length;
    return;
  }
  new Float64Array(buffer, layout.scalars, r.scalars.length).set(r.scalars);
  new Float32Array(buffer, layout.numerators, r.numerators.length).set(r.numerators);
  new Float32Array(buffer, layout.dots, r.dots.length).set(r.dots);
  new Uint32Array(buffer, layout.bounds, r.bounds.length).set(r.bounds);
  if (r.topState) new Float32Array(buffer, layout.topState, r.topState.length).set(r.topState);
  head.set([r.scalars.length, r.numerators.length, r.dots.length, r.bounds.length], LENGTHS);
  head[TOP] = r.topState ? r.top : -1;
  head[ERROR_LENGTH] = 0;
  head[STATUS] = 0;
}

/** A first pass's result read back (copied) from `buffer`, as ModernShard.first_pass returns it;
 * throws the worker's error. */
export function readResult(buffer, layout) {
  const head = new Int32Array(buffer, 0, HEADER);
  if (head[STATUS] !== 0) {
    const chars = new Uint16Array(buffer, layout.error, Math.min(head[ERROR_LENGTH], ERROR_CHARS));
    throw new Error(String.fromCharCode(...chars) || 'modern pool: a worker failed');
  }
  const out = {
    scalars: new Float64Array(buffer, layout.scalars, head[LENGTHS]).slice(),
    numerators: new Float32Array(buffer, layout.numerators, head[LENGTHS + 1]).slice(),
    dots: new Float32Array(buffer, layout.dots, head[LENGTHS + 2]).slice(),
    bounds: new Uint32Array(buffer, layout.bounds, head[LENGTHS + 3]).slice(),
  };
  if (head[TOP] >= 0) {
    out.top = head[TOP];
    out.topState = new Float32Array(buffer, layout.topState, layout.capacity.d).slice();
  }
  return out;
}

/** Resolves when `ctrl[index]` holds `value` (the page's side: Atomics.waitAsync, never a
 * blocking wait); throws once it holds STOPPED (the pool was freed or a worker failed). */
export async function waitFor(ctrl, index, value) {
  for (;;) {
    const now = Atomics.load(ctrl, index);
    if (now === value) return;
    if (now === STOPPED) throw new Error('modern pool: stopped');
    const w = Atomics.waitAsync(ctrl, index, now);
    if (w.async) await w.value;
  }
}
