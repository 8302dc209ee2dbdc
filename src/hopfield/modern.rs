//! The modern continuous Hopfield network (Ramsauer et al., "Hopfield Networks is All You
//! Need", arXiv 2008.02217; docs/hopfield.md, "Models and sources"): ξ^new = X softmax(β Xᵀξ)
//! (eq. 3), its energy (eq. 2), iteration until the association weights settle (hflayers' rule),
//! the separation Δ_i and Theorem 5's bound, the two-pattern pitchfork β_c = 4/‖a − b‖², and
//! Theorem 3's capacity constant through Lambert W.
//!
//! Patterns are rows here (X is N × d), so the update reads ξ' = softmax(β X ξ)ᵀ X. The update
//! itself runs in [`super::kernels`] (f32, bit-identical natively and in wasm); the energy is
//! computed in f64 with the max shift and the portable exp/ln.

use super::kernels::{self, portable_exp, ModernWorkspace};
use super::patterns::PatternSet;
use crate::core::rng::portable_ln;
use ndarray::ArcArray2;

/// How the slider's β enters the softmax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scaling {
    /// The paper's formula: softmax(β Xᵀξ).
    #[default]
    Paper,
    /// The blog code's `do_normalization=True`: softmax(β Xᵀξ / √d), so the blog's "β = 8" at
    /// d = 4096 is 0.125 in the paper's formula (docs/hopfield.md, "The blog post and its code").
    /// The energy uses the same scaled β (the blog's energy uses β = 1 inside lse, a quirk we do
    /// not copy).
    Blog,
}

/// hflayers' stopping rule: ‖p_t − p_{t−1}‖₂ ≤ 1e-4 (`update_steps_eps` in `hflayers/functional.py`).
pub const P_TOLERANCE: f64 = 1e-4;

/// lse(β, z) = β⁻¹ ln Σ_l exp(β z_l), max-shifted (blog eq. 14). β > 0.
pub fn lse(beta: f64, z: &[f64]) -> f64 {
    lse_of(beta, z.iter().copied())
}

/// [`lse`] of the values `z` yields (twice: for the maximum, then the sum), in the same order
/// and with the same bits.
fn lse_of(beta: f64, z: impl Iterator<Item = f64> + Clone) -> f64 {
    let top = z.clone().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    let s: f64 = z.map(|v| portable_exp(beta * (v - top))).sum();
    top + portable_ln(s) / beta
}

/// β_c = 4/‖a − b‖²: the midpoint of two equal-norm patterns is stable for β < β_c and splits
/// into retrieval of a or b above it (t' = tanh(β‖a−b‖² t/4), derived here: docs/hopfield.md,
/// "What the lab derived itself").
pub fn beta_critical(a: &[f32], b: &[f32]) -> f64 {
    let d2: f64 = a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum();
    if d2 > 0.0 {
        4.0 / d2
    } else {
        f64::INFINITY
    }
}

/// β in the paper's formula for a slider's `beta` with `scaling` at dimension `d`: β, or β/√d
/// with the blog's scaling, rounded to f32 as the kernel uses it.
pub fn effective_beta(beta: f64, scaling: Scaling, d: usize) -> f64 {
    let b = match scaling {
        Scaling::Paper => beta,
        Scaling::Blog => beta / (d as f64).sqrt(),
    };
    f64::from(b as f32)
}

/// tanh from the portable exp.
pub fn portable_tanh(x: f64) -> f64 {
    let e = portable_exp(-2.0 * x.abs());
    let t = (1.0 - e) / (1.0 + e);
    if x < 0.0 {
        -t
    } else {
        t
    }
}

/// The positive root t* of t = tanh(β‖a−b‖² t/4) (0 at or below β_c): the reduced two-pattern
/// dynamics of docs/hopfield.md ("What the lab derived itself"), iterated from t = 1 (monotone
/// convergence).
pub fn pitchfork_theory(beta: f64, dist2: f64) -> f64 {
    let g = beta * dist2 / 4.0;
    if g <= 1.0 {
        return 0.0;
    }
    let mut t = 1.0;
    for _ in 0..10_000 {
        let next = portable_tanh(g * t);
        if (next - t).abs() < 1e-15 {
            return next;
        }
        t = next;
    }
    t
}

