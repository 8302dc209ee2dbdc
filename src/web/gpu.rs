//! Page-wide GPU access and the [`View`] handle that draws an experiment on a canvas.

use super::to_js;
use crate::core::picture::{Layout, Picture};
use crate::dendrites::scene::colour;
use crate::render::bars::{Bar, BarsFrame, BarsRenderer};
use crate::render::grid::{GridFrame, GridLayout, GridRenderer, Meter};
use crate::render::{self, Backend, CanvasTarget, FrameStatus, Gpu, RenderError};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// The one WebGPU device of this page, or why there is none. Requested once: devices made and
/// dropped per call stop later adapter requests (docs/toolchain.md). `www/common.js`
/// serialises `create_view` calls, so no two requests race.
enum WebGpuSlot {
    Untried,
    Ready(Rc<Gpu>),
    Failed(String),
}

thread_local! {
    static WEBGPU: RefCell<WebGpuSlot> = const { RefCell::new(WebGpuSlot::Untried) };
}

pub(crate) async fn shared_webgpu() -> Result<Rc<Gpu>, String> {
    let cached = WEBGPU.with(|slot| match &*slot.borrow() {
        // A lost device is replaced: the next view or compute call gets a new one.
        WebGpuSlot::Ready(gpu) if gpu.is_lost() => None,
        WebGpuSlot::Ready(gpu) => Some(Ok(gpu.clone())),
        WebGpuSlot::Failed(e) => Some(Err(e.clone())),
        WebGpuSlot::Untried => None,
    });
    if let Some(result) = cached {
        return result;
    }
    let result = Gpu::webgpu().await.map(Rc::new).map_err(|e| e.to_string());
    WEBGPU.with(|slot| {
        *slot.borrow_mut() = match &result {
            Ok(gpu) => WebGpuSlot::Ready(gpu.clone()),
            Err(e) => WebGpuSlot::Failed(e.clone()),
        }
    });
    result
}

/// Frames a WebGL2 read-back may take before it is reported as failed (about 10 s).
const READBACK_POLL_FRAMES: u32 = 600;

/// Resolve on the next animation frame (or after 16 ms where there is none).
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window();
        let scheduled = window.as_ref().is_some_and(|w| w.request_animation_frame(&resolve).is_ok());
        if !scheduled {
            let _ = js_sys::global()
                .unchecked_into::<web_sys::WorkerGlobalScope>()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 16);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Draws experiments on one canvas.
#[wasm_bindgen]
pub struct View {
    gpu: Rc<Gpu>,
    canvas: HtmlCanvasElement,
    target: CanvasTarget,
    /// Made on first use (only bar pictures need it).
    bars: Option<BarsRenderer>,
    scratch: Vec<Bar>,
    /// Made on first use (a bar picture never builds it).
    grid: Option<GridRenderer>,
}

/// Open a view on `canvas`. `backend` is `"webgpu"`, `"webgl2"` or `"auto"`.
///
/// WebGPU is probed without touching the canvas, so after a failed probe the same canvas can
/// still give a WebGL2 context. In the WebGPU-only build a missing adapter is an error; the
/// page then loads the WebGL2 build and calls this again on a fresh canvas.
#[wasm_bindgen]
pub async fn create_view(canvas: HtmlCanvasElement, backend: String) -> Result<View, JsError> {
    let (w, h) = (canvas.width(), canvas.height());
    let (gpu, surface) = match backend.as_str() {
        "webgl2" => webgl2(&canvas).await?,
        "webgpu" | "auto" => match shared_webgpu().await {
            Ok(gpu) => {
                let surface = gpu
                    .instance
                    .create_surface(wgpu::SurfaceTarget::Canvas(canvas.clone()))
                    .map_err(|e| JsError::new(&RenderError::Surface(e.to_string()).to_string()))?;
                (gpu, surface)
            }
            Err(e) if crate::web::build_has_webgl() => {
                web_sys::console::info_1(&format!("WebGPU unavailable ({e}); using WebGL2").into());
                webgl2(&canvas).await?
            }
            Err(e) => return Err(JsError::new(&e)),
        },
        other => return Err(JsError::new(&format!("unknown backend \"{other}\" (webgpu, webgl2 or auto)"))),
    };
    let target = CanvasTarget::new(&gpu, surface, w, h).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(View { gpu, canvas, target, bars: None, scratch: Vec::new(), grid: None })
}

async fn webgl2(canvas: &HtmlCanvasElement) -> Result<(Rc<Gpu>, wgpu::Surface<'static>), JsError> {
    let (gpu, surface) =
        Gpu::webgl2(wgpu::SurfaceTarget::Canvas(canvas.clone())).await.map_err(|e| JsError::new(&e.to_string()))?;
    Ok((Rc::new(gpu), surface))
}

