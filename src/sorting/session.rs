//! An interactive sorting run: the array, its step-back timeline and its live metric series.
//! The web layer drives it frame by frame; the step unit is one swap, the x axis of every
//! plot in the paper.

use super::cellview::{Algotype, CellViewArray, StepOutcome};
use super::eye::{sight, Sight};
use super::metrics::{aggregation, sortedness_count};
use super::setup::SortConfig;
use super::traditional::{sort_traced, Traditional};
use crate::core::rng::Rng;
use crate::core::series::MetricSeries;
use crate::core::timeline::Timeline;
use serde::Serialize;

/// Rows kept for live plots (decimated beyond this).
const SERIES_CAPACITY: usize = 4096;
/// Snapshots kept for step-back; memory is at most this many copies of the array.
const TIMELINE_CAPACITY: usize = 64;

pub struct SortingSession {
    array: CellViewArray,
    timeline: Timeline<CellViewArray>,
    series: MetricSeries,
    /// The goal's monotonicity error after every swap (for delayed gratification), kept for the
    /// first `DG_TRACE_LIMIT` swaps.
    errors: Vec<u32>,
    /// Who moved at every swap (the same first `DG_TRACE_LIMIT` swaps, so as long as `errors`):
    /// the starting cell's position before and after. The cell's-eye view's trajectories and
    /// trail come from it.
    moves: Vec<[u32; 2]>,
    /// The initial values, for the traditional run beside this one.
    initial: Vec<u32>,
    /// The traditional algorithm on the same initial values, shown at the same swap count.
    compare: Option<Compare>,
}

/// A traditional sort of the session's initial values, replayed swap by swap beside the cells.
struct Compare {
    algorithm: Traditional,
    /// Its swaps in order, and its comparisons done by the end of each swap.
    swaps: Vec<(u32, u32)>,
    comparisons_at: Vec<u64>,
    comparisons: u64,
    /// Its array after `at` swaps.
    values: Vec<u32>,
    at: usize,
}

/// The traditional run beside the cells, at the session's swap count.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompareReport {
    /// `bubble`, `insertion` or `selection` in JSON.
    pub algorithm: Traditional,
    /// Swaps and comparisons so far, and in the whole sort.
    pub swaps: u64,
    pub comparisons: u64,
    pub total_swaps: u64,
    pub total_comparisons: u64,
    pub done: bool,
}

/// One cell followed through the run (the cell's-eye view).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FollowReport {
    pub sight: Sight,
    /// Swaps it started, and swaps a neighbour (or a selection cell) started with it.
    pub started: u64,
    pub moved_by_others: u64,
    /// Its position after each swap so far, as (swap, position) points: every change, thinned
    /// to at most `points` (the first and last kept).
    pub trajectory: Vec<(u64, u32)>,
    /// The positions its value occupies in the sorted array (toward its goal): a range when
    /// other cells share its value.
    pub home: (u32, u32),
    /// The trajectory stops at `DG_TRACE_LIMIT` swaps.
    pub truncated: bool,
}

/// Swaps whose errors are kept for the live delayed-gratification value (4 MB).
pub const DG_TRACE_LIMIT: usize = 1_000_000;

/// Where a [`SortingSession::seek`] stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekOutcome {
    /// The requested step was reached.
    Reached,
    /// The run finished (sorted) before the requested step.
    Finished,
    /// The tick budget ran out; call again to continue.
    InProgress,
}

/// The series' columns: the x axis, then what the live plots show. Aggregation and the
/// per-Algotype sortedness (raw counts, Fig. 8D) cost O(n), so they are computed only for the
/// rows the decimated series keeps and are NaN in the others.
pub const SERIES_COLUMNS: &[&str] = &[
    "swap",
    "sortedness",
    "monotonicity_error",
    "aggregation",
    "sortedness_bubble",
    "sortedness_insertion",
    "sortedness_selection",
];

impl SortingSession {
    /// A session of `config` seeded by `seed` (the same draws as a batch run's setup).
    pub fn new(config: &SortConfig, seed: u64) -> Result<Self, String> {
        Ok(Self::from_array(config.build(Rng::seed_from_u64(seed))?))
    }