/// W₀(x) for x ≥ −1/e, the upper branch of Lambert W (Halley's iteration).
pub fn lambert_w0(x: f64) -> f64 {
    if x.is_nan() || x < -1.0 / std::f64::consts::E {
        return f64::NAN;
    }
    let mut w = if x < 1.0 { x / (1.0 + x).max(0.5) } else { portable_ln(x) - portable_ln(portable_ln(x).max(1.0)) };
    for _ in 0..100 {
        let e = portable_exp(w);
        let f = w * e - x;
        let step = f / (e * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0));
        w -= step;
        if step.abs() <= 1e-15 * (1.0 + w.abs()) {
            break;
        }
    }
    w
}

/// Theorem 3 of Ramsauer et al. (docs/hopfield.md, "Theorems of Ramsauer et al. used by the
/// lab"; the paper's worked constants are reproduced by the tests): patterns on the sphere of
/// radius M = K√(d − 1), failure probability p.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Theorem3 {
    pub a: f64,
    pub b: f64,
    /// c = b / W₀(exp(a + ln b)).
    pub c: f64,
    /// The condition c ≥ (2/√p)^{4/(d−1)}.
    pub threshold: f64,
    /// The number of storable patterns √p · c^{(d−1)/4} (meaningful when c ≥ threshold).
    pub patterns: f64,
}

/// a = (2/(d−1))(1 + ln(2βK²p(d−1))), b = 2K²β/5, c = b/W₀(exp(a + ln b)).
pub fn theorem3(beta: f64, k: f64, d: f64, p: f64) -> Theorem3 {
    let a = (2.0 / (d - 1.0)) * (1.0 + portable_ln(2.0 * beta * k * k * p * (d - 1.0)));
    let b = 2.0 * k * k * beta / 5.0;
    let c = b / lambert_w0(portable_exp(a + portable_ln(b)));
    let threshold = portable_exp(4.0 / (d - 1.0) * portable_ln(2.0 / p.sqrt()));
    let patterns = p.sqrt() * portable_exp((d - 1.0) / 4.0 * portable_ln(c));
    Theorem3 { a, b, c, threshold, patterns }
}

/// The result of iterating the update.
#[derive(Clone, Debug, PartialEq)]
pub struct Iteration {
    pub state: Vec<f32>,
    /// The softmax weights of the last update.
    pub p: Vec<f32>,
    pub steps: usize,
    /// Whether ‖p_t − p_{t−1}‖₂ ≤ [`P_TOLERANCE`] was reached.
    pub converged: bool,
}

/// Stored patterns X (N × d, f32, row-major) with β and its scaling.
#[derive(Clone, Debug)]
pub struct Modern {
    /// Shared with the [`PatternSet`] it was made from (no second copy of a large store).
    x: ArcArray2<f32>,
    /// `kernels::row_bits` of X, which one query's two passes bound |x| by.
    row_bits: Vec<u32>,
    n: usize,
    d: usize,
    beta: f64,
    scaling: Scaling,
    m_max: f64,
    workspace: ModernWorkspace,
}

impl Modern {
    pub fn new(x: Vec<f32>, n: usize, d: usize, beta: f64, scaling: Scaling) -> Result<Self, String> {
        if n == 0 || d == 0 || x.len() != n * d {
            return Err(format!("modern network: {} values are not {n} patterns of {d}.", x.len()));
        }
        let x = ArcArray2::from_shape_vec((n, d), x).map_err(|e| format!("modern network: {e}"))?;
        Self::with_store(x, beta, scaling)
    }

    /// The model over a shared store (N × d, standard layout).
    fn with_store(x: ArcArray2<f32>, beta: f64, scaling: Scaling) -> Result<Self, String> {
        let (n, d) = x.dim();
        let Some(values) = x.as_slice() else {
            return Err("modern network: the stored patterns are not in row-major order.".into());
        };
        if n == 0 || d == 0 {
            return Err(format!("modern network: {n} patterns of {d} values."));
        }
        if !(beta.is_finite() && beta > 0.0) {
            return Err(format!("beta: β = {beta} must be a positive number."));
        }
        // One read of X: each row checked, measured and ORed while it is in cache.
        let (mut m_max, mut row_bits) = (0.0f64, Vec::with_capacity(n));
        for row in values.chunks_exact(d) {
            if row.iter().any(|v| !v.is_finite()) {
                return Err("modern network: a stored value is not finite.".into());
            }
            m_max = m_max.max(super::patterns::norm(row));
            row_bits.push(kernels::row_or(row));
        }
        Ok(Self { x, row_bits, n, d, beta, scaling, m_max, workspace: ModernWorkspace::new() })
    }

    pub fn from_patterns(set: &PatternSet, beta: f64, scaling: Scaling) -> Result<Self, String> {
        Self::with_store(set.data.clone(), beta, scaling)
    }

    pub fn patterns(&self) -> usize {
        self.n
    }

