//! Who acts next: the order in which cells call `move()` (docs/sorting-scheduler.md).
//!
//! The official code (`Zhangtaining/cell_research`) runs one Python thread per cell and every
//! `move()` holds one global lock, so one cell acts at a time in whatever order CPython's threads
//! and the operating system produce. That order is not a uniform random choice: traces recorded
//! from the official code (`scripts/record_official_traces.py`, statistics in
//! `docs/data/official-traces.json`) show a cell acting in bursts that go on far more often after
//! a swap, and the cells that acted most recently rarely getting the next turn. Several of the
//! paper's numbers (delayed gratification, selection swaps, aggregation, Fig. 9) move with the
//! scheduler, so the lab makes it a parameter:
//!
//! - [`Scheduler::Uniform`]: each activation is a uniformly random active cell (the idealised
//!   model; the default, and the only one the exact fast paths of `cellview` implement);
//! - [`Scheduler::Bursts`]: after each activation the same cell goes on with probability ½, else a
//!   uniformly random active cell acts (bursts Geometric(½), mean 2: the simple model);
//! - [`Scheduler::Threads`]: the emulation of the official threads, with the law fitted from the
//!   recorded traces ([`threads_law`]): how long a cell keeps the turn (by its place in the burst
//!   and what its last activation did) and who gets it next (by how long each cell has waited).
//!
//! Every scheduler draws from the run's one seeded generator, so a seed gives the same run
//! natively and in wasm.

use super::cellview::Algotype;
use crate::core::rng::{portable_ln, Rng};
use serde::Serialize;
use std::cell::RefCell;
use std::sync::Arc;

/// How cells take turns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scheduler {
    #[default]
    Uniform,
    Bursts,
    Threads,
}

impl Scheduler {
    pub const ALL: [Scheduler; 3] = [Scheduler::Uniform, Scheduler::Bursts, Scheduler::Threads];

    pub fn id(self) -> &'static str {
        match self {
            Scheduler::Uniform => "uniform",
            Scheduler::Bursts => "bursts",
            Scheduler::Threads => "threads",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id().eq_ignore_ascii_case(id.trim()))
    }

    /// The burst law for an acting cell of this Algotype (`None` for `Uniform`); `slow_poll`:
    /// the array has frozen cells, whose official driver polls once a second (see
    /// [`threads_law`]).
    pub fn law(self, algotype: Algotype, slow_poll: bool) -> Option<&'static BurstLaw> {
        match self {
            Scheduler::Uniform => None,
            Scheduler::Bursts => Some(&GEOMETRIC_HALF),
            Scheduler::Threads => Some(threads_law(algotype, slow_poll)),
        }
    }
}

/// Burst positions with their own continuation probability; later positions share the last.
pub const BURST_POSITIONS: usize = 24;

/// A scheduler's law: how long a cell keeps the turn and who gets it next.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BurstLaw {
    /// `go_on[k − 1][o]`: the probability that the cell acting for the k-th time in a row
    /// (k ≥ 24 pooled) acts again, by what that activation did ([`Outcome`]: o = 0 idle, 1 a read
    /// without a swap, 2 a swap).
    pub go_on: [[f64; 3]; BURST_POSITIONS],
    /// When the turn passes, it goes to another cell by its waiting rank (`true`, the threads: a
    /// new burst is another cell) or to a uniformly random active cell, maybe the same (`false`).
    pub others_only: bool,
    /// With `others_only`: the probability that the next cell's waiting rank among the other
    /// A − 1 active cells falls in each twentieth, from the one that waited longest (0) to the
    /// most recently active (19); within a twentieth the rank is uniform.
    pub next_rank: [f64; RANK_BINS],
}

/// Bins of the next cell's waiting rank.
pub const RANK_BINS: usize = 20;

impl BurstLaw {
    /// The probability that a cell in burst position `k` (≥ 1) acts again after `outcome`.
    #[inline]
    pub fn go_on(&self, k: u32, outcome: Outcome) -> f64 {
        self.go_on[Self::row(k)][outcome as usize]
    }

