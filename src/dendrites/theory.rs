//! The exact theory of Ahmad & Hawkins, "How do neurons operate on sparse distributed
//! representations? A mathematical theory of sparsity, neurons and active dendrites"
//! (arXiv 1601.00720), and of "Properties of Sparse Distributed Representations and their
//! Application to Hierarchical Temporal Memory" (arXiv 1503.07469), in log space.
//!
//! Labels E1–E7 and F-… are this project's own, defined in docs/dendrites.md ("Labels"); the
//! arXiv equation numbers have not been checked against the PDFs, so the doc comments cite
//! sections by name and the official code (Numenta `htmresearch/projects/sdr_paper`) by file.
//!
//! Every probability is a hypergeometric tail. It is summed from the point of the tail nearest
//! the mode outwards, by the ratio recurrence term(b+1)/term(b) = (s−b)(a−b)/((b+1)(n−s−a+b+1)),
//! anchored (and re-anchored every 32 steps) on Loader's saddle-point form of the term
//! ([`super::logmath::ln_hypergeom_pmf`]), and stopped when the geometric bound on the rest is below
//! 10^-17 of the sum. The tail that does not hold the mode is the small one; its complement comes
//! from `ln1p`, and when it is not small both tails are summed and normalised, so P and 1 − P are
//! both accurate to ~10^-14 relative (tested against big integers at n up to 10^6).

use super::logmath::{ln_choose, ln_choose_real, ln_hypergeom_pmf, log_sum_exp, Prob};

/// The largest population size: f64 holds every integer up to 2^53, and counts here stay exact.
pub const MAX_N: u64 = 1_000_000_000_000_000;

/// The most terms a function lists or sums one by one (the overlap pmf, E7's Γ-binomial sum).
pub const MAX_TERMS: u64 = 10_000_000;

fn check_n(n: u64) -> Result<(), String> {
    if n > MAX_N {
        return Err(format!("n = {n} is larger than {MAX_N}, the largest population the theory computes"));
    }
    Ok(())
}

fn check_at_most(name: &str, value: u64, bound_name: &str, bound: u64) -> Result<(), String> {
    if value > bound {
        return Err(format!("{name} = {value} is larger than {bound_name} = {bound}"));
    }
    Ok(())
}

/// The support [lo, hi] of the overlap of a fixed k-set with a uniformly random `draws`-subset of n.
fn support(n: u64, k: u64, draws: u64) -> (u64, u64) {
    ((draws + k).saturating_sub(n), k.min(draws))
}

/// The mode ⌊(k+1)(draws+1)/(n+2)⌋ of the hypergeometric, clamped into the support.
fn mode(n: u64, k: u64, draws: u64) -> u64 {
    let (lo, hi) = support(n, k, draws);
    let m = ((k as u128 + 1) * (draws as u128 + 1) / (n as u128 + 2)) as u64;
    m.clamp(lo, hi)
}

