//! The Hopfield experiment's handle: the lab's common methods ([`super::lab::lab_handle`])
//! over [`HopfieldRun`] (the stage), plus the pictures only this page draws (the stored
//! patterns, the β film strip), the plots' numbers, drawing and import, and the capacity job
//! the Web Worker drives.

use super::{notices_to_js, to_js};
use crate::core::params::Notice;
use crate::hopfield::analysis::{self, AccuracyJob};
use crate::hopfield::capacity::{
    self, CapacityConfig, CapacityModel, QueryNoise, RetrieveConfig, RetrieveKind, RetrieveSummary, TestResult,
};
use crate::hopfield::lab::{composite, HopfieldRun, GAP, MAX_THUMBNAILS};
use crate::hopfield::modern::Scaling;
use crate::hopfield::patterns::{self, ImportMode, PatternSet};
use wasm_bindgen::prelude::*;

super::lab::lab_handle!(HopfieldLab, HopfieldRun);

#[wasm_bindgen]
impl HopfieldLab {
    /// One modern update computed elsewhere (the page's WebGPU compute path or its worker
    /// pool): the new state (d values), the weights p (N values) and the dot products of the
    /// state it started from with every stored pattern (N values, or empty), booked like a
    /// step whose new energy is left pending (`HopfieldSession::step_with`; `settle` or
    /// `book_energy_from_dots` books it). Returns whether anything changed; throws a sentence
    /// (and changes nothing) for the binary models, wrong lengths or values that are not finite.
    pub fn step_with(&mut self, state: Vec<f32>, p: Vec<f32>, dots: Vec<f32>) -> Result<bool, JsError> {
        let dots = (!dots.is_empty()).then_some(&dots[..]);
        self.core.with_run(|run| run.session_mut().step_with(&state, &p, dots)).map_err(|e| JsError::new(&e))
    }

    /// Books the current state's pending energy from its dot products with every stored
    /// pattern (N values, from the worker pool's shards in order), so no pass runs here.
    /// Throws a sentence when nothing is pending or the values do not fit.
    pub fn book_energy_from_dots(&mut self, dots: Vec<f32>) -> Result<(), JsError> {
        self.core.with_run(|run| run.session_mut().book_energy_from_dots(&dots)).map_err(|e| JsError::new(&e))
    }

    /// Whether the current state's energy waits to be booked (after a step during play).
    pub fn energy_pending(&self) -> bool {
        self.core.run().session().energy_pending()
    }

    /// The current state (d values).
    pub fn state_values(&self) -> Vec<f32> {
        self.core.run().session().state().to_vec()
    }

    /// One neuron (binary asynchronous models); other models take a whole step.
    pub fn step_component(&mut self) -> bool {
        self.core.with_run(|run| run.session_mut().step_component())
    }

    /// Run to convergence (at most `max_steps`); returns the steps taken.
    pub fn run(&mut self, max_steps: u32) -> u32 {
        self.core.with_run(|run| run.session_mut().run(max_steps as usize)) as u32
    }

    /// Energy after each step (the query's first).
    pub fn energies(&self) -> Vec<f64> {
        self.core.run().session().energies().to_vec()
    }

    /// Overlap with every stored pattern.
    pub fn overlaps(&self) -> Vec<f64> {
        self.core.run().session().overlaps()
    }

    /// The overlaps at the step of the last booked energy (the read-out's `energy_step`), from
    /// the dot products that energy came from: the page's plot, with no pass over the patterns.
    pub fn booked_overlaps(&self) -> Vec<f64> {
        self.core.run().session().booked_overlaps()
    }

    /// The modern model's softmax weights p of the last update (empty for the binary models).
    pub fn weights(&self) -> Vec<f32> {
        self.core.run().session().weights().map(<[f32]>::to_vec).unwrap_or_default()
    }

    /// The stored patterns (at most 48), `per_row` to a row, as RGBA bytes.
    pub fn patterns_picture(&self, per_row: u32) -> Vec<u8> {
        let s = self.core.run().session();
        let rows: Vec<&[f32]> = (0..s.patterns().count().min(MAX_THUMBNAILS)).map(|i| s.patterns().row(i)).collect();
        composite(&rows, s.width(), s.height(), per_row as usize).0
    }

