//! The sorting experiment's handle: state, session and URL, driven by the page.

use super::{notices_to_js, to_js};
use crate::core::params::{Apply, Notice};
use crate::core::urlstate::{self, LabState};
use crate::experiments::Experiment;
use crate::render::bars::Bar;
use crate::sorting::cellview::Algotype;
use crate::sorting::config_from_params;
use crate::sorting::session::{SeekOutcome, SortingSession};
use wasm_bindgen::prelude::*;

/// Wall time one call to [`SortingLab::advance`] may spend, so a frame never freezes the tab
/// however large the speed or the jump (a replay continues over the following frames).
const ADVANCE_BUDGET_MS: f64 = 8.0;
/// Activations between clock checks (about 1–2 ms of work in wasm).
const TICKS_PER_CHUNK: u64 = 40_000;
/// Longest frame gap counted when playing (a background tab resumes without a jump).
const MAX_FRAME_MS: f64 = 100.0;

pub(super) const BACKGROUND: [u8; 4] = [16, 20, 26, 255];
const SWAPPED: [u8; 4] = [242, 142, 43, 255];
const FROZEN: [u8; 4] = [190, 190, 190, 255];

/// Bar colour of each Algotype (also listed in `www/lab.js`'s legend).
fn algotype_colour(a: Algotype) -> [u8; 4] {
    match a {
        Algotype::Bubble => [78, 121, 167, 255],
        Algotype::Insertion => [176, 122, 161, 255],
        Algotype::Selection => [89, 161, 79, 255],
    }
}

#[wasm_bindgen]
pub struct SortingLab {
    state: LabState,
    session: SortingSession,
    /// The swap the page wants to show; the session moves toward it a budget at a time.
    target: u64,
    /// Fractional swaps owed by the play clock.
    carry: f64,
    notices: Vec<Notice>,
}

impl SortingLab {
    fn from_state(state: LabState, mut notices: Vec<Notice>) -> Self {
        let (config, repairs) = config_from_params(&state.params);
        notices.extend(repairs);
        let session = SortingSession::new(&config, state.seed).unwrap_or_else(|e| {
            notices.push(Notice::new("n", format!("{e}; showing pure bubble instead.")));
            SortingSession::bubble(config.n, state.seed)
        });
        let target = state.step;
        Self { state, session, target, carry: 0.0, notices }
    }

    /// The bars to draw on a target `columns` pixels wide. Up to one cell per pixel column,
    /// each cell is a bar from 0 to its value. With more cells than columns (large n), each
    /// column draws the range min…max of the cells it covers: a sorted stretch is a thin
    /// diagonal band, a disordered one a tall band, and every cell is represented (a bar per
    /// cell would overdraw all but the last cell of each column).
    pub(crate) fn fill_bars(&self, out: &mut Vec<Bar>, columns: u32) {
        let array = self.session.array();
        let cells = array.cells();
        let top = cells.iter().map(|c| c.value).max().map_or(1.0, |m| f64::from(m) + 1.0);
        let height = |v: u32| ((f64::from(v) + 1.0) / top) as f32;
        let swapped = array.last_swap();
        let touched = |first: usize, last: usize| {
            swapped.is_some_and(|(a, b)| (first..=last).contains(&a) || (first..=last).contains(&b))
        };
        out.clear();
        let n = cells.len();
        let columns = columns.max(1) as usize;
        if n <= columns {
            out.extend(cells.iter().enumerate().map(|(i, c)| {
                let rgba = if touched(i, i) {
                    SWAPPED
                } else if c.frozen {
                    FROZEN
                } else {
                    algotype_colour(c.algotype)
                };
                Bar { bottom: 0.0, top: height(c.value), rgba }
            }));
            return;
        }
        for col in 0..columns {
            let (first, last) = (col * n / columns, ((col + 1) * n / columns).max(col * n / columns + 1) - 1);
            let group = &cells[first..=last];
            let lo = group.iter().map(|c| c.value).min().unwrap_or(0);
            let hi = group.iter().map(|c| c.value).max().unwrap_or(0);
            let rgba = if touched(first, last) {
                SWAPPED
            } else if group.iter().any(|c| c.frozen) {
                FROZEN
            } else {
                // The most common Algotype of the column.
                let count = |a: Algotype| group.iter().filter(|c| c.algotype == a).count();
                let major = Algotype::ALL.into_iter().max_by_key(|a| count(*a)).unwrap_or(Algotype::Bubble);
                algotype_colour(major)
            };
            out.push(Bar { bottom: height(lo) - 1.0 / top as f32, top: height(hi), rgba });
        }
    }

