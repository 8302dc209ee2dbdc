//! Fingerprints of seeded computations, asserted both natively (`tests/reproducible.rs`) and in
//! the browser (`tests/web.rs`): the same seed must give the same numbers on both platforms.
//! The constants were produced by the native build; any change to the generator or to the
//! order of random draws changes them (and must be deliberate).

use emergence_lab::core::rng::Rng;
use emergence_lab::dendrites::simulate::{ImportanceSimulation, McKind, Simulation};
use emergence_lab::sorting::batch::{run_one, BatchConfig};
use emergence_lab::sorting::cellview::{Algotype, FrozenKind, Scheduler};
use emergence_lab::sorting::session::SortingSession;
use emergence_lab::sorting::setup::{SortConfig, Values};

pub fn rng_outputs() -> [u64; 3] {
    let mut r = Rng::seed_from_u64(42);
    [r.next_u64(), r.next_u64(), r.next_u64()]
}

/// (swaps, steps, ticks) of run 0 of a batch with n = 100, seed 3.
pub fn batch_run() -> (u64, u64, u64) {
    let r = run_one(&BatchConfig::bubble(100, 3), 0).expect("a valid configuration");
    (r.swaps, r.steps, r.ticks)
}

/// A checksum of the array after 500 swaps of an interactive session (n = 64, seed 9).
pub fn session_checksum() -> (u64, u64) {
    let mut s = SortingSession::bubble(64, 9);
    s.seek(500, u64::MAX);
    let sum = s.array().values().iter().enumerate().map(|(i, &v)| (i as u64 + 1) * u64::from(v)).sum();
    (sum, s.array().ticks())
}

/// (swaps, steps, ticks, final error, DG × 1e6 rounded) of a chimeric run with frozen cells
/// and duplicate values: every rule and the setup's draw order in one fingerprint.
pub fn chimera_run() -> (u64, u64, u64, u64, i64) {
    let mut sort = SortConfig::bubble(60);
    sort.algotypes = vec![(Algotype::Bubble, 1), (Algotype::Insertion, 1), (Algotype::Selection, 1)];
    sort.values = Values::Repeats(3);
    sort.frozen = 2;
    sort.frozen_kind = FrozenKind::Immovable;
    let r = run_one(&BatchConfig { sort, seed: 77, traditional: false }, 4).expect("a valid configuration");
    (r.swaps, r.steps, r.ticks, r.final_monotonicity_error, (r.delayed_gratification * 1e6).round() as i64)
}

/// The burst schedulers: (swaps, steps, ticks, round(DG × 1e6)) of the chimera above under
/// `threads` (both of its laws' tables, the recency rule and the frozen cells' slow-poll law
/// feed it) plus the ticks of a pure bubble run under `bursts`.
pub fn threads_run() -> (u64, u64, u64, i64, u64) {
    let mut sort = SortConfig::bubble(60);
    sort.algotypes = vec![(Algotype::Bubble, 1), (Algotype::Insertion, 1), (Algotype::Selection, 1)];
    sort.values = Values::Repeats(3);
    sort.frozen = 2;
    sort.frozen_kind = FrozenKind::Immovable;
    sort.scheduler = Scheduler::Threads;
    let r = run_one(&BatchConfig { sort, seed: 77, traditional: false }, 4).expect("a valid configuration");
    let mut bubble = SortConfig::bubble(50);
    bubble.scheduler = Scheduler::Bursts;
    let b = run_one(&BatchConfig { sort: bubble, seed: 78, traditional: false }, 0).expect("a valid configuration");
    (r.swaps, r.steps, r.ticks, (r.delayed_gratification * 1e6).round() as i64, b.ticks)
}