    /// X, row-major (checked to be in that layout when the model was made).
    fn values(&self) -> &[f32] {
        self.x.as_slice().unwrap_or(&[])
    }

    pub fn dim(&self) -> usize {
        self.d
    }

    pub fn pattern(&self, i: usize) -> &[f32] {
        &self.values()[i * self.d..(i + 1) * self.d]
    }

    pub fn beta(&self) -> f64 {
        self.beta
    }

    pub fn set_beta(&mut self, beta: f64) {
        if beta.is_finite() && beta > 0.0 {
            self.beta = beta;
        }
    }

    pub fn scaling(&self) -> Scaling {
        self.scaling
    }

    /// The β in the paper's formula, as the kernel uses it (rounded to f32, so the energy
    /// uses exactly the update's β): β (paper) or β/√d (blog).
    pub fn effective_beta(&self) -> f64 {
        effective_beta(self.beta, self.scaling, self.d)
    }

    /// M = max_i ‖x_i‖.
    pub fn max_norm(&self) -> f64 {
        self.m_max
    }

    /// The Lemma's bounds 0 ≤ E ≤ 2M² for ‖ξ‖ ≤ M (Ramsauer et al.; docs/hopfield.md).
    pub fn energy_bounds(&self) -> (f64, f64) {
        (0.0, 2.0 * self.m_max * self.m_max)
    }

    /// One update of `q` queries (Q × d): new states (Q × d) and weights p (Q × N).
    pub fn update(
        &mut self,
        queries: &[f32],
        q: usize,
        out_state: &mut [f32],
        out_p: &mut [f32],
    ) -> Result<(), String> {
        let beta = self.effective_beta() as f32;
        let (x, bits) = (self.x.as_slice().unwrap_or(&[]), Some(self.row_bits.as_slice()));
        self.workspace.update_with_row_bits(x, self.n, self.d, bits, queries, q, beta, out_state, out_p, None)
    }

    /// [`Self::update`] that also writes the dot products of every query with every stored
    /// pattern (Q × N) into `out_dots`: the scores the update computes anyway, the bits of
    /// [`Self::dots`] (see `kernels::ModernWorkspace::update_keeping_dots`).
    pub fn update_keeping_dots(
        &mut self,
        queries: &[f32],
        q: usize,
        out_state: &mut [f32],
        out_p: &mut [f32],
        out_dots: &mut [f32],
    ) -> Result<(), String> {
        let beta = self.effective_beta() as f32;
        let (x, bits) = (self.x.as_slice().unwrap_or(&[]), Some(self.row_bits.as_slice()));
        self.workspace.update_with_row_bits(x, self.n, self.d, bits, queries, q, beta, out_state, out_p, Some(out_dots))
    }

    /// X ξ with the update kernel's f32 dot products (`kernels::dots`): the scores an update
    /// from ξ computes, so an energy booked from them ([`Self::energy_from_dots`]) has the same
    /// bits whether a pass computed it or the next update did.
    pub fn dots(&self, xi: &[f32]) -> Vec<f32> {
        kernels::dots(self.values(), self.n, self.d, xi)
    }

    /// The energy (eq. 2) from the kernel's dot products `dots` = [`Self::dots`]`(xi)`: what
    /// the session books. Against [`Self::energy`] (f64 dot products) it differs by the f32
    /// rounding of the dots, at most about (d/4 + 2)·2⁻²⁴·M‖ξ‖ (the summation bound for the
    /// kernel's four lanes), the order of the rounding of the f32 state itself.
    pub fn energy_from_dots(&self, dots: &[f32], xi: &[f32]) -> f64 {
        self.energy_from_lse(lse_of(self.effective_beta(), dots.iter().map(|&v| f64::from(v))), xi)
    }

    /// X ξ in f64 (the overlaps x_i·ξ).
    pub fn scores(&self, xi: &[f32]) -> Vec<f64> {
        self.values().chunks_exact(self.d).map(|row| super::patterns::dot_f64(row, xi)).collect()
    }

    /// E(ξ) = −lse(β, Xᵀξ) + ½ξᵀξ + β⁻¹ ln N + ½M² (paper eq. 2), in f64, max-shifted, with the
    /// effective β.
    pub fn energy(&self, xi: &[f32]) -> f64 {
        self.energy_from_scores(&self.scores(xi), xi)
    }

    /// [`Self::energy`] from the scores `z` = [`Self::scores`]`(xi)`, for a caller that keeps
    /// them (the session's overlaps).
    pub fn energy_from_scores(&self, z: &[f64], xi: &[f32]) -> f64 {
        self.energy_from_lse(lse(self.effective_beta(), z), xi)
    }

