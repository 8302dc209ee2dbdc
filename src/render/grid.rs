//! A grid of cells, each its own colour, plus an optional vertical meter: the bit-level view of
//! sparse distributed representations. Cells are uploaded as one RGBA texel each and drawn by a
//! full-screen triangle (a texture read in the fragment shader works on WebGPU and WebGL2).

use super::{Gpu, RenderError};
use std::collections::HashMap;

/// A meter beside the grid: a value and a threshold, both 0..1 of its height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Meter {
    pub value: f32,
    pub threshold: f32,
    /// Drawn in the "match" colour when true.
    pub reached: bool,
}

/// What to draw: plain data, no knowledge of dendrites.
pub struct GridFrame<'a> {
    /// One colour per cell, in reading order (left to right, top to bottom).
    pub cells: &'a [[u8; 4]],
    pub background: [u8; 4],
    pub meter: Option<Meter>,
    /// Lay the cells out in exactly this many columns (a composite of pictures); `None`:
    /// square cells as large as fit.
    pub columns: Option<u32>,
}

/// Where the cells go on a target: computed on the CPU so that tests and clicks agree with
/// the shader.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridLayout {
    pub columns: u32,
    pub rows: u32,
    /// Top-left corner of the grid, px.
    pub origin: (f32, f32),
    /// Cell size in px (below 1 when there are more cells than pixels).
    pub cell: f32,
    pub gap: bool,
    /// Meter rectangle x0, y0, x1, y1 in px (empty when there is no meter).
    pub meter: [f32; 4],
}

const METER_WIDTH: u32 = 22;
const MARGIN: u32 = 6;

impl GridLayout {
    /// Square cells as large as fit `count` cells into `size`, whole pixels when possible; with
    /// `columns`, that many columns.
    pub fn new(count: usize, size: (u32, u32), meter: bool, columns: Option<u32>) -> Self {
        let (width, height) = (size.0.max(1), size.1.max(1));
        let meter_space = if meter && width > 4 * (METER_WIDTH + 2 * MARGIN) { METER_WIDTH + 2 * MARGIN } else { 0 };
        let area_w = (width - meter_space).saturating_sub(2 * MARGIN).max(1);
        let area_h = height.saturating_sub(2 * MARGIN).max(1);
        let count = count.max(1) as u64;
        if let Some(columns) = columns.filter(|&c| c > 0) {
            let rows = count.div_ceil(u64::from(columns)) as u32;
            let fit = (f64::from(area_w) / f64::from(columns)).min(f64::from(area_h) / f64::from(rows));
            let cell = if fit >= 1.0 { fit.floor() } else { fit } as f32;
            let grid_w = (columns as f32 * cell).floor();
            let grid_h = (rows as f32 * cell).floor();
            let origin = (
                (MARGIN as f32 + ((area_w as f32 - grid_w) / 2.0).max(0.0)).floor(),
                (MARGIN as f32 + ((area_h as f32 - grid_h) / 2.0).max(0.0)).floor(),
            );
            let meter = if meter_space > 0 {
                let x0 = (width - METER_WIDTH - MARGIN) as f32;
                [x0, MARGIN as f32, x0 + METER_WIDTH as f32, (height - MARGIN) as f32]
            } else {
                [0.0; 4]
            };
            return Self { columns, rows, origin, cell, gap: false, meter };
        }
        // Largest whole cell size c with floor(w/c)·floor(h/c) ≥ count.
        let mut cell = ((u64::from(area_w) * u64::from(area_h) / count) as f64).sqrt().floor() as u32;
        while cell >= 1 && u64::from(area_w / cell) * u64::from(area_h / cell) < count {
            cell -= 1;
        }
        let (columns, rows, cell) = if cell >= 1 {
            let columns = (area_w / cell).min(count as u32).max(1);
            let rows = count.div_ceil(u64::from(columns)) as u32;
            (columns, rows, cell as f32)
        } else {
            // More cells than pixels: fractional cells, each pixel shows one of the cells it covers.
            let columns = ((count as f64 * f64::from(area_w) / f64::from(area_h)).sqrt().ceil() as u32).max(1);
            let rows = count.div_ceil(u64::from(columns)) as u32;
            (columns, rows, (f64::from(area_w) / f64::from(columns)).min(f64::from(area_h) / f64::from(rows)) as f32)
        };
        let grid_w = (columns as f32 * cell).floor();
        let grid_h = (rows as f32 * cell).floor();
        let origin = (
            (MARGIN as f32 + ((area_w as f32 - grid_w) / 2.0).max(0.0)).floor(),
            (MARGIN as f32 + ((area_h as f32 - grid_h) / 2.0).max(0.0)).floor(),
        );
        let meter = if meter_space > 0 {
            let x0 = (width - METER_WIDTH - MARGIN) as f32;
            [x0, MARGIN as f32, x0 + METER_WIDTH as f32, (height - MARGIN) as f32]
        } else {
            [0.0; 4]
        };
        Self { columns, rows, origin, cell, gap: cell >= 5.0, meter }
    }