/// ln Σ_{b=from}^{to} P(X = b), X ~ Hypergeom(n, k, draws), summed outwards from the point of
/// [from, to] nearest the mode (every term there is at most the first, so the relative sum
/// cannot overflow), stopped when the log-concave tail bound says the rest is negligible.
fn ln_range_sum(n: u64, k: u64, draws: u64, from: u64, to: u64) -> f64 {
    if from > to {
        return f64::NEG_INFINITY;
    }
    let start = mode(n, k, draws).clamp(from, to);
    let ln_start = ln_hypergeom_pmf(n, k, draws, start);
    let (nf, kf, df) = (n as f64, k as f64, draws as f64);
    let mut sum = 1.0;
    const RESYNC: u64 = 32;
    const NEGLIGIBLE: f64 = 1e-17;
    // Upwards: term(b+1)/term(b) = (k−b)(draws−b)/((b+1)(n−k−draws+b+1)).
    let mut term = 1.0;
    let mut b = start;
    while b < to {
        let bf = b as f64;
        let ratio = (kf - bf) * (df - bf) / ((bf + 1.0) * (nf - kf - df + bf + 1.0));
        b += 1;
        term = if (b - start).is_multiple_of(RESYNC) {
            (ln_hypergeom_pmf(n, k, draws, b) - ln_start).exp()
        } else {
            term * ratio
        };
        sum += term;
        let bf = b as f64;
        let next = (kf - bf) * (df - bf) / ((bf + 1.0) * (nf - kf - df + bf + 1.0));
        if next < 1.0 && term * next / (1.0 - next) <= NEGLIGIBLE * sum {
            break;
        }
    }
    // Downwards: term(b−1)/term(b) = b(n−k−draws+b)/((k−b+1)(draws−b+1)).
    let mut term = 1.0;
    let mut b = start;
    while b > from {
        let bf = b as f64;
        let ratio = bf * (nf - kf - df + bf) / ((kf - bf + 1.0) * (df - bf + 1.0));
        b -= 1;
        term = if (start - b).is_multiple_of(RESYNC) {
            (ln_hypergeom_pmf(n, k, draws, b) - ln_start).exp()
        } else {
            term * ratio
        };
        sum += term;
        let bf = b as f64;
        let next = bf * (nf - kf - df + bf) / ((kf - bf + 1.0) * (df - bf + 1.0));
        if next < 1.0 && term * next / (1.0 - next) <= NEGLIGIBLE * sum {
            break;
        }
    }
    ln_start + sum.ln()
}

/// P(X ≥ t) for X ~ Hypergeom(population n, k marked, `draws` drawn), with its complement.
/// Inputs must satisfy k ≤ n and draws ≤ n (the public functions check).
pub fn hypergeom_upper_tail(n: u64, k: u64, draws: u64, t: u64) -> Prob {
    let (lo, hi) = support(n, k, draws);
    if t <= lo {
        return Prob::one();
    }
    if t > hi {
        return Prob::zero();
    }
    let m = mode(n, k, draws);
    let half = -std::f64::consts::LN_2;
    if t > m {
        let ln_upper = ln_range_sum(n, k, draws, t, hi);
        if ln_upper <= half {
            return Prob::from_ln_p(ln_upper);
        }
        Prob::from_masses(ln_upper, ln_range_sum(n, k, draws, lo, t - 1))
    } else {
        let ln_lower = ln_range_sum(n, k, draws, lo, t - 1);
        if ln_lower <= half {
            return Prob::from_ln_q(ln_lower);
        }
        Prob::from_masses(ln_range_sum(n, k, draws, t, hi), ln_lower)
    }
}

/// E1, ln C(n, a): the number of distinct SDRs of a active cells out of n ("capacity" in
/// 1503.07469 and 1601.00720). Example: C(2048, 40) ≈ 2.372·10^84.
pub fn sdr_count_ln(n: u64, a: u64) -> Result<f64, String> {
    check_n(n)?;
    check_at_most("a", a, "n", n)?;
    Ok(ln_choose(n, a))
}

/// E2, ln|Ω_x(n,a,b)| = ln[C(|x|, b)·C(n − |x|, a − b)]: the number of a-of-n patterns that
/// overlap a fixed pattern of |x| = `x` cells in exactly b cells (the "overlap set" of 1503.07469;
/// C(w_x, b)·C(n − w_x, w − b) there). −∞ when b is outside the support.
pub fn overlap_set_ln(n: u64, x: u64, a: u64, b: u64) -> Result<f64, String> {
    check_n(n)?;
    check_at_most("x", x, "n", n)?;
    check_at_most("a", a, "n", n)?;
    if b > x || b > a {
        return Ok(f64::NEG_INFINITY);
    }
    Ok(ln_choose(x, b) + ln_choose(n - x, a - b))
}

/// The overlap distribution behind E3: P(overlap = b) of a segment's s synapses with a random
/// a-of-n pattern, |Ω|/C(n,a), for every b of the support max(0, a+s−n)…min(s, a).
pub fn overlap_pmf(n: u64, a: u64, s: u64) -> Result<Vec<(u64, Prob)>, String> {
    check_n(n)?;
    check_at_most("a", a, "n", n)?;
    check_at_most("s", s, "n", n)?;
    let (lo, hi) = support(n, s, a);
    if hi - lo >= MAX_TERMS {
        return Err(format!("s = {s} and a = {a} give {} overlap values, more than {MAX_TERMS} to list", hi - lo + 1));
    }
    Ok((lo..=hi).map(|b| (b, Prob::from_ln_p(ln_hypergeom_pmf(n, s, a, b).min(0.0)))).collect())
}

