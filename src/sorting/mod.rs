//! Self-sorting arrays as a model of morphogenesis (Zhang, Goldstein & Levin, "Classical
//! Sorting Algorithms as a Model of Morphogenesis", arXiv 2401.05375, 2023).
//!
//! Each array element is an agent ("cell") that decides locally whether to swap. The rules
//! follow the authors' official code (GitHub `Zhangtaining/cell_research`, `modules/multithread`)
//! where it differs from the paper's prose; docs/sorting.md, "The official code's rules", lists
//! the differences.
//!
//! - `cellview`: the three cell rules, frozen cells, stop rules, the run's activations;
//! - `scheduler`: who acts next (uniform, bursts, the official threads' fitted emulation);
//! - `setup`: a run's initial state from a [`setup::SortConfig`] (values, Algotypes, frozen cells);
//! - `traditional`: the top-down algorithms with the paper's step accounting;
//! - `metrics`: sortedness, monotonicity error, delayed gratification, aggregation (as the
//!   official analysis code computes them);
//! - `batch`: repetitions and their summary; trajectories (Fig. 3);
//! - `reproduce`: the conditions of Figs. 4, 5, 7, 8 with the paper's values beside;
//! - `session`: an interactive run with step-back and live series;
//! - `eye`: the cell's-eye view (what one cell sees, wants, and why).
//!
//! Not yet here: cells that un-freeze, and traditional runs with frozen cells (see
//! docs/sorting.md).

pub mod batch;
pub mod cellview;
pub mod eye;
pub mod lab;
pub mod metrics;
pub mod reproduce;
pub mod scheduler;
pub mod session;
pub mod setup;
pub mod traditional;

use crate::core::params::{Apply, Level, Notice, ParamKind, ParamSpec, ParamValue, Params};
use cellview::{Algotype, FrozenKind, StopRule};
use scheduler::Scheduler;
use setup::{Placement, SortConfig, Values};

/// Largest array the lab runs (the bars stay readable to here; see the renderer).
pub const MAX_CELLS: i64 = 10_000;

/// The parameters of the sorting experiment, shown in the page and checked in URLs.
pub fn schema() -> &'static [ParamSpec] {
    SCHEMA
}

