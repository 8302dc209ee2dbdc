//! Offscreen rendering with read-back: used for PNG export and for pixel tests. The frame is
//! drawn into an `Rgba8Unorm` texture (the format canvases use here, so bytes match), copied
//! to a mappable buffer and handed to a callback as tightly packed RGBA rows.

use super::{DrawFn, Gpu, RenderError};

/// Draw with `draw` into a `width`×`height` texture and call `done` with its RGBA bytes.
/// On WebGPU the browser calls back when the copy is done. On WebGL2 (wgpu-core) the callback
/// fires from [`Gpu::poll`], which the caller must call from later tasks until it does: a
/// blocking wait is impossible in a browser (WebGL's `clientWaitSync` timeout is capped at 0,
/// so `PollType::Wait` returns `Timeout`).
pub fn read_back_rgba(
    gpu: &Gpu,
    width: u32,
    height: u32,
    draw: &mut DrawFn,
    done: impl FnOnce(Result<Vec<u8>, RenderError>) + 'static,
) {
    let max = gpu.max_texture_side();
    if width == 0 || height == 0 || width > max || height > max {
        done(Err(RenderError::Readback(format!("size {width}×{height} is outside 1…{max}"))));
        return;
    }
    let format = wgpu::TextureFormat::Rgba8Unorm;
    let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("offscreen"),
        size: wgpu::Extent3d { width, height, depth_or_array_layers: 1 },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
        view_formats: &[],
    });
    let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
    let unpadded = width * 4;
    let padded = unpadded.next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
    let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size: u64::from(padded) * u64::from(height),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("readback") });
    if let Err(e) = draw(&mut encoder, &view, format, (width, height)) {
        done(Err(e));
        return;
    }
    encoder.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo {
            texture: &texture,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        wgpu::TexelCopyBufferInfo {
            buffer: &buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded),
                rows_per_image: Some(height),
            },
        },
        wgpu::Extent3d { width, height, depth_or_array_layers: 1 },
    );
    gpu.queue.submit([encoder.finish()]);
    let mapped = buffer.clone();
    buffer.map_async(wgpu::MapMode::Read, .., move |result| {
        let out = match result {
            Ok(()) => match mapped.slice(..).get_mapped_range() {
                Ok(data) => {
                    let mut rgba = Vec::with_capacity((unpadded * height) as usize);
                    for row in data.chunks(padded as usize) {
                        rgba.extend_from_slice(&row[..unpadded as usize]);
                    }
                    drop(data);
                    mapped.unmap();
                    Ok(rgba)
                }
                Err(e) => Err(RenderError::Readback(e.to_string())),
            },
            Err(e) => Err(RenderError::Readback(e.to_string())),
        };
        drop(texture);
        done(out);
    });
}
