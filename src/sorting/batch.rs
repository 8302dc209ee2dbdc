//! Batch runs: many independent repetitions and their summary, as the paper reports them
//! (100 repetitions per condition, mean and SD, as in all of the paper's experiments: n = 100
//! distinct values, reshuffled for every repetition).

use super::cellview::{Algotype, StepOutcome};
use super::metrics::{delayed_gratification, sortedness_count, sortedness_percent, DelayedGratification};
use super::setup::SortConfig;
use super::traditional::{self, Traditional};
use crate::core::rng::Rng;
use crate::core::stats::MeanSd;
use serde::Serialize;

/// Points at which the aggregation curve is sampled: p = 0, 0.01, …, 1 of each run's swaps.
pub const AGGREGATION_POINTS: usize = 101;

#[derive(Clone, Debug, PartialEq)]
pub struct BatchConfig {
    pub sort: SortConfig,
    pub seed: u64,
    /// Run the traditional (top-down) algorithm of the single Algotype instead of cells.
    pub traditional: bool,
}

impl BatchConfig {
    pub fn bubble(n: usize, seed: u64) -> Self {
        Self { sort: SortConfig::bubble(n), seed, traditional: false }
    }

    pub fn validate(&self) -> Result<(), String> {
        self.sort.validate()?;
        if self.traditional {
            if self.sort.algotypes.len() != 1 {
                return Err("traditional: name exactly one algorithm".into());
            }
            if self.sort.frozen > 0 {
                return Err("traditional: runs with frozen cells are not in the lab yet (the official \
                            repository does not include the code that made Fig. 5's traditional bars)"
                    .into());
            }
            if !self.sort.decreasing.is_empty() {
                return Err("traditional: decreasing order is for cell-view runs".into());
            }
        }
        Ok(())
    }

    /// Most activations a run may take before it is reported as not finished.
    pub fn max_ticks(&self) -> u64 {
        let n = self.sort.n as u64;
        2_000u64.saturating_mul(n).saturating_mul(n).max(1_000_000)
    }
}

/// The outcome of one run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunResult {
    pub swaps: u64,
    /// Cell-view: swaps + warranted reads (`compare_and_swap_count`). Traditional: swaps +
    /// comparisons.
    pub steps: u64,
    /// Cell activations (0 for traditional runs).
    pub ticks: u64,
    pub final_monotonicity_error: u64,
    pub final_sortedness: f64,
    /// #{i ≥ 1 : V_i ≥ V_{i−1}} at the end ([`sortedness_count`]): the raw count the Fig. 9
    /// analysis prints (`plot_dis_order`, "final monotonicity"), n − 1 when sorted upward.
    pub final_in_order_pairs: u64,
    pub sorted: bool,
    /// The run ended by its stop rule (not by the tick limit).
    pub finished: bool,
    pub delayed_gratification: f64,
    /// Distinct frozen cells (fewer than k when placement draws with replacement repeat).
    pub distinct_frozen: usize,
    /// Aggregation at 101 points of the run's swaps (empty for traditional runs and runs
    /// without swaps; trivially (n − 1)/n for one Algotype).
    pub aggregation: Vec<f64>,
    /// The run's maximum aggregation over all its swaps (`get_max_aggregation_value`).
    pub max_aggregation: Option<f64>,
    /// Final per-Algotype sortedness: non-descending adjacent pairs within each Algotype's
    /// subsequence (Fig. 8D).
    pub per_algotype: Vec<(Algotype, u64)>,
}

