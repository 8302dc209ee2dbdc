//! "Reproduce the paper": the conditions behind Figs. 4, 5, 7 and 8 of Zhang, Goldstein &
//! Levin (arXiv 2401.05375), each with the paper's printed or read-off value beside ours
//! (docs/sorting.md, "Reproductions"). Used by the CLI (`sorting reproduce`) and the page.

use super::batch::{run_one, summarize, BatchConfig, BatchSummary, RunResult};
use super::cellview::{Algotype, FrozenKind, StopRule};
use super::setup::{SortConfig, Values};
use crate::core::stats::MeanSd;
use serde::Serialize;

pub const FIGURES: &[&str] = &["fig4", "fig5", "fig7", "fig8", "fig9"];

/// What a row reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Swaps,
    SwapsAndReads,
    FinalMonotonicityError,
    FinalSortedness,
    /// The raw count #{V_i ≥ V_{i−1}} that `plot_dis_order` prints for Fig. 9.
    FinalInOrderPairs,
    DelayedGratification,
    AggregationPeakOfMean,
    AggregationPeakAtPercent,
    AggregationMeanOfRunPeaks,
    AggregationEnd,
}

impl Metric {
    pub fn label(self) -> &'static str {
        match self {
            Metric::Swaps => "swaps",
            Metric::SwapsAndReads => "swaps + reads",
            Metric::FinalMonotonicityError => "final monotonicity error",
            Metric::FinalSortedness => "final sortedness % (increasing sense)",
            Metric::FinalInOrderPairs => "final in-order adjacent pairs (the code's sortedness count, of n − 1)",
            Metric::DelayedGratification => "delayed gratification",
            Metric::AggregationPeakOfMean => "aggregation: peak of the mean curve",
            Metric::AggregationPeakAtPercent => "aggregation: peak at % of swaps",
            Metric::AggregationMeanOfRunPeaks => "aggregation: mean of run peaks",
            Metric::AggregationEnd => "aggregation at 100%",
        }
    }

    /// Mean and SD over runs where they exist; curve statistics have no SD (NaN).
    fn of(self, s: &BatchSummary) -> MeanSd {
        let only = |mean: f64| MeanSd { mean, sd: f64::NAN };
        let agg = s.aggregation.as_ref();
        match self {
            Metric::Swaps => s.swaps,
            Metric::SwapsAndReads => s.steps,
            Metric::FinalMonotonicityError => s.final_monotonicity_error,
            Metric::FinalSortedness => s.final_sortedness,
            Metric::FinalInOrderPairs => s.final_in_order_pairs,
            Metric::DelayedGratification => s.delayed_gratification,
            Metric::AggregationPeakOfMean => only(agg.map_or(f64::NAN, |a| a.peak_of_mean)),
            Metric::AggregationPeakAtPercent => only(agg.map_or(f64::NAN, |a| a.peak_at_percent)),
            Metric::AggregationMeanOfRunPeaks => {
                agg.map_or(only(f64::NAN), |a| MeanSd { mean: a.mean_of_run_peaks, sd: a.run_peaks_sd })
            }
            Metric::AggregationEnd => only(agg.map_or(f64::NAN, |a| a.end)),
        }
    }
}

/// The paper's number for a row: a value, or only a note when there is none to compare.
#[derive(Clone, Debug, Serialize)]
pub struct Paper {
    pub value: Option<f64>,
    /// How the paper gives it ("text p.13", "read off Fig. 4A, ±50", …).
    pub note: &'static str,
}

const fn printed(value: f64, note: &'static str) -> Paper {
    Paper { value: Some(value), note }
}

/// One experimental condition of a figure.
#[derive(Clone, Debug)]
pub struct Condition {
    pub figure: &'static str,
    pub label: String,
    pub config: BatchConfig,
    pub rows: Vec<(Metric, Paper)>,
}

