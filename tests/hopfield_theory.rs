//! The Hopfield science against its theory (docs/hopfield.md): energy monotonicity,
//! the modern bounds, the β → 0 average, the pitchfork threshold, the dense energy differences'
//! closed forms, classical capacity, 2-cycles, the multitasking hierarchy, Theorem 3's
//! constants, bit packing, image import and corruption counts.
#![cfg(not(target_arch = "wasm32"))]

use emergence_lab::core::params::Params;
use emergence_lab::core::rng::Rng;
use emergence_lab::hopfield::capacity::{run_capacity, theory_lines, CapacityConfig, CapacityModel};
use emergence_lab::hopfield::classical::{BinaryNet, Classical, Dynamics, FieldForm, TieRule};
use emergence_lab::hopfield::dense::{DenseNet, Interaction};
use emergence_lab::hopfield::modern::{beta_critical, pitchfork_theory, theorem3, Modern, Scaling};
use emergence_lab::hopfield::multitask::hierarchical_run;
use emergence_lab::hopfield::patterns::{
    from_rgba, pack_pm1, pack_set, unpack_pm1, unpack_set, ImportMode, PatternSet,
};
use emergence_lab::hopfield::queries::{corrupt, Corruption, Fill};
use emergence_lab::hopfield::session::HopfieldSession;
use emergence_lab::hopfield::{config_from_params, schema, HopfieldConfig, ModelKind, PatternSource, UpdateMode};

fn pm1(n: usize, rng: &mut Rng) -> Vec<i8> {
    (0..n).map(|_| if rng.coin() { 1 } else { -1 }).collect()
}

#[test]
fn classical_async_energy_never_increases() {
    // Exact: the scaled energy 2N·E is an integer, so "never increases" is checked without
    // tolerance, after every single component update, for 60 seeds and both field forms.
    for seed in 0..60u64 {
        let mut rng = Rng::seed_from_u64(seed);
        let (n, p) = (80, 4 + (seed as usize % 20));
        let pats = pm1(n * p, &mut rng);
        let form = if seed % 2 == 0 { FieldForm::Dense } else { FieldForm::Factored };
        let mut net = Classical::new(&pats, n, p, TieRule::Keep, Some(form)).unwrap();
        net.set_state(&pm1(n, &mut rng));
        let mut dynamics = Dynamics::new();
        let mut e = net.scaled_energy();
        for _ in 0..20 * n {
            dynamics.async_component(&mut net, &mut rng);
            let e2 = net.scaled_energy();
            assert!(e2 <= e, "seed {seed}: {e} → {e2}");
            e = e2;
        }
    }
}

/// Random ±1 or Gaussian patterns as a modern network.
fn modern(n: usize, d: usize, beta: f64, seed: u64) -> (Modern, Rng) {
    let mut rng = Rng::seed_from_u64(seed);
    let set = if seed.is_multiple_of(2) {
        PatternSet::random_pm1(d, 1, n, &mut rng)
    } else {
        PatternSet::sphere(d, 1, n, (d as f64).sqrt(), &mut rng)
    };
    (Modern::from_patterns(&set, beta, Scaling::Paper).unwrap(), rng)
}

#[test]
fn modern_energy_decreases_and_stays_in_bounds() {
    for seed in 0..24u64 {
        let beta = [0.05, 0.3, 1.0, 4.0][seed as usize % 4];
        let (d, n) = (32, 20);
        let (mut m, mut rng) = modern(n, d, beta, seed);
        let mm = m.max_norm();
        // A query far outside the hull (norm 3M): the bounds hold only after the first update.
        let mut xi: Vec<f32> =
            (0..d).map(|_| (3.0 * emergence_lab::hopfield::patterns::gaussian(&mut rng)) as f32).collect();
        let (lo, hi) = m.energy_bounds();
        // Tolerance: the state is f32, so each component carries a rounding of ≤ 2^-24·M
        // relative; E changes by at most ‖∇E‖·‖δξ‖ ≤ 2M·√d·M·2^-24; we allow 4·d·M²·2^-24.
        let tol = 4.0 * d as f64 * mm * mm * 2f64.powi(-24);
        let mut e_prev = m.energy(&xi);
        let mut out = vec![0.0f32; d];
        let mut p = vec![0.0f32; n];
        for step in 0..30 {
            m.update(&xi, 1, &mut out, &mut p).unwrap();
            std::mem::swap(&mut xi, &mut out);
            let e = m.energy(&xi);
            assert!(e <= e_prev + tol, "seed {seed} step {step}: {e_prev} → {e}");
            assert!(e >= lo - tol && e <= hi + tol, "seed {seed}: E = {e} outside [{lo}, {hi}]");
            e_prev = e;
        }
    }
}

#[test]
fn kernel_update_matches_the_reference_loop() {
    // The kernel is f32 with f32 lanes; the reference accumulates in f64. Scores of size
    // β·d·M² carry a relative f32 error of about d·2^-24, so p differs by ≲ β·d²·2^-24·|p|.
    for seed in 0..6u64 {
        let (n, d, q) = (37, 50, 5);
        let (mut m, mut rng) = modern(n, d, 0.2, seed);
        let queries: Vec<f32> =
            (0..q * d).map(|_| emergence_lab::hopfield::patterns::gaussian(&mut rng) as f32).collect();
        let (mut s1, mut p1) = (vec![0.0; q * d], vec![0.0; q * n]);
        let (mut s2, mut p2) = (vec![0.0; q * d], vec![0.0; q * n]);
        m.update(&queries, q, &mut s1, &mut p1).unwrap();
        m.update_reference(&queries, q, &mut s2, &mut p2).unwrap();
        for (a, b) in p1.iter().zip(&p2) {
            assert!((a - b).abs() <= 1e-4 * b.abs().max(1e-3), "{a} {b}");
        }
        for (a, b) in s1.iter().zip(&s2) {
            assert!((a - b).abs() <= 1e-4, "{a} {b}");
        }
    }
}