    pub fn patterns_columns(&self, per_row: u32) -> u32 {
        let s = self.core.run().session();
        let shown = s.patterns().count().clamp(1, MAX_THUMBNAILS);
        let per_row = (per_row as usize).clamp(1, shown);
        (per_row * s.width() + (per_row - 1) * GAP) as u32
    }

    /// The β film strip: the query after one modern update at each β, side by side.
    pub fn beta_strip_picture(&self, betas: Vec<f64>) -> Vec<u8> {
        let s = self.core.run().session();
        let strip = s.beta_strip(&betas);
        let rows: Vec<&[f32]> = strip.iter().map(Vec::as_slice).collect();
        composite(&rows, s.width(), s.height(), rows.len()).0
    }

    pub fn beta_strip_columns(&self, count: u32) -> u32 {
        let k = (count as usize).max(1);
        (k * self.core.run().session().width() + (k - 1) * GAP) as u32
    }

    /// The two-pattern pitchfork `{a, b, dist2, beta_c, points: [{beta, t_plus, t_minus, theory}]}`.
    pub fn pitchfork(&self, betas: Vec<f64>) -> Result<JsValue, JsError> {
        to_js(&self.core.run().session().pitchfork(&betas))
    }

    /// The stored patterns as one row-major array (N × d), for the GPU compute path and the
    /// worker pool. Copied straight from wasm memory into a new JS array (no temporary copy in
    /// wasm memory, which would never be given back).
    pub fn patterns_flat(&self) -> js_sys::Float32Array {
        js_sys::Float32Array::from(self.core.run().session().patterns().flat())
    }

    /// The current query (d values).
    pub fn query_values(&self) -> Vec<f32> {
        self.core.run().session().query().to_vec()
    }

    /// The effective β of the modern update (β, or β/√d with the blog's scaling), as the
    /// session's update uses it (rounded to f32); for the binary models, what the modern update
    /// of their patterns would use.
    pub fn effective_beta(&self) -> f64 {
        let (session, config) = (self.core.run().session(), self.core.run().config());
        session.effective_beta().unwrap_or_else(|| {
            crate::hopfield::modern::effective_beta(config.beta, config.scaling, session.patterns().dim().max(1))
        })
    }

    /// Each stored pattern's separation against Theorem 5 (`hopfield::analysis::separation_view`):
    /// `{beta_effective, threshold, max_norm, patterns, rows: [{pattern, delta, separated,
    /// well_separated, bound, error, one_step}], query: {target, delta, bound, error, p_target}}`.
    pub fn separation(&self) -> Result<JsValue, JsError> {
        let view = analysis::separation_view(self.core.run().session()).map_err(|e| JsError::new(&e))?;
        to_js(&view)
    }

    /// The softmax entropy against β (`hopfield::analysis::entropy_curve`): `{ln_n, points:
    /// [{beta, one_step, settled}]}`.
    pub fn entropy(&self, betas: Vec<f64>) -> Result<JsValue, JsError> {
        let curve = analysis::entropy_curve(self.core.run().session(), &betas).map_err(|e| JsError::new(&e))?;
        to_js(&curve)
    }

    /// A retrieval-accuracy curve of this session's model and patterns, `per_level` queries at
    /// each level, for the Web Worker to run a query at a time.
    pub fn accuracy_job(&self, per_level: u32) -> Result<HopfieldAccuracy, JsError> {
        let run = self.core.run();
        let job =
            AccuracyJob::new(run.config(), run.session().seed(), per_level as usize).map_err(|e| JsError::new(&e))?;
        Ok(HopfieldAccuracy { job })
    }