/// E3, the false-match probability of a dendritic segment (1601.00720; the notebook
/// `sdr_math_neuron_paper.ipynb`, "Equation for Neuron Paper"):
/// P_fm = Σ_{b=θ}^{min(s,a)} C(s,b)·C(n−s, a−b)/C(n,a), the chance that a uniformly random
/// pattern of a active cells out of n puts θ or more of them on a segment's s synapses. Exact
/// (the upper tail of a hypergeometric), not a bound. θ = 0 gives 1; θ > min(s, a) gives 0.
/// Subsampling (s < a) and union segments (s > a) are the same formula.
pub fn false_match(n: u64, a: u64, s: u64, theta: u64) -> Result<Prob, String> {
    check_n(n)?;
    check_at_most("a", a, "n", n)?;
    check_at_most("s", s, "n", n)?;
    Ok(hypergeom_upper_tail(n, s, a, theta))
}

/// E4: matching against a set of M stored patterns (1503.07469, "classifying a set of vectors";
/// also a neuron with M independent random segments, 1601.00720's neuron model).
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct SetMatch {
    /// 1 − (1 − P_fm)^M, exact for independent random stored patterns.
    pub exact: Prob,
    /// The paper's union bound M·P_fm (may exceed 1); the README's "formula" numbers.
    pub bound: f64,
    /// log10 of the bound, finite far below 10^-300.
    pub bound_log10: f64,
}

/// E4: the chance that a random pattern matches (overlap ≥ θ) any of M independent random
/// segments / stored patterns. 1503.07469 gives the upper bound M·P_fm (the `README.md` of
/// `sdr_paper` quotes it as "the formula"); the exact value 1 − (1 − P_fm)^M is what the
/// simulations in that README agree with (docs/dendrites.md, "Where the official material
/// errs", 5).
pub fn set_match(n: u64, a: u64, s: u64, theta: u64, m: u64) -> Result<SetMatch, String> {
    let p = false_match(n, a, s, theta)?;
    let mf = m as f64;
    let ln_none = mf * p.ln_q; // ln (1 − P)^M
    let exact = if m == 0 || p.ln_p == f64::NEG_INFINITY {
        Prob::zero()
    } else if ln_none > -1e-10 {
        // M·P < 1e-10: 1 − (1 − P)^M = M·P·(1 − (M − 1)·P/2 + O((M·P)²)), taken from ln P so
        // that a P far below f64's range keeps its size (ln(1 − P) would round to 0 there).
        Prob::from_ln_p(mf.ln() + p.ln_p + (-(mf - 1.0) * p.value() / 2.0).ln_1p())
    } else {
        Prob::from_ln_q(ln_none)
    };
    let bound_log10 = (m as f64).log10() + p.log10();
    Ok(SetMatch {
        exact,
        bound: m as f64 * p.value(),
        bound_log10: if m == 0 { f64::NEG_INFINITY } else { bound_log10 },
    })
}

/// E5, robustness to noise (false negative; 1601.00720, the notebook's "Impact of noise on false
/// negatives", `plot_noise_results.py`): a segment holds s synapses onto s of a learned pattern's
/// a cells; noise replaces v of the a active cells by inactive ones. The match fails when more
/// than s − θ synapses lose their input:
/// P_fn = Σ_{b=s−θ+1}^{s} C(s,b)·C(a−s, v−b)/C(a,v). n plays no part. P_fn = 0 exactly when
/// v ≤ s − θ or θ = 0; θ > s gives 1 (the segment can never reach θ).
///
/// The notebook prints 3.113e-16 for θ = 8, v = 26 (a = 128, s = 30); the exact value is
/// 3.142e-16 — sympy lost precision on the tiny sum (docs/dendrites.md, "Where the official
/// material errs", 3). The same file's θ = 8, v = 32 (2.2324e-12, 8·10^-8 off) and θ = 12,
/// v = 26 (4·10^-9 off) lost a little too.
pub fn false_negative(a: u64, s: u64, theta: u64, v: u64) -> Result<Prob, String> {
    check_n(a)?;
    check_at_most("s", s, "a", a)?;
    check_at_most("v", v, "a", a)?;
    Ok(hypergeom_upper_tail(a, s, v, (s + 1).saturating_sub(theta)))
}

