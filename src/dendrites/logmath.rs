//! Log-space arithmetic for the theory of sparse distributed representations: log-gamma,
//! log-binomials (integer and Γ-based), log-sum-exp, the Stirling remainder and the saddle-point
//! deviance that give binomial and hypergeometric terms to a few ulps at any size, and [`Prob`],
//! a probability kept in log space together with its complement.
//!
//! The binomial coefficients of Ahmad & Hawkins reach C(20000, 256) ≈ 10^700, beyond f64, so
//! everything is a logarithm. A log-binomial is never formed as a difference of three lnΓ values
//! of size ~10^7 (that loses ~10^-9 absolutely at n = 10^6); it is assembled from quantities that
//! are each accurate relatively: the Stirling remainder δ(k) = ln k! − (k + ½)ln k + k − ½ln 2π
//! (table for k ≤ 15, asymptotic series beyond, as in Loader, "Fast and accurate computation of
//! binomial probabilities", 2000) and `k·ln(n/k) − (n−k)·ln1p(−k/n)`.

/// ½·ln(2π).
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;
/// ln(2π).
const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// A probability kept in log space together with its complement: P = exp(ln_p), 1 − P = exp(ln_q).
///
/// Both logarithms are computed from whichever tail is the smaller, so a probability of
/// 10^-400 (ln_p ≈ −921) and one of 1 − 10^-20 (ln_q ≈ −46) are both exact to a few ulps.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Prob {
    pub ln_p: f64,
    pub ln_q: f64,
}

impl Prob {
    /// P = 0 exactly.
    pub fn zero() -> Self {
        Self { ln_p: f64::NEG_INFINITY, ln_q: 0.0 }
    }

    /// P = 1 exactly.
    pub fn one() -> Self {
        Self { ln_p: 0.0, ln_q: f64::NEG_INFINITY }
    }

    /// From ln P when P is the smaller side (P ≤ ½ or so): 1 − P by `ln1p`.
    pub fn from_ln_p(ln_p: f64) -> Self {
        if ln_p >= 0.0 {
            return Self::one();
        }
        Self { ln_p, ln_q: ln_one_minus_exp(ln_p) }
    }

    /// From ln(1 − P) when 1 − P is the smaller side.
    pub fn from_ln_q(ln_q: f64) -> Self {
        if ln_q >= 0.0 {
            return Self::zero();
        }
        Self { ln_p: ln_one_minus_exp(ln_q), ln_q }
    }

    /// From the logarithms of two non-negative masses in proportion P : 1 − P (e.g. the upper
    /// and lower tails of a distribution, each summed from its own end).
    pub fn from_masses(ln_upper: f64, ln_lower: f64) -> Self {
        if ln_upper == f64::NEG_INFINITY {
            return Self::zero();
        }
        if ln_lower == f64::NEG_INFINITY {
            return Self::one();
        }
        let total = log_sum_exp(&[ln_upper, ln_lower]);
        Self { ln_p: (ln_upper - total).min(0.0), ln_q: (ln_lower - total).min(0.0) }
    }

    /// P = exp(ln_p).
    pub fn value(self) -> f64 {
        self.ln_p.exp()
    }

    /// P as an f64, or None when P is not 0 but lies below f64's range (read it from
    /// [`Prob::log10`] then): never a false 0.
    pub fn representable(self) -> Option<f64> {
        let v = self.value();
        (v > 0.0 || self.ln_p == f64::NEG_INFINITY).then_some(v)
    }

    /// 1 − P as a probability (its logarithms swapped).
    pub fn flipped(self) -> Self {
        Self { ln_p: self.ln_q, ln_q: self.ln_p }
    }

    /// 1 − P = exp(ln_q), accurate when P ≈ 1.
    pub fn complement(self) -> f64 {
        self.ln_q.exp()
    }

    /// log10 P (−∞ for P = 0); finite far below the smallest f64.
    pub fn log10(self) -> f64 {
        self.ln_p / std::f64::consts::LN_10
    }

    /// `{"p": value, "log10_p": log10, "one_minus_p": complement, "log10_one_minus_p": …}`.
    /// A value that is not 0 but lies below f64's range is `null`, never a false 0: read it from
    /// its log10 (as is −∞, the log of an exact 0, since JSON has no infinities).
    pub fn json(self) -> serde_json::Value {
        let q = self.flipped();
        serde_json::json!({
            "p": self.representable(),
            "log10_p": finite_or_null(self.log10()),
            "one_minus_p": q.representable(),
            "log10_one_minus_p": finite_or_null(q.log10()),
        })
    }

