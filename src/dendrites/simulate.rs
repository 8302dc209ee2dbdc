//! Bit-level Monte Carlo of the sparse-dendrite theory, as the official C++ simulator does it,
//! and a sequential importance sampler for false-match probabilities far below 1/N.
//!
//! **What matches the official code** (Numenta `htmresearch`, `projects/sdr_paper`;
//! docs/dendrites.md, "How the official code simulates"):
//! - Every SDR is a uniform random subset of the cells, and every overlap is counted cell by
//!   cell against a bitset of the other SDR (the C++ `matchSparse`/`numMatches` count the ON
//!   bits shared with the stored rows). Nothing is drawn from the hypergeometric law: that law
//!   is the theory under test (`theory`), not the simulation.
//! - The false-match test (`classificationFalseMatchTrial` in `sdr_calculations2.cpp`) draws
//!   the segment as `s` random cells of `n` (`createRandomSDRs` with `w_p` bits; no stored
//!   pattern), then `k = 500` test vectors of `a` random cells against it
//!   ([`VECTORS_PER_SEGMENT`]); P = hits / (number of test vectors). With one segment we keep
//!   the 500-per-block structure but hold the *larger* of the two sets fixed and draw the smaller
//!   one per trial (the overlap's law is symmetric in a and s, so the counts have exactly the
//!   official law; see `Simulation::false_match_one`).
//! - The false-negative test (`classificationFalseNegativeTrial`) stores one pattern of `a`
//!   cells, makes the segment a random `s`-subsample of it, and then applies noise 500 times to
//!   the stored pattern: `addNoise` in `sdr_utilities.cpp` keeps `a − v` random original bits
//!   and adds `v` random bits from the `n − a` inactive cells (its `addOptions` list). An older
//!   revision of `addNoise` split the `v` changes at random between additions and removals;
//!   the one behind the published figures, and ours, does not.
//! - The 95 % interval is Wilson's score interval, not the C++ `estimateBounds`
//!   (p ± 1.96·√(p(1−p)/N), Wald's): with a few hits Wald's interval covers the true value far
//!   less often than 95 % (81 % at 3 expected hits; Brown, Cai & DasGupta, Statist. Sci. 16,
//!   2001), Wilson's stays near it. The standard error `se` is still √(p(1−p)/N), as the C++
//!   prints it. (The C++ false-negative driver passes the number of trials, not trials × k, to
//!   `estimateBounds`, which makes its printed intervals √500 times too wide; we use N = number of
//!   test vectors.) With no hits the interval is the rule of three, [0, 3/N].
//!
//! **Known differences.**
//! - The generator: the C++ uses nupic's `Random(42)`; we use the lab's xoshiro256**
//!   ([`Rng`]) seeded by the user, so the numbers agree in distribution, not draw for draw.
//! - The subset sampler: the C++ `sample` is selection sampling (walk the population, keep
//!   each item with probability still-needed/still-left, O(n)); we use Floyd's algorithm
//!   ([`sample_subset`], O(k)). Both give every k-subset the same probability.
//! - With several segments (E4, `segments > 1`) and for union segments (E6) we draw fresh
//!   segments for every test vector, where the C++ keeps its M stored patterns for 500 test
//!   vectors: see [`McKind::vectors_per_draw`] for why.
//! - The C++ tallies every θ from 1 to s at once; we count one θ per run.
//! - For E3 and E4 a test vector (or segment) stops being drawn once its outcome is decided
//!   (θ reached, or out of reach of the draws left): the cells already drawn are never removed,
//!   so the outcome is the one the full draw would give, at about 3/4 of the cost.

use crate::core::rng::Rng;

/// The largest population the simulator accepts (2^20 cells; its bitset is 128 KiB).
pub const MAX_CELLS: u64 = 1 << 20;
/// Test vectors drawn against one draw of the segment: the C++ `k = 500` ("number of patterns
/// to test for each trial rather than doing just a single sample per trial - this is purely to
/// speed things up", `sdr_calculations2.cpp`, `main`).
pub const VECTORS_PER_SEGMENT: u64 = 500;
/// The most segments of a neuron (E4) or patterns in a union (E6, E7).
pub const MAX_SEGMENTS: u64 = 100_000;
/// The most cells drawn for one test vector (segments × s, M × s or M × a): bounds the work
/// of one trial, so a chunk of trials returns in predictable time.
pub const MAX_DRAWS_PER_TRIAL: u64 = 10_000_000;
/// The 95 % two-sided normal quantile used by the C++ `estimateBounds`.
const Z95: f64 = 1.96;

/// What one Monte Carlo sample tests (docs/dendrites.md, "How the official code simulates").
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum McKind {
    /// E3/E4: K random segments of s cells (K = 1 is E3); a test vector of a random cells; hit if
    /// any segment has overlap ≥ θ.
    FalseMatch { n: u64, a: u64, s: u64, theta: u64, segments: u64 },
    /// E5: a stored pattern of a cells, a segment of s of them; noise replaces v active cells by v
    /// inactive ones; hit (false negative) if overlap < θ.
    FalseNegative { n: u64, a: u64, s: u64, theta: u64, v: u64 },
    /// E6: one segment holds the union of M random s-subsets; a random test vector; hit if
    /// overlap ≥ θ.
    UnionSegment { n: u64, a: u64, s: u64, theta: u64, m: u64 },
    /// E7: the input is the union of M random a-patterns; a segment of s random cells; hit if
    /// overlap ≥ θ.
    UnionInput { n: u64, a: u64, s: u64, theta: u64, m: u64 },
}

impl McKind {
    /// Checks the parameters; the error is a sentence that names the parameter. θ > s (or θ > a)
    /// is allowed: such a segment never fires, and the estimate is 0.
    pub fn validate(&self) -> Result<(), String> {
        let (n, a, s) = self.nas();
        if n == 0 || n > MAX_CELLS {
            return Err(format!("n = {n} cells is outside 1..={MAX_CELLS}."));
        }
        if a > n {
            return Err(format!("a = {a} active cells is more than n = {n} cells."));
        }
        if s > n {
            return Err(format!("s = {s} synapses is more than n = {n} cells."));
        }
        let count = |name: &str, value: u64| -> Result<(), String> {
            if value == 0 || value > MAX_SEGMENTS {
                Err(format!("{name} = {value} is outside 1..={MAX_SEGMENTS}."))
            } else {
                Ok(())
            }
        };
        let draws = |what: &str, value: u64| -> Result<(), String> {
            if value > MAX_DRAWS_PER_TRIAL {
                Err(format!(
                    "{what} = {value} cells to draw per test vector is more than {MAX_DRAWS_PER_TRIAL}; \
                     one trial would take too long."
                ))
            } else {
                Ok(())
            }
        };
        match *self {
            McKind::FalseMatch { segments, .. } => {
                count("segments", segments)?;
                draws("segments × s", segments * s)
            }
            McKind::FalseNegative { v, .. } => {
                if s > a {
                    return Err(format!(
                        "s = {s} synapses is more than a = {a}: the segment samples the active cells of one \
                         stored pattern."
                    ));
                }
                if v > a {
                    return Err(format!("v = {v} noise bits is more than a = {a} active cells."));
                }
                if v > n - a {
                    return Err(format!("v = {v} noise bits is more than the n − a = {} inactive cells.", n - a));
                }
                Ok(())
            }
            McKind::UnionSegment { m, .. } => {
                count("m", m)?;
                draws("m × s", m * s)
            }
            McKind::UnionInput { m, .. } => {
                count("m", m)?;
                draws("m × a", m * a)
            }
        }
    }

