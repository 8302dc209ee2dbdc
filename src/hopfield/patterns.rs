//! Stored patterns: random ±1, sparse/diluted, correlated, on the sphere, a built-in set of
//! pictures made for the lab, image import and bit packing for URLs.
//!
//! Sign convention: **+1 is ink (black), −1 is background (white)**, as the blog's binarisation
//! (mean of RGB > 128 → −1; docs/hopfield.md, "The blog post and its code"). The blog maps
//! greyscale with L/255·2 − 1, which makes white +1; we use 1 − 2L/255 instead so that a picture
//! and its binarisation agree in sign. No model depends on the global sign (the classical energy is
//! even in σ; the other models are equivariant under x → −x of patterns and state together).

use crate::core::rng::{portable_ln, Rng};
use ndarray::{ArcArray2, Array2};

/// The licence of the built-in pictures.
pub const BUILTIN_LICENCE: &str = "made for Emergence Lab, same licence as the code (MIT OR Apache-2.0)";

/// Names of the built-in pictures, in order ([`PatternSet::builtin`]).
pub const BUILTIN_NAMES: &[&str] =
    &["smile", "frown", "surprised", "wink", "glasses", "bangs", "spiky", "sleepy", "bald grin", "curly"];

/// Smallest and largest grid side the built-in set is drawn at.
pub const BUILTIN_SIDE: (usize, usize) = (16, 64);

/// A set of P patterns of dimension d = width·height, one row per pattern (P × d), with names.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternSet {
    pub width: usize,
    pub height: usize,
    /// Shared (copy on write): the modern model keeps the same values without a copy.
    pub data: ArcArray2<f32>,
    pub names: Vec<String>,
}

