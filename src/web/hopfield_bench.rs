//! The in-browser benchmark of the modern Hopfield update's CPU kernel (wasm, SIMD128):
//! `scripts/bench.mjs` calls it in headless Chromium beside the native and numpy numbers. The
//! workloads are `hopfield::bench`'s, the same as `emergence-lab hopfield bench`.

use crate::hopfield::bench::{median_ms, peak_gflops, stream_ms, update_flops};
use wasm_bindgen::prelude::*;

/// The most f32s the benchmark allocates for X (1 GiB), so a typo cannot exhaust memory.
const MAX_FLOATS: u64 = 1 << 28;

/// Milliseconds now: `performance.now()` where there is a window (fine-grained), otherwise
/// `Date.now()`.
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

/// The median time in ms of `repeats` modern updates (after one warm-up update) of `q` queries
/// against `n` stored patterns of dimension `d` (uniform in [−1, 1)), β = 1/√d.
#[wasm_bindgen]
pub fn bench_modern_update(d: u32, n: u32, q: u32, repeats: u32) -> Result<f64, JsError> {
    if (n as u64) * (d as u64) > MAX_FLOATS || (q as u64) * (u64::from(d.max(n))) > MAX_FLOATS {
        return Err(JsError::new("bench_modern_update: the workload is larger than 1 GiB"));
    }
    median_ms(d as usize, n as usize, q as usize, repeats as usize, now_ms)
        .map_err(|e| JsError::new(&format!("bench_modern_update: {e}")))
}

/// `hopfield::bench::fingerprint` of `state` then `p` (16 hex digits): `scripts/bench-peers.mjs`
/// compares the wasm kernel's outputs with the native bench's `fingerprints`.
#[wasm_bindgen]
pub fn bench_fingerprint(state: &[f32], p: &[f32]) -> String {
    format!("{:016x}", crate::hopfield::bench::fingerprint(state.iter().chain(p)))
}

/// The benchmark's data for `d`, `n`, `q` (`hopfield::bench::workload`): `{x, queries, beta}`,
/// for the pool benchmark in `scripts/bench.mjs`, which hands X to its workers.
#[wasm_bindgen]
pub fn bench_modern_workload(d: u32, n: u32, q: u32) -> Result<JsValue, JsError> {
    if (n as u64) * (d as u64) > MAX_FLOATS || (q as u64) * (d as u64) > MAX_FLOATS {
        return Err(JsError::new("bench_modern_workload: the workload is larger than 1 GiB"));
    }
    let (x, queries, beta) = crate::hopfield::bench::workload(d as usize, n as usize, q as usize);
    super::js_object(
        [
            ("x", js_sys::Float32Array::from(&x[..]).into()),
            ("queries", js_sys::Float32Array::from(&queries[..]).into()),
            ("beta", JsValue::from_f64(f64::from(beta))),
        ],
        "bench_modern_workload",
    )
}

/// This thread's peak rate of the kernels' 4-lane multiplies and adds (SIMD128, no FMA), in
/// GFLOP/s: the fastest of `runs` timed calls of the register-only loop
/// (`hopfield::bench::peak_gflops`). `scripts/bench.mjs` runs it on the page's thread and in
/// workers at once, for the roofline of the one-thread update and of the pool.
#[wasm_bindgen]
pub fn bench_lane_peak(runs: u32) -> Result<f64, JsError> {
    peak_gflops(runs.clamp(1, 1000) as usize, now_ms).map_err(|e| JsError::new(&format!("bench_lane_peak: {e}")))
}

/// The float operations of one modern update (`hopfield::bench::update_flops`: 4·Q·N·d), for
/// the roofline that `scripts/bench.mjs` prints.
#[wasm_bindgen]
pub fn bench_update_flops(d: u32, n: u32, q: u32) -> f64 {
    update_flops(d as usize, n as usize, q as usize)
}

/// The median time in ms of `repeats` passes over the stored patterns X (n × d) of the
/// benchmark's workload that only read and add them (`hopfield::bench::stream_ms`): the least
/// time one update of one query can take on this thread.
#[wasm_bindgen]
pub fn bench_stream_ms(d: u32, n: u32, repeats: u32) -> Result<f64, JsError> {
    if (n as u64) * (d as u64) > MAX_FLOATS {
        return Err(JsError::new("bench_stream_ms: the workload is larger than 1 GiB"));
    }
    stream_ms(d as usize, n as usize, repeats as usize, now_ms)
        .map_err(|e| JsError::new(&format!("bench_stream_ms: {e}")))
}

/// A step of the page's modern session with 10,000 patterns of 64×64, median of `repeats`
/// (`hopfield::bench::page_step_ms`): `{step_ms, stream_ms, ratio, settle_ms}`, a step during
/// play with what the page reads after it, a pass over the same X timed before each step, the
/// median of the steps' ratios to those passes, and the pass that books the last energy where
/// a run stops.
#[wasm_bindgen]
pub fn bench_page_step_ms(repeats: u32) -> Result<JsValue, JsError> {
    let step = crate::hopfield::bench::page_step_ms(repeats as usize, now_ms)
        .map_err(|e| JsError::new(&format!("bench_page_step_ms: {e}")))?;
    serde_wasm_bindgen::to_value(&step).map_err(|e| JsError::new(&format!("bench_page_step_ms: {e}")))
}

/// A copy of stored patterns X (row-major) and one streaming pass over it on demand: the pool
/// benchmark in `scripts/bench.mjs` times a pass on the page's thread just before each pooled
/// step, so each step's ratio to a pass sees the same memory speed (see
/// `hopfield::bench::PageStep::ratio`).
#[wasm_bindgen]
pub struct StreamPass {
    x: Vec<f32>,
    sink: f32,
}

#[wasm_bindgen]
impl StreamPass {
    /// Holds a copy of `x`. Errors when it is empty or larger than 1 GiB.
    #[wasm_bindgen(constructor)]
    pub fn new(x: &[f32]) -> Result<StreamPass, JsError> {
        if x.is_empty() || x.len() as u64 > MAX_FLOATS {
            return Err(JsError::new("StreamPass: X must hold between 1 value and 1 GiB"));
        }
        Ok(StreamPass { x: x.to_vec(), sink: 0.0 })
    }

    /// The time in ms of one pass of `lane_sum` over X.
    pub fn pass_ms(&mut self) -> f64 {
        let start = now_ms();
        self.sink += crate::hopfield::kernels::lane_sum(std::hint::black_box(&self.x));
        now_ms() - start
    }
}