    /// (n, a, s) of any kind.
    pub fn nas(&self) -> (u64, u64, u64) {
        match *self {
            McKind::FalseMatch { n, a, s, .. }
            | McKind::FalseNegative { n, a, s, .. }
            | McKind::UnionSegment { n, a, s, .. }
            | McKind::UnionInput { n, a, s, .. } => (n, a, s),
        }
    }

    /// The threshold θ of any kind.
    pub fn theta(&self) -> u64 {
        match *self {
            McKind::FalseMatch { theta, .. }
            | McKind::FalseNegative { theta, .. }
            | McKind::UnionSegment { theta, .. }
            | McKind::UnionInput { theta, .. } => theta,
        }
    }

    /// How many test vectors share one draw of the segment(s) (and, for E5, of the stored
    /// pattern).
    ///
    /// The C++ draws its segments once per trial and tests 500 vectors against them. Given the
    /// segment, the 500 outcomes are independent, and for one segment of s cells (E3), for the
    /// false-negative test (E5) and for the input-union test (E7) the probability of a hit is
    /// the *same for every segment* by symmetry (relabelling the cells maps any segment onto any
    /// other and leaves the test vectors' law unchanged). So the conditional law of the 500
    /// outcomes does not depend on the segment, and the hits are exactly i.i.d. Bernoulli(P):
    /// the binomial standard error is exact, and we keep the official structure (it saves the
    /// segment draws). With K > 1 segments (E4) or a union segment (E6) the hit probability
    /// depends on how the segments overlap (on the union's size), so vectors sharing segments
    /// are positively correlated and the binomial SE would be too small; for those kinds we draw
    /// fresh segments for every test vector (1), which keeps the trials i.i.d. at a cost of
    /// K·s (or M·s) more draws per vector. The mean is the same either way.
    pub fn vectors_per_draw(&self) -> u64 {
        match *self {
            McKind::FalseMatch { segments: 1, .. } | McKind::FalseNegative { .. } | McKind::UnionInput { .. } => {
                VECTORS_PER_SEGMENT
            }
            McKind::FalseMatch { .. } | McKind::UnionSegment { .. } => 1,
        }
    }
}

/// A set of cells `0..len` as bits in `u64` words: membership in O(1), overlap by popcount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitset {
    words: Vec<u64>,
    len: u32,
}

impl Bitset {
    /// An empty set over `len` cells.
    pub fn new(len: u32) -> Self {
        Self { words: vec![0; (len as usize).div_ceil(64)], len }
    }

    /// The number of cells it ranges over (not the number of members).
    pub fn len(&self) -> u32 {
        self.len
    }

    /// True when it ranges over no cells.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds cell `i` (`i < len`).
    #[inline]
    pub fn set(&mut self, i: u32) {
        self.words[(i >> 6) as usize] |= 1 << (i & 63);
    }

    /// Removes cell `i`.
    #[inline]
    pub fn clear(&mut self, i: u32) {
        self.words[(i >> 6) as usize] &= !(1 << (i & 63));
    }

    /// Whether cell `i` is a member.
    #[inline]
    pub fn contains(&self, i: u32) -> bool {
        (self.words[(i >> 6) as usize] >> (i & 63)) & 1 == 1
    }

    /// Removes every member.
    pub fn clear_all(&mut self) {
        self.words.fill(0);
    }

    /// The number of members.
    pub fn count(&self) -> u32 {
        self.words.iter().map(|w| w.count_ones()).sum()
    }

    /// The overlap |self ∩ other| by popcount (the sets should range over the same cells; extra
    /// words of the longer one are ignored).
    pub fn count_and(&self, other: &Bitset) -> u32 {
        self.words.iter().zip(&other.words).map(|(x, y)| (x & y).count_ones()).sum()
    }

    /// The members in increasing order.
    pub fn members(&self) -> Vec<u32> {
        (0..self.len).filter(|&i| self.contains(i)).collect()
    }
}

/// Membership table for Floyd's algorithm: one generation stamp per cell, so starting a new
/// subset costs O(1) instead of clearing the table. After a draw, [`SubsetScratch::contains`]
/// tells whether a cell is in the subset just drawn (until the next draw).
#[derive(Clone, Debug, Default)]
pub struct SubsetScratch {
    stamps: Vec<u32>,
    generation: u32,
}

impl SubsetScratch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts an empty set over `0..n`.
    #[inline]
    pub fn begin(&mut self, n: u32) {
        if self.stamps.len() < n as usize {
            self.stamps.resize(n as usize, 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamps.fill(0);
            self.generation = 1;
        }
    }

    /// Adds `x`; false if it was already there.
    #[inline]
    pub fn insert(&mut self, x: u32) -> bool {
        let stamp = &mut self.stamps[x as usize];
        if *stamp == self.generation {
            false
        } else {
            *stamp = self.generation;
            true
        }
    }

    /// Whether `x` is in the current set.
    #[inline]
    pub fn contains(&self, x: u32) -> bool {
        self.stamps.get(x as usize) == Some(&self.generation)
    }
}

/// Uniform in `0..bound` (1 ≤ bound < 2^32) from the 32-bit word `word` by Lemire's
/// multiply-shift with rejection ("Fast random integer generation in an interval", 2019), the
/// rule [`Rng::below`] uses: integers only. A rejected word (probability < bound/2^32) is replaced
/// by the top half of a fresh output, so with `word` = the top half of one output this is exactly
/// `rng.below(bound)`.
#[inline(always)]
fn lemire32(rng: &mut Rng, word: u32, bound: u32) -> u32 {
    let mut m = u64::from(word) * u64::from(bound);
    if (m as u32) < bound {
        let threshold = bound.wrapping_neg() % bound;
        while (m as u32) < threshold {
            m = (rng.next_u64() >> 32) * u64::from(bound);
        }
    }
    (m >> 32) as u32
}

