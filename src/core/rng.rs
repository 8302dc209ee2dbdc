//! The lab's one random generator: xoshiro256** seeded through SplitMix64.
//!
//! Both algorithms are fixed, published and platform-independent (Blackman & Vigna,
//! "Scrambled linear pseudorandom number generators", 2021; reference code at
//! prng.di.unimi.it), so a seed gives the same stream natively and in wasm. We do not use
//! `rand::StdRng`, whose algorithm may change between releases, nor anything that pulls
//! `getrandom` into the wasm.

/// SplitMix64 (Steele, Lea & Flood 2014): used to expand a 64-bit seed into the 256-bit
/// xoshiro state, and to derive independent per-run seeds.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// xoshiro256**: 256 bits of state, period 2^256 − 1, cheap enough for one call per tick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

/// The seed of stream `index` derived from a user's `seed`: the lab's one recipe for giving
/// each run, each simulated point and each test of a batch its own generator (SplitMix64 of the
/// seed mixed with the index), so work can be split in any way and give the same numbers.
pub fn stream_seed(seed: u64, index: u64) -> u64 {
    SplitMix64::new(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03)).next_u64()
}

impl Rng {
    /// The lab's way to turn a user-visible seed into a generator.
    pub fn seed_from_u64(seed: u64) -> Self {
        let mut sm = SplitMix64::new(seed);
        let s = [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()];
        Self::from_state(s)
    }

    /// An independent stream for item `index` of a batch seeded with `seed`: lets a batch be
    /// split across workers in any chunking and still give the same numbers.
    pub fn for_stream(seed: u64, index: u64) -> Self {
        Self::seed_from_u64(stream_seed(seed, index))
    }