#[wasm_bindgen]
impl View {
    /// `"webgpu"` or `"webgl2"`.
    pub fn backend(&self) -> String {
        self.gpu.backend.as_str().to_string()
    }

    pub fn adapter(&self) -> String {
        self.gpu.adapter_name()
    }

    /// Whether this view's GPU device was lost; the page then makes a new view (on a new
    /// device) for the same canvas, and the experiment keeps its state.
    pub fn lost(&self) -> bool {
        self.gpu.is_lost()
    }

    /// Destroy this view's GPU device, as a driver reset would (tests of the recovery call
    /// it). Every view and compute path on the same device is lost with it.
    pub fn destroy_device(&self) {
        self.gpu.destroy();
    }

    /// The largest canvas side this device can draw.
    pub fn max_side(&self) -> u32 {
        self.gpu.max_texture_side()
    }

    /// Resize the drawing buffer (device pixels; clamped to the device; 0×0 ignored).
    pub fn resize(&mut self, width: u32, height: u32) {
        self.target.resize(&self.gpu, width, height);
    }

    pub fn size(&self) -> Vec<u32> {
        let (w, h) = self.target.size();
        vec![w, h]
    }

    /// Draw a composite picture: `rgba` holds one colour per cell (4 bytes each, reading
    /// order) laid out in `columns` columns; the background is the lab's. Used for pictures
    /// assembled by a handle (the Hopfield stage, the β film strip).
    pub fn draw_grid(&mut self, rgba: &[u8], columns: u32) -> Result<bool, JsError> {
        let cells = cells_of(rgba)?;
        let gpu = &self.gpu;
        let grid = self.grid.get_or_insert_with(|| GridRenderer::new(gpu));
        let frame = GridFrame { cells, background: colour::BACKGROUND, meter: None, columns: Some(columns.max(1)) };
        let mut draw = |enc: &mut wgpu::CommandEncoder, view: &wgpu::TextureView, format, size| {
            grid.encode(gpu, enc, view, format, size, &frame)
        };
        present(gpu, &mut self.target, &self.canvas, &mut draw)
    }

    /// [`View::draw_grid`] offscreen at `width`×`height`; resolves to RGBA bytes.
    pub fn read_grid(
        &mut self,
        rgba: &[u8],
        columns: u32,
        width: u32,
        height: u32,
    ) -> Result<js_sys::Promise, JsError> {
        let cells = cells_of(rgba)?;
        let gpu = &self.gpu;
        let grid = self.grid.get_or_insert_with(|| GridRenderer::new(gpu));
        let frame = GridFrame { cells, background: colour::BACKGROUND, meter: None, columns: Some(columns.max(1)) };
        let mut draw = |enc: &mut wgpu::CommandEncoder, view: &wgpu::TextureView, format, size| {
            grid.encode(gpu, enc, view, format, size, &frame)
        };
        Ok(read_back(gpu, width, height, &mut draw))
    }

    /// GPU validation errors since the last call (an array of strings).
    pub fn take_errors(&self) -> Result<JsValue, JsError> {
        let mut errors = render::take_gpu_errors();
        if self.gpu.is_lost() {
            errors.push(RenderError::DeviceLost.to_string());
        }
        to_js(&errors)
    }
}

impl View {
    /// The drawing buffer's width in pixels.
    pub(crate) fn width(&self) -> u32 {
        self.target.size().0
    }