/// One line of a reproduction table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub figure: &'static str,
    pub condition: String,
    pub metric: Metric,
    pub label: &'static str,
    pub runs: usize,
    /// Under the `uniform` scheduler (and for traditional runs, which have none).
    pub ours: MeanSd,
    /// Under the `threads` scheduler, for cell-view conditions whose rows depend on the order of
    /// activations (docs/sorting-scheduler.md); `None` where they do not (see `independent`).
    pub threads: Option<MeanSd>,
    /// The value cannot depend on the scheduler: bubble and insertion swaps equal the initial
    /// inversions, traditional runs have no scheduler, and immovable frozen cells end in the
    /// same state (docs/sorting-scheduler.md, "What moves").
    pub independent: bool,
    /// The official code run here (`docs/data/official-traces.json`), where it was recorded.
    pub official: Option<Official>,
    pub paper: Paper,
}

/// A statistic of the official code's runs recorded on this kind of machine.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Official {
    pub mean: f64,
    /// Standard error of the mean (NaN for curve statistics).
    pub se: f64,
    pub runs: u32,
}

/// The recorded official statistic behind a row, if any: the condition's recorded name and the
/// statistic (see `scripts/record_official_traces.py`).
fn official_for(figure: &str, condition: &str, metric: Metric) -> Option<Official> {
    let recorded = match (figure, condition) {
        ("fig4", c) => c.strip_suffix(" cell-view")?.to_string(),
        ("fig7", c) => {
            let (a, k) = c.split_once(" cell-view immovable k=")?;
            match k {
                "0" => a.to_string(),
                "3" => format!("{a}, 3 immovable frozen"),
                _ => return None,
            }
        }
        ("fig8", c) => c.strip_prefix("pure ").unwrap_or(c).to_string(),
        _ => return None,
    };
    let stat = match metric {
        Metric::Swaps => "swaps",
        Metric::SwapsAndReads => "reads",
        Metric::DelayedGratification => "dg",
        Metric::AggregationPeakOfMean => "peak_of_mean",
        Metric::AggregationPeakAtPercent => "peak_at_percent",
        Metric::AggregationMeanOfRunPeaks => "mean_of_run_peaks",
        _ => return None,
    };
    super::scheduler::official(&recorded, stat).map(|(mean, se, runs)| Official { mean, se, runs })
}

/// Whether a row's value is the same under every scheduler (see [`Row::independent`]).
/// Pure increasing insertion without frozen cells, or with immovable ones, is wholly
/// independent: only the right cell of the first out-of-order pair of active neighbours can swap
/// (a cell after an immovable frozen cell only nudges it), so the swaps come in the same order
/// whoever is activated (`tests/sorting_scheduler.rs` checks it run by run). With movable frozen
/// cells a second cell can swap (with the frozen cell to its left), and the order matters.
fn independent(config: &BatchConfig, metric: Metric) -> bool {
    let sort = &config.sort;
    let one = |a: Algotype| sort.algotypes.len() == 1 && sort.algotypes[0].0 == a;
    let unfrozen = sort.frozen == 0 && sort.frozen_at.is_none();
    let plain = unfrozen && sort.decreasing.is_empty();
    let insertion_alone = one(Algotype::Insertion)
        && sort.decreasing.is_empty()
        && sort.unfreeze_after == 0
        && (unfrozen || sort.frozen_kind == FrozenKind::Immovable);
    config.traditional
        || (metric == Metric::Swaps && plain && one(Algotype::Bubble))
        || insertion_alone
        || (metric == Metric::FinalMonotonicityError && sort.frozen_kind == FrozenKind::Immovable)
}

impl Condition {
    /// Whether the condition also runs under `threads`: a cell-view run with a row that can
    /// depend on the scheduler.
    pub fn runs_threads(&self) -> bool {
        !self.config.traditional && self.rows.iter().any(|(m, _)| !independent(&self.config, *m))
    }

    /// The condition's configuration under `scheduler`.
    pub fn config_for(&self, scheduler: super::scheduler::Scheduler) -> BatchConfig {
        let mut config = self.config.clone();
        config.sort.scheduler = scheduler;
        config
    }
}

fn config(algotypes: &[Algotype], frozen: usize, kind: FrozenKind, stop: StopRule) -> SortConfig {
    SortConfig {
        n: 100,
        values: Values::Distinct,
        initial: None,
        frozen_at: None,
        stall_sweeps: super::setup::DEFAULT_STALL_SWEEPS,
        unfreeze_after: 0,
        scheduler: super::scheduler::Scheduler::Uniform,
        two_labels: false,
        algotypes: algotypes.iter().map(|a| (*a, 1)).collect(),
        decreasing: Vec::new(),
        frozen,
        frozen_kind: kind,
        placement: super::setup::Placement::Replacement,
        stop,
    }
}