/// Floyd's algorithm (Bentley & Floyd, "Programming pearls: a sample of brilliance", CACM
/// 1987): for j = n−k … n−1 draw t uniform in 0..=j and add t, or j if t is already in. Every
/// k-subset comes out with probability 1/C(n,k), after exactly k bounded draws (integer
/// rejection sampling, [`lemire32`]; no floats). Each xoshiro256** output feeds two draws, its
/// top and then its bottom 32 bits (all 64 bits of xoshiro256** are full quality; the paired
/// draws halve the generator's cost, which dominates the simulation).
///
/// Calls `visit` once per member, in draw order, with the number of members still to come; when
/// it returns false the draw stops there (the caller has what it needs: the members drawn so far
/// are a prefix of a uniform k-subset's draw, never removed later). `k` is clamped to `n`.
#[inline(always)]
fn floyd(rng: &mut Rng, n: u32, k: u32, scratch: &mut SubsetScratch, mut visit: impl FnMut(u32, u32) -> bool) {
    let k = k.min(n);
    scratch.begin(n);
    // Locals, so the table and its generation stay in registers through the loop.
    let generation = scratch.generation;
    let stamps = &mut scratch.stamps[..n as usize];
    let mut j = n - k;
    while j < n {
        let word = rng.next_u64();
        let t = lemire32(rng, (word >> 32) as u32, j + 1);
        let chosen = if stamps[t as usize] != generation { t } else { j };
        stamps[chosen as usize] = generation;
        j += 1;
        if !visit(chosen, n - j) || j == n {
            return;
        }
        let t = lemire32(rng, word as u32, j + 1);
        let chosen = if stamps[t as usize] != generation { t } else { j };
        stamps[chosen as usize] = generation;
        j += 1;
        if !visit(chosen, n - j) {
            return;
        }
    }
}

/// One step of Floyd's algorithm in the E3 loop of [`Simulation::false_match_one`], where the
/// fixed set F (bitset `words`) avoids the default cells j ∈ n − k..n: t uniform in 0..=j from
/// the 32-bit `word` ([`lemire32`]); true when t is in F and was not drawn before in this trial
/// (`drawn` holds `generation` for the members of F drawn so far). Otherwise Floyd's member is t
/// (not in F) or j (never in F): a miss either way, and the table is not touched.
#[inline(always)]
fn draw_into_fixed(rng: &mut Rng, word: u32, j: u32, words: &[u64], drawn: &mut [u32], generation: u32) -> bool {
    let t = lemire32(rng, word, j + 1);
    if (words[(t >> 6) as usize] >> (t & 63)) & 1 == 0 {
        return false;
    }
    let fresh = drawn[t as usize] != generation;
    drawn[t as usize] = generation;
    fresh
}

/// Uniform random k-subset of 0..n by Floyd's algorithm (O(k) draws), membership tested with a
/// generation-stamped table; integer rejection sampling only (Lemire's rule, as [`Rng::below`],
/// on both halves of each output: see `floyd`), no floats.
/// `out` is cleared and receives the k members (not sorted). `k > n` is clamped to `n`.
pub fn sample_subset(rng: &mut Rng, n: u32, k: u32, scratch: &mut SubsetScratch, out: &mut Vec<u32>) {
    out.clear();
    floyd(rng, n, k, scratch, |c, _| {
        out.push(c);
        true
    });
}

/// A probability estimated by Monte Carlo.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct McEstimate {
    /// Test vectors (plain) or samples (importance).
    pub trials: u64,
    /// Test vectors that hit (for the importance sampler: samples that hit, unweighted).
    pub hits: u64,
    /// Plain: hits/trials. Importance: the weighted mean.
    pub p: f64,
    /// Plain: √(p(1−p)/N). Importance: the standard error of the weighted mean.
    pub se: f64,
    /// 95 %: Wilson's score interval (plain runs; [`McEstimate::binomial`]) or p ± 1.96·se
    /// clipped to [0, 1] (the importance sampler); a plain run with no hits gives [0, 3/N].
    pub ci_low: f64,
    pub ci_high: f64,
    /// Some(3/N) (the "rule of three" one-sided 95 % bound) when a plain run sees zero hits.
    pub upper_bound: Option<f64>,
    /// log10 of p (−∞, shown as null in JSON, when p = 0); exact beyond f64's range for the
    /// importance sampler.
    pub log10_p: f64,
}

impl McEstimate {
    /// The binomial estimate of `hits` out of `trials` i.i.d. Bernoulli trials: p = hits/N,
    /// se = √(p(1−p)/N) (the C++ `estimateBounds`), and Wilson's 95 % score interval
    /// (p + z²/2N ± z·√(p(1−p)/N + z²/4N²)) / (1 + z²/N) with z = 1.96; with no hits, the rule of
    /// three [0, 3/N]. With no trials at all: p = 0 and the uninformative interval [0, 1].
    pub fn binomial(trials: u64, hits: u64) -> Self {
        if trials == 0 {
            return Self {
                trials,
                hits,
                p: 0.0,
                se: 0.0,
                ci_low: 0.0,
                ci_high: 1.0,
                upper_bound: None,
                log10_p: f64::NEG_INFINITY,
            };
        }
        let n = trials as f64;
        let p = hits as f64 / n;
        let se = (p * (1.0 - p) / n).sqrt();
        if hits == 0 {
            let bound = (3.0 / n).min(1.0);
            return Self {
                trials,
                hits,
                p,
                se,
                ci_low: 0.0,
                ci_high: bound,
                upper_bound: Some(bound),
                log10_p: f64::NEG_INFINITY,
            };
        }
        let (ci_low, ci_high) = wilson_interval(p, n);
        Self { trials, hits, p, se, ci_low, ci_high, upper_bound: None, log10_p: p.log10() }
    }
}