#[test]
fn beta_to_zero_gives_the_mean() {
    // p_i = (1 + β(z_i − z̄))/N + O(β²), so ‖ξ' − mean‖ ≤ β·max|z − z̄|·M ≈ β·2dM = 2.6e-4
    // here (d = 64, β = 1e-6, M = 8); f32 rounding adds ~1e-6.
    let (n, d) = (10, 64);
    let (mut m, mut rng) = modern(n, d, 1e-6, 2);
    let mean: Vec<f64> = (0..d).map(|j| (0..n).map(|i| f64::from(m.pattern(i)[j])).sum::<f64>() / n as f64).collect();
    let q: Vec<f32> = pm1(d, &mut rng).into_iter().map(f32::from).collect();
    let (mut out, mut p) = (vec![0.0; d], vec![0.0; n]);
    m.update(&q, 1, &mut out, &mut p).unwrap();
    let err: f64 = out.iter().zip(&mean).map(|(&a, &b)| (f64::from(a) - b).powi(2)).sum::<f64>().sqrt();
    assert!(err < 3e-4, "{err}");
    for &pi in &p {
        assert!((f64::from(pi) - 0.1).abs() < 1e-4);
    }
}

/// t after `steps` updates from the midpoint of a and b offset by t0.
fn pitch_t(a: &[f32], b: &[f32], beta: f64, t0: f64, steps: usize) -> f64 {
    let d = a.len();
    let mut x = a.to_vec();
    x.extend_from_slice(b);
    let mut m = Modern::new(x, 2, d, beta, Scaling::Paper).unwrap();
    let half: Vec<f64> = a.iter().zip(b).map(|(&u, &v)| 0.5 * f64::from(u - v)).collect();
    let mid: Vec<f32> = a.iter().zip(b).map(|(&u, &v)| 0.5 * (u + v)).collect();
    let mut xi: Vec<f32> = mid.iter().zip(&half).map(|(&m, &h)| (f64::from(m) + t0 * h) as f32).collect();
    let (mut out, mut p) = (vec![0.0; d], vec![0.0; 2]);
    for _ in 0..steps {
        m.update(&xi, 1, &mut out, &mut p).unwrap();
        std::mem::swap(&mut xi, &mut out);
    }
    let h2: f64 = half.iter().map(|v| v * v).sum();
    xi.iter().zip(&mid).zip(&half).map(|((&s, &m), &h)| (f64::from(s) - f64::from(m)) * h).sum::<f64>() / h2
}

#[test]
fn pitchfork_threshold() {
    // Two ±1 patterns differing in K = 8 of 64 components: ‖a − b‖² = 32, β_c = 1/8. Below β_c
    // the midpoint attracts (t ≈ 0.9^k·t0 → 0); above it, t → t* = tanh(1.1 t*) ≈ 0.50294.
    let mut rng = Rng::seed_from_u64(9);
    let a: Vec<f32> = pm1(64, &mut rng).into_iter().map(f32::from).collect();
    let mut b = a.clone();
    for v in &mut b[..8] {
        *v = -*v;
    }
    let bc = beta_critical(&a, &b);
    assert_eq!(bc, 0.125);
    let below = pitch_t(&a, &b, 0.9 * bc, 0.01, 400);
    // 0.9^400·0.01 ≈ 5e-21 in exact arithmetic; the f32 state's rounding (≈ 6e-8 per unit
    // component, √d of them) leaves a floor near 1e-6.
    assert!(below.abs() < 1e-4, "{below}");
    let above = pitch_t(&a, &b, 1.1 * bc, 0.01, 400);
    let theory = pitchfork_theory(1.1 * bc, 32.0);
    assert!((theory - 0.50294).abs() < 1e-4, "{theory}");
    // The reduced map is exact for two equal-norm patterns; f32 state rounding only.
    assert!((above - theory).abs() < 1e-4, "{above} {theory}");
    assert!((pitch_t(&a, &b, 1.1 * bc, -0.01, 400) + theory).abs() < 1e-4);
    assert_eq!(pitchfork_theory(0.9 * bc, 32.0), 0.0);
}

#[test]
fn dense_energy_difference_closed_forms() {
    // Exact integers: n = 2 is 4× the Hebbian field with zero diagonal (N·h_l), n = 3 is
    // Σ_μ ξ_l^μ (6a_μ² + 2) (derived here: docs/hopfield.md, "What the lab derived itself").
    for seed in 0..10u64 {
        let mut rng = Rng::seed_from_u64(100 + seed);
        let (n, p) = (50, 7);
        let pats = pm1(n * p, &mut rng);
        let state = pm1(n, &mut rng);
        let mut hebb = Classical::new(&pats, n, p, TieRule::Keep, None).unwrap();
        hebb.set_state(&state);
        let mut d2 = DenseNet::new(&pats, n, p, Interaction::Poly { n: 2, rectified: false }, TieRule::Keep).unwrap();
        d2.set_state(&state);
        let mut d3 = DenseNet::new(&pats, n, p, Interaction::Poly { n: 3, rectified: false }, TieRule::Keep).unwrap();
        d3.set_state(&state);
        for l in 0..n {
            assert_eq!(d2.difference(l).unwrap(), 4.0 * hebb.scaled_field(l) as f64);
            let closed: i64 = (0..p)
                .map(|mu| {
                    let x = &pats[mu * n..(mu + 1) * n];
                    let a: i64 = (0..n).filter(|&j| j != l).map(|j| i64::from(x[j] * state[j])).sum();
                    i64::from(x[l]) * (6 * a * a + 2)
                })
                .sum();
            assert_eq!(d3.difference(l).unwrap(), closed as f64);
            assert_eq!(d3.difference_sign(l), closed.signum());
        }
    }
}

#[test]
fn dense_high_order_is_exact_without_overflow() {
    // n = 30 at N = 300 needs ≈ 250-bit sums: the sign must equal the sign of the exact
    // difference computed independently with f64 where it is unambiguous (one pattern: the
    // sign is ξ_l·sgn(D(a)), D odd-symmetric and increasing in a for even n).
    let mut rng = Rng::seed_from_u64(5);
    let n = 300;
    let pats = pm1(n, &mut rng);
    let mut net = DenseNet::new(&pats, n, 1, Interaction::Poly { n: 30, rectified: false }, TieRule::Keep).unwrap();
    net.set_state(&pats);
    for (l, &xi) in pats.iter().enumerate().take(n) {
        // a = N − 1 > 0, D(a) > 0: the pattern is a fixed point.
        assert_eq!(net.difference_sign(l), i64::from(xi));
    }
    // The exp model at N = 2000 (e^2000 overflows f64): patterns are fixed points.
    let pats = pm1(2000 * 3, &mut rng);
    let mut e = DenseNet::new(&pats, 2000, 3, Interaction::Exp, TieRule::Keep).unwrap();
    e.set_state(&pats[..2000]);
    assert!((0..2000).all(|l| e.decide(l) == pats[l]));
    assert!(e.energy().is_finite());
}