static SCHEMA: &[ParamSpec] = &[
    ParamSpec {
        key: "n",
        label: "Cells",
        kind: ParamKind::Int { min: 10, max: MAX_CELLS },
        default: ParamValue::Int(100),
        apply: Apply::Reset,
        help: "Array length (paper: 100). With more cells than pixel columns, each column shows the range (lowest to highest) of the cells it covers.",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "bubble",
        label: "Bubble share",
        kind: ParamKind::Int { min: 0, max: 100 },
        default: ParamValue::Int(100),
        apply: Apply::Reset,
        help: "Relative share of cell-view bubble cells: look left or right (½ each), swap if out of order (official BubbleSortCell).",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "insertion",
        label: "Insertion share",
        kind: ParamKind::Int { min: 0, max: 100 },
        default: ParamValue::Int(0),
        apply: Apply::Reset,
        help: "Insertion cells move left only when everything to their left is sorted; the check restarts after a frozen cell (official InsertionSortCell).",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "selection",
        label: "Selection share",
        kind: ParamKind::Int { min: 0, max: 100 },
        default: ParamValue::Int(0),
        apply: Apply::Reset,
        help: "Selection cells swap into an ideal position that starts at 0 and moves right when denied (≥ denies; official SelectionSortCell).",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "repeats",
        label: "Copies of each value",
        kind: ParamKind::Int { min: 1, max: 1000 },
        default: ParamValue::Int(1),
        apply: Apply::Reset,
        help: "1: distinct values 0…n−1. R > 1: values 1…n/R, each R times (paper Fig. 8D: 10); R must divide n.",
        level: Level::Advanced,
        when: None,
    },
    ParamSpec {
        key: "frozen",
        label: "Frozen cells",
        kind: ParamKind::Int { min: 0, max: MAX_CELLS },
        default: ParamValue::Int(0),
        apply: Apply::Reset,
        help: "Damaged cells that never initiate a move (paper Fig. 5: 1–3).",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "frozen_kind",
        label: "Frozen kind",
        kind: ParamKind::Choice { options: &["movable", "immovable"] },
        default: ParamValue::Choice("movable"),
        apply: Apply::Reset,
        help: "Movable: others can still swap them (the released code). Immovable: nobody can (the paper's Type 2).",
        level: Level::Essential,
        when: Some(|p| p.int("frozen") > 0 || !p.list("freeze").is_empty()),
    },
    ParamSpec {
        key: "placement",
        label: "Frozen placement",
        kind: ParamKind::Choice { options: &["replacement", "distinct"] },
        default: ParamValue::Choice("replacement"),
        apply: Apply::Reset,
        help: "Replacement: k random draws that may repeat (official code). Distinct: exactly k cells.",
        level: Level::Advanced,
        when: Some(|p| p.int("frozen") > 0 && p.list("freeze").is_empty()),
    },
    ParamSpec {
        key: "unfreeze",
        label: "Un-freeze after",
        kind: ParamKind::Int { min: 0, max: 1000 },
        default: ParamValue::Int(0),
        apply: Apply::Reset,
        help: "Beyond the paper (its Discussion's future work): a frozen cell recovers after this many swap attempts by its neighbours. 0: never, as in the paper.",
        level: Level::Advanced,
        when: Some(|p| p.int("frozen") > 0 || !p.list("freeze").is_empty()),
    },
    ParamSpec {
        key: "scheduler",
        label: "Scheduler",
        kind: ParamKind::Choice { options: &["uniform", "bursts", "threads"] },
        default: ParamValue::Choice("uniform"),
        apply: Apply::Reset,
        help: "Who acts next. Uniform: one random cell per activation (the idealised model). Bursts: a cell goes on acting with probability ½. Threads: an emulation of the official code's Python threads, fitted to traces recorded from it (a cell goes on far more often after a swap; cells that just acted wait). Delayed gratification, selection swaps and aggregation move with it.",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "stop",
        label: "Stop rule",
        kind: ParamKind::Choice { options: &["official", "complete"] },
        default: ParamValue::Choice("official"),
        apply: Apply::Reset,
        help: "Official: sorted, or with frozen cells no active cell wants to move (frozen neighbours ignored; the code polls this every second). Complete: no activation can change anything.",
        level: Level::Advanced,
        when: None,
    },
    ParamSpec {
        key: "bubble_goal",
        label: "Bubble goal",
        kind: ParamKind::Choice { options: &["increasing", "decreasing"] },
        default: ParamValue::Choice("increasing"),
        apply: Apply::Reset,
        help: "Order bubble cells sort toward (reverse_direction flips every comparison). Opposite goals in one array: Fig. 9.",
        level: Level::Advanced,
        when: Some(|p| p.int("bubble") > 0),
    },
    ParamSpec {
        key: "insertion_goal",
        label: "Insertion goal",
        kind: ParamKind::Choice { options: &["increasing", "decreasing"] },
        default: ParamValue::Choice("increasing"),
        apply: Apply::Reset,
        help: "Order insertion cells sort toward.",
        level: Level::Advanced,
        when: Some(|p| p.int("insertion") > 0),
    },
    ParamSpec {
        key: "selection_goal",
        label: "Selection goal",
        kind: ParamKind::Choice { options: &["increasing", "decreasing"] },
        default: ParamValue::Choice("increasing"),
        apply: Apply::Reset,
        help: "Order selection cells sort toward.",
        level: Level::Advanced,
        when: Some(|p| p.int("selection") > 0),
    },
    ParamSpec {
        key: "stall",
        label: "Stall sweeps",
        kind: ParamKind::Int { min: 1, max: 1000 },
        default: ParamValue::Int(10),
        apply: Apply::Reset,
        help: "Opposite goals never run out of moves; the paper stops when sortedness \"stopped changing for several time steps\". The lab stops after this many sweeps (activations = active cells) without a change. Used only with opposite goals.",
        level: Level::Advanced,
        when: Some(opposite_goals),
    },
    ParamSpec {
        key: "cells",
        label: "Initial array",
        kind: ParamKind::List { max_len: MAX_CELLS as usize, max: 1_000_000 },
        default: ParamValue::List(Vec::new()),
        apply: Apply::Reset,
        help: "Type or paste values (comma- or space-separated) to start from this array instead of a shuffled one; its length replaces n. Empty: shuffled.",
        level: Level::Advanced,
        when: None,
    },
    ParamSpec {
        key: "freeze",
        label: "Frozen positions",
        kind: ParamKind::List { max_len: MAX_CELLS as usize, max: MAX_CELLS as u32 },
        default: ParamValue::List(Vec::new()),
        apply: Apply::Reset,
        help: "Initial positions (0-based) of cells frozen by hand; click a bar to toggle. When given, they replace the random frozen cells.",
        level: Level::Advanced,
        when: None,
    },
    ParamSpec {
        key: "follow",
        label: "Follow cell",
        kind: ParamKind::Int { min: -1, max: MAX_CELLS - 1 },
        default: ParamValue::Int(-1),
        apply: Apply::Live,
        help: "The cell's-eye view: the initial position (0-based, as in Frozen positions) of the cell to follow; click a bar to follow it. −1: none. The view says what the cell sees, whether it wants to move and why, and draws its trajectory.",
        level: Level::Advanced,
        when: None,
    },
    ParamSpec {
        key: "compare",
        label: "Beside it",
        kind: ParamKind::Choice { options: &["none", "traditional"] },
        default: ParamValue::Choice("none"),
        apply: Apply::Live,
        help: "Traditional: the top-down algorithm of the first Algotype sorts the same initial values, drawn below the cells at the same swap count, with both step counts in the read-out.",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "marks",
        label: "Marks on the array",
        kind: ParamKind::Bool,
        default: ParamValue::Bool(true),
        apply: Apply::Live,
        help: "Under the bars: each selection cell's ideal position (green tick) and each insertion cell that may act (purple). Above them: where the last swaps' starting cells moved (orange, newest brightest; under threads one cell makes several in a row). Drawn when every cell has its own pixel column.",
        level: Level::Advanced,
        when: None,
    },
    ParamSpec {
        key: "speed",
        label: "Speed",
        kind: ParamKind::Float { min: 1.0, max: 1.0e7, log: true },
        default: ParamValue::Float(200.0),
        apply: Apply::Live,
        help: "Swaps per second while playing.",
        level: Level::Essential,
        when: None,
    },
];