impl PatternSet {
    /// A set from rows (each of length width·height). Errors are sentences for the user.
    pub fn from_rows(width: usize, height: usize, rows: Vec<Vec<f32>>, names: Vec<String>) -> Result<Self, String> {
        let d = width * height;
        if d == 0 {
            return Err("patterns need a grid of at least 1×1.".into());
        }
        if rows.is_empty() {
            return Err("there are no patterns to store.".into());
        }
        if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != d) {
            return Err(format!("pattern {i} has {} values, not {width}×{height} = {d}.", r.len()));
        }
        if rows.iter().flatten().any(|v| !v.is_finite()) {
            return Err("a pattern holds a value that is not a finite number.".into());
        }
        let p = rows.len();
        let names = if names.len() == p { names } else { (0..p).map(|i| format!("pattern {}", i + 1)).collect() };
        let data = ArcArray2::from_shape_vec((p, d), rows.into_iter().flatten().collect())
            .map_err(|e| format!("patterns: {e}"))?;
        Ok(Self { width, height, data, names })
    }

    /// d = width·height.
    pub fn dim(&self) -> usize {
        self.width * self.height
    }

    /// P, the number of stored patterns.
    pub fn count(&self) -> usize {
        self.data.nrows()
    }

    /// Pattern `i` as a slice (rows are contiguous: the array is in standard layout).
    pub fn row(&self, i: usize) -> &[f32] {
        let d = self.dim();
        &self.flat()[i * d..(i + 1) * d]
    }

    /// All patterns, row-major (P × d).
    pub fn flat(&self) -> &[f32] {
        // Every constructor builds a standard-layout array; the fallback is never taken.
        self.data.as_slice().unwrap_or(&[])
    }

    /// Whether every entry is −1 or +1.
    pub fn is_pm1(&self) -> bool {
        self.flat().iter().all(|&v| v == 1.0 || v == -1.0)
    }

    /// M = max_i ‖x_i‖ (Ramsauer et al.), in f64.
    pub fn max_norm(&self) -> f64 {
        (0..self.count()).map(|i| norm(self.row(i))).fold(0.0, f64::max)
    }

    fn generated(width: usize, height: usize, count: usize, prefix: &str, mut f: impl FnMut() -> f32) -> Self {
        let d = width * height;
        let p = count.max(1);
        let data = Array2::from_shape_simple_fn((p, d), &mut f).into_shared();
        Self { width, height, data, names: (0..p).map(|i| format!("{prefix} {}", i + 1)).collect() }
    }

    /// P patterns with independent fair ±1 entries (the classical capacity results' setting).
    pub fn random_pm1(width: usize, height: usize, count: usize, rng: &mut Rng) -> Self {
        Self::generated(width, height, count, "random", || if rng.coin() { 1.0 } else { -1.0 })
    }

    /// Diluted patterns (the multitasking network's; docs/hopfield.md): each entry is 0 with
    /// probability `dilution`, else ±1 with equal probability. The draw per entry: one uniform for
    /// the blank, one coin for the sign.
    pub fn sparse(width: usize, height: usize, count: usize, dilution: f64, rng: &mut Rng) -> Self {
        let d = dilution.clamp(0.0, 1.0);
        Self::generated(width, height, count, "sparse", || {
            if rng.next_f64() < d {
                0.0
            } else if rng.coin() {
                1.0
            } else {
                -1.0
            }
        })
    }

    /// Correlated patterns: a random ±1 base, and each pattern is the base with each
    /// entry flipped independently with probability `flip` (so two patterns agree in a fraction
    /// 1 − 2q(1 − q) of their entries).
    pub fn correlated(width: usize, height: usize, count: usize, flip: f64, rng: &mut Rng) -> Self {
        let d = width * height;
        let base: Vec<f32> = (0..d).map(|_| if rng.coin() { 1.0 } else { -1.0 }).collect();
        let q = flip.clamp(0.0, 1.0);
        let mut i = 0usize;
        Self::generated(width, height, count, "correlated", || {
            let v = base[i % d];
            i += 1;
            if rng.next_f64() < q {
                -v
            } else {
                v
            }
        })
    }

    /// Patterns uniform on the sphere of radius `radius` (Theorem 3's setting, Ramsauer et al.):
    /// independent standard Gaussian entries, normalised.
    pub fn sphere(width: usize, height: usize, count: usize, radius: f64, rng: &mut Rng) -> Self {
        let d = width * height;
        let p = count.max(1);
        let mut rows = Vec::with_capacity(p);
        for _ in 0..p {
            let g: Vec<f64> = (0..d).map(|_| gaussian(rng)).collect();
            let n = g.iter().map(|v| v * v).sum::<f64>().sqrt();
            let scale = if n > 0.0 { radius / n } else { 0.0 };
            rows.push(g.into_iter().map(|v| (v * scale) as f32).collect::<Vec<f32>>());
        }
        let data = ArcArray2::from_shape_vec((p, d), rows.into_iter().flatten().collect()).unwrap_or_default();
        Self { width, height, data, names: (0..p).map(|i| format!("sphere {}", i + 1)).collect() }
    }

    /// The built-in pictures (at least 8, [`BUILTIN_NAMES`]), drawn procedurally at `side`×`side`
    /// (clamped to 16..=64: below 16 cells some faces would coincide): faces that share a head outline and differ in eyes, mouth and hair,
    /// so they are strongly correlated, as the blog's Simpsons faces are (docs/hopfield.md). Licence:
    /// [`BUILTIN_LICENCE`]. `count` takes the first pictures (at most all of them).
    pub fn builtin(side: usize, count: usize) -> Self {
        let side = side.clamp(BUILTIN_SIDE.0, BUILTIN_SIDE.1);
        let k = count.clamp(1, BUILTIN_NAMES.len());
        let rows: Vec<Vec<f32>> = (0..k).map(|i| draw_face(i, side)).collect();
        let names = BUILTIN_NAMES[..k].iter().map(|s| (*s).to_string()).collect();
        let d = side * side;
        let data = ArcArray2::from_shape_vec((k, d), rows.into_iter().flatten().collect()).unwrap_or_default();
        Self { width: side, height: side, data, names }
    }
}

/// ‖v‖₂ in f64.
pub fn norm(v: &[f32]) -> f64 {
    dot_f64(v, v).sqrt()
}

/// ‖a − b‖₂ in f64, the squares summed in order (a retrieval's error, the weights' change).
pub fn distance(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum::<f64>().sqrt()
}

