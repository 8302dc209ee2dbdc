//! Sparse distributed representations and active dendrites: Ahmad & Hawkins, "How do neurons
//! operate on sparse distributed representations? A mathematical theory of sparsity, neurons
//! and active dendrites" (arXiv 1601.00720, 2016), and its companion "Properties of Sparse
//! Distributed Representations and their Application to Hierarchical Temporal Memory"
//! (arXiv 1503.07469, 2015). The equation labels (E1–E7) and figure labels (F-n, F-s, …) are
//! this project's own, defined in docs/dendrites.md ("Labels"), not arXiv's numbering.
//!
//! - [`logmath`]: log-gamma, log-binomials (integer and Γ-based), log-sum-exp, [`logmath::Prob`].
//! - [`theory`]: E1–E7 exactly, in log space, and the NMDA-threshold grid (F-θ).
//! - [`simulate`]: bit-level Monte Carlo as the official C++ does it, and an importance sampler.
//! - [`figures`]: the curves of each figure, for the page and the CLI.

pub mod cells;
pub mod figures;
pub mod lab;
pub mod logmath;
pub mod scene;
pub mod simulate;
pub mod theory;

use crate::core::params::{Apply, Level, Notice, ParamKind, ParamSpec, ParamValue, Params};
use serde::Serialize;
use theory::UnionMethod;

/// Largest population the theory accepts from the page (the CLI and the tests go to 10⁶ too).
pub const MAX_N: i64 = 1_000_000;
/// Largest population the bit view draws cell by cell (the issue asks for 65,536; a 512×512
/// grid still has a pixel per cell on a large screen).
pub const MAX_DRAWN_CELLS: u64 = 262_144;
/// Largest zoom of the bit view (n/zoom cells shown).
pub const MAX_ZOOM: u64 = 4096;

/// The figures of the page, `(id, title)`, in menu order (the labels of docs/dendrites.md).
pub const FIGURES: &[(&str, &str)] = &[
    ("fn", "F-n: effect of the population size n"),
    ("fs", "F-s: effect of the number of synapses s"),
    ("noise", "F-noise: robustness to noise"),
    ("theta", "F-θ: the NMDA-spike threshold"),
    ("sim", "F-sim: theory against simulation"),
    ("u1", "F-u1: synapses after a union"),
    ("u2", "F-u2: false matches of a union segment"),
    ("uin", "Input unions (E7)"),
    ("neuron", "A neuron with K segments (E4)"),
];
const FIGURE_IDS: &[&str] = &["fn", "fs", "noise", "theta", "sim", "u1", "u2", "uin", "neuron"];
const VIEW_IDS: &[&str] = &["match", "noise", "union", "neuron", "paint", "pair", "members"];

/// The parameters of the dendrites experiment, shown in the page and checked in URLs.
pub fn schema() -> &'static [ParamSpec] {
    SCHEMA
}

