//! Hopfield networks from 1982 to "Hopfield Networks is All You Need" (Ramsauer et al., arXiv
//! 2008.02217). docs/hopfield.md ("Models and sources") says which formula comes from where.
//! We follow the papers; where the blog's code differs (β/√d, β = 1 inside the energy, Jacobi
//! dense updates; docs/hopfield.md, "The blog post and its code") the blog's choice is a labelled
//! option at most.
//!
//! - [`kernels`]: the f32 kernels of the modern update (XᵀΞ, softmax, XP), cache-blocked,
//!   SIMD128 in wasm, bit-identical natively and in wasm.
//! - [`patterns`]: random, sparse, correlated and spherical patterns, the built-in pictures,
//!   image import and bit packing; [`queries`]: masks, flips, noise, inversion.
//! - [`classical`] (Hopfield 1982), [`dense`] (Krotov & Hopfield 2016; Demircigil et al. 2017),
//!   [`modern`] (Ramsauer et al. 2020), [`multitask`] (Agliari et al., arXiv 2308.04106).
//! - [`capacity`]: the capacity, retrieval and metastable experiments; [`session`]: the
//!   interactive run the page drives.
//!
//! Naming on screen: d is the dimension (neurons) and P the number of stored patterns for every
//! model (Ramsauer et al. call the patterns N; docs/hopfield.md, "Models and sources").

pub mod analysis;
pub mod bench;
pub mod capacity;
pub mod classical;
pub mod dense;
pub mod kernels;
pub mod lab;
pub mod modern;
pub mod multitask;
pub mod patterns;
pub mod queries;
pub mod session;

use crate::core::params::{Apply, Level, Notice, ParamKind, ParamSpec, ParamValue, Params};
use classical::TieRule;
use modern::Scaling;
use queries::{Corruption, Fill};

/// Which network the session runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ModelKind {
    /// Classical binary network (Hopfield 1982).
    #[default]
    Classical,
    /// Krotov–Hopfield F(x) = xⁿ (Krotov & Hopfield 2016).
    Dense,
    /// Demircigil F = exp (Demircigil et al. 2017).
    Exp,
    /// Ramsauer et al.'s continuous network (arXiv 2008.02217, eqs. 2–3).
    Modern,
    /// Multitasking network with diluted patterns (Agliari et al., arXiv 2308.04106).
    Multitask,
}

impl ModelKind {
    pub const IDS: &'static [&'static str] = &["classical", "dense", "exp", "modern", "multitask"];

    pub fn id(self) -> &'static str {
        Self::IDS[self as usize]
    }

    pub fn from_id(id: &str) -> Self {
        match id {
            "dense" => ModelKind::Dense,
            "exp" => ModelKind::Exp,
            "modern" => ModelKind::Modern,
            "multitask" => ModelKind::Multitask,
            _ => ModelKind::Classical,
        }
    }

    /// Whether the state is binary (±1, updated component by component).
    pub fn is_binary(self) -> bool {
        self != ModelKind::Modern
    }

    /// Most stored patterns the page allows for this model, so that one step stays well under
    /// a frame at d = 4096 (a classical sweep costs O(dP) with the factored field, a dense or
    /// exp sweep O(dP) to O(dP log P); the modern update is the kernel's N = 10,000 target;
    /// the multitasking regime is low storage, K finite, as in Agliari et al.).
    pub fn max_count(self) -> usize {
        match self {
            ModelKind::Classical => 1000,
            ModelKind::Dense | ModelKind::Exp => 500,
            ModelKind::Modern => 10_000,
            ModelKind::Multitask => 16,
        }
    }
}

/// Synchronous or asynchronous updates of the binary models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UpdateMode {
    /// One component at a time, a fresh random order per sweep (docs/hopfield.md, "Models and
    /// sources").
    #[default]
    Async,
    /// All components from the old state (2-cycles possible; the blog's dense pass, quirk ii in
    /// docs/hopfield.md, "The blog post and its code").
    Sync,
}

/// Where the stored patterns come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PatternSource {
    #[default]
    Builtin,
    Random,
    Sparse,
    Correlated,
    Sphere,
    Drawn,
}

impl PatternSource {
    pub const IDS: &'static [&'static str] = &["builtin", "random", "sparse", "correlated", "sphere", "drawn"];

    pub fn id(self) -> &'static str {
        Self::IDS[self as usize]
    }

    fn from_id(id: &str) -> Self {
        match id {
            "random" => PatternSource::Random,
            "sparse" => PatternSource::Sparse,
            "correlated" => PatternSource::Correlated,
            "sphere" => PatternSource::Sphere,
            "drawn" => PatternSource::Drawn,
            _ => PatternSource::Builtin,
        }
    }
}