    /// Add a drawn or imported picture (values in [−1, 1], the session's grid: ±1 from the pen
    /// or a binarised image, grey levels from a greyscale one) to the drawn set and switch the
    /// patterns to it. Each value is rounded to the nearest of the 256 grey levels, so the URL
    /// holds exactly what is stored (1 bit per cell while every value is ±1, 8 bits otherwise).
    /// Returns the notices.
    pub fn add_drawn(&mut self, values: Vec<f32>) -> Result<JsValue, JsError> {
        let (w, h) = (self.core.run().session().width(), self.core.run().session().height());
        if values.len() != w * h {
            return Err(JsError::new(&format!(
                "a drawn picture needs {}×{} = {} cells, not {}",
                w,
                h,
                w * h,
                values.len()
            )));
        }
        let mut rows: Vec<Vec<f32>> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        if let Ok(set) = patterns::unpack_set(&self.core.run().config().drawn) {
            if set.width == w && set.height == h {
                rows.extend((0..set.count()).map(|i| set.row(i).to_vec()));
                names.extend(set.names.iter().cloned());
            }
        }
        let row: Option<Vec<f32>> = values.iter().map(|&v| patterns::quantise_grey(v)).collect();
        rows.push(row.ok_or_else(|| JsError::new("a drawn picture holds a value that is not a number (NaN)"))?);
        names.push(format!("drawn {}", rows.len()));
        let set = PatternSet::from_rows(w, h, rows, names).map_err(|e| JsError::new(&e))?;
        let packed = patterns::pack_set(&set).map_err(|e| JsError::new(&e))?;
        let count = set.count();
        let mut notices: Vec<Notice> = Vec::new();
        notices.extend(self.core.set_param("drawn", &packed));
        notices.extend(self.core.set_param("patterns", "drawn"));
        notices.extend(self.core.set_param("count", &count.to_string()));
        notices_to_js(&notices)
    }

    /// An image file's pixels (RGBA, `w`×`h`) resized to the session's grid, for `add_drawn`:
    /// binarised with the blog's rule (mean of RGB > `threshold` is paper: −1, else ink: +1), or
    /// with `greyscale` as 1 − 2L/255 on the 256 grey levels (ImportMode::Greyscale).
    pub fn import_rgba(
        &self,
        rgba: &[u8],
        w: u32,
        h: u32,
        threshold: f32,
        greyscale: bool,
    ) -> Result<Vec<f32>, JsError> {
        if !threshold.is_finite() {
            return Err(JsError::new(&format!(
                "the binarising threshold must be a number from 0 to 255, not {threshold}"
            )));
        }
        let mode = if greyscale {
            ImportMode::Greyscale
        } else {
            ImportMode::Binarise { threshold: threshold.clamp(0.0, 255.0) }
        };
        let s = self.core.run().session();
        patterns::from_rgba(rgba, w as usize, h as usize, s.width(), s.height(), mode).map_err(|e| JsError::new(&e))
    }
}

/// Retrieval accuracy against the amount of corruption (`hopfield::analysis::AccuracyJob`), run
/// a query at a time by the Web Worker.
#[wasm_bindgen]
pub struct HopfieldAccuracy {
    job: AccuracyJob,
}

#[wasm_bindgen]
impl HopfieldAccuracy {
    /// Run the next query; returns the queries done.
    pub fn run_next(&mut self) -> Result<u32, JsError> {
        self.job.run_next().map(|k| k as u32).map_err(|e| JsError::new(&e))
    }

    pub fn total(&self) -> u32 {
        self.job.total() as u32
    }

    /// `{model, axis, dim, patterns, points: [{amount, queries, exact, exact_se, overlap,
    /// overlap_se, wrong, wrong_se, steps}]}` over the levels run so far.
    pub fn curve(&self) -> Result<JsValue, JsError> {
        to_js(&self.job.curve())
    }
}

/// One point of a capacity curve, run a test at a time by the Web Worker: the binary models
/// through [`capacity::run_test`], the modern model through [`capacity::run_retrieve`] (one
/// retrieval experiment from the patterns themselves and one from noisy starts per test).
#[wasm_bindgen]
pub struct HopfieldCapacity {
    job: CapacityJob,
}

enum CapacityJob {
    Binary { config: CapacityConfig, results: Vec<TestResult> },
    Modern { base: RetrieveConfig, tests: usize, results: Vec<(RetrieveSummary, RetrieveSummary)> },
}

/// Queries per modern retrieval test (each from a random target).
const MODERN_QUERIES: usize = 20;