#[test]
fn classical_capacity_falls_through_0138() {
    // N = 500, starts at the stored patterns themselves, asynchronous dynamics. At α = 0.10
    // the AGS retrieval state has ≈ 0.1–0.5% wrong bits, so nearly every start stays within
    // 1%; at α = 0.18 > 0.138 retrieval collapses (we measured ≈ 0.3 retrieved at N = 500).
    // 4 tests × 20 starts = 80 starts: a binomial SE below 0.06, and the bounds are 3 SE away.
    let run = |p: usize| {
        let config = CapacityConfig {
            model: CapacityModel::Classical,
            neurons: 500,
            patterns: p,
            tests: 4,
            seed: 11,
            flip: 0,
            starts: 20,
        };
        run_capacity(&config, &mut |_| {}).unwrap()
    };
    let low = run(50);
    let high = run(90);
    assert!(low.retrieved_fraction >= 0.9, "{low:?}");
    assert!(high.retrieved_fraction <= 0.6, "{high:?}");
    assert!(low.mean_overlap > 0.99 && high.mean_overlap < 0.9, "{} {}", low.mean_overlap, high.mean_overlap);
}

#[test]
fn error_free_capacity_order_of_magnitude() {
    // N/(2 ln N) = 18.9 at N = 200. Well below it (P = 5) essentially every pattern is an
    // exact fixed point (per-bit instability Φ(−√(199/4)) ≈ 1e-12); at 4× it (P = 75,
    // α = 0.375) most are not (per-bit ≈ Φ(−1.64) ≈ 0.05, so 200 bits all stable ≈ e^-10).
    let lines = theory_lines(200, None);
    assert!((lines.error_free - 18.87).abs() < 0.01);
    let run = |p: usize| {
        let config = CapacityConfig {
            model: CapacityModel::Classical,
            neurons: 200,
            patterns: p,
            tests: 5,
            seed: 3,
            flip: 0,
            starts: 0,
        };
        run_capacity(&config, &mut |_| {}).unwrap().fixed_point_fraction
    };
    assert!(run(5) >= 0.99);
    assert!(run(75) <= 0.05);
    // The dense line for n = 3 at N = 100 is N²/(6 ln N) = 361.9 (Krotov & Hopfield's
    // N^{n−1}/(2(2n−3)!! ln N); docs/hopfield.md).
    assert!((theory_lines(100, Some(3)).dense_error_free.unwrap() - 361.9).abs() < 0.05);
}

#[test]
fn synchronous_two_cycle_is_detected() {
    // One pattern (1, 1) on two neurons: w₁₂ = ½. From (1, −1) the synchronous update swaps
    // the two values: (−1, 1), then (1, −1) again — a 2-cycle; asynchronous runs converge.
    let mut net = Classical::new(&[1, 1], 2, 1, TieRule::Keep, None).unwrap();
    net.set_state(&[1, -1]);
    let mut dynamics = Dynamics::new();
    assert_eq!(dynamics.sync_step(&mut net), 2);
    assert!(!dynamics.two_cycle());
    assert_eq!(net.state(), &[-1, 1]);
    assert_eq!(dynamics.sync_step(&mut net), 2);
    assert!(dynamics.two_cycle());
    // The session stops a synchronous run on a 2-cycle. One stored pattern x on 64 neurons and a
    // query with exactly half its cells flipped: x·σ = 0, so every field is
    // xᵢ(x·σ − xᵢσᵢ)/N = −σᵢ/N and the synchronous update negates the whole state; x·(−σ) = 0
    // again, so it negates it back: a 2-cycle, caught at the second step.
    let mut config =
        HopfieldConfig { model: ModelKind::Classical, update: UpdateMode::Sync, ..HopfieldConfig::default() };
    config.patterns = PatternSource::Random;
    config.count = 1;
    config.side = 8;
    config.corrupt = emergence_lab::hopfield::CorruptKind::Flip;
    config.amount = 0.5;
    for seed in 0..5 {
        let mut s = HopfieldSession::new(&config, seed).unwrap();
        let query = s.query().to_vec();
        s.step();
        assert_eq!(s.state(), query.iter().map(|v| -v).collect::<Vec<f32>>(), "seed {seed}: the state negated");
        assert!(!s.two_cycle());
        let taken = s.run(50);
        assert_eq!((taken, s.steps()), (1, 2), "seed {seed}");
        assert!(s.two_cycle() && !s.converged(), "seed {seed}");
        assert_eq!(s.state(), &query[..]);
    }
    // Asynchronously the same start converges: the first flip breaks the tie x·σ = 0.
    config.update = UpdateMode::Async;
    let mut s = HopfieldSession::new(&config, 1).unwrap();
    s.run(50);
    assert!(s.converged() && !s.two_cycle());
    assert_eq!(s.overlap(s.target()).map(f64::abs), Some(1.0));
}

/// P(S < −(N − 1)) for S a sum of `terms` independent fair ±1 (S ≡ terms mod 2).
fn pm1_sum_below(terms: u64, threshold: i64) -> f64 {
    // S = 2B − terms, B ~ Binomial(terms, ½): S < t ⇔ B < (t + terms)/2. Summed in log space.
    let bound = (threshold + terms as i64) as f64 / 2.0;
    let ln_half = (0.5f64).ln() * terms as f64;
    let mut ln_c = 0.0f64; // ln C(terms, 0)
    let mut total = 0.0;
    let mut k = 0u64;
    while (k as f64) < bound {
        total += (ln_c + ln_half).exp();
        ln_c += ((terms - k) as f64).ln() - ((k + 1) as f64).ln();
        k += 1;
    }
    total
}

