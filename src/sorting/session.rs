//! An interactive sorting run: the array, its step-back timeline and its live metric series.
//! The web layer drives it frame by frame; the step unit is one swap, the x axis of every
//! plot in the paper.

use super::cellview::{Algotype, CellViewArray, StepOutcome};
use super::metrics::{aggregation, sortedness_count};
use super::setup::SortConfig;
use crate::core::rng::Rng;
use crate::core::series::MetricSeries;
use crate::core::timeline::Timeline;

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
        Self { array, timeline, series, errors: Vec::new() }
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
            }
            let full = self.series.keeps_next();
            self.series.push(&row(&self.array, full));
            let array = &self.array;
            self.timeline.offer(array.swaps(), || array.clone());
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
            self.array = snapshot.clone();
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