/// Σ a_k b_k in f64 (every product exact: f32 × f32 fits in f64), in one fixed order on every
/// platform: four running sums over k ≡ 0, 1, 2, 3 (mod 4), combined as (s0 + s1) + (s2 + s3),
/// then the last len mod 4 terms. Four independent sums instead of one chain: the overlaps and
/// energies of a large store (N·d = 4·10⁷) cost a quarter of the add latency. Extra components
/// of the longer slice are ignored.
pub fn dot_f64(a: &[f32], b: &[f32]) -> f64 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    let [s0, s1, s2, s3] = f64_lanes::sums(ca, cb);
    let mut total = (s0 + s1) + (s2 + s3);
    for (&x, &y) in ta.iter().zip(tb) {
        total += f64::from(x) * f64::from(y);
    }
    total
}

/// The four running sums of [`dot_f64`]: s_l = Σ_k x[4k+l]·y[4k+l] in increasing k. With SIMD as
/// two 2-lane f64 vectors (lanes 0–1 and 2–3; f32 → f64 widening is exact, and lane-wise IEEE
/// × and + round as the scalar code does), so every version gives the same bits.
mod f64_lanes {
    use core::slice::ChunksExact;

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub(super) fn sums(ca: ChunksExact<'_, f32>, cb: ChunksExact<'_, f32>) -> [f64; 4] {
        use core::arch::wasm32::{
            f64x2_add, f64x2_extract_lane, f64x2_mul, f64x2_promote_low_f32x4, f64x2_splat, i32x4_shuffle, v128,
        };
        let (mut lo, mut hi) = (f64x2_splat(0.0), f64x2_splat(0.0));
        for (x, y) in ca.zip(cb) {
            // SAFETY: chunks_exact(4) gives exactly 4 f32s (16 bytes); wasm loads need no alignment.
            let (xv, yv) =
                unsafe { ((x.as_ptr() as *const v128).read_unaligned(), (y.as_ptr() as *const v128).read_unaligned()) };
            let (xh, yh) = (i32x4_shuffle::<2, 3, 2, 3>(xv, xv), i32x4_shuffle::<2, 3, 2, 3>(yv, yv));
            lo = f64x2_add(lo, f64x2_mul(f64x2_promote_low_f32x4(xv), f64x2_promote_low_f32x4(yv)));
            hi = f64x2_add(hi, f64x2_mul(f64x2_promote_low_f32x4(xh), f64x2_promote_low_f32x4(yh)));
        }
        [
            f64x2_extract_lane::<0>(lo),
            f64x2_extract_lane::<1>(lo),
            f64x2_extract_lane::<0>(hi),
            f64x2_extract_lane::<1>(hi),
        ]
    }

    #[cfg(target_arch = "x86_64")]
    pub(super) fn sums(ca: ChunksExact<'_, f32>, cb: ChunksExact<'_, f32>) -> [f64; 4] {
        use core::arch::x86_64::{
            _mm_add_pd, _mm_cvtps_pd, _mm_loadu_ps, _mm_movehl_ps, _mm_mul_pd, _mm_setzero_pd, _mm_storeu_pd,
        };
        // SAFETY: SSE2 is part of the x86-64 baseline; chunks_exact(4) gives exactly 4 f32s and
        // `loadu` needs no alignment.
        unsafe {
            let (mut lo, mut hi) = (_mm_setzero_pd(), _mm_setzero_pd());
            for (x, y) in ca.zip(cb) {
                let (xv, yv) = (_mm_loadu_ps(x.as_ptr()), _mm_loadu_ps(y.as_ptr()));
                lo = _mm_add_pd(lo, _mm_mul_pd(_mm_cvtps_pd(xv), _mm_cvtps_pd(yv)));
                hi = _mm_add_pd(
                    hi,
                    _mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(xv, xv)), _mm_cvtps_pd(_mm_movehl_ps(yv, yv))),
                );
            }
            let mut out = [0.0f64; 4];
            _mm_storeu_pd(out.as_mut_ptr(), lo);
            _mm_storeu_pd(out.as_mut_ptr().add(2), hi);
            out
        }
    }

    #[cfg(not(any(all(target_arch = "wasm32", target_feature = "simd128"), target_arch = "x86_64")))]
    pub(super) fn sums(ca: ChunksExact<'_, f32>, cb: ChunksExact<'_, f32>) -> [f64; 4] {
        // Four named sums, not an array: a size-optimised build would keep an array in memory.
        let (mut s0, mut s1, mut s2, mut s3) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for (x, y) in ca.zip(cb) {
            s0 += f64::from(x[0]) * f64::from(y[0]);
            s1 += f64::from(x[1]) * f64::from(y[1]);
            s2 += f64::from(x[2]) * f64::from(y[2]);
            s3 += f64::from(x[3]) * f64::from(y[3]);
        }
        [s0, s1, s2, s3]
    }
}