    /// The cell under pixel (x, y), if any.
    pub fn cell_at(&self, x: f32, y: f32, count: usize) -> Option<usize> {
        let (cx, cy) = ((x - self.origin.0) / self.cell, (y - self.origin.1) / self.cell);
        if cx < 0.0 || cy < 0.0 || cx >= self.columns as f32 || cy >= self.rows as f32 {
            return None;
        }
        let index = cy as usize * self.columns as usize + cx as usize;
        (index < count).then_some(index)
    }
}

pub struct GridRenderer {
    layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    shader: wgpu::ShaderModule,
    pipelines: HashMap<wgpu::TextureFormat, wgpu::RenderPipeline>,
    uniforms: wgpu::Buffer,
    texture: Option<(wgpu::Texture, wgpu::BindGroup, (u32, u32))>,
    staging: Vec<u8>,
}

const UNIFORM_SIZE: u64 = 5 * 16;

impl GridRenderer {
    pub fn new(gpu: &Gpu) -> Self {
        let device = &gpu.device;
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("grid.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("grid.wgsl").into()),
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("grid"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: wgpu::BufferSize::new(UNIFORM_SIZE),
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: false },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("grid"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("grid uniforms"),
            size: UNIFORM_SIZE,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            layout,
            pipeline_layout,
            shader,
            pipelines: HashMap::new(),
            uniforms,
            texture: None,
            staging: Vec::new(),
        }
    }

    fn pipeline(&mut self, gpu: &Gpu, format: wgpu::TextureFormat) {
        let (layout, shader) = (&self.pipeline_layout, &self.shader);
        self.pipelines
            .entry(format)
            .or_insert_with(|| super::opaque_pipeline(&gpu.device, "grid", layout, shader, &[], format));
    }

    /// The texture for a `columns`×`rows` grid (made again only when the size changes).
    fn texture(&mut self, gpu: &Gpu, columns: u32, rows: u32) -> Result<(), RenderError> {
        if self.texture.as_ref().is_some_and(|(_, _, size)| *size == (columns, rows)) {
            return Ok(());
        }
        let max = gpu.max_texture_side();
        if columns > max || rows > max {
            return Err(RenderError::Internal("grid larger than the largest texture"));
        }
        let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("grid cells"),
            size: wgpu::Extent3d { width: columns, height: rows, depth_or_array_layers: 1 },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let bind_group = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("grid"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry { binding: 0, resource: self.uniforms.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 1, resource: wgpu::BindingResource::TextureView(&view) },
            ],
        });
        self.texture = Some((texture, bind_group, (columns, rows)));
        Ok(())
    }

    /// Record the draw of `frame` into `view` (of the given size and format).
    pub fn encode(
        &mut self,
        gpu: &Gpu,
        encoder: &mut wgpu::CommandEncoder,
        view: &wgpu::TextureView,
        format: wgpu::TextureFormat,
        size: (u32, u32),
        frame: &GridFrame,
    ) -> Result<(), RenderError> {
        let layout = GridLayout::new(frame.cells.len(), size, frame.meter.is_some(), frame.columns);
        self.texture(gpu, layout.columns, layout.rows)?;
        self.pipeline(gpu, format);
        self.staging.clear();
        self.staging.reserve(layout.columns as usize * layout.rows as usize * 4);
        self.staging.extend(frame.cells.iter().flatten());
        self.staging.resize(layout.columns as usize * layout.rows as usize * 4, 0);
        let (texture, bind_group, _) = self.texture.as_ref().ok_or(RenderError::Internal("grid texture missing"))?;
        gpu.queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            &self.staging,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(layout.columns * 4),
                rows_per_image: Some(layout.rows),
            },
            wgpu::Extent3d { width: layout.columns, height: layout.rows, depth_or_array_layers: 1 },
        );
        let background = frame.background.map(|c| f32::from(c) / 255.0);
        let meter = frame.meter.unwrap_or(Meter { value: 0.0, threshold: 0.0, reached: false });
        let uniforms: [f32; 20] = [
            layout.origin.0,
            layout.origin.1,
            layout.cell,
            layout.cell,
            layout.columns as f32,
            layout.rows as f32,
            frame.cells.len() as f32,
            if layout.gap { 1.0 } else { 0.0 },
            layout.meter[0],
            layout.meter[1],
            layout.meter[2],
            layout.meter[3],
            meter.value.clamp(0.0, 1.0),
            meter.threshold.clamp(0.0, 1.0),
            if meter.reached { 1.0 } else { 0.0 },
            0.0,
            background[0],
            background[1],
            background[2],
            background[3],
        ];
        gpu.queue.write_buffer(&self.uniforms, 0, bytemuck::cast_slice(&uniforms));
        let pipeline = self.pipelines.get(&format).ok_or(RenderError::Internal("pipeline missing"))?;
        let mut pass = super::clear_pass(encoder, view, "grid", frame.background);
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, bind_group, &[]);
        pass.draw(0..3, 0..1);
        Ok(())
    }
}
