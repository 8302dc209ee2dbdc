//! The capacity and retrieval experiments (theory lines: docs/hopfield.md, "Models and sources"):
//! fixed points and noisy-start retrieval for the classical, dense (xⁿ) and exponential models
//! with their theory lines; retrieval by the modern model; the two-pattern metastable state.
//!
//! Every test draws its own patterns from `Rng::for_stream(seed, test)`, so tests can be split
//! over workers in any chunking and give the same numbers ([`run_test`], [`summarise`]).

use super::classical::{sign_patterns, BinaryNet, Classical, Dynamics, TieRule};
use super::dense::{DenseNet, Interaction};
use super::kernels::portable_exp;
use super::modern::{beta_critical, Modern, Scaling};
use super::patterns::{distance, norm, PatternSet};
use super::queries::choose_distinct;
use crate::core::rng::{portable_ln, Rng};
use crate::core::stats::MeanSd;
use serde::Serialize;

/// Which binary model a capacity run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "model")]
pub enum CapacityModel {
    /// Hebbian (1/N, zero diagonal), keep-on-tie (Hopfield 1982; the lab's tie rule).
    Classical,
    /// Krotov–Hopfield F(x) = xⁿ (Krotov & Hopfield 2016).
    Dense { order: u32, rectified: bool },
    /// Demircigil F = exp (Demircigil et al. 2017).
    Exp,
}

/// Limits that keep one run bounded (the CLI checks them; the page keeps below them).
pub const MAX_NEURONS: usize = 20_000;
pub const MAX_PATTERNS: usize = 200_000;
pub const MAX_TESTS: usize = 100_000;
/// Sweeps after which a noisy start is stopped (asynchronous runs converge in a few).
pub const MAX_SWEEPS: usize = 200;
/// A start counts as "retrieved" when its final overlap is at least this (≤ 1% wrong bits).
pub const RETRIEVED_OVERLAP: f64 = 0.98;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CapacityConfig {
    #[serde(flatten)]
    pub model: CapacityModel,
    pub neurons: usize,
    pub patterns: usize,
    pub tests: usize,
    pub seed: u64,
    /// Components flipped in each noisy start (0: start at the pattern itself).
    pub flip: usize,
    /// Noisy starts per test (the first `starts` stored patterns; at most P).
    pub starts: usize,
}

impl CapacityConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !(2..=MAX_NEURONS).contains(&self.neurons) {
            return Err(format!("neurons: N = {} is outside 2..={MAX_NEURONS}.", self.neurons));
        }
        if !(1..=MAX_PATTERNS).contains(&self.patterns) {
            return Err(format!("patterns: P = {} is outside 1..={MAX_PATTERNS}.", self.patterns));
        }
        if !(1..=MAX_TESTS).contains(&self.tests) {
            return Err(format!("tests: T = {} is outside 1..={MAX_TESTS}.", self.tests));
        }
        if self.flip > self.neurons {
            return Err(format!("flip: K = {} is more than N = {}.", self.flip, self.neurons));
        }
        if let CapacityModel::Dense { order, .. } = self.model {
            if !(2..=super::dense::MAX_ORDER).contains(&order) {
                return Err(format!("order: n = {order} is outside 2..={}.", super::dense::MAX_ORDER));
            }
        }
        Ok(())
    }
}

/// What one test (one fresh set of patterns) found.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TestResult {
    /// Stored patterns that are fixed points of the update.
    pub fixed_points: usize,
    pub patterns: usize,
    pub starts: usize,
    /// Starts that ended exactly at their pattern.
    pub perfect: usize,
    /// Starts that ended with overlap ≥ [`RETRIEVED_OVERLAP`].
    pub retrieved: usize,
    /// Sum of the final overlaps m = ξ·σ/N of the starts.
    pub overlap_sum: f64,
}

