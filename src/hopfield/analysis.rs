//! The paper's analysis views of a session (Ramsauer et al., "Hopfield Networks is All You
//! Need", arXiv 2008.02217; docs/hopfield.md, "The analysis views"):
//!
//! - [`separation_view`]: each stored pattern's separation Δᵢ (Definition 1) and whether it is
//!   well separated, against Theorem 5's bound on the error of one update, beside the error one
//!   update really makes (from the pattern itself, and from the session's query);
//! - [`entropy_curve`]: the entropy of the softmax weights p against β, after one update of the
//!   query and where the iteration settles (global averaging at ln N, one pattern at 0);
//! - [`AccuracyJob`]: retrieval accuracy against the amount of corruption, for the session's own
//!   model and patterns, with the number of components of the wrong sign.
//!
//! The first two use the modern update on the session's patterns at the session's β and scaling
//! (as the β film strip does, for every model); the accuracy curve runs the session's model.

use super::classical::sign_of;
use super::patterns::{distance, norm};
use super::queries::{corrupt, Corruption};
use super::session::{HopfieldSession, PITCHFORK_STEPS};
use super::{CorruptKind, HopfieldConfig};
use crate::core::rng::{portable_ln, Rng};
use serde::Serialize;

/// Stored patterns the separation view lists (the first ones, and the target if it is later).
pub const SEPARATION_ROWS: usize = 64;
/// An update "retrieves in one step" when it lands within this fraction of the pattern's norm:
/// the criterion of the modern retrieval experiment ([`super::capacity::SPHERE_EXACT`]).
pub const ONE_STEP_TOLERANCE: f64 = super::capacity::SPHERE_EXACT;

/// One stored pattern in the separation view.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SeparationRow {
    pub pattern: usize,
    /// Δᵢ = xᵢᵀxᵢ − max_{j≠i} xᵢᵀxⱼ (Definition 1; +∞, null in JSON, for a single pattern).
    pub delta: f64,
    /// Δᵢ > 0.
    pub separated: bool,
    /// Δᵢ ≥ 2/(βN) + β⁻¹ ln(2(N−1)NβM²) (Definition 1).
    pub well_separated: bool,
    /// Theorem 5's bound on ‖f(xᵢ) − xᵢ‖ from the pattern itself: 2(N−1)e^{−βΔᵢ}M (+∞, null
    /// in JSON, when it overflows).
    pub bound: f64,
    /// ‖f(xᵢ) − xᵢ‖: the error one update from xᵢ really makes.
    pub error: f64,
    /// error ≤ [`ONE_STEP_TOLERANCE`]·‖xᵢ‖.
    pub one_step: bool,
}

/// The session's query against its target (Theorem 5's mechanism with the query, Δ̃).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct QuerySeparation {
    pub target: usize,
    /// Δ̃ = x_tᵀξ − max_{j≠t} xⱼᵀξ.
    pub delta: f64,
    /// 2(N−1)e^{−βΔ̃}M.
    pub bound: f64,
    /// ‖f(ξ) − x_t‖ after one update.
    pub error: f64,
    /// The softmax weight on the target in that update.
    pub p_target: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeparationView {
    /// β in the paper's formula (β/√d with the blog's scaling), as the kernel uses it.
    pub beta_effective: f64,
    /// Definition 1's "well separated" threshold.
    pub threshold: f64,
    /// M = max ‖xᵢ‖.
    pub max_norm: f64,
    /// N, all stored patterns (the rows list at most [`SEPARATION_ROWS`] + 1 of them).
    pub patterns: usize,
    pub rows: Vec<SeparationRow>,
    pub query: QuerySeparation,
}

/// See the module docs. Costs about 2·R·N·d multiply-adds for R listed patterns.
pub fn separation_view(session: &HopfieldSession) -> Result<SeparationView, String> {
    let mut model = session.modern_at(session.config().beta)?;
    let (n, d) = (model.patterns(), model.dim());
    let target = session.target();
    let mut listed: Vec<usize> = (0..n.min(SEPARATION_ROWS)).collect();
    if target >= listed.len() {
        listed.push(target);
    }
    // One batched update of the listed patterns themselves.
    let queries: Vec<f32> = listed.iter().flat_map(|&i| model.pattern(i).to_vec()).collect();
    let (mut out, mut p) = (vec![0.0f32; listed.len() * d], vec![0.0f32; listed.len() * n]);
    model.update(&queries, listed.len(), &mut out, &mut p)?;
    let threshold = model.well_separated_threshold();
    let rows = listed
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let x = model.pattern(i);
            let delta = model.separation(i);
            let error = distance(&out[k * d..(k + 1) * d], x);
            SeparationRow {
                pattern: i,
                delta,
                separated: delta > 0.0,
                well_separated: delta >= threshold,
                bound: model.theorem5_from_separation(delta),
                error,
                one_step: error <= ONE_STEP_TOLERANCE * norm(x),
            }
        })
        .collect();
    let xi = session.query();
    let (mut next, mut q_p) = (vec![0.0f32; d], vec![0.0f32; n]);
    model.update(xi, 1, &mut next, &mut q_p)?;
    let delta = model.query_separation(xi, target);
    let query = QuerySeparation {
        target,
        delta,
        bound: model.theorem5_from_separation(delta),
        error: distance(&next, model.pattern(target)),
        p_target: f64::from(q_p[target]),
    };
    Ok(SeparationView {
        beta_effective: model.effective_beta(),
        threshold,
        max_norm: model.max_norm(),
        patterns: n,
        rows,
        query,
    })
}