/// A standard Gaussian by Marsaglia's polar method (Marsaglia & Bray 1964): needs only ln and
/// sqrt, so with [`portable_ln`] the value is the same on every platform (`sqrt` is IEEE exact).
/// One of the pair is used; the other is dropped so that each call consumes whole draws.
pub fn gaussian(rng: &mut Rng) -> f64 {
    loop {
        let u = 2.0 * rng.next_f64() - 1.0;
        let v = 2.0 * rng.next_f64() - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * portable_ln(s) / s).sqrt();
        }
    }
}

/// One built-in face in normalised coordinates (u right, v down, both in 0..1).
fn draw_face(index: usize, side: usize) -> Vec<f32> {
    // Half the stroke width: at least about 0.7 pixel so lines never vanish at side 8..16.
    let h = 0.7 / side as f64 + 0.012;
    let mut out = Vec::with_capacity(side * side);
    for y in 0..side {
        for x in 0..side {
            let u = (x as f64 + 0.5) / side as f64;
            let v = (y as f64 + 0.5) / side as f64;
            out.push(if face_ink(index, u, v, h) { 1.0 } else { -1.0 });
        }
    }
    out
}

fn sq(x: f64) -> f64 {
    x * x
}

#[allow(clippy::too_many_arguments)]
fn ring(u: f64, v: f64, cx: f64, cy: f64, rx: f64, ry: f64, h: f64) -> bool {
    let r = (sq((u - cx) / rx) + sq((v - cy) / ry)).sqrt();
    ((r - 1.0) * rx.min(ry)).abs() < h
}

fn disc(u: f64, v: f64, cx: f64, cy: f64, r: f64) -> bool {
    sq(u - cx) + sq(v - cy) < r * r
}

fn segment(u: f64, v: f64, a: (f64, f64), b: (f64, f64), h: f64) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((u - a.0) * dx + (v - a.1) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (px, py) = (a.0 + t * dx, a.1 + t * dy);
    sq(u - px) + sq(v - py) < h * h
}

