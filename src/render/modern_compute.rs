//! The modern Hopfield update on the GPU: WGSL compute shaders (`modern_update.wgsl`) over
//! stored patterns kept in one storage buffer, batched over queries.
//!
//! The update is Ramsauer et al. (ICLR 2021) eq. 3, for Q queries at once (their eq. 23 with the
//! queries as rows; docs/hopfield.md, "Models and sources"): S = β Ξ Xᵀ, P = row-softmax(S)
//! (max-shifted), Ξ' = P X. The CPU path is `crate::hopfield::kernels::modern_update`; this one
//! computes the same numbers in f32 with a different summation order, so the two agree within
//! the rounding bounds that `tests/web_hopfield.rs` derives, not bit for bit.
//!
//! Compute needs WebGPU: WebGL2 has no compute shaders, and [`ModernCompute::new`] says so
//! (the page then uses the CPU path).

use super::{Backend, Gpu, RenderError};

/// Queries per tile of `scores` and `combine` (the shader's `TQ`).
const QUERY_TILE: u32 = 16;
/// Patterns (`scores`) or components (`combine`) per tile (the shader's `TN`).
const COLUMN_TILE: u32 = 64;
/// Workgroup side of `scores` and `combine` (16 × 16).
const WORKGROUP_SIDE: u32 = 16;
/// Threads per workgroup in every entry point (16 × 16, and 256 for `softmax`).
const WORKGROUP_INVOCATIONS: u32 = 256;
/// Workgroup memory of the largest entry point: `tile_q` and `tile_x` (512 + 2112 f32).
const WORKGROUP_BYTES: u32 = (512 + 2112) * 4;
/// Storage buffers bound at once (patterns, queries, weights, states).
const STORAGE_BUFFERS: u32 = 4;
/// `Params` in the shader: n, d, q (u32) and β (f32).
const PARAMS_BYTES: u64 = 16;

/// Stored patterns in a GPU buffer and the three compute pipelines of the update.
pub struct ModernCompute {
    n: usize,
    d: usize,
    /// Largest |x| over all stored components, for the overflow check of the scores.
    pattern_max_abs: f32,
    patterns: wgpu::Buffer,
    layout: wgpu::BindGroupLayout,
    scores: wgpu::ComputePipeline,
    softmax: wgpu::ComputePipeline,
    combine: wgpu::ComputePipeline,
}

/// The result of one update, row-major: new states (Q × d), association weights (Q × N), and
/// the queries' dot products with every stored pattern (Q × N; what their energy needs).
pub type ModernResult = Result<ModernOutput, RenderError>;

/// See [`ModernResult`].
pub struct ModernOutput {
    pub state: Vec<f32>,
    pub p: Vec<f32>,
    pub dots: Vec<f32>,
}

fn compute_error(reason: impl Into<String>) -> RenderError {
    RenderError::Compute(reason.into())
}

/// Bytes of `count` f32 values, or an error when that does not fit in a u64.
fn f32_bytes(count: usize, what: &str) -> Result<u64, RenderError> {
    (count as u64).checked_mul(4).ok_or_else(|| compute_error(format!("the {what} are too large to address")))
}

fn max_abs_finite(values: &[f32], what: &str) -> Result<f32, RenderError> {
    let mut max = 0.0f32;
    for (i, v) in values.iter().enumerate() {
        if !v.is_finite() {
            return Err(compute_error(format!("{what} value {i} is {v}; every value must be a finite number")));
        }
        max = max.max(v.abs());
    }
    Ok(max)
}