    /// P for people: "3.989e-9" or "0.0473"; from its logarithm below f64's range
    /// ("10^-412.30"); as "1 − 2.000e-6" when four significant digits would round it to 1;
    /// "0 exactly" and "1 exactly" only when it is.
    pub fn text(self) -> String {
        if self.ln_p == f64::NEG_INFINITY {
            return "0 exactly".into();
        }
        if self.ln_q == f64::NEG_INFINITY {
            return "1 exactly".into();
        }
        if self.complement() < 5e-5 {
            return format!("1 − {}", self.flipped().text());
        }
        let v = self.value();
        if v == 0.0 {
            format!("10^{:.2}", self.log10())
        } else if v >= 1e-4 {
            format!("{}", (v * 1e4).round() / 1e4)
        } else {
            format!("{v:.3e}")
        }
    }
}

/// A finite number, or JSON `null` (JSON has no infinities).
pub fn finite_or_null(x: f64) -> serde_json::Value {
    if x.is_finite() {
        serde_json::json!(x)
    } else {
        serde_json::Value::Null
    }
}

/// ln(1 − e^x) for x ≤ 0, accurate over the whole range (Mächler, "Accurately computing
/// log(1 − exp(−|a|))", 2012: `ln(−expm1(x))` near 0, `ln1p(−exp(x))` below −ln 2).
pub fn ln_one_minus_exp(x: f64) -> f64 {
    if x > -std::f64::consts::LN_2 {
        (-x.exp_m1()).ln()
    } else {
        (-x.exp()).ln_1p()
    }
}

/// The Stirling remainder for integers, δ(k) = ln k! − (k + ½)ln k + k − ½ln 2π, for k = 1…15
/// (computed to 21 digits with mpmath); δ(0) is never used.
#[allow(clippy::excessive_precision)] // the digits are mpmath's, kept as printed
const STIRLING_REMAINDER: [f64; 16] = [
    0.0,
    0.081_061_466_795_327_258_22,
    0.041_340_695_955_409_294_09,
    0.027_677_925_684_998_339_15,
    0.020_790_672_103_765_093_11,
    0.016_644_691_189_821_192_16,
    0.013_876_128_823_070_747_999,
    0.011_896_709_945_891_770_095,
    0.010_411_265_261_972_096_498,
    0.009_255_462_182_712_732_917_7,
    0.008_330_563_433_362_871_256_5,
    0.007_573_675_487_951_840_795,
    0.006_942_840_107_209_529_865_7,
    0.006_408_994_188_004_207_068_4,
    0.005_951_370_112_758_847_735_6,
    0.005_554_733_551_962_801_371,
];

/// The asymptotic (Stirling) series of δ(x) = lnΓ(x + 1) − (x + ½)ln x + x − ½ln 2π, seven terms
/// B₂ₖ/(2k(2k−1)x^(2k−1)); the first omitted term is below 2·10^-18 for x ≥ 15.
fn stirling_series(x: f64) -> f64 {
    let x2 = 1.0 / (x * x);
    let tail = 1.0 / 1188.0 + x2 * (-691.0 / 360_360.0 + x2 * (1.0 / 156.0));
    (1.0 / 12.0 + x2 * (-1.0 / 360.0 + x2 * (1.0 / 1260.0 + x2 * (-1.0 / 1680.0 + x2 * tail)))) / x
}

/// δ(x) = lnΓ(x + 1) − (x + ½)ln x + x − ½ln 2π for real x > 0: the table at integers ≤ 15,
/// the series from 15 up, and below 15 the series at x + k minus the exact shift.
pub fn stirling_remainder(x: f64) -> f64 {
    if x >= 15.0 {
        return stirling_series(x);
    }
    if x.fract() == 0.0 && x >= 1.0 {
        return STIRLING_REMAINDER[x as usize];
    }
    // lnΓ(x+1) = lnΓ(y+1) − ln((x+1)(x+2)…y) with y = x + k ≥ 15.
    let k = (15.0 - x).ceil();
    let y = x + k;
    let mut product = 1.0;
    let mut z = x + 1.0;
    while z <= y + 0.5 {
        product *= z;
        z += 1.0;
    }
    let ln_gamma_x1 = (y + 0.5) * y.ln() - y + HALF_LN_2PI + stirling_series(y) - product.ln();
    ln_gamma_x1 - (x + 0.5) * x.ln() + x - HALF_LN_2PI
}