fn build(config: &CapacityConfig, pats: &[i8]) -> Result<Box<dyn BinaryNet>, String> {
    let (n, p) = (config.neurons, config.patterns);
    Ok(match config.model {
        CapacityModel::Classical => Box::new(Classical::new(pats, n, p, TieRule::Keep, None)?),
        CapacityModel::Dense { order, rectified } => {
            Box::new(DenseNet::new(pats, n, p, Interaction::Poly { n: order, rectified }, TieRule::Keep)?)
        }
        CapacityModel::Exp => Box::new(DenseNet::new(pats, n, p, Interaction::Exp, TieRule::Keep)?),
    })
}

/// Test `index` of a run: P fresh random ±1 patterns; every one checked as a fixed point; then
/// the first `starts` each flipped in `flip` random components and run asynchronously (random
/// order per sweep) until a sweep without flips.
pub fn run_test(config: &CapacityConfig, index: u64) -> Result<TestResult, String> {
    config.validate()?;
    let (n, p) = (config.neurons, config.patterns);
    let mut rng = Rng::for_stream(config.seed, index);
    let set = PatternSet::random_pm1(n, 1, p, &mut rng);
    let pats = sign_patterns(set.flat());
    let mut net = build(config, &pats)?;
    let mut fixed_points = 0;
    for mu in 0..p {
        let xi = &pats[mu * n..(mu + 1) * n];
        net.set_state(xi);
        if (0..n).all(|i| net.decide(i) == xi[i]) {
            fixed_points += 1;
        }
    }
    let starts = config.starts.min(p);
    let (mut perfect, mut retrieved, mut overlap_sum) = (0, 0, 0.0);
    for xi in pats.chunks_exact(n).take(starts) {
        let mut s = xi.to_vec();
        for i in choose_distinct(n, config.flip, &mut rng) {
            s[i] = -s[i];
        }
        net.set_state(&s);
        let mut dynamics = Dynamics::new();
        for _ in 0..MAX_SWEEPS {
            if dynamics.async_sweep(net.as_mut(), &mut rng) == 0 {
                break;
            }
        }
        let m = xi.iter().zip(net.state()).map(|(&a, &b)| i64::from(a) * i64::from(b)).sum::<i64>() as f64 / n as f64;
        perfect += usize::from(net.state() == xi);
        retrieved += usize::from(m >= RETRIEVED_OVERLAP);
        overlap_sum += m;
    }
    Ok(TestResult { fixed_points, patterns: p, starts, perfect, retrieved, overlap_sum })
}

/// Theory lines for N neurons (docs/hopfield.md, "Models and sources").
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TheoryLines {
    /// 0.138 N (Amit–Gutfreund–Sompolinsky 1985: retrieval with a small fraction of errors).
    pub retrieval_0138: f64,
    /// N/(2 ln N) (McEliece et al. 1987: all patterns exactly fixed).
    pub error_free: f64,
    /// N^{n−1}/(2 (2n−3)!! ln N) for the dense order n (Krotov & Hopfield; blog eq. 10);
    /// n = 2 gives N/(2 ln N).
    pub dense_error_free: Option<f64>,
    /// 2^{N/2} (Demircigil et al.; blog eq. 15).
    pub exp: f64,
}

/// The theory lines for N neurons and (for the dense line) order n.
pub fn theory_lines(neurons: usize, order: Option<u32>) -> TheoryLines {
    let n = neurons as f64;
    let ln_n = portable_ln(n);
    let dense = order.map(|k| {
        let power = (0..k.saturating_sub(1)).fold(1.0, |acc, _| acc * n);
        let double_factorial = (1..=(2 * k).saturating_sub(3)).step_by(2).fold(1.0, |acc, j| acc * f64::from(j));
        power / (2.0 * double_factorial * ln_n)
    });
    TheoryLines {
        retrieval_0138: 0.138 * n,
        error_free: n / (2.0 * ln_n),
        dense_error_free: dense,
        exp: portable_exp(n / 2.0 * std::f64::consts::LN_2),
    }
}