    /// Eq. 2 given lse(β, Xᵀξ).
    fn energy_from_lse(&self, lse: f64, xi: &[f32]) -> f64 {
        let beta = self.effective_beta();
        let half_sq: f64 = 0.5 * super::patterns::dot_f64(xi, xi);
        -lse + half_sq + portable_ln(self.n as f64) / beta + 0.5 * self.m_max * self.m_max
    }

    /// Iterate one query until ‖p_t − p_{t−1}‖₂ ≤ 1e-4 or `max_steps` updates (at least one).
    pub fn iterate(&mut self, xi: &[f32], max_steps: usize) -> Result<Iteration, String> {
        let (n, d) = (self.n, self.d);
        let mut state = xi.to_vec();
        let mut next = vec![0.0f32; d];
        let mut p = vec![0.0f32; n];
        let mut prev: Option<Vec<f32>> = None;
        let mut steps = 0;
        let mut converged = false;
        while steps < max_steps.max(1) {
            self.update(&state, 1, &mut next, &mut p)?;
            std::mem::swap(&mut state, &mut next);
            steps += 1;
            if let Some(old) = &prev {
                if super::patterns::distance(old, &p) <= P_TOLERANCE {
                    converged = true;
                    break;
                }
            }
            prev = Some(p.clone());
        }
        Ok(Iteration { state, p, steps, converged })
    }

    /// Δ_i = x_iᵀx_i − max_{j≠i} x_iᵀx_j (Ramsauer et al., Definition 1); +∞ for a single pattern.
    pub fn separation(&self, i: usize) -> f64 {
        let z = self.scores(self.pattern(i));
        let own = z[i];
        let other = z.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, &v)| v).fold(f64::NEG_INFINITY, f64::max);
        own - other
    }

    /// Δ̃_i with a query: x_iᵀξ − max_{j≠i} x_jᵀξ (Ramsauer et al., Theorem 5's mechanism).
    pub fn query_separation(&self, xi: &[f32], i: usize) -> f64 {
        let z = self.scores(xi);
        let other = z.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, &v)| v).fold(f64::NEG_INFINITY, f64::max);
        z[i] - other
    }

    /// Definition 1's "well separated" threshold 2/(βN) + β⁻¹ ln(2(N−1)NβM²).
    pub fn well_separated_threshold(&self) -> f64 {
        let (b, n, m) = (self.effective_beta(), self.n as f64, self.m_max);
        let arg = 2.0 * (n - 1.0) * n * b * m * m;
        2.0 / (b * n) + if arg > 0.0 { portable_ln(arg) / b } else { f64::NEG_INFINITY }
    }

    /// Theorem 5's bound on the retrieval error from a query, 2εM with
    /// ε = (N − 1) exp(−βΔ̃_i) (Theorem 5's mechanism; docs/hopfield.md): ‖f(ξ) − x_i‖ ≤
    /// 2(N−1)e^{−βΔ̃_i}M.
    pub fn theorem5_bound(&self, xi: &[f32], i: usize) -> f64 {
        self.theorem5_from_separation(self.query_separation(xi, i))
    }

    /// [`Self::theorem5_bound`] from a separation already computed: 2(N−1)e^{−βΔ}M (+∞ when
    /// it overflows, 0 for a single pattern).
    pub fn theorem5_from_separation(&self, delta: f64) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        2.0 * (self.n as f64 - 1.0) * portable_exp(-self.effective_beta() * delta) * self.m_max
    }

    /// The reference update (plain loops, f64) for tests, from the kernels module.
    pub fn update_reference(
        &self,
        queries: &[f32],
        q: usize,
        out_state: &mut [f32],
        out_p: &mut [f32],
    ) -> Result<(), String> {
        let beta = self.effective_beta() as f32;
        kernels::modern_update_reference(self.values(), self.n, self.d, queries, q, beta, out_state, out_p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert_w_identity() {
        for x in [0.0, 0.1, 1.0, std::f64::consts::E, 10.0, 1e5] {
            let w = lambert_w0(x);
            assert!((w * w.exp() - x).abs() <= 1e-12 * x.max(1.0), "{x} {w}");
        }
    }

    #[test]
    fn lse_limits() {
        let z = [1.0, 2.0, 3.0];
        assert!((lse(1e6, &z) - 3.0).abs() < 1e-5);
        // β → 0: mean + β⁻¹ ln N.
        let b = 1e-6;
        assert!((lse(b, &z) - (2.0 + 3f64.ln() / b)).abs() < 1e-3);
    }
}