/// Wilson's 95 % score interval for a binomial proportion `p` observed over `n` trials
/// (Wilson, JASA 22, 1927), clipped to [0, 1].
pub fn wilson_interval(p: f64, n: f64) -> (f64, f64) {
    let z2 = Z95 * Z95;
    let scale = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / scale;
    let half = Z95 / scale * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// A resumable seeded run: the worker calls `run(chunk)` repeatedly and reports progress; the
/// result does not depend on how the trials are chunked (the draw structure is kept across
/// calls). One trial is one test vector.
pub struct Simulation {
    kind: McKind,
    rng: Rng,
    trials: u64,
    hits: u64,
    /// Test vectors left before the segment (and stored pattern) is drawn again.
    left_in_draw: u64,
    /// The segment's synapses (E5, E7); for E3 the larger of the segment and the test vector
    /// (see [`Self::false_match_one`]).
    segment: Bitset,
    /// The stored pattern's cells (E5).
    pattern: Vec<u32>,
    /// The cells outside the stored pattern (E5): the C++ `addOptions`.
    inactive: Vec<u32>,
    /// Floyd's membership table for the subset being drawn.
    floyd: SubsetScratch,
    /// The test vector (E4, E6), drawn by Floyd into its own table and kept while segments are
    /// drawn against it.
    test: SubsetScratch,
    /// The cells already counted in a union (E6, E7).
    union: SubsetScratch,
}

impl Simulation {
    /// A run of `kind` with the lab's generator seeded by `seed`.
    pub fn new(kind: McKind, seed: u64) -> Result<Self, String> {
        kind.validate()?;
        let (n, _, _) = kind.nas();
        Ok(Self {
            kind,
            rng: Rng::seed_from_u64(seed),
            trials: 0,
            hits: 0,
            left_in_draw: 0,
            segment: Bitset::new(n as u32),
            pattern: Vec::new(),
            inactive: Vec::new(),
            floyd: SubsetScratch::new(),
            test: SubsetScratch::new(),
            union: SubsetScratch::new(),
        })
    }

    pub fn kind(&self) -> McKind {
        self.kind
    }

    /// Runs `trials` more test vectors (0 does nothing).
    pub fn run(&mut self, trials: u64) {
        let theta = self.kind.theta().min(u64::from(u32::MAX)) as u32;
        let mut done = 0;
        while done < trials {
            if self.left_in_draw == 0 {
                self.draw_segments();
                self.left_in_draw = self.kind.vectors_per_draw();
            }
            let batch = self.left_in_draw.min(trials - done);
            let hits = match self.kind {
                McKind::FalseMatch { n, a, s, segments: 1, .. } => {
                    self.false_match_one(batch, n as u32, a as u32, s as u32, theta)
                }
                McKind::FalseMatch { n, a, s, segments, .. } => {
                    self.false_match_many(batch, n as u32, a as u32, s as u32, segments, theta)
                }
                McKind::FalseNegative { n, a, v, .. } => {
                    self.false_negative(batch, n as u32, a as u32, v as u32, theta)
                }
                McKind::UnionSegment { n, a, s, m, .. } => {
                    self.union_segment(batch, n as u32, a as u32, s as u32, m, theta)
                }
                McKind::UnionInput { n, a, m, .. } => self.union_input(batch, n as u32, a as u32, m, theta),
            };
            self.hits += hits;
            self.trials += batch;
            self.left_in_draw -= batch;
            done += batch;
        }
    }

    /// Test vectors so far.
    pub fn trials(&self) -> u64 {
        self.trials
    }

    /// Hits so far.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// The binomial estimate so far (the hits are i.i.d.: see [`McKind::vectors_per_draw`]).
    pub fn estimate(&self) -> McEstimate {
        McEstimate::binomial(self.trials, self.hits)
    }

    /// The set held fixed for the current block of trials: the segment's synapses (E5, E7), or
    /// for E3 the larger of the segment (s cells) and the test vector (a cells), the smaller one
    /// being drawn per trial. Empty before the first trial, and for the kinds that redraw
    /// segments per test vector.
    pub fn segment(&self) -> &Bitset {
        &self.segment
    }

    /// Draws what a block of test vectors shares: the segment (E3, E7), or the stored pattern, its
    /// subsampled segment and the inactive cells (E5).
    fn draw_segments(&mut self) {
        let mut rng = self.rng.clone();
        let segment = &mut self.segment;
        match self.kind {
            McKind::FalseMatch { n, a, s, segments: 1, .. } => {
                // `createRandomSDRs(M = 1, n, w_p = s)` makes the segment s random cells of n; we
                // hold the larger of the two sets fixed instead, drawn from the cells that
                // Floyd's algorithm never picks by default (see [`Self::false_match_one`]).
                let range = if a + s <= n { n - a.min(s) } else { n };
                segment.clear_all();
                floyd(&mut rng, range as u32, a.max(s) as u32, &mut self.floyd, |c, _| {
                    segment.set(c);
                    true
                });
            }
            McKind::UnionInput { n, s, .. } => {
                // `createRandomSDRs(M = 1, n, w_p = s)`: the segment is s random cells of n.
                segment.clear_all();
                floyd(&mut rng, n as u32, s as u32, &mut self.floyd, |c, _| {
                    segment.set(c);
                    true
                });
            }
            McKind::FalseNegative { n, a, s, .. } => {
                // `createRandomVectors(M = 1, w = a)`, then `sample(originalRow, w, …, w_p)`.
                let (n, a) = (n as u32, a as u32);
                let pattern = &mut self.pattern;
                pattern.clear();
                floyd(&mut rng, n, a, &mut self.floyd, |c, _| {
                    pattern.push(c);
                    true
                });
                segment.clear_all();
                floyd(&mut rng, a, s as u32, &mut self.floyd, |i, _| {
                    segment.set(pattern[i as usize]);
                    true
                });
                // `addOptions`: the cells that are not in the stored pattern, in order.
                self.union.begin(n);
                for &c in pattern.iter() {
                    self.union.insert(c);
                }
                self.inactive.clear();
                let union = &self.union;
                self.inactive.extend((0..n).filter(|&c| !union.contains(c)));
            }
            McKind::FalseMatch { .. } | McKind::UnionSegment { .. } => {}
        }
        self.rng = rng;
    }

    /// E3: `batch` trials, each a fresh random set of k = min(a, s) cells against the block's
    /// fixed set F of max(a, s) cells (in `segment`); the overlap is the number of the fresh
    /// set's cells that are in F, and a trial stops drawing once its outcome is settled (θ
    /// reached, or more than k − θ cells drawn outside F).
    ///
    /// **Why the smaller set is the one drawn per trial.** The C++ holds the segment (s cells)
    /// and draws a test vectors (a cells) against it (`classificationFalseMatchTrial`).
    /// The overlap of a uniform a-subset with any fixed s-set and that of a uniform s-subset with
    /// any fixed a-set have the same law, Hypergeom(n, a, s) (its pmf
    /// C(s,k)·C(n−s,a−k)/C(n,a) = C(a,k)·C(n−a,s−k)/C(n,s) is symmetric in a and s), and in
    /// both orientations it does not depend on which fixed set was drawn. So, as argued in
    /// [`McKind::vectors_per_draw`], the 500 hit indicators of a block are i.i.d.
    /// Bernoulli(P_fm) either way: the counts (trials, hits), and every estimate made from them,
    /// have exactly the same distribution as the official procedure's. Only the work differs:
    /// a trial draws until the overlap reaches θ or θ is out of reach (k − θ + 1 cells when the
    /// overlap stays 0), so drawing min(a, s) instead of a cells saves most of the draws when
    /// a > s (at n = 2048, a = 40, s = 20, θ = 10: 11 draws instead of 31). A consequence
    /// (tested): swapping a and s gives the same hits for a seed.
    ///
    /// **Why F lies in the cells 0..n − k (when a + s ≤ n).** Floyd's algorithm for a k-subset
    /// adds the drawn t, or, when t is already in, the "default" j ∈ n − k..n. Relabelling the
    /// cells by a fixed bijection that moves F's members out of n − k..n maps a uniform k-subset
    /// to a uniform k-subset and leaves the overlap unchanged, so holding F inside 0..n − k
    /// (drawn uniformly there by [`Self::draw_segments`]) gives the same law of the overlap, and
    /// of the counts, as a uniform F. Then no default j is in F: a draw t that is not in F is a
    /// miss whether or not t was drawn before, and only draws that land in F (about a·s/n per
    /// trial, 0.4 here) need the membership table. The common path of a draw is one bounded
    /// integer and one bit test in the `u64` bitset. When a + s > n, F cannot avoid those cells,
    /// and the trial runs plain Floyd with the membership table ([`floyd`]).
    fn false_match_one(&mut self, batch: u64, n: u32, a: u32, s: u32, theta: u32) -> u64 {
        let k = a.min(s);
        if theta == 0 {
            return batch; // Every overlap is ≥ 0: nothing to draw.
        }
        if theta > k {
            return 0; // The overlap is at most k: nothing to draw.
        }
        let mut rng = self.rng.clone();
        let words = &self.segment.words[..];
        let mut hits = 0;
        if u64::from(a) + u64::from(s) > u64::from(n) {
            for _ in 0..batch {
                let mut overlap = 0u32;
                floyd(&mut rng, n, k, &mut self.floyd, |c, left| {
                    overlap += ((words[(c >> 6) as usize] >> (c & 63)) & 1) as u32;
                    overlap < theta && overlap + left >= theta
                });
                hits += u64::from(overlap >= theta);
            }
            self.rng = rng;
            return hits;
        }
        // Floyd's algorithm with F ⊆ 0..n − k: j runs over n − k..n; each 64-bit output feeds two
        // draws (its top, then its bottom 32 bits, as in [`floyd`]). The trial ends within k
        // draws (then overlap + misses = k), so j + 1 ≤ n throughout.
        let misses_allowed = k - theta;
        let scratch = &mut self.floyd;
        for _ in 0..batch {
            scratch.begin(n);
            let generation = scratch.generation;
            let drawn = &mut scratch.stamps[..n as usize];
            let (mut overlap, mut misses) = (0u32, 0u32);
            let mut j = n - k;
            let hit = loop {
                let word = rng.next_u64();
                if draw_into_fixed(&mut rng, (word >> 32) as u32, j, words, drawn, generation) {
                    overlap += 1;
                    if overlap == theta {
                        break true;
                    }
                } else {
                    misses += 1;
                    if misses > misses_allowed {
                        break false;
                    }
                }
                j += 1;
                if draw_into_fixed(&mut rng, word as u32, j, words, drawn, generation) {
                    overlap += 1;
                    if overlap == theta {
                        break true;
                    }
                } else {
                    misses += 1;
                    if misses > misses_allowed {
                        break false;
                    }
                }
                j += 1;
            };
            hits += u64::from(hit);
        }
        self.rng = rng;
        hits
    }

    /// E4: per test vector, a fresh vector and `segments` fresh segments of s cells; hit when any
    /// segment reaches θ. Segments after the first that fires are not drawn: they cannot change
    /// the outcome, and skipping them leaves the hit's law unchanged.
    fn false_match_many(&mut self, batch: u64, n: u32, a: u32, s: u32, segments: u64, theta: u32) -> u64 {
        let mut rng = self.rng.clone();
        let mut hits = 0;
        for _ in 0..batch {
            floyd(&mut rng, n, a, &mut self.test, |_, _| true);
            let test = &self.test;
            for _ in 0..segments {
                let mut overlap = 0u32;
                floyd(&mut rng, n, s, &mut self.floyd, |c, left| {
                    overlap += u32::from(test.contains(c));
                    overlap < theta && overlap + left >= theta
                });
                if overlap >= theta {
                    hits += 1;
                    break;
                }
            }
        }
        self.rng = rng;
        hits
    }

    /// E5: noise on the stored pattern, as `addNoise`: keep a − v random cells of the pattern, add
    /// v random inactive cells; a false negative when the noisy vector's overlap with the segment
    /// is below θ. (The added cells are tested too, though they can never be synapses.)
    fn false_negative(&mut self, batch: u64, n: u32, a: u32, v: u32, theta: u32) -> u64 {
        let mut rng = self.rng.clone();
        let (segment, pattern, inactive) = (&self.segment, &self.pattern, &self.inactive);
        let mut hits = 0;
        for _ in 0..batch {
            let mut overlap = 0u32;
            floyd(&mut rng, a, a - v, &mut self.floyd, |i, _| {
                overlap += u32::from(segment.contains(pattern[i as usize]));
                true
            });
            floyd(&mut rng, n - a, v, &mut self.floyd, |j, _| {
                overlap += u32::from(segment.contains(inactive[j as usize]));
                true
            });
            hits += u64::from(overlap < theta);
        }
        self.rng = rng;
        hits
    }

    /// E6: per test vector, a fresh vector and one segment made of the union of M fresh random
    /// s-subsets; a cell in several subsets is one synapse.
    fn union_segment(&mut self, batch: u64, n: u32, a: u32, s: u32, m: u64, theta: u32) -> u64 {
        let mut rng = self.rng.clone();
        let mut hits = 0;
        for _ in 0..batch {
            floyd(&mut rng, n, a, &mut self.test, |_, _| true);
            self.union.begin(n);
            let (test, union) = (&self.test, &mut self.union);
            let mut overlap = 0u32;
            for _ in 0..m {
                floyd(&mut rng, n, s, &mut self.floyd, |c, _| {
                    if union.insert(c) && test.contains(c) {
                        overlap += 1;
                    }
                    true
                });
            }
            hits += u64::from(overlap >= theta);
        }
        self.rng = rng;
        hits
    }

    /// E7: per test vector, the union of M fresh random a-patterns against the block's segment; a
    /// cell active in several patterns counts once.
    fn union_input(&mut self, batch: u64, n: u32, a: u32, m: u64, theta: u32) -> u64 {
        let mut rng = self.rng.clone();
        let segment = &self.segment;
        let mut hits = 0;
        for _ in 0..batch {
            self.union.begin(n);
            let union = &mut self.union;
            let mut overlap = 0u32;
            for _ in 0..m {
                floyd(&mut rng, n, a, &mut self.floyd, |c, _| {
                    if union.insert(c) && segment.contains(c) {
                        overlap += 1;
                    }
                    true
                });
            }
            hits += u64::from(overlap >= theta);
        }
        self.rng = rng;
        hits
    }
}

/// 2^k exactly (0 below the smallest subnormal, ∞ above the largest finite power).
fn pow2(k: i64) -> f64 {
    if k > 1023 {
        f64::INFINITY
    } else if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else if k >= -1074 {
        f64::from_bits(1u64 << (k + 1074))
    } else {
        0.0
    }
}

/// Weights are kept as w·2^e with w in [2^−RESCALE, 2^RESCALE]: the exact rescaling keeps
/// probabilities far below f64's range (1e−308) representable.
const RESCALE: i64 = 200;

/// What the importance sampler draws: a hypergeometric tail (E3, E5), or a union of random
/// pieces followed by a tail against it (E6, E7). See [`ImportanceSimulation`].
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    /// `draws` cells without replacement from `pop`, of which `marked` are marked; a hit when at
    /// least `threshold` marked cells are drawn.
    Tail { pop: u64, marked: u64, draws: u64, threshold: u64 },
    /// First the union of `pieces` uniform `piece`-subsets of the `n` cells (its size U is the
    /// marked count), then the tail of `draws` cells against those U cells at `threshold`.
    Union { n: u64, pieces: u64, piece: u64, draws: u64, threshold: u64 },
}

