//! One set of methods for every experiment's handle. `wasm-bindgen` cannot export a generic
//! type, so [`lab_handle!`] writes, for each experiment, a handle that holds a
//! [`LabCore`](crate::lab::LabCore) and binds its methods with the same names: the page's
//! skeleton (`www/shell.js`) drives every experiment through them. An experiment adds what is
//! its own in a second `#[wasm_bindgen] impl` block beside its handle.

use crate::core::experiment::Scenario;
use crate::lab::registry::{self, Entry};

/// The scenarios of an experiment with the query that opens each (`exp=…&scenario=…`).
pub(crate) fn scenarios_json(entry: &Entry) -> Vec<serde_json::Value> {
    (entry.scenarios)()
        .iter()
        .map(|s: &Scenario| {
            serde_json::json!({
                "id": s.id,
                "title": s.title,
                "narrative": s.narrative,
                "query": registry::scenario_query(entry, s),
                "watch": s.watch,
            })
        })
        .collect()
}

/// The browser's clock for [`crate::lab::LabCore::advance`].
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// `lab_handle!(Handle, Run)`: a `#[wasm_bindgen]` handle named `Handle` over
/// `LabCore<Run>`, with the lab's common methods.
macro_rules! lab_handle {
    ($handle:ident, $run:ty) => {
        #[wasm_bindgen]
        pub struct $handle {
            core: crate::lab::LabCore<$run>,
            picture: crate::core::picture::Picture,
        }

        impl $handle {
            #[allow(dead_code)]
            pub(crate) fn core(&self) -> &crate::lab::LabCore<$run> {
                &self.core
            }
        }

        #[wasm_bindgen]
        impl $handle {
            /// Build from a URL query string. Bad values become notices; an exception only if
            /// not even the defaults build.
            #[wasm_bindgen(constructor)]
            pub fn new(query: &str) -> Result<$handle, JsError> {
                let core = crate::lab::LabCore::<$run>::new(query).map_err(|e| {
                    JsError::new(&format!(
                        "{} could not start: {e}",
                        <$run as crate::core::experiment::Experiment>::TITLE
                    ))
                })?;
                Ok(Self { core, picture: Default::default() })
            }

            /// The experiment's id, title and step unit: `{id, title, step_unit, extra_controls}`.
            pub fn entry() -> Result<JsValue, JsError> {
                crate::web::to_js(crate::lab::LabCore::<$run>::entry())
            }

            /// The parameter schema, for the page's generated controls.
            pub fn schema() -> Result<JsValue, JsError> {
                crate::web::to_js(<$run as crate::core::experiment::Experiment>::schema())
            }

            /// `[{id, title, narrative, query, watch}]`.
            pub fn scenarios() -> Result<JsValue, JsError> {
                crate::web::to_js(&crate::web::lab::scenarios_json(crate::lab::LabCore::<$run>::entry()))
            }

            /// The scenario the state came from, if any.
            pub fn scenario(&self) -> Option<String> {
                self.core.scenario().map(|s| s.id.to_string())
            }

            /// Open a scenario (its parameters over the defaults, step 0); returns the notices.
            pub fn open_scenario(&mut self, id: &str) -> Result<JsValue, JsError> {
                let notices = self.core.open_scenario(id);
                crate::web::notices_to_js(&notices)
            }

            /// `[{key, relevant, level}]` for the current values (which controls to show).
            pub fn controls(&self) -> Result<JsValue, JsError> {
                crate::web::to_js(&self.core.controls())
            }

            /// Notices gathered since the last call: `[{key, message}]`.
            pub fn take_notices(&mut self) -> Result<JsValue, JsError> {
                let notices = self.core.take_notices();
                crate::web::notices_to_js(&notices)
            }

            /// The canonical URL query for the current picture.
            pub fn query(&self) -> String {
                self.core.query()
            }

            /// The current value of a parameter as URL text (`seed` included).
            pub fn param(&self, key: &str) -> Option<String> {
                self.core.param(key)
            }

            /// Change one parameter (or `seed`) from text; returns the notices it caused.
            pub fn set_param(&mut self, key: &str, value: &str) -> Result<JsValue, JsError> {
                let notices = self.core.set_param(key, value);
                crate::web::notices_to_js(&notices)
            }

            pub fn step(&mut self) {
                self.core.step();
            }

            pub fn back(&mut self) {
                self.core.back();
            }

            pub fn reset(&mut self) {
                self.core.reset();
            }

            /// Finish what steps during play left to the next step (the Hopfield session's
            /// pending modern energy), now that none follows at once.
            pub fn settle(&mut self) {
                self.core.settle();
            }

            /// Go to step `step` (non-finite or negative values go to 0).
            pub fn seek(&mut self, step: f64) {
                self.core.seek(step);
            }

            /// Advance by `dt_ms` of play time (when `playing`) and move toward the target
            /// within a bounded budget. Returns whether the position changed.
            pub fn advance(&mut self, dt_ms: f64, playing: bool) -> bool {
                self.core.advance(dt_ms, playing, &crate::web::lab::now_ms)
            }

            pub fn position(&self) -> f64 {
                self.core.position() as f64
            }

            pub fn target(&self) -> f64 {
                self.core.target() as f64
            }

            pub fn done(&self) -> bool {
                self.core.done()
            }

            /// Still moving toward a requested step (replaying after a reload or a step back).
            pub fn busy(&self) -> bool {
                self.core.busy()
            }

            /// Steps per second while playing.
            pub fn speed(&self) -> f64 {
                self.core.speed()
            }

            /// Counts rebuilds (new parameters or seed), so the page can drop stale work.
            pub fn generation(&self) -> u32 {
                self.core.generation()
            }

            /// The read-outs (a plain object of numbers, booleans and short texts).
            pub fn readout(&self) -> Result<JsValue, JsError> {
                crate::web::to_js(&self.core.readout())
            }

            /// One read-out by key (a scenario's watched value), or undefined.
            pub fn measure(&self, key: &str) -> Option<f64> {
                self.core.measure(key)
            }

            /// Page options from the URL: `{backend, controls, autoplay, scenario, narrative}`.
            pub fn view_options(&self) -> Result<JsValue, JsError> {
                crate::web::to_js(&self.core.state().view)
            }

            /// The metric series as CSV (empty when the experiment keeps none).
            pub fn csv(&self) -> String {
                crate::core::experiment::Experiment::csv(self.core.run())
            }

            /// Parameters, seed, step and the state, as pretty JSON.
            pub fn json(&self) -> Result<String, JsError> {
                serde_json::to_string_pretty(&self.core.export()).map_err(|e| JsError::new(&e.to_string()))
            }

            /// Draw the picture on the view's canvas. Returns `false` when the frame was skipped.
            pub fn draw(&mut self, view: &mut crate::web::View) -> Result<bool, JsError> {
                self.core.picture(view.width(), &mut self.picture);
                view.draw_picture(&self.picture)
            }

            /// The picture cell under canvas pixel (x, y) as last drawn on `view` (device
            /// pixels, origin top left), or −1 off the cells: hovering and painting.
            pub fn cell_at(&self, view: &crate::web::View, x: f64, y: f64) -> i32 {
                view.cell_at(&self.picture, x, y).map_or(-1, |i| i as i32)
            }

            /// Render the picture offscreen at `width`×`height` and resolve to its RGBA bytes
            /// (`Uint8Array`, rows top to bottom): PNG export and pixel tests.
            pub fn read_pixels(&mut self, view: &mut crate::web::View, width: u32, height: u32) -> js_sys::Promise {
                self.core.picture(width, &mut self.picture);
                view.read_picture(&self.picture, width, height)
            }
        }
    };
}

pub(crate) use lab_handle;
