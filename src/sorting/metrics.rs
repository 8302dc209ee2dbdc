//! Metrics of the sorting paper, exactly as its analysis code computes them (docs/sorting.md,
//! "Metrics, exactly as the analysis code computes them").

/// Monotonicity error (paper p.9): E = Σ_{i≥1} [V_i < V_{i−1}], the number of adjacent
/// descents of an increasing goal (`delay_gratification_analysis.get_monotonicity`).
pub fn monotonicity_error(values: &[u32]) -> u64 {
    values.windows(2).filter(|w| w[1] < w[0]).count() as u64
}

/// Adjacent descents, V_i < V_{i−1}: the monotonicity error of an increasing goal.
pub fn descents(values: &[u32]) -> u64 {
    monotonicity_error(values)
}

/// Sortedness in percent, the code's definition used for Figs. 3 and 5
/// (`analysis/utils.get_monotonicity`): S = 100·(1 + #{i ≥ 1 : V_i ≥ V_{i−1}})/n, i.e. the first
/// cell counts as in order and the test is non-strict. Equivalently S = 100·(n − E)/n.
pub fn sortedness_percent(n: usize, monotonicity_error: u64) -> f64 {
    if n == 0 {
        return 100.0;
    }
    100.0 * (n as f64 - monotonicity_error as f64) / n as f64
}

/// The raw sortedness count the chimera plots use (Figs. 8/9, `cell_type_aggregation_analysis.py`):
/// #{i ≥ 1 : V_i ≥ V_{i−1}}, from 0 to n − 1.
pub fn sortedness_count(values: &[u32]) -> u64 {
    values.windows(2).filter(|w| w[1] >= w[0]).count() as u64
}

/// Aggregation value, code definition (`get_aggregation_value_avg` in the official analysis code):
/// A = (1/n)·#{i < n−1 : type_i = type_{i+1}}. Only the right neighbour is compared and the last
/// cell scores 0, so the denominator is n.
pub fn aggregation<T: PartialEq>(types: &[T]) -> f64 {
    if types.is_empty() {
        return 0.0;
    }
    types.windows(2).filter(|w| w[0] == w[1]).count() as f64 / types.len() as f64
}

/// Delayed gratification of one run (paper p.9 and Fig. 6D), with the official procedure
/// `avg_wandering_range` and its corner cases (docs/sorting.md, "Metrics"):
/// 1. `errors` is the monotonicity error after every swap;
/// 2. consecutive duplicates are dropped; 3. first differences are taken;
/// 4. consecutive same-sign differences merge into runs d_1, d_2, … alternating in sign;
/// 5. start at the first positive run (an error increase);
/// 6. each pair (d_i > 0, d_{i+1} < 0) scores (|d_{i+1}| − d_i)/d_i;
/// 7. the run's DG is the mean over pairs.
///
/// Corner cases copied from the code: no swaps → 0; no positive run, or a first positive run
/// that is the last run → 0 (`if i >= len(d_arr) - 1: return 0`; a first positive run that is
/// next-to-last is scored: one pair); a series ending on a positive run returns the **sum** of
/// the pair scores instead of the mean (a bug in the official code, kept for fidelity).
pub fn delayed_gratification(errors: &[u64]) -> f64 {
    let mut dg = DelayedGratification::default();
    for &e in errors {
        dg.push(e);
    }
    dg.finish()
}

/// [`delayed_gratification`] one error at a time, in constant memory: a run loop feeds it the
/// error after each swap instead of keeping the series. The same steps in the same order (so
/// the same bits): duplicates dropped, differences merged into same-sign runs, and each run
/// after the first positive one paired with the next as it closes.
#[derive(Clone, Debug, Default)]
pub struct DelayedGratification {
    /// The last error kept (after dropping consecutive duplicates).
    last: Option<i64>,
    /// The run being summed (not closed yet).
    open: Option<i64>,
    /// Closed runs from the first positive one on (0 before it).
    from_start: usize,
    /// The positive run waiting for its negative partner.
    pending: Option<i64>,
    /// The pair scores so far, summed in order, and their number.
    sum: f64,
    scores: usize,
}