static SCHEMA: &[ParamSpec] = &[
    ParamSpec {
        key: "fig",
        label: "Figure",
        kind: ParamKind::Choice { options: FIGURE_IDS },
        default: ParamValue::Choice("fn"),
        apply: Apply::Live,
        help: "Which figure of the paper to show beside the bit view (the labels are this lab's own; docs/dendrites.md lists them).",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "view",
        label: "Bit view",
        kind: ParamKind::Choice { options: VIEW_IDS },
        default: ParamValue::Choice("match"),
        apply: Apply::Live,
        help: "match: a segment against random patterns (E3). noise: a learned pattern with v of its cells replaced (E5). union: one segment holding the synapses of M patterns (E6). neuron: K segments drawn as branches, any of which may fire (E4). paint: click or drag to paint your own pattern x or segment (E3 for your sizes). pair: two SDRs x and y with their AND and OR (click x or y to paint). members: an input that is the union of M patterns, each cell coloured by its source, tested by random segments (E7).",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "n",
        label: "Cells n",
        kind: ParamKind::Int { min: 16, max: MAX_N },
        default: ParamValue::Int(2048),
        apply: Apply::Live,
        help: "Population size: the number of cells (bits). The bit view draws up to 262,144 of them.",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "a",
        label: "Active a",
        kind: ParamKind::Int { min: 1, max: MAX_N },
        default: ParamValue::Int(40),
        apply: Apply::Live,
        help: "Active cells in a pattern (the 2015 paper's w); at most n.",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "s",
        label: "Synapses s",
        kind: ParamKind::Int { min: 1, max: MAX_N },
        default: ParamValue::Int(20),
        apply: Apply::Live,
        help: "Synapses on the dendritic segment; at most n.",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "theta",
        label: "Threshold θ",
        kind: ParamKind::Int { min: 0, max: MAX_N },
        default: ParamValue::Int(10),
        apply: Apply::Live,
        help: "NMDA-spike threshold: the segment matches when at least θ of its synapses see active cells; at most s.",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "v",
        label: "Noise v",
        kind: ParamKind::Int { min: 0, max: MAX_N },
        default: ParamValue::Int(10),
        apply: Apply::Live,
        help: "Noise: v of the a active cells are replaced by v cells that were inactive (E5); at most a.",
        level: Level::Essential,
        when: Some(|p| p.choice("view") == "noise" || p.choice("fig") == "noise"),
    },
    ParamSpec {
        key: "m",
        label: "Patterns M",
        kind: ParamKind::Int { min: 1, max: 1000 },
        default: ParamValue::Int(4),
        apply: Apply::Live,
        help: "Patterns stored in one union (E6: the segment holds the synapses of M patterns; E7: the input is the union of M patterns).",
        level: Level::Essential,
        when: Some(uses_unions),
    },
    ParamSpec {
        key: "k",
        label: "Segments K",
        kind: ParamKind::Int { min: 1, max: 100_000 },
        default: ParamValue::Int(8),
        apply: Apply::Live,
        help: "Independent segments on one neuron, or stored patterns in set classification (E4): the cell fires when any segment reaches θ.",
        level: Level::Essential,
        when: Some(uses_segments),
    },
    ParamSpec {
        key: "union",
        label: "Union method",
        kind: ParamKind::Choice { options: &["exact", "rounded"] },
        default: ParamValue::Choice("exact"),
        apply: Apply::Live,
        help: "E6. exact: the mixture of E3 over the distribution of the union size. rounded: the official sdr_paper_unions.py, which puts the rounded mean size S(M) into E3 (about 7% off at n = 1000).",
        level: Level::Advanced,
        when: Some(uses_unions),
    },
    ParamSpec {
        key: "set",
        label: "Set rule",
        kind: ParamKind::Choice { options: &["exact", "bound"] },
        default: ParamValue::Choice("exact"),
        apply: Apply::Live,
        help: "E4. exact: 1 − (1 − p)^K for independent random segments or patterns. bound: the 2015 paper's union bound K·p (what the official README calls the formula).",
        level: Level::Advanced,
        when: Some(uses_segments),
    },
    ParamSpec {
        key: "brush",
        label: "Paint",
        kind: ParamKind::Choice { options: &["x", "segment"] },
        default: ParamValue::Choice("segment"),
        apply: Apply::Live,
        help: "What a click on the bit view paints in the paint view: the pattern x (active cells) or the segment (synapses). In the pair view a click paints the panel it lands on (x or y).",
        level: Level::Essential,
        when: Some(|p| p.choice("view") == "paint"),
    },
    ParamSpec {
        key: "zoom",
        label: "Zoom",
        kind: ParamKind::Int { min: 1, max: MAX_ZOOM as i64 },
        default: ParamValue::Int(1),
        apply: Apply::Live,
        help: "Show n/zoom cells, from the cell \"from\" on (the mouse wheel on the bit view zooms around the cell under the pointer).",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "at",
        label: "From cell",
        kind: ParamKind::Int { min: 0, max: MAX_N },
        default: ParamValue::Int(0),
        apply: Apply::Live,
        help: "The first cell the bit view shows (when zoomed in, or when n is more than the 262,144 cells it draws).",
        level: Level::Advanced,
        when: None,
    },
    ParamSpec {
        key: "px",
        label: "Painted x",
        kind: ParamKind::Packed { max_len: cells::MAX_PACKED_CHARS },
        default: ParamValue::Packed(String::new()),
        apply: Apply::Live,
        help: "The pattern x you painted (paint and pair views), packed; empty: random.",
        level: Level::Advanced,
        when: Some(|_| false),
    },
    ParamSpec {
        key: "py",
        label: "Painted y",
        kind: ParamKind::Packed { max_len: cells::MAX_PACKED_CHARS },
        default: ParamValue::Packed(String::new()),
        apply: Apply::Live,
        help: "The second pattern y you painted (pair view), packed; empty: a random pattern per sample.",
        level: Level::Advanced,
        when: Some(|_| false),
    },
    ParamSpec {
        key: "ps",
        label: "Painted segment",
        kind: ParamKind::Packed { max_len: cells::MAX_PACKED_CHARS },
        default: ParamValue::Packed(String::new()),
        apply: Apply::Live,
        help: "The segment you painted (paint view), packed; empty: random.",
        level: Level::Advanced,
        when: Some(|_| false),
    },
    ParamSpec {
        key: "trials",
        label: "Simulation samples",
        kind: ParamKind::Int { min: 1000, max: 1_000_000_000 },
        default: ParamValue::Int(2_000_000),
        apply: Apply::Live,
        help: "Test vectors per simulated point (the official C++ used 10⁸). Importance-sampled points use a tenth of this, at most 200,000.",
        level: Level::Advanced,
        when: None,
    },
    ParamSpec {
        key: "speed",
        label: "Speed",
        kind: ParamKind::Float { min: 0.5, max: 5000.0, log: true },
        default: ParamValue::Float(5.0),
        apply: Apply::Live,
        help: "Samples drawn per second while playing.",
        level: Level::Essential,
        when: None,
    },
];