/// (hits, hits, hits, samples that hit, round(p × 1e30)) of seeded dendrite simulations: plain
/// E3 runs of 20,000 test vectors at n = 300, a = 64, s = 24, θ = 8 (seed 5; P ≈ 0.11, so
/// thousands of hits that any change in the draws moves) and at n = 100, a = 60, s = 50, θ = 31
/// (seed 5, P ≈ 0.42; a + s > n takes E3's other code path), their hits summed; a
/// false-negative run (n = 500, a = 40, s = 20, θ = 12, v = 16, 5,000 vectors, seed 6), a
/// union-segment run
/// (n = 400, a = 40, s = 20, θ = 5, M = 3, 3,000 vectors, seed 7) and an importance run at
/// n = 19900, a = 64, s = 24, θ = 12, λ = 300 (5,000 samples, seed 8; p ≈ 1.07e-24). Floyd's
/// subsets, the draw structure and the sampler's float decisions (basic IEEE operations only)
/// all feed it.
pub fn dendrites_simulation() -> (u64, u64, u64, u64, i64) {
    let run = |kind: McKind, seed: u64, trials: u64| {
        let mut sim = Simulation::new(kind, seed).expect("valid parameters");
        sim.run(trials);
        sim.hits()
    };
    let fm = run(McKind::FalseMatch { n: 300, a: 64, s: 24, theta: 8, segments: 1 }, 5, 20_000)
        + run(McKind::FalseMatch { n: 100, a: 60, s: 50, theta: 31, segments: 1 }, 5, 20_000);
    let fneg = run(McKind::FalseNegative { n: 500, a: 40, s: 20, theta: 12, v: 16 }, 6, 5_000);
    let union = run(McKind::UnionSegment { n: 400, a: 40, s: 20, theta: 5, m: 3 }, 7, 3_000);
    let mut is = ImportanceSimulation::new(19_900, 64, 24, 12, 300.0, 8).expect("valid parameters");
    is.run(5_000);
    let est = is.estimate();
    (fm, fneg, union, est.hits, (est.p * 1e30).round() as i64)
}

/// The kinds the first fingerprint leaves out, each from its own seed: (hits of an E4 run with
/// K = 5 segments redrawn per vector, n = 300, a = 40, s = 12, θ = 5, 4,000 vectors, seed 9;
/// hits of an E7 run, n = 1000, a = 30, s = 20, θ = 10, M = 10, 4,000 vectors, seed 10; the
/// bits of log10 p of bridge importance runs for E5 (a = 400, s = 40, θ = 10, v = 100, seed 11),
/// E6 (n = 10,000, a = 200, s = 25, θ = 15, M = 2, seed 12) and E7 (n = 8000, a = 30, s = 20,
/// θ = 10, M = 5, seed 13), 2,000 samples each, hashed together (FNV-1a); and a hash of the
/// hands-on views' picture cells: paint with a painted segment, pair, members, after 20
/// samples each at n = 256, zoomed ×2 from cell 64). The bridge's float decisions and the
/// union's integer draws must give the same bits natively and in wasm.
pub fn dendrites_more() -> (u64, u64, u64, u64) {
    use emergence_lab::dendrites::scene::{Painted, Scene, ViewMode};
    use emergence_lab::dendrites::DendriteParams;
    let fnv = |h: u64, bits: u64| (h ^ bits).wrapping_mul(0x0000_0100_0000_01b3);
    let run = |kind: McKind, seed: u64, trials: u64| {
        let mut sim = Simulation::new(kind, seed).expect("valid parameters");
        sim.run(trials);
        sim.hits()
    };
    let e4 = run(McKind::FalseMatch { n: 300, a: 40, s: 12, theta: 5, segments: 5 }, 9, 4_000);
    let e7 = run(McKind::UnionInput { n: 1000, a: 30, s: 20, theta: 10, m: 10 }, 10, 4_000);
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for (kind, seed) in [
        (McKind::FalseNegative { n: 100_000, a: 400, s: 40, theta: 10, v: 100 }, 11),
        (McKind::UnionSegment { n: 10_000, a: 200, s: 25, theta: 15, m: 2 }, 12),
        (McKind::UnionInput { n: 8000, a: 30, s: 20, theta: 10, m: 5 }, 13),
    ] {
        let mut is = ImportanceSimulation::for_kind(kind, None, seed).expect("valid parameters");
        is.run(2_000);
        h = fnv(h, is.estimate().log10_p.to_bits());
    }
    let params = DendriteParams { n: 256, a: 30, s: 16, theta: 4, m: 4, zoom: 2, at: 64, ..DendriteParams::default() };
    let mut cells = 0xcbf2_9ce4_8422_2325u64;
    for (mode, painted) in [
        (ViewMode::Paint, Painted { segment: Some(vec![1, 5, 70, 71, 72, 100, 200]), ..Painted::default() }),
        (ViewMode::Pair, Painted::default()),
        (ViewMode::Members, Painted::default()),
    ] {
        let mut scene = Scene::with_painted(mode, params, 14, painted);
        scene.seek(20);
        let mut out = Vec::new();
        scene.fill_colours(&mut out);
        for c in out {
            cells = fnv(cells, u64::from(u32::from_le_bytes(c)));
        }
        cells = fnv(cells, scene.info().hits);
    }
    (e4, e7, h, cells)
}