/// The query's corruption as the URL names it ([`HopfieldConfig::corruption`] makes the
/// [`Corruption`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CorruptKind {
    None,
    #[default]
    Half,
    Rect,
    Flip,
    Noise,
    Invert,
}

const CORRUPT_IDS: &[&str] = &["none", "half", "rect", "flip", "noise", "invert"];
const FILL_IDS: &[&str] = &["plus", "minus", "zero", "noise"];

/// Largest packed drawn set in the URL (characters): 96 ±1 patterns of 64×64 fit, or 12 grey
/// ones (8 bits per cell: 5,462 characters each); every browser takes URLs of this length.
pub const MAX_DRAWN_CHARS: usize = 65_536;

/// Everything a session is built from (the URL's parameters, validated).
#[derive(Clone, Debug, PartialEq)]
pub struct HopfieldConfig {
    pub model: ModelKind,
    pub update: UpdateMode,
    /// Dense order n (2..=30).
    pub order: u32,
    pub rectified: bool,
    /// β as the slider shows it (see `scaling`).
    pub beta: f64,
    pub scaling: Scaling,
    pub patterns: PatternSource,
    /// P, the number of stored patterns.
    pub count: usize,
    /// Grid side; d = side² (a drawn set brings its own size).
    pub side: usize,
    /// Correlated patterns: flip probability q.
    pub flip: f64,
    /// Sparse patterns and the multitasking network: dilution d = P(0).
    pub dilution: f64,
    /// Which stored pattern the query is made from.
    pub target: usize,
    pub corrupt: CorruptKind,
    pub fill: Fill,
    /// flip: k as a fraction of d; noise: σ.
    pub amount: f64,
    /// x, y, w, h of the rectangle mask.
    pub rect: [usize; 4],
    pub tie: TieRule,
    /// The user's drawn patterns, [`patterns::pack_set`] text.
    pub drawn: String,
    /// Glauber noise T of the multitasking network (0: deterministic).
    pub temperature: f64,
}

impl Default for HopfieldConfig {
    fn default() -> Self {
        config_from_params(&Params::defaults(SCHEMA)).0
    }
}

impl HopfieldConfig {
    /// The corruption for a `width`×`height` grid (flip: k = round(amount·d)).
    pub fn corruption(&self, width: usize, height: usize) -> Corruption {
        let d = width * height;
        match self.corrupt {
            CorruptKind::None => Corruption::None,
            CorruptKind::Half => Corruption::MaskHalf { fill: self.fill },
            CorruptKind::Rect => {
                let [x, y, w, h] = self.rect;
                Corruption::MaskRect { x, y, w, h, fill: self.fill }
            }
            CorruptKind::Flip => {
                Corruption::Flip { k: ((self.amount.clamp(0.0, 1.0) * d as f64).round() as usize).min(d) }
            }
            CorruptKind::Noise => Corruption::Gaussian { sigma: self.amount.max(0.0) },
            CorruptKind::Invert => Corruption::Invert,
        }
    }
}

/// The parameters of the Hopfield experiment, shown in the page and checked in URLs.
pub fn schema() -> &'static [ParamSpec] {
    SCHEMA
}

