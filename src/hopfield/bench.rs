//! The modern update's benchmark workload, shared by `emergence-lab hopfield bench` (native)
//! and `bench_modern_update` (wasm, run by `scripts/bench.mjs`), so both time the same thing.
//! numpy's side is `scripts/bench_numpy.py`. Not a test: the numbers depend on the machine.

use super::kernels::{lane_peak, lane_sum, ModernWorkspace, LANE_PEAK_OPS};

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
    median_time_ms(runs, now_ms, || {
        ws.update(&x, n, d, &queries, q, beta, &mut out_state, &mut out_p)?;
        std::hint::black_box((&out_state, &out_p));
        Ok(())
    })
}

/// A fingerprint of one update of the [`workload`] for `d`, `n`, `q` (FNV-1a over the bits of
/// the new states, then of the weights), as 16 hex digits: the native bench prints it and
/// `scripts/bench-peers.mjs` computes it from the wasm kernel's output in the browser, so the
/// two show that the lab's outputs timed there have the native kernel's bits.
pub fn workload_fingerprint(d: usize, n: usize, q: usize) -> Result<String, String> {
    let (x, queries, beta) = workload(d, n, q);
    let (mut state, mut p) = (vec![0.0f32; q * d], vec![0.0f32; q * n]);
    ModernWorkspace::new().update(&x, n, d, &queries, q, beta, &mut state, &mut p)?;
    Ok(format!("{:016x}", fingerprint(state.iter().chain(&p))))
}