/// n·(1 − (1 − x/n)^M) by `expm1`/`ln1p`: the expected number of distinct cells in the union of
/// M independent random x-subsets of n.
fn expected_union(n: u64, x: u64, m: u64) -> f64 {
    if n == 0 || m == 0 {
        return 0.0;
    }
    let nf = n as f64;
    -nf * (m as f64 * (-(x as f64) / nf).ln_1p()).exp_m1()
}

/// E6, S(M) = n·(1 − (1 − s/n)^M): the expected number of distinct synapses on a segment that
/// learned M patterns with s random synapses each (union property, `sdr_paper_unions.py`,
/// `numOnBits`, figure `union_number_synapses.png`).
pub fn union_synapses(n: u64, s: u64, m: u64) -> f64 {
    expected_union(n, s, m)
}

/// How [`union_segment`] turns the random union size into a probability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum UnionMethod {
    /// The mixture of E3 over the exact distribution of the union size ([`union_size_distribution`]).
    Exact,
    /// The official approximation of `sdr_paper_unions.py` (`falseMatchvsM`): E3 with s := S(M)
    /// rounded to the nearest integer (halves away from zero, as Python 2's `round`).
    Rounded,
}

/// The largest number of (state, overlap) pairs the exact union distribution may visit.
const MAX_UNION_WORK: u64 = 400_000_000;

/// The exact distribution of the size of the union of M independent uniformly random s-subsets
/// of n cells, as (size, probability) for sizes s…min(n, M·s) (M = 0: size 0). A Markov chain:
/// adding an s-subset to a union of u cells overlaps it in o ~ Hypergeom(n, u, s) cells and gives
/// u + s − o. Probabilities below ~10^-308 underflow to 0 and are dropped.
pub fn union_size_distribution(n: u64, s: u64, m: u64) -> Result<Vec<(u64, f64)>, String> {
    check_n(n)?;
    check_at_most("s", s, "n", n)?;
    if m == 0 || s == 0 {
        return Ok(vec![(0, 1.0)]);
    }
    let top = n.min(s.saturating_mul(m));
    let states = top - s + 1;
    let work = (states as u128) * (s as u128 + 1) * (m as u128 - 1);
    if work > MAX_UNION_WORK as u128 {
        return Err(format!(
            "m = {m} with s = {s} and n = {n} needs about {work} steps for the exact union distribution \
             (more than {MAX_UNION_WORK}); use the rounded method"
        ));
    }
    let mut dist = vec![0.0; states as usize];
    dist[0] = 1.0;
    let mut reach = s; // largest union size reachable so far
    for _ in 1..m {
        let mut next = vec![0.0; states as usize];
        for u in s..=reach {
            let pu = dist[(u - s) as usize];
            if pu == 0.0 {
                continue;
            }
            for (o, po) in hypergeom_pmf_linear(n, u, s) {
                next[(u - o) as usize] += pu * po;
            }
        }
        reach = top.min(reach + s);
        dist = next;
    }
    Ok(dist.into_iter().enumerate().filter(|&(_, p)| p > 0.0).map(|(i, p)| (s + i as u64, p)).collect())
}