#[test]
fn a_stored_bit_is_unstable_with_the_exact_crosstalk_probability() {
    // Start at stored pattern t: N·hᵢxᵢ = (N − 1) + S with S = Σ_{μ≠t} Σ_{j≠i} xᵢᵗxᵢᵘxⱼᵘxⱼᵗ, a sum
    // of (P − 1)(N − 1) independent fair ±1 for random patterns (for each μ the factor xᵢᵗxᵢᵘ
    // multiplies N − 1 fresh signs). The bit flips in a synchronous step iff S < −(N − 1) (a zero
    // field keeps it), so the fraction of flipped bits estimates that binomial tail exactly
    // (Hertz, Krogh & Palmer's Φ(−√(N/P)) is its normal limit). 20 seeds; the standard error
    // from the spread of the seeds' fractions.
    let n = 500;
    for p in [50usize, 90] {
        let fractions: Vec<f64> = (0..20u64)
            .map(|seed| {
                let mut rng = Rng::seed_from_u64(100 + seed);
                let pats = pm1(n * p, &mut rng);
                let mut flipped = 0;
                let mut net = Classical::new(&pats, n, p, TieRule::Keep, None).unwrap();
                for t in 0..p {
                    net.set_state(&pats[t * n..(t + 1) * n]);
                    flipped += Dynamics::new().sync_step(&mut net);
                }
                flipped as f64 / (n * p) as f64
            })
            .collect();
        let mean = fractions.iter().sum::<f64>() / 20.0;
        let se = (fractions.iter().map(|f| (f - mean).powi(2)).sum::<f64>() / 19.0 / 20.0).sqrt();
        let exact = pm1_sum_below(((p - 1) * (n - 1)) as u64, -(n as i64 - 1));
        assert!((mean - exact).abs() <= 3.0 * se, "P = {p}: {mean} of the bits unstable against {exact} (SE {se})");
        assert!(se < 0.25 * exact, "P = {p}: SE {se} against {exact}");
    }
}

#[test]
fn multitask_hierarchical_magnetisations() {
    // docs/hopfield.md ("What the lab derived itself"): K = 2, d = 0.3, N = 4000, T = 0: |m_k|/(1 −
    // d) = 0.995, 0.305 (theory 1,
    // 0.3), finite-size scatter ≈ ±0.03; we allow 0.05 per seed.
    for seed in 0..2 {
        let m = hierarchical_run(4000, 2, 0.3, seed, 100).unwrap();
        let r: Vec<f64> = m.iter().map(|v| v.abs() / 0.7).collect();
        assert!((r[0] - 1.0).abs() < 0.05, "{r:?}");
        assert!((r[1] - 0.3).abs() < 0.05, "{r:?}");
    }
}

#[test]
fn theorem3_constants() {
    // Ramsauer et al., Theorem 3: c = 3.1546 (β = 1, K = 3, d = 20, p = 0.001) and 1.3718 (K = 1, d
    // = 75).
    let t = theorem3(1.0, 3.0, 20.0, 0.001);
    assert!((t.a + 0.007678).abs() < 1e-6 && (t.b - 3.6).abs() < 1e-12, "{t:?}");
    assert!((t.c - 3.154611).abs() < 1e-5, "{t:?}");
    assert!((t.threshold - 2.3942).abs() < 1e-4 && (t.patterns - 7.41).abs() < 0.01, "{t:?}");
    let t = theorem3(1.0, 1.0, 75.0, 0.001);
    assert!((t.c - 1.371878).abs() < 1e-5, "{t:?}");
    assert!((t.threshold - 1.2513).abs() < 1e-4 && (t.patterns - 10.97).abs() < 0.01, "{t:?}");
}