    fn rebuild(&mut self) {
        self.state.step = 0;
        let notices = std::mem::take(&mut self.notices);
        *self = Self::from_state(self.state.clone(), notices);
    }
}

#[wasm_bindgen]
impl SortingLab {
    /// Build from a URL query string. Never fails: bad values become notices.
    #[wasm_bindgen(constructor)]
    pub fn new(query: &str) -> SortingLab {
        let (state, notices) = urlstate::decode(query);
        Self::from_state(state, notices)
    }

    /// The parameter schema, for the page's generated panel.
    pub fn schema() -> Result<JsValue, JsError> {
        to_js(Experiment::Sorting.schema())
    }

    /// Notices gathered since the last call: `[{key, message}]`.
    pub fn take_notices(&mut self) -> Result<JsValue, JsError> {
        let notices = std::mem::take(&mut self.notices);
        notices_to_js(&notices)
    }

    /// The canonical URL query for the current picture (step = the current swap).
    pub fn query(&self) -> String {
        let mut state = self.state.clone();
        state.step = self.session.position();
        state.to_query()
    }

    /// Change one parameter (or `seed`) from text. Parameters marked "reset" restart the run.
    /// Returns the notices the value caused.
    pub fn set_param(&mut self, key: &str, value: &str) -> Result<JsValue, JsError> {
        let mut notices = Vec::new();
        if key == "seed" {
            match super::seed_from_text(value, self.state.seed) {
                Ok(seed) => {
                    self.state.seed = seed;
                    self.rebuild();
                }
                Err(notice) => notices.push(notice),
            }
            return notices_to_js(&notices);
        }
        let before = self.state.params.clone();
        let schema = self.state.experiment.schema();
        notices.extend(self.state.params.set_text(schema, key, value));
        let changed = self.state.params != before;
        let needs_reset = schema.iter().find(|s| s.key == key).is_some_and(|s| s.apply == Apply::Reset);
        if changed && needs_reset {
            self.rebuild();
        }
        notices_to_js(&notices)
    }

    /// Freeze or unfreeze the cell now at `position`: its initial position is added to or removed
    /// from the `freeze` list and the run restarts, so the cell is damaged from the start (the
    /// URL then reproduces the run). Returns the notices.
    pub fn toggle_frozen(&mut self, position: u32) -> Result<JsValue, JsError> {
        let Some(cell) = self.session.array().cells().get(position as usize) else {
            return notices_to_js(&[Notice::new("freeze", format!("there is no cell at position {position}"))]);
        };
        let mut list: Vec<u32> = self.state.params.list("freeze").to_vec();
        match list.iter().position(|&p| p == cell.id) {
            Some(at) => {
                list.remove(at);
            }
            None => list.push(cell.id),
        }
        list.sort_unstable();
        let text = list.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        self.set_param("freeze", &text)
    }

    /// The current value of a parameter as URL text (`seed` included).
    pub fn param(&self, key: &str) -> Option<String> {
        if key == "seed" {
            return Some(self.state.seed.to_string());
        }
        self.state.params.get(key).map(|v| v.to_text())
    }

    /// Back to swap 0 with the same seed and parameters.
    pub fn reset(&mut self) {
        self.rebuild();
    }

    pub fn step_forward(&mut self) {
        if !self.session.is_done() {
            self.target = self.target.max(self.session.position()) + 1;
        }
    }

    pub fn step_back(&mut self) {
        self.target = self.target.min(self.session.position()).saturating_sub(1);
    }

    /// Go to swap `step` (non-finite or negative values go to 0).
    pub fn seek(&mut self, step: f64) {
        self.target = if step.is_finite() && step > 0.0 { step.min(u64::MAX as f64) as u64 } else { 0 };
    }