/// H(p) = −Σ pᵢ ln pᵢ in nats (terms with pᵢ = 0 add nothing).
pub fn entropy(p: &[f32]) -> f64 {
    -p.iter().map(|&v| f64::from(v)).filter(|&v| v > 0.0).map(|v| v * portable_ln(v)).sum::<f64>()
}

/// One β of the entropy curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct EntropyPoint {
    /// β in the session's units (the slider's, before the blog's 1/√d).
    pub beta: f64,
    /// H(p) of one update of the query.
    pub one_step: f64,
    /// H(p) where the iteration from the query settles (‖p_t − p_{t−1}‖₂ ≤ 1e-4, at most
    /// [`PITCHFORK_STEPS`] updates).
    pub settled: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntropyCurve {
    /// ln N: the entropy of uniform weights (global averaging).
    pub ln_n: f64,
    pub points: Vec<EntropyPoint>,
}

/// H(p) against β (at most [`super::session::MAX_BETAS`] values; β that are not positive
/// numbers are skipped). For one update, H falls as β grows: dH/dβ = −β Var_p(z) ≤ 0 for the
/// scores z = Xξ (the Gibbs distribution's entropy), from ln N at β → 0 to 0 when one score
/// leads.
pub fn entropy_curve(session: &HopfieldSession, betas: &[f64]) -> Result<EntropyCurve, String> {
    let mut model = session.modern_at(1.0)?;
    let (n, d) = (model.patterns(), model.dim());
    let xi = session.query();
    let mut points = Vec::new();
    for &beta in betas.iter().take(super::session::MAX_BETAS).filter(|b| b.is_finite() && **b > 0.0) {
        model.set_beta(beta);
        let (mut out, mut p) = (vec![0.0f32; d], vec![0.0f32; n]);
        model.update(xi, 1, &mut out, &mut p)?;
        let settled = model.iterate(xi, PITCHFORK_STEPS)?;
        points.push(EntropyPoint { beta, one_step: entropy(&p), settled: entropy(&settled.p) });
    }
    Ok(EntropyCurve { ln_n: portable_ln(n as f64), points })
}

/// What the accuracy curve varies: the session's kind of corruption where it has an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccuracyAxis {
    /// The fraction of components negated (the session's `flip`, and `none` or `invert`).
    Flip,
    /// σ of Gaussian noise (the session's `noise`).
    Noise,
    /// The fraction of the rows masked from the bottom with the session's fill (`half`, `rect`;
    /// the blog's mask is about half).
    Mask,
}

impl AccuracyAxis {
    fn of(kind: CorruptKind) -> Self {
        match kind {
            CorruptKind::Noise => AccuracyAxis::Noise,
            CorruptKind::Half | CorruptKind::Rect => AccuracyAxis::Mask,
            CorruptKind::None | CorruptKind::Flip | CorruptKind::Invert => AccuracyAxis::Flip,
        }
    }

    /// The amounts the curve visits: 11 levels.
    pub fn levels(self) -> Vec<f64> {
        let step = match self {
            AccuracyAxis::Flip => 0.05,
            AccuracyAxis::Noise => 0.25,
            AccuracyAxis::Mask => 0.1,
        };
        (0..=10).map(|k| k as f64 * step).collect()
    }
}

/// Most updates or sweeps one retrieval of the accuracy curve runs.
pub const ACCURACY_STEPS: usize = 200;
/// Most queries per level.
pub const MAX_ACCURACY_QUERIES: usize = 1000;

/// One query of the accuracy curve (kept for the tests and the export).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct AccuracyRecord {
    pub level: usize,
    pub target: usize,
    /// The retrieved state is the target: every component of the right sign for ±1 patterns,
    /// within [`ONE_STEP_TOLERANCE`] of its norm otherwise.
    pub exact: bool,
    /// The session's overlap with the target (m for the binary models, the cosine for the modern one).
    pub overlap: f64,
    /// Components whose sign differs from the target's (sign 0 for a 0).
    pub wrong: usize,
    pub steps: usize,
}

/// One level of the accuracy curve: means over its queries with their standard errors.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct AccuracyPoint {
    pub amount: f64,
    pub queries: usize,
    pub exact: f64,
    pub exact_se: f64,
    pub overlap: f64,
    pub overlap_se: f64,
    pub wrong: f64,
    pub wrong_se: f64,
    pub steps: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccuracyCurve {
    pub model: &'static str,
    pub axis: AccuracyAxis,
    pub dim: usize,
    pub patterns: usize,
    pub points: Vec<AccuracyPoint>,
}

