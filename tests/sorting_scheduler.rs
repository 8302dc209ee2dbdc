//! The scheduler as an experimental variable (docs/sorting-scheduler.md): the `threads` law is
//! the fit of the traces recorded from the official code (`docs/data/official-traces.json`,
//! `scripts/record_official_traces.py`), the lab under `threads` reproduces the official runs'
//! statistics within 3 standard errors, and recorded activation orders replay exactly through
//! the lab's rules.

use emergence_lab::core::rng::Rng;
use emergence_lab::sorting::batch::{run_one, BatchConfig, RunResult};
use emergence_lab::sorting::cellview::{Algotype, Cell, CellViewArray, FrozenKind, StopRule};
use emergence_lab::sorting::scheduler::{threads_law, Scheduler, BURST_POSITIONS};
use emergence_lab::sorting::setup::SortConfig;
use serde_json::Value;

fn official() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/data/official-traces.json"))
        .expect("docs/data/official-traces.json");
    serde_json::from_str(&text).expect("official traces parse")
}

fn num(v: &Value) -> f64 {
    v.as_f64().expect("a number")
}

#[test]
fn the_threads_law_is_the_fit_of_the_recorded_traces() {
    let data = official();
    let laws = [
        (Algotype::Bubble, false, "bubble"),
        (Algotype::Selection, false, "selection"),
        (Algotype::Insertion, false, "insertion"),
        (Algotype::Insertion, true, "insertion"),
        (Algotype::Bubble, true, "bubble, 3 immovable frozen"),
        (Algotype::Selection, true, "selection, 3 immovable frozen"),
    ];
    for (algotype, slow_poll, condition) in laws {
        let trace = &data["conditions"][condition]["trace"];
        let law = threads_law(algotype, slow_poll);
        for k in 1..=BURST_POSITIONS {
            for (s, tag) in [(0, "i"), (1, "r"), (2, "s")] {
                let cell = &trace["go_on"][format!("{k}{tag}")];
                let (same, of) = (num(&cell["same"]), num(&cell["of"]));
                if of > 0.0 {
                    assert!((law.go_on[k - 1][s] - same / of).abs() < 1e-12, "{algotype:?} go_on[{k}{tag}]");
                }
            }
        }
        let h: Vec<f64> = trace["next_cell_wait_rank_twentieths"].as_array().unwrap().iter().map(num).collect();
        let total: f64 = h.iter().sum();
        for (b, &x) in h.iter().enumerate() {
            assert!((law.next_rank[b] - x / total).abs() < 1e-12, "{algotype:?} next_rank[{b}]");
        }
        assert!(law.others_only);
    }
}

/// Mean and standard error.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