fn cell(sort: SortConfig, seed: u64) -> BatchConfig {
    BatchConfig { sort, seed, traditional: false }
}

fn traditional(a: Algotype, seed: u64) -> BatchConfig {
    BatchConfig { sort: config(&[a], 0, FrozenKind::Movable, StopRule::Official), seed, traditional: true }
}

use Algotype::{Bubble as B, Insertion as I, Selection as S};

/// The conditions of one figure. Fig. 9 (opposite goals) is not available yet.
pub fn conditions(figure: &str, seed: u64) -> Result<Vec<Condition>, String> {
    let mut out = Vec::new();
    let name = |a: Algotype| a.id();
    match figure {
        "fig4" => {
            // Efficiency (Fig. 4; text p.11). Bars read off Fig. 4 (about ±50); cell-view swap means
            // from the text (p.13).
            let paper: [(Algotype, Paper, Paper, Paper, Paper); 3] = [
                (
                    B,
                    printed(2450.0, "≈, Fig. 4A"),
                    printed(2448.8, "text p.13"),
                    printed(7450.0, "≈, Fig. 4B"),
                    printed(4900.0, "≈, Fig. 4B"),
                ),
                (
                    I,
                    printed(2450.0, "≈, Fig. 4A"),
                    printed(2482.8, "text p.13"),
                    printed(5080.0, "≈, Fig. 4B"),
                    printed(2500.0, "≈, Fig. 4B"),
                ),
                (
                    S,
                    Paper { value: None, note: "≈95–100, Fig. 4A" },
                    printed(1095.5, "text p.13"),
                    printed(5150.0, "≈, Fig. 4B"),
                    printed(6050.0, "≈, Fig. 4B"),
                ),
            ];
            for (a, ts, cs, tr, cr) in paper {
                out.push(Condition {
                    figure: "fig4",
                    label: format!("{} traditional", name(a)),
                    config: traditional(a, seed),
                    rows: vec![(Metric::Swaps, ts), (Metric::SwapsAndReads, tr)],
                });
                out.push(Condition {
                    figure: "fig4",
                    label: format!("{} cell-view", name(a)),
                    config: cell(config(&[a], 0, FrozenKind::Movable, StopRule::Official), seed),
                    rows: vec![(Metric::Swaps, cs), (Metric::SwapsAndReads, cr)],
                });
            }
        }
        "fig5" => {
            // Error tolerance (Fig. 5; text pp.11–12): cell-view values printed on the bars. The
            // movable numbers depend on the official 1 s stop poll (docs/sorting.md, "Stop rules"),
            // so both stop rules run.
            let movable = [(B, [0.0, 0.8, 2.64]), (I, [1.67, 5.28, 9.96]), (S, [2.24, 4.36, 13.24])];
            let immovable = [(B, [1.91, 3.72, 5.37]), (I, [1.83, 3.65, 5.33]), (S, [1.0, 1.96, 2.91])];
            for (a, values) in immovable {
                for k in 1..=3 {
                    out.push(Condition {
                        figure: "fig5",
                        label: format!("{} immovable k={k}", name(a)),
                        config: cell(config(&[a], k, FrozenKind::Immovable, StopRule::Official), seed),
                        rows: vec![(Metric::FinalMonotonicityError, printed(values[k - 1], "Fig. 5C"))],
                    });
                }
            }
            for (a, values) in movable {
                for k in 1..=3 {
                    for stop in [StopRule::Official, StopRule::Complete] {
                        out.push(Condition {
                            figure: "fig5",
                            label: format!(
                                "{} movable k={k} stop={}",
                                name(a),
                                if stop == StopRule::Official { "official" } else { "complete" }
                            ),
                            config: cell(config(&[a], k, FrozenKind::Movable, stop), seed),
                            rows: vec![(
                                Metric::FinalMonotonicityError,
                                printed(values[k - 1], "Fig. 5B (not reproducible, see docs/sorting.md)"),
                            )],
                        });
                    }
                }
            }
        }
        "fig7" => {
            // Delayed gratification vs frozen cells (Fig. 7; text p.12); Fig. 7 matches immovable cells
            // (docs/sorting.md, "What running the official code showed"). Traditional runs with
            // frozen cells are not in the lab yet.
            let cellv = [(B, [0.24, 0.29, 0.32, 0.37]), (I, [1.10, 1.13, 1.15, 1.19]), (S, [3.33, 3.39, 3.30, 3.07])];
            let trad = [(B, 0.08), (I, 1.08), (S, 6.1)];
            for (a, v) in trad {
                out.push(Condition {
                    figure: "fig7",
                    label: format!("{} traditional k=0", name(a)),
                    config: traditional(a, seed),
                    rows: vec![(Metric::DelayedGratification, printed(v, "Fig. 7"))],
                });
            }
            for (a, values) in cellv {
                for (k, value) in values.into_iter().enumerate() {
                    out.push(Condition {
                        figure: "fig7",
                        label: format!("{} cell-view immovable k={k}", name(a)),
                        config: cell(config(&[a], k, FrozenKind::Immovable, StopRule::Official), seed),
                        rows: vec![(Metric::DelayedGratification, printed(value, "Fig. 7"))],
                    });
                }
            }
        }
        "fig8" => {
            // Chimeric arrays (Fig. 8; text pp.12–14): swaps (text p.13), aggregation peaks (a) read off
            // Fig. 8A and (b) from the text p.14; three types use 150 cells.
            let pure = [(B, 2448.8), (I, 2482.8), (S, 1095.5)];
            for (a, v) in pure {
                out.push(Condition {
                    figure: "fig8",
                    label: format!("pure {}", name(a)),
                    config: cell(config(&[a], 0, FrozenKind::Movable, StopRule::Official), seed),
                    rows: vec![(Metric::Swaps, printed(v, "text p.13"))],
                });
            }
            let mixes: [(&[Algotype], f64, f64, f64, f64); 4] = [
                (&[B, I], 2476.02, 0.61, 20.0, 0.65),
                (&[B, S], 1740.9, 0.65, 42.0, 0.72),
                (&[I, S], 1534.77, 0.64, 20.0, 0.69),
                (&[B, I, S], f64::NAN, 0.57, 22.0, 0.62),
            ];
            for (types, swaps, peak, at, run_peaks) in mixes {
                let mut sort = config(types, 0, FrozenKind::Movable, StopRule::Official);
                if types.len() == 3 {
                    sort.n = 150;
                }
                let mut rows = Vec::new();
                if swaps.is_finite() {
                    rows.push((Metric::Swaps, printed(swaps, "text p.13")));
                }
                rows.push((Metric::AggregationPeakOfMean, printed(peak, "≈, Fig. 8A")));
                rows.push((Metric::AggregationPeakAtPercent, printed(at, "≈, Fig. 8A / text p.14")));
                rows.push((Metric::AggregationMeanOfRunPeaks, printed(run_peaks, "text p.14")));
                out.push(Condition {
                    figure: "fig8",
                    label: types.iter().map(|a| name(*a)).collect::<Vec<_>>().join("+"),
                    config: cell(sort, seed),
                    rows,
                });
            }
            // The control (Fig. 8A): one Algotype under two labels, half and half. Nothing in the
            // rule sees the label, so aggregation stays flat at its random level, 49/100
            // (99 adjacent pairs, each of one label with probability 49/99).
            let mut control = config(&[B], 0, FrozenKind::Movable, StopRule::Official);
            control.two_labels = true;
            out.push(Condition {
                figure: "fig8",
                label: "control: bubble under two labels".to_string(),
                config: cell(control, seed),
                rows: vec![
                    (Metric::AggregationPeakOfMean, printed(0.5, "≈, Fig. 8A control (flat)")),
                    (Metric::AggregationEnd, printed(0.5, "≈, Fig. 8A control (flat)")),
                ],
            });
            // Duplicates (Fig. 8D): 100 cells, values 1–10 × 10.
            for (types, end, run_peaks) in
                [(&[B, S][..], Some(0.65), 0.69), (&[B, I][..], None, 0.63), (&[S, I][..], Some(0.70), 0.71)]
            {
                let mut sort = config(types, 0, FrozenKind::Movable, StopRule::Official);
                sort.values = Values::Repeats(10);
                let mut rows = vec![(Metric::AggregationMeanOfRunPeaks, printed(run_peaks, "text, Fig. 8D"))];
                rows.push((Metric::AggregationEnd, Paper { value: end, note: "text, Fig. 8D" }));
                out.push(Condition {
                    figure: "fig8",
                    label: format!(
                        "{} duplicates 1–10×10",
                        types.iter().map(|a| name(*a)).collect::<Vec<_>>().join("+")
                    ),
                    config: cell(sort, seed),
                    rows,
                });
            }
        }
        "fig9" => {
            // Opposite goals (Fig. 9; text p.15): 50 + 50 cells, one Algotype sorting down. The
            // final sortedness as the analysis code computes and prints it (`plot_dis_order`,
            // "final monotonicity": the mean over runs of #{V_i ≥ V_{i−1}} at the last step, a
            // raw count of 0..n − 1, 1 lower at n = 100 than the percentage 100·(n − E)/n);
            // final aggregation read off Fig. 9.
            // The stop rule is the lab's reading of "stopped changing for several time steps":
            // 10 sweeps without a change of sortedness (`SortConfig::stall_sweeps`).
            let cases: [(Algotype, Algotype, Algotype, f64, f64); 3] =
                [(B, S, B, 42.5, 0.89), (B, I, I, 73.73, 0.67), (S, I, S, 38.31, 0.67)];
            for (x, y, down, sortedness, agg) in cases {
                let mut sort = config(&[x, y], 0, FrozenKind::Movable, StopRule::Official);
                sort.decreasing = vec![down];
                let up = if down == x { y } else { x };
                out.push(Condition {
                    figure: "fig9",
                    label: format!("{}-decreasing + {}-increasing", name(down), name(up)),
                    config: cell(sort, seed),
                    rows: vec![
                        (Metric::FinalInOrderPairs, printed(sortedness, "text p.15")),
                        (Metric::AggregationEnd, printed(agg, "≈, Fig. 9")),
                    ],
                });
            }
        }
        other => return Err(format!("there is no figure \"{other}\"; choose one of {}", FIGURES.join(", "))),
    }
    Ok(out)
}

