//! The sorting experiment against the numbers Zhang, Goldstein & Levin print (arXiv 2401.05375,
//! Figs. 4–9), through the same `reproduce` conditions the CLI and the page run.
//!
//! Tolerances. Each paper value is itself a mean over 100 runs, so ours and theirs both carry a
//! standard error SD/√R. We accept |ours − paper| < 4·√(SD²/R_ours + SD²/100) (SD: our sample
//! SD, R_ours = 100), a two-sided false-alarm rate of about 6e-5 per comparison, plus the
//! read-off uncertainty where the value is read from a figure rather than printed.
//!
//! Where the model cannot match the paper, the test checks the documented behaviour instead and
//! says why (docs/sorting.md, "What matches, what does not, and why").
#![cfg(not(target_arch = "wasm32"))]

use emergence_lab::sorting::batch::{run_one, BatchConfig};
use emergence_lab::sorting::cellview::{FrozenKind, StopRule};
use emergence_lab::sorting::reproduce::{conditions, run_condition, Metric, Row};
use emergence_lab::sorting::setup::SortConfig;

const RUNS: usize = 100;

fn rows(figure: &str) -> Vec<Row> {
    conditions(figure, 2024)
        .expect("figure")
        .iter()
        .flat_map(|c| run_condition(c, RUNS, &mut |_| {}).expect("runs"))
        .collect()
}

fn find<'a>(rows: &'a [Row], condition: &str, metric: Metric) -> &'a Row {
    rows.iter().find(|r| r.condition == condition && r.metric == metric).unwrap_or_else(|| panic!("no row {condition}"))
}

fn assert_matches(row: &Row, read_off: f64) {
    assert_matches_with(row, row.ours, read_off);
}

/// [`assert_matches`] for one scheduler's result of the row (`row.ours` is uniform's).
fn assert_matches_with(row: &Row, ours: emergence_lab::core::stats::MeanSd, read_off: f64) {
    let paper = row.paper.value.expect("a printed value");
    // The paper's SD is not printed: ours stands in for it (its 100 runs).
    let se = (ours.sd.powi(2) / RUNS as f64 + ours.sd.powi(2) / 100.0).sqrt();
    let tolerance = 4.0 * se + read_off;
    assert!(
        (ours.mean - paper).abs() <= tolerance,
        "{} {}: ours {:.3} ± {:.3} (SD), paper {paper}, tolerance {tolerance:.3}",
        row.condition,
        row.label,
        ours.mean,
        ours.sd
    );
}

#[test]
fn fig5_immovable_error_tolerance_matches() {
    let rows = rows("fig5");
    for a in ["bubble", "insertion", "selection"] {
        for k in 1..=3 {
            assert_matches(find(&rows, &format!("{a} immovable k={k}"), Metric::FinalMonotonicityError), 0.0);
        }
    }
}

/// Movable frozen cells: the paper's Fig. 5B depends on the official 1 s stop poll and is not
/// reproducible (docs/sorting.md, "Stop rules"). What the model guarantees instead: frozen cells
/// never swap with each other, so their relative order is fixed; with the "complete" rule, bubble
/// ends sorted with one frozen cell, and with two it keeps one descent exactly when the pair starts
/// out of order (probability ½).
#[test]
fn fig5_movable_documented_behaviour() {
    let config = |k| BatchConfig {
        sort: SortConfig {
            frozen: k,
            frozen_kind: FrozenKind::Movable,
            stop: StopRule::Complete,
            placement: emergence_lab::sorting::setup::Placement::Distinct,
            ..SortConfig::bubble(100)
        },
        seed: 5,
        traditional: false,
    };
    for i in 0..RUNS as u64 {
        assert_eq!(run_one(&config(1), i).unwrap().final_monotonicity_error, 0);
    }
    let stuck =
        (0..400u64).filter(|&i| run_one(&config(2), i).unwrap().final_monotonicity_error > 0).count() as f64 / 400.0;
    // Binomial(400, ½): SE 0.025.
    assert!((stuck - 0.5).abs() < 4.0 * 0.025, "{stuck}");
}