static SCHEMA: &[ParamSpec] = &[
    ParamSpec {
        key: "model",
        label: "Model",
        kind: ParamKind::Choice { options: ModelKind::IDS },
        default: ParamValue::Choice("classical"),
        apply: Apply::Reset,
        help: "classical: Hopfield 1982, Hebbian W = (1/d)Σξξᵀ, zero diagonal. dense: Krotov–Hopfield F(x) = xⁿ. exp: Demircigil F = exp (log space). modern: Ramsauer et al., ξ ← X softmax(β Xᵀξ). multitask: diluted patterns, several retrieved at once (Agliari et al.).",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "update",
        label: "Update",
        kind: ParamKind::Choice { options: &["async", "sync"] },
        default: ParamValue::Choice("async"),
        apply: Apply::Reset,
        help: "Binary models. async: one neuron at a time, a new random order each sweep (energy never increases). sync: every neuron from the old state at once (may end in a 2-cycle; the blog's dense code does this).",
        level: Level::Advanced,
        when: Some(|p| ModelKind::from_id(p.choice("model")).is_binary() && p.choice("model") != "multitask"),
    },
    ParamSpec {
        key: "order",
        label: "Order n",
        kind: ParamKind::Int { min: 2, max: 30 },
        default: ParamValue::Int(3),
        apply: Apply::Reset,
        help: "Dense model: the interaction F(x) = xⁿ; n = 2 is the classical network. Computed exactly in integers.",
        level: Level::Essential,
        when: Some(|p| p.choice("model") == "dense"),
    },
    ParamSpec {
        key: "rectified",
        label: "Rectified",
        kind: ParamKind::Bool,
        default: ParamValue::Bool(false),
        apply: Apply::Reset,
        help: "Dense model: F(x) = xⁿ for x ≥ 0 and 0 below (Krotov & Hopfield's rectified polynomial).",
        level: Level::Advanced,
        when: Some(|p| p.choice("model") == "dense"),
    },
    ParamSpec {
        key: "beta",
        label: "β",
        kind: ParamKind::Float { min: 1e-3, max: 1e3, log: true },
        default: ParamValue::Float(1.0),
        apply: Apply::Reset,
        help: "Modern model: inverse temperature. Large β retrieves single patterns; small β averages (metastable states, then the global average).",
        level: Level::Essential,
        when: Some(|p| p.choice("model") == "modern"),
    },
    ParamSpec {
        key: "scaling",
        label: "β scaling",
        kind: ParamKind::Choice { options: &["paper", "blog"] },
        default: ParamValue::Choice("paper"),
        apply: Apply::Reset,
        help: "paper: softmax(β Xᵀξ). blog: the blog code's softmax(β Xᵀξ/√d), so its \"β = 8\" at d = 4096 is 0.125 in the paper's formula.",
        level: Level::Advanced,
        when: Some(|p| p.choice("model") == "modern"),
    },
    ParamSpec {
        key: "compute",
        label: "Compute on",
        kind: ParamKind::Choice { options: &["auto", "cpu", "workers", "gpu"] },
        default: ParamValue::Choice("auto"),
        apply: Apply::Live,
        help: "Modern model: where each step's update runs. cpu: the wasm SIMD kernel on the page's thread, the same bits as the CLI. workers: the same kernel on a pool of Web Workers, one per core, each holding a share of the stored patterns; merged in a fixed order, so the same bits as cpu. auto: workers for large stores (N·d ≥ 2²⁰ values) where there is more than one core, otherwise cpu. gpu: WebGPU compute shaders (where the browser has WebGPU; it agrees with the CPU to float rounding, not bit for bit). Stepping back and a link's step= replay on the page's thread.",
        level: Level::Advanced,
        when: Some(|p| p.choice("model") == "modern"),
    },
    ParamSpec {
        key: "patterns",
        label: "Patterns",
        kind: ParamKind::Choice { options: PatternSource::IDS },
        default: ParamValue::Choice("builtin"),
        apply: Apply::Reset,
        help: "builtin: 10 correlated faces made for the lab. random: fair ±1. sparse: 0 with probability \"dilution\". correlated: a random base with each entry flipped with probability \"flip\". sphere: Gaussian, normalised to ‖x‖ = side. drawn: your own, drawn on the grid or imported from an image (binarised or greyscale).",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "count",
        label: "Patterns P",
        kind: ParamKind::Int { min: 1, max: 10_000 },
        default: ParamValue::Int(6),
        apply: Apply::Reset,
        help: "Stored patterns. Limits: classical 1000, dense and exp 500, modern 10,000, multitask 16; builtin has 10; drawn patterns are stored whole.",
        level: Level::Essential,
        when: Some(|p| p.choice("patterns") != "drawn"),
    },
    ParamSpec {
        key: "side",
        label: "Grid side",
        kind: ParamKind::Int { min: 8, max: 64 },
        default: ParamValue::Int(32),
        apply: Apply::Reset,
        help: "The patterns are side × side grids; d = side². Drawn patterns keep their own size.",
        level: Level::Advanced,
        when: None,
    },
    ParamSpec {
        key: "flip",
        label: "Correlation flip q",
        kind: ParamKind::Float { min: 0.0, max: 0.5, log: false },
        default: ParamValue::Float(0.1),
        apply: Apply::Reset,
        help: "Correlated patterns: each entry of the shared base is flipped with probability q (0.5: independent).",
        level: Level::Essential,
        when: Some(|p| p.choice("patterns") == "correlated"),
    },
    ParamSpec {
        key: "dilution",
        label: "Dilution",
        kind: ParamKind::Float { min: 0.0, max: 0.99, log: false },
        default: ParamValue::Float(0.3),
        apply: Apply::Reset,
        help: "Sparse patterns and the multitasking network: the probability that an entry is 0 (blank).",
        level: Level::Essential,
        when: Some(|p| p.choice("patterns") == "sparse" || p.choice("model") == "multitask"),
    },
    ParamSpec {
        key: "target",
        label: "Query from pattern",
        kind: ParamKind::Int { min: 0, max: 9_999 },
        default: ParamValue::Int(0),
        apply: Apply::Reset,
        help: "Which stored pattern (counting from 0) the query is made from.",
        level: Level::Advanced,
        when: None,
    },
    ParamSpec {
        key: "corrupt",
        label: "Corruption",
        kind: ParamKind::Choice { options: CORRUPT_IDS },
        default: ParamValue::Choice("half"),
        apply: Apply::Reset,
        help: "none; half: the blog's mask (rows below the middle set to the fill); rect: a rectangle set to the fill; flip: a fraction \"amount\" of the cells negated; noise: Gaussian noise of σ = amount; invert: every cell negated.",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "fill",
        label: "Mask fill",
        kind: ParamKind::Choice { options: FILL_IDS },
        default: ParamValue::Choice("plus"),
        apply: Apply::Reset,
        help: "What masked cells become: +1 (the blog's binary images), −1, 0 (the blog's greyscale images) or random ±1.",
        level: Level::Advanced,
        when: Some(|p| matches!(p.choice("corrupt"), "half" | "rect")),
    },
    ParamSpec {
        key: "amount",
        label: "Amount",
        kind: ParamKind::Float { min: 0.0, max: 4.0, log: false },
        default: ParamValue::Float(0.1),
        apply: Apply::Reset,
        help: "flip: the fraction of cells negated (0…1). noise: the standard deviation σ.",
        level: Level::Essential,
        when: Some(|p| matches!(p.choice("corrupt"), "flip" | "noise")),
    },
    ParamSpec {
        key: "rect",
        label: "Mask rectangle",
        kind: ParamKind::List { max_len: 4, max: 64 },
        default: ParamValue::List(Vec::new()),
        apply: Apply::Reset,
        help: "x,y,w,h of the masked rectangle in cells (empty: the centre quarter).",
        level: Level::Advanced,
        when: Some(|p| p.choice("corrupt") == "rect"),
    },
    ParamSpec {
        key: "tie",
        label: "Tie rule",
        kind: ParamKind::Choice { options: &["keep", "negative"] },
        default: ParamValue::Choice("keep"),
        apply: Apply::Reset,
        help: "Binary models, a field of exactly 0: keep the current value (the lab's default), or −1 (the blog code's \"≤ 0 → −1\").",
        level: Level::Advanced,
        when: Some(|p| ModelKind::from_id(p.choice("model")).is_binary()),
    },
    ParamSpec {
        key: "drawn",
        label: "Drawn patterns",
        kind: ParamKind::Packed { max_len: MAX_DRAWN_CHARS },
        default: ParamValue::Packed(String::new()),
        apply: Apply::Reset,
        help: "Your drawn and imported patterns, packed: 1 bit per cell while all are ±1, 8 bits (256 grey levels) once one is grey.",
        level: Level::Advanced,
        when: Some(|_| false),
    },
    ParamSpec {
        key: "temperature",
        label: "Temperature T",
        kind: ParamKind::Float { min: 0.0, max: 2.0, log: false },
        default: ParamValue::Float(0.0),
        apply: Apply::Reset,
        help: "Multitasking network: Glauber noise T (0: deterministic sgn updates).",
        level: Level::Essential,
        when: Some(|p| p.choice("model") == "multitask"),
    },
    ParamSpec {
        key: "speed",
        label: "Speed",
        kind: ParamKind::Float { min: 0.5, max: 60.0, log: true },
        default: ParamValue::Float(8.0),
        apply: Apply::Live,
        help: "Steps per second while playing.",
        level: Level::Essential,
        when: None,
    },
];

