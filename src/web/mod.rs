//! The binding layer: the only module that uses `wasm-bindgen`, `web-sys`, `js-sys` and
//! `serde-wasm-bindgen`. It holds one handle per running experiment (big state stays in wasm
//! memory; JS calls small methods), the view that draws a handle with wgpu, and the batch
//! handle the Web Worker runs. Expected failures become JS exceptions with a message
//! (`Result<_, JsError>`); unexpected panics are logged by `console_error_panic_hook`.
//!
//! Every experiment's handle is written by [`lab::lab_handle`] over the generic
//! [`crate::lab::LabCore`], so all of them answer the same methods (`query`, `set_param`,
//! `step`, `back`, `advance`, `readout`, `draw`, …). The frame loop itself is a
//! `requestAnimationFrame` callback in `www/shell.js` that calls `advance` and `draw`; keeping
//! it in JS lets the page pause off-screen embeds with an `IntersectionObserver` without
//! crossing the boundary each frame.

// Each experiment's bindings come with its Cargo feature (all three by default); the site's
// WebGPU builds carry one experiment each (see Cargo.toml and scripts/build.sh).
#[cfg(feature = "sorting")]
mod batch;
#[cfg(feature = "dendrites")]
mod dendrites;
mod gpu;
#[cfg(feature = "hopfield")]
mod hopfield;
#[cfg(feature = "hopfield")]
mod hopfield_bench;
#[cfg(feature = "hopfield")]
mod hopfield_gpu;
mod lab;
#[cfg(feature = "sorting")]
mod reproduce;
#[cfg(feature = "sorting")]
mod sorting;

#[cfg(feature = "sorting")]
pub use batch::{SortingBatch, SortingTrajectories};
#[cfg(feature = "dendrites")]
pub use dendrites::{bench_false_match, bench_threshold_grid, DendritesLab, DendritesSimulation};
pub use gpu::{create_view, View};
#[cfg(feature = "hopfield")]
pub use hopfield::{
    hopfield_modern_merge_states, hopfield_modern_segments, hopfield_modern_update, HopfieldCapacity, HopfieldLab,
    ModernShardHandle, ModernUpdate,
};
#[cfg(feature = "hopfield")]
pub use hopfield_bench::{bench_modern_update, bench_modern_workload};
#[cfg(feature = "hopfield")]
pub use hopfield_gpu::ModernGpu;
#[cfg(feature = "sorting")]
pub use reproduce::SortingReproduce;
#[cfg(feature = "sorting")]
pub use sorting::SortingLab;
#[cfg(feature = "walk")]
pub use walk::WalkLab;

/// The test-only fourth experiment's handle: nothing but the lab's common methods.
#[cfg(feature = "walk")]
mod walk {
    use wasm_bindgen::prelude::*;
    super::lab::lab_handle!(WalkLab, crate::lab::walk::Walk);
}

use crate::core::params::Notice;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Whether this build carries wgpu's WebGL2 backend (the fallback build does; the WebGPU-only
/// build does not).
#[wasm_bindgen]
pub fn build_has_webgl() -> bool {
    cfg!(feature = "webgl")
}

/// The bytes of this module's wasm memory. It only grows, so this is also its peak: the
/// benchmark reads it after the largest state a URL can ask for (`node scripts/bench.mjs limits`).
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    core::arch::wasm32::memory_size(0) as f64 * 65536.0
}

/// The crate version, for the page's footer (`metrics.version`).
#[wasm_bindgen]
pub fn lab_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    // Maps become plain objects so JS can use `obj.key`.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).map_err(|e| JsError::new(&format!("could not convert to JS: {e}")))
}

/// A plain JS object with these fields (typed arrays and numbers, which `to_js` would turn into
/// plain arrays); `what` names the result in the error.
#[cfg(feature = "hopfield")]
fn js_object(fields: impl IntoIterator<Item = (&'static str, JsValue)>, what: &str) -> Result<JsValue, JsError> {
    let out = js_sys::Object::new();
    for (key, value) in fields {
        js_sys::Reflect::set(&out, &key.into(), &value)
            .map_err(|_| JsError::new(&format!("{what}: could not build the result")))?;
    }
    Ok(out.into())
}

fn notices_to_js(notices: &[Notice]) -> Result<JsValue, JsError> {
    to_js(notices)
}
