//! Dense associative memories: Krotov & Hopfield (2016) with F(x) = xⁿ (optionally rectified)
//! and Demircigil et al. (2017) with F = exp (docs/hopfield.md, "Models and sources").
//!
//! The update is the energy difference of blog eq. 16, one component l at a time:
//! σ_l ← sgn Σ_μ [F(ξ_l^μ + a_μ) − F(−ξ_l^μ + a_μ)], a_μ = Σ_{j≠l} ξ_j^μ σ_j. With ξ_l^μ ∈
//! {−1, 0, +1} the bracket is ξ_l^μ·D(a_μ) with D(a) = F(a + 1) − F(a − 1), and a_μ is an
//! integer in −N..=N, so D is tabulated once.
//! - Polynomial F: D(a) is an exact integer ((a+1)ⁿ − (a−1)ⁿ = 2 Σ_{odd k} C(n,k) a^{n−k});
//!   the sum is accumulated in i64, i128 or a 512-bit integer, whichever the bound
//!   2·P·(N+1)ⁿ needs, so the decision is exact with no overflow.
//! - F = exp: D(a) = (e − e⁻¹)·eᵃ, so the decision is the sign of Σ_μ ξ_l^μ e^{a_μ − max a},
//!   i.e. ln S⁺ against ln S⁻ with the max shift (exp overflows f64 beyond 709). The terms are
//!   gathered by exponent first: a true tie (equal counts at every exponent; e is
//!   transcendental) is detected exactly, and otherwise the signed counts are summed smallest
//!   term first in f64 with [`portable_exp`] values (the same bits on every platform).
//!
//! The blog's dense retrieval decides every component from the old state (a Jacobi pass,
//! quirk ii in docs/hopfield.md, "The blog post and its code"); we offer that as the synchronous
//! mode and the paper's asynchronous update as the default.

use super::classical::{BinaryNet, TieRule};
use crate::core::rng::portable_ln;

/// The interaction function F.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interaction {
    /// F(x) = xⁿ (n ≥ 2); `rectified`: F(x) = 0 for x < 0 (Krotov & Hopfield 2016).
    Poly { n: u32, rectified: bool },
    /// F(x) = eˣ (Demircigil et al. 2017).
    Exp,
}

/// Largest polynomial order accepted.
pub const MAX_ORDER: u32 = 30;

const LIMBS: usize = 8;

/// A 512-bit two's-complement integer: just what the exact polynomial sums need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Big([u64; LIMBS]);

impl Big {
    fn from_i64(v: i64) -> Self {
        let fill = if v < 0 { u64::MAX } else { 0 };
        let mut l = [fill; LIMBS];
        l[0] = v as u64;
        Big(l)
    }

    fn is_negative(&self) -> bool {
        self.0[LIMBS - 1] >> 63 == 1
    }

    fn add(&mut self, o: &Big) {
        let mut carry = 0u64;
        for k in 0..LIMBS {
            let (s1, c1) = self.0[k].overflowing_add(o.0[k]);
            let (s2, c2) = s1.overflowing_add(carry);
            self.0[k] = s2;
            carry = u64::from(c1) + u64::from(c2);
        }
    }

    fn neg(&self) -> Big {
        let mut r = Big(self.0.map(|l| !l));
        r.add(&Big::from_i64(1));
        r
    }

    fn sub(&mut self, o: &Big) {
        self.add(&o.neg());
    }

    /// self × k (k ≥ 0, small), for magnitudes that stay below 2^511.
    fn mul_small(&self, k: u64) -> Big {
        let negative = self.is_negative();
        let mag = if negative { self.neg() } else { *self };
        let mut out = [0u64; LIMBS];
        let mut carry = 0u128;
        for (o, &l) in out.iter_mut().zip(&mag.0) {
            let t = u128::from(l) * u128::from(k) + carry;
            *o = t as u64;
            carry = t >> 64;
        }
        let r = Big(out);
        if negative {
            r.neg()
        } else {
            r
        }
    }

    fn signum(&self) -> i64 {
        if self.is_negative() {
            -1
        } else if self.0.iter().all(|&l| l == 0) {
            0
        } else {
            1
        }
    }

    fn to_f64(self) -> f64 {
        let negative = self.is_negative();
        let mag = if negative { self.neg() } else { self };
        let v = mag.0.iter().rev().fold(0.0, |acc, &l| acc * 18446744073709551616.0 + l as f64);
        if negative {
            -v
        } else {
            v
        }
    }
}

/// D(a) = F(a + 1) − F(a − 1) for a = −N..=N, in the narrowest exact representation.
#[derive(Clone, Debug)]
enum DiffTable {
    I64(Vec<i64>),
    I128(Vec<i128>),
    Big(Vec<Big>),
    /// e^{−k} for k = 0..=2N (the exp model's shifted terms).
    Exp(Vec<f64>),
}