    /// Pure cell-view bubble on a shuffled `range(n)`.
    pub fn bubble(n: usize, seed: u64) -> Self {
        Self::from_array(CellViewArray::shuffled(n, Rng::seed_from_u64(seed)))
    }

    fn from_array(array: CellViewArray) -> Self {
        let mut series = MetricSeries::new(SERIES_COLUMNS, SERIES_CAPACITY);
        series.push(&row(&array, true));
        // Snapshot spacing starts near n swaps so that short runs keep fine-grained snapshots.
        let timeline = Timeline::new(array.clone(), (array.len() as u64).max(16), TIMELINE_CAPACITY);
        let initial = array.values();
        Self { array, timeline, series, errors: Vec::new(), moves: Vec::new(), initial, compare: None }
    }

    pub fn array(&self) -> &CellViewArray {
        &self.array
    }

    pub fn series(&self) -> &MetricSeries {
        &self.series
    }

    /// Delayed gratification of the run so far (the official procedure, `metrics`), or `None`
    /// beyond `DG_TRACE_LIMIT` swaps.
    pub fn delayed_gratification(&self) -> Option<f64> {
        if self.position() as usize > self.errors.len() {
            return None;
        }
        let errors: Vec<u64> = self.errors.iter().map(|&e| u64::from(e)).collect();
        Some(super::metrics::delayed_gratification(&errors))
    }

    /// Current position in swaps.
    pub fn position(&self) -> u64 {
        self.array.swaps()
    }

    pub fn is_done(&self) -> bool {
        self.array.is_done()
    }

    /// Advance by one swap, spending at most `max_ticks` activations.
    pub fn step(&mut self, max_ticks: u64) -> StepOutcome {
        let outcome = self.array.step_swap(max_ticks);
        if outcome == StepOutcome::Swapped {
            if self.errors.len() < DG_TRACE_LIMIT {
                self.errors.push(self.array.goal_error() as u32);
                if let (Some((a, b)), Some(to)) = (self.array.last_swap(), self.array.last_mover()) {
                    let from = if to == a { b } else { a };
                    self.moves.push([from as u32, to as u32]);
                }
                debug_assert_eq!(self.moves.len(), self.errors.len(), "one move per kept swap");
            }
            let full = self.series.keeps_next();
            self.series.push(&row(&self.array, full));
            let array = &self.array;
            self.timeline.offer(array.swaps(), || array.clone());
            self.sync_compare();
        }
        outcome
    }

    /// Move to swap number `target`, forwards by simulation or backwards by restoring the
    /// nearest snapshot and replaying. `max_ticks` bounds the work of this call.
    pub fn seek(&mut self, target: u64, max_ticks: u64) -> SeekOutcome {
        if target < self.position() {
            let (at, snapshot) = self.timeline.at_or_before(target);
            self.series.truncate_after(*at as f64);
            self.errors.truncate(*at as usize);
            self.moves.truncate(*at as usize);
            self.array = snapshot.clone();
            self.sync_compare();
        }
        let mut budget = max_ticks;
        while self.position() < target {
            let before = self.array.ticks();
            match self.step(budget) {
                StepOutcome::Swapped => {}
                StepOutcome::Done => return SeekOutcome::Finished,
                StepOutcome::OutOfTicks => return SeekOutcome::InProgress,
            }
            budget = budget.saturating_sub(self.array.ticks() - before);
            if budget == 0 && self.position() < target {
                return SeekOutcome::InProgress;
            }
        }
        SeekOutcome::Reached
    }
}

impl SortingSession {
    /// Show (or, with `None`, stop showing) a traditional sort of the same initial values beside
    /// the cells. It sorts toward an increasing order and knows nothing of frozen cells (the
    /// traditional algorithms of the paper's Fig. 4 and Fig. 3).
    pub fn set_compare(&mut self, algorithm: Option<Traditional>) {
        if self.compare.as_ref().map(|c| c.algorithm) == algorithm {
            return;
        }
        self.compare = algorithm.map(|algorithm| {
            let mut values = self.initial.clone();
            let traced = sort_traced(algorithm, &mut values);
            Compare {
                algorithm,
                swaps: traced.swaps,
                comparisons_at: traced.comparisons_at,
                comparisons: traced.run.comparisons,
                values: self.initial.clone(),
                at: 0,
            }
        });
        self.sync_compare();
    }