/// The hypergeometric pmf over its support as plain numbers, from the mode by the ratio
/// recurrence and normalised to sum 1 (tiny far terms underflow to 0).
fn hypergeom_pmf_linear(n: u64, k: u64, draws: u64) -> Vec<(u64, f64)> {
    let (lo, hi) = support(n, k, draws);
    let m = mode(n, k, draws);
    let (nf, kf, df) = (n as f64, k as f64, draws as f64);
    let mut rel = vec![0.0; (hi - lo + 1) as usize];
    rel[(m - lo) as usize] = 1.0;
    let mut term = 1.0;
    for b in m..hi {
        let bf = b as f64;
        term *= (kf - bf) * (df - bf) / ((bf + 1.0) * (nf - kf - df + bf + 1.0));
        rel[(b + 1 - lo) as usize] = term;
    }
    let mut term = 1.0;
    for b in (lo + 1..=m).rev() {
        let bf = b as f64;
        term *= bf * (nf - kf - df + bf) / ((kf - bf + 1.0) * (df - bf + 1.0));
        rel[(b - 1 - lo) as usize] = term;
    }
    let total: f64 = rel.iter().sum();
    rel.into_iter().enumerate().filter(|&(_, p)| p > 0.0).map(|(i, p)| (lo + i as u64, p / total)).collect()
}

/// E6, the union property on the segment side (1601.00720; `sdr_paper_unions.py`,
/// `falseMatchvsM`, figure `union_effect_of_n.png`): a segment that learned M patterns with s
/// synapses each, tested against a random pattern of a active cells with threshold θ.
///
/// `Rounded` is the official method, E3 with s := round(S(M)) — an approximation: at n = 1000,
/// a = 200, s = 25, θ = 15, M = 2 it gives 0.0474 where the exact mixture and Monte Carlo give
/// 0.0508, and 2.36e-14 against 2.31e-14 at n = 10000 (docs/dendrites.md, "Where the official
/// material errs", 6). `Exact` mixes E3 over [`union_size_distribution`].
pub fn union_segment(n: u64, a: u64, s: u64, theta: u64, m: u64, method: UnionMethod) -> Result<Prob, String> {
    check_n(n)?;
    check_at_most("a", a, "n", n)?;
    check_at_most("s", s, "n", n)?;
    match method {
        UnionMethod::Rounded => {
            let synapses = union_synapses(n, s, m).round() as u64;
            false_match(n, a, synapses.min(n), theta)
        }
        UnionMethod::Exact => mixture_over_union(union_size_distribution(n, s, m)?, n, a, theta),
    }
}

/// E7 without the official approximation: the input is the union of M uniform random patterns
/// of a cells, whose size U has the law [`union_size_distribution`]`(n, a, M)`; a segment of s
/// random synapses false-matches with the hypergeometric tail P(overlap ≥ θ | U), so
/// P = Σ_U P(U)·E3(n, U, s, θ). This is what a simulation that draws real unions measures; the
/// official [`union_input`] puts the expected size A(M) in instead (at n = 8000, a = 30, s = 20,
/// θ = 10, M = 5 it gives 5.796e-13 against 5.809e-13 here, a difference the importance
/// sampler resolves). Errors where the exact distribution is too costly (see
/// [`union_size_distribution`]).
pub fn union_input_exact(n: u64, a: u64, s: u64, theta: u64, m: u64) -> Result<Prob, String> {
    check_n(n)?;
    check_at_most("a", a, "n", n)?;
    check_at_most("s", s, "n", n)?;
    mixture_over_union(union_size_distribution(n, a, m)?, n, s, theta)
}

/// Σ_U P(U)·P(overlap of `draws` random cells with U cells ≥ θ), in log space.
fn mixture_over_union(dist: Vec<(u64, f64)>, n: u64, draws: u64, theta: u64) -> Result<Prob, String> {
    let mut upper = Vec::with_capacity(dist.len());
    let mut lower = Vec::with_capacity(dist.len());
    for (size, p) in dist {
        let fm = hypergeom_upper_tail(n, size, draws, theta);
        upper.push(p.ln() + fm.ln_p);
        lower.push(p.ln() + fm.ln_q);
    }
    Ok(Prob::from_masses(log_sum_exp(&upper), log_sum_exp(&lower)))
}

/// E7, A(M) = n·(1 − (1 − a/n)^M): the expected number of active cells in the union of M random
/// patterns of a cells (union property, input side; 1503.07469's p0 = (1 − w/n)^M;
/// `sdr_paper_unions.py`, `numOnBits` with s := a). Not an integer.
pub fn union_input_size(n: u64, a: u64, m: u64) -> f64 {
    expected_union(n, a, m)
}