    /// The row of [`Self::go_on`] for burst position `k` (positions from the last fitted one
    /// on share its row).
    #[inline]
    pub fn row(k: u32) -> usize {
        (k.max(1) as usize).min(BURST_POSITIONS) - 1
    }
}

/// The next cell's waiting rank among `others` cells under a law's [`BurstLaw::next_rank`]:
/// the rank's exact distribution (a twentieth of the ranks by the law, then uniform within it,
/// ranks straddling two twentieths sharing their probability by overlap), drawn in O(1) by
/// Walker's alias method (Vose's construction).
#[derive(Clone, Debug, PartialEq)]
pub struct RankAlias {
    others: usize,
    prob: Vec<f64>,
    alias: Vec<u32>,
}

impl RankAlias {
    pub fn new(law: &BurstLaw, others: usize) -> Self {
        let m = others.max(1);
        let weights = rank_distribution(law, m);
        // Vose: scaled weights m·P; "small" ones (< 1) take the rest of their column from a
        // "large" one.
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * m as f64).collect();
        let mut prob = vec![1.0; m];
        let mut alias: Vec<u32> = (0..m as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..m).partition(|&k| scaled[k] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            prob[s] = scaled[s];
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What is left has probability 1 up to rounding.
        Self { others: m, prob, alias }
    }

    /// The table of `law` for `others` cells, built once per thread, law and number (each run
    /// of a batch asks for one when it starts: building it took about 1% of a bubble run).
    pub fn of(law: &'static BurstLaw, others: usize) -> Arc<RankAlias> {
        thread_local! {
            static TABLES: RefCell<Vec<(usize, usize, Arc<RankAlias>)>> = const { RefCell::new(Vec::new()) };
        }
        let key = law as *const BurstLaw as usize;
        TABLES.with(|tables| {
            let mut tables = tables.borrow_mut();
            if let Some((_, _, t)) = tables.iter().find(|(k, m, _)| *k == key && *m == others) {
                return t.clone();
            }
            // Arrays of many sizes (a sweep) would grow the list without bound: keep the last 64.
            if tables.len() >= 64 {
                tables.remove(0);
            }
            let t = Arc::new(RankAlias::new(law, others));
            tables.push((key, others, t.clone()));
            t
        })
    }

    /// The number of cells it ranks.
    pub fn others(&self) -> usize {
        self.others
    }

    /// A rank in 0..others from one uniform `u` in [0, 1).
    #[inline]
    pub fn rank(&self, u: f64) -> usize {
        let t = u * self.others as f64;
        let k = (t as u32 as usize).min(self.others - 1);
        // Either way about as often: both candidates are loaded first and one is picked by a
        // mask, not by a branch the CPU would mispredict (the compiler turned an `if` into one).
        let (keep, alias) = (t - (k as f64) < self.prob[k], self.alias[k] as usize);
        let mask = usize::from(keep).wrapping_neg();
        (k & mask) | (alias & !mask)
    }

    /// The probability of each rank that the table draws (for tests).
    pub fn implied(&self) -> Vec<f64> {
        let m = self.others as f64;
        let mut p: Vec<f64> = self.prob.iter().map(|q| q / m).collect();
        for (k, &a) in self.alias.iter().enumerate() {
            p[a as usize] += (1.0 - self.prob[k]) / m;
        }
        p
    }
}

/// The exact probability of each waiting rank 0..m under the law's binned rule: the rank is
/// ⌊x·m⌋ for x uniform within the drawn twentieth.
pub fn rank_distribution(law: &BurstLaw, m: usize) -> Vec<f64> {
    let bins = law.next_rank.len();
    let total: f64 = law.next_rank.iter().sum();
    (0..m)
        .map(|r| {
            let (lo, hi) = (r as f64 / m as f64, (r + 1) as f64 / m as f64);
            let first = ((lo * bins as f64) as usize).min(bins - 1);
            let last = ((hi * bins as f64).ceil() as usize).min(bins);
            (first..last)
                .map(|b| {
                    let (blo, bhi) = (b as f64 / bins as f64, (b + 1) as f64 / bins as f64);
                    let overlap = (hi.min(bhi) - lo.max(blo)).max(0.0);
                    law.next_rank[b] / total * overlap * bins as f64
                })
                .sum()
        })
        .collect()
}