fn poly(x: i64, n: u32, rectified: bool) -> Big {
    if rectified && x < 0 {
        return Big::from_i64(0);
    }
    let mut r = Big::from_i64(1);
    let (neg, mag) = (x < 0, x.unsigned_abs());
    for _ in 0..n {
        r = r.mul_small(mag);
    }
    if neg && n % 2 == 1 {
        r.neg()
    } else {
        r
    }
}

/// F(x) in f64 by repeated multiplication (the same bits everywhere; for energies).
fn poly_f64(x: f64, n: u32, rectified: bool) -> f64 {
    if rectified && x < 0.0 {
        return 0.0;
    }
    (0..n).fold(1.0, |acc, _| acc * x)
}

/// Bits needed by 2·P·(N+1)ⁿ (an upper bound on any sum of D values), plus a sign bit.
fn bits_needed(n_neurons: usize, p: usize, order: u32) -> f64 {
    f64::from(order) * ((n_neurons + 1) as f64).log2() + ((2 * p) as f64).log2() + 2.0
}

/// A Krotov–Hopfield or Demircigil network with its state and overlaps.
#[derive(Clone, Debug)]
pub struct DenseNet {
    n: usize,
    p: usize,
    interaction: Interaction,
    /// ξ as N × P (neuron-major).
    xi_t: Vec<i8>,
    /// m_μ = ξ^μ · σ, kept up to date (O(P) per flip; docs/hopfield.md, "What the lab derived
    /// itself").
    m: Vec<i64>,
    sigma: Vec<i8>,
    table: DiffTable,
    pub tie: TieRule,
}

/// e^{x} with the kernels' portable exponential (same bits natively and in wasm).
pub fn portable_exp(x: f64) -> f64 {
    super::kernels::portable_exp(x)
}

impl DenseNet {
    /// `patterns` is P × N with entries in {−1, 0, +1}.
    pub fn new(patterns: &[i8], n: usize, p: usize, interaction: Interaction, tie: TieRule) -> Result<Self, String> {
        if n == 0 || p == 0 || patterns.len() != n * p {
            return Err(format!("dense network: {} values are not {p} patterns of {n}.", patterns.len()));
        }
        let table = match interaction {
            Interaction::Poly { n: order, rectified } => {
                if !(2..=MAX_ORDER).contains(&order) {
                    return Err(format!("order: n = {order} is outside 2..={MAX_ORDER}."));
                }
                let bits = bits_needed(n, p, order);
                if bits > 500.0 {
                    return Err(format!("order: n = {order} with {n} neurons needs {bits:.0}-bit sums; at most 500."));
                }
                let d = |a: i64| {
                    let mut v = poly(a + 1, order, rectified);
                    v.sub(&poly(a - 1, order, rectified));
                    v
                };
                let range = -(n as i64)..=(n as i64);
                if bits < 63.0 {
                    DiffTable::I64(range.map(|a| d(a).0[0] as i64).collect())
                } else if bits < 127.0 {
                    DiffTable::I128(
                        range.map(|a| (u128::from(d(a).0[0]) | (u128::from(d(a).0[1]) << 64)) as i128).collect(),
                    )
                } else {
                    DiffTable::Big(range.map(d).collect())
                }
            }
            Interaction::Exp => DiffTable::Exp((0..=2 * n).map(|k| portable_exp(-(k as f64))).collect()),
        };
        let mut xi_t = vec![0i8; n * p];
        for mu in 0..p {
            for i in 0..n {
                xi_t[i * p + mu] = patterns[mu * n + i];
            }
        }
        let mut net = Self { n, p, interaction, xi_t, m: vec![0; p], sigma: vec![0; n], table, tie };
        net.set_state(&vec![1; n]);
        Ok(net)
    }

    pub fn interaction(&self) -> Interaction {
        self.interaction
    }

    /// The overlaps m_μ = ξ^μ · σ.
    pub fn overlaps(&self) -> &[i64] {
        &self.m
    }