    /// Advance the run by `dt_ms` of play time (when `playing`) and move toward the target
    /// within a bounded budget. Returns whether the picture changed.
    pub fn advance(&mut self, dt_ms: f64, playing: bool) -> bool {
        let before = (self.session.position(), self.session.array().ticks());
        if playing && !self.session.is_done() {
            let speed = self.state.params.float("speed");
            let dt = if dt_ms.is_finite() { dt_ms.clamp(0.0, MAX_FRAME_MS) } else { 0.0 };
            self.carry += speed * dt / 1000.0;
            let whole = self.carry.floor();
            self.carry -= whole;
            // Never owe more than a quarter second of swaps when the budget cannot keep up.
            let debt_cap = (speed * 0.25).max(1.0) as u64;
            let base = self.target.max(self.session.position());
            self.target = (base + whole as u64).min(self.session.position() + debt_cap);
        }
        let start = js_sys::Date::now();
        while self.target != self.session.position() {
            match self.session.seek(self.target, TICKS_PER_CHUNK) {
                SeekOutcome::Finished => self.target = self.session.position(),
                SeekOutcome::Reached => {}
                SeekOutcome::InProgress if js_sys::Date::now() - start < ADVANCE_BUDGET_MS => continue,
                SeekOutcome::InProgress => break,
            }
        }
        before != (self.session.position(), self.session.array().ticks())
    }

    pub fn position(&self) -> f64 {
        self.session.position() as f64
    }

    pub fn target(&self) -> f64 {
        self.target as f64
    }

    /// Sorted: the run is over.
    pub fn done(&self) -> bool {
        self.session.is_done()
    }

    /// Still moving toward a requested step (replaying after a reload or a step back).
    pub fn busy(&self) -> bool {
        self.target != self.session.position() && !self.session.is_done()
    }

    /// Plot data for uPlot: the columns of `SERIES_COLUMNS` as `Float64Array`s (NaN where a
    /// costly column was not computed).
    pub fn series(&self) -> js_sys::Array {
        self.session.series().with_latest().iter().map(|c| JsValue::from(js_sys::Float64Array::from(&c[..]))).collect()
    }

    pub fn series_names(&self) -> Result<JsValue, JsError> {
        to_js(self.session.series().names())
    }

    /// The metric series as CSV.
    pub fn csv(&self) -> String {
        self.session.series().to_csv()
    }

    /// Parameters, seed, step and the array itself, as pretty JSON.
    pub fn json(&self) -> Result<String, JsError> {
        let a = self.session.array();
        let value = serde_json::json!({
            "lab": "emergence-lab",
            "version": env!("CARGO_PKG_VERSION"),
            "experiment": self.state.experiment.id(),
            "query": self.query(),
            "seed": self.state.seed.to_string(),
            "step": self.session.position(),
            "params": &self.state.params,
            "state": {
                "values": a.values(),
                "algotypes": a.cells().iter().map(|c| c.algotype.id()).collect::<Vec<_>>(),
                "frozen": a.cells().iter().enumerate().filter(|(_, c)| c.frozen).map(|(i, _)| i).collect::<Vec<_>>(),
                "swaps": a.swaps(),
                "steps": a.steps(),
                "ticks": a.ticks(),
                "monotonicity_error": a.monotonicity_error(),
                "sortedness": a.sortedness_percent(),
                "sorted": a.is_done(),
            },
            "series": self.session.series().to_json(),
        });
        serde_json::to_string_pretty(&value).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Numbers for the read-outs: `{n, swaps, steps, ticks, sortedness, error, done}`.
    pub fn readout(&self) -> Result<JsValue, JsError> {
        let a = self.session.array();
        to_js(&serde_json::json!({
            "n": a.len(),
            "chimeric": a.cells().first().is_some_and(|f| a.cells().iter().any(|c| c.algotype != f.algotype)),
            "swaps": a.swaps(),
            "steps": a.steps(),
            "ticks": a.ticks(),
            "sortedness": a.sortedness_percent(),
            "error": a.monotonicity_error(),
            "done": a.is_done(),
        }))
    }

    /// Delayed gratification of the run so far (NaN beyond the traced swaps). O(swaps): the
    /// page asks at most twice a second.
    pub fn delayed_gratification(&self) -> f64 {
        self.session.delayed_gratification().unwrap_or(f64::NAN)
    }

    /// Page options from the URL: `{backend, controls, autoplay}`.
    pub fn view_options(&self) -> Result<JsValue, JsError> {
        to_js(&self.state.view)
    }
}