#[test]
fn bit_packing_round_trips() {
    let mut rng = Rng::seed_from_u64(4);
    for (w, h, p) in [(16, 16, 1), (64, 64, 3), (7, 5, 11), (1, 1, 1)] {
        let set = PatternSet::random_pm1(w, h, p, &mut rng);
        let text = pack_set(&set).unwrap();
        assert!(text.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(text.len(), 4 + (w * h * p).div_ceil(6));
        let back = unpack_set(&text).unwrap();
        assert_eq!((back.width, back.height, back.data.clone()), (w, h, set.data.clone()));
        assert_eq!(unpack_pm1(&pack_pm1(set.row(0)), w * h).unwrap(), set.row(0));
    }
    // A drawn set in the URL becomes the session's patterns.
    let set = PatternSet::random_pm1(12, 12, 3, &mut rng);
    let mut params = Params::defaults(schema());
    params.set_text(schema(), "patterns", "drawn");
    params.set_text(schema(), "drawn", &pack_set(&set).unwrap());
    params.set_text(schema(), "target", "2");
    let (config, notices) = config_from_params(&params);
    assert!(notices.is_empty(), "{notices:?}");
    let s = HopfieldSession::new(&config, 1).unwrap();
    assert_eq!(s.patterns().data, set.data);
    assert_eq!((s.width(), s.target()), (12, 2));
    assert!(unpack_set("AAAB").is_err() && unpack_set("").is_err() && unpack_set("!!!!").is_err());
}

#[test]
fn image_import_on_a_tiny_picture() {
    // 4×2 RGBA: left half black, right half white, except a transparent pixel (→ white) and a
    // grey (100, 100, 100) one. Resized to 2×1 by box averages: left = (0+0+0+100)/4 = 25
    // (ink, +1), right = 255 (−1). Greyscale: 1 − 2L/255.
    let px = |r: u8, a: u8| [r, r, r, a];
    let rows =
        [[px(0, 255), px(0, 255), px(255, 255), px(0, 0)], [px(0, 255), px(100, 255), px(255, 255), px(255, 255)]];
    let rgba: Vec<u8> = rows.iter().flatten().flatten().copied().collect();
    let b = from_rgba(&rgba, 4, 2, 2, 1, ImportMode::Binarise { threshold: 128.0 }).unwrap();
    assert_eq!(b, vec![1.0, -1.0]);
    let g = from_rgba(&rgba, 4, 2, 2, 1, ImportMode::Greyscale).unwrap();
    assert!((g[0] - (1.0 - 2.0 * 25.0 / 255.0) as f32).abs() < 1e-6 && g[1] == -1.0, "{g:?}");
    // Upscaling 1×1 → 3×3 copies the pixel.
    assert_eq!(from_rgba(&[0, 0, 0, 255], 1, 1, 3, 3, ImportMode::Greyscale).unwrap(), vec![1.0; 9]);
    assert!(from_rgba(&rgba[..5], 4, 2, 2, 1, ImportMode::Greyscale).is_err());
}

#[test]
fn corruption_counts_are_exact() {
    let mut rng = Rng::seed_from_u64(8);
    let p: Vec<f32> = pm1(32 * 32, &mut rng).into_iter().map(f32::from).collect();
    for k in [0, 1, 17, 500, 1024, 5000] {
        let q = corrupt(&p, 32, 32, &Corruption::Flip { k }, &mut rng);
        assert_eq!(q.iter().zip(&p).filter(|(a, b)| a != b).count(), k.min(1024));
    }
    let q = corrupt(&p, 32, 32, &Corruption::MaskRect { x: 30, y: 4, w: 10, h: 3, fill: Fill::Zero }, &mut rng);
    assert_eq!(q.iter().filter(|&&v| v == 0.0).count(), 2 * 3);
    let q = corrupt(&p, 32, 32, &Corruption::MaskHalf { fill: Fill::Zero }, &mut rng);
    assert_eq!(q.iter().filter(|&&v| v == 0.0).count(), 15 * 32);
    let q = corrupt(&p, 32, 32, &Corruption::Invert, &mut rng);
    assert!(q.iter().zip(&p).all(|(a, b)| *a == -*b));
}

fn session(model: ModelKind, update: UpdateMode) -> HopfieldSession {
    let config = HopfieldConfig { model, update, count: 6, side: 16, ..HopfieldConfig::default() };
    HopfieldSession::new(&config, 7).unwrap()
}

#[test]
fn sessions_of_every_model_retrieve_and_replay() {
    for model in [ModelKind::Classical, ModelKind::Dense, ModelKind::Exp, ModelKind::Modern, ModelKind::Multitask] {
        for update in [UpdateMode::Async, UpdateMode::Sync] {
            let mut s = session(model, update);
            let taken = s.run(100);
            assert!(taken >= 1 && s.energies().len() == taken + 1);
            // Six built-in faces on 256 neurons, the query half masked: every model retrieves its
            // target (the binary models exactly; the modern one to a cosine within 10⁻⁵).
            let overlap = s.overlap(s.target()).unwrap();
            if model == ModelKind::Modern {
                assert!(overlap > 1.0 - 1e-5, "{model:?} {update:?}: overlap {overlap}");
            } else {
                assert_eq!(overlap, 1.0, "{model:?} {update:?}");
            }
            if model != ModelKind::Modern && update == UpdateMode::Async {
                assert!(s.converged(), "{model:?}");
                assert!(s.energies().windows(2).all(|w| w[1] <= w[0]), "{model:?} {:?}", s.energies());
            }
            let state = s.state().to_vec();
            s.reset();
            assert_eq!(s.state(), s.query());
            s.run(taken);
            assert_eq!(s.state(), &state[..], "{model:?} replay");
        }
    }
    // Component steps make the same sweep as step().
    let (mut a, mut b) =
        (session(ModelKind::Classical, UpdateMode::Async), session(ModelKind::Classical, UpdateMode::Async));
    a.step();
    for _ in 0..256 {
        b.step_component();
    }
    assert_eq!(a.state(), b.state());
    assert_eq!(a.steps(), b.steps());
    // The built-in faces with the blog's half mask: the classical network at 6 faces.
    let s = session(ModelKind::Modern, UpdateMode::Async);
    assert!(s.weights().is_none() && s.energy_bounds().is_some());
}

#[test]
fn modern_session_views() {
    let config =
        HopfieldConfig { model: ModelKind::Modern, beta: 1.0, count: 8, side: 16, ..HopfieldConfig::default() };
    let mut s = HopfieldSession::new(&config, 3).unwrap();
    s.step();
    let (lo, hi) = s.energy_bounds().unwrap();
    let e = *s.energies().last().unwrap();
    assert!(e >= lo - 1e-6 && e <= hi, "{e} {hi}");
    let w = s.weights().unwrap();
    assert_eq!(w.len(), 8);
    assert!((w.iter().map(|&v| f64::from(v)).sum::<f64>() - 1.0).abs() < 1e-5);
    let strip = s.beta_strip(&[1e-4, 1.0, 100.0]);
    assert_eq!(strip.len(), 3);
    // β → 0: the mean of the stored patterns.
    let d = s.patterns().dim();
    for (j, &v) in strip[0].iter().enumerate() {
        let mean = (0..8).map(|i| s.patterns().row(i)[j]).sum::<f32>() / 8.0;
        assert!((v - mean).abs() < 0.05, "{j}: {v} {mean}");
    }
    assert_eq!(strip[2].len(), d);
    let pf = s.pitchfork(&[0.5, 2.0]);
    assert!(pf.a != pf.b && pf.beta_c > 0.0 && pf.points.len() == 2);
    let below: Vec<f64> = [0.5 * pf.beta_c].to_vec();
    let above: Vec<f64> = [2.0 * pf.beta_c].to_vec();
    let pb = s.pitchfork(&below).points[0];
    let pa = s.pitchfork(&above).points[0];
    // Other faces pull the state too, so only the qualitative split is asserted: near the
    // midpoint below β_c, a clear split (t₊ > 0 > t₋) above it.
    assert!((pb.t_plus - pb.t_minus).abs() < (pa.t_plus - pa.t_minus).abs(), "{pb:?} {pa:?}");
    assert!(pa.t_plus > 0.2 && pa.t_minus < -0.2, "{pa:?}");
}

/// β_c = 4/‖a − b‖² needs ‖a‖ = ‖b‖: ±1 patterns have it, sparse 0/1 patterns mostly do not,
/// and then the page shows no β_c and no two-pattern theory.
#[test]
fn beta_c_is_given_for_equal_norms_only() {
    let faces = HopfieldSession::new(
        &HopfieldConfig { model: ModelKind::Modern, count: 8, side: 16, ..HopfieldConfig::default() },
        3,
    )
    .unwrap();
    let pf = faces.pitchfork(&[1.0]);
    assert!(pf.equal_norms && pf.beta_c.is_finite() && pf.points[0].theory.is_finite(), "{pf:?}");
    let config = HopfieldConfig {
        model: ModelKind::Modern,
        patterns: PatternSource::Sparse,
        dilution: 0.8,
        count: 8,
        side: 16,
        ..HopfieldConfig::default()
    };
    let sparse = HopfieldSession::new(&config, 3).unwrap();
    let (a, b) = (sparse.pitchfork(&[1.0]).a, sparse.pitchfork(&[1.0]).b);
    let norm2 = |i: usize| sparse.patterns().row(i).iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>();
    let pf = sparse.pitchfork(&[1.0]);
    assert_eq!(pf.equal_norms, norm2(a) == norm2(b), "{pf:?}");
    if !pf.equal_norms {
        assert!(pf.beta_c.is_nan() && pf.points[0].theory.is_nan(), "{pf:?}");
    }
    // Over a few seeds, sparse pairs of unequal norm occur (so the check above ran).
    let unequal =
        (1..20u64).filter(|&seed| !HopfieldSession::new(&config, seed).unwrap().pitchfork(&[1.0]).equal_norms).count();
    assert!(unequal > 5, "{unequal} of 19 seeds");
}

/// The page's WebGPU path and worker pool hand the session an update computed elsewhere
/// (`step_with`), with or without the dot products of the state it started from: with the
/// CPU's own result it must leave the session exactly as `step_pipelined` does (the same
/// states, weights, energies, counts), and bad input must change nothing.
#[test]
fn an_update_computed_elsewhere_keeps_the_session_s_bookkeeping() {
    use emergence_lab::hopfield::kernels::dots;
    let config = HopfieldConfig { model: ModelKind::Modern, count: 6, side: 16, ..HopfieldConfig::default() };
    for with_dots in [false, true] {
        let (mut stepped, mut handed) =
            (HopfieldSession::new(&config, 4).unwrap(), HopfieldSession::new(&config, 4).unwrap());
        let (n, d) = (stepped.patterns().count(), stepped.state().len());
        let x = stepped.patterns().flat().to_vec();
        for _ in 0..6 {
            let start = dots(&x, n, d, handed.state());
            let changed = stepped.step_pipelined();
            let (state, p) = (stepped.state().to_vec(), stepped.weights().unwrap().to_vec());
            assert_eq!(handed.step_with(&state, &p, with_dots.then_some(&start[..])), Ok(changed));
            assert_eq!(handed.state(), stepped.state());
            assert_eq!(handed.weights(), stepped.weights());
            assert_eq!(handed.energies(), stepped.energies());
            assert!(handed.energy_pending() && stepped.energy_pending());
            assert_eq!((handed.steps(), handed.converged()), (stepped.steps(), stepped.converged()));
        }
        stepped.book_energy();
        handed.book_energy();
        assert_eq!(handed.energies(), stepped.energies());
        assert_eq!(handed.energies().len(), handed.steps() + 1);
        let (state, p) = (handed.state().to_vec(), handed.weights().unwrap().to_vec());
        let before = (handed.steps(), handed.energies().len());
        assert!(handed.step_with(&state[1..], &p, None).is_err());
        assert!(handed.step_with(&state, &p[1..], None).is_err());
        let mut nan = state.clone();
        nan[3] = f32::NAN;
        assert!(handed.step_with(&nan, &p, None).is_err());
        let good = dots(&x, n, d, handed.state());
        assert!(handed.step_with(&state, &p, Some(&good[1..])).is_err(), "too few dot products");
        let mut bad = good.clone();
        bad[2] = f32::INFINITY;
        assert!(handed.step_with(&state, &p, Some(&bad)).is_err(), "a dot product that is not finite");
        assert_eq!((handed.steps(), handed.energies().len()), before);
        let mut classical =
            HopfieldSession::new(&HopfieldConfig { model: ModelKind::Classical, ..config.clone() }, 4).unwrap();
        let d = classical.state().len();
        assert!(classical.step_with(&vec![1.0; d], &[1.0; 6], None).is_err());
    }
}

/// A modern run whose steps leave each new state's energy to the next update
/// (`step_pipelined`, the page's step while playing) books exactly the energies of a run that
/// books each at once (`step`): the next update's dot products are those a pass would compute.
/// Meanwhile the energies end one state early. Each energy, from the kernel's f32 dot products,
/// is within the summation bound of eq. 2 computed with exact (f64) dot products.
#[test]
fn a_pipelined_run_books_the_energies_of_a_stepped_run() {
    let config = HopfieldConfig {
        model: ModelKind::Modern,
        patterns: emergence_lab::hopfield::PatternSource::Random,
        count: 40,
        side: 20,
        beta: 0.02,
        corrupt: emergence_lab::hopfield::CorruptKind::Flip,
        amount: 0.45,
        ..HopfieldConfig::default()
    };
    for seed in 0..6u64 {
        let (mut stepped, mut piped) =
            (HopfieldSession::new(&config, seed).unwrap(), HopfieldSession::new(&config, seed).unwrap());
        let mut before = stepped.booked_overlaps();
        for k in 1..=4usize {
            stepped.step();
            piped.step_pipelined();
            assert_eq!(piped.state(), stepped.state());
            assert!(piped.energy_pending() && !stepped.energy_pending());
            assert_eq!(piped.energies(), &stepped.energies()[..k], "seed {seed} step {k}");
            // The plot's overlaps belong to the last booked energy's state: one step behind.
            assert_eq!(piped.booked_overlaps(), before, "seed {seed} step {k}");
            before = stepped.booked_overlaps();
            // From the f32 dot products: within (d/4 + 3)·2⁻²⁴ of the exact cosines (|cos| ≤ 1
            // and Σ|x_k ξ_k| ≤ ‖x‖‖ξ‖), plus the f64 rounding of the norms.
            let d = stepped.state().len() as f64;
            for (i, (a, b)) in before.iter().zip(stepped.overlaps()).enumerate() {
                assert!((a - b).abs() <= (d / 4.0 + 4.0) * 2f64.powi(-24), "seed {seed} step {k} pattern {i}: {a} {b}");
            }
        }
        piped.book_energy();
        assert!(!piped.energy_pending());
        assert_eq!(piped.energies(), stepped.energies(), "seed {seed}");
        // A whole run books the last state's energy too.
        let mut run = HopfieldSession::new(&config, seed).unwrap();
        let taken = run.run(100);
        assert_eq!(run.energies().len(), taken + 1);
        let m = Modern::from_patterns(run.patterns(), config.beta, Scaling::Paper).unwrap();
        let e_exact = m.energy(run.state());
        // Each dot product is off by at most (d/4 + 3)·u·‖x‖‖ξ‖ ≤ (d/4 + 3)·u·M‖ξ‖, and lse moves
        // by at most the largest score error.
        let d = run.state().len() as f64;
        let xi_norm = run.state().iter().map(|&v| f64::from(v).powi(2)).sum::<f64>().sqrt();
        let bound = (d / 4.0 + 3.0) * 2f64.powi(-24) * m.max_norm() * xi_norm;
        let e = *run.energies().last().unwrap();
        assert!((e - e_exact).abs() <= bound, "seed {seed}: {e} against {e_exact} (bound {bound})");
    }
}

/// The overlaps (the page's plot, and the read-out's target overlap) after every kind of state
/// change, modern and binary, against the definition computed here: the cosine ξ^μ·σ/(‖ξ^μ‖‖σ‖)
/// for the modern model, Σ sign(ξ^μ_i)σ_i/d for the binary ones.
#[test]
fn overlaps_follow_the_state_through_steps_resets_and_updates_from_elsewhere() {
    let check = |s: &HopfieldSession| {
        let state = s.state();
        let d = state.len() as f64;
        let sn = state.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>().sqrt();
        let got = s.overlaps();
        for (i, &m) in got.iter().enumerate() {
            let row = s.patterns().row(i);
            let want = if s.config().model == ModelKind::Modern {
                let dot: f64 = row.iter().zip(state).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum();
                dot / (row.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>().sqrt() * sn)
            } else {
                row.iter().zip(state).map(|(&a, &b)| f64::from(a.signum() * b)).sum::<f64>() / d
            };
            assert!((m - want).abs() <= 1e-12, "pattern {i}: {m} against {want}");
            assert_eq!(s.overlap(i), Some(m));
        }
        assert_eq!(s.overlap(got.len()), None);
    };
    for model in [ModelKind::Modern, ModelKind::Classical] {
        let config = HopfieldConfig { model, count: 6, side: 16, beta: 0.2, ..HopfieldConfig::default() };
        let mut s = HopfieldSession::new(&config, 9).unwrap();
        check(&s);
        s.step();
        check(&s);
        s.step();
        check(&s);
        s.reset();
        check(&s);
        if model == ModelKind::Modern {
            let mut other = HopfieldSession::new(&config, 9).unwrap();
            other.step();
            let (state, p) = (other.state().to_vec(), other.weights().unwrap().to_vec());
            s.step_with(&state, &p, None).unwrap();
            check(&s);
        }
    }
}

/// The worker pool computes each update with the dot products of the state it started from
/// (`ModernShard::update` keeping them, gathered in segment order) and books the last state's
/// energy from its shards' `dots`: the session must end with the bits of its own pipelined
/// steps, and bad dot products change nothing.
#[test]
fn an_update_with_dot_products_from_the_shards_books_the_same_energies() {
    use emergence_lab::hopfield::kernels::{
        merge_segments, segment_rows_to_matrix, segments, ModernShard, SegmentParts,
    };
    let config = HopfieldConfig {
        model: ModelKind::Modern,
        patterns: emergence_lab::hopfield::PatternSource::Random,
        count: 300,
        side: 32,
        beta: 0.01,
        ..HopfieldConfig::default()
    };
    let (mut stepped, mut handed) =
        (HopfieldSession::new(&config, 7).unwrap(), HopfieldSession::new(&config, 7).unwrap());
    let (n, d) = (stepped.patterns().count(), stepped.state().len());
    let x = stepped.patterns().flat().to_vec();
    let plan = segments(n, d);
    assert!(plan.len() > 2, "several shards");
    let half = plan.len() / 2;
    let mut shards = [(0, half), (half, plan.len() - half)].map(|(first, count)| {
        let (n0, n1) = (plan[first].0, plan[first + count - 1].1);
        ModernShard::new(x[n0 * d..n1 * d].to_vec(), n, d, first, count).unwrap()
    });
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let beta = stepped.effective_beta().unwrap() as f32;
    for _ in 0..3 {
        stepped.step_pipelined();
        let mut all = SegmentParts::default();
        for shard in &mut shards {
            let mut parts = SegmentParts::default();
            shard.update(handed.state(), 1, beta, true, &mut parts).unwrap();
            all.append(&parts);
        }
        let (mut state, mut p, mut start) = (vec![0.0; d], vec![0.0; n], vec![0.0; n]);
        merge_segments(n, d, 1, &all, &mut state, &mut p).unwrap();
        segment_rows_to_matrix(n, d, 1, &all.dots, &mut start).unwrap();
        handed.step_with(&state, &p, Some(&start)).unwrap();
        assert_eq!(handed.state(), stepped.state());
        assert_eq!(bits(handed.energies()), bits(stepped.energies()));
        assert_eq!((handed.steps(), handed.converged()), (stepped.steps(), stepped.converged()));
    }
    let last: Vec<f32> = shards.iter().flat_map(|s| s.dots(handed.state()).unwrap()).collect();
    let before = handed.energies().len();
    assert!(handed.book_energy_from_dots(&last[1..]).is_err(), "too few dot products");
    let mut nan = last.clone();
    nan[5] = f32::NAN;
    assert!(handed.book_energy_from_dots(&nan).is_err(), "a NaN dot product");
    assert_eq!(handed.energies().len(), before, "errors change nothing");
    handed.book_energy_from_dots(&last).unwrap();
    stepped.book_energy();
    assert_eq!(bits(handed.energies()), bits(stepped.energies()));
    assert!(handed.book_energy_from_dots(&last).is_err(), "nothing pending any more");
    assert!(shards[0].dots(&[0.0; 3]).is_err(), "a state of the wrong length");
}

/// E[|M|/N] at equilibrium for one stored ±1 pattern (J = xxᵀ/N, zero diagonal) at inverse
/// noise β, summed exactly over the Mattis overlap M = x·σ: P(M) ∝ C(N, (N+M)/2)·e^{β(M² − N)/(2N)}.
fn curie_weiss_abs_m(n: usize, beta: f64) -> f64 {
    let ln_choose = |k: usize| -> f64 {
        (1..=n).map(|i| (i as f64).ln()).sum::<f64>()
            - (1..=k).map(|i| (i as f64).ln()).sum::<f64>()
            - (1..=n - k).map(|i| (i as f64).ln()).sum::<f64>()
    };
    let terms: Vec<(f64, f64)> = (0..=n)
        .map(|k| {
            let m = 2.0 * k as f64 - n as f64;
            (ln_choose(k) + beta * (m * m - n as f64) / (2.0 * n as f64), m.abs() / n as f64)
        })
        .collect();
    let top = terms.iter().map(|t| t.0).fold(f64::NEG_INFINITY, f64::max);
    let z: f64 = terms.iter().map(|t| (t.0 - top).exp()).sum();
    terms.iter().map(|t| (t.0 - top).exp() * t.1).sum::<f64>() / z
}

#[test]
fn glauber_dynamics_samples_the_curie_weiss_magnetisation() {
    // One stored pattern is the Mattis (gauged Curie–Weiss) magnet; the heat-bath rule
    // P(σᵢ = +1) = 1/(1 + e^{−2βhᵢ}) has the Boltzmann distribution of E = −½σᵀJσ as its
    // stationary law, so the time average of |m| must approach its exact finite-N mean
    // (≈ tanh(βm) solved, 0.957 at T = 0.5, 0.71 at T = 0.8). Standard errors from the spread of
    // batch means (20 batches of 50 sweeps, after 100 sweeps of burn-in).
    use emergence_lab::hopfield::multitask::{glauber_sweep, magnetisations};
    let n = 400;
    for (temperature, seed) in [(0.5, 1u64), (0.8, 2)] {
        let mut rng = Rng::seed_from_u64(seed);
        let x = pm1(n, &mut rng);
        let mut net = Classical::new(&x, n, 1, TieRule::Keep, None).unwrap();
        net.set_state(&x);
        let mut dynamics = Dynamics::new();
        for _ in 0..100 {
            glauber_sweep(&mut net, &mut dynamics, temperature, &mut rng);
        }
        let batches: Vec<f64> = (0..20)
            .map(|_| {
                (0..50)
                    .map(|_| {
                        glauber_sweep(&mut net, &mut dynamics, temperature, &mut rng);
                        magnetisations(&x, n, net.state())[0].abs()
                    })
                    .sum::<f64>()
                    / 50.0
            })
            .collect();
        let mean = batches.iter().sum::<f64>() / 20.0;
        let se = (batches.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / 19.0 / 20.0).sqrt();
        let exact = curie_weiss_abs_m(n, 1.0 / temperature);
        assert!((mean - exact).abs() <= 3.0 * se, "T = {temperature}: ⟨|m|⟩ = {mean} against {exact} (SE {se})");
        assert!(se < 0.02, "T = {temperature}: SE {se}");
    }
}

#[test]
fn the_negative_tie_rule_sends_a_zero_field_to_minus_one() {
    // Patterns (1, 1) and (1, −1) on two neurons: w₁₂ = (1 − 1)/2 = 0, so every field is 0.
    let patterns = [1, 1, 1, -1];
    for (tie, expected) in [(TieRule::Keep, [1, 1]), (TieRule::Negative, [-1, -1])] {
        let mut net = Classical::new(&patterns, 2, 2, tie, None).unwrap();
        net.set_state(&[1, 1]);
        Dynamics::new().sync_step(&mut net);
        assert_eq!(net.state(), &expected, "{tie:?}");
    }
    // On random networks the rule is "field ≤ 0 → −1": every decision against the field
    // summed here (h·N an integer, so h = 0 is exact).
    let mut rng = Rng::seed_from_u64(21);
    let (n, p) = (16, 4);
    let mut zero_fields = 0;
    for _ in 0..200 {
        let pats = pm1(n * p, &mut rng);
        let net_state = pm1(n, &mut rng);
        let mut net = Classical::new(&pats, n, p, TieRule::Negative, None).unwrap();
        net.set_state(&net_state);
        for i in 0..n {
            let h: i64 = (0..n)
                .filter(|&j| j != i)
                .map(|j| {
                    (0..p).map(|mu| i64::from(pats[mu * n + i]) * i64::from(pats[mu * n + j])).sum::<i64>()
                        * i64::from(net_state[j])
                })
                .sum();
            zero_fields += usize::from(h == 0);
            assert_eq!(net.decide(i), if h > 0 { 1 } else { -1 }, "field·N = {h}");
        }
    }
    assert!(zero_fields > 50, "zero fields seen: {zero_fields}");
}

#[test]
fn rectified_and_plain_dense_decisions_follow_their_energy() {
    // Brute force: σₗ goes where −Σ_μ F(ξ^μ·σ) is lower, F(m) = mⁿ, or 0 for m < 0 when
    // rectified (Krotov & Hopfield 2016); an exact tie keeps σₗ.
    let f = |m: i64, n: u32, rectified: bool| -> f64 {
        if rectified && m < 0 {
            0.0
        } else {
            (m as f64).powi(n as i32)
        }
    };
    let mut rng = Rng::seed_from_u64(22);
    let (neurons, p) = (11, 5);
    let mut differ = 0;
    for order in [2u32, 3, 4] {
        for _ in 0..60 {
            let pats = pm1(neurons * p, &mut rng);
            let state = pm1(neurons, &mut rng);
            for rectified in [false, true] {
                let mut net =
                    DenseNet::new(&pats, neurons, p, Interaction::Poly { n: order, rectified }, TieRule::Keep).unwrap();
                net.set_state(&state);
                for l in 0..neurons {
                    let energy = |v: i8| -> f64 {
                        (0..p)
                            .map(|mu| {
                                let m: i64 = (0..neurons)
                                    .map(|j| {
                                        i64::from(pats[mu * neurons + j]) * i64::from(if j == l { v } else { state[j] })
                                    })
                                    .sum();
                                -f(m, order, rectified)
                            })
                            .sum()
                    };
                    let (up, down) = (energy(1), energy(-1));
                    let want = if up < down {
                        1
                    } else if down < up {
                        -1
                    } else {
                        state[l]
                    };
                    assert_eq!(net.decide(l), want, "n = {order}, rectified {rectified}, neuron {l}");
                }
            }
            let decide_all = |rectified: bool| -> Vec<i8> {
                let mut net =
                    DenseNet::new(&pats, neurons, p, Interaction::Poly { n: order, rectified }, TieRule::Keep).unwrap();
                net.set_state(&state);
                (0..neurons).map(|l| net.decide(l)).collect()
            };
            differ += usize::from(decide_all(true) != decide_all(false));
        }
    }
    assert!(differ > 20, "rectifying changed the decisions in {differ} of 180 cases");
}

#[test]
fn the_blog_scaling_is_the_paper_update_at_beta_over_root_d() {
    // scaling=blog divides β by √d inside the softmax: at d = 1024, β = 8 is the paper's 0.25,
    // bit for bit, in the update, the energy and the weights.
    let blog = HopfieldConfig {
        model: ModelKind::Modern,
        beta: 8.0,
        scaling: Scaling::Blog,
        count: 8,
        side: 32,
        ..HopfieldConfig::default()
    };
    let paper = HopfieldConfig { beta: 0.25, scaling: Scaling::Paper, ..blog.clone() };
    let (mut a, mut b) = (HopfieldSession::new(&blog, 3).unwrap(), HopfieldSession::new(&paper, 3).unwrap());
    assert_eq!(a.effective_beta(), Some(0.25));
    for _ in 0..3 {
        a.step();
        b.step();
        assert_eq!(a.state(), b.state());
        assert_eq!(a.weights(), b.weights());
    }
    assert_eq!(a.energies(), b.energies());
    // And not the paper's update at β = 8, which is sharper.
    let sharp = HopfieldConfig { beta: 8.0, scaling: Scaling::Paper, ..blog };
    let mut c = HopfieldSession::new(&sharp, 3).unwrap();
    c.step();
    assert_ne!(
        c.weights(),
        HopfieldSession::new(&paper, 3)
            .map(|mut s| {
                s.step();
                s.weights().map(<[f32]>::to_vec)
            })
            .unwrap()
            .as_deref()
    );
}
