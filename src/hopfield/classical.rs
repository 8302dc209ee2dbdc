//! The classical binary Hopfield network (Hopfield 1982; docs/hopfield.md, "Models and
//! sources") and the update machinery that every binary model shares (asynchronous sweeps in a
//! seeded random order, synchronous updates with 2-cycle detection).
//!
//! Arithmetic is in integers: with patterns in {−1, 0, +1}, N·w_ij = Σ_μ ξ_i^μ ξ_j^μ is an
//! integer, and so is N·h_i. The sign decisions, the tie test and the energy are therefore
//! exact, identical for the dense and the factored field, and the same natively and in wasm.

use crate::core::rng::Rng;

/// What sgn(0) is (docs/hopfield.md, "Tie rule": the choice changes small-N results).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TieRule {
    /// Keep the current value when the field is exactly 0 (the default). A component that is
    /// still 0 (a zero-filled query: no value yet) has none to keep, and takes −1 as under
    /// `Negative`; otherwise such a component could stay 0 for good, a state that is not ±1.
    #[default]
    Keep,
    /// The blog's code: a field ≤ 0 gives −1.
    Negative,
}

impl TieRule {
    /// The new value of a component with current value `current` and (scaled) field `field`.
    pub fn decide(self, field: i64, current: i8) -> i8 {
        match (field.signum(), self) {
            (1, _) => 1,
            (-1, _) => -1,
            (_, TieRule::Keep) if current != 0 => current,
            (_, TieRule::Keep) => -1,
            (_, TieRule::Negative) => -1,
        }
    }
}

/// How the local fields are computed; both give the same integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldForm {
    /// The N×N matrix N·W (zero diagonal) with fields kept up to date after every flip
    /// (h += 2σ_i W[:, i]): O(1) to test a component, O(N) per flip, N² memory.
    Dense,
    /// h = X(Xᵀσ) − diag·σ from the overlaps m = Xᵀσ (the form to use for images, where
    /// P ≪ N): O(P) to test a component and per flip, no N² matrix.
    Factored,
}

/// Largest N² for which [`FieldForm::auto`] builds the dense matrix (4 M entries, 16 MB).
pub const MAX_DENSE_ENTRIES: usize = 1 << 22;

impl FieldForm {
    /// Dense when the matrix is small enough and P is not small compared with the O(N)
    /// cost of a flip (P > 32); factored otherwise (P ≪ N, or large images).
    pub fn auto(n: usize, p: usize) -> Self {
        if n.saturating_mul(n) <= MAX_DENSE_ENTRIES && p > 32 {
            FieldForm::Dense
        } else {
            FieldForm::Factored
        }
    }
}

/// A binary network whose components are updated one at a time or all at once.
pub trait BinaryNet {
    /// The current state σ ∈ {−1, 0, +1}^N (0 only where a query left a zero).
    fn state(&self) -> &[i8];
    /// The value component `i` takes under the deterministic rule, given the current state.
    fn decide(&self, i: usize) -> i8;
    /// Set component `i` (keeping fields or overlaps up to date).
    fn set(&mut self, i: usize, value: i8);
    /// Replace the whole state.
    fn set_state(&mut self, state: &[i8]);
    /// The model's energy (its own units; see each model).
    fn energy(&self) -> f64;
}

/// Update bookkeeping shared by the binary models: the random order of the current sweep, and
/// the previous state for 2-cycle detection in synchronous runs.
#[derive(Clone, Debug, Default)]
pub struct Dynamics {
    order: Vec<usize>,
    pos: usize,
    previous: Vec<i8>,
    two_cycle: bool,
}