/// Sequential tilted importance sampler for E3, E5, E6 and E7 (docs/dendrites.md, "How the
/// official code simulates", last paragraph).
///
/// **The tail step (E3).** The a active cells are drawn one at a time without replacement. At
/// step i, with r_s segment cells and r_o other cells still free (r_s + r_o = n − i), the uniform
/// draw picks a segment cell with probability u = r_s/(r_s + r_o); the proposal picks one with
/// probability q. Each sample carries the weight Π (uniform prob)/(proposal prob) over its steps
/// (u/q for a segment cell, (1 − u)/(1 − q) for another), so E[weight · 1{overlap ≥ θ}] under the
/// proposal is exactly the probability: the weights never use the closed form, which makes this
/// an independent check of the theory down to 1e−24 and far below. Two proposals:
/// - **Bridge** (the default, [`Proposal::Bridge`]): with `need` = θ − b segment cells still to
///   find in the d = a − i draws left, q = max(u, need/d). Given that a uniform draw ends with
///   exactly θ segment cells, the order of the draws is exchangeable and the next one is a
///   segment cell with probability exactly need/d; so this proposal is the uniform draw
///   conditioned on ending at the threshold, which in a rare tail holds almost all the mass. Its
///   weights barely vary (effective sample size near the sample count; relative SE about 10⁻⁴
///   with 2·10⁵ samples at P = 10⁻²⁴, and for E5 at 10⁻¹³).
/// - **Tilt** ([`Proposal::Tilt`], `--lambda`): the segment cells' odds are multiplied by λ,
///   q = λ·r_s/(λ·r_s + r_o); λ = 1 is plain Monte Carlo. Kept as a second, independent
///   estimator for cross-checks; with a fixed λ the weights depend on the order of the draws,
///   and in deep tails (E5 with v = 50 of a = 128 and 21 of 24 synapses to remove) a few heavy
///   weights decide the estimate (effective sample size 16 of 2·10⁵, biased low at that size).
///
/// Only the counts matter: within each class (segment / other) the proposal picks uniformly, as
/// the uniform draw does, so the cells' identities cancel from the weight and are not drawn.
/// Once the overlap reaches θ the rest of the draw is uniform (every factor 1), and once θ is out
/// of reach the sample stops with no hit: both are valid adaptive proposals (the likelihood ratio
/// of the remaining steps has mean 1), and they cut the variance. A proposal may give a step
/// probability 0 (q = 1) only where every continuation is a miss, which leaves the mean exact.
///
/// **E5 (false negative, Ahmad & Hawkins eq. 5).** The official noise (`addNoise`) keeps a
/// uniform (a − v)-subset of the stored pattern's a cells and adds v of the n − a inactive
/// cells. The segment's s synapses lie on the stored pattern, so the added cells never reach it,
/// and keeping a uniform (a − v)-subset is removing its complement, a uniform v-subset. So the
/// overlap is s − (synapse cells among the v removed) and a false negative (overlap < θ) is
/// "at least s − θ + 1 synapse cells removed": the tail step with pop = a, marked = s,
/// draws = v, threshold = s − θ + 1, tilted toward removing synapse cells.
///
/// **E6 and E7 (unions, eqs. 6 and 7).** The union's size U is drawn first, without tilt, by
/// running the official construction on counts: M pieces of s cells (E6: the segment's M
/// patterns) or of a cells (E7: the input's M patterns), each drawn without replacement from the
/// n cells, a cell counting as new when it is not yet covered (probability (uncovered left)/(free
/// left) per draw, integers only). Then the tail step draws the test vector's a cells (E6) or the
/// segment's s cells (E7) against the U covered cells at θ. The weight is the tail step's
/// likelihood ratio only: U comes from its true law, so E[weight · 1{hit}] = E_U[P(hit | U)] = P
/// exactly.
///
/// Determinism: the only float in a random decision is `x < q` with x from [`Rng::next_f64`]
/// and q from basic IEEE-754 operations (+, ×, ÷, max): the same bits natively and in wasm; the
/// union's draws are integer ([`Rng::below`]).
pub struct ImportanceSimulation {
    kind: McKind,
    target: Target,
    /// The fixed tilt λ ([`Proposal::Tilt`]); `None` for the bridge ([`Proposal::Bridge`]).
    lambda: Option<f64>,
    rng: Rng,
    samples: u64,
    hits: u64,
    /// Σ weight·1{hit} = sum·2^exp and Σ (weight·1{hit})² = sum_sq·2^(2·exp).
    sum: f64,
    sum_sq: f64,
    exp: i64,
}