#[wasm_bindgen]
impl HopfieldCapacity {
    /// `model`: classical | dense | exp | modern; `order`: n for dense; `beta`: the modern β
    /// (paper scaling); N neurons, P patterns, T tests, `flip` components flipped in each noisy
    /// start.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        model: &str,
        order: u32,
        beta: f64,
        neurons: u32,
        patterns: u32,
        tests: u32,
        flip: u32,
        seed: &str,
    ) -> Result<HopfieldCapacity, JsError> {
        let seed: u64 = seed.trim().parse().map_err(|_| JsError::new("capacity: the seed is not a whole number"))?;
        let binary = match model {
            "classical" => Some(CapacityModel::Classical),
            "dense" => Some(CapacityModel::Dense { order, rectified: false }),
            "exp" => Some(CapacityModel::Exp),
            "modern" => None,
            other => return Err(JsError::new(&format!("capacity: unknown model \"{other}\""))),
        };
        let job = match binary {
            Some(model) => {
                let config = CapacityConfig {
                    model,
                    neurons: neurons as usize,
                    patterns: patterns as usize,
                    tests: tests as usize,
                    seed,
                    flip: flip as usize,
                    starts: (patterns as usize).min(20),
                };
                config.validate().map_err(|e| JsError::new(&e))?;
                CapacityJob::Binary { config, results: Vec::new() }
            }
            None => {
                if !(beta.is_finite() && beta > 0.0) {
                    return Err(JsError::new(&format!("capacity: β = {beta} must be a positive number")));
                }
                if !(1..=100).contains(&tests) || neurons == 0 || patterns == 0 || flip > neurons {
                    return Err(JsError::new("capacity: 1 to 100 tests, at least one neuron and pattern, flip ≤ N"));
                }
                let base = RetrieveConfig {
                    dim: neurons as usize,
                    patterns: patterns as usize,
                    beta,
                    scaling: Scaling::Paper,
                    noise: QueryNoise::Flip(flip as usize),
                    kind: RetrieveKind::Pm1,
                    queries: MODERN_QUERIES,
                    steps: 0,
                    seed,
                };
                CapacityJob::Modern { base, tests: tests as usize, results: Vec::new() }
            }
        };
        Ok(Self { job })
    }

    /// Run the next test; returns the tests done.
    pub fn run_next(&mut self) -> Result<u32, JsError> {
        match &mut self.job {
            CapacityJob::Binary { config, results } => {
                if results.len() < config.tests {
                    let r = capacity::run_test(config, results.len() as u64).map_err(|e| JsError::new(&e))?;
                    results.push(r);
                }
                Ok(results.len() as u32)
            }
            CapacityJob::Modern { base, tests, results } => {
                if results.len() < *tests {
                    let seed = crate::core::rng::stream_seed(base.seed, results.len() as u64 + 1);
                    let fixed = RetrieveConfig { noise: QueryNoise::Flip(0), seed, ..*base };
                    let noisy = RetrieveConfig { seed, ..*base };
                    let a = capacity::run_retrieve(&fixed).map_err(|e| JsError::new(&e))?;
                    let b = capacity::run_retrieve(&noisy).map_err(|e| JsError::new(&e))?;
                    results.push((a, b));
                }
                Ok(results.len() as u32)
            }
        }
    }

    pub fn total(&self) -> u32 {
        match &self.job {
            CapacityJob::Binary { config, .. } => config.tests as u32,
            CapacityJob::Modern { tests, .. } => *tests as u32,
        }
    }

    /// The summary so far: the CLI's `--json` keys for the binary models; for the modern model
    /// the same keys with `fixed_point_fraction` = exact retrieval from the pattern itself,
    /// `perfect_fraction` = exact retrieval from a noisy start, and `mean_overlap` = the mean
    /// softmax weight on the target from a noisy start (`overlap_is` says which).
    pub fn summary(&self) -> Result<JsValue, JsError> {
        match &self.job {
            CapacityJob::Binary { config, results } => {
                let mut v = serde_json::to_value(capacity::summarise(config, results))
                    .map_err(|e| JsError::new(&format!("capacity: {e}")))?;
                v["overlap_is"] = "mean final overlap from a noisy start".into();
                to_js(&v)
            }
            CapacityJob::Modern { base, results, .. } => {
                let stat = |f: &dyn Fn(&(RetrieveSummary, RetrieveSummary)) -> f64| {
                    let m = crate::core::stats::MeanSd::of(results.iter().map(f));
                    (m.mean, m.sd / (results.len().max(1) as f64).sqrt())
                };
                let (fixed, fixed_se) = stat(&|r| r.0.exact);
                let (perfect, perfect_se) = stat(&|r| r.1.exact);
                let (p_true, p_se) = stat(&|r| r.1.p_true);
                let theory = capacity::theory_lines(base.dim, None);
                to_js(&serde_json::json!({
                    "model": "modern",
                    "beta": base.beta,
                    "neurons": base.dim,
                    "patterns": base.patterns,
                    "tests": results.len(),
                    "load": base.patterns as f64 / base.dim as f64,
                    "fixed_point_fraction": fixed,
                    "fixed_point_se": fixed_se,
                    "perfect_fraction": perfect,
                    "perfect_se": perfect_se,
                    "mean_overlap": p_true,
                    "overlap_se": p_se,
                    "overlap_is": "mean softmax weight on the target from a noisy start",
                    "theory": theory,
                }))
            }
        }
    }
}