impl Dynamics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget the sweep position and the history (after a reset).
    pub fn clear(&mut self) {
        self.order.clear();
        self.pos = 0;
        self.previous.clear();
        self.two_cycle = false;
    }

    /// Whether the last synchronous update returned to the state before the previous one.
    pub fn two_cycle(&self) -> bool {
        self.two_cycle
    }

    /// Position within the current asynchronous sweep (0 at a sweep's start).
    pub fn sweep_position(&self) -> usize {
        self.pos
    }

    /// The next component of the current sweep; a sweep visits every component once, in an
    /// order drawn (Fisher–Yates) at its start.
    pub fn next_component(&mut self, n: usize, rng: &mut Rng) -> usize {
        if self.pos == 0 || self.order.len() != n {
            self.order.clear();
            self.order.extend(0..n);
            rng.shuffle(&mut self.order);
            self.pos = 0;
        }
        let i = self.order[self.pos];
        self.pos = (self.pos + 1) % n;
        i
    }

    /// One asynchronous component update; true when it changed the state.
    pub fn async_component<N: BinaryNet + ?Sized>(&mut self, net: &mut N, rng: &mut Rng) -> bool {
        let n = net.state().len();
        if n == 0 {
            return false;
        }
        let i = self.next_component(n, rng);
        let v = net.decide(i);
        if v != net.state()[i] {
            net.set(i, v);
            true
        } else {
            false
        }
    }

    /// The rest of the current asynchronous sweep (a whole sweep when at its start); returns
    /// the number of flips. Converged means a whole sweep without a flip.
    pub fn async_sweep<N: BinaryNet + ?Sized>(&mut self, net: &mut N, rng: &mut Rng) -> usize {
        let n = net.state().len();
        let mut flips = 0;
        loop {
            flips += usize::from(self.async_component(net, rng));
            if self.pos == 0 || n == 0 {
                return flips;
            }
        }
    }

    /// One synchronous (Jacobi) update: every component decided from the old state; returns
    /// the flips and records whether the state is back to the one before the previous update
    /// (a 2-cycle; Bruck 1990, Goles-Chacc et al. 1985: symmetric W gives fixed points or 2-cycles).
    pub fn sync_step<N: BinaryNet + ?Sized>(&mut self, net: &mut N) -> usize {
        let old = net.state().to_vec();
        let new: Vec<i8> = (0..old.len()).map(|i| net.decide(i)).collect();
        let flips = old.iter().zip(&new).filter(|(a, b)| a != b).count();
        if flips > 0 {
            for (i, (&a, &b)) in old.iter().zip(&new).enumerate() {
                if a != b {
                    net.set(i, b);
                }
            }
        }
        self.two_cycle = flips > 0 && self.previous.len() == new.len() && self.previous == new;
        self.previous = old;
        flips
    }
}

/// Patterns as integers in {−1, 0, +1}: the sign of each value (0 stays 0).
pub fn sign_patterns(values: &[f32]) -> Vec<i8> {
    values.iter().map(|&v| sign_of(v)).collect()
}

/// The sign of `v`: +1, −1, or 0 for 0 (and NaN).
pub fn sign_of(v: f32) -> i8 {
    if v > 0.0 {
        1
    } else if v < 0.0 {
        -1
    } else {
        0
    }
}

/// The classical network with Hebbian storage W = (1/N) Σ_μ ξ^μ ξ^μᵀ, w_ii = 0 (Hopfield 1982,
/// with the usual 1/N).
#[derive(Clone, Debug)]
pub struct Classical {
    n: usize,
    p: usize,
    /// ξ as N × P (neuron-major), so a neuron's P entries are contiguous.
    xi_t: Vec<i8>,
    /// D_i = Σ_μ (ξ_i^μ)², the diagonal the factored field subtracts.
    diag: Vec<i64>,
    form: FieldForm,
    /// N·W, N×N, zero diagonal (dense form only).
    w: Vec<i32>,
    /// Dense form: N·h_i = Σ_j N·w_ij σ_j. Factored form: unused.
    h: Vec<i64>,
    /// m_μ = Σ_i ξ_i^μ σ_i (factored form; kept in both for the overlaps).
    m: Vec<i64>,
    sigma: Vec<i8>,
    pub tie: TieRule,
}