impl ImportanceSimulation {
    /// A run for E3 at (n, a, s, θ) with tilt λ (> 0; λ = 1 is plain Monte Carlo).
    pub fn new(n: u64, a: u64, s: u64, theta: u64, lambda: f64, seed: u64) -> Result<Self, String> {
        Self::for_kind(McKind::FalseMatch { n, a, s, theta, segments: 1 }, Some(lambda), seed)
    }

    /// Whether the sampler covers `kind`: E3 (one segment), E5, E6 and E7. E4 with K > 1
    /// segments is not covered (its event is a union over segments; plain Monte Carlo only).
    pub fn supports(kind: &McKind) -> bool {
        !matches!(kind, McKind::FalseMatch { segments, .. } if *segments != 1)
    }

    /// A run for `kind` (see [`Self::supports`]) with the fixed tilt `lambda` (> 0), or the
    /// bridge proposal when `None` (the default: far smaller variance in deep tails).
    pub fn for_kind(kind: McKind, lambda: Option<f64>, seed: u64) -> Result<Self, String> {
        kind.validate()?;
        if let Some(l) = lambda {
            if !(l.is_finite() && l > 0.0 && l <= 1e15) {
                return Err(format!("lambda = {l} is not a tilt in (0, 1e15]."));
            }
        }
        let target = match kind {
            McKind::FalseMatch { n, a, s, theta, segments: 1 } => {
                Target::Tail { pop: n, marked: s, draws: a, threshold: theta }
            }
            McKind::FalseMatch { segments, .. } => {
                return Err(format!(
                    "segments = {segments}: the importance sampler covers one segment (E3), E5, E6 and E7; \
                     use plain Monte Carlo for a neuron with several segments."
                ))
            }
            McKind::FalseNegative { a, s, theta, v, .. } => {
                Target::Tail { pop: a, marked: s, draws: v, threshold: (s + 1).saturating_sub(theta) }
            }
            McKind::UnionSegment { n, a, s, theta, m } => {
                Target::Union { n, pieces: m, piece: s, draws: a, threshold: theta }
            }
            McKind::UnionInput { n, a, s, theta, m } => {
                Target::Union { n, pieces: m, piece: a, draws: s, threshold: theta }
            }
        };
        Ok(Self {
            kind,
            target,
            lambda,
            rng: Rng::seed_from_u64(seed),
            samples: 0,
            hits: 0,
            sum: 0.0,
            sum_sq: 0.0,
            exp: 0,
        })
    }

