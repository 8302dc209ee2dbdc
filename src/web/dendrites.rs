//! The dendrites experiment's handle: the lab's common methods ([`super::lab::lab_handle`])
//! over [`DendritesRun`] (the bit view, a sample per step), plus the figures, and the Monte
//! Carlo handle the Web Worker drives.

use super::to_js;
use crate::dendrites::figures;
use crate::dendrites::lab::DendritesRun;
use crate::dendrites::simulate::{ImportanceSimulation, McKind, Simulation};
use wasm_bindgen::prelude::*;

super::lab::lab_handle!(DendritesLab, DendritesRun);

#[wasm_bindgen]
impl DendritesLab {
    /// `[{id, title}]` of the figures, in menu order.
    pub fn figure_list() -> Result<JsValue, JsError> {
        let list: Vec<_> =
            figures::list().iter().map(|(id, title)| serde_json::json!({"id": id, "title": title})).collect();
        to_js(&list)
    }

    /// The figure chosen by `fig` for the current parameters.
    pub fn figure(&self) -> Result<JsValue, JsError> {
        let fig = self.core.state().params.choice("fig");
        let f = figures::figure(fig, self.core.run().params()).map_err(|e| JsError::new(&e))?;
        to_js(&f)
    }

    /// One line about picture cell `index` (from [`DendritesLab::cell_at`]): its cell index and
    /// role, for the hover read-out; `undefined` off the cells.
    pub fn describe_cell(&self, index: i32) -> Option<String> {
        u64::try_from(index).ok().and_then(|i| self.core.run().scene().describe(i))
    }

    /// Paint picture cell `index` (toggle it in the painted x, y or segment, whichever the view
    /// and the brush say) and return the notices; `false` when nothing there can be painted.
    /// The painted set goes into the URL (`px`, `py`, `ps`).
    pub fn paint(&mut self, index: i32) -> Result<JsValue, JsError> {
        let Some((key, value)) = u64::try_from(index).ok().and_then(|i| self.core.run().paint(i)) else {
            return Ok(JsValue::FALSE);
        };
        to_js(&self.core.set_param(key, &value))
    }

    /// `[zoom, at]` after zooming in or out around picture cell `index` (the wheel), or
    /// `undefined` off the cells or at the end of the zoom range.
    pub fn zoom_around(&self, index: i32, zoom_in: bool) -> Option<Vec<f64>> {
        let (zoom, at) = self.core.run().scene().zoom_around(u64::try_from(index).ok()?, zoom_in)?;
        Some(vec![zoom as f64, at as f64])
    }

    /// The neuron view's branches (`[{segment, synapses, overlap, fired}]`, at most `most`:
    /// every segment that fired first, then the others in order).
    pub fn branches(&self, most: u32) -> Result<JsValue, JsError> {
        to_js(&self.core.run().branches(most.clamp(1, 1000) as usize))
    }

    /// The overlap distribution with the θ cut-off.
    pub fn histogram(&self) -> Result<JsValue, JsError> {
        to_js(&figures::overlap_histogram(self.core.run().params()).map_err(|e| JsError::new(&e))?)
    }

    /// The numbers the page substitutes into the equations.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&figures::summary(self.core.run().params()).map_err(|e| JsError::new(&e))?)
    }
}

/// One simulated point, run a chunk at a time by the Web Worker (progress between chunks,
/// cancel by terminating the worker). Plain Monte Carlo or importance sampling (E3, E5, E6, E7).
#[wasm_bindgen]
pub struct DendritesSimulation {
    plain: Option<Simulation>,
    importance: Option<ImportanceSimulation>,
}

#[wasm_bindgen]
impl DendritesSimulation {
    /// `kind`: a simulate request's `kind` object (`{kind: "false-match", n, a, s, theta,
    /// segments}` …). `seed` is the page's seed (text, all 64 bits); point `stream` of a
    /// figure gets its own generator from it. `importance` is honoured for E3 (one segment),
    /// E5, E6 and E7 ([`ImportanceSimulation::supports`]); E4 with K > 1 runs plain.
    #[wasm_bindgen(constructor)]
    pub fn new(kind: JsValue, seed: &str, stream: u32, importance: bool) -> Result<DendritesSimulation, JsError> {
        let kind: McKind =
            serde_wasm_bindgen::from_value(kind).map_err(|e| JsError::new(&format!("simulation: {e}")))?;
        let seed: u64 = seed.trim().parse().map_err(|_| JsError::new("simulation: the seed is not a whole number"))?;
        // Point `stream` of a figure has its own generator (streams from 1; 0 is the page's).
        let seed = crate::core::rng::stream_seed(seed, u64::from(stream) + 1);
        if importance && ImportanceSimulation::supports(&kind) {
            let sim = ImportanceSimulation::for_kind(kind, None, seed).map_err(|e| JsError::new(&e))?;
            Ok(Self { plain: None, importance: Some(sim) })
        } else {
            Ok(Self { plain: Some(Simulation::new(kind, seed).map_err(|e| JsError::new(&e))?), importance: None })
        }
    }

    /// Run `count` more samples; returns the samples done in all.
    pub fn run(&mut self, count: f64) -> f64 {
        let count = if count.is_finite() && count > 0.0 { count as u64 } else { 0 };
        if let Some(sim) = &mut self.plain {
            sim.run(count);
            sim.trials() as f64
        } else if let Some(sim) = &mut self.importance {
            sim.run(count);
            sim.samples() as f64
        } else {
            0.0
        }
    }

    /// `{p, se, hits, trials, ci_low, ci_high, upper_bound, log10_p}` so far; the importance
    /// sampler adds `ess`, its effective sample size (Kish: (Σw)²/Σw²), which says how far its
    /// interval can be trusted.
    pub fn estimate(&self) -> Result<JsValue, JsError> {
        match (&self.plain, &self.importance) {
            (Some(sim), _) => to_js(&sim.estimate()),
            (_, Some(sim)) => {
                let mut v = serde_json::to_value(sim.estimate()).map_err(|e| JsError::new(&e.to_string()))?;
                v["ess"] = crate::dendrites::logmath::finite_or_null(sim.effective_sample_size());
                v["log10_se"] = crate::dendrites::logmath::finite_or_null(sim.log10_se());
                to_js(&v)
            }
            _ => Err(JsError::new("simulation: nothing to estimate")),
        }
    }

    pub fn is_importance(&self) -> bool {
        self.importance.is_some()
    }
}

/// Benchmark helper (scripts/bench.mjs): E3 at (n, a, s, θ) `repeats` times, summed so the work
/// cannot be optimised away. The page's benchmark times it with `performance.now()`.
#[wasm_bindgen]
pub fn bench_false_match(n: f64, a: f64, s: f64, theta: f64, repeats: u32) -> Result<f64, JsError> {
    let (n, a, s, theta) = (n as u64, a as u64, s as u64, theta as u64);
    let mut sum = 0.0;
    for i in 0..repeats {
        // Vary θ by one every other call so no two consecutive calls are identical.
        let t = theta.saturating_sub(u64::from(i & 1));
        sum += crate::dendrites::theory::false_match(n, a, s, t).map_err(|e| JsError::new(&e))?.ln_p;
    }
    Ok(sum)
}

/// Benchmark helper: the whole official F-θ grid (22 θ × 210 combinations); returns the rows.
#[wasm_bindgen]
pub fn bench_threshold_grid() -> Result<u32, JsError> {
    let grid = crate::dendrites::theory::ThresholdGrid::official();
    Ok(crate::dendrites::theory::threshold_median(&grid).map_err(|e| JsError::new(&e))?.len() as u32)
}