impl Classical {
    /// Store `p` patterns of `n` components (`patterns` is P × N, entries in {−1, 0, +1}).
    /// `form`: `None` chooses with [`FieldForm::auto`].
    pub fn new(patterns: &[i8], n: usize, p: usize, tie: TieRule, form: Option<FieldForm>) -> Result<Self, String> {
        if n == 0 || p == 0 || patterns.len() != n * p {
            return Err(format!("classical network: {} values are not {p} patterns of {n}.", patterns.len()));
        }
        if p > i32::MAX as usize / 2 {
            return Err("classical network: too many patterns.".into());
        }
        let form = form.unwrap_or_else(|| FieldForm::auto(n, p));
        if form == FieldForm::Dense && n.saturating_mul(n) > 4 * MAX_DENSE_ENTRIES {
            return Err(format!("classical network: a dense {n}×{n} matrix is too large; use the factored field."));
        }
        let mut xi_t = vec![0i8; n * p];
        for mu in 0..p {
            for i in 0..n {
                xi_t[i * p + mu] = patterns[mu * n + i];
            }
        }
        let diag = (0..n).map(|i| xi_t[i * p..(i + 1) * p].iter().map(|&x| i64::from(x * x)).sum()).collect();
        let mut w = Vec::new();
        if form == FieldForm::Dense {
            w = vec![0i32; n * n];
            for pat in patterns.chunks_exact(n) {
                for (i, &a) in pat.iter().enumerate() {
                    if a != 0 {
                        let row = &mut w[i * n..(i + 1) * n];
                        for (wij, &b) in row.iter_mut().zip(pat) {
                            *wij += i32::from(a * b);
                        }
                    }
                }
            }
            for i in 0..n {
                w[i * n + i] = 0;
            }
        }
        let mut net = Self { n, p, xi_t, diag, form, w, h: Vec::new(), m: vec![0; p], sigma: vec![0; n], tie };
        net.set_state(&vec![1; n]);
        Ok(net)
    }

    pub fn neurons(&self) -> usize {
        self.n
    }

    pub fn patterns(&self) -> usize {
        self.p
    }

    pub fn form(&self) -> FieldForm {
        self.form
    }

    /// N·h_i = Σ_{j≠i} N·w_ij σ_j, exactly.
    pub fn scaled_field(&self, i: usize) -> i64 {
        match self.form {
            FieldForm::Dense => self.h[i],
            FieldForm::Factored => {
                let col = &self.xi_t[i * self.p..(i + 1) * self.p];
                let s: i64 = col.iter().zip(&self.m).map(|(&x, &m)| i64::from(x) * m).sum();
                s - self.diag[i] * i64::from(self.sigma[i])
            }
        }
    }

    /// The overlaps m_μ = ξ^μ · σ (integers; divide by N for the usual m_μ).
    pub fn overlaps(&self) -> &[i64] {
        &self.m
    }

    /// 2N·E = −Σ_i σ_i N·h_i, exactly (E = −½ σᵀWσ, no bias).
    pub fn scaled_energy(&self) -> i64 {
        match self.form {
            FieldForm::Dense => -(0..self.n).map(|i| i64::from(self.sigma[i]) * self.h[i]).sum::<i64>(),
            FieldForm::Factored => {
                let mm: i64 = self.m.iter().map(|m| m * m).sum();
                let dd: i64 = (0..self.n).map(|i| self.diag[i] * i64::from(self.sigma[i] * self.sigma[i])).sum();
                -(mm - dd)
            }
        }
    }

    /// Whether `state` is a fixed point: every component equals its decision (tie rule included).
    pub fn is_fixed_point(&mut self, state: &[i8]) -> bool {
        self.set_state(state);
        (0..self.n).all(|i| self.decide(i) == self.sigma[i])
    }
}

impl BinaryNet for Classical {
    fn state(&self) -> &[i8] {
        &self.sigma
    }

    fn decide(&self, i: usize) -> i8 {
        self.tie.decide(self.scaled_field(i), self.sigma[i])
    }

    fn set(&mut self, i: usize, value: i8) {
        let delta = i64::from(value) - i64::from(self.sigma[i]);
        if delta == 0 {
            return;
        }
        self.sigma[i] = value;
        let col = &self.xi_t[i * self.p..(i + 1) * self.p];
        for (m, &x) in self.m.iter_mut().zip(col) {
            *m += i64::from(x) * delta;
        }
        if self.form == FieldForm::Dense {
            // W is symmetric: column i is row i.
            let row = &self.w[i * self.n..(i + 1) * self.n];
            for (h, &w) in self.h.iter_mut().zip(row) {
                *h += i64::from(w) * delta;
            }
        }
    }

