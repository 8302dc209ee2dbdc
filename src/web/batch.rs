//! The batch handle a Web Worker drives: many runs, a chunk at a time, so the worker can
//! report progress between chunks and the page can cancel by terminating it.

use super::to_js;
use crate::core::urlstate;
use crate::sorting::batch::{run_one, summarize, BatchConfig, RunResult};
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