/// FNV-1a (64-bit) over the little-endian bytes of each value's bits.
pub fn fingerprint<'a>(values: impl Iterator<Item = &'a f32>) -> u64 {
    values.fold(0xcbf2_9ce4_8422_2325u64, |mut h, v| {
        for byte in v.to_bits().to_le_bytes() {
            h = (h ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    })
}

/// The median time in ms of `runs` calls of `run` (at least 1), by the clock `now_ms`; the
/// first error of `run` ends it.
pub fn median_time_ms(
    runs: usize,
    now_ms: impl Fn() -> f64,
    mut run: impl FnMut() -> Result<(), String>,
) -> Result<f64, String> {
    if runs == 0 {
        return Err("the number of runs must be at least 1".into());
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = now_ms();
        run()?;
        times.push(now_ms() - start);
    }
    Ok(median(times))
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

/// The float operations of one modern update of `q` queries against `n` stored patterns of
/// dimension `d`, as BLAS counts them: the two matrix products Ξ Xᵀ and P X, each Q·N·d
/// multiplies and as many adds (the softmax's Q·N exponentials are left out: they are not done
/// in the lanes). For d = 1024, N = 10,000, Q = 100: 4.1 GFLOP.
pub fn update_flops(d: usize, n: usize, q: usize) -> f64 {
    4.0 * q as f64 * n as f64 * d as f64
}

/// Iterations of [`lane_peak`] per timed call: about 15 ms, long against the browser's clock
/// (`performance.now()` steps by 0.1 ms in a page that is not cross-origin isolated) and short
/// enough that many calls fit, so that V8's baseline code (a wasm call keeps the code it started
/// with to its end) and interference both stay out of the fastest call.
const PEAK_ITERATIONS: u32 = 8_000_000;

/// This core's peak rate of the kernels' 4-lane multiplies and adds, in GFLOP/s: the fastest of
/// `runs` timed calls of [`lane_peak`] (after 3 warm-up calls). The fastest, not the median,
/// because on a busy machine interference only ever slows a run down: the best run is the
/// closest to what the core can do, so this is a generous roofline ([`update_flops`] divided by
/// it is a lower bound on the update's time on this core with these lanes).
pub fn peak_gflops(runs: usize, now_ms: impl Fn() -> f64) -> Result<f64, String> {
    if runs == 0 {
        return Err("the number of runs must be at least 1".into());
    }
    let mut sink = 0.0f32;
    for _ in 0..3 {
        sink += lane_peak(PEAK_ITERATIONS);
    }
    let mut best_ms = f64::INFINITY;
    for _ in 0..runs {
        let start = now_ms();
        sink += lane_peak(PEAK_ITERATIONS);
        best_ms = best_ms.min(now_ms() - start);
    }
    std::hint::black_box(sink);
    if best_ms.is_nan() || best_ms <= 0.0 {
        return Err("the clock did not advance during the peak loop".into());
    }
    Ok((LANE_PEAK_OPS * 4 * u64::from(PEAK_ITERATIONS)) as f64 / (best_ms * 1e6))
}

/// The median time in ms of `runs` passes of [`lane_sum`] over the stored patterns X (n × d)
/// of [`workload`] (after one warm-up pass): the least time one update of one query can take on
/// this thread, since it must read all of X. For 10,000 patterns of 64×64, X is 164 MB: far
/// more than a core's own caches, so this is the rate at which the shared last-level cache and
/// the memory deliver X (it varies with what else the machine runs), the bound of the 64×64
/// target.
pub fn stream_ms(d: usize, n: usize, runs: usize, now_ms: impl Fn() -> f64) -> Result<f64, String> {
    if d == 0 || n == 0 || runs == 0 {
        return Err("d, n and the number of runs must all be at least 1".into());
    }
    let (x, _, _) = workload(d, n, 1);
    let mut sink = lane_sum(&x);
    let ms = median_time_ms(runs, now_ms, || {
        sink += lane_sum(std::hint::black_box(&x));
        Ok(())
    });
    std::hint::black_box(sink);
    ms
}

/// What a step of the page's modern session costs at the one-query workload's size (10,000
/// random ±1 patterns of 64×64, 20 % of the target flipped, β = 1/64), median ms of `runs`,
/// beside one streaming pass over the same X:
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct PageStep {
    /// A step while the run plays, with what the page reads after it: the update (which books
    /// the previous state's energy from its own dot products, `HopfieldSession::step_pipelined`),
    /// the read-out (target overlap, sign counts, largest weight) and the plots' overlaps
    /// (`booked_overlaps`). Issue 15, point 3: at most 1.3× one pass over X ([`stream_ms`]).
    pub step_ms: f64,
    /// One pass of [`lane_sum`] over the session's own stored patterns, timed just before each
    /// step.
    pub stream_ms: f64,
    /// The median over the runs of each step's time over the pass just before it. A shared
    /// machine's memory speed drifts by tens of percent within a minute; a pass timed next to
    /// each step gives the ratio that drift leaves alone, where the ratio of two medians taken
    /// at different moments does not.
    pub ratio: f64,
    /// The one extra pass where a run stops (a pause, the end, a single step): booking the last
    /// state's energy (`HopfieldSession::book_energy`).
    pub settle_ms: f64,
}

/// See [`PageStep`].
pub fn page_step_ms(runs: usize, now_ms: impl Fn() -> f64) -> Result<PageStep, String> {
    use super::session::HopfieldSession;
    use super::{CorruptKind, HopfieldConfig, ModelKind, PatternSource};
    if runs == 0 {
        return Err("the number of runs must be at least 1".into());
    }
    let config = HopfieldConfig {
        model: ModelKind::Modern,
        patterns: PatternSource::Random,
        count: 10_000,
        side: 64,
        beta: 1.0 / 64.0,
        corrupt: CorruptKind::Flip,
        amount: 0.2,
        ..HopfieldConfig::default()
    };
    let mut session = HopfieldSession::new(&config, 1)?;
    session.step_pipelined(); // warm up
    let mut sink = 0.0f32;
    let (mut steps, mut passes, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let start = now_ms();
        sink += lane_sum(std::hint::black_box(session.patterns().flat()));
        let pass = now_ms() - start;
        let start = now_ms();
        session.step_pipelined();
        let target = session.target();
        std::hint::black_box((
            session.energies().last(),
            session.overlap(target),
            session.sign_differences(),
            session.weights().and_then(|w| w.iter().copied().reduce(f32::max)),
            session.booked_overlaps(),
        ));
        let step = now_ms() - start;
        steps.push(step);
        passes.push(pass);
        ratios.push(step / pass.max(f64::MIN_POSITIVE));
    }
    std::hint::black_box(sink);
    let mut settles = Vec::with_capacity(runs);
    for _ in 0..runs {
        session.step_pipelined();
        let start = now_ms();
        session.book_energy();
        settles.push(now_ms() - start);
        std::hint::black_box(session.energies().last());
    }
    Ok(PageStep {
        step_ms: median(steps),
        stream_ms: median(passes),
        ratio: median(ratios),
        settle_ms: median(settles),
    })
}

/// The median of `v` (the upper one of an even count); NaN when `v` is empty.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}
