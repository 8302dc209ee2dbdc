//! Traditional (top-down) sorting algorithms, instrumented as in the paper (Methods p.7–8,
//! Fig. 2): each comparison or swap is one "sorting step"; Fig. 4A counts swaps only,
//! Fig. 4B swaps plus comparisons ("reading"). The monotonicity error after every swap is kept
//! for delayed gratification (Fig. 7).

use super::cellview::Algotype;
use super::metrics::{descents, touched_pairs};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Traditional {
    Bubble,
    Insertion,
    Selection,
}

impl Traditional {
    /// The top-down algorithm that corresponds to a cell rule.
    pub fn of(algotype: Algotype) -> Self {
        match algotype {
            Algotype::Bubble => Traditional::Bubble,
            Algotype::Insertion => Traditional::Insertion,
            Algotype::Selection => Traditional::Selection,
        }
    }
}

/// Counts and the per-swap error trace of one traditional sort.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TraditionalRun {
    pub swaps: u64,
    pub comparisons: u64,
    /// Monotonicity error after each swap.
    pub errors: Vec<u64>,
}

/// A traditional sort with every swap kept, for replaying it beside a cell-view run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TracedSort {
    pub run: TraditionalRun,
    /// The positions each swap exchanged, in order.
    pub swaps: Vec<(u32, u32)>,
    /// Comparisons made by the end of each swap.
    pub comparisons_at: Vec<u64>,
}

struct Counter<'a> {
    values: &'a mut [u32],
    run: TraditionalRun,
    error: u64,
    /// Keep every swap in `swaps` and `comparisons_at` ([`TracedSort`]).
    trace: bool,
    swaps: Vec<(u32, u32)>,
    comparisons_at: Vec<u64>,
}

impl Counter<'_> {
    fn greater(&mut self, i: usize, j: usize) -> bool {
        self.run.comparisons += 1;
        self.values[i] > self.values[j]
    }

    fn swap(&mut self, i: usize, j: usize) {
        let (a, b) = (i.min(j), i.max(j));
        let pairs = touched_pairs(a, b, self.values.len());
        let before: u64 = pairs.iter().flatten().map(|&p| u64::from(self.values[p + 1] < self.values[p])).sum();
        self.values.swap(a, b);
        let after: u64 = pairs.iter().flatten().map(|&p| u64::from(self.values[p + 1] < self.values[p])).sum();
        self.error = self.error + after - before;
        self.run.swaps += 1;
        self.run.errors.push(self.error);
        if self.trace {
            self.swaps.push((a as u32, b as u32));
            self.comparisons_at.push(self.run.comparisons);
        }
    }
}

/// Sort `values` in place (non-decreasing) with the given algorithm.
pub fn sort(algorithm: Traditional, values: &mut [u32]) -> TraditionalRun {
    run(algorithm, values, false).run
}

/// [`sort`], keeping every swap ([`TracedSort`]).
pub fn sort_traced(algorithm: Traditional, values: &mut [u32]) -> TracedSort {
    run(algorithm, values, true)
}

fn run(algorithm: Traditional, values: &mut [u32], trace: bool) -> TracedSort {
    let error = descents(values);
    let mut c =
        Counter { values, run: TraditionalRun::default(), error, trace, swaps: Vec::new(), comparisons_at: Vec::new() };
    let n = c.values.len();
    match algorithm {
        // Repeated left-to-right passes over adjacent pairs, swapping when left > right, until a
        // pass makes no swap; each pass can stop one place earlier (the largest is in place).
        Algorithm::Bubble => {
            let mut end = n;
            loop {
                let mut swapped = false;
                for i in 1..end {
                    if c.greater(i - 1, i) {
                        c.swap(i - 1, i);
                        swapped = true;
                    }
                }
                end = end.saturating_sub(1);
                if !swapped || end <= 1 {
                    break;
                }
            }
        }
        // The sorted prefix grows from element 0: take the leftmost unsorted element and move
        // it left by adjacent swaps, comparing right to left, to its place.
        Algorithm::Insertion => {
            for i in 1..n {
                let mut j = i;
                while j > 0 && c.greater(j - 1, j) {
                    c.swap(j - 1, j);
                    j -= 1;
                }
            }
        }
        // Find the minimum of the unsorted suffix and swap it into the first unsorted slot
        // (no swap when it is already there).
        Algorithm::Selection => {
            for i in 0..n.saturating_sub(1) {
                let mut min = i;
                for j in i + 1..n {
                    if c.greater(min, j) {
                        min = j;
                    }
                }
                if min != i {
                    c.swap(i, min);
                }
            }
        }
    }
    TracedSort { run: c.run, swaps: c.swaps, comparisons_at: c.comparisons_at }
}

use Traditional as Algorithm;

#[cfg(test)]
mod tests {
    use super::super::metrics::{inversions, monotonicity_error};
    use super::*;
    use crate::core::rng::Rng;

    #[test]
    fn all_three_sort_and_count() {
        let mut rng = Rng::seed_from_u64(8);
        for alg in [Traditional::Bubble, Traditional::Insertion, Traditional::Selection] {
            let mut v: Vec<u32> = (0..100).collect();
            rng.shuffle(&mut v);
            let inv = inversions(&v);
            let run = sort(alg, &mut v);
            assert!(v.windows(2).all(|w| w[0] <= w[1]), "{alg:?}");
            assert_eq!(run.errors.len() as u64, run.swaps);
            assert_eq!(*run.errors.last().unwrap(), 0);
            assert_eq!(monotonicity_error(&v), 0);
            match alg {
                Traditional::Bubble | Traditional::Insertion => assert_eq!(run.swaps, inv),
                Traditional::Selection => assert!(run.swaps < 100),
            }
        }
    }

    #[test]
    fn a_traced_sort_replays_to_the_same_sorted_array() {
        let mut rng = Rng::seed_from_u64(3);
        for alg in [Traditional::Bubble, Traditional::Insertion, Traditional::Selection] {
            let mut v: Vec<u32> = (0..60).collect();
            rng.shuffle(&mut v);
            let initial = v.clone();
            let traced = sort_traced(alg, &mut v);
            assert_eq!(traced.run, sort(alg, &mut initial.clone()), "{alg:?}: the same counts as an untraced sort");
            let mut replay = initial;
            for &(a, b) in &traced.swaps {
                replay.swap(a as usize, b as usize);
            }
            assert_eq!(replay, v, "{alg:?}");
            assert_eq!(traced.swaps.len() as u64, traced.run.swaps);
            assert!(traced.comparisons_at.windows(2).all(|w| w[0] <= w[1]));
            assert!(traced.comparisons_at.last().is_some_and(|&c| c <= traced.run.comparisons));
        }
    }
}