/// The rest of an idle burst under a law, drawn from one uniform without a loop: what
/// `idle_burst` in `cellview` used to compute by multiplying continuation probabilities until
/// the draw failed, which cost the CPU a mispredicted branch on nearly every idle burst.
///
/// One uniform u in (0, 1] decides how far a burst whose cell can do nothing goes on from
/// position c: past position k while u ≤ S_c(k) = go_on(c)·go_on(c + 1)·…·go_on(k) (exact:
/// having gone on, u/S is uniform again). The table holds every S_c(k) for c, k below
/// [`BURST_POSITIONS`], each multiplied from 1.0 in that order, as the loop multiplied them, so
/// the same u gives the same length; a row is non-increasing (each factor is at most 1), so the
/// length is the number of its entries ≥ u, counted without branches (`continuations`).
/// From the last fitted position on the probability is constant and the further length is
/// geometric, in one step (`tail_ln`: ln of that probability, by [`portable_ln`]). It also holds
/// the law's continuation test for any outcome as integers ([`Self::goes_on`]), which a burst
/// loop makes every activation.
#[derive(Clone, Debug)]
pub struct IdleBursts {
    /// `survive[c − 1][j]` = S_c(c + j) for c + j < BURST_POSITIONS, then −1 (below every u).
    survive: [[f64; 32]; BURST_POSITIONS],
    /// The same table as integers for the draw's 53-bit integer m (u = m·2⁻⁵³, 1 ≤ m ≤ 2⁵³):
    /// `at_least[c − 1][j]` = ⌊S·2⁵³⌋, or −1 where S is −1, so that S ≥ u exactly when
    /// `at_least` ≥ m (S·2⁵³ is exact in f64, and for an integer m, r ≥ m ⇔ ⌊r⌋ ≥ m).
    /// Integer comparisons take one cycle, and need no conversion of the draw to f64.
    at_least: [[i64; 32]; BURST_POSITIONS],
    /// The law's continuation probabilities p = `go_on[k − 1][o]` as integers for a draw's
    /// 53 bits m = x >> 11 (`Rng::next_f64` = m·2⁻⁵³): ⌈p·2⁵³⌉, so that m·2⁻⁵³ < p exactly when
    /// m < it (p·2⁵³ is exact, and for an integer m, m < r ⇔ m < ⌈r⌉). See [`Self::goes_on`].
    go_on_below: [[u64; 3]; BURST_POSITIONS],
    /// The continuation probability from position [`BURST_POSITIONS`] on, and its ln.
    tail_go_on: f64,
    tail_ln: f64,
}

const _: () = assert!(BURST_POSITIONS < 32);

impl IdleBursts {
    pub fn new(law: &BurstLaw) -> Self {
        let mut survive = [[-1.0; 32]; BURST_POSITIONS];
        for c in 1..BURST_POSITIONS {
            let mut s = 1.0;
            for k in c..BURST_POSITIONS {
                s *= law.go_on(k as u32, Outcome::Idle);
                survive[c - 1][k - c] = s;
            }
        }
        let tail_go_on = law.go_on(BURST_POSITIONS as u32, Outcome::Idle);
        let at_least =
            survive.map(|row| row.map(|s| if s < 0.0 { -1 } else { (s * (1u64 << 53) as f64).floor() as i64 }));
        let go_on_below = law.go_on.map(|row| row.map(|p| (p * (1u64 << 53) as f64).ceil() as u64));
        Self { survive, at_least, go_on_below, tail_go_on, tail_ln: portable_ln(tail_go_on) }
    }