/// ln Γ(x) for x > 0 (NaN for x ≤ 0 or NaN), from the Stirling series with seven terms at
/// x ≥ 15 and an exact upward shift below; relative error a few ulps (tested against mpmath).
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x == 1.0 || x == 2.0 {
        return 0.0;
    }
    if x == f64::INFINITY {
        return f64::INFINITY;
    }
    // Γ(x) = Γ(x + 1)/x; the remainder is for Γ(x + 1).
    if x >= 16.0 {
        let z = x - 1.0;
        return (z + 0.5) * z.ln() - z + HALF_LN_2PI + stirling_series(z);
    }
    let k = (16.0 - x).ceil();
    let y = x + k;
    let mut product = 1.0;
    let mut z = x;
    while z < y - 0.5 {
        product *= z;
        z += 1.0;
    }
    let w = y - 1.0;
    (w + 0.5) * w.ln() - w + HALF_LN_2PI + stirling_series(w) - product.ln()
}

/// ln C(n, k), the number of k-subsets of n (the "number of distinct SDRs", capacity, of
/// 1601.00720 and 1503.07469). −∞ when k > n (the C = 0 convention of docs/dendrites.md, "Labels").
///
/// Computed as k·ln(n/k) − (n−k)·ln1p(−k/n) + ½ln(n/(2πk(n−k))) + δ(n) − δ(k) − δ(n−k) with the
/// Stirling remainder δ: every piece is accurate relatively, so ln C is good to a few ulps even
/// at n = 10^6, where lnΓ differences would lose nine digits.
pub fn ln_choose(n: u64, k: u64) -> f64 {
    if k > n {
        return f64::NEG_INFINITY;
    }
    let k = k.min(n - k);
    if k == 0 {
        return 0.0;
    }
    if k == 1 {
        return (n as f64).ln();
    }
    let (nf, kf) = (n as f64, k as f64);
    let rest = nf - kf;
    kf * (nf / kf).ln() - rest * (-kf / nf).ln_1p() + 0.5 * (nf / (kf * rest)).ln() - HALF_LN_2PI
        + stirling_remainder(nf)
        - stirling_remainder(kf)
        - stirling_remainder(rest)
}

/// ln C(x, y) = ln Γ(x+1) − ln Γ(y+1) − ln Γ(x−y+1) for real x, y: the gamma-function binomial
/// that sympy evaluates when `sdr_paper_unions.py` (`falseMatchDendritevsMPatterns`) puts the
/// non-integer expected union size into the false-match formula (E7 in docs/dendrites.md, "Labels").
///
/// Convention outside the range: C(x, y) = 0 (ln = −∞) when y < 0, y > x or x < 0 — the
/// C = 0 convention of docs/dendrites.md ("Labels"), not Γ's analytic continuation (which would
/// give finite, even negative, values for negative non-integer arguments). NaN arguments give NaN.
pub fn ln_choose_real(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if y < 0.0 || y > x || x < 0.0 {
        return f64::NEG_INFINITY;
    }
    let rest = x - y;
    if y == 0.0 || rest == 0.0 {
        return 0.0;
    }
    if y < 1.0 || rest < 1.0 {
        // Small arguments: the ½ln terms of the Stirling form would cancel; Γ directly.
        return ln_gamma(x + 1.0) - ln_gamma(y + 1.0) - ln_gamma(rest + 1.0);
    }
    y * (x / y).ln() - rest * (-y / x).ln_1p() + 0.5 * (x / (y * rest)).ln() - HALF_LN_2PI + stirling_remainder(x)
        - stirling_remainder(y)
        - stirling_remainder(rest)
}

/// ln Σ exp(tᵢ), shifted by the largest term; −∞ for no terms or all −∞, +∞ if any is +∞.
pub fn log_sum_exp(terms: &[f64]) -> f64 {
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max.is_infinite() {
        return max;
    }
    let sum: f64 = terms.iter().map(|t| (t - max).exp()).sum();
    max + sum.ln()
}