#[test]
fn fig8_chimera_swaps_match() {
    let rows = rows("fig8");
    for mix in ["bubble+insertion", "bubble+selection", "insertion+selection"] {
        assert_matches(find(&rows, mix, Metric::Swaps), 0.0);
    }
    for pure in ["pure bubble", "pure insertion"] {
        assert_matches(find(&rows, pure, Metric::Swaps), 0.0);
    }
    // Mean of run peaks (text p.14) for the two mixes that match. The paper reports no SD of the
    // per-run peak; its 100 runs come from the same process, so its SD is taken equal to ours:
    // the difference of two means of RUNS runs has SE SD·√(2/RUNS); 4 SE, plus half a unit of the
    // paper's printed second decimal.
    for mix in ["bubble+insertion", "insertion+selection"] {
        let r = find(&rows, mix, Metric::AggregationMeanOfRunPeaks);
        let paper = r.paper.value.unwrap();
        assert!(r.ours.sd.is_finite() && r.ours.sd > 0.0, "{mix}: the per-run peak SD is reported");
        assert!(
            (r.ours.mean - paper).abs() < 4.0 * (2.0 / RUNS as f64).sqrt() * r.ours.sd + 0.005,
            "{mix}: {} ± {} vs {paper}",
            r.ours.mean,
            r.ours.sd
        );
    }
}

/// The Fig. 8 control: one Algotype under two labels stays at the random level at every point
/// of the run. A random half-and-half labelling of 100 cells has 99·49/99 = 49 same-label pairs
/// on average, so aggregation (pairs/n) has mean 0.49 throughout; its SD over arrangements is
/// below √(99·¼)/100 ≈ 0.05, so a mean of RUNS runs has SE ≤ 0.005: every one of the 101 points of
/// the mean curve must lie within 4 SE (false alarm ≈ 101 × 6e-5), while the real chimera peaks
/// far above.
#[test]
fn fig8_control_two_labels_stays_flat() {
    use emergence_lab::sorting::batch::run_batch;
    let mut sort = SortConfig::bubble(100);
    sort.two_labels = true;
    let s = run_batch(&BatchConfig { sort, seed: 2024, traditional: false }, RUNS).unwrap();
    let curve = &s.aggregation.as_ref().expect("a labelled control has an aggregation curve").curve;
    let se = 0.5 / (RUNS as f64).sqrt() * (99.0f64).sqrt() / 100.0;
    for (k, &a) in curve.iter().enumerate() {
        assert!((a - 0.49).abs() < 4.0 * se, "point {k}: {a} (SE {se:.4})");
    }
    let rows = rows("fig8");
    let control = find(&rows, "control: bubble under two labels", Metric::AggregationPeakOfMean).ours.mean;
    let chimera = find(&rows, "bubble+selection", Metric::AggregationPeakOfMean).ours.mean;
    assert!(chimera - control > 0.05, "the chimera ({chimera}) aggregates, the control ({control}) does not");
    // Labels need one Algotype.
    let mut mixed = SortConfig::bubble(100);
    mixed.two_labels = true;
    mixed.algotypes.push((emergence_lab::sorting::cellview::Algotype::Selection, 1));
    assert!(mixed.validate().is_err());
}

#[test]
fn fig7_delayed_gratification() {
    let rows = rows("fig7");
    for a in ["bubble", "insertion", "selection"] {
        assert_matches(find(&rows, &format!("{a} traditional k=0"), Metric::DelayedGratification), 0.005);
    }
    for a in ["insertion", "selection"] {
        for k in 0..=3 {
            assert_matches(find(&rows, &format!("{a} cell-view immovable k={k}"), Metric::DelayedGratification), 0.005);
        }
    }
    // Cell-view bubble: the uniform one-cell-per-tick scheduler gives DG ≈ 0.38 at k = 0, not
    // the paper's 0.24 (its threads run in bursts; see docs/sorting.md). The paper's qualitative
    // findings hold and are tested: cell-view bubble exceeds traditional bubble, and DG rises with k.
    let dg = |k: usize| find(&rows, &format!("bubble cell-view immovable k={k}"), Metric::DelayedGratification).ours;
    let trad = find(&rows, "bubble traditional k=0", Metric::DelayedGratification).ours;
    let se = |a: f64, b: f64| (a * a / RUNS as f64 + b * b / RUNS as f64).sqrt();
    assert!(dg(0).mean - trad.mean > 4.0 * se(dg(0).sd, trad.sd));
    assert!(dg(3).mean - dg(0).mean > 4.0 * se(dg(3).sd, dg(0).sd), "{:?} {:?}", dg(0), dg(3));
}