/// One batched modern update on the CPU (the wasm SIMD kernel): `{state, p}` as Float32Arrays,
/// for the page's GPU comparison and benchmarks. Sizes are checked.
#[wasm_bindgen]
pub fn hopfield_modern_update(
    x: &[f32],
    n: u32,
    d: u32,
    queries: &[f32],
    q: u32,
    beta: f32,
) -> Result<JsValue, JsError> {
    let (n, d, q) = (n as usize, d as usize, q as usize);
    if x.len() != n * d || queries.len() != q * d || n == 0 || d == 0 {
        return Err(JsError::new(&format!(
            "modern update: {} pattern values for N = {n}, d = {d}, and {} query values for Q = {q}",
            x.len(),
            queries.len()
        )));
    }
    let (mut state, mut p) = (vec![0.0f32; q * d], vec![0.0f32; q * n]);
    crate::hopfield::kernels::modern_update(x, n, d, queries, q, beta, &mut state, &mut p)
        .map_err(|e| JsError::new(&e))?;
    state_and_weights(&state, &p)
}

/// The stored patterns of a modern Hopfield network kept in wasm memory, for batches of
/// queries (`hopfield::kernels::ModernWorkspace`, one thread): what a page that wants the lab's
/// kernel as a library holds, and what `scripts/bench-peers.mjs` times against ONNX Runtime Web
/// and TensorFlow.js, whose models also keep their weights.
#[wasm_bindgen]
pub struct ModernUpdate {
    x: Vec<f32>,
    /// `hopfield::kernels::row_bits` of `x`: what one query's two passes bound |x| by.
    row_bits: Vec<u32>,
    n: usize,
    d: usize,
    workspace: crate::hopfield::kernels::ModernWorkspace,
}

#[wasm_bindgen]
impl ModernUpdate {
    /// `x`: `n` stored patterns of dimension `d`, row-major. Throws a sentence on wrong sizes.
    #[wasm_bindgen(constructor)]
    pub fn new(x: Vec<f32>, n: u32, d: u32) -> Result<ModernUpdate, JsError> {
        let (n, d) = (n as usize, d as usize);
        if n == 0 || d == 0 || n.checked_mul(d) != Some(x.len()) {
            return Err(JsError::new(&format!("modern update: {} pattern values for N = {n}, d = {d}", x.len())));
        }
        let row_bits = crate::hopfield::kernels::row_bits(&x, d);
        Ok(Self { x, row_bits, n, d, workspace: Default::default() })
    }

    /// One update of `q` queries (row-major, q × d) at β: `{state, p}` as Float32Arrays, the
    /// bits of [`hopfield_modern_update`]. Throws a sentence on wrong sizes or a β that is not
    /// finite.
    pub fn update(&mut self, queries: &[f32], q: u32, beta: f32) -> Result<JsValue, JsError> {
        let q = q as usize;
        let (mut state, mut p) = update_buffers(q, self.n, self.d)?;
        let bits = Some(self.row_bits.as_slice());
        self.workspace
            .update_with_row_bits(&self.x, self.n, self.d, bits, queries, q, beta, &mut state, &mut p, None)
            .map_err(|e| JsError::new(&e))?;
        state_and_weights(&state, &p)
    }
}