    /// Bring the traditional run to the session's swap count (or its end), forwards or back
    /// (a swap undoes itself).
    fn sync_compare(&mut self) {
        let target = self.position();
        let Some(c) = &mut self.compare else { return };
        let target = (target.min(c.swaps.len() as u64)) as usize;
        while c.at < target {
            let (a, b) = c.swaps[c.at];
            c.values.swap(a as usize, b as usize);
            c.at += 1;
        }
        while c.at > target {
            c.at -= 1;
            let (a, b) = c.swaps[c.at];
            c.values.swap(a as usize, b as usize);
        }
    }

    /// The traditional run's array at the session's swap count.
    pub fn compare_values(&self) -> Option<&[u32]> {
        self.compare.as_ref().map(|c| &c.values[..])
    }

    pub fn compare_report(&self) -> Option<CompareReport> {
        let c = self.compare.as_ref()?;
        let done = c.at == c.swaps.len();
        Some(CompareReport {
            algorithm: c.algorithm,
            swaps: c.at as u64,
            comparisons: if done {
                c.comparisons
            } else {
                c.comparisons_at.get(c.at.wrapping_sub(1)).copied().unwrap_or(0)
            },
            total_swaps: c.swaps.len() as u64,
            total_comparisons: c.comparisons,
            done,
        })
    }

    /// Where the last `count` swaps' starting cells moved to, newest first (the activation
    /// trail: under `threads` one cell often makes several swaps in a row).
    pub fn trail(&self, count: usize) -> impl DoubleEndedIterator<Item = usize> + ExactSizeIterator + '_ {
        self.moves.iter().rev().take(count).map(|m| m[1] as usize)
    }

    /// The share of swaps (after the first) started by the cell that started the swap before
    /// (it moved on), over the swaps kept so far; NaN before the second swap. About 1/(number
    /// of cells wanting to move) under `uniform`; the official threads keep the turn far more
    /// often (docs/sorting-scheduler.md).
    pub fn same_mover_share(&self) -> f64 {
        let moves = &self.moves;
        if moves.len() < 2 {
            return f64::NAN;
        }
        let again = moves.windows(2).filter(|w| w[1][0] == w[0][1]).count();
        again as f64 / (moves.len() - 1) as f64
    }

    /// The cell that started at position `id`, followed through the run so far: what it sees
    /// now, its swaps, and its trajectory thinned to at most `points` points (`None` when there
    /// is no such cell).
    pub fn follow(&self, id: u32, points: usize) -> Option<FollowReport> {
        let cells = self.array.cells();
        let position = self.array.position_of(id)?;
        let cell = cells[position];
        let (mut at, mut started, mut moved) = (id, 0u64, 0u64);
        let mut changes = vec![(0u64, id)];
        for (k, &[from, to]) in self.moves.iter().enumerate() {
            if at == from {
                at = to;
                started += 1;
            } else if at == to {
                at = from;
                moved += 1;
            } else {
                continue;
            }
            changes.push((k as u64 + 1, at));
        }
        let last = changes.last().copied();
        let trajectory = if changes.len() > points.max(2) {
            let stride = changes.len().div_ceil(points.max(2) - 1);
            let mut t: Vec<(u64, u32)> = changes.iter().copied().step_by(stride).collect();
            if t.last() != last.as_ref() {
                t.extend(last);
            }
            t
        } else {
            changes
        };
        // Sorted toward its goal, the cell sits after the cells that come before it in that order.
        let before =
            cells.iter().filter(|c| if cell.decreasing { c.value > cell.value } else { c.value < cell.value }).count();
        let equal = cells.iter().filter(|c| c.value == cell.value).count();
        Some(FollowReport {
            sight: sight(&self.array, position)?,
            started,
            moved_by_others: moved,
            trajectory,
            home: (before as u32, (before + equal - 1) as u32),
            truncated: (self.position() as usize) > self.moves.len(),
        })
    }
}