/// Fractions over tests, with their spread (population SD over tests, as [`MeanSd`]) and
/// standard error (SD/√T) for error bars.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CapacitySummary {
    pub neurons: usize,
    pub patterns: usize,
    pub tests: usize,
    /// P/N.
    pub load: f64,
    pub fixed_point_fraction: f64,
    pub fixed_point_sd: f64,
    pub fixed_point_se: f64,
    pub perfect_fraction: f64,
    pub perfect_sd: f64,
    pub perfect_se: f64,
    pub retrieved_fraction: f64,
    pub mean_overlap: f64,
    pub overlap_sd: f64,
    pub overlap_se: f64,
    pub theory: TheoryLines,
}

/// Aggregate test results.
pub fn summarise(config: &CapacityConfig, results: &[TestResult]) -> CapacitySummary {
    let t = results.len().max(1) as f64;
    let frac = |f: &dyn Fn(&TestResult) -> f64| MeanSd::of(results.iter().map(f));
    let fixed = frac(&|r| r.fixed_points as f64 / r.patterns.max(1) as f64);
    let perfect = frac(&|r| if r.starts > 0 { r.perfect as f64 / r.starts as f64 } else { f64::NAN });
    let retrieved = frac(&|r| if r.starts > 0 { r.retrieved as f64 / r.starts as f64 } else { f64::NAN });
    let overlap = frac(&|r| if r.starts > 0 { r.overlap_sum / r.starts as f64 } else { f64::NAN });
    let order = match config.model {
        CapacityModel::Dense { order, .. } => Some(order),
        _ => None,
    };
    CapacitySummary {
        neurons: config.neurons,
        patterns: config.patterns,
        tests: results.len(),
        load: config.patterns as f64 / config.neurons as f64,
        fixed_point_fraction: fixed.mean,
        fixed_point_sd: fixed.sd,
        fixed_point_se: fixed.sd / t.sqrt(),
        perfect_fraction: perfect.mean,
        perfect_sd: perfect.sd,
        perfect_se: perfect.sd / t.sqrt(),
        retrieved_fraction: retrieved.mean,
        mean_overlap: overlap.mean,
        overlap_sd: overlap.sd,
        overlap_se: overlap.sd / t.sqrt(),
        theory: theory_lines(config.neurons, order),
    }
}

/// All tests of a run; `progress` is told after each test (tests done).
pub fn run_capacity(config: &CapacityConfig, progress: &mut dyn FnMut(usize)) -> Result<CapacitySummary, String> {
    config.validate()?;
    let mut results = Vec::with_capacity(config.tests);
    for t in 0..config.tests {
        results.push(run_test(config, t as u64)?);
        progress(t + 1);
    }
    Ok(summarise(config, &results))
}

/// The patterns of the modern retrieval experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RetrieveKind {
    /// Random ±1 (‖x‖ = √d).
    Pm1,
    /// Uniform on the sphere of radius √d (Theorem 3's setting with the ±1 patterns' norm).
    Sphere,
}

/// How a retrieval query is made from its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryNoise {
    /// K distinct components negated.
    Flip(usize),
    /// K distinct components set to 0.
    Zero(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RetrieveConfig {
    pub dim: usize,
    pub patterns: usize,
    pub beta: f64,
    pub scaling: Scaling,
    pub noise: QueryNoise,
    pub kind: RetrieveKind,
    pub queries: usize,
    /// Updates per query; 0: until ‖p_t − p_{t−1}‖₂ ≤ 1e-4 (at most [`MAX_RETRIEVE_STEPS`]).
    pub steps: usize,
    pub seed: u64,
}

/// The most updates a retrieval runs.
pub const MAX_RETRIEVE_STEPS: usize = 1000;
/// Relative error below which a sphere-pattern retrieval counts as exact.
pub const SPHERE_EXACT: f64 = 1e-3;

/// Fractions over the queries (see each field for the exact definition).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RetrieveSummary {
    pub queries: usize,
    /// ±1 patterns: the retrieved state's componentwise sign equals the target (a 0 component
    /// counts as wrong). Sphere patterns: ‖ξ_new − x_true‖ ≤ 1e-3·‖x_true‖.
    pub exact: f64,
    /// The stored pattern nearest (Euclidean) to the retrieved state is the target, uniquely.
    pub nearest: f64,
    /// Mean softmax weight on the target in the last update.
    pub p_true: f64,
    /// Mean ‖ξ_new − x_true‖/‖x_true‖.
    pub rel_err: f64,
    pub beta_effective: f64,
    pub max_norm: f64,
    /// Mean updates per query.
    pub mean_steps: f64,
}