/// Zeroed buffers for the new states (Q × d) and the weights (Q × N) of an update of `q`
/// queries; a sentence when they would overflow or hold more than 2²⁸ values.
fn update_buffers(q: usize, n: usize, d: usize) -> Result<(Vec<f32>, Vec<f32>), JsError> {
    let (Some(state_len), Some(p_len)) = (q.checked_mul(d), q.checked_mul(n)) else {
        return Err(JsError::new("modern update: the sizes are too large"));
    };
    if state_len.max(p_len) > 1 << 28 {
        return Err(JsError::new("modern update: more than 2²⁸ values (1 GiB) asked for"));
    }
    Ok((vec![0.0f32; state_len], vec![0.0f32; p_len]))
}

/// `{state, p}` as Float32Arrays.
fn state_and_weights(state: &[f32], p: &[f32]) -> Result<JsValue, JsError> {
    super::js_object(
        [("state", js_sys::Float32Array::from(state).into()), ("p", js_sys::Float32Array::from(p).into())],
        "modern update",
    )
}

/// The segment plan of a modern update over `n` patterns of dimension `d`
/// (`hopfield::kernels::segments`): `[n0, n1, n0, n1, …]`, at most 8 segments. A pool of
/// workers gives each worker consecutive segments (`www/modern-pool.js`).
#[wasm_bindgen]
pub fn hopfield_modern_segments(n: u32, d: u32) -> Vec<u32> {
    crate::hopfield::kernels::segments(n as usize, d as usize)
        .into_iter()
        .flat_map(|(n0, n1)| [n0 as u32, n1 as u32])
        .collect()
}

/// One worker's share of a modern update computed by a pool (`hopfield::kernels::ModernShard`):
/// the rows of consecutive segments, kept in this worker's memory between updates.
#[wasm_bindgen(js_name = ModernShard)]
pub struct ModernShardHandle {
    shard: crate::hopfield::kernels::ModernShard,
    parts: crate::hopfield::kernels::SegmentParts,
}

#[wasm_bindgen(js_class = ModernShard)]
impl ModernShardHandle {
    /// `x`: the rows of segments `first .. first + count` of the plan for N = `n`, d = `d`.
    /// Throws a sentence when they do not match.
    #[wasm_bindgen(constructor)]
    pub fn new(x: Vec<f32>, n: u32, d: u32, first: u32, count: u32) -> Result<ModernShardHandle, JsError> {
        let shard =
            crate::hopfield::kernels::ModernShard::new(x, n as usize, d as usize, first as usize, count as usize)
                .map_err(|e| JsError::new(&e))?;
        Ok(Self { shard, parts: Default::default() })
    }

    /// Whether this shard holds every segment's rows (so `update_merged` works).
    #[wasm_bindgen(getter)]
    pub fn whole(&self) -> bool {
        self.shard.is_whole()
    }

    /// The kernel's dot products ξ^μ·σ of `state` with this shard's rows (Float32Array), for
    /// `HopfieldLab::book_energy_from_dots`; with `first` and `count`, with the rows of those
    /// segments of the plan only (a shard that holds them).
    pub fn dots(&self, state: &[f32], first: Option<u32>, count: Option<u32>) -> Result<Vec<f32>, JsError> {
        self.shard.dots_of(state, segment_range(first, count)).map_err(|e| JsError::new(&e))
    }

    /// This shard's parts of one update of `q` queries at β: `{scalars: Float64Array, states:
    /// Float32Array, numerators: Float32Array, dots: Float32Array}` (see
    /// `hopfield::kernels::SegmentParts`; `dots` is empty unless `keep_dots`); with `first` and
    /// `count`, the parts of those segments of the plan only (a shard that holds them).
    pub fn update(
        &mut self,
        queries: &[f32],
        q: u32,
        beta: f32,
        keep_dots: bool,
        first: Option<u32>,
        count: Option<u32>,
    ) -> Result<JsValue, JsError> {
        self.shard
            .update_of(queries, q as usize, beta, keep_dots, &mut self.parts, segment_range(first, count))
            .map_err(|e| JsError::new(&e))?;
        super::js_object(
            [
                ("scalars", js_sys::Float64Array::from(&self.parts.scalars[..]).into()),
                ("states", js_sys::Float32Array::from(&self.parts.states[..]).into()),
                ("numerators", js_sys::Float32Array::from(&self.parts.numerators[..]).into()),
                ("dots", js_sys::Float32Array::from(&self.parts.dots[..]).into()),
            ],
            "modern shard",
        )
    }

