//! Drawing with wgpu, on WebGPU or on WebGL2. This layer draws plain data (numbers and
//! colours) and knows nothing of the sciences or of the DOM: the web layer hands it a
//! `wgpu::SurfaceTarget` and a frame to draw.
//!
//! Device policy (see docs/toolchain.md, "One WebGPU device per page"): one WebGPU device per
//! page, shared by every canvas on it; a WebGL2 context belongs to one canvas, so each WebGL2 canvas has its own.

pub mod bars;
pub mod grid;
pub mod modern_compute;
mod readback;

pub use readback::read_back_rgba;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Which browser graphics API a [`Gpu`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    WebGpu,
    WebGl2,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::WebGpu => "webgpu",
            Backend::WebGl2 => "webgl2",
        }
    }
}

#[derive(Debug)]
pub enum RenderError {
    NoWebGpuAdapter(String),
    NoWebGl2(String),
    /// This build was made without the WebGL2 backend (the small WebGPU-only build).
    WebGl2NotInBuild,
    Device(String),
    Surface(String),
    DeviceLost,
    Readback(String),
    /// GPU compute is unavailable or failed (the caller falls back to the CPU); a sentence.
    Compute(String),
    Internal(&'static str),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::NoWebGpuAdapter(e) => write!(f, "no WebGPU adapter ({e})"),
            RenderError::NoWebGl2(e) => write!(f, "WebGL2 is not available ({e})"),
            RenderError::WebGl2NotInBuild => write!(f, "this build has no WebGL2 backend"),
            RenderError::Device(e) => write!(f, "could not open the GPU device ({e})"),
            RenderError::Surface(e) => write!(f, "could not draw on the canvas ({e})"),
            RenderError::DeviceLost => write!(f, "the GPU device was lost"),
            RenderError::Readback(e) => write!(f, "could not read the picture back ({e})"),
            RenderError::Compute(e) => write!(f, "GPU compute: {e}"),
            RenderError::Internal(e) => write!(f, "internal renderer error: {e}"),
        }
    }
}

static GPU_ERRORS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// GPU errors reported since the last call (wgpu's default handler would panic; ours keeps
/// them for the page to show).
pub fn take_gpu_errors() -> Vec<String> {
    GPU_ERRORS.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default()
}

/// An adapter, its device and queue.
pub struct Gpu {
    pub instance: wgpu::Instance,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub backend: Backend,
    /// Set by the device-lost callback (a driver reset, the browser reclaiming the GPU, or
    /// [`Gpu::destroy`]); the device is then useless and the caller makes a new one.
    lost: Arc<AtomicBool>,
}