/// Run number `index` of a batch. Each run has its own stream `Rng::for_stream(seed, index)`,
/// so a batch gives the same numbers however it is split across workers.
pub fn run_one(config: &BatchConfig, index: u64) -> Result<RunResult, String> {
    config.validate()?;
    let rng = Rng::for_stream(config.seed, index);
    if config.traditional {
        return Ok(run_traditional(config, rng));
    }
    let mut array = config.sort.build(rng)?;
    let n = array.len();
    // DG is summed as the errors come (no series kept).
    let mut dg = DelayedGratification::default();
    // An array of one Algotype keeps its aggregation (n − 1)/n through every swap: no series.
    // Otherwise room for the inversions of a random permutation (n(n − 1)/4 on average).
    let one_type = array.cells().windows(2).all(|w| w[0].label == w[1].label);
    let mut aggregations = Vec::with_capacity(if one_type { 0 } else { (n * n / 2).min(1 << 20) });
    let limit = config.max_ticks();
    array.run_swaps(limit.saturating_sub(array.ticks()), |goal_error, same_type| {
        dg.push(goal_error);
        if !one_type {
            aggregations.push(same_type as f64 / n as f64);
        }
    });
    if one_type && array.swaps() > 0 {
        // The same values the series would hold: sampling a constant gives the constant.
        aggregations = vec![array.same_type_pairs() as f64 / n as f64];
    }
    let mut per_algotype = Vec::new();
    for (a, _) in &config.sort.algotypes {
        let sub: Vec<u32> = array.cells().iter().filter(|c| c.algotype == *a).map(|c| c.value).collect();
        per_algotype.push((*a, sortedness_count(&sub)));
    }
    let sampled = sample_curve(&aggregations);
    Ok(RunResult {
        swaps: array.swaps(),
        steps: array.steps(),
        ticks: array.ticks(),
        final_monotonicity_error: array.goal_error(),
        final_sortedness: array.sortedness_percent(),
        final_in_order_pairs: sortedness_count(&array.values()),
        sorted: array.goal_error() == 0,
        finished: array.is_done(),
        delayed_gratification: dg.finish(),
        distinct_frozen: array.cells().iter().filter(|c| c.frozen).count(),
        max_aggregation: aggregations.iter().copied().reduce(f64::max),
        aggregation: sampled,
        per_algotype,
    })
}

/// The sortedness trajectory of run `index` (Fig. 3, "problem-space traversal"): sortedness %
/// after each swap, starting with the initial array, thinned to at most `max_points` evenly
/// spaced points (the first and last always kept). Returns (swap index, sortedness).
pub fn trajectory(config: &BatchConfig, index: u64, max_points: usize) -> Result<(Vec<f64>, Vec<f64>), String> {
    config.validate()?;
    let mut rng = Rng::for_stream(config.seed, index);
    let n = config.sort.n;
    let mut errors: Vec<u64>;
    if config.traditional {
        let mut values = config.sort.initial_values(&mut rng);
        errors = vec![super::metrics::descents(&values)];
        errors.extend(traditional::sort(Traditional::of(config.sort.algotypes[0].0), &mut values).errors);
    } else {
        let mut array = config.sort.build(rng)?;
        errors = vec![array.goal_error()];
        let limit = config.max_ticks();
        while array.step_swap(limit.saturating_sub(array.ticks())) == StepOutcome::Swapped {
            errors.push(array.goal_error());
        }
    }
    let len = errors.len();
    let keep = max_points.max(2).min(len);
    let picks: Vec<usize> = (0..keep).map(|k| if keep == 1 { 0 } else { k * (len - 1) / (keep - 1) }).collect();
    let xs = picks.iter().map(|&i| i as f64).collect();
    let ys = picks.iter().map(|&i| sortedness_percent(n, errors[i])).collect();
    Ok((xs, ys))
}

/// A = aggregation after each swap, sampled at index ⌊(L−1)·p⌋ for p = 0, 0.01, …, 1.
fn sample_curve(series: &[f64]) -> Vec<f64> {
    if series.is_empty() {
        return Vec::new();
    }
    let last = (series.len() - 1) as f64;
    (0..AGGREGATION_POINTS)
        .map(|k| series[(last * k as f64 / (AGGREGATION_POINTS - 1) as f64).floor() as usize])
        .collect()
}