fn scaling_beta(config: &RetrieveConfig) -> Result<(), String> {
    if !(config.beta.is_finite() && config.beta > 0.0) {
        return Err(format!("beta: β = {} must be a positive number.", config.beta));
    }
    Ok(())
}

/// The modern-model retrieval experiment (`hopfield retrieve`): N random patterns of dimension
/// d, Q queries each made from a uniformly chosen target, updated `steps` times.
pub fn run_retrieve(config: &RetrieveConfig) -> Result<RetrieveSummary, String> {
    scaling_beta(config)?;
    let (d, n) = (config.dim, config.patterns);
    if d == 0 || n == 0 || config.queries == 0 {
        return Err("dim, patterns and queries must be at least 1.".into());
    }
    let mut rng = Rng::seed_from_u64(config.seed);
    let set = match config.kind {
        RetrieveKind::Pm1 => PatternSet::random_pm1(d, 1, n, &mut rng),
        RetrieveKind::Sphere => PatternSet::sphere(d, 1, n, (d as f64).sqrt(), &mut rng),
    };
    let mut model = Modern::from_patterns(&set, config.beta, config.scaling)?;
    let norms: Vec<f64> = (0..n).map(|i| norm(set.row(i))).collect();
    let (mut exact, mut nearest, mut p_true, mut rel_err, mut steps_total) = (0usize, 0usize, 0.0, 0.0, 0usize);
    for _ in 0..config.queries {
        let target = rng.index(n);
        let mut q = set.row(target).to_vec();
        match config.noise {
            QueryNoise::Flip(k) => choose_distinct(d, k, &mut rng).into_iter().for_each(|i| q[i] = -q[i]),
            QueryNoise::Zero(k) => choose_distinct(d, k, &mut rng).into_iter().for_each(|i| q[i] = 0.0),
        }
        let it = if config.steps == 0 {
            model.iterate(&q, MAX_RETRIEVE_STEPS)?
        } else {
            let mut state = q;
            let mut next = vec![0.0f32; d];
            let mut p = vec![0.0f32; n];
            for _ in 0..config.steps.min(MAX_RETRIEVE_STEPS) {
                model.update(&state, 1, &mut next, &mut p)?;
                std::mem::swap(&mut state, &mut next);
            }
            super::modern::Iteration { state, p, steps: config.steps.min(MAX_RETRIEVE_STEPS), converged: false }
        };
        steps_total += it.steps;
        let x = set.row(target);
        let err = distance(x, &it.state);
        let rel = err / norms[target].max(f64::MIN_POSITIVE);
        rel_err += rel;
        p_true += f64::from(it.p[target]);
        exact += usize::from(match config.kind {
            RetrieveKind::Pm1 => x.iter().zip(&it.state).all(|(&a, &b)| (b > 0.0 && a > 0.0) || (b < 0.0 && a < 0.0)),
            RetrieveKind::Sphere => rel <= SPHERE_EXACT,
        });
        // Nearest: ‖ξ − x_μ‖² = ‖ξ‖² − 2 x_μ·ξ + ‖x_μ‖²; compare −2x_μ·ξ + ‖x_μ‖².
        let scores = model.scores(&it.state);
        let dist: Vec<f64> = scores.iter().zip(&norms).map(|(&s, &m)| m * m - 2.0 * s).collect();
        let best = dist[target];
        nearest += usize::from(dist.iter().enumerate().all(|(j, &v)| j == target || v > best));
    }
    let q = config.queries as f64;
    Ok(RetrieveSummary {
        queries: config.queries,
        exact: exact as f64 / q,
        nearest: nearest as f64 / q,
        p_true: p_true / q,
        rel_err: rel_err / q,
        beta_effective: model.effective_beta(),
        max_norm: model.max_norm(),
        mean_steps: steps_total as f64 / q,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MetastableConfig {
    pub dim: usize,
    /// Components in which b differs from a.
    pub differ: usize,
    /// Extra random ±1 patterns.
    pub extra: usize,
    pub beta: f64,
    pub seed: u64,
    /// At most this many updates (stops earlier when p settles).
    pub max_steps: usize,
    /// Start at (a+b)/2 + offset·(a−b)/2. The exact midpoint is a fixed point at every β up to
    /// the extra patterns' pull (symmetry), so a small offset (e.g. 0.01) shows whether it
    /// is stable (β < β_c: back to t = 0) or splits (β > β_c).
    pub offset: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MetastableSummary {
    pub p_a: f64,
    pub p_b: f64,
    /// Total weight on the extra patterns.
    pub p_extra: f64,
    /// β_c = 4/‖a − b‖² = 1/K for ±1 patterns differing in K components.
    pub beta_c: f64,
    /// Position along a − b: ξ = (a+b)/2 + t(a−b)/2 projected (t = ±1 at a or b, 0 at the midpoint).
    pub t: f64,
    pub steps: usize,
    pub converged: bool,
}

/// `hopfield metastable`: a random ±1 pattern a, b = a with `differ` components flipped,
/// `extra` random patterns; start at the midpoint (a + b)/2 (plus `offset`) and iterate
/// (paper's scaling) until p settles.
pub fn run_metastable(config: &MetastableConfig) -> Result<MetastableSummary, String> {
    let d = config.dim;
    if d == 0 || config.differ == 0 || config.differ > d {
        return Err(format!("differ: K = {} must be in 1..=dim ({d}).", config.differ));
    }
    if !(config.beta.is_finite() && config.beta > 0.0) {
        return Err(format!("beta: β = {} must be a positive number.", config.beta));
    }
    let mut rng = Rng::seed_from_u64(config.seed);
    let a = PatternSet::random_pm1(d, 1, 1, &mut rng).row(0).to_vec();
    let mut b = a.clone();
    for i in choose_distinct(d, config.differ, &mut rng) {
        b[i] = -b[i];
    }
    let mut x = a.clone();
    x.extend_from_slice(&b);
    if config.extra > 0 {
        x.extend_from_slice(PatternSet::random_pm1(d, 1, config.extra, &mut rng).flat());
    }
    let mut model = Modern::new(x, 2 + config.extra, d, config.beta, Scaling::Paper)?;
    let mid: Vec<f32> = a.iter().zip(&b).map(|(&u, &v)| 0.5 * (u + v)).collect();
    let start: Vec<f32> = a
        .iter()
        .zip(&b)
        .map(|(&u, &v)| (0.5 * f64::from(u + v) + config.offset * 0.5 * f64::from(u - v)) as f32)
        .collect();
    let it = model.iterate(&start, config.max_steps.max(1))?;
    let diff: Vec<f64> = a.iter().zip(&b).map(|(&u, &v)| f64::from(u) - f64::from(v)).collect();
    let d2: f64 = diff.iter().map(|v| v * v).sum();
    let t = it.state.iter().zip(&mid).zip(&diff).map(|((&s, &m), &w)| (f64::from(s) - f64::from(m)) * w).sum::<f64>()
        / (d2 / 2.0);
    let p_a = f64::from(it.p[0]);
    let p_b = f64::from(it.p[1]);
    Ok(MetastableSummary {
        p_a,
        p_b,
        p_extra: it.p[2..].iter().map(|&v| f64::from(v)).sum(),
        beta_c: beta_critical(&a, &b),
        t,
        steps: it.steps,
        converged: it.converged,
    })
}