/// The shapes of face `index`. All faces share the head outline (and the nose).
fn face_ink(index: usize, u: f64, v: f64, h: f64) -> bool {
    let (cx, cy, rx, ry) = (0.5, 0.56, 0.36, 0.40);
    if ring(u, v, cx, cy, rx, ry, h) || segment(u, v, (0.5, 0.55), (0.5, 0.63), h) {
        return true;
    }
    let (ly, lx, rx_) = (0.47, 0.37, 0.63);
    // Eyes.
    let eyes = match index {
        2 => ring(u, v, lx, ly, 0.06, 0.06, h) || ring(u, v, rx_, ly, 0.06, 0.06, h),
        3 => disc(u, v, lx, ly, 0.045) || segment(u, v, (rx_ - 0.06, ly), (rx_ + 0.06, ly), h),
        4 => {
            ring(u, v, lx, ly, 0.08, 0.07, h)
                || ring(u, v, rx_, ly, 0.08, 0.07, h)
                || segment(u, v, (lx + 0.08, ly), (rx_ - 0.08, ly), h)
                || disc(u, v, lx, ly, 0.03)
                || disc(u, v, rx_, ly, 0.03)
        }
        7 => segment(u, v, (lx - 0.06, ly), (lx + 0.06, ly), h) || segment(u, v, (rx_ - 0.06, ly), (rx_ + 0.06, ly), h),
        _ => disc(u, v, lx, ly, 0.045) || disc(u, v, rx_, ly, 0.045),
    };
    // Mouths: lower or upper halves of ellipses, a line, or an open ring.
    let (my, mrx, mry) = (0.72, 0.14, 0.07);
    let mouth = match index {
        1 => ring(u, v, 0.5, my + 0.06, mrx, mry, h) && v < my + 0.06,
        2 => ring(u, v, 0.5, my + 0.02, 0.05, 0.06, h),
        7 => segment(u, v, (0.42, my + 0.02), (0.58, my + 0.02), h),
        8 => {
            (ring(u, v, 0.5, my - 0.02, 0.17, 0.1, h) || segment(u, v, (0.33, my - 0.02), (0.67, my - 0.02), h))
                && v >= my - 0.03
        }
        _ => ring(u, v, 0.5, my - 0.03, mrx, mry, h) && v > my - 0.03,
    };
    // Hair.
    let hair = match index {
        5 => v < 0.32 && sq((u - cx) / rx) + sq((v - cy) / ry) < 1.0,
        6 => (0..5).any(|k| {
            let x0 = 0.3 + 0.1 * k as f64;
            segment(u, v, (x0, 0.2), (x0 + 0.04, 0.06), h)
        }),
        9 => (0..6).any(|k| {
            disc(u, v, 0.26 + 0.096 * k as f64, 0.18, 0.055) && !disc(u, v, 0.26 + 0.096 * k as f64, 0.18, 0.02)
        }),
        4 | 1 => segment(u, v, (0.3, 0.36), (0.43, 0.34), h) || segment(u, v, (0.57, 0.34), (0.7, 0.36), h),
        _ => false,
    };
    eyes || mouth || hair
}

/// How an image becomes a pattern.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ImportMode {
    /// The blog's rule (docs/hopfield.md, "The blog post and its code"): mean of RGB > threshold
    /// (0..255, the blog uses 128) → −1 (white), else +1.
    Binarise { threshold: f32 },
    /// 1 − 2L/255 ∈ [−1, 1] with L the mean of RGB rounded to an integer 0..=255 (the blog's
    /// L/255·2 − 1 with the sign flipped so ink is +1, see the module docs; the blog's L is an
    /// integer too, a PIL "L" image). One of the 256 [`grey_value`]s, so a URL holds it exactly.
    Greyscale,
}

/// The value of grey level `level` (0 = black = ink = +1, 255 = white = paper = −1):
/// 1 − 2L/255, computed in f64 and rounded once to f32.
pub fn grey_value(level: u8) -> f32 {
    (1.0 - 2.0 * f64::from(level) / 255.0) as f32
}

/// The grey level nearest to `v` (values outside [−1, 1] are clamped); `None` for NaN.
fn nearest_grey_level(v: f32) -> Option<u8> {
    (!v.is_nan()).then(|| ((1.0 - f64::from(v.clamp(-1.0, 1.0))) * 127.5).round() as u8)
}

/// The grey level whose [`grey_value`] is exactly `v`, if there is one (±1 are levels 0 and 255).
pub fn grey_level(v: f32) -> Option<u8> {
    nearest_grey_level(v).filter(|&level| grey_value(level).to_bits() == v.to_bits())
}

/// The nearest of the 256 grey values (values outside [−1, 1] are clamped); `None` for NaN.
pub fn quantise_grey(v: f32) -> Option<f32> {
    nearest_grey_level(v).map(grey_value)
}

/// Box-filter weights for resizing `from` samples to `to`: each target sample averages the
/// source interval it covers, weighted by the overlap length.
fn box_weights(from: usize, to: usize) -> Vec<Vec<(usize, f64)>> {
    let scale = from as f64 / to as f64;
    (0..to)
        .map(|t| {
            let (a, b) = (t as f64 * scale, (t + 1) as f64 * scale);
            let first = a.floor() as usize;
            let last = (b.ceil() as usize).min(from);
            (first..last)
                .filter_map(|s| {
                    let w = (b.min(s as f64 + 1.0) - a.max(s as f64)).max(0.0);
                    (w > 0.0).then_some((s, w))
                })
                .collect()
        })
        .collect()
}