    fn set_state(&mut self, state: &[i8]) {
        self.sigma.clear();
        self.sigma.extend(state.iter().take(self.n).map(|&s| s.signum()));
        self.sigma.resize(self.n, 1);
        let p = self.p;
        self.m.iter_mut().for_each(|m| *m = 0);
        for (i, &s) in self.sigma.iter().enumerate() {
            if s != 0 {
                for (m, &x) in self.m.iter_mut().zip(&self.xi_t[i * p..(i + 1) * p]) {
                    *m += i64::from(x) * i64::from(s);
                }
            }
        }
        if self.form == FieldForm::Dense {
            let n = self.n;
            self.h = (0..n)
                .map(|i| {
                    self.w[i * n..(i + 1) * n].iter().zip(&self.sigma).map(|(&w, &s)| i64::from(w) * i64::from(s)).sum()
                })
                .collect();
        }
    }

    /// E = −½ σᵀWσ with W = (1/N) Σ ξξᵀ, zero diagonal.
    fn energy(&self) -> f64 {
        self.scaled_energy() as f64 / (2.0 * self.n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random(n: usize, p: usize, seed: u64) -> Vec<i8> {
        let mut rng = Rng::seed_from_u64(seed);
        (0..n * p).map(|_| if rng.coin() { 1 } else { -1 }).collect()
    }

    #[test]
    fn a_zero_filled_query_ends_in_a_pm1_state() {
        // Two orthogonal-ish patterns and a query that is 0 everywhere but one component: most
        // fields are exactly 0, which the keep rule used to leave at 0 for good.
        assert_eq!((TieRule::Keep.decide(0, 0), TieRule::Keep.decide(0, 1), TieRule::Keep.decide(0, -1)), (-1, 1, -1));
        assert_eq!((TieRule::Negative.decide(0, 0), TieRule::Negative.decide(0, 1)), (-1, -1));
        assert_eq!((TieRule::Keep.decide(3, 0), TieRule::Keep.decide(-3, 0)), (1, -1));
        let (n, p) = (64, 2);
        let pats = random(n, p, 5);
        for form in [FieldForm::Dense, FieldForm::Factored] {
            let mut net = Classical::new(&pats, n, p, TieRule::Keep, Some(form)).unwrap();
            let mut query = vec![0i8; n];
            query[0] = pats[0];
            net.set_state(&query);
            let (mut dynamics, mut rng) = (Dynamics::new(), Rng::seed_from_u64(1));
            for _ in 0..20 {
                if dynamics.async_sweep(&mut net, &mut rng) == 0 {
                    break;
                }
            }
            assert!(net.state().iter().all(|&s| s == 1 || s == -1), "{form:?}: {:?}", net.state());
            let end = net.state().to_vec();
            assert!(net.is_fixed_point(&end), "{form:?}");
        }
    }

    #[test]
    fn dense_and_factored_agree_exactly() {
        let (n, p) = (60, 9);
        let pats = random(n, p, 1);
        let mut a = Classical::new(&pats, n, p, TieRule::Keep, Some(FieldForm::Dense)).unwrap();
        let mut b = Classical::new(&pats, n, p, TieRule::Keep, Some(FieldForm::Factored)).unwrap();
        let start: Vec<i8> = random(n, 1, 2);
        a.set_state(&start);
        b.set_state(&start);
        let (mut da, mut db) = (Dynamics::new(), Dynamics::new());
        let (mut ra, mut rb) = (Rng::seed_from_u64(3), Rng::seed_from_u64(3));
        for _ in 0..5 {
            assert_eq!(da.async_sweep(&mut a, &mut ra), db.async_sweep(&mut b, &mut rb));
            assert_eq!(a.state(), b.state());
            assert_eq!(a.scaled_energy(), b.scaled_energy());
            for i in 0..n {
                assert_eq!(a.scaled_field(i), b.scaled_field(i));
            }
        }
    }

    #[test]
    fn one_pattern_is_retrieved_in_one_sync_step() {
        let n = 64;
        let pat = random(n, 1, 5);
        let mut net = Classical::new(&pat, n, 1, TieRule::Keep, None).unwrap();
        let mut q = pat.clone();
        for v in &mut q[40..] {
            *v = 1;
        }
        net.set_state(&q);
        let mut d = Dynamics::new();
        d.sync_step(&mut net);
        assert_eq!(net.state(), &pat[..]);
        assert_eq!(d.sync_step(&mut net), 0);
    }
}