impl DelayedGratification {
    /// The monotonicity error after the next swap.
    #[inline]
    pub fn push(&mut self, error: u64) {
        let e = error as i64;
        let Some(last) = self.last else {
            self.last = Some(e);
            return;
        };
        if e == last {
            return;
        }
        self.last = Some(e);
        let d = e - last;
        match &mut self.open {
            Some(run) if (*run > 0) == (d > 0) => *run += d,
            open => {
                if let Some(run) = open.replace(d) {
                    self.close(run);
                }
            }
        }
    }

    fn close(&mut self, run: i64) {
        if self.from_start == 0 && run <= 0 {
            return; // before the first positive run
        }
        self.from_start += 1;
        match self.pending.take() {
            // Runs alternate in sign, so this one is negative.
            Some(up) => {
                self.sum += (run.unsigned_abs() as f64 - up as f64) / up as f64;
                self.scores += 1;
            }
            None => self.pending = Some(run),
        }
    }

    /// The run's DG, with the official corner cases (see [`delayed_gratification`]).
    pub fn finish(mut self) -> f64 {
        let last_positive = self.open.is_some_and(|run| run > 0);
        if let Some(run) = self.open.take() {
            self.close(run);
        }
        // `if i >= len(d_arr) - 1: return 0` in `avg_wandering_range`, i the first positive
        // run: fewer than two runs from the start (no positive run, or it is the last one).
        if self.from_start < 2 || self.scores == 0 {
            return 0.0;
        }
        if last_positive {
            self.sum
        } else {
            self.sum / self.scores as f64
        }
    }
}

/// The distinct adjacent pairs (p, p+1) of an n-array that a swap of positions `a < b` can
/// change: those touching `a` or `b` (three for an adjacent swap, up to four otherwise).
pub fn touched_pairs(a: usize, b: usize, n: usize) -> [Option<usize>; 4] {
    let mut pairs = [None; 4];
    let mut count = 0;
    if b == a + 1 {
        // The common adjacent swap: pairs a−1, a, a+1 where they exist.
        for p in a.saturating_sub(1)..=(a + 1).min(n.saturating_sub(2)) {
            pairs[count] = Some(p);
            count += 1;
        }
        return pairs;
    }
    for p in [a.wrapping_sub(1), a, b.wrapping_sub(1), b] {
        if p != usize::MAX && p + 1 < n && !pairs[..count].contains(&Some(p)) {
            pairs[count] = Some(p);
            count += 1;
        }
    }
    pairs
}

/// Number of inversions, pairs i < j with V_i > V_j, by merge sort in O(n log n). With distinct
/// values every adjacent swap of an inverted pair removes exactly one inversion, so this is
/// the exact swap count of cell-view bubble and insertion sort (as in every run of the official code).
pub fn inversions(values: &[u32]) -> u64 {
    let mut v = values.to_vec();
    let mut buf = vec![0u32; v.len()];
    count_merge(&mut v, &mut buf)
}