    /// The kind this run estimates.
    pub fn kind(&self) -> McKind {
        self.kind
    }

    /// A tilt that puts the proposal's mean count near the threshold θ, for `a` draws from `n`
    /// cells of which `s` are marked (E3: a active cells against s synapses; the other kinds map
    /// onto it as [`ImportanceSimulation`] says). The tilted sequential draw follows Wallenius'
    /// noncentral hypergeometric law; we use the mean of its close relative, Fisher's noncentral
    /// hypergeometric law, whose mean μ satisfies approximately (for large counts)
    /// λ = μ·(n − s − a + μ) / ((s − μ)·(a − μ)). Setting μ = θ gives λ. It is clamped to at
    /// least 1 (never tilt away from the event) and is 1 when θ ≥ min(s, a) (the event is then a
    /// single configuration or impossible; plain λ is as good as any) or θ = 0.
    /// Examples: n = 2000, a = 128, s = 24, θ = 12 → 16.0 (an earlier hand-tuned check used 10);
    /// n = 19900, a = 64 → 381 (it used 300).
    pub fn default_lambda(n: u64, a: u64, s: u64, theta: u64) -> f64 {
        if theta == 0 || theta >= s.min(a) || a > n || s > n {
            return 1.0;
        }
        let mu = theta as f64;
        let rest = n as f64 - s as f64 - a as f64 + mu;
        let lambda = mu * rest / ((s as f64 - mu) * (a as f64 - mu));
        if lambda.is_finite() {
            lambda.clamp(1.0, 1e15)
        } else {
            1.0
        }
    }

    /// The fixed tilt λ in use; `None` when the run uses the bridge proposal (the default).
    pub fn lambda(&self) -> Option<f64> {
        self.lambda
    }

    /// The proposal of the tail step: the fixed tilt λ when one was given, else the bridge.
    pub fn proposal(&self) -> Proposal {
        self.lambda.map_or(Proposal::Bridge, Proposal::Tilt)
    }

    /// Runs `samples` more samples (0 does nothing).
    pub fn run(&mut self, samples: u64) {
        let mut rng = self.rng.clone();
        for _ in 0..samples {
            self.samples += 1;
            let hit = match self.target {
                Target::Tail { pop, marked, draws, threshold } => {
                    tail_sample(&mut rng, pop, marked, draws, threshold, self.proposal())
                }
                Target::Union { n, pieces, piece, draws, threshold } => {
                    let covered = union_size(&mut rng, n, pieces, piece);
                    tail_sample(&mut rng, n, covered, draws, threshold, self.proposal())
                }
            };
            if let Some((w, e)) = hit {
                self.add_hit(w, e);
            }
        }
        self.rng = rng;
    }

    fn add_hit(&mut self, w: f64, e: i64) {
        if self.hits == 0 {
            self.exp = e;
        }
        self.hits += 1;
        let mut d = e - self.exp;
        if d > 0 {
            self.sum *= pow2(-d);
            self.sum_sq *= pow2(-2 * d);
            self.exp = e;
            d = 0;
        }
        let x = w * pow2(d);
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// Samples so far.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// The weighted mean (1/N) Σ wᵢ·1{hitᵢ} and its standard error √(s²/N), s² the sample
    /// variance of the terms. With no hits: p = 0, se = 0 and the uninformative interval [0, 1]
    /// (the rule of three bounds the *proposal's* hit rate, not P). `upper_bound` is always None.
    /// Where p is below f64's range, `p` is 0 and `log10_p` carries the estimate.
    pub fn estimate(&self) -> McEstimate {
        let trials = self.samples;
        if trials == 0 || self.hits == 0 {
            return McEstimate {
                trials,
                hits: self.hits,
                p: 0.0,
                se: 0.0,
                ci_low: 0.0,
                ci_high: 1.0,
                upper_bound: None,
                log10_p: f64::NEG_INFINITY,
            };
        }
        let n = trials as f64;
        let mean = self.sum / n;
        let var = if trials > 1 { ((self.sum_sq - self.sum * mean) / (n - 1.0)).max(0.0) } else { 0.0 };
        let scale = pow2(self.exp);
        let p = mean * scale;
        let se = (var / n).sqrt() * scale;
        McEstimate {
            trials,
            hits: self.hits,
            p,
            se,
            ci_low: (p - Z95 * se).max(0.0),
            ci_high: (p + Z95 * se).min(1.0),
            upper_bound: None,
            log10_p: mean.log10() + self.exp as f64 * std::f64::consts::LOG10_2,
        }
    }

    /// se/p, computed before the scale 2^e is applied, so it stays meaningful when p itself is
    /// below f64's range (p = 0 in [`Self::estimate`], `log10_p` finite). NaN with no hits.
    pub fn relative_se(&self) -> f64 {
        if self.hits == 0 || self.samples < 2 {
            return f64::NAN;
        }
        let n = self.samples as f64;
        let mean = self.sum / n;
        let var = ((self.sum_sq - self.sum * mean) / (n - 1.0)).max(0.0);
        (var / n).sqrt() / mean
    }

    /// log10 of the standard error (finite where `se` itself underflows); −∞ with no hits.
    pub fn log10_se(&self) -> f64 {
        let rel = self.relative_se();
        if rel.is_finite() && rel > 0.0 {
            rel.log10() + self.estimate().log10_p
        } else {
            f64::NEG_INFINITY
        }
    }

    /// Kish's effective sample size of the estimator's terms, (Σ xᵢ)² / Σ xᵢ² with xᵢ = wᵢ·1{hitᵢ}:
    /// how many equally weighted hits the estimate is worth. Much smaller than the number of hits
    /// means a few heavy weights dominate and the standard error is not to be trusted
    /// (cross-check with a second λ, as the tests do).
    pub fn effective_sample_size(&self) -> f64 {
        if self.sum_sq > 0.0 {
            self.sum * self.sum / self.sum_sq
        } else {
            0.0
        }
    }
}

/// How the tail step picks a marked cell at each draw (see [`ImportanceSimulation`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Proposal {
    /// Marked cells' odds multiplied by λ at every step (λ = 1 is plain Monte Carlo).
    Tilt(f64),
    /// The draw that would be exact if the count ended exactly at the threshold: with `need`
    /// marked cells still to find in `d` draws, pick a marked one with probability need/d (or
    /// the uniform probability when that is larger).
    Bridge,
}