    /// The table of `law`, built once per thread and law (a run under a burst scheduler asks
    /// for it when it starts, and the Reproduce suite starts thousands of runs).
    pub fn of(law: &'static BurstLaw) -> Arc<IdleBursts> {
        thread_local! {
            static TABLES: RefCell<Vec<(usize, Arc<IdleBursts>)>> = const { RefCell::new(Vec::new()) };
        }
        let key = law as *const BurstLaw as usize;
        TABLES.with(|tables| {
            let mut tables = tables.borrow_mut();
            if let Some((_, t)) = tables.iter().find(|(k, _)| *k == key) {
                return t.clone();
            }
            let t = Arc::new(IdleBursts::new(law));
            tables.push((key, t.clone()));
            t
        })
    }

    /// The rest of a burst whose cell can do nothing, from burst position `count` (≥ 1), using
    /// at most `limit` (≥ 1) activations in all, from one draw of `rng`. Returns (the burst
    /// position reached, the activations used, whether the burst ended: its last continuation
    /// draw failed rather than the limit cutting it).
    #[inline(always)]
    pub fn draw(&self, rng: &mut Rng, count: u32, limit: u64) -> (u32, u64, bool) {
        self.draw_from(rng.next_u64(), count, limit)
    }

    /// The continuations within the table that the draw m (u = m·2⁻⁵³) allows from burst
    /// position `c` (1 ≤ c < [`BURST_POSITIONS`]): the number of its row's entries ≥ u (the row
    /// is non-increasing). The first eight are compared at once, each comparison turned into a
    /// number (no branch, and no chain of dependent loads as a binary search has: the run
    /// loops wait on this count); most bursts end within them, and the rest are counted on.
    #[inline(always)]
    fn continuations(&self, m: i64, c: usize) -> usize {
        let row = &self.at_least[c - 1];
        let ge = |j: usize| usize::from(row[j] >= m);
        let mut e = (ge(0) + ge(1)) + (ge(2) + ge(3)) + ((ge(4) + ge(5)) + (ge(6) + ge(7)));
        if e == 8 {
            // Rare: long bursts. The row ends in −1 (below every m) by position 31.
            while e < 31 && row[e] >= m {
                e += 1;
            }
        }
        e
    }

    /// Whether a cell in burst position `k` (≥ 1) acts again after `outcome`, from the draw `x`
    /// (one `next_u64`): exactly `Rng::next_f64() < law.go_on(k, outcome)` (the test a burst
    /// loop makes every activation), compared as integers, without converting the draw.
    #[inline(always)]
    pub fn goes_on(&self, x: u64, k: u32, outcome: Outcome) -> bool {
        x >> 11 < self.go_on_below[BurstLaw::row(k)][outcome as usize]
    }

    /// The 53-bit integer m of the draw `x`: u = m·2⁻⁵³ in (0, 1].
    #[inline(always)]
    fn draw_integer(x: u64) -> i64 {
        ((x >> 11) + 1) as i64
    }

    /// [`Self::draw_from`] in its common case, without a branch: a burst that ends within the
    /// table and within `limit`. Returns (whether this is that case, the burst position reached,
    /// the activations used); when it is not, the other two are meaningless and the caller
    /// takes `draw_from`. A run loop computes it whether or not its cell is idle (the draw `x`
    /// is the same one the coin of a cell that can act reads), to choose without a branch.
    #[inline(always)]
    pub fn quick(&self, x: u64, count: u32, limit: u64) -> (bool, u32, u64) {
        let c = (count.max(1) as usize).min(BURST_POSITIONS - 1);
        let e = self.continuations(Self::draw_integer(x), c);
        let ends = ((count as usize) < BURST_POSITIONS) & (e < BURST_POSITIONS - c) & (1 + (e as u64) < limit);
        (ends, count.wrapping_add(e as u32), 1 + e as u64)
    }