/// The validated parameters of one dendrites view.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DendriteParams {
    pub n: u64,
    pub a: u64,
    pub s: u64,
    pub theta: u64,
    pub v: u64,
    pub m: u64,
    pub k: u64,
    pub union: UnionMethod,
    /// E4: the exact 1 − (1 − p)^K (true) or the bound K·p (false).
    pub set_exact: bool,
    pub trials: u64,
    /// The bit view shows n/zoom cells from cell `at` (see [`scene::window`]).
    pub zoom: u64,
    pub at: u64,
}

impl Default for DendriteParams {
    fn default() -> Self {
        params_from(&Params::defaults(SCHEMA)).0
    }
}

/// Read the parameters, enforcing a ≤ n, s ≤ n, θ ≤ s and v ≤ a (each repair is a notice).
pub fn params_from(params: &Params) -> (DendriteParams, Vec<Notice>) {
    let mut notices = Vec::new();
    let get = |key: &str| params.int(key).max(0) as u64;
    let n = get("n");
    let mut clamp = |key: &str, value: u64, max: u64, what: &str| {
        if value > max {
            notices.push(Notice::new(key, format!("{key} = {value} is more than {what} = {max}; using {max}.")));
            max
        } else {
            value
        }
    };
    let a = clamp("a", get("a"), n, "n");
    let s = clamp("s", get("s"), n, "n");
    let theta = clamp("theta", get("theta"), s, "s");
    let v = clamp("v", get("v"), a, "a");
    let p = DendriteParams {
        n,
        a,
        s,
        theta,
        v,
        m: get("m").max(1),
        k: get("k").max(1),
        union: if params.choice("union") == "rounded" { UnionMethod::Rounded } else { UnionMethod::Exact },
        set_exact: params.choice("set") != "bound",
        trials: get("trials").max(1),
        zoom: get("zoom").max(1),
        at: get("at"),
    };
    (p, notices)
}

/// Whether the bit view or the figure shows unions (E6, E7), where M and the union method matter.
fn uses_unions(p: &Params) -> bool {
    matches!(p.choice("view"), "union" | "members") || matches!(p.choice("fig"), "u1" | "u2" | "uin")
}

/// Whether the bit view or the figure shows several segments (E4), where K and the set rule matter.
fn uses_segments(p: &Params) -> bool {
    p.choice("view") == "neuron" || p.choice("fig") == "neuron"
}