fn row(a: &CellViewArray, full: bool) -> [f64; 7] {
    let mut row =
        [a.swaps() as f64, a.sortedness_percent(), a.goal_error() as f64, f64::NAN, f64::NAN, f64::NAN, f64::NAN];
    if full {
        let types: Vec<Algotype> = a.cells().iter().map(|c| c.algotype).collect();
        row[3] = aggregation(&types);
        for (k, t) in Algotype::ALL.into_iter().enumerate() {
            let sub: Vec<u32> = a.cells().iter().filter(|c| c.algotype == t).map(|c| c.value).collect();
            if !sub.is_empty() {
                row[4 + k] = sortedness_count(&sub) as f64;
            }
        }
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_back_reproduces_the_same_state() {
        let mut s = SortingSession::bubble(200, 4);
        assert_eq!(s.seek(3000, u64::MAX), SeekOutcome::Reached);
        let at_3000 = s.array().values();
        let ticks_3000 = s.array().ticks();
        assert_eq!(s.seek(3500, u64::MAX), SeekOutcome::Reached);
        assert_eq!(s.seek(2999, u64::MAX), SeekOutcome::Reached);
        assert_eq!(s.position(), 2999);
        assert_eq!(s.seek(3000, u64::MAX), SeekOutcome::Reached);
        assert_eq!(s.array().values(), at_3000);
        assert_eq!(s.array().ticks(), ticks_3000);
        // A fresh session seeking straight there agrees too (what reloading a URL does).
        let mut fresh = SortingSession::bubble(200, 4);
        fresh.seek(3000, u64::MAX);
        assert_eq!(fresh.array().values(), at_3000);
        // The series has no duplicated x after stepping back and forth.
        let x = s.series().column(0);
        assert!(x.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn live_dg_equals_the_batch_value_after_stepping_back() {
        let mut s = SortingSession::bubble(60, 8);
        s.seek(u64::MAX, u64::MAX);
        let end = s.position();
        let full = s.delayed_gratification().unwrap();
        s.seek(end / 2, u64::MAX);
        s.seek(u64::MAX, u64::MAX);
        assert_eq!(s.delayed_gratification(), Some(full));
        let mut errors = Vec::new();
        let mut t = SortingSession::bubble(60, 8);
        while t.step(u64::MAX) == StepOutcome::Swapped {
            errors.push(t.array().goal_error());
        }
        assert_eq!(full, super::super::metrics::delayed_gratification(&errors));
    }

    /// Inversions the cell at `p` belongs to: larger cells to its left, smaller to its right.
    fn inversions_of(values: &[u32], p: usize) -> u64 {
        let v = values[p];
        (values[..p].iter().filter(|&&w| w > v).count() + values[p + 1..].iter().filter(|&&w| w < v).count()) as u64
    }

    #[test]
    fn a_followed_bubble_cell_swaps_once_per_inversion_it_belongs_to() {
        // Each bubble swap removes exactly one inversion, the one between the two cells it
        // exchanges, so a cell takes part in exactly as many swaps as it has inversions, and
        // ends at its value's place.
        let mut s = SortingSession::bubble(40, 9);
        let initial = s.array().values();
        s.seek(u64::MAX, u64::MAX);
        for id in [0u32, 7, 21, 39] {
            let f = s.follow(id, 1000).unwrap();
            assert_eq!(f.started + f.moved_by_others, inversions_of(&initial, id as usize), "cell {id}");
            assert_eq!(f.trajectory.last().map(|t| t.1), Some(f.sight.position as u32));
            assert_eq!(
                (f.home.0, f.home.1, f.sight.position as u32),
                (initial[id as usize], initial[id as usize], initial[id as usize])
            );
            assert_eq!(f.trajectory.first(), Some(&(0, id)));
        }
        // Thinned to at most the points asked for, first and last kept.
        let f = s.follow(0, 3).unwrap();
        assert!(f.trajectory.len() <= 4 && f.trajectory[0] == (0, 0));
    }

    #[test]
    fn the_swap_log_names_who_moved_as_the_array_does() {
        // The session's log against the array's own account, swap by swap, on the bubble
        // shortcut and on the event path (frozen cells), and who started each swap.
        for query in [(60usize, 0usize), (60, 3)] {
            let config = SortConfig { frozen: query.1, ..SortConfig::bubble(query.0) };
            let mut s = SortingSession::new(&config, 5).unwrap();
            let mut started = vec![0u64; query.0];
            while s.step(u64::MAX) == StepOutcome::Swapped {
                let mover = s.array().last_mover().unwrap();
                started[s.array().cells()[mover].id as usize] += 1;
            }
            for id in 0..query.0 as u32 {
                if let Some(f) = s.follow(id, 10) {
                    assert_eq!(f.started, started[id as usize], "{query:?} cell {id}");
                }
            }
        }
    }

    #[test]
    fn the_mover_is_the_cell_whose_rule_made_the_swap() {
        // Independently of the log: an insertion cell only moves left, and a selection cell
        // lands on its ideal position (its ideal stays where it lands).
        use super::super::cellview::Algotype;
        for algotype in [Algotype::Insertion, Algotype::Selection] {
            let config = SortConfig { algotypes: vec![(algotype, 1)], ..SortConfig::bubble(50) };
            let mut s = SortingSession::new(&config, 3).unwrap();
            let mut swaps = 0;
            while s.step(u64::MAX) == StepOutcome::Swapped {
                let (a, _) = s.array().last_swap().unwrap();
                let mover = s.array().last_mover().unwrap();
                match algotype {
                    Algotype::Insertion => assert_eq!(mover, a),
                    _ => assert_eq!(s.array().cells()[mover].ideal as usize, mover),
                }
                swaps += 1;
            }
            assert!(swaps > 100, "{algotype:?}: {swaps}");
        }
    }

    #[test]
    fn the_bubble_shortcut_draws_who_started_each_swap_evenly() {
        // A swapped pair is reached from its left cell looking right or its right cell looking
        // left, equally likely: over 20 runs (about 50,000 swaps) the movers that went right
        // are half, within 4 standard errors (sqrt(1/4 / 50,000) = 0.0022).
        let (mut right, mut all) = (0u64, 0u64);
        for seed in 0..20 {
            let mut s = SortingSession::bubble(100, seed);
            while s.step(u64::MAX) == StepOutcome::Swapped {
                let (a, _) = s.array().last_swap().unwrap();
                right += u64::from(s.array().last_mover() != Some(a));
                all += 1;
            }
        }
        let share = right as f64 / all as f64;
        let se = (0.25 / all as f64).sqrt();
        assert!((share - 0.5).abs() < 4.0 * se, "share {share} of {all}");
    }

    #[test]
    fn the_traditional_run_follows_the_swap_count_both_ways() {
        let mut s = SortingSession::bubble(30, 2);
        let initial = s.array().values();
        s.set_compare(Some(Traditional::Insertion));
        let whole = super::super::traditional::sort(Traditional::Insertion, &mut initial.clone());
        let traced = sort_traced(Traditional::Insertion, &mut initial.clone());
        s.seek(100, u64::MAX);
        let mut replay = initial.clone();
        for &(a, b) in &traced.swaps[..100] {
            replay.swap(a as usize, b as usize);
        }
        assert_eq!(s.compare_values(), Some(&replay[..]));
        let r = s.compare_report().unwrap();
        assert_eq!(
            (r.swaps, r.comparisons, r.total_swaps, r.done),
            (100, traced.comparisons_at[99], whole.swaps, false)
        );
        s.seek(u64::MAX, u64::MAX);
        let r = s.compare_report().unwrap();
        // Insertion cells and insertion sort both make one swap per inversion.
        assert_eq!((r.swaps, r.comparisons, r.done, s.position()), (whole.swaps, whole.comparisons, true, whole.swaps));
        s.seek(0, u64::MAX);
        assert_eq!(s.compare_values(), Some(&initial[..]));
        assert_eq!(s.compare_report().map(|r| (r.swaps, r.comparisons)), Some((0, 0)));
        s.set_compare(None);
        assert!(s.compare_report().is_none());
    }

    #[test]
    fn seek_past_the_end_finishes() {
        let mut s = SortingSession::bubble(10, 1);
        assert_eq!(s.seek(1_000_000, u64::MAX), SeekOutcome::Finished);
        assert!(s.is_done());
    }

    #[test]
    fn seek_in_small_budgets_gets_there() {
        let mut s = SortingSession::bubble(100, 2);
        let mut calls = 0;
        while s.seek(2000, 500) == SeekOutcome::InProgress {
            calls += 1;
        }
        assert!(calls > 1);
        let mut t = SortingSession::bubble(100, 2);
        t.seek(2000, u64::MAX);
        assert_eq!(s.array().values(), t.array().values());
    }
}