fn run_traditional(config: &BatchConfig, mut rng: Rng) -> RunResult {
    let n = config.sort.n;
    let mut values = config.sort.initial_values(&mut rng);
    let run = traditional::sort(Traditional::of(config.sort.algotypes[0].0), &mut values);
    let error = run.errors.last().copied().unwrap_or_else(|| super::metrics::descents(&values));
    RunResult {
        swaps: run.swaps,
        steps: run.swaps + run.comparisons,
        ticks: 0,
        final_monotonicity_error: error,
        final_sortedness: sortedness_percent(n, error),
        final_in_order_pairs: sortedness_count(&values),
        sorted: error == 0,
        finished: true,
        delayed_gratification: delayed_gratification(&run.errors),
        distinct_frozen: 0,
        aggregation: Vec::new(),
        max_aggregation: None,
        per_algotype: vec![(config.sort.algotypes[0].0, sortedness_count(&values))],
    }
}

/// Aggregation over runs (Fig. 8; for one Algotype it is the constant (n − 1)/n).
#[derive(Clone, Debug, Serialize)]
pub struct AggregationSummary {
    /// Mean A at 0% and 100% of the swaps.
    pub start: f64,
    pub end: f64,
    /// Peak definition (a): the maximum of the mean curve, and where it is (% of swaps).
    pub peak_of_mean: f64,
    pub peak_at_percent: f64,
    /// Peak definition (b): the mean over runs of each run's maximum A.
    pub mean_of_run_peaks: f64,
    /// The SD over runs of each run's maximum A (population SD, as [`MeanSd`]).
    pub run_peaks_sd: f64,
    /// 101 means, at 0, 1, …, 100% of the swaps.
    pub curve: Vec<f64>,
}

/// The summary the CLI prints and the page's batch table shows.
#[derive(Clone, Debug, Serialize)]
pub struct BatchSummary {
    pub runs: usize,
    pub n: usize,
    pub seed: String,
    pub algotypes: Vec<(Algotype, usize)>,
    pub traditional: bool,
    pub swaps: MeanSd,
    /// Swaps + reads (cell-view: `compare_and_swap_count`; traditional: swaps + comparisons).
    pub steps: MeanSd,
    /// Cell activations (ticks of the random scheduler; the port's own time scale).
    pub ticks: MeanSd,
    pub final_sortedness: MeanSd,
    /// The code's raw sortedness count at the end (see [`RunResult::final_in_order_pairs`]).
    pub final_in_order_pairs: MeanSd,
    pub final_monotonicity_error: MeanSd,
    pub delayed_gratification: MeanSd,
    pub fully_sorted_share: f64,
    /// Runs stopped by the tick limit rather than their stop rule.
    pub unfinished_runs: usize,
    pub distinct_frozen: MeanSd,
    pub aggregation: Option<AggregationSummary>,
    pub per_algotype_sortedness: Vec<(Algotype, MeanSd)>,
}

