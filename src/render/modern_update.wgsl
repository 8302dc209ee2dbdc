// The modern Hopfield update (Ramsauer et al., "Hopfield Networks is All You Need", ICLR 2021,
// eq. 3; docs/hopfield.md, "Models and sources"), batched over Q queries (eq. 23 with the queries as
// rows): S = β Ξ Xᵀ (Q × N), P = softmax of each row of S (max-shifted), Ξ' = P X (Q × d).
// Stored patterns X are N × d and queries Ξ are Q × d, both row-major f32.
//
// Three entry points, run in this order (`scores` in one compute pass; the host then copies the
// raw dot products out, which the energy of the queries needs; the other two in a second pass):
//   `scores`  – 16 × 64 tiles of the dot products Ξ Xᵀ (β is applied by `softmax`); the d-sum
//               runs through workgroup memory 32 terms at a time.
//   `softmax` – one workgroup of 256 per query row: the scores β·dot, their max, then the exponentials (stored in
//               place) and their sum, both as tree reductions; then each stored exponential is
//               divided by that same sum, so a row of P sums to 1 up to the rounding of the sum.
//   `combine` – 16 × 64 tiles of Ξ' = P X; the N-sum runs through workgroup memory 32 at a time.
// Few, large steps matter on software adapters (SwiftShader), where each barrier is costly.
// Limits used: workgroup size 256, at most 10.3 KiB of workgroup memory per entry point
// (`tile_q` and `tile_x`; `softmax` uses 1 KiB), 4 storage buffers per stage
// (wgpu's downlevel defaults allow 256, 16352 bytes and 4).