impl ModernCompute {
    /// Upload the `n` × `d` stored patterns (row-major) and build the pipelines. Fails with a
    /// readable reason when the device has no compute (WebGL2), when its limits are too small
    /// for `n` × `d`, or when the device rejects the shader or the buffer (checked with error
    /// scopes, hence `async`).
    pub async fn new(gpu: &Gpu, patterns: &[f32], n: usize, d: usize) -> Result<Self, RenderError> {
        if gpu.backend != Backend::WebGpu {
            return Err(compute_error(format!(
                "this page draws with {}, which has no compute shaders; the CPU computes the update",
                gpu.backend.as_str()
            )));
        }
        if n == 0 || d == 0 {
            return Err(compute_error(format!("{n} patterns of dimension {d}: both must be at least 1")));
        }
        if n.checked_mul(d) != Some(patterns.len()) {
            return Err(compute_error(format!(
                "{} pattern values were given for {n} patterns of dimension {d}",
                patterns.len()
            )));
        }
        let pattern_max_abs = max_abs_finite(patterns, "pattern")?;
        let limits = gpu.device.limits();
        check_compute_limits(&limits)?;
        let pattern_bytes = f32_bytes(patterns.len(), "stored patterns")?;
        check_storage_size(&limits, pattern_bytes, &format!("the {n} × {d} stored patterns"))?;
        let groups = u64::from(limits.max_compute_workgroups_per_dimension) * u64::from(COLUMN_TILE);
        if n as u64 > groups || d as u64 > groups {
            return Err(compute_error(format!(
                "{n} patterns of dimension {d} need more workgroups than this device allows ({} per dimension)",
                limits.max_compute_workgroups_per_dimension
            )));
        }
        let device = &gpu.device;
        let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let out_of_memory = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("hopfield patterns"),
            size: pattern_bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        gpu.queue.write_buffer(&buffer, 0, bytemuck::cast_slice(patterns));
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("modern_update.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("modern_update.wgsl").into()),
        });
        let storage = |binding: u32, read_only: bool| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Storage { read_only },
                has_dynamic_offset: false,
                min_binding_size: wgpu::BufferSize::new(4),
            },
            count: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("hopfield update"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: wgpu::BufferSize::new(PARAMS_BYTES),
                    },
                    count: None,
                },
                storage(1, true),
                storage(2, true),
                storage(3, false),
                storage(4, false),
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("hopfield update"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = |entry: &str| {
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: Some(&pipeline_layout),
                module: &shader,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        let (scores, softmax, combine) = (pipeline("scores"), pipeline("softmax"), pipeline("combine"));
        // Pop both scopes now (innermost first); their futures resolve when the GPU has checked.
        let (out_of_memory, validation) = (out_of_memory.pop(), validation.pop());
        if let Some(e) = out_of_memory.await {
            return Err(compute_error(format!("the GPU has no room for the stored patterns ({e})")));
        }
        if let Some(e) = validation.await {
            return Err(compute_error(format!("the GPU rejected the compute shaders ({e})")));
        }
        Ok(Self { n, d, pattern_max_abs, patterns: buffer, layout, scores, softmax, combine })
    }

    /// Number of stored patterns N.
    pub fn patterns(&self) -> usize {
        self.n
    }

    /// Pattern dimension d.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// One update of `q` queries (row-major, `q` × d) with inverse temperature `beta`. `done`
    /// receives the new states (Q × d), the association weights P (Q × N) and the queries' dot
    /// products with the stored patterns (Q × N, copied out between the scores pass and the
    /// softmax, which applies β). On WebGPU the
    /// browser calls it when the results are mapped; nothing blocks. Input errors call `done`
    /// at once with the reason.
    pub fn update(&self, gpu: &Gpu, queries: &[f32], q: usize, beta: f32, done: impl FnOnce(ModernResult) + 'static) {
        let plan = match self.plan(gpu, queries, q, beta) {
            Ok(plan) => plan,
            Err(e) => return done(Err(e)),
        };
        let device = &gpu.device;
        let buffer = |label: &str, size: u64, usage: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor { label: Some(label), size, usage, mapped_at_creation: false })
        };
        let copy_in = wgpu::BufferUsages::COPY_DST;
        let storage_out = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC;
        let params = buffer("hopfield params", PARAMS_BYTES, wgpu::BufferUsages::UNIFORM | copy_in);
        let query_buffer = buffer("hopfield queries", plan.query_bytes, wgpu::BufferUsages::STORAGE | copy_in);
        let weights = buffer("hopfield weights", plan.weight_bytes, storage_out);
        let states = buffer("hopfield states", plan.state_bytes, storage_out);
        let staging = buffer(
            "hopfield readback",
            plan.state_bytes + 2 * plan.weight_bytes,
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        );
        let mut header = [0u8; PARAMS_BYTES as usize];
        for (slot, word) in header.chunks_exact_mut(4).zip([self.n as u32, self.d as u32, q as u32, beta.to_bits()]) {
            slot.copy_from_slice(&word.to_le_bytes());
        }
        gpu.queue.write_buffer(&params, 0, &header);
        gpu.queue.write_buffer(&query_buffer, 0, bytemuck::cast_slice(queries));
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("hopfield update"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry { binding: 0, resource: params.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 1, resource: self.patterns.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 2, resource: query_buffer.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 3, resource: weights.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 4, resource: states.as_entire_binding() },
            ],
        });
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("hopfield") });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("hopfield scores"),
                timestamp_writes: None,
            });
            pass.set_bind_group(0, &bind_group, &[]);
            pass.set_pipeline(&self.scores);
            pass.dispatch_workgroups(plan.pattern_tiles, plan.query_tiles, 1);
        }
        // The raw dot products, before `softmax` turns them into weights in place.
        encoder.copy_buffer_to_buffer(&weights, 0, &staging, plan.state_bytes + plan.weight_bytes, plan.weight_bytes);
        {
            // Dispatches in one pass run in order, each seeing the previous one's writes.
            let mut pass = encoder
                .begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("hopfield"), timestamp_writes: None });
            pass.set_bind_group(0, &bind_group, &[]);
            pass.set_pipeline(&self.softmax);
            pass.dispatch_workgroups(q as u32, 1, 1);
            pass.set_pipeline(&self.combine);
            pass.dispatch_workgroups(plan.dim_tiles, plan.query_tiles, 1);
        }
        encoder.copy_buffer_to_buffer(&states, 0, &staging, 0, plan.state_bytes);
        encoder.copy_buffer_to_buffer(&weights, 0, &staging, plan.state_bytes, plan.weight_bytes);
        gpu.queue.submit([encoder.finish()]);
        let mapped = staging.clone();
        let (state_len, weight_len) = (q * self.d, q * self.n);
        staging.map_async(wgpu::MapMode::Read, .., move |result| {
            let out = match result {
                Ok(()) => match mapped.slice(..).get_mapped_range() {
                    Ok(data) => {
                        let values: &[f32] = bytemuck::cast_slice(&data);
                        let (state, rest) = values.split_at(state_len.min(values.len()));
                        let (p, dots) = rest.split_at(weight_len.min(rest.len()));
                        let out = ModernOutput { state: state.to_vec(), p: p.to_vec(), dots: dots.to_vec() };
                        drop(data);
                        mapped.unmap();
                        Ok(out)
                    }
                    Err(e) => Err(compute_error(format!("could not read the results back ({e})"))),
                },
                Err(e) => Err(compute_error(format!("could not read the results back ({e})"))),
            };
            // The inputs live until the GPU is done with them.
            drop((bind_group, params, query_buffer, weights, states));
            done(out);
        });
    }

    /// Checks one call's inputs and sizes against the device; returns the sizes to use.
    fn plan(&self, gpu: &Gpu, queries: &[f32], q: usize, beta: f32) -> Result<Plan, RenderError> {
        if gpu.is_lost() {
            return Err(RenderError::DeviceLost);
        }
        if q == 0 {
            return Err(compute_error("at least one query is needed"));
        }
        if q.checked_mul(self.d) != Some(queries.len()) {
            return Err(compute_error(format!(
                "{} query values were given for {q} queries of dimension {}",
                queries.len(),
                self.d
            )));
        }
        if !beta.is_finite() {
            return Err(compute_error(format!("β = {beta}; it must be a finite number")));
        }
        let query_max_abs = max_abs_finite(queries, "query")?;
        // |β ξ·x| ≤ |β| d max|ξ| max|x|: keep the scores finite in f32, or the max shift gives NaN.
        let score_bound =
            f64::from(beta.abs()) * self.d as f64 * f64::from(query_max_abs) * f64::from(self.pattern_max_abs);
        if score_bound >= f64::from(f32::MAX) {
            return Err(compute_error(format!(
                "β = {beta} with these patterns and queries could overflow the f32 scores; use a smaller β"
            )));
        }
        let limits = gpu.device.limits();
        let query_bytes = f32_bytes(queries.len(), "queries")?;
        let weight_bytes = f32_bytes(q.saturating_mul(self.n), "association weights")?;
        let state_bytes = query_bytes;
        check_storage_size(&limits, query_bytes, &format!("{q} queries"))?;
        check_storage_size(&limits, weight_bytes, &format!("the {q} × {} association weights", self.n))?;
        if state_bytes + 2 * weight_bytes > limits.max_buffer_size {
            return Err(compute_error(format!(
                "{q} queries against {} patterns need a read-back buffer larger than this device allows; send fewer queries at once",
                self.n
            )));
        }
        let per_dimension = limits.max_compute_workgroups_per_dimension;
        let query_tiles = (q as u64).div_ceil(u64::from(QUERY_TILE));
        if q as u64 > u64::from(per_dimension) || query_tiles > u64::from(per_dimension) {
            return Err(compute_error(format!(
                "{q} queries at once are more than this device can dispatch ({per_dimension}); send fewer"
            )));
        }
        Ok(Plan {
            query_bytes,
            weight_bytes,
            state_bytes,
            query_tiles: query_tiles as u32,
            pattern_tiles: (self.n as u32).div_ceil(COLUMN_TILE),
            dim_tiles: (self.d as u32).div_ceil(COLUMN_TILE),
        })
    }
}

