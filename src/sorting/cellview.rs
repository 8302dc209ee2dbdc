//! Cell-view ("bottom-up") sorting: every element is an agent with its own rule.
//!
//! Scheduling follows spec §1.3 "Concurrency model": the official code runs one Python thread
//! per cell and every `move()` holds one global lock, so exactly one cell acts at a time in an
//! order the OS picks. The faithful tick-based model is: **each tick, one active cell chosen
//! uniformly at random calls `move()`**. A tick is one such activation.

use super::metrics::{monotonicity_error, sortedness_percent};
use crate::core::rng::Rng;

/// An array of cells running cell-view bubble sort (`BubbleSortCell.py`, spec §1.3).
///
/// Values are `u32`; duplicates are allowed (equal values never swap). The whole struct is the
/// state of a run (values, generator, counters), so cloning it is a complete snapshot.
#[derive(Clone, Debug)]
pub struct CellViewArray {
    values: Vec<u32>,
    rng: Rng,
    ticks: u64,
    swaps: u64,
    steps: u64,
    error: u64,
    last_swap: Option<(usize, usize)>,
}

/// What one call to [`CellViewArray::step_swap`] ended with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// One swap happened.
    Swapped,
    /// The array is sorted: the official stop rule (spec §1.3, "poll `is_sorted`") holds.
    Done,
    /// The tick budget ran out before the next swap.
    OutOfTicks,
}

impl CellViewArray {
    /// A run on the given values, scheduled by `rng`.
    pub fn new(values: Vec<u32>, rng: Rng) -> Self {
        let error = monotonicity_error(&values);
        Self { values, rng, ticks: 0, swaps: 0, steps: 0, error, last_swap: None }
    }

    /// The paper's setup (spec §4, "common setup"): a shuffled `range(n)`. The same generator
    /// first shuffles and then schedules, so one seed fixes the whole run.
    pub fn shuffled(n: usize, mut rng: Rng) -> Self {
        let mut values: Vec<u32> = (0..n as u32).collect();
        rng.shuffle(&mut values);
        Self::new(values, rng)
    }

    pub fn values(&self) -> &[u32] {
        &self.values
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Activations so far (one cell's `move()` each).
    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// Swaps so far (`swap_count`).
    pub fn swaps(&self) -> u64 {
        self.swaps
    }

    /// Warranted "read" steps (`compare_and_swap_count`): `move()` calls in which
    /// `should_move()` was true. This is the cell-view "swapping & reading steps" of Fig. 4B.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Monotonicity error E, kept up to date on every swap.
    pub fn monotonicity_error(&self) -> u64 {
        self.error
    }

    pub fn sortedness_percent(&self) -> f64 {
        sortedness_percent(self.values.len(), self.error)
    }

    /// Positions of the last swapped pair (left, right).
    pub fn last_swap(&self) -> Option<(usize, usize)> {
        self.last_swap
    }

    /// Sorted non-decreasing: the official driver's stop test for runs without frozen cells.
    pub fn is_done(&self) -> bool {
        self.error == 0
    }

    /// One activation: a uniformly random cell runs the bubble `move()`. Returns whether it
    /// swapped.
    ///
    /// `BubbleSortCell.move()` (spec §1.3): pick right with p = 0.5, else left; swap when the
    /// target exists and the pair is inverted (right: value > target; left: value < target).
    /// `should_move()` (true when inverted with either neighbour) is evaluated first and, when
    /// true, counts one read step.
    pub fn tick(&mut self) -> bool {
        let n = self.values.len();
        if n < 2 {
            return false;
        }
        self.ticks += 1;
        let i = self.rng.index(n);
        let v = self.values[i];
        let left_inverted = i > 0 && v < self.values[i - 1];
        let right_inverted = i + 1 < n && v > self.values[i + 1];
        if left_inverted || right_inverted {
            self.steps += 1;
        }
        let go_right = self.rng.coin();
        if go_right && right_inverted {
            self.swap_adjacent(i);
            true
        } else if !go_right && left_inverted {
            self.swap_adjacent(i - 1);
            true
        } else {
            false
        }
    }

    /// Run ticks until the next swap, the end of the run, or `max_ticks` activations.
    pub fn step_swap(&mut self, max_ticks: u64) -> StepOutcome {
        for _ in 0..max_ticks {
            if self.is_done() {
                return StepOutcome::Done;
            }
            if self.tick() {
                return StepOutcome::Swapped;
            }
        }
        if self.is_done() {
            StepOutcome::Done
        } else {
            StepOutcome::OutOfTicks
        }
    }

    /// Run to the end (sorted). Cell-view bubble without frozen cells always finishes: every
    /// inverted adjacent pair has probability ≥ 1/(2n) per tick of being swapped.
    pub fn run_to_end(&mut self) {
        while self.step_swap(u64::MAX) == StepOutcome::Swapped {}
    }

    /// Swap positions `left` and `left + 1`, updating E from the three pairs it can change.
    fn swap_adjacent(&mut self, left: usize) {
        let right = left + 1;
        let lo = left.saturating_sub(1);
        let hi = (right + 1).min(self.values.len() - 1);
        let before = monotonicity_error(&self.values[lo..=hi]);
        self.values.swap(left, right);
        let after = monotonicity_error(&self.values[lo..=hi]);
        self.error = self.error + after - before;
        self.swaps += 1;
        self.last_swap = Some((left, right));
    }
}

#[cfg(test)]
mod tests {
    use super::super::metrics::inversions;
    use super::*;

    #[test]
    fn swaps_equal_initial_inversions_and_run_ends_sorted() {
        // Spec §1.3 item 4 and §5: exact in every run with distinct values, no frozen cells.
        for seed in 0..50 {
            let mut a = CellViewArray::shuffled(100, Rng::for_stream(99, seed));
            let inv = inversions(a.values());
            let mut multiset = a.values().to_vec();
            a.run_to_end();
            assert_eq!(a.swaps(), inv, "seed {seed}");
            assert_eq!(a.monotonicity_error(), 0);
            assert_eq!(monotonicity_error(a.values()), 0);
            assert!(a.values().windows(2).all(|w| w[0] <= w[1]));
            let mut after = a.values().to_vec();
            multiset.sort_unstable();
            after.sort_unstable();
            assert_eq!(multiset, after);
        }
    }

    #[test]
    fn incremental_error_matches_recount_with_duplicates() {
        let mut rng = Rng::seed_from_u64(5);
        let values: Vec<u32> = (0..60).map(|_| rng.below(6) as u32).collect();
        let mut a = CellViewArray::new(values, rng);
        while a.step_swap(1_000_000) == StepOutcome::Swapped {
            assert_eq!(a.monotonicity_error(), monotonicity_error(a.values()));
        }
        assert!(a.is_done());
    }

    #[test]
    fn tiny_arrays_do_not_loop() {
        let mut a = CellViewArray::new(vec![], Rng::seed_from_u64(1));
        a.run_to_end();
        let mut b = CellViewArray::new(vec![1], Rng::seed_from_u64(1));
        b.run_to_end();
        assert_eq!(b.swaps(), 0);
    }
}
