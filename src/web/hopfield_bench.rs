//! The in-browser benchmark of the modern Hopfield update's CPU kernel (wasm, SIMD128):
//! `scripts/bench.mjs` calls it in headless Chromium beside the native and numpy numbers.

use crate::hopfield::kernels::ModernWorkspace;
use wasm_bindgen::prelude::*;

/// The most f32s the benchmark allocates for X (1 GiB), so a typo cannot exhaust memory.
const MAX_FLOATS: u64 = 1 << 28;

/// Milliseconds now: `performance.now()` where there is a window (fine-grained), otherwise
/// `Date.now()`.
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

/// The median time in ms of `repeats` modern updates (after one warm-up update) of `q` queries
/// against `n` stored patterns of dimension `d` (values uniform in [−1, 1) from a fixed LCG,
/// β = 1/√d), with a reused workspace: the same workload as `emergence-lab hopfield bench`.
#[wasm_bindgen]
pub fn bench_modern_update(d: u32, n: u32, q: u32, repeats: u32) -> Result<f64, JsError> {
    let (d, n, q) = (d as usize, n as usize, q as usize);
    if d == 0 || n == 0 || q == 0 || repeats == 0 {
        return Err(JsError::new("bench_modern_update: d, n, q and repeats must all be at least 1"));
    }
    if (n as u64) * (d as u64) > MAX_FLOATS || (q as u64) * (d.max(n) as u64) > MAX_FLOATS {
        return Err(JsError::new("bench_modern_update: the workload is larger than 1 GiB"));
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut fill = |len: usize| -> Vec<f32> {
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                ((state >> 40) as f32 / 8_388_608.0) - 1.0
            })
            .collect()
    };
    let x = fill(n * d);
    let queries = fill(q * d);
    let (mut out_state, mut out_p) = (vec![0.0f32; q * d], vec![0.0f32; q * n]);
    let beta = 1.0 / (d as f32).sqrt();
    let mut ws = ModernWorkspace::new();
    let mut run = || ws.update(&x, n, d, &queries, q, beta, &mut out_state, &mut out_p).map_err(|e| JsError::new(&e));
    run()?;
    let mut times = Vec::with_capacity(repeats as usize);
    for _ in 0..repeats {
        let start = now_ms();
        run()?;
        times.push(now_ms() - start);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}
