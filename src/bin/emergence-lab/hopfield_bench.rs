//! `emergence-lab hopfield bench`: the modern update's speed natively (the page measures the
//! same kernel in wasm: `scripts/bench.mjs`; numpy's time: `scripts/bench_numpy.py`; all three
//! with ratios: `scripts/bench-hopfield.sh`).

use super::super::{Flags, UsageError};
use emergence_lab::hopfield::kernels::ModernWorkspace;
use std::time::Instant;

/// One timed workload: `runs` modern updates of Q queries against N stored patterns of
/// dimension d (uniform in [−1, 1), β = 1/√d as in attention), the median time in ms.
fn median_ms(d: usize, n: usize, q: usize, runs: usize) -> Result<f64, String> {
    // A fixed LCG fills the data: its values do not matter, only the shapes.
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
    let (mut state_out, mut p) = (vec![0.0f32; q * d], vec![0.0f32; q * n]);
    let beta = 1.0 / (d as f32).sqrt();
    let mut ws = ModernWorkspace::new();
    ws.update(&x, n, d, &queries, q, beta, &mut state_out, &mut p)?; // warm up
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        ws.update(&x, n, d, &queries, q, beta, &mut state_out, &mut p)?;
        std::hint::black_box((&state_out, &p));
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

pub(crate) fn run(args: &[String]) -> Result<String, UsageError> {
    let flags = Flags::parse(args, &[], &[])?;
    let err = |e: String| UsageError(format!("hopfield bench: {e}"));
    let batch = median_ms(1024, 10_000, 100, 7).map_err(err)?;
    let single = median_ms(4096, 10_000, 1, 15).map_err(err)?;
    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    if flags.json {
        let value = serde_json::json!({
            "build": build,
            "batch": {"d": 1024, "n": 10_000, "q": 100, "ms": batch},
            "single_64x64": {"d": 4096, "n": 10_000, "q": 1, "ms": single, "target_ms": 1000.0 / 60.0},
        });
        return serde_json::to_string(&value).map_err(|e| UsageError(format!("could not write JSON: {e}")));
    }
    Ok(format!(
        "hopfield bench (native, this machine, one thread, {build} build{})\n  \
         modern update, d = 1024, N = 10000, Q = 100: {batch:.1} ms (median of 7)\n  \
         one 64×64 query (d = 4096) against N = 10000: {single:.2} ms (target ≤ 16.7 ms for 60 fps: {})",
        if cfg!(debug_assertions) { "; use cargo run --release for real numbers" } else { "" },
        if single <= 1000.0 / 60.0 { "met" } else { "MISSED" }
    ))
}
