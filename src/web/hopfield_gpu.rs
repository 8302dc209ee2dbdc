//! The modern Hopfield update on the page's WebGPU device ([`crate::render::modern_compute`]),
//! for JS: stored patterns are uploaded once; each `update` sends a batch of queries and
//! resolves to the new states and the association weights. Where this fails (no WebGPU, or a
//! device too small), the page uses the CPU path.

use super::gpu::shared_webgpu;
use crate::render::modern_compute::ModernCompute;
use crate::render::{Gpu, RenderError};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Stored patterns on the GPU and the compute pipelines of the modern update (Ramsauer et al.,
/// ICLR 2021, eq. 3, batched over queries).
#[wasm_bindgen]
pub struct ModernGpu {
    gpu: Rc<Gpu>,
    compute: ModernCompute,
}

#[wasm_bindgen]
impl ModernGpu {
    /// Upload `n` stored patterns of dimension `d` (row-major, `n` × `d` values) to the page's
    /// shared WebGPU device. Throws a sentence when there is no WebGPU or the device is too small.
    pub async fn create(patterns: Vec<f32>, n: u32, d: u32) -> Result<ModernGpu, JsError> {
        let gpu = shared_webgpu()
            .await
            .map_err(|e| JsError::new(&format!("WebGPU is not available ({e}); the CPU computes the modern update")))?;
        let compute = ModernCompute::new(&gpu, &patterns, n as usize, d as usize)
            .await
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(ModernGpu { gpu, compute })
    }

    /// One update of `q` queries (row-major, `q` × d) with inverse temperature `beta`. Resolves
    /// to `{state: Float32Array (q × d), p: Float32Array (q × N), dots: Float32Array (q × N)}`
    /// (`dots`: the queries' dot products with the stored patterns, for their energy); rejects
    /// with an `Error` whose message is a sentence.
    pub fn update(&self, queries: Vec<f32>, q: u32, beta: f32) -> js_sys::Promise {
        let settle = Rc::new(RefCell::new(None::<(js_sys::Function, js_sys::Function)>));
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            *settle.borrow_mut() = Some((resolve, reject));
        });
        self.compute.update(&self.gpu, &queries, q as usize, beta, move |out| {
            let Some((resolve, reject)) = settle.borrow_mut().take() else {
                return;
            };
            let settled = match out.and_then(|out| result_object(&out)) {
                Ok(object) => resolve.call1(&JsValue::NULL, &object),
                Err(e) => reject.call1(&JsValue::NULL, &js_sys::Error::new(&e.to_string())),
            };
            if settled.is_err() {
                web_sys::console::error_1(&"ModernGpu.update: could not settle the promise".into());
            }
        });
        promise
    }

    /// Number of stored patterns N.
    pub fn patterns(&self) -> u32 {
        self.compute.patterns() as u32
    }

    /// Pattern dimension d.
    pub fn dim(&self) -> u32 {
        self.compute.dim() as u32
    }

    /// A line for the page: where the update runs.
    pub fn backend_note(&self) -> String {
        let adapter = self.gpu.adapter_name();
        let adapter = if adapter.is_empty() { "name hidden by the browser".to_string() } else { adapter };
        format!(
            "WebGPU compute (adapter: {adapter}): {} stored patterns of dimension {} in GPU memory; \
             scores, softmax and P·X as three WGSL passes in f32",
            self.compute.patterns(),
            self.compute.dim()
        )
    }
}

fn result_object(out: &crate::render::modern_compute::ModernOutput) -> Result<JsValue, RenderError> {
    let object = js_sys::Object::new();
    let set = |key: &str, values: &[f32]| {
        js_sys::Reflect::set(&object, &key.into(), &js_sys::Float32Array::from(values))
            .map_err(|_| RenderError::Compute("could not build the result object".into()))
    };
    set("state", &out.state)?;
    set("p", &out.p)?;
    set("dots", &out.dots)?;
    Ok(object.into())
}