/// (hits, overlap of the last sample, synapses) after 200 samples of the bit view's match
/// scene and 50 of its union scene (n = 256, a = 64, s = 32, θ = 8, seed 3).
pub fn dendrites_scene() -> (u64, u64, u64, u64, u64) {
    use emergence_lab::dendrites::scene::{Scene, ViewMode};
    use emergence_lab::dendrites::DendriteParams;
    let params = DendriteParams { n: 256, a: 64, s: 32, theta: 8, m: 3, ..DendriteParams::default() };
    let mut matching = Scene::new(ViewMode::Match, params, 3);
    matching.seek(200);
    let mut union = Scene::new(ViewMode::Union, params, 3);
    union.seek(50);
    (matching.info().hits, matching.info().overlap, union.info().hits, union.info().overlap, union.info().synapses)
}

/// (FNV-1a hash of the bits of every new state and softmax weight, the same of 2000
/// `portable_exp` values from −740 to 709 and 16,000 of `exp_to_f32`, bits of state[0] and of p[0]) of modern Hopfield
/// updates: N = 301, d = 1030, Q = 7, β = 0.05 (several cache blocks, every tile remainder and
/// the scalar tail), N = 50, d = 37, Q = 5, β = 3, and N = 1300, d = 1030, Q = 3, β = 0.05 (21
/// blocks in 8 segments of 2–3: the online merge within and between segments), N = 90, d = 256,
/// Q = 6, β = 0.1 (the scores' tile for d known when compiling), data uniform in
/// [−1, 1) from seed 21, then the f64 dots `patterns::dot_f64` of 70 lengths. The f32 kernels
/// and the dots must give the same bits natively (SSE) and in wasm (SIMD128).
pub fn hopfield_kernels() -> (u64, u64, u32, u32) {
    use emergence_lab::hopfield::kernels::{exp_to_f32, modern_update, portable_exp, softmax_exp4};
    let fnv = |h: u64, bits: u64| (h ^ bits).wrapping_mul(0x0000_0100_0000_01b3);
    let mut rng = Rng::seed_from_u64(21);
    let mut uniform =
        |len: usize| -> Vec<f32> { (0..len).map(|_| ((rng.next_u64() >> 40) as f32 / 8_388_608.0) - 1.0).collect() };
    let (mut h_update, mut first) = (0xcbf2_9ce4_8422_2325u64, (0, 0));
    for (i, &(n, d, q, beta)) in
        [(301usize, 1030usize, 7usize, 0.05f32), (50, 37, 5, 3.0), (1300, 1030, 3, 0.05), (90, 256, 6, 0.1)]
            .iter()
            .enumerate()
    {
        let x = uniform(n * d);
        let queries = uniform(q * d);
        let (mut state, mut p) = (vec![0.0f32; q * d], vec![0.0f32; q * n]);
        modern_update(&x, n, d, &queries, q, beta, &mut state, &mut p).expect("valid sizes");
        for v in state.iter().chain(&p) {
            h_update = fnv(h_update, u64::from(v.to_bits()));
        }
        if i == 0 {
            first = (state[0].to_bits(), p[0].to_bits());
        }
    }
    let h_exp =
        (0..2000).fold(0xcbf2_9ce4_8422_2325u64, |h, i| fnv(h, portable_exp(-740.0 + i as f64 * 0.7245).to_bits()));
    // The softmax's two-lane exponential (f64x2 in wasm, SSE2 natively) from −110 to 0.
    let h_exp = (0..8000).fold(h_exp, |h, i| {
        let [a, b] = exp_to_f32(-110.0 + i as f64 * 0.01375, -(i as f64) * 0.0123);
        fnv(fnv(h, u64::from(a.to_bits())), u64::from(b.to_bits()))
    });
    // The softmax's four-lane exponential from −110 to 0 (f32x4 in wasm, SSE natively).
    let h_exp = (0..4000).fold(h_exp, |h, i| {
        let t = -110.0 + i as f64 * 0.0275;
        softmax_exp4([t, -(i as f64) * 0.0123, t * 0.5, -(i as f64) * 0.0271])
            .iter()
            .fold(h, |h, e| fnv(h, u64::from(e.to_bits())))
    });
    // The f64 dots of the energies and overlaps (SIMD where there is SIMD), every tail length.
    let v = uniform(4130);
    let h_update = (0..4130).step_by(59).fold(h_update, |h, len| {
        fnv(h, emergence_lab::hopfield::patterns::dot_f64(&v[..len], &v[4130 - len..]).to_bits())
    });
    (h_update, h_exp, first.0, first.1)
}

