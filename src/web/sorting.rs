//! The sorting experiment's handle: the lab's common methods ([`super::lab::lab_handle`]) over
//! [`SortingRun`], plus its live series, clicking a bar to freeze it, and the cell's-eye view.

use super::to_js;
use crate::core::params::Notice;
use crate::sorting::lab::SortingRun;
use wasm_bindgen::prelude::*;

super::lab::lab_handle!(SortingLab, SortingRun);

#[wasm_bindgen]
impl SortingLab {
    /// Freeze or unfreeze the cell now at `position`: its initial position is added to or removed
    /// from the `freeze` list and the run restarts, so the cell is damaged from the start (the
    /// URL then reproduces the run). Returns the notices.
    pub fn toggle_frozen(&mut self, position: u32) -> Result<JsValue, JsError> {
        let Some(cell) = self.core.run().session().array().cells().get(position as usize) else {
            return super::notices_to_js(&[Notice::new("freeze", format!("there is no cell at position {position}"))]);
        };
        let id = cell.id;
        let mut list: Vec<u32> = self.core.state().params.list("freeze").to_vec();
        match list.iter().position(|&p| p == id) {
            Some(at) => {
                list.remove(at);
            }
            None => list.push(id),
        }
        list.sort_unstable();
        let text = list.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        self.set_param("freeze", &text)
    }

    /// Plot data for uPlot: the columns of `SERIES_COLUMNS` as `Float64Array`s (NaN where a
    /// costly column was not computed).
    pub fn series(&self) -> js_sys::Array {
        let series = self.core.run().session().series();
        series.with_latest().iter().map(|c| JsValue::from(js_sys::Float64Array::from(&c[..]))).collect()
    }

    pub fn series_names(&self) -> Result<JsValue, JsError> {
        to_js(self.core.run().session().series().names())
    }

    /// Each position's cell identity (its initial position), left to right: a click on a bar
    /// follows the cell there by identity.
    pub fn cell_ids(&self) -> Vec<u32> {
        self.core.run().session().array().cells().iter().map(|c| c.id).collect()
    }

    /// The cell's-eye view of the followed cell (`follow`): what it sees and why, its swaps,
    /// its trajectory thinned to at most `points` points, and where its value belongs; null
    /// when no cell is followed. O(swaps so far): the page asks a few times a second.
    pub fn follow_report(&self, points: u32) -> Result<JsValue, JsError> {
        let run = self.core.run();
        let report = run.followed().and_then(|id| run.session().follow(id, points.clamp(2, 100_000) as usize));
        to_js(&report)
    }

    /// Delayed gratification of the run so far (NaN beyond the traced swaps). O(swaps): the
    /// page asks at most twice a second.
    pub fn delayed_gratification(&self) -> f64 {
        self.core.run().session().delayed_gratification().unwrap_or(f64::NAN)
    }
}
