// Grid of cells: one texel per cell in a texture, drawn by a full-screen triangle. The fragment
// shader maps its pixel to a cell (whole-pixel cells when they fit, so every backend draws the
// same picture) and, optionally, draws a vertical meter at the right (value and threshold).

struct Uniforms {
    // x, y: top-left of the grid in px; z, w: cell width and height in px
    place: vec4<f32>,
    // x: columns, y: rows, z: number of cells, w: 1 when a one-pixel gap separates cells
    dims: vec4<f32>,
    // meter rectangle in px: x0, y0, x1, y1 (x1 <= x0: no meter)
    meter: vec4<f32>,
    // x: fill 0..1, y: threshold 0..1, z: 1 when the value reaches the threshold
    meter_values: vec4<f32>,
    background: vec4<f32>,
};

@group(0) @binding(0) var<uniform> u: Uniforms;
@group(0) @binding(1) var cells: texture_2d<f32>;

@vertex
fn vs_main(@builtin(vertex_index) vertex: u32) -> @builtin(position) vec4<f32> {
    // One triangle that covers the whole target.
    let x = select(-1.0, 3.0, vertex == 1u);
    let y = select(-1.0, 3.0, vertex == 2u);
    return vec4<f32>(x, y, 0.0, 1.0);
}

@fragment
fn fs_main(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let p = floor(position.xy);
    // The meter.
    let m = u.meter;
    if (m.z > m.x && p.x >= m.x && p.x < m.z && p.y >= m.y && p.y < m.w) {
        let h = m.w - m.y;
        let from_bottom = (m.w - 1.0 - p.y) / max(h - 1.0, 1.0);
        let threshold_row = floor(m.w - 1.0 - u.meter_values.y * (h - 1.0));
        if (abs(p.y - threshold_row) < 1.5) {
            return vec4<f32>(1.0, 1.0, 1.0, 1.0);
        }
        if (p.x == m.x || p.x == m.z - 1.0 || p.y == m.y || p.y == m.w - 1.0) {
            return vec4<f32>(0.55, 0.58, 0.62, 1.0);
        }
        if (from_bottom <= u.meter_values.x && u.meter_values.x > 0.0) {
            return select(vec4<f32>(0.35, 0.47, 0.62, 1.0), vec4<f32>(0.95, 0.55, 0.17, 1.0), u.meter_values.z > 0.5);
        }
        return u.background;
    }
    // The grid.
    let local = p - u.place.xy;
    if (local.x < 0.0 || local.y < 0.0) {
        return u.background;
    }
    let col = floor(local.x / u.place.z);
    let row = floor(local.y / u.place.w);
    if (col >= u.dims.x || row >= u.dims.y) {
        return u.background;
    }
    let index = row * u.dims.x + col;
    if (index >= u.dims.z) {
        return u.background;
    }
    if (u.dims.w > 0.5) {
        let right = floor((col + 1.0) * u.place.z) - 1.0;
        let bottom = floor((row + 1.0) * u.place.w) - 1.0;
        if (local.x >= right || local.y >= bottom) {
            return u.background * 0.6;
        }
    }
    return textureLoad(cells, vec2<i32>(i32(col), i32(row)), 0);
}