fn lab_runs(name: &str, condition: &Value, scheduler: Scheduler, runs: u64) -> Vec<RunResult> {
    let mut sort = SortConfig::bubble(100);
    sort.algotypes = condition["algotypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (Algotype::from_id(a.as_str().unwrap()).unwrap(), 1))
        .collect();
    sort.frozen = num(&condition["frozen"]) as usize;
    sort.frozen_kind =
        if condition["frozen_kind"] == "immovable" { FrozenKind::Immovable } else { FrozenKind::Movable };
    sort.scheduler = scheduler;
    let config = BatchConfig { sort, seed: 2401, traditional: false };
    (0..runs)
        .map(|i| {
            let r = run_one(&config, i).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(r.finished, "{name}: run {i} did not finish");
            r
        })
        .collect()
}

/// Each statistic of the lab's runs under `scheduler` against the official runs': (name,
/// official mean, its SE, lab mean, lab SE).
fn compare(name: &str, condition: &Value, scheduler: Scheduler, runs: u64) -> Vec<(String, f64, f64, f64, f64)> {
    let results = lab_runs(name, condition, scheduler, runs);
    let pick = |f: &dyn Fn(&RunResult) -> f64| mean_se(&results.iter().map(f).collect::<Vec<_>>());
    let official = |key: &str| (num(&condition[key]["mean"]), num(&condition[key]["se"]));
    let mut out = Vec::new();
    let mut push = |label: &str, (om, ose): (f64, f64), (lm, lse): (f64, f64)| {
        out.push((format!("{name}: {label}"), om, ose, lm, lse));
    };
    push("swaps", official("swaps"), pick(&|r| r.swaps as f64));
    push("reads", official("reads"), pick(&|r| r.steps as f64));
    push("DG", official("dg"), pick(&|r| r.delayed_gratification));
    if let Some(agg) = condition.get("aggregation") {
        let runs_official = num(&condition["swaps"]["runs"]).sqrt();
        push(
            "aggregation: mean of run peaks",
            (num(&agg["mean_of_run_peaks"]), num(&agg["run_peaks_sd"]) / runs_official),
            pick(&|r| r.max_aggregation.unwrap_or(f64::NAN)),
        );
        let at = &agg["run_peak_at_percent"];
        push(
            "aggregation: run peak at % of swaps",
            (num(&at["mean"]), num(&at["sd"]) / runs_official),
            pick(&|r| {
                let c = &r.aggregation;
                (0..c.len()).fold(0, |best, k| if c[k] > c[best] { k } else { best }) as f64
            }),
        );
    }
    out
}

const CONDITIONS: [&str; 6] = [
    "bubble",
    "selection",
    "bubble+selection",
    "bubble, 3 immovable frozen",
    "selection, 3 immovable frozen",
    "bubble+selection, 3 immovable frozen",
];

#[test]
fn threads_reproduces_the_official_runs_within_three_standard_errors() {
    let data = official();
    let mut failures = Vec::new();
    for name in CONDITIONS {
        for (label, om, ose, lm, lse) in compare(name, &data["conditions"][name], Scheduler::Threads, 400) {
            let z = (lm - om) / (ose * ose + lse * lse).sqrt();
            eprintln!("{label}: official {om:.4} ± {ose:.4}, threads {lm:.4} ± {lse:.4}, z = {z:+.2}");
            if z.abs() > 3.0 {
                failures.push(format!("{label}: z = {z:+.2}"));
            }
        }
    }
    assert!(failures.is_empty(), "threads differs from the official runs: {failures:?}");
}

#[test]
fn uniform_differs_from_the_official_runs_where_the_scheduler_matters() {
    // The point of the scheduler: under `uniform`, bubble DG is far from the official runs'.
    let data = official();
    let rows = compare("bubble", &data["conditions"]["bubble"], Scheduler::Uniform, 400);
    let (_, om, ose, lm, lse) = rows.iter().find(|r| r.0.ends_with("DG")).unwrap().clone();
    let z = (lm - om) / (ose * ose + lse * lse).sqrt();
    assert!(z > 5.0, "uniform bubble DG {lm:.3} against official {om:.3}: z = {z:.1}");
}

/// A recorded activation order replayed through the lab's rules: every activation must swap
/// exactly when the official one did.
#[test]
fn recorded_official_orders_replay_swap_for_swap() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/official-replays.json"))
        .expect("tests/data/official-replays.json");
    let data: Value = serde_json::from_str(&text).unwrap();
    let replays = data["replays"].as_array().unwrap();
    assert_eq!(replays.len(), 4);
    for replay in replays {
        let algotype = Algotype::from_id(replay["algotype"].as_str().unwrap()).unwrap();
        let decreasing = replay["decreasing"].as_bool().unwrap();
        let initial: Vec<u32> = replay["initial"].as_array().unwrap().iter().map(|v| num(v) as u32).collect();
        let n = initial.len();
        let frozen_at: Vec<usize> = replay["frozen_at"].as_array().unwrap().iter().map(|v| num(v) as usize).collect();
        let cells: Vec<Cell> = initial
            .iter()
            .enumerate()
            .map(|(i, &v)| Cell {
                decreasing,
                frozen: frozen_at.contains(&i),
                ideal: if decreasing && algotype == Algotype::Selection { n as u32 - 1 } else { 0 },
                ..Cell::new(v, algotype)
            })
            .collect();
        let mut array =
            CellViewArray::from_cells(cells, Rng::seed_from_u64(1), FrozenKind::Movable, StopRule::Official);
        let label = format!("{algotype:?}{}", if decreasing { " decreasing" } else { "" });
        let mut activations = 0;
        for (k, act) in replay["acts"].as_str().unwrap().split(';').filter(|s| !s.is_empty()).enumerate() {
            let (id, swapped) = act.split_once(',').unwrap();
            let id: u32 = id.parse().unwrap();
            let position = array.cells().iter().position(|c| c.id == id).unwrap();
            assert_eq!(array.activate(position), swapped == "1", "{label}: activation {k} (cell {id} at {position})");
            activations += 1;
        }
        assert!(activations > 100, "{label}: only {activations} activations recorded");
        assert_eq!(array.swaps(), num(&replay["swaps"]) as u64, "{label}: swaps");
    }
}

/// The Reproduce tables mark pure insertion without frozen cells, or with immovable ones, "same
/// under any scheduler": only one cell can swap at a time, so the swaps come in the same order
/// whatever the scheduler. Run by run, same seed: the same swaps, reads, final state and DG;
/// only the activations differ. (With movable frozen cells they do differ: checked too.)
#[test]
fn pure_insertion_runs_the_same_swaps_under_every_scheduler() {
    for (scheduler, frozen) in [(Scheduler::Bursts, 0), (Scheduler::Threads, 0), (Scheduler::Threads, 3)] {
        let mut sort = SortConfig::bubble(60);
        sort.algotypes = vec![(Algotype::Insertion, 1)];
        sort.frozen = frozen;
        sort.frozen_kind = FrozenKind::Immovable;
        let uniform = BatchConfig { sort: sort.clone(), seed: 5, traditional: false };
        sort.scheduler = scheduler;
        let other = BatchConfig { sort, seed: 5, traditional: false };
        for i in 0..20 {
            let (a, b) = (run_one(&uniform, i).unwrap(), run_one(&other, i).unwrap());
            assert_eq!(
                (a.swaps, a.steps, a.delayed_gratification),
                (b.swaps, b.steps, b.delayed_gratification),
                "{scheduler:?} run {i}"
            );
            assert_ne!(a.ticks, b.ticks, "{scheduler:?} run {i}: the activations do differ");
        }
    }
    let mut sort = SortConfig::bubble(60);
    sort.algotypes = vec![(Algotype::Insertion, 1)];
    sort.frozen = 3;
    let movable = BatchConfig { sort: sort.clone(), seed: 5, traditional: false };
    sort.scheduler = Scheduler::Threads;
    let threads = BatchConfig { sort, seed: 5, traditional: false };
    let differ =
        (0..20).filter(|&i| run_one(&movable, i).unwrap().swaps != run_one(&threads, i).unwrap().swaps).count();
    assert!(differ > 0, "movable frozen cells let a second insertion cell swap: the order matters");
}