/// The run a set of parameters describes. Inconsistent combinations are repaired with a notice
/// (no share → pure bubble; a copy count that does not divide n → distinct values).
pub fn config_from_params(params: &Params) -> (SortConfig, Vec<Notice>) {
    let mut notices = Vec::new();
    let initial: Option<Vec<u32>> = match params.list("cells") {
        [] => None,
        [_] => {
            notices.push(Notice::new("cells", "Initial array: one value is not an array; using a shuffled one."));
            None
        }
        values => Some(values.to_vec()),
    };
    let n = initial.as_ref().map_or(params.int("n").clamp(2, MAX_CELLS) as usize, Vec::len);
    let mut algotypes: Vec<(Algotype, u32)> = Algotype::ALL
        .into_iter()
        .map(|a| (a, params.int(a.id()).clamp(0, 100) as u32))
        .filter(|(_, share)| *share > 0)
        .collect();
    if algotypes.is_empty() {
        notices.push(Notice::new("bubble", "Every Algotype share is 0; using pure bubble."));
        algotypes.push((Algotype::Bubble, 1));
    }
    let repeats = params.int("repeats").max(1) as u32;
    let values = if repeats == 1 {
        Values::Distinct
    } else if n.is_multiple_of(repeats as usize) {
        Values::Repeats(repeats)
    } else {
        notices.push(Notice::new(
            "repeats",
            format!("Copies of each value: {repeats} does not divide n = {n}; using distinct values."),
        ));
        Values::Distinct
    };
    let frozen = params.int("frozen").clamp(0, n as i64) as usize;
    let mut frozen_at: Vec<usize> = params.list("freeze").iter().map(|&p| p as usize).collect();
    if frozen_at.iter().any(|&p| p >= n) {
        notices.push(Notice::new("freeze", format!("Frozen positions beyond the {n} cells were dropped.")));
        frozen_at.retain(|&p| p < n);
    }
    frozen_at.sort_unstable();
    frozen_at.dedup();
    // Each Algotype's own goal (`bubble_goal`, …; Fig. 9 mixes opposite goals in one array).
    let decreasing = algotypes
        .iter()
        .map(|(a, _)| *a)
        .filter(|a| params.choice(&format!("{}_goal", a.id())) == "decreasing")
        .collect();
    let config = SortConfig {
        stall_sweeps: params.int("stall").clamp(1, 1000) as u32,
        unfreeze_after: params.int("unfreeze").clamp(0, 1_000_000) as u32,
        n,
        values: if initial.is_some() { Values::Distinct } else { values },
        initial,
        frozen_at: (!frozen_at.is_empty()).then_some(frozen_at),
        algotypes,
        decreasing,
        frozen,
        frozen_kind: if params.choice("frozen_kind") == "immovable" {
            FrozenKind::Immovable
        } else {
            FrozenKind::Movable
        },
        placement: if params.choice("placement") == "distinct" { Placement::Distinct } else { Placement::Replacement },
        stop: if params.choice("stop") == "complete" { StopRule::Complete } else { StopRule::Official },
        scheduler: Scheduler::from_id(params.choice("scheduler")).unwrap_or_default(),
        two_labels: false,
    };
    (config, notices)
}

/// Whether two Algotypes of the array sort toward opposite goals (Fig. 9), where the run never
/// sorts and the stall rule stops it.
fn opposite_goals(p: &Params) -> bool {
    let goals: Vec<&str> = Algotype::ALL
        .into_iter()
        .filter(|a| p.int(a.id()) > 0)
        .map(|a| p.choice(&format!("{}_goal", a.id())))
        .collect();
    goals.iter().any(|g| *g != goals[0])
}