    /// The first of one query's two passes over this shard's segments (or segments `first ..
    /// first + count` of the plan): `{scalars: Float64Array, numerators: Float32Array, dots:
    /// Float32Array, bounds: Uint32Array}` (`hopfield::kernels::ModernShard::first_pass_of`;
    /// `dots` empty unless `keep_dots`). With `with_top`, also `top` (a segment of the plan:
    /// `hopfield::kernels::ModernShard::local_top`) and, where it takes at most
    /// `hopfield::kernels::TOP_STATE_SHARES` block shares, `topState` (its state, as
    /// `segment_states` computes it), so a pool need not ask for the top segment's state in a
    /// second round trip; a worker whose own segments are flat sends no `topState` rather than
    /// read its would-be top's rows again (`hopfield::kernels::ModernShard::segment_state_within`).
    /// Throws a sentence on wrong sizes, d not a multiple of 4 or a β that is not finite.
    pub fn first_pass(
        &mut self,
        query: &[f32],
        beta: f32,
        keep_dots: bool,
        first: Option<u32>,
        count: Option<u32>,
        with_top: Option<bool>,
    ) -> Result<JsValue, JsError> {
        self.shard
            .first_pass_of(query, beta, keep_dots, &mut self.parts, segment_range(first, count))
            .map_err(|e| JsError::new(&e))?;
        let mut fields: Vec<(&'static str, JsValue)> = vec![
            ("scalars", js_sys::Float64Array::from(&self.parts.scalars[..]).into()),
            ("numerators", js_sys::Float32Array::from(&self.parts.numerators[..]).into()),
            ("dots", js_sys::Float32Array::from(&self.parts.dots[..]).into()),
            ("bounds", js_sys::Uint32Array::from(&self.parts.bounds[..]).into()),
        ];
        if with_top == Some(true) {
            let top = self
                .shard
                .local_top(&self.parts)
                .ok_or_else(|| JsError::new("modern shard: no top segment after the first pass"))?;
            let state = self
                .shard
                .segment_state_within(&mut self.parts, top, crate::hopfield::kernels::TOP_STATE_SHARES)
                .map_err(|e| JsError::new(&e))?;
            fields.push(("top", JsValue::from_f64(top as f64)));
            if let Some(state) = state {
                fields.push(("topState", js_sys::Float32Array::from(&state[..]).into()));
            }
        }
        super::js_object(fields, "modern shard")
    }

    /// The states of segments `which` of the plan (d values each, in that order) after
    /// `first_pass`, computing only the block shares that can change a bit
    /// (`hopfield::kernels::ModernShard::segment_states`). Throws a sentence without a first
    /// pass or for a segment it did not cover.
    pub fn segment_states(&mut self, which: Vec<u32>) -> Result<Vec<f32>, JsError> {
        let which: Vec<usize> = which.into_iter().map(|s| s as usize).collect();
        self.shard.segment_states(&mut self.parts, &which).map_err(|e| JsError::new(&e))
    }

    /// The whole update of `q` queries at β by a shard that holds every segment:
    /// `{state, p, dots}` as Float32Arrays (Q × d, Q × N, and Q × N or empty unless
    /// `keep_dots`), the bits of [`hopfield_modern_update`] on one thread. A pool whose workers
    /// hold all of X gives each some of a batch's queries (`www/modern-pool.js`). Throws a
    /// sentence on a shard that does not hold every segment, wrong sizes or a β that is not
    /// finite.
    pub fn update_merged(&mut self, queries: &[f32], q: u32, beta: f32, keep_dots: bool) -> Result<JsValue, JsError> {
        let q = q as usize;
        let (mut state, mut p) = update_buffers(q, self.shard.patterns(), self.shard.dim())?;
        let mut dots = vec![0.0f32; if keep_dots { p.len() } else { 0 }];
        self.shard
            .update_merged(queries, q, beta, &mut state, &mut p, keep_dots.then_some(&mut dots[..]))
            .map_err(|e| JsError::new(&e))?;
        super::js_object(
            [
                ("state", js_sys::Float32Array::from(&state[..]).into()),
                ("p", js_sys::Float32Array::from(&p[..]).into()),
                ("dots", js_sys::Float32Array::from(&dots[..]).into()),
            ],
            "modern shard",
        )
    }
}