/// The saddle-point deviance D(x, μ) = x·ln(x/μ) + μ − x ≥ 0 of Loader (2000), by its series
/// when x ≈ μ so that it keeps relative accuracy.
fn deviance(x: f64, mu: f64) -> f64 {
    if x == 0.0 {
        return mu;
    }
    if (x - mu).abs() < 0.1 * (x + mu) {
        let v = (x - mu) / (x + mu);
        let mut sum = (x - mu) * v;
        let mut ej = 2.0 * x * v;
        let v2 = v * v;
        for j in 1..1000 {
            ej *= v2;
            let next = sum + ej / (2 * j + 1) as f64;
            if next == sum {
                return next;
            }
            sum = next;
        }
        return sum;
    }
    x * (x / mu).ln() + mu - x
}

/// ln of the binomial probability C(n,x)·p^x·q^(n−x) by Loader's saddle-point form; p and q are
/// used separately (they need not add to exactly 1; the hypergeometric below cancels them).
fn ln_binomial_pmf(x: f64, n: f64, p: f64, q: f64) -> f64 {
    if x == 0.0 {
        if n == 0.0 {
            return 0.0;
        }
        return if p < 0.1 { -deviance(n, n * q) - n * p } else { n * q.ln() };
    }
    if x == n {
        return if q < 0.1 { -deviance(n, n * p) - n * q } else { n * p.ln() };
    }
    let lc = stirling_remainder(n)
        - stirling_remainder(x)
        - stirling_remainder(n - x)
        - deviance(x, n * p)
        - deviance(n - x, n * q);
    let lf = LN_2PI + x.ln() + (-x / n).ln_1p();
    lc - 0.5 * lf
}

/// ln P(X = b) for X ~ Hypergeometric(population n, k marked, `draws` drawn), i.e.
/// ln[C(k,b)·C(n−k, draws−b)/C(n, draws)] (the overlap set of 1503.07469 over the number of
/// patterns); −∞ outside the support. As R's `dhyper`: three Loader binomial terms with
/// p = draws/n, each accurate relatively, so the term is good to ~10 ulps at n = 10^6.
pub fn ln_hypergeom_pmf(n: u64, k: u64, draws: u64, b: u64) -> f64 {
    if k > n || draws > n || b > k || b > draws || draws - b > n - k {
        return f64::NEG_INFINITY;
    }
    if draws == 0 || draws == n {
        return 0.0;
    }
    let nf = n as f64;
    let p = draws as f64 / nf;
    let q = (n - draws) as f64 / nf;
    ln_binomial_pmf(b as f64, k as f64, p, q) + ln_binomial_pmf((draws - b) as f64, (n - k) as f64, p, q)
        - ln_binomial_pmf(draws as f64, nf, p, q)
}

#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    fn close(x: f64, y: f64, rel: f64) -> bool {
        (x - y).abs() <= rel * y.abs().max(1e-300)
    }

    #[test]
    fn gamma_matches_mpmath() {
        // Reference values: mpmath.loggamma at 40 digits.
        for (x, want) in [
            (0.5, 0.572_364_942_924_700_087_07),
            (3.5, 1.200_973_602_347_074_224_8),
            (7.25, 7.052_185_450_738_539_444_9),
            (10.0, 12.801_827_480_081_469_611),
            (100.0, 359.134_205_369_575_398_78),
            (1e6, 12_815_504.569_147_611_66),
            (0.001, 6.907_178_885_383_853_661_7),
            (1e15, 33_538_776_394_910_668.91),
        ] {
            assert!(close(ln_gamma(x), want, 4e-15), "lnΓ({x}) = {} want {want}", ln_gamma(x));
        }
        assert_eq!(ln_gamma(1.0), 0.0);
        assert_eq!(ln_gamma(2.0), 0.0);
        assert!(ln_gamma(0.0).is_nan() && ln_gamma(-1.0).is_nan());
    }

    #[test]
    fn remainder_is_continuous_across_the_table() {
        for k in 1..=15 {
            let x = k as f64;
            let table = stirling_remainder(x);
            let shifted = stirling_remainder(x + 1e-9);
            assert!((table - shifted).abs() < 1e-9, "{k}: {table} {shifted}");
        }
        assert!((stirling_remainder(15.0) - stirling_series(15.0)).abs() < 1e-17);
    }

    #[test]
    fn log_sum_exp_edges() {
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        assert_eq!(log_sum_exp(&[f64::NEG_INFINITY, f64::NEG_INFINITY]), f64::NEG_INFINITY);
        assert!(close(log_sum_exp(&[-1000.0, -1000.0]), -1000.0 + 2f64.ln(), 1e-15));
        assert!(close(ln_one_minus_exp(-1e-20), (1e-20f64).ln(), 1e-15));
    }
}