struct Params {
    n: u32,
    d: u32,
    q: u32,
    beta: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
// X, N × d.
@group(0) @binding(1) var<storage, read> patterns: array<f32>;
// Ξ, Q × d.
@group(0) @binding(2) var<storage, read> queries: array<f32>;
// Q × N: the dot products, then the exponentials of the scores, then the association weights P.
@group(0) @binding(3) var<storage, read_write> weights: array<f32>;
// Ξ', Q × d.
@group(0) @binding(4) var<storage, read_write> states: array<f32>;

// A tile is TQ queries × TN patterns (scores) or TN components (combine); the sum runs TK terms
// per step through workgroup memory. Thread (lx, ly) of the 16 × 16 workgroup owns query ly and
// columns lx, lx + 16, lx + 32, lx + 48 of the tile: four accumulators, each summing in order.
const TQ: u32 = 16u;
const TN: u32 = 64u;
const TK: u32 = 32u;
// Row stride of `tile_x` in `scores` (TK + 1: threads lx read rows lx, so the padding spreads
// them over the memory banks).
const XS: u32 = 33u;
const ROW_GROUP: u32 = 256u;

// TQ × TK: queries (scores) or association weights (combine).
var<workgroup> tile_q: array<f32, 512>;
// TN × XS (scores: patterns × k) or TK × TN (combine: patterns × components).
var<workgroup> tile_x: array<f32, 2112>;
var<workgroup> row_partials: array<f32, 256>;

// Σ_k Ξ[q, k] X[i, k] for queries 16y… and patterns 64x… (workgroup (x, y)). Loads run along
// k, so neighbouring threads read neighbouring words.
@compute @workgroup_size(16, 16)
fn scores(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let n0 = wid.x * TN;
    let q0 = wid.y * TQ;
    let n = params.n;
    let d = params.d;
    let flat = lid.y * 16u + lid.x;
    var acc = vec4<f32>(0.0);
    for (var k0 = 0u; k0 < d; k0 += TK) {
        for (var e = flat; e < TQ * TK; e += 256u) {
            let row = q0 + e / TK;
            let k = k0 + e % TK;
            var v = 0.0;
            if (row < params.q && k < d) {
                v = queries[row * d + k];
            }
            tile_q[e] = v;
        }
        for (var e = flat; e < TN * TK; e += 256u) {
            let row = e / TK;
            let k = k0 + e % TK;
            var v = 0.0;
            if (n0 + row < n && k < d) {
                v = patterns[(n0 + row) * d + k];
            }
            tile_x[row * XS + e % TK] = v;
        }
        workgroupBarrier();
        for (var c = 0u; c < TK; c++) {
            let a = tile_q[lid.y * TK + c];
            acc += a * vec4<f32>(
                tile_x[lid.x * XS + c],
                tile_x[(lid.x + 16u) * XS + c],
                tile_x[(lid.x + 32u) * XS + c],
                tile_x[(lid.x + 48u) * XS + c],
            );
        }
        workgroupBarrier();
    }
    let qi = q0 + lid.y;
    if (qi < params.q) {
        for (var j = 0u; j < 4u; j++) {
            let i = n0 + lid.x + 16u * j;
            if (i < n) {
                weights[qi * n + i] = acc[j];
            }
        }
    }
}

// Row `wid.x` of the weights: dot products in, P out (scores S = β·dot). Every exponent is ≤ 0
// after the max shift, so nothing overflows and the sum lies in [1, N].
@compute @workgroup_size(256)
fn softmax(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let n = params.n;
    let base = wid.x * n;
    // The lowest finite f32 (−3.4028235e38), as bits: its decimal literal is rejected as out of range.
    var m = bitcast<f32>(0xff7fffffu);
    for (var i = lid.x; i < n; i += ROW_GROUP) {
        m = max(m, params.beta * weights[base + i]);
    }
    row_partials[lid.x] = m;
    workgroupBarrier();
    for (var s = ROW_GROUP / 2u; s > 0u; s >>= 1u) {
        if (lid.x < s) {
            row_partials[lid.x] = max(row_partials[lid.x], row_partials[lid.x + s]);
        }
        workgroupBarrier();
    }
    let row_max = row_partials[0];
    workgroupBarrier();
    var sum = 0.0;
    for (var i = lid.x; i < n; i += ROW_GROUP) {
        let e = exp(params.beta * weights[base + i] - row_max);
        weights[base + i] = e;
        sum += e;
    }
    row_partials[lid.x] = sum;
    workgroupBarrier();
    for (var s = ROW_GROUP / 2u; s > 0u; s >>= 1u) {
        if (lid.x < s) {
            row_partials[lid.x] = row_partials[lid.x] + row_partials[lid.x + s];
        }
        workgroupBarrier();
    }
    let total = row_partials[0];
    // Each thread divides the exponentials it wrote itself: no barrier needed.
    for (var i = lid.x; i < n; i += ROW_GROUP) {
        weights[base + i] = weights[base + i] / total;
    }
}

// Ξ'[q, k] = Σ_i P[q, i] X[i, k] for queries 16y… and components 64x… (workgroup (x, y)).
@compute @workgroup_size(16, 16)
fn combine(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let k0 = wid.x * TN;
    let q0 = wid.y * TQ;
    let n = params.n;
    let d = params.d;
    let flat = lid.y * 16u + lid.x;
    var acc = vec4<f32>(0.0);
    for (var i0 = 0u; i0 < n; i0 += TK) {
        for (var e = flat; e < TQ * TK; e += 256u) {
            let row = q0 + e / TK;
            let i = i0 + e % TK;
            var v = 0.0;
            if (row < params.q && i < n) {
                v = weights[row * n + i];
            }
            tile_q[e] = v;
        }
        for (var e = flat; e < TK * TN; e += 256u) {
            let i = i0 + e / TN;
            let k = k0 + e % TN;
            var v = 0.0;
            if (i < n && k < d) {
                v = patterns[i * d + k];
            }
            tile_x[e] = v;
        }
        workgroupBarrier();
        for (var c = 0u; c < TK; c++) {
            let a = tile_q[lid.y * TK + c];
            acc += a * vec4<f32>(
                tile_x[c * TN + lid.x],
                tile_x[c * TN + lid.x + 16u],
                tile_x[c * TN + lid.x + 32u],
                tile_x[c * TN + lid.x + 48u],
            );
        }
        workgroupBarrier();
    }
    let qi = q0 + lid.y;
    if (qi < params.q) {
        for (var j = 0u; j < 4u; j++) {
            let k = k0 + lid.x + 16u * j;
            if (k < d) {
                states[qi * d + k] = acc[j];
            }
        }
    }
}