    /// The sign of the energy difference −E(σ^{(l+)}) + E(σ^{(l−)}) (blog eq. 16): +1, −1 or 0.
    pub fn difference_sign(&self, l: usize) -> i64 {
        let col = &self.xi_t[l * self.p..(l + 1) * self.p];
        let s = i64::from(self.sigma[l]);
        let n = self.n as i64;
        let idx = |x: i8, m: i64| (m - i64::from(x) * s + n) as usize;
        match &self.table {
            DiffTable::I64(t) => col
                .iter()
                .zip(&self.m)
                .filter(|(&x, _)| x != 0)
                .map(|(&x, &m)| i64::from(x) * t[idx(x, m)])
                .sum::<i64>()
                .signum(),
            DiffTable::I128(t) => col
                .iter()
                .zip(&self.m)
                .filter(|(&x, _)| x != 0)
                .map(|(&x, &m)| i128::from(x) * t[idx(x, m)])
                .sum::<i128>()
                .signum() as i64,
            DiffTable::Big(t) => {
                let mut acc = Big::from_i64(0);
                for (&x, &m) in col.iter().zip(&self.m) {
                    match x {
                        1 => acc.add(&t[idx(x, m)]),
                        -1 => acc.sub(&t[idx(x, m)]),
                        _ => {}
                    }
                }
                acc.signum()
            }
            DiffTable::Exp(t) => {
                let a = |x: i8, m: i64| m - i64::from(x) * s;
                let Some(top) = col.iter().zip(&self.m).filter(|(&x, _)| x != 0).map(|(&x, &m)| a(x, m)).max() else {
                    return 0;
                };
                // Signed counts per exponent offset k = top − a (sparse: gathered then sorted).
                let mut terms: Vec<(i64, i64)> = col
                    .iter()
                    .zip(&self.m)
                    .filter(|(&x, _)| x != 0)
                    .map(|(&x, &m)| (top - a(x, m), i64::from(x)))
                    .collect();
                terms.sort_unstable_by_key(|t| std::cmp::Reverse(t.0));
                let mut sum = 0.0;
                let mut any = false;
                let mut i = 0;
                while i < terms.len() {
                    let k = terms[i].0;
                    let mut c = 0i64;
                    while i < terms.len() && terms[i].0 == k {
                        c += terms[i].1;
                        i += 1;
                    }
                    if c != 0 {
                        any = true;
                        sum += c as f64 * t[k as usize];
                    }
                }
                if !any {
                    0
                } else if sum > 0.0 {
                    1
                } else if sum < 0.0 {
                    -1
                } else {
                    0
                }
            }
        }
    }

    /// The exact energy difference Σ_μ ξ_l^μ D(a_μ) as f64 (polynomial F only; for the tests
    /// against closed forms). `None` for the exp model.
    pub fn difference(&self, l: usize) -> Option<f64> {
        let col = &self.xi_t[l * self.p..(l + 1) * self.p];
        let s = i64::from(self.sigma[l]);
        let Interaction::Poly { n: order, rectified } = self.interaction else { return None };
        let mut acc = Big::from_i64(0);
        for (&x, &m) in col.iter().zip(&self.m) {
            let a = m - i64::from(x) * s;
            let mut d = poly(a + 1, order, rectified);
            d.sub(&poly(a - 1, order, rectified));
            match x {
                1 => acc.add(&d),
                -1 => acc.sub(&d),
                _ => {}
            }
        }
        Some(acc.to_f64())
    }

    /// ln(−E) = lse(1, Xᵀσ) for the exp model (the energy in log space; blog eqs. 12–14).
    pub fn log_neg_energy(&self) -> f64 {
        let top = self.m.iter().copied().max().unwrap_or(0);
        let s: f64 = self.m.iter().map(|&m| portable_exp((m - top) as f64)).sum();
        top as f64 + portable_ln(s)
    }
}

impl BinaryNet for DenseNet {
    fn state(&self) -> &[i8] {
        &self.sigma
    }

    fn decide(&self, i: usize) -> i8 {
        self.tie.decide(self.difference_sign(i), self.sigma[i])
    }

    fn set(&mut self, i: usize, value: i8) {
        let delta = i64::from(value) - i64::from(self.sigma[i]);
        if delta == 0 {
            return;
        }
        self.sigma[i] = value;
        for (m, &x) in self.m.iter_mut().zip(&self.xi_t[i * self.p..(i + 1) * self.p]) {
            *m += i64::from(x) * delta;
        }
    }

    fn set_state(&mut self, state: &[i8]) {
        self.sigma.clear();
        self.sigma.extend(state.iter().take(self.n).map(|&s| s.signum()));
        self.sigma.resize(self.n, 1);
        let p = self.p;
        self.m.iter_mut().for_each(|m| *m = 0);
        for (i, &s) in self.sigma.iter().enumerate() {
            for (m, &x) in self.m.iter_mut().zip(&self.xi_t[i * p..(i + 1) * p]) {
                *m += i64::from(x) * i64::from(s);
            }
        }
    }

    /// Polynomial: E = −Σ_μ F(m_μ) (blog eq. 9). Exp: −ln(−E) = −lse(1, Xᵀσ), a monotone
    /// transform of E = −Σ_μ exp(m_μ) that cannot overflow (blog eqs. 12–13).
    fn energy(&self) -> f64 {
        match self.interaction {
            Interaction::Poly { n, rectified } => {
                -self.m.iter().map(|&m| poly_f64(m as f64, n, rectified)).sum::<f64>()
            }
            Interaction::Exp => -self.log_neg_energy(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_arithmetic() {
        let a = poly(-3, 5, false);
        assert_eq!(a.to_f64(), -243.0);
        let mut b = poly(4097, 30, false);
        b.sub(&poly(4095, 30, false));
        assert!(b.signum() > 0);
        let rel = (b.to_f64() / (4097f64.powi(30) - 4095f64.powi(30)) - 1.0).abs();
        assert!(rel < 1e-12, "{rel}");
        assert_eq!(poly(-2, 3, true).signum(), 0);
    }
}