/// A seeded Hopfield run: a classical asynchronous session (random ±1 patterns, 16×16, P = 20,
/// 20% of the target flipped, seed 5) run to convergence, and a modern session on the built-in
/// faces (16×16, P = 8, half mask, β = 0.5, seed 6) after 3 updates. (steps, state checksum,
/// modern state checksum, round(modern energy × 1e6)): the pattern draws, the query's draws,
/// the sweep orders and the kernel's bits all feed it.
pub fn hopfield_run() -> (u64, u64, u64, i64) {
    use emergence_lab::hopfield::session::HopfieldSession;
    use emergence_lab::hopfield::{CorruptKind, HopfieldConfig, ModelKind, PatternSource};
    let classical = HopfieldConfig {
        model: ModelKind::Classical,
        patterns: PatternSource::Random,
        count: 20,
        side: 16,
        corrupt: CorruptKind::Flip,
        amount: 0.2,
        ..HopfieldConfig::default()
    };
    let mut s = HopfieldSession::new(&classical, 5).expect("a valid configuration");
    s.run(100);
    let sum = |v: &[f32]| {
        v.iter()
            .enumerate()
            .map(|(i, &x)| (i as u64 + 1).wrapping_mul(u64::from(x.to_bits())))
            .fold(0u64, u64::wrapping_add)
    };
    let modern =
        HopfieldConfig { model: ModelKind::Modern, beta: 0.5, count: 8, side: 16, ..HopfieldConfig::default() };
    let mut m = HopfieldSession::new(&modern, 6).expect("a valid configuration");
    for _ in 0..3 {
        m.step();
    }
    let e = *m.energies().last().expect("an energy");
    (s.steps() as u64, sum(s.state()), sum(m.state()), (e * 1e6).round() as i64)
}