    /// [`Self::draw`] from the draw `x` (one `next_u64`).
    #[inline(always)]
    pub fn draw_from(&self, x: u64, count: u32, limit: u64) -> (u32, u64, bool) {
        let u = Self::draw_integer(x) as f64 * (1.0 / (1u64 << 53) as f64);
        let c = count.max(1) as usize;
        // The continuations the draw allows within the table (its row's entries ≥ u), and the
        // product they reach.
        let (mut went_on, mut survive) = (0u64, 1.0);
        if c < BURST_POSITIONS {
            let e = self.continuations(Self::draw_integer(x), c);
            if e > 0 {
                survive = self.survive[c - 1][e - 1];
            }
            if e < BURST_POSITIONS - c {
                // The draw failed at position c + e.
                return if 1 + (e as u64) < limit {
                    (count + e as u32, 1 + e as u64, true)
                } else {
                    (count + (limit - 1) as u32, limit, false)
                };
            }
            went_on = e as u64;
        }
        // Position BURST_POSITIONS or beyond: a geometric number of further continuations.
        let used = 1 + went_on;
        if used >= limit {
            return (count + (limit - 1) as u32, limit, false);
        }
        let count = count + went_on as u32;
        let more = if self.tail_go_on >= 1.0 {
            u64::MAX
        } else if self.tail_go_on <= 0.0 {
            0
        } else {
            let k = portable_ln(u / survive) / self.tail_ln;
            if k >= 1.8e19 {
                u64::MAX
            } else {
                k as u64
            }
        };
        let room = limit - used;
        let more = more.min(room);
        (count.saturating_add(more.min(u64::from(u32::MAX)) as u32), used + more, more < room)
    }
}

/// `bursts`: go on with probability ½ whatever happened; the next cell uniform among all.
pub static GEOMETRIC_HALF: BurstLaw =
    BurstLaw { go_on: [[0.5; 3]; BURST_POSITIONS], others_only: false, next_rank: [1.0 / RANK_BINS as f64; RANK_BINS] };

/// What an activation did, as the burst law tells them apart: in the official code a `move()`
/// that swaps takes a snapshot of the whole array and one that reads counts a step, and the time
/// each takes shapes who gets the lock next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing (`should_move()` was false).
    Idle = 0,
    /// A read without a swap (`should_move()` was true).
    Read = 1,
    Swap = 2,
}

/// The `threads` law for a cell of this Algotype, fitted from the official code's recorded
/// traces (pure arrays of 100 cells; docs/sorting-scheduler.md, "The fit").
/// `tests/sorting_scheduler.rs` recomputes every number from `docs/data/official-traces.json`,
/// so the table cannot drift from the data.
///
/// The official drivers poll differently, and the main thread's polling shapes the threads'
/// bursts: without frozen cells it checks `is_sorted` every 0.1 ms, with them it sleeps a second
/// between `no_cells_should_move` checks (`slow_poll`). So each has its own law, fitted from the
/// runs without frozen cells and from those with three immovable frozen cells. Insertion was
/// recorded without frozen cells only (a run takes about 25 s), so its one law serves both.
pub fn threads_law(algotype: Algotype, slow_poll: bool) -> &'static BurstLaw {
    match (algotype, slow_poll) {
        (Algotype::Bubble, false) => &fitted::BUBBLE,
        (Algotype::Bubble, true) => &fitted::BUBBLE_SLOW_POLL,
        (Algotype::Insertion, _) => &fitted::INSERTION,
        (Algotype::Selection, false) => &fitted::SELECTION,
        (Algotype::Selection, true) => &fitted::SELECTION_SLOW_POLL,
    }
}

/// The official code's statistic `stat` for a recorded condition (`"bubble"`, `"bubble+selection,
/// 3 immovable frozen"`, …; stats `swaps`, `reads`, `dg`, `mean_of_run_peaks`, `peak_of_mean`,
/// `peak_at_percent`): (mean, standard error, runs), measured here with
/// `scripts/record_official_traces.py`.
pub fn official(condition: &str, stat: &str) -> Option<(f64, f64, u32)> {
    fitted::OFFICIAL.iter().find(|r| r.0 == condition && r.1 == stat).map(|r| (r.2, r.3, r.4))
}