/// An RGBA image (`w`×`h`, 4 bytes per pixel, row-major) as a pattern of `target_w`×`target_h`:
/// transparent pixels are composited over white, the image is resized with a box filter (area
/// average of the mean of RGB) and mapped by `mode`.
pub fn from_rgba(
    rgba: &[u8],
    w: usize,
    h: usize,
    target_w: usize,
    target_h: usize,
    mode: ImportMode,
) -> Result<Vec<f32>, String> {
    if w == 0 || h == 0 || target_w == 0 || target_h == 0 {
        return Err("the image and the grid must be at least 1×1.".into());
    }
    if w.checked_mul(h).and_then(|n| n.checked_mul(4)) != Some(rgba.len()) {
        return Err(format!("the image has {} bytes, not {w}×{h}×4.", rgba.len()));
    }
    let lum: Vec<f64> = rgba
        .chunks_exact(4)
        .map(|p| {
            let a = f64::from(p[3]) / 255.0;
            let mean = (f64::from(p[0]) + f64::from(p[1]) + f64::from(p[2])) / 3.0;
            a * mean + (1.0 - a) * 255.0
        })
        .collect();
    let (wx, wy) = (box_weights(w, target_w), box_weights(h, target_h));
    let mut out = Vec::with_capacity(target_w * target_h);
    for row in &wy {
        for col in &wx {
            let (mut sum, mut weight) = (0.0, 0.0);
            for &(sy, a) in row {
                for &(sx, b) in col {
                    sum += a * b * lum[sy * w + sx];
                    weight += a * b;
                }
            }
            let l = if weight > 0.0 { sum / weight } else { 255.0 };
            out.push(match mode {
                ImportMode::Binarise { threshold } => {
                    if l > f64::from(threshold) {
                        -1.0
                    } else {
                        1.0
                    }
                }
                ImportMode::Greyscale => grey_value(l.round().clamp(0.0, 255.0) as u8),
            });
        }
    }
    Ok(out)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn sextet(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Bits (most significant first) → URL-safe base64 characters, 6 bits each, the last one
/// padded with zero bits.
fn bits_to_text(bits: impl Iterator<Item = bool>, out: &mut String) {
    let (mut acc, mut n) = (0u32, 0u32);
    for b in bits {
        acc = (acc << 1) | u32::from(b);
        n += 1;
        if n == 6 {
            out.push(ALPHABET[acc as usize] as char);
            acc = 0;
            n = 0;
        }
    }
    if n > 0 {
        out.push(ALPHABET[(acc << (6 - n)) as usize] as char);
    }
}

fn text_to_bits(text: &str, count: usize) -> Result<Vec<bool>, String> {
    let need = count.div_ceil(6);
    if text.len() != need {
        return Err(format!("packed patterns: {} characters, expected {need} for {count} cells.", text.len()));
    }
    let mut bits = Vec::with_capacity(need * 6);
    for c in text.bytes() {
        let s = sextet(c).ok_or_else(|| format!("packed patterns: \"{}\" is not URL-safe base64.", c as char))?;
        for k in (0..6).rev() {
            bits.push((s >> k) & 1 == 1);
        }
    }
    if bits[count..].iter().any(|&b| b) {
        return Err("packed patterns: the padding bits are not zero.".into());
    }
    bits.truncate(count);
    Ok(bits)
}

/// A ±1 pattern as text: one bit per cell (1 for a positive value, 0 otherwise), most
/// significant first, 6 bits per character of the URL-safe base64 alphabet (`A–Z a–z 0–9 - _`),
/// the last character padded with zero bits. Only the sign survives: values other than ±1
/// are packed as their sign (0 → −1).
pub fn pack_pm1(pattern: &[f32]) -> String {
    let mut s = String::with_capacity(pattern.len().div_ceil(6));
    bits_to_text(pattern.iter().map(|&v| v > 0.0), &mut s);
    s
}

/// The inverse of [`pack_pm1`] for `d` cells.
pub fn unpack_pm1(text: &str, d: usize) -> Result<Vec<f32>, String> {
    Ok(text_to_bits(text, d)?.into_iter().map(|b| if b { 1.0 } else { -1.0 }).collect())
}

/// Most patterns a packed set may hold.
pub const MAX_PACKED_PATTERNS: usize = 4095;

/// Marks a packed set of grey patterns (`~` is URL-safe and not in the base64 alphabet).
const GREY_MARK: char = '~';

/// A set as text: width − 1 and height − 1 as one character each (1..=64), the count as two
/// characters (12 bits, 1..=4095), then the patterns as one bit stream. A ±1 set has one bit
/// per cell ([`pack_pm1`]'s rule); any other set must hold only [`grey_value`]s and is written
/// as `~`, the same header, and 8 bits (the grey level) per cell. Names are not kept (they
/// become "drawn 1", …).
pub fn pack_set(set: &PatternSet) -> Result<String, String> {
    let (w, h, p) = (set.width, set.height, set.count());
    if !(1..=64).contains(&w) || !(1..=64).contains(&h) {
        return Err(format!("a packed set's grid is at most 64×64, not {w}×{h}."));
    }
    if !(1..=MAX_PACKED_PATTERNS).contains(&p) {
        return Err(format!("a packed set holds 1 to {MAX_PACKED_PATTERNS} patterns, not {p}."));
    }
    let grey = !set.is_pm1();
    let levels: Vec<u8> = if grey {
        set.flat()
            .iter()
            .map(|&v| {
                grey_level(v)
                    .ok_or_else(|| format!("the value {v} is not one of the 256 grey levels; quantise it first."))
            })
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let mut s = String::new();
    if grey {
        s.push(GREY_MARK);
    }
    s.push(ALPHABET[w - 1] as char);
    s.push(ALPHABET[h - 1] as char);
    s.push(ALPHABET[p >> 6] as char);
    s.push(ALPHABET[p & 63] as char);
    if grey {
        bits_to_text(levels.iter().flat_map(|&l| (0..8).rev().map(move |k| (l >> k) & 1 == 1)), &mut s);
    } else {
        bits_to_text(set.flat().iter().map(|&v| v > 0.0), &mut s);
    }
    Ok(s)
}

/// The inverse of [`pack_set`]; every malformed input is an error sentence.
pub fn unpack_set(text: &str) -> Result<PatternSet, String> {
    let (grey, text) = match text.strip_prefix(GREY_MARK) {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let b = text.as_bytes();
    if b.len() < 4 {
        return Err("packed patterns: too short for the header (4 characters).".into());
    }
    let head: Vec<u32> = b[..4]
        .iter()
        .map(|&c| sextet(c).ok_or_else(|| format!("packed patterns: \"{}\" is not URL-safe base64.", c as char)))
        .collect::<Result<_, _>>()?;
    let (w, h, p) = (head[0] as usize + 1, head[1] as usize + 1, ((head[2] << 6) | head[3]) as usize);
    if p == 0 {
        return Err("packed patterns: the set is empty.".into());
    }
    let d = w * h;
    let rows: Vec<Vec<f32>> = if grey {
        let bits = text_to_bits(&text[4..], d * p * 8)?;
        let values: Vec<f32> =
            bits.chunks(8).map(|c| grey_value(c.iter().fold(0u8, |l, &b| (l << 1) | u8::from(b)))).collect();
        values.chunks(d).map(<[f32]>::to_vec).collect()
    } else {
        let bits = text_to_bits(&text[4..], d * p)?;
        bits.chunks(d).map(|c| c.iter().map(|&b| if b { 1.0 } else { -1.0 }).collect()).collect()
    };
    PatternSet::from_rows(w, h, rows, (0..p).map(|i| format!("drawn {}", i + 1)).collect())
}

#[cfg(test)]
mod tests {

    /// The SIMD sums give the scalar definition's bits: four running sums in increasing k,
    /// (s0 + s1) + (s2 + s3), then the tail.
    #[test]
    fn dot_f64_is_the_four_sum_definition_bit_for_bit() {
        let mut rng = crate::core::rng::Rng::seed_from_u64(3);
        let v: Vec<f32> = (0..300).map(|_| (rng.next_u64() >> 40) as f32 / 8_388_608.0 - 1.0).collect();
        for len in 0..150 {
            let (a, b) = (&v[..len], &v[150..150 + len]);
            let mut s = [0.0f64; 4];
            let whole = len - len % 4;
            for k in 0..whole {
                s[k % 4] += f64::from(a[k]) * f64::from(b[k]);
            }
            let mut want = (s[0] + s[1]) + (s[2] + s[3]);
            for k in whole..len {
                want += f64::from(a[k]) * f64::from(b[k]);
            }
            assert_eq!(dot_f64(a, b).to_bits(), want.to_bits(), "length {len}");
        }
        assert_eq!(
            dot_f64(&v[..10], &v[..7]),
            dot_f64(&v[..7], &v[..7]),
            "the longer slice's extra components are ignored"
        );
    }

    use super::*;

    #[test]
    fn builtin_faces_are_distinct_and_correlated() {
        for side in [16, 17, 33, 64] {
            let set = PatternSet::builtin(side, 100);
            assert_eq!(set.count(), BUILTIN_NAMES.len());
            assert!(set.is_pm1());
            for i in 0..set.count() {
                for j in 0..i {
                    assert_ne!(set.row(i), set.row(j), "{side}: {i} = {j}");
                }
            }
        }
        // Correlated: at side 32 every pair has an overlap above 0.6.
        let set = PatternSet::builtin(32, 10);
        let d = set.dim() as f32;
        for i in 0..set.count() {
            for j in 0..i {
                let m: f32 = set.row(i).iter().zip(set.row(j)).map(|(a, b)| a * b).sum::<f32>() / d;
                assert!(m > 0.6, "{i} {j} {m}");
            }
        }
    }

    #[test]
    fn gaussian_moments() {
        // 200,000 draws: the mean has SE 1/√n ≈ 0.0022, the variance SE √(2/n) ≈ 0.0032; 5 SE.
        let mut rng = Rng::seed_from_u64(1);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| gaussian(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 5.0 * 0.0022, "{mean}");
        assert!((var - 1.0).abs() < 5.0 * 0.0032, "{var}");
    }

    #[test]
    fn pack_round_trip() {
        let mut rng = Rng::seed_from_u64(2);
        for d in [1, 5, 6, 7, 64] {
            let p = PatternSet::random_pm1(d, 1, 3, &mut rng);
            let t = pack_pm1(p.row(1));
            assert_eq!(t.len(), d.div_ceil(6));
            assert_eq!(unpack_pm1(&t, d).unwrap(), p.row(1));
            let s = pack_set(&p).unwrap();
            let back = unpack_set(&s).unwrap();
            assert_eq!(back.data, p.data);
            assert_eq!((back.width, back.height), (d, 1));
        }
        // Grey sets: every level survives, ±1 among them; a value off the levels is an error.
        let levels: Vec<f32> = (0..=255u8).map(grey_value).collect();
        let grey = PatternSet::from_rows(
            16,
            16,
            vec![levels.clone(), levels.iter().rev().copied().collect()],
            vec!["a".into(), "b".into()],
        )
        .unwrap();
        let text = pack_set(&grey).unwrap();
        assert!(text.starts_with('~'));
        assert_eq!(text.len(), 1 + 4 + (2 * 256 * 8usize).div_ceil(6));
        assert_eq!(unpack_set(&text).unwrap().data, grey.data);
        assert_eq!((grey_value(0), grey_value(255)), (1.0, -1.0));
        assert!((0..=255u8).all(|l| grey_level(grey_value(l)) == Some(l)));
        assert_eq!(grey_level(0.3), None);
        assert_eq!(quantise_grey(0.3).and_then(grey_level), Some(89)); // (1 − 0.3)·127.5 = 89.25
        assert_eq!(quantise_grey(7.0), Some(1.0));
        assert_eq!(quantise_grey(f32::NAN), None);
        let off = PatternSet::from_rows(2, 1, vec![vec![0.3, 1.0]], vec!["x".into()]).unwrap();
        assert!(pack_set(&off).is_err());
        assert!(unpack_set("~AAAB").is_err()); // a grey header without its cells
        assert!(unpack_set("AAA").is_err());
        assert!(unpack_set("AAAA").is_err());
        assert!(unpack_pm1("B", 5).is_err()); // a padding bit set
        assert!(unpack_pm1("A+", 12).is_err());
    }
}
