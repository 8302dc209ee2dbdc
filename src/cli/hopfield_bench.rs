//! `emergence-lab hopfield bench`: the modern update's speed natively (the page measures the
//! same kernel in wasm: `scripts/bench.mjs`; numpy's time: `scripts/bench_numpy.py`; all three
//! with ratios: `scripts/bench-hopfield.sh`). The workloads are `hopfield::bench`'s.

use crate::cli::{Flags, UsageError};
use crate::hopfield::bench::{
    median_ms, median_time_ms, page_step_ms, peak_gflops, stream_ms, update_flops, workload, workload_fingerprint,
};
use crate::hopfield::kernels::{merge_segments, segments, ModernShard, SegmentParts};
use std::time::Instant;

/// The median time in ms of `runs` updates (after one warm-up) on `threads` threads, each
/// holding consecutive segments as a page worker does (`www/modern-pool.js`), merged in segment
/// order: the native twin of the page's worker pool. Also checks it against one thread's bits.
fn median_ms_threads(d: usize, n: usize, q: usize, runs: usize, threads: usize) -> Result<(f64, usize), String> {
    let (x, queries, beta) = workload(d, n, q);
    let plan = segments(n, d);
    let threads = threads.clamp(1, plan.len());
    let mut shards = Vec::with_capacity(threads);
    for w in 0..threads {
        let (first, end) = (w * plan.len() / threads, (w + 1) * plan.len() / threads);
        let (n0, n1) = (plan[first].0, plan[end - 1].1);
        shards.push((ModernShard::new(x[n0 * d..n1 * d].to_vec(), n, d, first, end - first)?, SegmentParts::default()));
    }
    let (mut state, mut p) = (vec![0.0f32; q * d], vec![0.0f32; q * n]);
    let mut all = SegmentParts::default();
    let mut update =
        |shards: &mut Vec<(ModernShard, SegmentParts)>, state: &mut [f32], p: &mut [f32]| -> Result<(), String> {
            std::thread::scope(|scope| {
                let jobs: Vec<_> = shards
                    .iter_mut()
                    .map(|(shard, parts)| scope.spawn(|| shard.update(&queries, q, beta, false, parts)))
                    .collect();
                jobs.into_iter().try_for_each(|j| j.join().map_err(|_| "a bench thread panicked".to_string())?)
            })?;
            all.clear();
            for (_, parts) in shards.iter() {
                all.append(parts);
            }
            merge_segments(n, d, q, &all, state, p)
        };
    update(&mut shards, &mut state, &mut p)?;
    let (mut one_state, mut one_p) = (vec![0.0f32; q * d], vec![0.0f32; q * n]);
    crate::hopfield::kernels::modern_update(&x, n, d, &queries, q, beta, &mut one_state, &mut one_p)?;
    if one_state != state || one_p != p {
        return Err("the threads' merged update differs from one thread's".into());
    }
    let start = Instant::now();
    let ms = median_time_ms(runs, || start.elapsed().as_secs_f64() * 1e3, || update(&mut shards, &mut state, &mut p))?;
    Ok((ms, threads))
}

/// The lanes' peak rate (`hopfield::bench::peak_gflops`, GFLOP/s) on `threads` threads at once,
/// summed: the roofline of the update on that many cores.
fn peak_gflops_threads(threads: usize) -> Result<f64, String> {
    std::thread::scope(|scope| {
        let jobs: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let start = Instant::now();
                    peak_gflops(PEAK_RUNS, move || start.elapsed().as_secs_f64() * 1e3)
                })
            })
            .collect();
        jobs.into_iter().map(|j| j.join().map_err(|_| "a bench thread panicked".to_string())?).sum()
    })
}

/// Timed calls of the peak loop per thread.
const PEAK_RUNS: usize = 31;