    /// Encode `picture` with the renderer of its layout and hand the drawing to `sink` (present
    /// on the canvas, or render offscreen and read back), with the GPU, target and canvas.
    fn with_picture<T>(
        &mut self,
        picture: &Picture,
        sink: impl FnOnce(&Rc<Gpu>, &mut CanvasTarget, &HtmlCanvasElement, &mut render::DrawFn<'_>) -> T,
    ) -> T {
        let View { gpu, canvas, target, bars, scratch, grid } = self;
        match picture.layout {
            Layout::Bars => {
                scratch.clear();
                let slots = picture.bars.len() as u32;
                let bar = |b: &crate::core::picture::Bar, slot: u32| Bar {
                    bottom: b.bottom,
                    top: b.top,
                    rgba: b.rgba,
                    slot: slot as f32,
                };
                scratch.extend(picture.bars.iter().enumerate().map(|(i, b)| bar(b, i as u32)));
                scratch.extend(picture.marks.iter().filter(|m| m.slot < slots).map(|m| bar(&m.bar, m.slot)));
                let renderer = bars.get_or_insert_with(|| BarsRenderer::new(gpu));
                let frame = BarsFrame { bars: scratch, slots, background: picture.background };
                let mut draw = |enc: &mut wgpu::CommandEncoder, view: &wgpu::TextureView, format, size| {
                    renderer.encode(gpu, enc, view, format, size, &frame)
                };
                sink(gpu, target, canvas, &mut draw)
            }
            Layout::Grid => {
                let renderer = grid.get_or_insert_with(|| GridRenderer::new(gpu));
                let frame = grid_frame(picture);
                let mut draw = |enc: &mut wgpu::CommandEncoder, view: &wgpu::TextureView, format, size| {
                    renderer.encode(gpu, enc, view, format, size, &frame)
                };
                sink(gpu, target, canvas, &mut draw)
            }
        }
    }

    /// Draw a picture (plain data from an experiment) on the canvas. Returns `false` when the
    /// frame was skipped.
    /// The cell of `picture` under canvas pixel (x, y) as the grid renderer lays it out on this
    /// view (the same [`GridLayout`] the drawing used); `None` off the cells or for bars.
    pub(crate) fn cell_at(&self, picture: &Picture, x: f64, y: f64) -> Option<usize> {
        if picture.layout != Layout::Grid || !(x.is_finite() && y.is_finite()) {
            return None;
        }
        let count = picture.cells.len();
        GridLayout::new(count, self.target.size(), picture.meter.is_some(), picture.columns)
            .cell_at(x as f32, y as f32, count)
    }

    pub(crate) fn draw_picture(&mut self, picture: &Picture) -> Result<bool, JsError> {
        self.with_picture(picture, |gpu, target, canvas, draw| present(gpu, target, canvas, draw))
    }

    /// Render a picture offscreen at `width`×`height`; resolves to its RGBA bytes.
    pub(crate) fn read_picture(&mut self, picture: &Picture, width: u32, height: u32) -> js_sys::Promise {
        self.with_picture(picture, |gpu, _, _, draw| read_back(gpu, width, height, draw))
    }
}

fn grid_frame(picture: &Picture) -> GridFrame<'_> {
    GridFrame {
        cells: &picture.cells,
        background: picture.background,
        meter: picture.meter.map(|m| Meter { value: m.value, threshold: m.threshold, reached: m.reached }),
        columns: picture.columns,
    }
}

/// Present one frame on the canvas; recreates a lost WebGPU surface.
fn present(
    gpu: &Rc<Gpu>,
    target: &mut CanvasTarget,
    canvas: &HtmlCanvasElement,
    draw: &mut render::DrawFn<'_>,
) -> Result<bool, JsError> {
    let status = target.present(gpu, draw).map_err(|e| JsError::new(&e.to_string()))?;
    match status {
        FrameStatus::Drawn => Ok(true),
        FrameStatus::Skipped => Ok(false),
        FrameStatus::SurfaceLost => {
            if gpu.backend == Backend::WebGpu {
                let surface = gpu
                    .instance
                    .create_surface(wgpu::SurfaceTarget::Canvas(canvas.clone()))
                    .map_err(|e| JsError::new(&e.to_string()))?;
                target.replace_surface(gpu, surface);
            }
            Ok(false)
        }
    }
}

/// Render offscreen and resolve to the RGBA bytes (`Uint8Array`, rows top to bottom).
fn read_back(gpu: &Rc<Gpu>, width: u32, height: u32, draw: &mut render::DrawFn<'_>) -> js_sys::Promise {
    let resolver = Rc::new(RefCell::new(None::<(js_sys::Function, js_sys::Function)>));
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        *resolver.borrow_mut() = Some((resolve, reject));
    });
    let settle = {
        let resolver = resolver.clone();
        move |out: Result<Vec<u8>, RenderError>| {
            if let Some((resolve, reject)) = resolver.borrow_mut().take() {
                let _ = match out {
                    Ok(bytes) => resolve.call1(&JsValue::NULL, &js_sys::Uint8Array::from(&bytes[..])),
                    Err(e) => reject.call1(&JsValue::NULL, &js_sys::Error::new(&e.to_string())),
                };
            }
        }
    };
    render::read_back_rgba(gpu, width, height, draw, settle);
    if gpu.backend == Backend::WebGl2 {
        // wgpu-core maps only when polled, and a browser cannot block: poll once per frame.
        let gpu = gpu.clone();
        wasm_bindgen_futures::spawn_local(async move {
            for _ in 0..READBACK_POLL_FRAMES {
                if resolver.borrow().is_none() {
                    return;
                }
                gpu.poll();
                next_frame().await;
            }
            if let Some((_, reject)) = resolver.borrow_mut().take() {
                let _ = reject.call1(&JsValue::NULL, &js_sys::Error::new("GPU read-back timed out"));
            }
        });
    }
    promise
}

/// RGBA bytes as cells (4 bytes each).
fn cells_of(rgba: &[u8]) -> Result<&[[u8; 4]], JsError> {
    if !rgba.len().is_multiple_of(4) {
        return Err(JsError::new(&format!("a picture needs 4 bytes per cell; got {} bytes", rgba.len())));
    }
    Ok(bytemuck::cast_slice(rgba))
}
