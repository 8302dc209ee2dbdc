//! Fingerprints of seeded computations, asserted both natively (`tests/reproducible.rs`) and in
//! the browser (`tests/web.rs`): the same seed must give the same numbers on both platforms.
//! The constants were produced by the native build; any change to the generator or to the
//! order of random draws changes them (and must be deliberate).

use emergence_lab::core::rng::Rng;
use emergence_lab::dendrites::simulate::{ImportanceSimulation, McKind, Simulation};
use emergence_lab::sorting::batch::{run_one, BatchConfig};
use emergence_lab::sorting::cellview::{Algotype, FrozenKind};
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

/// (hits, hits, hits, samples that hit, round(p × 1e30)) of seeded dendrite simulations: a plain
/// E3 run (n = 300, a = 64, s = 24, θ = 12, 20,000 test vectors, seed 5), a false-negative run
/// (n = 500, a = 40, s = 20, θ = 12, v = 16, 5,000 vectors, seed 6), a union-segment run
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
    let fm = run(McKind::FalseMatch { n: 300, a: 64, s: 24, theta: 12, segments: 1 }, 5, 20_000);
    let fneg = run(McKind::FalseNegative { n: 500, a: 40, s: 20, theta: 12, v: 16 }, 6, 5_000);
    let union = run(McKind::UnionSegment { n: 400, a: 40, s: 20, theta: 5, m: 3 }, 7, 3_000);
    let mut is = ImportanceSimulation::new(19_900, 64, 24, 12, 300.0, 8).expect("valid parameters");
    is.run(5_000);
    let est = is.estimate();
    (fm, fneg, union, est.hits, (est.p * 1e30).round() as i64)
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

pub const RNG_OUTPUTS: [u64; 3] = [1546998764402558742, 6990951692964543102, 12544586762248559009];
pub const BATCH_RUN: (u64, u64, u64) = (2597, 5047, 11466);
pub const SESSION_CHECKSUM: (u64, u64) = (79055, 1655);
pub const CHIMERA_RUN: (u64, u64, u64, u64, i64) = (336, 832, 8575, 4, 579915);
pub const DENDRITES_SIMULATION: (u64, u64, u64, u64, i64) = (19, 1892, 2135, 3660, 1078451);
pub const DENDRITES_SCENE: (u64, u64, u64, u64, u64) = (117, 14, 50, 18, 84);