pub(crate) fn run(args: &[String], limits: crate::cli::Limits) -> Result<String, UsageError> {
    let flags = Flags::parse(limits, args, &[], &[])?;
    // Fixed sizes (d = 1024 and 4096, N = 10,000); about half a minute here.
    flags.within("bench", "the benchmark", 3e10, 1024.0 * 1024.0 * 400.0)?;
    let err = |e: String| UsageError(format!("hopfield bench: {e}"));
    let start = Instant::now();
    let now_ms = move || start.elapsed().as_secs_f64() * 1e3;
    let batch = median_ms(1024, 10_000, 100, 7, now_ms).map_err(err)?;
    let single = median_ms(4096, 10_000, 1, 15, now_ms).map_err(err)?;
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let (batch_threads, workers) = median_ms_threads(1024, 10_000, 100, 7, cores).map_err(err)?;
    let (single_threads, _) = median_ms_threads(4096, 10_000, 1, 15, cores).map_err(err)?;
    let peak = peak_gflops(PEAK_RUNS, now_ms).map_err(err)?;
    let peak_threads = peak_gflops_threads(workers).map_err(err)?;
    let flops = update_flops(1024, 10_000, 100);
    let stream = stream_ms(4096, 10_000, 15, now_ms).map_err(err)?;
    let page = page_step_ms(7, now_ms).map_err(err)?;
    let (page_step, page_settle, page_pass, page_ratio) = (page.step_ms, page.settle_ms, page.stream_ms, page.ratio);
    let (gflop, bound, bound_threads) = (flops / 1e9, flops / peak / 1e6, flops / peak_threads / 1e6);
    let eff = 100.0 * bound / batch;
    let stream_ratio = single / stream;
    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    let target_ms = 1000.0 / 60.0;
    if flags.json {
        let value = serde_json::json!({
            "build": build,
            "batch": {"d": 1024, "n": 10_000, "q": 100, "ms": batch},
            "single_64x64": {"d": 4096, "n": 10_000, "q": 1, "ms": single, "target_ms": target_ms, "stream_ms": stream},
            "page_step": {"d": 4096, "n": 10_000, "ms": page_step, "settle_ms": page_settle, "stream_ms": page_pass, "stream_ratio": page_ratio, "target_ratio": 1.3},
            "threads": {"count": workers, "batch_ms": batch_threads, "single_64x64_ms": single_threads},
            "peak": {"gflops": peak, "threads_gflops": peak_threads, "batch_gflop": flops / 1e9},
            "fingerprints": {
                "batch": workload_fingerprint(1024, 10_000, 100).map_err(err)?,
                "single_64x64": workload_fingerprint(4096, 10_000, 1).map_err(err)?,
            },
        });
        return serde_json::to_string(&value).map_err(|e| UsageError(format!("could not write JSON: {e}")));
    }
    Ok(format!(
        "hopfield bench (native, this machine, one thread, {build} build{})\n  \
         modern update, d = 1024, N = 10000, Q = 100: {batch:.1} ms (median of 7)\n  \
         one 64×64 query (d = 4096) against N = 10000: {single:.2} ms (target ≤ 16.7 ms for 60 fps: {})\n  \
         on {workers} threads, each holding some segments (the page's worker pool; the same bits): \
         {batch_threads:.1} ms and {single_threads:.2} ms\n  \
         roofline: the lanes' peak (4-wide multiplies and adds, no FMA) is {peak:.1} GFLOP/s on one thread, \
         {peak_threads:.1} on {workers}; the batch's {gflop:.2} GFLOP need at least {bound:.1} ms on one thread \
         (this run: {eff:.0} % of the peak) and {bound_threads:.1} ms on {workers}\n  \
         memory roofline: one pass over the 64×64 query's stored patterns (164 MB) takes {stream:.1} ms on one \
         thread; the query took {stream_ratio:.2}× that\n  \
         the page's step while a run plays (the session at that size: the update, which books the \
         previous state's energy from its own dot products, and what the page reads after it): \
         {page_step:.1} ms, {page_ratio:.2}× one pass (each step over a pass of its X timed just before it, median \
         of 7; the passes {page_pass:.1} ms; target ≤ 1.3×: {}); where the run stops, \
         booking the last energy takes one more pass: {page_settle:.1} ms",
        if cfg!(debug_assertions) { "; use cargo run --release for real numbers" } else { "" },
        if single <= target_ms { "met" } else { "MISSED" },
        if page_ratio <= 1.3 { "met" } else { "MISSED" }
    ))
}