fn count_merge(v: &mut [u32], buf: &mut [u32]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut count = {
        let (left, right) = v.split_at_mut(mid);
        count_merge(left, &mut buf[..mid]) + count_merge(right, &mut buf[mid..])
    };
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if v[j] < v[i] {
            count += (mid - i) as u64;
            buf[k] = v[j];
            j += 1;
        } else {
            buf[k] = v[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
    k += mid - i;
    buf[k..k + n - j].copy_from_slice(&v[j..n]);
    v.copy_from_slice(&buf[..n]);
    count
}

#[cfg(test)]
mod tests {
    use crate::core::rng::Rng;

    /// The official `avg_wandering_range` in batch form (as [`delayed_gratification`] was before
    /// it streamed), kept as the reference.
    fn dg_reference(errors: &[u64]) -> f64 {
        let mut deduped: Vec<i64> = Vec::with_capacity(errors.len());
        for &e in errors {
            if deduped.last() != Some(&(e as i64)) {
                deduped.push(e as i64);
            }
        }
        let mut runs: Vec<i64> = Vec::new();
        for w in deduped.windows(2) {
            let d = w[1] - w[0];
            match runs.last_mut() {
                Some(last) if (*last > 0) == (d > 0) => *last += d,
                _ => runs.push(d),
            }
        }
        let Some(start) = runs.iter().position(|&d| d > 0) else { return 0.0 };
        // `if i >= len(d_arr) - 1: return 0` (avg_wandering_range).
        if start + 1 >= runs.len() {
            return 0.0;
        }
        let scores: Vec<f64> = runs[start..]
            .chunks(2)
            .filter(|pair| pair.len() == 2)
            .map(|pair| (pair[1].unsigned_abs() as f64 - pair[0] as f64) / pair[0] as f64)
            .collect();
        if scores.is_empty() {
            return 0.0;
        }
        let sum: f64 = scores.iter().sum();
        if runs.last().is_some_and(|&d| d > 0) {
            sum
        } else {
            sum / scores.len() as f64
        }
    }

    #[test]
    fn streaming_dg_matches_the_batch_form_bit_for_bit() {
        let mut rng = Rng::seed_from_u64(11);
        for case in 0..3000 {
            let len = rng.below(40) as usize;
            let mut e = rng.below(20) as i64;
            let series: Vec<u64> = (0..len)
                .map(|_| {
                    e = (e + rng.below(7) as i64 - 3).max(0);
                    e as u64
                })
                .collect();
            let (a, b) = (delayed_gratification(&series), dg_reference(&series));
            assert_eq!(a.to_bits(), b.to_bits(), "case {case}: {series:?}: {a} vs {b}");
        }
    }

    use super::*;

    #[test]
    fn error_and_sortedness() {
        let v = [3, 1, 2, 2, 0];
        assert_eq!(monotonicity_error(&v), 2);
        // code definition: 100·(1 + #{V_i ≥ V_{i−1}})/n = 100·(1+2)/5
        assert_eq!(sortedness_percent(5, 2), 60.0);
    }

    #[test]
    fn delayed_gratification_follows_the_code() {
        // E: 5 6 7 4 3 5 2 → dedup same; diffs +1 +1 −3 −1 +2 −3 → runs +2 −4 +2 −3.
        // Pairs (2, −4): (4 − 2)/2 = 1; (2, −3): (3 − 2)/2 = 0.5. Mean 0.75.
        assert_eq!(delayed_gratification(&[5, 6, 7, 4, 3, 5, 2]), 0.75);
        // Ends on a positive run: runs −1 +2 −4 +1 → pair (2, −4) = 1, then the code sums: 1.
        assert_eq!(delayed_gratification(&[5, 4, 6, 2, 3]), 1.0);
        // First positive run next-to-last: runs −1 +2 −4, one pair (2, −4) = 1 (the official
        // code returns 0 only when the first positive run is the last one).
        assert_eq!(delayed_gratification(&[5, 4, 6, 2]), 1.0);
        // First positive run last → 0: runs −1 −… +3.
        assert_eq!(delayed_gratification(&[5, 4, 7]), 0.0);
        // Monotone decrease (no increase at all) and no swaps → 0.
        assert_eq!(delayed_gratification(&[5, 4, 3]), 0.0);
        assert_eq!(delayed_gratification(&[]), 0.0);
    }

    #[test]
    fn aggregation_matches_the_worked_example() {
        // Fig. 8C legend: the same-type share of adjacent pairs; code divides by n.
        assert_eq!(aggregation(&['a', 'a', 'b', 'b', 'b']), 3.0 / 5.0);
        assert_eq!(aggregation(&['a', 'b', 'a']), 0.0);
        assert_eq!(sortedness_count(&[1, 1, 0, 2]), 2);
    }

    #[test]
    fn inversions_match_brute_force() {
        let mut rng = crate::core::rng::Rng::seed_from_u64(11);
        for n in [0usize, 1, 2, 7, 64, 101] {
            let mut v: Vec<u32> = (0..n as u32).map(|_| rng.below(20) as u32).collect();
            rng.shuffle(&mut v);
            let brute =
                (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).filter(|&(i, j)| v[i] > v[j]).count() as u64;
            assert_eq!(inversions(&v), brute);
        }
    }
}