impl Gpu {
    /// A WebGPU device, without touching any canvas (so a failed probe leaves the canvas free
    /// for WebGL2).
    pub async fn webgpu() -> Result<Self, RenderError> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::BROWSER_WEBGPU;
        let instance = wgpu::Instance::new(desc);
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions::default())
            .await
            .map_err(|e| RenderError::NoWebGpuAdapter(e.to_string()))?;
        Self::open(instance, adapter, Backend::WebGpu).await
    }

    /// A WebGL2 device bound to the canvas behind `target`, and its surface.
    #[cfg(feature = "webgl")]
    pub async fn webgl2(target: wgpu::SurfaceTarget<'static>) -> Result<(Self, wgpu::Surface<'static>), RenderError> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::GL;
        let instance = wgpu::Instance::new(desc);
        let surface = instance.create_surface(target).map_err(|e| RenderError::NoWebGl2(e.to_string()))?;
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions { compatible_surface: Some(&surface), ..Default::default() })
            .await
            .map_err(|e| RenderError::NoWebGl2(e.to_string()))?;
        let gpu = Self::open(instance, adapter, Backend::WebGl2).await?;
        Ok((gpu, surface))
    }

    #[cfg(not(feature = "webgl"))]
    pub async fn webgl2(_target: wgpu::SurfaceTarget<'static>) -> Result<(Self, wgpu::Surface<'static>), RenderError> {
        Err(RenderError::WebGl2NotInBuild)
    }

    async fn open(instance: wgpu::Instance, adapter: wgpu::Adapter, backend: Backend) -> Result<Self, RenderError> {
        // Downlevel limits, raised to what the adapter offers for texture size so canvases can
        // be as large as the device allows. WebGL2 gets the WebGL2 set (no compute, no storage
        // buffers). WebGPU gets wgpu's downlevel set, which has compute (workgroups of 256,
        // 16352 bytes of workgroup memory, 4 storage buffers per stage), with the storage-buffer
        // and buffer sizes raised to the adapter's, so `modern_compute` can keep large pattern
        // sets in one buffer. Every other value of that set is at or below WebGPU's guaranteed
        // defaults, so any WebGPU adapter grants it.
        let offered = adapter.limits();
        let limits = match backend {
            Backend::WebGpu => wgpu::Limits {
                max_storage_buffer_binding_size: offered.max_storage_buffer_binding_size,
                max_buffer_size: offered.max_buffer_size,
                ..wgpu::Limits::downlevel_defaults().using_resolution(offered)
            },
            Backend::WebGl2 => wgpu::Limits::downlevel_webgl2_defaults().using_resolution(offered),
        };
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("emergence-lab"),
                required_features: wgpu::Features::empty(),
                required_limits: limits,
                ..Default::default()
            })
            .await
            .map_err(|e| RenderError::Device(e.to_string()))?;
        device.on_uncaptured_error(std::sync::Arc::new(|e: wgpu::Error| {
            if let Ok(mut v) = GPU_ERRORS.lock() {
                v.push(e.to_string());
            }
        }));
        let lost = Arc::new(AtomicBool::new(false));
        let flag = lost.clone();
        device.set_device_lost_callback(move |_reason, _message| flag.store(true, Ordering::Relaxed));
        Ok(Self { instance, adapter, device, queue, backend, lost })
    }

    /// Whether the device was lost: every draw and compute call on it fails from then on.
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed)
    }

    /// Destroy the device, as a driver reset would; the lost callback follows (tests of the
    /// recovery use it).
    pub fn destroy(&self) {
        self.device.destroy();
    }

    pub fn adapter_name(&self) -> String {
        // Empty where the browser hides adapter strings (Firefox, Chromium's WebGPU).
        self.adapter.get_info().name
    }

    /// Non-blocking poll: fires pending map callbacks on wgpu-core backends (WebGL2); a no-op
    /// on WebGPU. Returns false when the device reported an error.
    pub fn poll(&self) -> bool {
        self.device.poll(wgpu::PollType::Poll).is_ok()
    }

    pub fn max_texture_side(&self) -> u32 {
        self.device.limits().max_texture_dimension_2d
    }

    /// A non-sRGB format, so colours are written byte for byte on both backends (WebGPU offers
    /// `rgba8unorm`/`bgra8unorm`; wgpu's WebGL2 surface lists `Rgba8UnormSrgb` first).
    pub fn pick_format(formats: &[wgpu::TextureFormat]) -> Option<wgpu::TextureFormat> {
        formats.iter().copied().find(|f| !f.is_srgb()).or_else(|| formats.first().copied())
    }
}

/// Records a frame into a target view of the given format and size (width, height): the one
/// drawing callback shared by canvas presentation and offscreen read-back.
pub type DrawFn<'a> = dyn FnMut(&mut wgpu::CommandEncoder, &wgpu::TextureView, wgpu::TextureFormat, (u32, u32)) -> Result<(), RenderError>
    + 'a;

/// A render pass on `view` that first clears it to `background` (RGBA bytes): the start of
/// every frame the renderers draw.
pub(crate) fn clear_pass<'e>(
    encoder: &'e mut wgpu::CommandEncoder,
    view: &wgpu::TextureView,
    label: &'static str,
    background: [u8; 4],
) -> wgpu::RenderPass<'e> {
    let [r, g, b, a] = background.map(|c| f64::from(c) / 255.0);
    encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some(label),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view,
            depth_slice: None,
            resolve_target: None,
            ops: wgpu::Operations {
                load: wgpu::LoadOp::Clear(wgpu::Color { r, g, b, a }),
                store: wgpu::StoreOp::Store,
            },
        })],
        depth_stencil_attachment: None,
        timestamp_writes: None,
        occlusion_query_set: None,
        multiview_mask: None,
    })
}