/// Sizes of one update.
struct Plan {
    query_bytes: u64,
    weight_bytes: u64,
    state_bytes: u64,
    query_tiles: u32,
    pattern_tiles: u32,
    dim_tiles: u32,
}

fn check_compute_limits(limits: &wgpu::Limits) -> Result<(), RenderError> {
    let short = [
        ("threads per workgroup", limits.max_compute_invocations_per_workgroup, WORKGROUP_INVOCATIONS),
        ("workgroup width", limits.max_compute_workgroup_size_x, WORKGROUP_INVOCATIONS),
        ("workgroup height", limits.max_compute_workgroup_size_y, WORKGROUP_SIDE),
        ("bytes of workgroup memory", limits.max_compute_workgroup_storage_size, WORKGROUP_BYTES),
        ("storage buffers per stage", limits.max_storage_buffers_per_shader_stage, STORAGE_BUFFERS),
    ]
    .into_iter()
    .find(|&(_, have, need)| have < need);
    match short {
        Some((what, have, need)) => Err(compute_error(format!(
            "this GPU device allows {have} {what} and the update needs {need}; the CPU computes the update"
        ))),
        None => Ok(()),
    }
}

fn check_storage_size(limits: &wgpu::Limits, bytes: u64, what: &str) -> Result<(), RenderError> {
    let max = limits.max_storage_buffer_binding_size.min(limits.max_buffer_size);
    if bytes > max {
        return Err(compute_error(format!(
            "{what} take {bytes} bytes, more than the {max} bytes this GPU device binds at once"
        )));
    }
    Ok(())
}
