//! The modern update's benchmark workload, shared by `emergence-lab hopfield bench` (native)
//! and `bench_modern_update` (wasm, run by `scripts/bench.mjs`), so both time the same thing.
//! numpy's side is `scripts/bench_numpy.py`. Not a test: the numbers depend on the machine.

use super::kernels::ModernWorkspace;

/// The median time in ms of `runs` modern updates (after one warm-up) of `q` queries against
/// `n` stored patterns of dimension `d` (patterns and queries uniform in [−1, 1) from a fixed
/// LCG: their values do not matter, only the shapes), β = 1/√d as in attention, with a reused
/// workspace. `now_ms` is the platform's clock.
pub fn median_ms(d: usize, n: usize, q: usize, runs: usize, now_ms: impl Fn() -> f64) -> Result<f64, String> {
    if d == 0 || n == 0 || q == 0 || runs == 0 {
        return Err("d, n, q and the number of runs must all be at least 1".into());
    }
    let (x, queries, beta) = workload(d, n, q);
    let (mut out_state, mut out_p) = (vec![0.0f32; q * d], vec![0.0f32; q * n]);
    let mut ws = ModernWorkspace::new();
    ws.update(&x, n, d, &queries, q, beta, &mut out_state, &mut out_p)?; // warm up
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = now_ms();
        ws.update(&x, n, d, &queries, q, beta, &mut out_state, &mut out_p)?;
        std::hint::black_box((&out_state, &out_p));
        times.push(now_ms() - start);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// The benchmark's data: X (n × d) and the queries (q × d), uniform in [−1, 1) from a fixed LCG,
/// and β = 1/√d. The page's pool benchmark (`scripts/bench.mjs`) shares X among its workers.
pub fn workload(d: usize, n: usize, q: usize) -> (Vec<f32>, Vec<f32>, f32) {
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
    (x, queries, 1.0 / (d as f32).sqrt())
}