/// Run one condition (`runs` repetitions under `uniform`, and as many under `threads` where
/// [`Condition::runs_threads`]) and return its rows. `progress` is called after every run with
/// the number done.
pub fn run_condition(condition: &Condition, runs: usize, progress: &mut dyn FnMut(usize)) -> Result<Vec<Row>, String> {
    let mut results = Vec::with_capacity(runs);
    for i in 0..runs {
        results.push(run_one(&condition.config, i as u64)?);
        progress(i + 1);
    }
    let mut threads = Vec::new();
    if condition.runs_threads() {
        let config = condition.config_for(super::scheduler::Scheduler::Threads);
        for i in 0..runs {
            threads.push(run_one(&config, i as u64)?);
            progress(runs + i + 1);
        }
    }
    Ok(rows_from_results(condition, &results, &threads))
}

/// The rows of a condition from its runs under `uniform` and (empty when not run) `threads`,
/// for callers that run them a few at a time.
pub fn rows_from_results(condition: &Condition, uniform: &[RunResult], threads: &[RunResult]) -> Vec<Row> {
    let summary = summarize(&condition.config, uniform);
    let threaded =
        (!threads.is_empty()).then(|| summarize(&condition.config_for(super::scheduler::Scheduler::Threads), threads));
    condition
        .rows
        .iter()
        .map(|(metric, paper)| Row {
            figure: condition.figure,
            condition: condition.label.clone(),
            metric: *metric,
            label: metric.label(),
            runs: uniform.len(),
            ours: metric.of(&summary),
            threads: threaded.as_ref().map(|t| metric.of(t)),
            independent: independent(&condition.config, *metric),
            official: official_for(condition.figure, &condition.label, *metric),
            paper: paper.clone(),
        })
        .collect()
}