/// One sample of the tail step (see [`ImportanceSimulation`]): `draws` cells without
/// replacement from `pop`, `marked` of them marked. Returns the weight w·2^e of a hit (at least
/// `threshold` marked cells drawn), `None` for a miss.
fn tail_sample(
    rng: &mut Rng,
    pop: u64,
    marked: u64,
    draws: u64,
    threshold: u64,
    proposal: Proposal,
) -> Option<(f64, i64)> {
    if threshold > marked.min(draws) {
        return None;
    }
    let mut b = 0u64; // marked cells drawn so far
    let (mut w, mut e) = (1.0f64, 0i64);
    for i in 0..draws {
        if b >= threshold {
            break;
        }
        let r_s = marked - b;
        if b + r_s.min(draws - i) < threshold {
            return None;
        }
        let r_o = pop - marked - (i - b);
        let free = (r_s + r_o) as f64;
        let uniform = r_s as f64 / free;
        let q = match proposal {
            Proposal::Tilt(lambda) => {
                let boosted = lambda * r_s as f64;
                boosted / (boosted + r_o as f64)
            }
            Proposal::Bridge => uniform.max((threshold - b) as f64 / (draws - i) as f64),
        };
        if rng.next_f64() < q {
            b += 1;
            w *= uniform / q;
        } else {
            w *= (r_o as f64 / free) / (1.0 - q);
        }
        if w < pow2(-RESCALE) {
            w *= pow2(RESCALE);
            e -= RESCALE;
        } else if w > pow2(RESCALE) {
            w *= pow2(-RESCALE);
            e += RESCALE;
        }
    }
    (b >= threshold).then_some((w, e))
}

/// The size of the union of `pieces` uniform `piece`-subsets of `n` cells, drawn on counts: each
/// piece draws its cells without replacement, and draw i (of n − i free cells) is new with
/// probability (uncovered cells not yet drawn by this piece)/(n − i). The law is exactly that of
/// the union the plain simulation builds cell by cell (E6's `union_segment`, E7's `union_input`).
fn union_size(rng: &mut Rng, n: u64, pieces: u64, piece: u64) -> u64 {
    let mut covered = 0u64;
    for _ in 0..pieces {
        let mut uncovered = n - covered;
        for i in 0..piece.min(n) {
            if rng.below(n - i) < uncovered {
                uncovered -= 1;
            }
        }
        covered = n - uncovered;
        if covered == n {
            break;
        }
    }
    covered
}

/// One seeded plain run of `trials` test vectors (a convenience for the CLI and tests).
pub fn simulate(kind: McKind, seed: u64, trials: u64) -> Result<McEstimate, String> {
    if trials == 0 {
        return Err("trials = 0: run at least one test vector.".into());
    }
    let mut sim = Simulation::new(kind, seed)?;
    sim.run(trials);
    Ok(sim.estimate())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitset_set_clear_count() {
        let mut a = Bitset::new(130);
        let mut b = Bitset::new(130);
        for i in [0, 63, 64, 129] {
            a.set(i);
        }
        b.set(64);
        b.set(129);
        b.set(5);
        assert_eq!(a.count(), 4);
        assert_eq!(a.count_and(&b), 2);
        a.clear(64);
        assert!(!a.contains(64) && a.contains(63));
        assert_eq!(a.members(), vec![0, 63, 129]);
        a.clear_all();
        assert_eq!(a.count(), 0);
    }

    #[test]
    fn floyd_gives_distinct_members_in_range() {
        let mut rng = Rng::seed_from_u64(1);
        let mut scratch = SubsetScratch::new();
        let mut out = Vec::new();
        for (n, k) in [(10, 10), (10, 0), (1000, 37), (5, 9)] {
            sample_subset(&mut rng, n, k, &mut scratch, &mut out);
            let mut sorted = out.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), k.min(n) as usize);
            assert!(sorted.iter().all(|&c| c < n));
            assert!(out.iter().all(|&c| scratch.contains(c)));
        }
    }

    #[test]
    fn validation_names_the_parameter() {
        let fm = |n, a, s| McKind::FalseMatch { n, a, s, theta: 1, segments: 1 };
        assert!(fm(0, 0, 0).validate().unwrap_err().starts_with("n ="));
        assert!(fm(10, 11, 2).validate().unwrap_err().starts_with("a ="));
        assert!(fm(10, 5, 11).validate().unwrap_err().starts_with("s ="));
        assert!(fm(MAX_CELLS + 1, 5, 5).validate().is_err());
        assert!(McKind::FalseMatch { n: 10, a: 5, s: 5, theta: 1, segments: 0 }.validate().is_err());
        let fneg = McKind::FalseNegative { n: 100, a: 10, s: 11, theta: 1, v: 1 };
        assert!(fneg.validate().unwrap_err().starts_with("s ="));
        let fneg = McKind::FalseNegative { n: 12, a: 10, s: 5, theta: 1, v: 3 };
        assert!(fneg.validate().unwrap_err().starts_with("v ="));
        assert!(ImportanceSimulation::new(100, 10, 5, 3, f64::NAN, 1).is_err());
        assert!(simulate(fm(10, 5, 5), 1, 0).is_err());
    }

    #[test]
    fn pow2_is_exact() {
        assert_eq!(pow2(0), 1.0);
        assert_eq!(pow2(-1074), f64::from_bits(1));
        assert_eq!(pow2(10), 1024.0);
        assert_eq!(pow2(-1), 0.5);
        assert_eq!(pow2(-1023), f64::MIN_POSITIVE / 2.0);
    }

    #[test]
    fn importance_weights_far_below_the_f64_range_keep_their_logarithm() {
        // Three hits of weights 1.5·2^−2000, 2^−1800 and 3·2^−2000 over 10 samples.
        let mut sim = ImportanceSimulation::new(100, 10, 5, 3, 2.0, 1).unwrap();
        sim.add_hit(1.5, -2000);
        sim.add_hit(1.0, -1800);
        sim.add_hit(3.0, -2000);
        sim.samples = 10;
        let est = sim.estimate();
        assert_eq!(est.p, 0.0);
        let expected = (1.0 + 4.5 * 2f64.powi(-200)).log10() - 1800.0 * 2f64.log10() - 1.0;
        assert!((est.log10_p - expected).abs() < 1e-12, "{} vs {expected}", est.log10_p);
        assert!(sim.relative_se() > 0.0);
        // Weights in range give the plain mean.
        let mut sim = ImportanceSimulation::new(100, 10, 5, 3, 2.0, 1).unwrap();
        sim.add_hit(0.25, 0);
        sim.add_hit(0.5, 0);
        sim.samples = 4;
        assert_eq!(sim.estimate().p, 0.1875);
    }

    #[test]
    fn theta_above_s_never_fires_and_zero_always_does() {
        let mut sim = Simulation::new(McKind::FalseMatch { n: 50, a: 20, s: 5, theta: 6, segments: 1 }, 3).unwrap();
        sim.run(1000);
        assert_eq!(sim.hits(), 0);
        let mut sim = Simulation::new(McKind::FalseMatch { n: 50, a: 20, s: 5, theta: 0, segments: 1 }, 3).unwrap();
        sim.run(1000);
        assert_eq!(sim.hits(), 1000);
    }
}