/// More seeded Hopfield runs: the dense network (F = x³, 30 random patterns of 16×16, 15 %
/// flipped, seed 8) and the exponential one (200 random patterns of 8×8, 20 % flipped, seed 9)
/// run to convergence, the multitasking network with Glauber noise (T = 0.3, 3 diluted patterns
/// of 16×16, seed 10) for 12 sweeps, and a modern retrieval-accuracy curve (6 faces of 16×16,
/// β = 2, 2 queries per level, seed 11). (dense checksum, exp checksum, multitask checksum,
/// accuracy checksum): the sweep orders, the exact energy differences, the heat-bath draws with
/// the portable exp, and the accuracy curve's queries and kernels all feed it.
pub fn hopfield_more() -> (u64, u64, u64, u64) {
    use emergence_lab::hopfield::analysis::AccuracyJob;
    use emergence_lab::hopfield::session::HopfieldSession;
    use emergence_lab::hopfield::{CorruptKind, HopfieldConfig, ModelKind, PatternSource};
    let sum = |v: &[f32]| {
        v.iter()
            .enumerate()
            .map(|(i, &x)| (i as u64 + 1).wrapping_mul(u64::from(x.to_bits())))
            .fold(0u64, u64::wrapping_add)
    };
    let run = |config: HopfieldConfig, seed: u64, steps: usize| {
        let mut s = HopfieldSession::new(&config, seed).expect("a valid configuration");
        s.run(steps);
        sum(s.state()).wrapping_add((s.steps() as u64) << 40)
    };
    let flipped = |model, count, side, amount| HopfieldConfig {
        model,
        patterns: PatternSource::Random,
        count,
        side,
        corrupt: CorruptKind::Flip,
        amount,
        ..HopfieldConfig::default()
    };
    let dense = run(HopfieldConfig { order: 3, ..flipped(ModelKind::Dense, 30, 16, 0.15) }, 8, 100);
    let exp = run(flipped(ModelKind::Exp, 200, 8, 0.2), 9, 100);
    let multitask = run(
        HopfieldConfig {
            model: ModelKind::Multitask,
            temperature: 0.3,
            count: 3,
            side: 16,
            dilution: 0.5,
            ..HopfieldConfig::default()
        },
        10,
        12,
    );
    let modern =
        HopfieldConfig { model: ModelKind::Modern, beta: 2.0, count: 6, side: 16, ..HopfieldConfig::default() };
    let mut job = AccuracyJob::new(&modern, 11, 2).expect("a valid configuration");
    while job.done() < job.total() {
        job.run_next().expect("a query");
    }
    let accuracy = job
        .records()
        .iter()
        .map(|r| r.overlap.to_bits() ^ (r.wrong as u64) << 32 ^ r.target as u64)
        .fold(0u64, |h, v| h.wrapping_mul(1_000_003).wrapping_add(v));
    (dense, exp, multitask, accuracy)
}

pub const RNG_OUTPUTS: [u64; 3] = [1546998764402558742, 6990951692964543102, 12544586762248559009];
pub const BATCH_RUN: (u64, u64, u64) = (2597, 5122, 11810);
pub const SESSION_CHECKSUM: (u64, u64) = (79049, 1576);
pub const CHIMERA_RUN: (u64, u64, u64, u64, i64) = (329, 841, 8990, 4, 898039);
pub const THREADS_RUN: (u64, u64, u64, i64, u64) = (343, 888, 39061, 636364, 3637);
pub const DENDRITES_SIMULATION: (u64, u64, u64, u64, i64) = (10742, 1892, 2135, 3660, 1078451);
pub const DENDRITES_SCENE: (u64, u64, u64, u64, u64) = (117, 14, 50, 18, 84);
pub const DENDRITES_MORE: (u64, u64, u64, u64) = (250, 84, 1257418277279101299, 10072678253881577064);
pub const HOPFIELD_KERNELS: (u64, u64, u32, u32) = (6292548782034182935, 14133726215990342359, 1007343012, 995480042);
pub const HOPFIELD_MORE: (u64, u64, u64, u64) = (74160126558208, 6349840711680, 77997679837184, 14952558108894953582);
pub const HOPFIELD_RUN: (u64, u64, u64, i64) = (2, 71578851213312, 75833354245866, 3784585);
