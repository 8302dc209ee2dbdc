//! Self-sorting arrays as a model of morphogenesis (Zhang, Goldstein & Levin, "Classical
//! Sorting Algorithms as a Model of Morphogenesis", arXiv 2401.05375, 2023).
//!
//! Each array element is an agent ("cell") that decides locally whether to swap. The rules
//! follow the authors' official code (GitHub `Zhangtaining/cell_research`, `modules/multithread`)
//! where it differs from the paper's prose; `../shared/specs/sorting.md` §1.3 lists the
//! differences. Present so far: cell-view bubble sort with random single-cell scheduling, the
//! metrics of §3 that it needs, batch runs and an interactive session with step-back.

pub mod batch;
pub mod cellview;
pub mod metrics;
pub mod reproduce;
pub mod session;
pub mod setup;
pub mod traditional;

use crate::core::params::{Apply, ParamKind, ParamSpec, ParamValue};

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
        help: "Array length. Values 0…n−1, shuffled by the seed (paper: n = 100). With more cells than pixel columns, each column shows the range (lowest to highest) of the cells it covers.",
    },
    ParamSpec {
        key: "speed",
        label: "Speed",
        kind: ParamKind::Float { min: 1.0, max: 1.0e7, log: true },
        default: ParamValue::Float(200.0),
        apply: Apply::Live,
        help: "Swaps per second while playing.",
    },
];