/// The renderers' one kind of pipeline: `vs_main` and `fs_main` of `shader`, the vertex
/// `buffers`, triangles, no depth, no blending, drawing into `format`.
pub(crate) fn opaque_pipeline(
    device: &wgpu::Device,
    label: &'static str,
    layout: &wgpu::PipelineLayout,
    shader: &wgpu::ShaderModule,
    buffers: &[Option<wgpu::VertexBufferLayout<'_>>],
    format: wgpu::TextureFormat,
) -> wgpu::RenderPipeline {
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(label),
        layout: Some(layout),
        vertex: wgpu::VertexState {
            module: shader,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers,
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module: shader,
            entry_point: Some("fs_main"),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::ColorTargetState { format, blend: None, write_mask: wgpu::ColorWrites::ALL })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// A canvas surface configured for a device.
pub struct CanvasTarget {
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
}

/// What happened to one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameStatus {
    Drawn,
    /// Nothing to draw on (0×0) or the frame was skipped (timeout, occluded).
    Skipped,
    /// The surface was lost: the caller should create a new one from the canvas.
    SurfaceLost,
}

impl CanvasTarget {
    pub fn new(gpu: &Gpu, surface: wgpu::Surface<'static>, width: u32, height: u32) -> Result<Self, RenderError> {
        let caps = surface.get_capabilities(&gpu.adapter);
        let format = Gpu::pick_format(&caps.formats).ok_or_else(|| RenderError::Surface("no surface format".into()))?;
        let (w, h) = clamp_size(gpu, width, height);
        let mut config = surface
            .get_default_config(&gpu.adapter, w.max(1), h.max(1))
            .ok_or_else(|| RenderError::Surface("surface not supported by the adapter".into()))?;
        config.format = format;
        config.present_mode = wgpu::PresentMode::Fifo;
        if w > 0 && h > 0 {
            surface.configure(&gpu.device, &config);
        }
        Ok(Self { surface, config })
    }

    pub fn size(&self) -> (u32, u32) {
        (self.config.width, self.config.height)
    }

    pub fn format(&self) -> wgpu::TextureFormat {
        self.config.format
    }

    /// Resize to device pixels, clamped to the device's texture limit; 0×0 is ignored.
    pub fn resize(&mut self, gpu: &Gpu, width: u32, height: u32) {
        let (w, h) = clamp_size(gpu, width, height);
        if w == 0 || h == 0 || (w, h) == self.size() {
            return;
        }
        self.config.width = w;
        self.config.height = h;
        self.surface.configure(&gpu.device, &self.config);
    }

    /// Acquire the next canvas texture, let `draw` record into it, submit and present.
    /// Outdated or suboptimal surfaces are reconfigured and retried once.
    pub fn present(&mut self, gpu: &Gpu, draw: &mut DrawFn) -> Result<FrameStatus, RenderError> {
        if gpu.is_lost() {
            return Err(RenderError::DeviceLost);
        }
        for attempt in 0..2 {
            let texture = match self.surface.get_current_texture() {
                wgpu::CurrentSurfaceTexture::Success(t) => t,
                wgpu::CurrentSurfaceTexture::Suboptimal(t) => {
                    // Draw this one; reconfigure for the next frame.
                    self.surface.configure(&gpu.device, &self.config);
                    t
                }
                wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => {
                    return Ok(FrameStatus::Skipped)
                }
                wgpu::CurrentSurfaceTexture::Outdated if attempt == 0 => {
                    self.surface.configure(&gpu.device, &self.config);
                    continue;
                }
                wgpu::CurrentSurfaceTexture::Lost => return Ok(FrameStatus::SurfaceLost),
                _ => return Ok(FrameStatus::Skipped),
            };
            let view = texture.texture.create_view(&wgpu::TextureViewDescriptor::default());
            let mut encoder =
                gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("frame") });
            draw(&mut encoder, &view, self.config.format, self.size())?;
            gpu.queue.submit([encoder.finish()]);
            gpu.queue.present(texture);
            return Ok(FrameStatus::Drawn);
        }
        Ok(FrameStatus::Skipped)
    }

    /// Replace a lost surface by a new one made from the same canvas.
    pub fn replace_surface(&mut self, gpu: &Gpu, surface: wgpu::Surface<'static>) {
        self.surface = surface;
        self.surface.configure(&gpu.device, &self.config);
    }
}

fn clamp_size(gpu: &Gpu, width: u32, height: u32) -> (u32, u32) {
    let max = gpu.max_texture_side();
    (width.min(max), height.min(max))
}