/// E7, the union property on the input side (`sdr_paper_unions.py`,
/// `falseMatchDendritevsMPatterns`): the input is the union of M patterns of a cells, about
/// A(M) active cells; a segment of s synapses and threshold θ false-matches with
/// Σ_{b=θ}^{s} C(s,b)·C(n−s, A−b)/C(n,A), with the gamma-function binomials
/// C(x,y) = Γ(x+1)/(Γ(y+1)Γ(x−y+1)) that sympy uses for the non-integer A
/// ([`super::logmath::ln_choose_real`]). Outside 0 ≤ y ≤ x a binomial is 0 (the C = 0
/// convention of docs/dendrites.md, "Labels", as a forum user needed once the union passed 50%
/// density), not Γ's continuation.
/// With a non-integer A the terms need not add to exactly 1, so P is clamped to ≤ 1 and
/// 1 − P is taken from P. θ = 0 gives 1; θ > s gives 0.
pub fn union_input(n: u64, a: u64, s: u64, theta: u64, m: u64) -> Result<Prob, String> {
    check_n(n)?;
    check_at_most("a", a, "n", n)?;
    check_at_most("s", s, "n", n)?;
    if theta == 0 {
        return Ok(Prob::one());
    }
    if theta > s {
        return Ok(Prob::zero());
    }
    if s - theta >= MAX_TERMS {
        return Err(format!("s = {s} with θ = {theta} needs more than {MAX_TERMS} Γ-binomial terms"));
    }
    let size = union_input_size(n, a, m);
    let ln_total = ln_choose_real(n as f64, size);
    let terms: Vec<f64> =
        (theta..=s).map(|b| ln_choose(s, b) + ln_choose_real((n - s) as f64, size - b as f64) - ln_total).collect();
    let ln_p = log_sum_exp(&terms);
    if ln_p.is_nan() {
        return Err(format!("the union size A({m}) = {size} gives no probability"));
    }
    Ok(Prob::from_ln_p(ln_p.min(0.0)))
}

/// The parameter grid of the NMDA-threshold prediction (F-θ).
#[derive(Clone, Debug)]
pub struct ThresholdGrid {
    pub ns: Vec<u64>,
    /// Fractions of n; a = round(sparsity·n), halves away from zero (Python 2's `round`).
    pub sparsities: Vec<f64>,
    pub ss: Vec<u64>,
    pub thetas: Vec<u64>,
}

impl ThresholdGrid {
    /// `compute_optimal_threshold.py`: n = 1000…21000 step 4000 (1000, 5000, 9000, 13000,
    /// 17000), sparsity 0.5%…3% step 0.5%, s = 20…50 step 5, θ = 3…24: 210 combinations per θ.
    /// (The script accumulates sparsity += 0.005, reaching 0.030000000000000002; every a it
    /// rounds to is the same as with 0.03.)
    pub fn official() -> Self {
        Self {
            ns: (1000..21000).step_by(4000).collect(),
            sparsities: vec![0.005, 0.01, 0.015, 0.02, 0.025, 0.03],
            ss: (20..=50).step_by(5).collect(),
            thetas: (3..=24).collect(),
        }
    }

    /// The (n, a, s) combinations of the grid, in the script's order.
    pub fn combos(&self) -> Vec<(u64, u64, u64)> {
        let mut out = Vec::with_capacity(self.ns.len() * self.sparsities.len() * self.ss.len());
        for &n in &self.ns {
            for &sparsity in &self.sparsities {
                for &s in &self.ss {
                    out.push((n, (sparsity * n as f64).round().max(0.0) as u64, s));
                }
            }
        }
        out
    }
}

/// One θ of the F-θ panel: the median, min and max of E3 over the grid.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ThresholdRow {
    pub theta: u64,
    pub median: f64,
    pub median_log10: f64,
    pub min: f64,
    pub max: f64,
    pub combos: usize,
}