pub fn summarize(config: &BatchConfig, results: &[RunResult]) -> BatchSummary {
    let stat = |f: &dyn Fn(&RunResult) -> f64| MeanSd::of(results.iter().map(f));
    let aggregation = (!config.traditional && !results.is_empty()).then(|| {
        let curves: Vec<&Vec<f64>> = results.iter().map(|r| &r.aggregation).filter(|c| !c.is_empty()).collect();
        let curve: Vec<f64> = (0..AGGREGATION_POINTS).map(|k| MeanSd::of(curves.iter().map(|c| c[k])).mean).collect();
        let (peak_index, peak) =
            curve
                .iter()
                .copied()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (i, v)| if v > best.1 { (i, v) } else { best });
        let run_peaks = MeanSd::of(results.iter().filter_map(|r| r.max_aggregation));
        AggregationSummary {
            start: curve.first().copied().unwrap_or(f64::NAN),
            end: curve.last().copied().unwrap_or(f64::NAN),
            peak_of_mean: peak,
            peak_at_percent: peak_index as f64,
            mean_of_run_peaks: run_peaks.mean,
            run_peaks_sd: run_peaks.sd,
            curve,
        }
    });
    BatchSummary {
        runs: results.len(),
        n: config.sort.n,
        seed: config.seed.to_string(),
        algotypes: config.sort.counts(),
        traditional: config.traditional,
        swaps: stat(&|r| r.swaps as f64),
        steps: stat(&|r| r.steps as f64),
        ticks: stat(&|r| r.ticks as f64),
        final_sortedness: stat(&|r| r.final_sortedness),
        final_in_order_pairs: stat(&|r| r.final_in_order_pairs as f64),
        final_monotonicity_error: stat(&|r| r.final_monotonicity_error as f64),
        delayed_gratification: stat(&|r| r.delayed_gratification),
        fully_sorted_share: if results.is_empty() {
            f64::NAN
        } else {
            results.iter().filter(|r| r.sorted).count() as f64 / results.len() as f64
        },
        unfinished_runs: results.iter().filter(|r| !r.finished).count(),
        distinct_frozen: stat(&|r| r.distinct_frozen as f64),
        aggregation,
        per_algotype_sortedness: config
            .sort
            .algotypes
            .iter()
            .enumerate()
            .map(|(k, (a, _))| (*a, MeanSd::of(results.iter().map(|r| r.per_algotype[k].1 as f64))))
            .collect(),
    }
}

pub fn run_batch(config: &BatchConfig, runs: usize) -> Result<BatchSummary, String> {
    config.validate()?;
    let results = (0..runs as u64).map(|i| run_one(config, i)).collect::<Result<Vec<_>, _>>()?;
    Ok(summarize(config, &results))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each cell-view bubble swap removes one inversion (docs/sorting.md, "Bubble cells"), so with
    /// distinct values, swaps = inversions of a uniform random permutation, whose mean is
    /// n(n−1)/4 = 2475 and SD sqrt(n(n−1)(2n+5)/72) ≈ 167.9 for n = 100. Over R = 100 runs the
    /// sample mean has standard error 167.9/√100 ≈ 16.8; we accept 4 standard errors (two-sided
    /// false-alarm rate ≈ 6e-5). The paper's printed cell-view bubble mean, 2448.8 (p.13), lies
    /// within 2 SE of 2475.
    #[test]
    fn mean_swaps_match_inversion_theory_at_n100() {
        let s = run_batch(&BatchConfig::bubble(100, 1), 100).unwrap();
        let n = 100.0f64;
        let mean = n * (n - 1.0) / 4.0;
        let sd = (n * (n - 1.0) * (2.0 * n + 5.0) / 72.0).sqrt();
        assert!((s.swaps.mean - mean).abs() < 4.0 * sd / 10.0, "{:?}", s.swaps);
        // The SD itself: for R = 100 the sample SD's standard error is about sd/√(2R) ≈ 0.07·sd;
        // allow 4 of those.
        assert!((s.swaps.sd - sd).abs() < 4.0 * sd / (200.0f64).sqrt(), "{:?}", s.swaps);
        assert_eq!(s.final_monotonicity_error.mean, 0.0);
        assert_eq!(s.fully_sorted_share, 1.0);
        // Reads are checked exactly against their model in
        // `cellview::tests::reads_between_swaps_are_geometric_with_mean_c_over_d`, and under
        // `threads` against the official runs (tests/sorting_scheduler.rs).
    }

    #[test]
    fn batches_are_reproducible_and_chunkable() {
        let c = BatchConfig::bubble(50, 9);
        let whole: Vec<RunResult> = (0..10).map(|i| run_one(&c, i).unwrap()).collect();
        let again: Vec<RunResult> = (5..10).chain(0..5).map(|i| run_one(&c, i).unwrap()).collect();
        assert_eq!(whole[..5], again[5..]);
        assert_eq!(whole[5..], again[..5]);
    }
}
