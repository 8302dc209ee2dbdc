//! The "Reproduce the paper" handle a Web Worker drives: the conditions of one figure (or the
//! share of them given to this worker), run a few repetitions at a time so the worker can
//! report progress between calls.

use super::to_js;
use crate::sorting::batch::{run_one, RunResult};
use crate::sorting::reproduce::{conditions, rows_from_results, Condition, Row};
use crate::sorting::scheduler::Scheduler;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct SortingReproduce {
    conditions: Vec<Condition>,
    runs: usize,
    current: usize,
    /// The current condition's runs under `uniform`, then under `threads`.
    uniform: Vec<RunResult>,
    threads: Vec<RunResult>,
    rows: Vec<Row>,
    /// Runs finished in the conditions before `current`.
    done_before: usize,
    /// The figure's conditions in all (this worker runs some of them).
    figure_conditions: usize,
}

#[wasm_bindgen]
impl SortingReproduce {
    /// The conditions of `figure` whose index i has i % workers == worker, with `runs`
    /// repetitions each (clamped to 1…10000) under `uniform`, and as many again under `threads`
    /// where the condition depends on the scheduler. `seed` is decimal text.
    #[wasm_bindgen(constructor)]
    pub fn new(figure: &str, seed: &str, runs: u32, worker: u32, workers: u32) -> Result<SortingReproduce, JsError> {
        let seed: u64 =
            seed.trim().parse().map_err(|_| JsError::new(&format!("seed \"{seed}\" is not a whole number")))?;
        let workers = workers.max(1) as usize;
        let all = conditions(figure, seed).map_err(|e| JsError::new(&e))?;
        let figure_conditions = all.len();
        let mine =
            all.into_iter().enumerate().filter(|(i, _)| i % workers == worker as usize).map(|(_, c)| c).collect();
        Ok(Self {
            conditions: mine,
            runs: runs.clamp(1, 10_000) as usize,
            current: 0,
            uniform: Vec::new(),
            threads: Vec::new(),
            rows: Vec::new(),
            done_before: 0,
            figure_conditions,
        })
    }

    /// The figure's conditions in all. With `workers` above it, worker i runs condition i
    /// alone: the page hands out conditions one at a time to whichever worker is free.
    pub fn figure_conditions(&self) -> u32 {
        self.figure_conditions as u32
    }

    pub fn total_runs(&self) -> u32 {
        self.conditions.iter().map(|c| self.runs * if c.runs_threads() { 2 } else { 1 }).sum::<usize>() as u32
    }

    pub fn done_runs(&self) -> u32 {
        (self.done_before + self.uniform.len() + self.threads.len()) as u32
    }

    pub fn finished(&self) -> bool {
        self.current >= self.conditions.len()
    }

    /// Run up to `count` more repetitions; returns the repetitions done in all.
    pub fn run_next(&mut self, count: u32) -> Result<u32, JsError> {
        for _ in 0..count {
            let Some(condition) = self.conditions.get(self.current) else { break };
            let threads = self.uniform.len() == self.runs;
            let (config, index) = if threads {
                (condition.config_for(Scheduler::Threads), self.threads.len())
            } else {
                (condition.config.clone(), self.uniform.len())
            };
            let result = run_one(&config, index as u64).map_err(|e| JsError::new(&e))?;
            if threads {
                self.threads.push(result);
            } else {
                self.uniform.push(result);
            }
            let complete =
                self.uniform.len() == self.runs && (!condition.runs_threads() || self.threads.len() == self.runs);
            if complete {
                self.rows.extend(rows_from_results(condition, &self.uniform, &self.threads));
                self.done_before += self.uniform.len() + self.threads.len();
                self.uniform.clear();
                self.threads.clear();
                self.current += 1;
            }
        }
        Ok(self.done_runs())
    }

    /// The rows finished so far: `[{figure, condition, metric, label, runs, ours: {mean, sd},
    /// threads: {mean, sd} | null, independent, official: {mean, se, runs} | null,
    /// paper: {value, note}}]` (`ours` is under the `uniform` scheduler).
    pub fn rows(&self) -> Result<JsValue, JsError> {
        to_js(&self.rows)
    }
}
