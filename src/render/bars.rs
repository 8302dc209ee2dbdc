//! Bar chart of an array: bars side by side in equal slots, each with its own bottom, top and
//! colour. A bar names its slot, so later bars can be drawn over earlier ones in the same slot
//! (marks over an array's bars).

use super::{Gpu, RenderError};
use bytemuck::{Pod, Zeroable};
use std::collections::HashMap;

/// One bar as the GPU sees it (a vertex-buffer instance, so WebGL2 can draw it too).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct Bar {
    /// Lower end, 0..1 of the drawing height.
    pub bottom: f32,
    /// Upper end, 0..1 of the drawing height (at least one pixel is drawn).
    pub top: f32,
    /// RGBA, 8 bits each, in memory order r, g, b, a (sRGB-encoded bytes; see `Gpu::pick_format`).
    pub rgba: [u8; 4],
    /// Its slot, 0..slots, from the left (a float: WebGL2 draws it as any other attribute;
    /// exact for every slot below 2^24).
    pub slot: f32,
}

/// What to draw: plain data, no knowledge of sorting.
pub struct BarsFrame<'a> {
    /// Drawn in order: a later bar covers an earlier one where they overlap.
    pub bars: &'a [Bar],
    /// Slots across the width (at least one).
    pub slots: u32,
    pub background: [u8; 4],
}

pub struct BarsRenderer {
    layout: wgpu::PipelineLayout,
    shader: wgpu::ShaderModule,
    pipelines: HashMap<wgpu::TextureFormat, wgpu::RenderPipeline>,
    uniforms: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    instances: wgpu::Buffer,
    capacity: usize,
}

const UNIFORM_SIZE: u64 = 16;

impl BarsRenderer {
    pub fn new(gpu: &Gpu) -> Self {
        let device = &gpu.device;
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("bars.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("bars.wgsl").into()),
        });
        let bind_group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("bars uniforms"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: wgpu::BufferSize::new(UNIFORM_SIZE),
                },
                count: None,
            }],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("bars"),
            bind_group_layouts: &[Some(&bind_group_layout)],
            immediate_size: 0,
        });
        let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("bars uniforms"),
            size: UNIFORM_SIZE,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("bars uniforms"),
            layout: &bind_group_layout,
            entries: &[wgpu::BindGroupEntry { binding: 0, resource: uniforms.as_entire_binding() }],
        });
        let capacity = 1024;
        let instances = Self::instance_buffer(device, capacity);
        Self { layout, shader, pipelines: HashMap::new(), uniforms, bind_group, instances, capacity }
    }

    fn instance_buffer(device: &wgpu::Device, capacity: usize) -> wgpu::Buffer {
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("bars instances"),
            size: (capacity * std::mem::size_of::<Bar>()) as u64,
            usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    fn pipeline(&mut self, gpu: &Gpu, format: wgpu::TextureFormat) -> &wgpu::RenderPipeline {
        let (layout, shader) = (&self.layout, &self.shader);
        self.pipelines.entry(format).or_insert_with(|| {
            let instances = wgpu::VertexBufferLayout {
                array_stride: std::mem::size_of::<Bar>() as u64,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes: &wgpu::vertex_attr_array![0 => Float32, 1 => Float32, 2 => Unorm8x4, 3 => Float32],
            };
            super::opaque_pipeline(&gpu.device, "bars", layout, shader, &[Some(instances)], format)
        })
    }

    /// Record the draw of `frame` into `view` (of the given size and format).
    pub fn encode(
        &mut self,
        gpu: &Gpu,
        encoder: &mut wgpu::CommandEncoder,
        view: &wgpu::TextureView,
        format: wgpu::TextureFormat,
        size: (u32, u32),
        frame: &BarsFrame,
    ) -> Result<(), RenderError> {
        let count = frame.bars.len();
        if count > self.capacity {
            self.capacity = count.next_power_of_two();
            self.instances = Self::instance_buffer(&gpu.device, self.capacity);
        }
        if count > 0 {
            gpu.queue.write_buffer(&self.instances, 0, bytemuck::cast_slice(frame.bars));
        }
        let uniforms = [frame.slots.max(1) as f32, size.0 as f32, size.1 as f32, 0.0];
        gpu.queue.write_buffer(&self.uniforms, 0, bytemuck::cast_slice(&uniforms));
        self.pipeline(gpu, format);
        let pipeline = self.pipelines.get(&format).ok_or(RenderError::Internal("pipeline missing"))?;
        let mut pass = super::clear_pass(encoder, view, "bars", frame.background);
        if count > 0 {
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &self.bind_group, &[]);
            pass.set_vertex_buffer(0, self.instances.slice(..std::mem::size_of_val(frame.bars) as u64));
            pass.draw(0..6, 0..count as u32);
        }
        Ok(())
    }
}