    /// Raw state constructor (the all-zero state is invalid and is replaced by a fixed one).
    pub fn from_state(s: [u64; 4]) -> Self {
        if s == [0; 4] {
            return Self::seed_from_u64(0);
        }
        Self { s }
    }

    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform integer in `0..n` without modulo bias (Lemire 2019, "Fast random integer
    /// generation in an interval"). `n == 0` returns 0. Bounds below 2^32 use the 32-bit form
    /// on the top half of one output (wasm has no 64×64→128 multiply, so this is several times
    /// faster there); larger bounds use the 64-bit form.
    #[inline(always)]
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        if let Ok(n32) = u32::try_from(n) {
            return u64::from(self.below_u32(n32));
        }
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// [`Rng::below`] for a positive bound below 2^32: the same draws and the same bits, for
    /// hot loops that know their bound (no tests of its width or of 0 per draw). Unlike
    /// `below`, `n == 0` still uses one output (and returns 0).
    #[inline(always)]
    pub fn below_u32(&mut self, n: u32) -> u32 {
        debug_assert!(n > 0, "below_u32 needs a positive bound");
        let mut m = (self.next_u64() >> 32) * u64::from(n);
        if (m as u32) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u32) < threshold {
                m = (self.next_u64() >> 32) * u64::from(n);
            }
        }
        (m >> 32) as u32
    }

    /// Uniform index into a slice of length `n` (`n` must fit in memory, so `usize` is exact).
    #[inline]
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// A fair coin: the top bit (the best-mixed bit of xoshiro256**).
    #[inline]
    pub fn coin(&mut self) -> bool {
        self.next_u64() >> 63 == 1
    }

    /// Uniform in [0, 1) with 53 random bits. (Converted as a signed integer, the same value
    /// below 2⁵³: wasm's unsigned conversion costs V8 a test and a branch.)
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        ((self.next_u64() >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Failures before the first success of independent trials that succeed with probability
    /// `num/den` (0 < num ≤ den): Geometric on {0, 1, …}, by inversion,
    /// ⌊ln U / ln(1 − p)⌋ with U uniform in (0, 1], using [`portable_ln`] so the count is the
    /// same on every platform. Lets a simulation skip runs of idle activations in O(1).
    pub fn geometric(&mut self, num: u64, den: u64) -> u64 {
        if num >= den {
            return 0;
        }
        if num == 0 {
            return u64::MAX;
        }
        let q = (den - num) as f64 / den as f64;
        self.geometric_with_ln(portable_ln(q))
    }

    /// [`Rng::geometric`] with ln(1 − p) given (negative and finite): the same draw and the
    /// same bits, for callers that cache the logarithm (one [`portable_ln`] per draw instead
    /// of two).
    pub fn geometric_with_ln(&mut self, ln_q: f64) -> u64 {
        let u = ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64);
        let k = portable_ln(u) / ln_q;
        if k >= 1.8e19 {
            u64::MAX
        } else {
            k as u64
        }
    }

    /// Fisher–Yates shuffle (Durstenfeld's in-place form), from the last index down.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

/// Natural logarithm of a positive finite `x` from IEEE-754 basic operations only (+, −, ×, ÷,
/// exact bit manipulation), so it gives the same bits on every platform; `f64::ln` calls the
/// platform's libm, whose last bit may differ between native and wasm. Accurate to a few ulp.
pub fn portable_ln(x: f64) -> f64 {
    const LN2: f64 = std::f64::consts::LN_2;
    const SQRT2: f64 = std::f64::consts::SQRT_2;
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x.is_infinite() {
        return x;
    }
    let (mut m, mut e) = {
        let bits = x.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as i64;
        if exponent == 0 {
            // Subnormal: scale into the normal range first.
            let scaled = x * (1u64 << 54) as f64;
            let b = scaled.to_bits();
            (
                f64::from_bits((b & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000),
                ((b >> 52) & 0x7ff) as i64 - 1023 - 54,
            )
        } else {
            (f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000), exponent - 1023)
        }
    };
    if m > SQRT2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2·atanh(t), t = (m − 1)/(m + 1), |t| ≤ 0.1716: the series converges fast.
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    // 1/(2k+1) as literals: multiplications, not divisions, and the same bits everywhere.
    const INV_ODD: [f64; 14] = [
        1.0,
        1.0 / 3.0,
        1.0 / 5.0,
        1.0 / 7.0,
        1.0 / 9.0,
        1.0 / 11.0,
        1.0 / 13.0,
        1.0 / 15.0,
        1.0 / 17.0,
        1.0 / 19.0,
        1.0 / 21.0,
        1.0 / 23.0,
        1.0 / 25.0,
        1.0 / 27.0,
    ];
    let mut term = t;
    let mut sum = 0.0;
    for inv in INV_ODD {
        sum += term * inv;
        term *= t2;
    }
    2.0 * sum + e as f64 * LN2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_reference_vectors() {
        // Reference outputs of splitmix64.c for seed 0.
        let mut sm = SplitMix64::new(0);
        assert_eq!(sm.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(sm.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(sm.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn xoshiro256starstar_first_output_from_known_state() {
        // With s = {1, 2, 3, 4}: result = rotl(2·5, 7)·9 = 11520; the next state then gives 0.
        let mut rng = Rng::from_state([1, 2, 3, 4]);
        assert_eq!(rng.next_u64(), 11520);
        assert_eq!(rng.next_u64(), 0);
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = Rng::seed_from_u64(7);
        let mut counts = [0u32; 6];
        let draws = 60_000;
        for _ in 0..draws {
            counts[rng.below(6) as usize] += 1;
        }
        // Each count is Binomial(60000, 1/6): mean 10000, sd ≈ 91.3; allow 5 sd.
        for c in counts {
            assert!((f64::from(c) - 10_000.0).abs() < 5.0 * 91.3, "{counts:?}");
        }
    }

    #[test]
    fn shuffle_is_a_permutation_and_reproducible() {
        let mut a: Vec<u32> = (0..100).collect();
        let mut b = a.clone();
        Rng::seed_from_u64(3).shuffle(&mut a);
        Rng::seed_from_u64(3).shuffle(&mut b);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        assert_ne!(a, sorted);
    }

    #[test]
    fn portable_ln_is_accurate() {
        let mut rng = Rng::seed_from_u64(4);
        for _ in 0..10_000 {
            let x = f64::from_bits(rng.next_u64() >> 2).abs();
            if x.is_finite() && x > 0.0 {
                let (a, b) = (portable_ln(x), x.ln());
                assert!((a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1.0), "{x}: {a} vs {b}");
            }
        }
        assert_eq!(portable_ln(1.0), 0.0);
    }

    #[test]
    fn geometric_has_the_right_mean() {
        // Failures before success with p = 1/50: mean (1 − p)/p = 49, SD √(1 − p)/p ≈ 49.5;
        // 20,000 draws give a standard error of 0.35; allow 4.
        let mut rng = Rng::seed_from_u64(6);
        let n = 20_000;
        let mean = (0..n).map(|_| rng.geometric(1, 50) as f64).sum::<f64>() / n as f64;
        assert!((mean - 49.0).abs() < 4.0 * 0.35, "{mean}");
        assert_eq!(rng.geometric(5, 5), 0);
    }

    #[test]
    fn streams_differ() {
        let a = Rng::for_stream(1, 0).next_u64();
        let b = Rng::for_stream(1, 1).next_u64();
        assert_ne!(a, b);
    }
}
