//! `emergence-lab hopfield bench`: the modern update's speed natively (the page measures the
//! same kernel in wasm: `scripts/bench.mjs`; numpy's time: `scripts/bench_numpy.py`; all three
//! with ratios: `scripts/bench-hopfield.sh`). The workloads are `hopfield::bench`'s.

use super::super::{Flags, UsageError};
use emergence_lab::hopfield::bench::median_ms;
use std::time::Instant;

pub(crate) fn run(args: &[String]) -> Result<String, UsageError> {
    let flags = Flags::parse(args, &[], &[])?;
    let err = |e: String| UsageError(format!("hopfield bench: {e}"));
    let start = Instant::now();
    let now_ms = move || start.elapsed().as_secs_f64() * 1e3;
    let batch = median_ms(1024, 10_000, 100, 7, now_ms).map_err(err)?;
    let single = median_ms(4096, 10_000, 1, 15, now_ms).map_err(err)?;
    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    let target_ms = 1000.0 / 60.0;
    if flags.json {
        let value = serde_json::json!({
            "build": build,
            "batch": {"d": 1024, "n": 10_000, "q": 100, "ms": batch},
            "single_64x64": {"d": 4096, "n": 10_000, "q": 1, "ms": single, "target_ms": target_ms},
        });
        return serde_json::to_string(&value).map_err(|e| UsageError(format!("could not write JSON: {e}")));
    }
    Ok(format!(
        "hopfield bench (native, this machine, one thread, {build} build{})\n  \
         modern update, d = 1024, N = 10000, Q = 100: {batch:.1} ms (median of 7)\n  \
         one 64×64 query (d = 4096) against N = 10000: {single:.2} ms (target ≤ 16.7 ms for 60 fps: {})",
        if cfg!(debug_assertions) { "; use cargo run --release for real numbers" } else { "" },
        if single <= target_ms { "met" } else { "MISSED" }
    ))
}
