//! The batch handle a Web Worker drives: many runs, a chunk at a time, so the worker can
//! report progress between chunks and the page can cancel by terminating it.

use super::to_js;
use crate::lab::urlstate;
use crate::sorting::batch::{run_one, summarize, trajectory, BatchConfig, RunResult};
use crate::sorting::config_from_params;
use wasm_bindgen::prelude::*;

/// Most runs one batch may hold.
const MAX_RUNS: u32 = 100_000;

#[wasm_bindgen]
pub struct SortingBatch {
    config: BatchConfig,
    total: u32,
    results: Vec<RunResult>,
}

#[wasm_bindgen]
impl SortingBatch {
    /// A batch of `runs` runs (clamped to 1…100000) with the parameters and seed of `query`.
    #[wasm_bindgen(constructor)]
    pub fn new(query: &str, runs: u32) -> SortingBatch {
        let (state, _) = urlstate::decode(query);
        let (sort, _) = config_from_params(&state.params);
        let config = BatchConfig { sort, seed: state.seed, traditional: false };
        Self { config, total: runs.clamp(1, MAX_RUNS), results: Vec::new() }
    }

    /// Run up to `count` more runs; returns how many are done in all.
    pub fn run_next(&mut self, count: u32) -> Result<u32, JsError> {
        let end = (self.results.len() as u32 + count).min(self.total);
        for i in self.results.len() as u32..end {
            let result = run_one(&self.config, u64::from(i)).map_err(|e| JsError::new(&e))?;
            self.results.push(result);
        }
        Ok(self.results.len() as u32)
    }

    pub fn total(&self) -> u32 {
        self.total
    }

    pub fn done(&self) -> u32 {
        self.results.len() as u32
    }

    /// The summary of the runs so far (same fields as the CLI's `--json`).
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&summarize(&self.config, &self.results))
    }

    /// One row per run, as CSV.
    pub fn csv(&self) -> String {
        let mut out = String::from("run,swaps,steps,ticks,final_monotonicity_error,final_sortedness,sorted\n");
        for (i, r) in self.results.iter().enumerate() {
            out += &format!(
                "{i},{},{},{},{},{},{}\n",
                r.swaps, r.steps, r.ticks, r.final_monotonicity_error, r.final_sortedness, r.sorted
            );
        }
        out
    }
}

/// Sortedness trajectories of many runs (Fig. 3), for the page's traversal plot.
#[wasm_bindgen]
pub struct SortingTrajectories {
    config: BatchConfig,
    total: u32,
    points: usize,
    runs: Vec<(Vec<f64>, Vec<f64>)>,
}

#[wasm_bindgen]
impl SortingTrajectories {
    /// `runs` trajectories (1…200) of the page's configuration, or of the traditional algorithm
    /// of its first Algotype when `traditional`, each thinned to `points` points (2…2000).
    #[wasm_bindgen(constructor)]
    pub fn new(query: &str, runs: u32, points: u32, traditional: bool) -> Result<SortingTrajectories, JsError> {
        let (state, _) = urlstate::decode(query);
        let (mut sort, _) = config_from_params(&state.params);
        if traditional {
            sort.algotypes.truncate(1);
            sort.frozen = 0;
            sort.frozen_at = None;
            sort.decreasing.clear();
        }
        let config = BatchConfig { sort, seed: state.seed, traditional };
        config.validate().map_err(|e| JsError::new(&e))?;
        Ok(Self { config, total: runs.clamp(1, 200), points: points.clamp(2, 2000) as usize, runs: Vec::new() })
    }

    pub fn total(&self) -> u32 {
        self.total
    }

    pub fn done(&self) -> u32 {
        self.runs.len() as u32
    }

    /// Run the next trajectory; returns how many are done.
    pub fn run_next(&mut self) -> Result<u32, JsError> {
        if self.done() < self.total {
            let t = trajectory(&self.config, u64::from(self.done()), self.points).map_err(|e| JsError::new(&e))?;
            self.runs.push(t);
        }
        Ok(self.done())
    }

    /// `[[xs, ys], …]` as arrays of `Float64Array`s.
    pub fn trajectories(&self) -> js_sys::Array {
        self.runs
            .iter()
            .map(|(x, y)| -> JsValue {
                let pair = js_sys::Array::new();
                pair.push(&js_sys::Float64Array::from(&x[..]));
                pair.push(&js_sys::Float64Array::from(&y[..]));
                pair.into()
            })
            .collect()
    }
}
