//! What every experiment of the lab provides, so that one generic lab core
//! (`crate::lab::LabCore`) can hold its state, read and write its URL, step it forward and
//! back, and draw it, without knowing which experiment it is. The trait knows nothing of the
//! browser: the CLI, the native tests and the wasm bindings all use it.
//!
//! Adding an experiment: implement [`Experiment`] next to its science, and list it once in the
//! registry (`src/lab/registry.rs`). ARCHITECTURE.md walks through an example.

use super::params::{Notice, ParamSpec, Params};
use super::picture::Picture;
use serde::Serialize;

/// Where a bounded [`Experiment::seek`] stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seek {
    /// The requested position was reached.
    Reached,
    /// The run ended before the requested position (sorted, converged, …).
    Finished,
    /// The work budget ran out; call again to continue.
    InProgress,
}

/// When a scenario's promise is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "until", rename_all = "snake_case")]
pub enum Until {
    /// When the run has ended (sorted, converged, stopped).
    Done,
    /// After this many steps (for runs that never end, such as sampling).
    Steps { steps: u64 },
}

/// The one live read-out a scenario points at, and the range its narrative promises.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Watch {
    /// The key of [`Experiment::measure`].
    pub key: &'static str,
    /// What the read-out is called on screen ("final error", …).
    pub label: &'static str,
    /// The promised range, inclusive.
    pub min: f64,
    pub max: f64,
    pub until: Until,
}

/// A named setup of an experiment with a short narrative in plain language: what is set up,
/// what to watch, what the paper found. Teachers link to one with `scenario=ID`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Scenario {
    pub id: &'static str,
    pub title: &'static str,
    /// Two to four sentences.
    pub narrative: &'static str,
    /// The URL state it sets (`key=value&…`, without `exp`); unset keys keep their defaults.
    pub query: &'static str,
    pub watch: Watch,
}

/// A read-out by key as a number (booleans as 0 or 1), or `None`.
pub fn readout_number(readout: &serde_json::Value, key: &str) -> Option<f64> {
    let value = readout.get(key)?;
    value.as_f64().or_else(|| value.as_bool().map(|b| f64::from(u8::from(b))))
}

/// One experiment of the lab: its schema and scenarios, how to build a run from validated
/// parameters, how to move it, and what to show. Every random choice comes from `seed`
/// (`core::rng`), so a run is a deterministic function of (seed, parameters, position).
pub trait Experiment: Sized {
    /// The URL id (`exp=`).
    const ID: &'static str;
    const TITLE: &'static str;
    /// What one step is ("swap", "sample", "step"): the unit of `step=` in the URL.
    const STEP_UNIT: &'static str;
    /// The furthest position a URL may ask for (further is clamped with a notice).
    const MAX_STEP: u64 = u64::MAX;
    /// Work units one [`Self::seek`] call may spend between clock checks.
    const CHUNK: u64;
    /// Steps per second while playing, unless the schema has a `speed` parameter.
    const SPEED: f64 = 10.0;
    /// How position 0 is counted on screen (dendrites: position 0 shows sample 1).
    const FIRST_SHOWN: u64 = 0;
    /// Transport buttons this experiment adds to play/step/back/reset (for `controls=`).
    const EXTRA_CONTROLS: &'static [&'static str] = &[];

    fn schema() -> &'static [ParamSpec];
    fn scenarios() -> &'static [Scenario];

    /// A run of `params` from `seed` at position 0. Cross-parameter repairs (a ≤ n, …) are
    /// written back into `params` and reported as notices, so the URL shows what runs. An error
    /// only when nothing can be built; the lab core then falls back to the defaults.
    fn build(params: &mut Params, seed: u64, notices: &mut Vec<Notice>) -> Result<Self, String>;

    /// Apply a change of a parameter whose spec says `Apply::Live` (the others rebuild the
    /// run). The default does nothing: the parameter is read when used (e.g. `speed`).
    fn apply_live(&mut self, _params: &mut Params, _key: &str, _notices: &mut Vec<Notice>) {}

    /// The current position, in steps.
    fn position(&self) -> u64;

    /// Move toward `target` (forward, or back by restoring and replaying), spending at most
    /// about `budget` units of work.
    fn seek(&mut self, target: u64, budget: u64) -> Seek;

    /// The run has ended; playing stops.
    fn done(&self) -> bool;

    /// Finish what steps taken during play may leave to the next step, now that none follows
    /// at once (the run paused, ended, or reached a requested step). The Hopfield session books
    /// the newest modern state's energy, which while playing the next update supplies from the
    /// dot products it computes anyway (docs/hopfield.md, "Speed"). Default: nothing.
    fn settle(&mut self) {}

    /// The read-outs as a JSON object of numbers, booleans and short texts.
    fn readout(&self) -> serde_json::Value;

    /// One read-out by key, as a number (booleans as 0 or 1); costly ones may live only here.
    fn measure(&self, key: &str) -> Option<f64> {
        readout_number(&self.readout(), key)
    }

    /// The picture for a target `width` pixels wide.
    fn picture(&self, width: u32, out: &mut Picture);

    /// Parameters, seed, position and the state, for the JSON export.
    fn export(&self) -> serde_json::Value {
        self.readout()
    }

    /// The metric series as CSV (empty when the experiment keeps none).
    fn csv(&self) -> String {
        String::new()
    }
}