/// Retrieval accuracy against the amount of corruption, one query at a time (the page's Web
/// Worker shows progress between them). Query k of level l: a uniformly random target, corrupted
/// with the level's amount, both drawn from one stream of the seed (stream 3; the session uses
/// 0 to 2), then the session's model run from it to convergence (at most [`ACCURACY_STEPS`]).
pub struct AccuracyJob {
    session: HopfieldSession,
    axis: AccuracyAxis,
    levels: Vec<f64>,
    per_level: usize,
    rng: Rng,
    pm1: bool,
    records: Vec<AccuracyRecord>,
}

impl AccuracyJob {
    /// `per_level` queries (1..=[`MAX_ACCURACY_QUERIES`]) at each of the axis's levels.
    pub fn new(config: &HopfieldConfig, seed: u64, per_level: usize) -> Result<Self, String> {
        if !(1..=MAX_ACCURACY_QUERIES).contains(&per_level) {
            return Err(format!("accuracy: 1 to {MAX_ACCURACY_QUERIES} queries per level, not {per_level}."));
        }
        let session = HopfieldSession::new(config, seed)?;
        let axis = AccuracyAxis::of(config.corrupt);
        let pm1 = session.patterns().is_pm1();
        Ok(Self {
            session,
            axis,
            levels: axis.levels(),
            per_level,
            rng: Rng::for_stream(seed, 3),
            pm1,
            records: Vec::new(),
        })
    }

    pub fn total(&self) -> usize {
        self.levels.len() * self.per_level
    }

    pub fn done(&self) -> usize {
        self.records.len()
    }

    pub fn records(&self) -> &[AccuracyRecord] {
        &self.records
    }

    /// The corruption of one query at `amount`.
    fn corruption(&self, amount: f64) -> Corruption {
        let (w, h) = (self.session.width(), self.session.height());
        match self.axis {
            AccuracyAxis::Flip => Corruption::Flip { k: ((amount * (w * h) as f64).round() as usize).min(w * h) },
            AccuracyAxis::Noise => Corruption::Gaussian { sigma: amount },
            AccuracyAxis::Mask => {
                let rows = ((amount * h as f64).round() as usize).min(h);
                Corruption::MaskRect { x: 0, y: h - rows, w, h: rows, fill: self.session.config().fill }
            }
        }
    }

    /// Run the next query; returns the queries done.
    pub fn run_next(&mut self) -> Result<usize, String> {
        let k = self.records.len();
        if k >= self.total() {
            return Ok(k);
        }
        let level = k / self.per_level;
        let n = self.session.patterns().count();
        let target = self.rng.index(n);
        let corruption = self.corruption(self.levels[level]);
        let (w, h) = (self.session.width(), self.session.height());
        let x = self.session.patterns().row(target).to_vec();
        let query = corrupt(&x, w, h, &corruption, &mut self.rng);
        let steps = self.session.retrieve_from(&query, ACCURACY_STEPS)?;
        let state = self.session.state();
        let wrong = x.iter().zip(state).filter(|(&a, &b)| sign_of(a) != sign_of(b)).count();
        let exact = if self.pm1 { wrong == 0 } else { distance(state, &x) <= ONE_STEP_TOLERANCE * norm(&x) };
        let overlap = self.session.overlap(target).unwrap_or(f64::NAN);
        self.records.push(AccuracyRecord { level, target, exact, overlap, wrong, steps });
        Ok(self.records.len())
    }

    /// The levels with at least one query so far.
    pub fn curve(&self) -> AccuracyCurve {
        let points = self
            .levels
            .iter()
            .enumerate()
            .filter_map(|(l, &amount)| {
                let here: Vec<&AccuracyRecord> = self.records.iter().filter(|r| r.level == l).collect();
                if here.is_empty() {
                    return None;
                }
                let stat = |f: &dyn Fn(&AccuracyRecord) -> f64| {
                    // MeanSd's sd divides by n: the standard error is sd/√(n − 1).
                    let m = crate::core::stats::MeanSd::of(here.iter().map(|r| f(r)));
                    (m.mean, if here.len() > 1 { m.sd / ((here.len() - 1) as f64).sqrt() } else { f64::NAN })
                };
                let (exact, exact_se) = stat(&|r| f64::from(u8::from(r.exact)));
                let (overlap, overlap_se) = stat(&|r| r.overlap);
                let (wrong, wrong_se) = stat(&|r| r.wrong as f64);
                let (steps, _) = stat(&|r| r.steps as f64);
                Some(AccuracyPoint {
                    amount,
                    queries: here.len(),
                    exact,
                    exact_se,
                    overlap,
                    overlap_se,
                    wrong,
                    wrong_se,
                    steps,
                })
            })
            .collect();
        AccuracyCurve {
            model: self.session.config().model.id(),
            axis: self.axis,
            dim: self.session.patterns().dim(),
            patterns: self.session.patterns().count(),
            points,
        }
    }
}
