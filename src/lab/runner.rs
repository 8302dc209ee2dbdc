//! The generic lab core: one running experiment with its URL state, notices and transport.
//! Every handle of the binding layer (`src/web/`) delegates to it, so the three experiments
//! share one set of method names and one rule for parameter changes:
//!
//! - the seed, or a parameter whose spec says [`Apply::Reset`], rebuilds the run at step 0;
//! - a parameter that says [`Apply::Live`] goes to [`Experiment::apply_live`] and keeps the
//!   position;
//! - a value that does not change anything does nothing.
//!
//! Stepping moves a *target*; [`LabCore::advance`] moves the run toward it in bounded chunks of
//! work, checking a clock the caller supplies (the page passes the browser's, the CLI and the
//! tests a counter), so no call can freeze a frame however far the target.

use super::registry::{self, Entry};
use super::urlstate::{self, LabState};
use crate::core::experiment::{Experiment, Scenario, Seek, Until};
use crate::core::params::{Apply, Level, Notice, Params};
use crate::core::picture::Picture;
use serde::Serialize;

/// Wall time one [`LabCore::advance`] may spend, so a frame never freezes the tab (a long replay
/// continues over the following frames).
pub const ADVANCE_BUDGET_MS: f64 = 8.0;
/// Longest frame gap counted when playing (a background tab resumes without a jump).
const MAX_FRAME_MS: f64 = 100.0;

/// How a control shows for the current values: whether it applies, and how prominent it is.
#[derive(Clone, Debug, Serialize)]
pub struct ControlState {
    pub key: &'static str,
    pub relevant: bool,
    pub level: Level,
}

pub struct LabCore<E: Experiment> {
    state: LabState,
    run: E,
    /// The position the page wants to show; the run moves toward it a chunk at a time.
    target: u64,
    /// Fractional steps owed by the play clock.
    carry: f64,
    notices: Vec<Notice>,
    /// Counts rebuilds, so a page knows when data it sent elsewhere (a GPU buffer, a worker)
    /// belongs to an older run.
    generation: u32,
}

