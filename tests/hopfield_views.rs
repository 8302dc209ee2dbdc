//! The paper's analysis views (src/hopfield/analysis.rs) against the science: each stored
//! pattern's separation against Definition 1 and Theorem 5 of Ramsauer et al., the softmax
//! entropy against the Gibbs distribution's, retrieval accuracy against exact probabilities, and
//! the read-out's effective β and sign counts.
#![cfg(not(target_arch = "wasm32"))]

use emergence_lab::hopfield::analysis::{entropy_curve, separation_view, AccuracyAxis, AccuracyJob};
use emergence_lab::hopfield::lab::HopfieldRun;
use emergence_lab::hopfield::session::HopfieldSession;
use emergence_lab::hopfield::{CorruptKind, HopfieldConfig, ModelKind, PatternSource};
use emergence_lab::lab::LabCore;

fn modern(patterns: PatternSource, count: usize, side: usize, beta: f64) -> HopfieldConfig {
    HopfieldConfig {
        model: ModelKind::Modern,
        patterns,
        count,
        side,
        beta,
        corrupt: CorruptKind::Flip,
        amount: 0.2,
        ..HopfieldConfig::default()
    }
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum()
}

#[test]
fn separation_is_definition_1_and_one_update_stays_within_theorem_5() {
    let (mut well, mut not_well) = (0, 0);
    for (patterns, count, side) in [
        (PatternSource::Random, 12, 8),
        (PatternSource::Sphere, 12, 8),
        (PatternSource::Correlated, 10, 8),
        (PatternSource::Builtin, 6, 16),
    ] {
        for beta in [0.02, 0.2, 1.0, 5.0] {
            for seed in 0..3 {
                let s = HopfieldSession::new(&modern(patterns, count, side, beta), seed).unwrap();
                let v = separation_view(&s).unwrap();
                let set = s.patterns();
                let n = set.count();
                let m = (0..n).map(|i| dot(set.row(i), set.row(i)).sqrt()).fold(0.0, f64::max);
                assert!((v.max_norm - m).abs() <= 1e-12 * m);
                let b = v.beta_effective;
                // Definition 1's threshold, written out again.
                let threshold = 2.0 / (b * n as f64) + (2.0 * (n as f64 - 1.0) * n as f64 * b * m * m).ln() / b;
                assert!(
                    (v.threshold - threshold).abs() <= 1e-9 * threshold.abs().max(1.0),
                    "{} vs {threshold}",
                    v.threshold
                );
                // f32 states: an update's error is known to about 1e-6 of M.
                let slack = 1e-5 * m;
                assert_eq!(v.rows.len(), n.min(64));
                for r in &v.rows {
                    let x = set.row(r.pattern);
                    let other = (0..n)
                        .filter(|&j| j != r.pattern)
                        .map(|j| dot(x, set.row(j)))
                        .fold(f64::NEG_INFINITY, f64::max);
                    let delta = dot(x, x) - other;
                    assert!((r.delta - delta).abs() <= 1e-9 * dot(x, x), "Δ {} vs {delta}", r.delta);
                    let bound = 2.0 * (n as f64 - 1.0) * (-b * delta).exp() * m;
                    assert!(
                        (r.bound - bound).abs() <= 1e-9 * bound || (r.bound.is_infinite() && bound.is_infinite()),
                        "bound {} vs {bound}",
                        r.bound
                    );
                    assert!(
                        r.error <= r.bound + slack,
                        "pattern {}: error {} above Theorem 5's {}",
                        r.pattern,
                        r.error,
                        r.bound
                    );
                    assert_eq!(r.separated, delta > 0.0);
                    assert_eq!(r.well_separated, r.delta >= v.threshold);
                    if r.well_separated {
                        // Definition 1 + Theorem 5: within the attraction sphere's radius 1/(βNM).
                        well += 1;
                        assert!(r.error <= 1.0 / (b * n as f64 * m) + slack, "well separated, error {}", r.error);
                    } else {
                        not_well += 1;
                    }
                    assert_eq!(r.one_step, r.error <= 1e-3 * dot(x, x).sqrt());
                }
                let q = &v.query;
                let xi = s.query();
                let t = s.target();
                let other = (0..n).filter(|&j| j != t).map(|j| dot(set.row(j), xi)).fold(f64::NEG_INFINITY, f64::max);
                assert!((q.delta - (dot(set.row(t), xi) - other)).abs() <= 1e-9 * dot(xi, xi).max(1.0));
                assert!(q.error <= q.bound + slack, "query: error {} above {}", q.error, q.bound);
            }
        }
    }
    assert!(well > 20 && not_well > 20, "both kinds of pattern seen: {well} well separated, {not_well} not");
}