/// Segments `first .. first + count` of the plan when both are given; `None` (all of a
/// shard's) otherwise.
fn segment_range(first: Option<u32>, count: Option<u32>) -> Option<(usize, usize)> {
    Some((first? as usize, count? as usize))
}

/// The segment of one query's update whose state a pool's two passes ask for first
/// (`hopfield::kernels::two_pass_top`), from every segment's `scalars` after the first pass.
/// Throws a sentence when they do not fit N and d.
#[wasm_bindgen]
pub fn hopfield_modern_two_pass_top(n: u32, d: u32, scalars: Vec<f64>) -> Result<u32, JsError> {
    crate::hopfield::kernels::two_pass_top(n as usize, d as usize, &scalars)
        .map(|s| s as u32)
        .map_err(|e| JsError::new(&e))
}

/// Whether the top segment's state is all the merge needs, every other segment's state left
/// zero (`hopfield::kernels::two_pass_top_suffices`); otherwise a pool asks every worker for
/// its segments' states. Throws a sentence when the sizes do not fit N and d.
#[wasm_bindgen]
pub fn hopfield_modern_top_suffices(
    n: u32,
    d: u32,
    scalars: Vec<f64>,
    bounds: Vec<u32>,
    top_state: Vec<f32>,
) -> Result<bool, JsError> {
    crate::hopfield::kernels::two_pass_top_suffices(n as usize, d as usize, &scalars, &bounds, &top_state)
        .map_err(|e| JsError::new(&e))
}

/// Whether one query's softmax, from its segments' `scalars` (as the pool's workers return
/// them), was peaked: all but about 2⁻²⁴ of the weight on one pattern
/// (`hopfield::kernels::peaked_softmax`), when a pool takes two passes for the next update.
#[wasm_bindgen]
pub fn hopfield_modern_peaked(n: u32, d: u32, scalars: Vec<f64>) -> bool {
    crate::hopfield::kernels::peaked_softmax(n as usize, d as usize, &scalars)
}

/// The first half of merging a pool's parts (every segment's `scalars` and `states`,
/// concatenated in segment order; `hopfield::kernels::merge_segment_states`):
/// `{state, blockRows, factors}`: the update's new states (Float32Array, Q × d), the rows per
/// cache block, and the factor f of every block of every query (Float64Array; segment by
/// segment, query by query, block by block, as the shards hold their numerators) that makes a
/// numerator e its softmax weight, p = (f64) e · f rounded to f32. The pool
/// (www/modern-pool.js) applies them to its workers' numerators where they arrived; a
/// Float32Array's store rounds as Rust's `as f32` does, so the weights have the bits of
/// [`hopfield_modern_update`] on one thread, without a copy of every weight into wasm and back.
/// Throws a sentence when the parts do not fit the plan for N, d, Q.
#[wasm_bindgen]
pub fn hopfield_modern_merge_states(
    n: u32,
    d: u32,
    q: u32,
    scalars: Vec<f64>,
    states: Vec<f32>,
) -> Result<JsValue, JsError> {
    let (n, d, q) = (n as usize, d as usize, q as usize);
    let Some(state_len) = q.checked_mul(d).filter(|&len| len <= 1 << 28) else {
        return Err(JsError::new("modern update merge: more than 2²⁸ state values (1 GiB) asked for"));
    };
    let mut state = vec![0.0f32; state_len];
    let factors = crate::hopfield::kernels::merge_segment_states(n, d, q, &scalars, &states, &mut state)
        .map_err(|e| JsError::new(&e))?;
    super::js_object(
        [
            ("state", js_sys::Float32Array::from(&state[..]).into()),
            ("factors", js_sys::Float64Array::from(&factors[..]).into()),
            ("blockRows", JsValue::from(crate::hopfield::kernels::block_rows(d) as u32)),
        ],
        "modern update merge",
    )
}