impl<E: Experiment> LabCore<E> {
    /// The registry entry of `E` (for an experiment outside the registry, such as a test's, one
    /// made from its impl, once per id).
    pub fn entry() -> &'static Entry {
        registry::ALL.iter().find(|e| e.id == E::ID).unwrap_or_else(unregistered_entry::<E>)
    }

    /// Build from a URL query. Bad values become notices; an error only when not even the
    /// defaults build.
    pub fn new(query: &str) -> Result<Self, String> {
        let (state, notices) = urlstate::decode_for(query, Self::entry());
        Self::from_state(state, notices)
    }

    /// Build from a validated state; a configuration that cannot be built falls back to the
    /// defaults with a notice.
    pub fn from_state(mut state: LabState, mut notices: Vec<Notice>) -> Result<Self, String> {
        let run = match E::build(&mut state.params, state.seed, &mut notices) {
            Ok(run) => run,
            Err(e) => {
                notices.push(Notice::new("params", format!("{e}; using the default parameters instead.")));
                state.params = Params::defaults(E::schema());
                E::build(&mut state.params, state.seed, &mut notices)?
            }
        };
        if state.step > E::MAX_STEP {
            notices.push(Notice::new(
                "step",
                format!("step {} is more than {}; going to {}.", state.step, E::MAX_STEP, E::MAX_STEP),
            ));
            state.step = E::MAX_STEP;
        }
        let target = state.step;
        Ok(Self { state, run, target, carry: 0.0, notices, generation: 0 })
    }

    fn rebuild(&mut self) {
        self.state.step = 0;
        let notices = std::mem::take(&mut self.notices);
        let generation = self.generation.wrapping_add(1);
        match Self::from_state(self.state.clone(), notices) {
            Ok(core) => *self = Self { generation, ..core },
            Err(e) => self.notices.push(Notice::new("params", format!("{e}; the change was not applied."))),
        }
    }

    pub fn state(&self) -> &LabState {
        &self.state
    }

    pub fn run(&self) -> &E {
        &self.run
    }

    /// The run, for an experiment's own operations (a Hopfield step computed on the GPU, …).
    /// The position may change; the target follows it.
    pub fn with_run<T>(&mut self, f: impl FnOnce(&mut E) -> T) -> T {
        let out = f(&mut self.run);
        self.target = self.run.position();
        out
    }

    pub fn generation(&self) -> u32 {
        self.generation
    }

    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// The canonical URL query for the current picture (step = the current position).
    pub fn query(&self) -> String {
        let mut state = self.state.clone();
        state.step = self.run.position();
        state.to_query()
    }

    /// The current value of a parameter as URL text (`seed` included).
    pub fn param(&self, key: &str) -> Option<String> {
        if key == "seed" {
            return Some(self.state.seed.to_string());
        }
        self.state.params.get(key).map(|v| v.to_text())
    }

    /// Change one parameter (or `seed`) from text, by the one rule of this module's doc.
    /// Returns the notices the value caused.
    pub fn set_param(&mut self, key: &str, value: &str) -> Vec<Notice> {
        let mut notices = Vec::new();
        if key == "seed" {
            match value.trim().parse::<u64>() {
                Ok(seed) if seed == self.state.seed => {}
                Ok(seed) => {
                    self.state.seed = seed;
                    self.rebuild();
                }
                Err(_) => notices.push(Notice::new(
                    "seed",
                    format!(
                        "seed: \"{}\" is not a whole number ≥ 0; kept {}.",
                        crate::core::params::shorten(value),
                        self.state.seed
                    ),
                )),
            }
            notices.append(&mut self.notices);
            return notices;
        }
        let before = self.state.params.clone();
        let schema = E::schema();
        notices.extend(self.state.params.set_text(schema, key, value));
        if self.state.params != before {
            match schema.iter().find(|s| s.key == key).map(|s| s.apply) {
                Some(Apply::Live) => self.run.apply_live(&mut self.state.params, key, &mut notices),
                _ => self.rebuild(),
            }
        }
        notices.append(&mut self.notices);
        notices
    }

    /// Open a scenario: its parameters over the defaults, its seed, step 0; the view options
    /// (backend, controls, autoplay) stay.
    pub fn open_scenario(&mut self, id: &str) -> Vec<Notice> {
        let view = self.state.view.clone();
        let (mut state, mut notices) = urlstate::decode_for(&format!("exp={}&scenario={}", E::ID, id), Self::entry());
        state.view = urlstate::ViewOptions { scenario: state.view.scenario, ..view };
        let generation = self.generation.wrapping_add(1);
        match Self::from_state(state, Vec::new()) {
            Ok(core) => *self = Self { generation, ..core },
            Err(e) => notices.push(Notice::new("scenario", e)),
        }
        notices.append(&mut self.notices);
        notices
    }

    /// The scenario the state came from.
    pub fn scenario(&self) -> Option<&'static Scenario> {
        let id = self.state.view.scenario?;
        E::scenarios().iter().find(|s| s.id == id)
    }

    /// For every parameter: whether it applies to the current values, and its level.
    pub fn controls(&self) -> Vec<ControlState> {
        E::schema()
            .iter()
            .map(|s| ControlState { key: s.key, relevant: s.relevant(&self.state.params), level: s.level })
            .collect()
    }

    /// One step forward (at the end of the run, nothing).
    pub fn step(&mut self) {
        if !self.run.done() {
            self.target = (self.target.max(self.run.position()) + 1).min(E::MAX_STEP);
        }
    }

    /// One step back (at 0, nothing).
    pub fn back(&mut self) {
        self.target = self.target.min(self.run.position()).saturating_sub(1);
    }

    /// Back to step 0 with the same seed and parameters.
    pub fn reset(&mut self) {
        self.target = 0;
        self.carry = 0.0;
        while self.run.seek(0, u64::MAX) == Seek::InProgress {}
        self.run.settle();
    }

    /// [`Experiment::settle`] now (the page, after a step computed off its thread).
    pub fn settle(&mut self) {
        self.run.settle();
    }

    /// Go to step `step` (non-finite or negative values go to 0).
    pub fn seek(&mut self, step: f64) {
        self.target =
            if step.is_finite() && step > 0.0 { (step.min(u64::MAX as f64) as u64).min(E::MAX_STEP) } else { 0 };
    }

    /// Steps per second while playing: the `speed` parameter where the schema has one.
    pub fn speed(&self) -> f64 {
        match self.state.params.get("speed") {
            Some(_) => self.state.params.float("speed"),
            None => E::SPEED,
        }
    }

    /// Advance by `dt_ms` of play time (when `playing`) and move toward the target, checking
    /// `now_ms` between chunks of work and stopping after [`ADVANCE_BUDGET_MS`]. Returns whether
    /// the position changed.
    pub fn advance(&mut self, dt_ms: f64, playing: bool, now_ms: &dyn Fn() -> f64) -> bool {
        let before = self.run.position();
        if playing && !self.run.done() {
            let speed = self.speed();
            let dt = if dt_ms.is_finite() { dt_ms.clamp(0.0, MAX_FRAME_MS) } else { 0.0 };
            self.carry += speed * dt / 1000.0;
            let whole = self.carry.floor();
            self.carry -= whole;
            // Never owe more than a quarter second of steps when the budget cannot keep up.
            let debt_cap = (speed * 0.25).max(1.0) as u64;
            let base = self.target.max(self.run.position());
            self.target = (base + whole as u64).min(self.run.position() + debt_cap).min(E::MAX_STEP);
        }
        let start = now_ms();
        while self.target != self.run.position() {
            match self.run.seek(self.target, E::CHUNK) {
                Seek::Finished => self.target = self.run.position(),
                Seek::Reached => {}
                Seek::InProgress if now_ms() - start < ADVANCE_BUDGET_MS => continue,
                Seek::InProgress => break,
            }
        }
        if self.target == self.run.position() && (!playing || self.run.done()) {
            self.run.settle();
        }
        before != self.run.position()
    }

    /// Move to `target` (or the end of the run) with no time limit: for the CLI and tests.
    pub fn run_to(&mut self, target: u64) {
        self.target = target.min(E::MAX_STEP);
        while self.target != self.run.position() {
            if self.run.seek(self.target, u64::MAX) == Seek::Finished {
                self.target = self.run.position();
            }
        }
        self.run.settle();
    }

    pub fn position(&self) -> u64 {
        self.run.position()
    }

    pub fn target(&self) -> u64 {
        self.target
    }

    pub fn done(&self) -> bool {
        self.run.done()
    }

    /// Still moving toward a requested step (replaying after a reload or a step back).
    pub fn busy(&self) -> bool {
        self.target != self.run.position() && !self.run.done()
    }

    pub fn readout(&self) -> serde_json::Value {
        self.run.readout()
    }

    pub fn measure(&self, key: &str) -> Option<f64> {
        self.run.measure(key)
    }

    pub fn picture(&self, width: u32, out: &mut Picture) {
        self.run.picture(width, out);
    }

    /// Everything the JSON export holds: the lab, the URL state and the experiment's own export.
    pub fn export(&self) -> serde_json::Value {
        serde_json::json!({
            "lab": "emergence-lab",
            "version": env!("CARGO_PKG_VERSION"),
            "experiment": E::ID,
            "query": self.query(),
            "seed": self.state.seed.to_string(),
            "step": self.run.position(),
            "params": &self.state.params,
            "state": self.run.export(),
        })
    }

    /// Run a scenario natively to the point its promise is about and return the watched value,
    /// from its own seed or from `seed`: the check `cargo test` makes of every scenario (the
    /// browser test makes the same one for the scenario's own seed). An error when the
    /// scenario's URL gives a notice or the read-out does not exist.
    pub fn scenario_value(scenario: &Scenario, seed: Option<u64>) -> Result<f64, String> {
        let seed = seed.map_or(String::new(), |s| format!("&seed={s}"));
        let mut core = Self::new(&format!("exp={}&scenario={}{seed}", E::ID, scenario.id))?;
        if let Some(n) = core.take_notices().first() {
            return Err(format!("{}: the scenario's URL gave a notice: {}", scenario.id, n.message));
        }
        match scenario.watch.until {
            Until::Done => core.run_to(E::MAX_STEP),
            Until::Steps { steps } => core.run_to(steps),
        }
        core.measure(scenario.watch.key)
            .ok_or_else(|| format!("{}: no read-out \"{}\"", scenario.id, scenario.watch.key))
    }
}

/// The entry of an experiment that is not in the registry (a test's own), made once per id.
fn unregistered_entry<E: Experiment>() -> &'static Entry {
    static MADE: std::sync::Mutex<Vec<&'static Entry>> = std::sync::Mutex::new(Vec::new());
    let mut made = MADE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(entry) = made.iter().find(|e| e.id == E::ID) {
        return entry;
    }
    let entry: &'static Entry = Box::leak(Box::new(registry::entry::<E>()));
    made.push(entry);
    entry
}
