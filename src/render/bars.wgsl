// Bars: one instanced quad per bar. Instance attributes carry the bar's bottom and top (0..1 of
// the height), colour and slot (bars drawn later cover earlier ones in the same slot). Positions are computed in whole device pixels
// so that every bar is at least one pixel wide and the picture is the same on every backend.

struct Uniforms {
    // x: number of slots, y: target width in px, z: target height in px, w: unused
    size: vec4<f32>,
};

@group(0) @binding(0) var<uniform> u: Uniforms;

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
};

@vertex
fn vs_main(
    @builtin(vertex_index) vertex: u32,
    @location(0) bottom: f32,
    @location(1) top: f32,
    @location(2) color: vec4<f32>,
    @location(3) slot_index: f32,
) -> VsOut {
    let count = u.size.x;
    let width = u.size.y;
    let full_height = u.size.z;
    // Two triangles: corners (0,0) (1,0) (0,1) / (0,1) (1,0) (1,1).
    let cx = select(0.0, 1.0, vertex == 1u || vertex == 4u || vertex == 5u);
    let cy = select(0.0, 1.0, vertex == 2u || vertex == 3u || vertex == 5u);
    let slot = width / count;
    let x0 = floor(slot_index * slot);
    // Leave a one-pixel gap between bars once they are wide enough to afford it.
    let gap = select(0.0, 1.0, slot >= 4.0);
    let x1 = max(floor((slot_index + 1.0) * slot) - gap, x0 + 1.0);
    let y0 = floor(clamp(bottom, 0.0, 1.0) * full_height);
    let y1 = max(floor(clamp(top, 0.0, 1.0) * full_height), y0 + 1.0);
    let x = mix(x0, x1, cx);
    let y = mix(y0, y1, cy);
    var out: VsOut;
    out.position = vec4<f32>(x / width * 2.0 - 1.0, y / full_height * 2.0 - 1.0, 0.0, 1.0);
    out.color = color;
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    return in.color;
}