#[test]
fn the_softmax_entropy_is_the_gibbs_entropy_and_falls_with_beta() {
    let config = modern(PatternSource::Random, 16, 8, 1.0);
    let s = HopfieldSession::new(&config, 3).unwrap();
    let betas: Vec<f64> = (0..40).map(|k| 1e-4 * 10f64.powf(k as f64 * 6.0 / 39.0)).collect();
    let curve = entropy_curve(&s, &betas).unwrap();
    assert_eq!(curve.points.len(), 40);
    assert!((curve.ln_n - 16f64.ln()).abs() < 1e-12);
    let z: Vec<f64> = (0..16).map(|i| dot(s.patterns().row(i), s.query())).collect();
    let top = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut previous = f64::INFINITY;
    for p in &curve.points {
        // H = −Σ pᵢ ln pᵢ for pᵢ ∝ exp(βzᵢ), in f64; the kernel's p are f32.
        let w: Vec<f64> = z.iter().map(|&v| (p.beta * (v - top)).exp()).collect();
        let sum: f64 = w.iter().sum();
        let h: f64 = -w.iter().map(|&v| v / sum).filter(|&v| v > 0.0).map(|v| v * v.ln()).sum::<f64>();
        assert!((p.one_step - h).abs() <= 1e-4, "β {}: {} vs {h}", p.beta, p.one_step);
        assert!(p.one_step <= previous + 1e-5, "β {}: H rose to {} from {previous}", p.beta, p.one_step);
        previous = p.one_step;
        // (f32 weights sum to 1 within a few ulp.)
        assert!((0.0..=curve.ln_n + 1e-6).contains(&p.settled), "settled H {}", p.settled);
    }
    assert!((curve.points[0].one_step - curve.ln_n).abs() < 1e-3, "β → 0: {}", curve.points[0].one_step);
    assert!(curve.points[39].one_step < 1e-3, "large β: {}", curve.points[39].one_step);
}

/// P(B < k) for B ~ Binomial(n, 1/2).
fn binomial_below(n: u64, k: u64) -> f64 {
    let mut c = 1.0f64; // C(n, 0)
    let mut total = 0.0;
    for j in 0..k.min(n + 1) {
        total += c;
        c = c * (n - j) as f64 / (j + 1) as f64;
    }
    total / 2f64.powi(n as i32)
}

#[test]
fn modern_accuracy_against_flips_is_the_probability_that_the_target_leads() {
    // At β = 50 the softmax is an argmax: a query retrieves its target exactly when the target's
    // score d − 2k beats every other pattern's. For random ±1 patterns an other's score is
    // 2B − d with B ~ Binomial(d, ½), independent of the rest given the query, so
    // P(exact) = P(B < (2d − 2k)/2)^{N−1} (a tie averages two patterns: not exact).
    let (d, n, seeds, per) = (64u64, 20usize, 30u64, 10usize);
    let levels = AccuracyAxis::Flip.levels();
    let mut means = vec![Vec::new(); levels.len()];
    for seed in 0..seeds {
        let mut job = AccuracyJob::new(&modern(PatternSource::Random, n, 8, 50.0), seed, per).unwrap();
        while job.done() < job.total() {
            job.run_next().unwrap();
        }
        let curve = job.curve();
        assert_eq!(curve.axis, AccuracyAxis::Flip);
        for (l, point) in curve.points.iter().enumerate() {
            let here: Vec<_> = job.records().iter().filter(|r| r.level == l).collect();
            assert_eq!(point.queries, per);
            let exact = here.iter().filter(|r| r.exact).count() as f64 / per as f64;
            assert!((point.exact - exact).abs() < 1e-12);
            assert!(here.iter().all(|r| r.exact == (r.wrong == 0)));
            means[l].push(point.exact);
        }
    }
    for (l, &amount) in levels.iter().enumerate() {
        let k = (amount * d as f64).round() as u64;
        let p = binomial_below(d, d - k).powi(n as i32 - 1);
        let m = &means[l];
        let mean = m.iter().sum::<f64>() / m.len() as f64;
        // Queries of one seed share its patterns: the spread of the seeds' means gives the
        // standard error; the binomial one is its floor (all seeds alike near p = 0 or 1).
        let var = m.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (m.len() - 1) as f64;
        let se = (var / m.len() as f64).sqrt().max((p * (1.0 - p) / (m.len() * per) as f64).sqrt());
        assert!((mean - p).abs() <= 3.0 * se + 1e-12, "flip {amount}: {mean} against {p} (SE {se})");
    }
}

#[test]
fn one_stored_pattern_is_retrieved_from_any_corruption_it_can_be() {
    // Classical, one pattern: with k < d/2 flips the field xᵢ(x·σ − xᵢσᵢ)/d has the sign of xᵢ
    // (x·σ = d − 2k ≥ 2), so the pattern comes back exactly at every level below one half.
    let classical = HopfieldConfig {
        model: ModelKind::Classical,
        patterns: PatternSource::Random,
        count: 1,
        side: 8,
        corrupt: CorruptKind::Flip,
        ..HopfieldConfig::default()
    };
    let mut job = AccuracyJob::new(&classical, 4, 5).unwrap();
    while job.done() < job.total() {
        job.run_next().unwrap();
    }
    for r in job.records().iter().filter(|r| r.level < 10) {
        assert!(r.exact && r.wrong == 0 && r.overlap == 1.0, "{r:?}");
    }
    // Modern, one pattern: the softmax of one score is 1, so f(ξ) = x from any query, masks too.
    let mut one = modern(PatternSource::Random, 1, 8, 1.0);
    one.corrupt = CorruptKind::Half;
    let mut job = AccuracyJob::new(&one, 5, 3).unwrap();
    while job.done() < job.total() {
        job.run_next().unwrap();
    }
    assert_eq!(job.curve().axis, AccuracyAxis::Mask);
    assert!(job.records().iter().all(|r| r.exact && r.wrong == 0), "{:?}", job.records());
}

