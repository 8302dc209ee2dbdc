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
use serde::Serialize;

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
        let row = (k.max(1) as usize).min(BURST_POSITIONS) - 1;
        self.go_on[row][outcome as usize]
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