#[test]
fn fig4_efficiency() {
    let rows = rows("fig4");
    assert_matches(find(&rows, "bubble cell-view", Metric::Swaps), 0.0);
    assert_matches(find(&rows, "insertion cell-view", Metric::Swaps), 0.0);
    // Bars read off Fig. 4B to about ±50.
    assert_matches(find(&rows, "bubble traditional", Metric::SwapsAndReads), 50.0);
    assert_matches(find(&rows, "insertion traditional", Metric::SwapsAndReads), 50.0);
    assert_matches(find(&rows, "bubble cell-view", Metric::SwapsAndReads), 50.0);
    assert_matches(find(&rows, "insertion cell-view", Metric::SwapsAndReads), 50.0);
    // Selection (traditional swaps ≈95–100; swaps + reads): every comparison and swap counted.
    let sel = find(&rows, "selection traditional", Metric::Swaps).ours.mean;
    assert!((90.0..=100.0).contains(&sel), "{sel}");
    // Cell-view selection swaps depend on the order of activations (docs/sorting-scheduler.md):
    // under `threads` they match the official code run here within 4 combined standard errors,
    // and `uniform` is well below (about 1,005 against 1,060). The paper's 1,095.5 came from
    // another machine's scheduling. Its claim that cell-view selection needs about 10× more
    // swaps than traditional selection holds under both.
    let row = find(&rows, "selection cell-view", Metric::Swaps);
    let threads = row.threads.expect("selection swaps depend on the scheduler");
    let official = row.official.expect("recorded from the official code");
    let se = |m: emergence_lab::core::stats::MeanSd| m.sd / (RUNS as f64).sqrt();
    let z = (threads.mean - official.mean) / (se(threads).powi(2) + official.se.powi(2)).sqrt();
    assert!(z.abs() < 4.0, "threads {threads:?} against official {official:?}: z = {z:.2}");
    assert!(
        threads.mean - row.ours.mean > 4.0 * (se(threads).powi(2) + se(row.ours).powi(2)).sqrt(),
        "uniform {:?}, threads {threads:?}",
        row.ours
    );
    assert!(row.ours.mean / sel > 9.0 && threads.mean / sel > 9.0, "{row:?} / {sel}");
}

/// Opposite goals (Fig. 9). The paper stops these runs when sortedness "stopped changing for
/// several time steps"; the lab stops after 10 sweeps without a change (its own reading, fixed
/// before comparing). The value is the analysis code's raw count of in-order adjacent pairs
/// (`plot_dis_order`). With it, (b) bubble-increasing + insertion-decreasing matches the printed
/// 73.73 and (c) selection-decreasing + insertion-increasing the printed 38.31 within the
/// tolerance; (a) ends lower than printed (see docs/sorting.md). The paper's qualitative
/// result is tested for all three: the "winning" order Bubble > Selection > Insertion decides
/// which side of 50% the final increasing-sense sortedness lies on.
#[test]
fn fig9_opposite_goals() {
    let rows = rows("fig9");
    let s = |c: &str| find(&rows, c, Metric::FinalInOrderPairs).ours;
    let se = |v: emergence_lab::core::stats::MeanSd| v.sd / (RUNS as f64).sqrt();
    let a = s("bubble-decreasing + selection-increasing");
    let b = s("insertion-decreasing + bubble-increasing");
    let c = s("selection-decreasing + insertion-increasing");
    // The count runs from 0 to n − 1 = 99: its midpoint is 49.5.
    assert!(a.mean < 49.5 - 4.0 * se(a), "bubble (decreasing) beats selection: {a:?}");
    assert!(b.mean > 49.5 + 4.0 * se(b), "bubble (increasing) beats insertion: {b:?}");
    assert!(c.mean < 49.5 - 4.0 * se(c), "selection (decreasing) beats insertion: {c:?}");
    assert_matches(find(&rows, "insertion-decreasing + bubble-increasing", Metric::FinalInOrderPairs), 0.0);
    // (c) matches once a decreasing selection cell behaves as the official one (ideal from the
    // right end, moving left, the `≥` test not flipped): 37.3 against 38.31; mirroring every
    // comparison instead ended at 35.2, outside the tolerance.
    assert_matches(find(&rows, "selection-decreasing + insertion-increasing", Metric::FinalInOrderPairs), 0.0);
    // (a) moves with the scheduler: under `threads`, the emulation fitted to the official
    // bubble and selection traces (50 runs each), it matches the printed 42.5 (about 41.3);
    // under `uniform` it ends about 5 lower (36.8), far outside the tolerance. (b) and (c)
    // involve insertion cells, whose threads law comes from 8 recorded runs only; under threads
    // they miss the printed values (docs/sorting-scheduler.md).
    let row = find(&rows, "bubble-decreasing + selection-increasing", Metric::FinalInOrderPairs);
    assert_matches_with(row, row.threads.expect("Fig. 9 depends on the scheduler"), 0.0);
    assert!(row.paper.value.unwrap() - a.mean > 4.0 * (se(a).powi(2) * 2.0).sqrt(), "uniform {a:?}");
}