/// F-θ, the NMDA-threshold prediction of 1601.00720 (`compute_optimal_threshold.py`, plotted by
/// `plot_optimal_threshold.py`): for each θ the median of E3 over the grid, with numpy's median
/// convention (the mean of the two middle values for an even count; taken in log space so it
/// stays finite far below 10^-300). The official medians (e.g. 0.017325533 at θ = 3, 1.35e-09 at
/// θ = 9, 2.07e-39 at θ = 24) are reproduced at their printed precision; the figure shades
/// median ≤ 10^-9, reached from θ = 10 on this grid.
pub fn threshold_median(grid: &ThresholdGrid) -> Result<Vec<ThresholdRow>, String> {
    let combos = grid.combos();
    if combos.is_empty() {
        return Err("the threshold grid is empty: give at least one n, sparsity and s".into());
    }
    if let Some(bad) = grid.sparsities.iter().find(|x| !(0.0..=1.0).contains(*x)) {
        return Err(format!("sparsity = {bad} is not a fraction between 0 and 1"));
    }
    let mut rows = Vec::with_capacity(grid.thetas.len());
    for &theta in &grid.thetas {
        let mut ln_values = Vec::with_capacity(combos.len());
        for &(n, a, s) in &combos {
            ln_values.push(false_match(n, a, s, theta)?.ln_p);
        }
        ln_values.sort_by(f64::total_cmp);
        let k = ln_values.len();
        let ln_median = if k % 2 == 1 {
            ln_values[k / 2]
        } else {
            log_sum_exp(&ln_values[k / 2 - 1..=k / 2]) - std::f64::consts::LN_2
        };
        rows.push(ThresholdRow {
            theta,
            median: ln_median.exp(),
            median_log10: ln_median / std::f64::consts::LN_10,
            min: ln_values[0].exp(),
            max: ln_values[k - 1].exp(),
            combos: k,
        });
    }
    Ok(rows)
}

/// ln of the probability of the exact match of two whole SDRs (1503.07469): 1/C(n, a), i.e. E3
/// with θ = s = a. Kept for the page's capacity readout.
pub fn exact_match_ln(n: u64, a: u64) -> Result<f64, String> {
    Ok(-sdr_count_ln(n, a)?)
}

/// The central 95 % range [lo, hi] of the hits among `trials` independent samples that each hit
/// with probability `p` (Binomial(trials, p)): the largest lo with P(X < lo) ≤ 2.5 % and the
/// smallest hi with P(X ≤ hi) ≥ 97.5 %, so P(lo ≤ X ≤ hi) ≥ 95 %. Exact: the pmf
/// C(N,k)·p^k·(1−p)^(N−k) is summed in log space over the mode ± 12 standard deviations (+ 12),
/// outside which the mass is far below 10⁻²⁰. The page shows it beside the running tally.
pub fn binomial_range(trials: u64, p: Prob) -> (u64, u64) {
    if trials == 0 || p.ln_p == f64::NEG_INFINITY {
        return (0, 0);
    }
    if p.ln_q == f64::NEG_INFINITY {
        return (trials, trials);
    }
    let (nf, pv) = (trials as f64, p.value());
    let mode = ((nf + 1.0) * pv).floor().min(nf) as u64;
    let width = (12.0 * (nf * pv * (1.0 - pv)).sqrt() + 12.0).ceil() as u64;
    let (from, to) = (mode.saturating_sub(width), (mode + width).min(trials));
    let ln_pmf = |k: u64| ln_choose(trials, k) + k as f64 * p.ln_p + (trials - k) as f64 * p.ln_q;
    let top = ln_pmf(mode);
    let weights: Vec<f64> = (from..=to).map(|k| (ln_pmf(k) - top).exp()).collect();
    let total: f64 = weights.iter().sum();
    let (mut lo, mut hi) = (from, to);
    let mut cumulative = 0.0;
    let mut lo_found = false;
    for (i, w) in weights.iter().enumerate() {
        cumulative += w / total;
        if !lo_found && cumulative > 0.025 {
            lo = from + i as u64;
            lo_found = true;
        }
        if cumulative >= 0.975 {
            hi = from + i as u64;
            break;
        }
    }
    (lo, hi)
}