fn readout(query: &str) -> serde_json::Value {
    let mut core = LabCore::<HopfieldRun>::new(&format!("exp=hopfield&{query}")).expect("a valid query");
    core.with_run(|run| run.session_mut().run(100));
    core.readout()
}

#[test]
fn the_read_out_gives_the_effective_beta_and_the_sign_counts() {
    // The blog's scaling divides β by √d = 64 at 64×64: β = 8 is 0.125 in the paper's formula.
    let r = readout("model=modern&scaling=blog&beta=8&side=64&count=4");
    assert_eq!(r["effective_beta"].as_f64(), Some(0.125));
    let r = readout("model=modern&scaling=paper&beta=0.3&count=4");
    assert_eq!(r["effective_beta"].as_f64(), Some(f64::from(0.3f32)));
    assert!(readout("model=classical&count=4")["effective_beta"].is_null());
    // One stored pattern, 16 of 64 cells flipped: retrieval flips exactly those back.
    let r = readout("model=classical&patterns=random&count=1&side=8&corrupt=flip&amount=0.25");
    assert_eq!((r["flipped_bits"].as_u64(), r["wrong_bits"].as_u64()), (Some(16), Some(0)));
    let core = LabCore::<HopfieldRun>::new(
        "exp=hopfield&model=classical&patterns=random&count=1&side=8&corrupt=flip&amount=0.25",
    )
    .unwrap();
    let r = core.readout();
    assert_eq!((r["flipped_bits"].as_u64(), r["wrong_bits"].as_u64()), (Some(0), Some(16)));
}

/// The scenario's query with `from` replaced by `to` (one parameter changed).
fn scenario_query(id: &str, from: &str, to: &str) -> String {
    use emergence_lab::core::experiment::Experiment;
    let s = HopfieldRun::scenarios().iter().find(|s| s.id == id).expect("the scenario");
    assert!(s.query.contains(from), "{id}: {from} in {}", s.query);
    s.query.replacen(from, to, 1)
}

#[test]
fn the_blog_scenarios_controls_do_what_their_narratives_say() {
    // Each narrative names a control that undoes its effect; over several seeds (the update
    // order), changing it brings the target back exactly.
    for (id, from, to) in [
        ("inverted-memory", "amount=0.7", "amount=0.3"),
        ("correlation-not-capacity", "patterns=correlated", "patterns=random"),
    ] {
        for seed in 0..8 {
            let query = scenario_query(id, from, to);
            let query = query.split('&').filter(|kv| !kv.starts_with("seed=")).collect::<Vec<_>>().join("&");
            let r = readout(&format!("{query}&seed={seed}"));
            assert_eq!(r["overlap_target"].as_f64(), Some(1.0), "{id} with {to}, seed {seed}");
        }
    }
    // "Stored once each, the same four faces give the sleepy face back exactly": the scenario's
    // drawn set is sleepy, surprised, two more faces, then surprised twice again.
    use emergence_lab::hopfield::patterns::{pack_set, unpack_set, PatternSet};
    let query = scenario_query("stored-three-times", "", "");
    let query = query.split('&').filter(|kv| !kv.starts_with("seed=")).collect::<Vec<_>>().join("&");
    let packed = query.split('&').find_map(|kv| kv.strip_prefix("drawn=")).expect("a drawn set");
    let set = unpack_set(packed).unwrap();
    assert_eq!(set.count(), 6);
    for (copy, of) in [(4, 1), (5, 1)] {
        assert_eq!(set.row(copy), set.row(of), "pattern {copy} is a copy of pattern {of}");
    }
    let once = PatternSet::from_rows(
        set.width,
        set.height,
        (0..4).map(|i| set.row(i).to_vec()).collect(),
        set.names[..4].to_vec(),
    )
    .unwrap();
    let without = query.replacen(packed, &pack_set(&once).unwrap(), 1).replacen("count=6", "count=4", 1);
    for seed in 0..8 {
        let r = readout(&format!("{without}&seed={seed}"));
        assert_eq!(r["count"].as_u64(), Some(4));
        assert_eq!(r["overlap_target"].as_f64(), Some(1.0), "the four faces stored once, seed {seed}");
        let r = readout(&format!("{query}&seed={seed}"));
        assert_eq!(r["overlap_target"].as_f64(), Some(0.890625), "with the copies, seed {seed}");
    }
}