/// Written by `scripts/record_official_traces.py --fit` from docs/data/official-traces.json.
mod fitted {
    include!("threads_law.rs");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loop `IdleBursts::draw` replaced: multiply the continuation probabilities from the
    /// burst's position on until the draw fails, the limit is reached or the geometric tail
    /// begins.
    fn idle_burst_by_loop(rng: &mut Rng, law: &BurstLaw, count: u32, limit: u64) -> (u32, u64, bool) {
        idle_burst_by_loop_from(rng.next_u64(), law, count, limit)
    }

    fn idle_burst_by_loop_from(x: u64, law: &BurstLaw, count: u32, limit: u64) -> (u32, u64, bool) {
        let u = ((x >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64);
        let tail_ln = portable_ln(law.go_on(BURST_POSITIONS as u32, Outcome::Idle));
        let (mut count, mut used) = (count, 1);
        let mut survive = 1.0;
        while used < limit {
            let go_on = law.go_on(count, Outcome::Idle);
            if count as usize >= BURST_POSITIONS {
                let more = if go_on >= 1.0 {
                    u64::MAX
                } else if go_on <= 0.0 {
                    0
                } else {
                    let k = portable_ln(u / survive) / tail_ln;
                    if k >= 1.8e19 {
                        u64::MAX
                    } else {
                        k as u64
                    }
                };
                let room = limit - used;
                let more = more.min(room);
                return (count.saturating_add(more.min(u64::from(u32::MAX)) as u32), used + more, more < room);
            }
            survive *= go_on;
            if u > survive {
                return (count, used, true);
            }
            count += 1;
            used += 1;
        }
        (count, used, false)
    }

    #[test]
    fn idle_bursts_draw_what_the_survival_loop_draws() {
        // Every law, every start position (the fitted ones and beyond), limits that cut bursts
        // short at every length; laws with a certain and an impossible tail too.
        let mut certain = GEOMETRIC_HALF;
        certain.go_on = [[1.0; 3]; BURST_POSITIONS];
        let mut never = GEOMETRIC_HALF;
        never.go_on[BURST_POSITIONS - 1] = [0.0; 3];
        let fitted = [Algotype::Bubble, Algotype::Selection, Algotype::Insertion]
            .into_iter()
            .flat_map(|a| [threads_law(a, false), threads_law(a, true)]);
        let laws: Vec<&BurstLaw> = fitted.chain([&GEOMETRIC_HALF, &certain, &never]).collect();
        let mut draws = 0;
        for law in laws {
            let table = IdleBursts::new(law);
            for count in [1, 2, 3, 7, 12, 22, 23, 24, 25, 40, u32::MAX - 5] {
                for limit in [1, 2, 3, 4, 9, 22, 23, 24, 30, 1000, u64::MAX] {
                    let mut a = Rng::seed_from_u64(u64::from(count) * 1000 + limit % 997);
                    let mut b = a.clone();
                    for _ in 0..300 {
                        assert_eq!(
                            table.draw(&mut a, count, limit),
                            idle_burst_by_loop(&mut b, law, count, limit),
                            "count {count}, limit {limit}"
                        );
                        draws += 1;
                    }
                    assert_eq!(a.next_u64(), b.next_u64(), "one draw each");
                }
            }
        }
        assert!(draws > 300_000);
    }

    #[test]
    fn idle_bursts_draw_exactly_at_the_table_entries() {
        // The table compares the draw's integer m with ⌊S·2⁵³⌋ instead of u = m·2⁻⁵³ with S:
        // exact only if the rounding is right, which random draws almost never probe. So the
        // draws just below, at and just above every entry of every fitted law's table (with
        // either top bit, which a run loop reads as a coin), against the survival loop, and
        // `quick` against `draw_from` wherever it says it applies.
        let mut probed = 0;
        for law in [Algotype::Bubble, Algotype::Selection, Algotype::Insertion]
            .into_iter()
            .flat_map(|a| [threads_law(a, false), threads_law(a, true)])
        {
            let table = IdleBursts::new(law);
            for c in 1..BURST_POSITIONS {
                for &s in table.survive[c - 1].iter().filter(|&&s| s >= 0.0) {
                    let at = (s * (1u64 << 53) as f64).floor() as u64;
                    for m in [at - 1, at, at + 1].into_iter().filter(|m| (1..=1u64 << 53).contains(m)) {
                        for top in [0, 1u64 << 63] {
                            let x = ((m - 1) << 11) | top | 0x5a5;
                            for limit in [3, u64::MAX] {
                                let drawn = table.draw_from(x, c as u32, limit);
                                assert_eq!(drawn, idle_burst_by_loop_from(x, law, c as u32, limit), "c {c}, m {m}");
                                let (ends, count, used) = table.quick(x, c as u32, limit);
                                if ends {
                                    assert_eq!((count, used, true), drawn, "c {c}, m {m}");
                                }
                                probed += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(probed > 10_000, "{probed}");
    }

    #[test]
    fn goes_on_decides_as_the_float_comparison_at_every_threshold() {
        // `IdleBursts::goes_on` compares the draw's 53 bits with ⌈p·2⁵³⌉; `burst_tick` compares
        // `next_f64()` with p. The draws just below, at and just above every threshold of
        // every law (and p = 0, ½ and 1) must decide alike.
        let mut laws: Vec<&BurstLaw> = [Algotype::Bubble, Algotype::Selection, Algotype::Insertion]
            .into_iter()
            .flat_map(|a| [threads_law(a, false), threads_law(a, true)])
            .collect();
        let mut edges = GEOMETRIC_HALF;
        edges.go_on[0] = [0.0, 1.0, 0.5];
        laws.extend([&GEOMETRIC_HALF, &edges]);
        let mut probed = 0;
        for law in laws {
            let table = IdleBursts::new(law);
            for k in 1..=BURST_POSITIONS as u32 + 2 {
                for outcome in [Outcome::Idle, Outcome::Read, Outcome::Swap] {
                    let p = law.go_on(k, outcome);
                    let at = (p * (1u64 << 53) as f64).ceil() as u64;
                    for m in [at.saturating_sub(1), at, at + 1].into_iter().filter(|&m| m < 1u64 << 53) {
                        let x = (m << 11) | 0x3c5;
                        let float = ((x >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64) < p;
                        assert_eq!(table.goes_on(x, k, outcome), float, "k {k}, {outcome:?}, m {m}");
                        probed += 1;
                    }
                }
            }
        }
        assert!(probed > 1_000, "{probed}");
    }

    #[test]
    fn the_alias_table_draws_the_binned_rank_law_exactly() {
        for algotype in [Algotype::Bubble, Algotype::Selection, Algotype::Insertion] {
            for m in [1usize, 7, 19, 20, 21, 96, 99, 100, 511, 2000] {
                let law = threads_law(algotype, false);
                let exact = rank_distribution(law, m);
                assert!((exact.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{algotype:?} {m}");
                let table = RankAlias::new(law, m);
                for (k, (a, b)) in table.implied().iter().zip(&exact).enumerate() {
                    assert!((a - b).abs() < 1e-12, "{algotype:?} m = {m} rank {k}: {a} against {b}");
                }
                // Whole twentieths: with m a multiple of 20 each rank gets its bin's share.
                if m % 20 == 0 {
                    let per = m / 20;
                    for (k, p) in exact.iter().enumerate() {
                        let want = law.next_rank[k / per] / law.next_rank.iter().sum::<f64>() / per as f64;
                        assert!((p - want).abs() < 1e-15);
                    }
                }
                // Every u in [0, 1) gives a rank in range.
                for u in [0.0, 0.25, 0.5, 0.999_999_999_999, 1.0 - f64::EPSILON] {
                    assert!(table.rank(u) < m);
                }
            }
        }
    }
}