/// Read the parameters and repair cross-constraints, each repair a notice: P within the
/// model's limit and the source's size, the target below P, the rectangle inside the grid,
/// flip amounts at most 1, a drawn set that unpacks (else the built-in set).
pub fn config_from_params(params: &Params) -> (HopfieldConfig, Vec<Notice>) {
    let mut notices = Vec::new();
    let model = ModelKind::from_id(params.choice("model"));
    let mut patterns = PatternSource::from_id(params.choice("patterns"));
    let side = params.int("side").clamp(8, 64) as usize;
    let drawn = params.packed("drawn").to_string();
    let mut source_count = usize::MAX;
    match patterns {
        PatternSource::Drawn => match patterns::unpack_set(&drawn) {
            Ok(set) => source_count = set.count(),
            Err(e) => {
                let why = if drawn.is_empty() { "there are no drawn patterns yet".to_string() } else { e };
                notices.push(Notice::new("drawn", format!("drawn patterns: {why}; using the built-in pictures.")));
                patterns = PatternSource::Builtin;
            }
        },
        PatternSource::Sphere if model.is_binary() => notices.push(Notice::new(
            "patterns",
            format!("sphere patterns are continuous; the {} model stores their signs.", model.id()),
        )),
        _ => {}
    }
    if patterns == PatternSource::Builtin {
        source_count = patterns::BUILTIN_NAMES.len();
    }
    // A drawn set is stored whole: its size is the count.
    let mut count = if patterns == PatternSource::Drawn { source_count } else { params.int("count").max(1) as usize };
    let limit = model.max_count().min(source_count);
    if count > limit {
        let why = if limit == model.max_count() && source_count >= limit {
            format!("the {} model's limit", model.id())
        } else {
            format!("the {} patterns available", patterns.id())
        };
        notices.push(Notice::new("count", format!("count: P = {count} is more than {why} ({limit}); using {limit}.")));
        count = limit;
    }
    let mut target = params.int("target").max(0) as usize;
    if target >= count {
        notices.push(Notice::new(
            "target",
            format!("target: pattern {target} does not exist (P = {count}, counting from 0); using 0."),
        ));
        target = 0;
    }
    let corrupt = match params.choice("corrupt") {
        "none" => CorruptKind::None,
        "rect" => CorruptKind::Rect,
        "flip" => CorruptKind::Flip,
        "noise" => CorruptKind::Noise,
        "invert" => CorruptKind::Invert,
        _ => CorruptKind::Half,
    };
    let mut amount = params.float("amount");
    if corrupt == CorruptKind::Flip && amount > 1.0 {
        notices.push(Notice::new("amount", format!("amount: a flip fraction of {amount} is more than 1; using 1.")));
        amount = 1.0;
    }
    let rect = match params.list("rect") {
        [] => [side / 4, side / 4, side / 2, side / 2],
        [x, y, w, h] => {
            let (x, y) = ((*x as usize).min(side - 1), (*y as usize).min(side - 1));
            let (w, h) = ((*w as usize).min(side - x), (*h as usize).min(side - y));
            [x, y, w, h]
        }
        other => {
            notices.push(Notice::new(
                "rect",
                format!("rect: {} numbers, not the 4 of x,y,w,h; using the centre quarter.", other.len()),
            ));
            [side / 4, side / 4, side / 2, side / 2]
        }
    };
    let fill = match params.choice("fill") {
        "minus" => Fill::Minus,
        "zero" => Fill::Zero,
        "noise" => Fill::Noise,
        _ => Fill::Plus,
    };
    let config = HopfieldConfig {
        model,
        update: if params.choice("update") == "sync" { UpdateMode::Sync } else { UpdateMode::Async },
        order: params.int("order").clamp(2, 30) as u32,
        rectified: matches!(params.get("rectified"), Some(ParamValue::Bool(true))),
        beta: params.float("beta"),
        scaling: if params.choice("scaling") == "blog" { Scaling::Blog } else { Scaling::Paper },
        patterns,
        count,
        side,
        flip: params.float("flip"),
        dilution: params.float("dilution"),
        target,
        corrupt,
        fill,
        amount,
        rect,
        tie: if params.choice("tie") == "negative" { TieRule::Negative } else { TieRule::Keep },
        drawn,
        temperature: params.float("temperature"),
    };
    (config, notices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_repairs_are_noticed() {
        let (c, n) = config_from_params(&Params::defaults(SCHEMA));
        assert!(n.is_empty(), "{n:?}");
        assert_eq!(c.count, 6);
        let mut p = Params::defaults(SCHEMA);
        assert!(p.set_text(SCHEMA, "count", "50").is_none());
        assert!(p.set_text(SCHEMA, "target", "20").is_none());
        let (c, n) = config_from_params(&p);
        assert_eq!((c.count, c.target), (10, 0));
        assert_eq!(n.len(), 2, "{n:?}");
        p.set_text(SCHEMA, "patterns", "drawn");
        let (c, n) = config_from_params(&p);
        assert_eq!(c.patterns, PatternSource::Builtin);
        assert!(n.iter().any(|n| n.key == "drawn"));
    }
}
