//! The f32 kernels of the modern Hopfield update (Ramsauer et al. 2020/21, "Hopfield Networks is
//! All You Need", eq. 3; batched over queries as in eq. 23; docs/hopfield.md,
//! "Models and sources"): for stored patterns X (N × d, row-major) and queries Ξ (Q × d, row-major),
//!
//! ```text
//! S = β Ξ Xᵀ   (Q × N),   P = row-softmax(S) (max-shifted),   Ξ' = P X   (Q × d).
//! ```
//!
//! The paper writes patterns as columns (X ∈ ℝ^{d×N}, ξ^new = X softmax(β Xᵀ ξ)); here they are
//! rows, so the same update reads Ξ' = softmax(β Ξ Xᵀ) X.
//!
//! # Bit-identical natively and in wasm
//! Every f32 addition happens in the same order on every platform: the lanes below are 4-wide
//! (`v128` with SIMD128 in wasm, SSE `__m128` on x86-64, a `[f32; 4]` elsewhere) and do lane-wise
//! IEEE `+` and `×` only (no FMA, no `mul_add`, no reassociation); horizontal sums use one fixed
//! order; the cache blocks depend only on `d`, never on the platform. The softmax's arguments
//! β·s − m are computed in f64, its exponentials in four f32 lanes with IEEE `+ − ×` only
//! ([`exp4`], within 2 ulp), and the merges' factors with [`portable_exp`], a port of fdlibm's
//! `e_exp.c` that uses only correctly rounded IEEE operations, so everything has the same bits
//! wherever it runs (no libm). This holds for finite inputs; NaN payloads may differ between
//! platforms.
//!
//! # How it is fast
//! One pass over X, in blocks of [`block_rows`]`(d)` stored patterns (about 256 KiB, so the block
//! stays in L2 while every query uses it):
//! 1. scores of every query against the block, in register tiles of 2 queries × 4 patterns with a
//!    4-lane accumulator each (8 independent accumulators over d: few enough for the 15 SIMD registers V8 allocates, no spills),
//!    first over the even 4-lane chunks of d, then over the odd ones (every dot product sums the
//!    two parities apart: [`dot_tile`]); for d = 256, 1024 and 4096 a copy of the tile compiled
//!    for that d reads the 6 rows through 2 pointers at constant distances and one call takes
//!    4 patterns through every pair of queries, combining the lanes of 4 sums at once
//!    ([`scores_pairs_2x4_fixed`]);
//! 2. the block's softmax numerators e = exp(s − m_block), four at a time ([`exp4`]: the
//!    arguments in f64, Cody and Waite's reduction and a degree-7 polynomial in f32 lanes);
//! 3. the block's share of P X, in register tiles of 2 queries × 16 components, merged into the
//!    running state with the "online softmax" rescaling (the running maximum changes only when a
//!    block's maximum is larger: state ← state·e^{m_old − m_new} + partial·e^{m_block − m_new}).
//!    For a batch the block is first copied into strips of 16 components ([`pack_strips`]), so
//!    each tile reads 4 KiB of consecutive memory instead of 64 B from each of 64 rows 4 KiB
//!    apart (in Chromium that stride cost about a fifth of the pass; the copy costs about 2 %).
//!    The copy moves values, not arithmetic: the same bits with or without it. One call of
//!    [`axpy_pair_2x16`] takes a pair of queries through every strip of the block, so each
//!    pair's states are read and written in order and its weights stay in L1.
//!
//! One query alone (the page's step) is bound by reading X from memory, and step 3 reads each
//! block a second time, from L2. Where d is a multiple of 4 ([`ModernWorkspace`]'s
//! `segment_one`) each block's scores are computed eight rows at a time ([`dot_or_8`]: the
//! query's values loaded once for eight rows, so a long query leaves L1 less often) and its
//! share of P X eight rows per pass over the partial sums ([`axpy_rows`]). Each value is the
//! same sum in the same order as in the batch's tiles (a component's share summed over the
//! block's rows in increasing n from zero, then the same merge): the same bits alone and in any
//! batch.
//!
//! Where one stored pattern holds nearly all the weight (retrieval, the page's usual step), most
//! shares of P X cannot change a bit of the result: [`OneQueryPath::TwoPass`] computes every
//! score first and then only the shares that can (`update_one_two_pass`, with the bounds that
//! prove it), so a step reads X about once; [`OneQueryPath::Auto`] takes it after a peaked
//! softmax. The same bits as block by block (`the_two_pass_update_has_the_block_by_block_bits`).
//!
//! The hot loops live in small functions of their own (`#[inline(never)]` in wasm), but the site's
//! `wasm-opt -Oz` inlines a function with one call site back into its caller, so what keeps V8
//! from spilling is that each loop keeps at most 15 SIMD values live (V8's register count; one
//! exception, [`dot_or_8`], where the spills cost less than what they bought):
//! read in V8's code for the site's build, a P X loop that held 20 spilled 14–29 values per
//! iteration, inlined or not (see [`axpy_pair_2x16`]). Nor does a hot loop hand its
//! accumulators back by value or build them into arrays: at `opt-level = "s"` both go through
//! linear memory, which V8 cannot keep in registers.
//!
//! # Segments, for a pool of workers
//! The blocks are grouped into at most [`MAX_SEGMENTS`] consecutive segments ([`segments`]: a
//! plan that depends only on N and d). Each segment runs steps 1–3 on its own; then
//! [`merge_segments`] merges the segments' states in order with the same online rule, divides by
//! the softmax sum and rescales every numerator to the row's maximum, so the weights are the
//! exact max-shifted softmax of the whole row. A worker that holds some segments' rows
//! ([`ModernShard`]) computes exactly what the single-threaded [`ModernWorkspace::update`]
//! computes for them, so a pool of workers (the page's, `www/modern-pool.js`) gets the same bits
//! as one thread, whatever its size.

/// Bytes of X per cache block: the block of stored patterns that every query uses while it is
/// in L2 (typical L2: 256 KiB–2 MiB per core).
const BLOCK_BYTES: usize = 256 * 1024;

/// Queries per register tile (both products).
const QT: usize = 2;
/// Stored patterns per register tile of the scores.
const NT: usize = 4;
/// 4-lane vectors per register tile of P X (16 components).
const JV: usize = 4;
/// Components per strip of a packed block ([`pack_strips`]): one P X tile's width.
const STRIP: usize = 4 * JV;
/// Queries from which a block is packed into strips before P X: with fewer, the copy would cost
/// more than the strided reads it saves (one query reads each row once; see `axpy_1x4`).
const PACK_MIN_QUERIES: usize = 4;

/// The number of stored patterns per cache block for dimension `d` (between 8 and 512). It
/// depends only on `d`, so the blocking (and with it every rounding) is the same on every
/// platform.
pub fn block_rows(d: usize) -> usize {
    (BLOCK_BYTES / (4 * d.max(1))).clamp(8, 512)
}

/// 4 f32 lanes, added and multiplied lane-wise with IEEE rounding (no FMA).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lane {
    use core::arch::wasm32::{
        f32x4_add, f32x4_demote_f64x2_zero, f32x4_extract_lane, f32x4_mul, f32x4_splat, f32x4_sub, f64x2, f64x2_abs,
        f64x2_add, f64x2_div, f64x2_extract_lane, f64x2_ge, f64x2_lt, f64x2_mul, f64x2_ne, f64x2_pmax,
        f64x2_promote_low_f32x4, f64x2_splat, f64x2_sub, i32x4_shl, i32x4_shuffle, i64x2_shl, v128, v128_bitselect,
        v128_or, v128_store,
    };

    /// 2 f64 lanes with IEEE `+ − × ÷` (for [`super::exp_to_f32`]).
    #[derive(Clone, Copy)]
    pub(super) struct F2(v128);

    impl F2 {
        #[inline(always)]
        pub(super) fn new(a: f64, b: f64) -> Self {
            F2(f64x2(a, b))
        }
        /// `v` in both lanes, read from memory (V8 builds a vector constant in three
        /// instructions each time it is used, inside loops too; a load is one).
        #[inline(always)]
        pub(super) fn load(v: &[f64; 2]) -> Self {
            // SAFETY: `v` is 16 readable bytes; wasm loads need no alignment.
            F2(unsafe { (v.as_ptr() as *const v128).read_unaligned() })
        }
        #[inline(always)]
        pub(super) fn add(self, o: Self) -> Self {
            F2(f64x2_add(self.0, o.0))
        }
        #[inline(always)]
        pub(super) fn sub(self, o: Self) -> Self {
            F2(f64x2_sub(self.0, o.0))
        }
        #[inline(always)]
        pub(super) fn mul(self, o: Self) -> Self {
            F2(f64x2_mul(self.0, o.0))
        }
        #[inline(always)]
        pub(super) fn div(self, o: Self) -> Self {
            F2(f64x2_div(self.0, o.0))
        }
        #[inline(always)]
        pub(super) fn abs(self) -> Self {
            F2(f64x2_abs(self.0))
        }
        /// Lane-wise `self < o` (false for NaN) as a mask for [`Self::select`].
        #[inline(always)]
        pub(super) fn lt(self, o: Self) -> Mask2 {
            Mask2(f64x2_lt(self.0, o.0))
        }
        /// `lo` where `self < lo`, else `self` (NaN stays NaN).
        #[inline(always)]
        pub(super) fn at_least(self, lo: Self) -> Self {
            F2(f64x2_pmax(self.0, lo.0))
        }
        /// The low and the high two lanes of `v`, exactly.
        #[inline(always)]
        pub(super) fn from_f4(v: F4) -> (Self, Self) {
            (F2(f64x2_promote_low_f32x4(v.0)), F2(f64x2_promote_low_f32x4(i32x4_shuffle::<2, 3, 2, 3>(v.0, v.0))))
        }
        /// Lane-wise `self >= o` (false for NaN).
        #[inline(always)]
        pub(super) fn ge(self, o: Self) -> Mask2 {
            Mask2(f64x2_ge(self.0, o.0))
        }
        /// Lane-wise "is NaN".
        #[inline(always)]
        pub(super) fn is_nan(self) -> Mask2 {
            Mask2(f64x2_ne(self.0, self.0))
        }
        /// `yes` where the mask is set, else `no`.
        #[inline(always)]
        pub(super) fn select(m: Mask2, yes: Self, no: Self) -> Self {
            F2(v128_bitselect(yes.0, no.0, m.0))
        }
        /// 2^k for lanes holding integers −1022 ≤ k ≤ 1023: 2⁵² + 1023 + k has k + 1023 in its
        /// low bits, which shift into the exponent field.
        #[inline(always)]
        pub(super) fn pow2(self) -> Self {
            F2(i64x2_shl(f64x2_add(self.0, f64x2_splat(super::POW2_MAGIC)), 52))
        }
        #[inline(always)]
        pub(super) fn lanes(self) -> [f64; 2] {
            [f64x2_extract_lane::<0>(self.0), f64x2_extract_lane::<1>(self.0)]
        }
    }

    /// A lane mask of [`F2`] comparisons.
    #[derive(Clone, Copy)]
    pub(super) struct Mask2(v128);

    #[derive(Clone, Copy)]
    pub(super) struct F4(v128);

    impl F4 {
        #[inline(always)]
        pub(super) fn splat(v: f32) -> Self {
            F4(f32x4_splat(v))
        }
        /// # Safety
        /// `p .. p + 4` must be readable f32s.
        #[inline(always)]
        pub(super) unsafe fn load(p: *const f32) -> Self {
            // SAFETY: the caller guarantees 16 readable bytes; wasm loads need no alignment.
            F4(unsafe { (p as *const v128).read_unaligned() })
        }
        /// # Safety
        /// `p .. p + 4` must be writable f32s.
        #[inline(always)]
        pub(super) unsafe fn store(self, p: *mut f32) {
            // SAFETY: the caller guarantees 16 writable bytes; wasm stores need no alignment.
            unsafe { v128_store(p as *mut v128, self.0) }
        }
        #[inline(always)]
        pub(super) fn add(self, o: Self) -> Self {
            F4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub(super) fn mul(self, o: Self) -> Self {
            F4(f32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        pub(super) fn sub(self, o: Self) -> Self {
            F4(f32x4_sub(self.0, o.0))
        }
        /// The 4 lanes of `a` and `b` rounded to f32 (to nearest): a₀, a₁, b₀, b₁.
        #[inline(always)]
        pub(super) fn from_f2(a: F2, b: F2) -> Self {
            F4(i32x4_shuffle::<0, 1, 4, 5>(f32x4_demote_f64x2_zero(a.0), f32x4_demote_f64x2_zero(b.0)))
        }
        /// Each lane's bits shifted left by 23 (see [`super::exp4`]).
        #[inline(always)]
        pub(super) fn shl23(self) -> Self {
            F4(i32x4_shl(self.0, 23))
        }
        /// The lanes' bits ORed with `o`'s (see `dot_or_1`).
        #[inline(always)]
        pub(super) fn or_bits(self, o: Self) -> Self {
            F4(v128_or(self.0, o.0))
        }
        /// The 4 lanes' bits ORed together.
        #[inline(always)]
        pub(super) fn or_lanes(self) -> u32 {
            let l = self.lanes();
            l[0].to_bits() | l[1].to_bits() | l[2].to_bits() | l[3].to_bits()
        }
        /// Neighbouring lanes added: a₀ + a₁, a₂ + a₃, b₀ + b₁, b₂ + b₃ (self = a, o = b).
        #[inline(always)]
        pub(super) fn pair_sums(self, o: Self) -> Self {
            F4(f32x4_add(i32x4_shuffle::<0, 2, 4, 6>(self.0, o.0), i32x4_shuffle::<1, 3, 5, 7>(self.0, o.0)))
        }
        #[inline(always)]
        pub(super) fn lanes(self) -> [f32; 4] {
            [
                f32x4_extract_lane::<0>(self.0),
                f32x4_extract_lane::<1>(self.0),
                f32x4_extract_lane::<2>(self.0),
                f32x4_extract_lane::<3>(self.0),
            ]
        }
    }
}

/// 4 f32 lanes, added and multiplied lane-wise with IEEE rounding (no FMA): SSE, which every
/// x86-64 CPU has.
#[cfg(target_arch = "x86_64")]
mod lane {
    use core::arch::x86_64::{
        __m128, __m128d, _mm_add_pd, _mm_add_ps, _mm_and_pd, _mm_andnot_pd, _mm_castpd_si128, _mm_castps_si128,
        _mm_castsi128_pd, _mm_castsi128_ps, _mm_cmpge_pd, _mm_cmplt_pd, _mm_cmpunord_pd, _mm_cvtpd_ps, _mm_cvtps_pd,
        _mm_div_pd, _mm_loadu_pd, _mm_loadu_ps, _mm_max_pd, _mm_movehl_ps, _mm_movelh_ps, _mm_mul_pd, _mm_mul_ps,
        _mm_or_pd, _mm_or_ps, _mm_set1_pd, _mm_set1_ps, _mm_set_pd, _mm_shuffle_ps, _mm_slli_epi32, _mm_slli_epi64,
        _mm_storeu_pd, _mm_storeu_ps, _mm_sub_pd, _mm_sub_ps,
    };

    /// 2 f64 lanes with IEEE `+ − × ÷` (for [`super::exp_to_f32`]): SSE2, which every x86-64 CPU
    /// has. SAFETY of every intrinsic below: SSE2 is part of the x86-64 baseline.
    #[derive(Clone, Copy)]
    pub(super) struct F2(__m128d);

    impl F2 {
        #[inline(always)]
        pub(super) fn new(a: f64, b: f64) -> Self {
            F2(unsafe { _mm_set_pd(b, a) })
        }
        #[inline(always)]
        pub(super) fn load(v: &[f64; 2]) -> Self {
            // `loadu` needs no alignment; `v` is 16 readable bytes.
            F2(unsafe { _mm_loadu_pd(v.as_ptr()) })
        }
        #[inline(always)]
        pub(super) fn add(self, o: Self) -> Self {
            F2(unsafe { _mm_add_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub(super) fn sub(self, o: Self) -> Self {
            F2(unsafe { _mm_sub_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub(super) fn mul(self, o: Self) -> Self {
            F2(unsafe { _mm_mul_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub(super) fn div(self, o: Self) -> Self {
            F2(unsafe { _mm_div_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub(super) fn abs(self) -> Self {
            F2(unsafe { _mm_andnot_pd(_mm_set1_pd(-0.0), self.0) })
        }
        /// Lane-wise `self < o` (false for NaN) as a mask for [`Self::select`].
        #[inline(always)]
        pub(super) fn lt(self, o: Self) -> Mask2 {
            Mask2(unsafe { _mm_cmplt_pd(self.0, o.0) })
        }
        /// `lo` where `self < lo`, else `self` (NaN stays NaN: MAXPD returns its second
        /// operand unless the first is greater).
        #[inline(always)]
        pub(super) fn at_least(self, lo: Self) -> Self {
            // SAFETY: SSE2 is part of the x86-64 baseline, so it is always enabled.
            F2(unsafe { _mm_max_pd(lo.0, self.0) })
        }
        /// The low and the high two lanes of `v`, exactly.
        #[inline(always)]
        pub(super) fn from_f4(v: F4) -> (Self, Self) {
            // SAFETY: SSE2 is part of the x86-64 baseline, so it is always enabled.
            unsafe { (F2(_mm_cvtps_pd(v.0)), F2(_mm_cvtps_pd(_mm_movehl_ps(v.0, v.0)))) }
        }
        /// Lane-wise `self >= o` (false for NaN).
        #[inline(always)]
        pub(super) fn ge(self, o: Self) -> Mask2 {
            Mask2(unsafe { _mm_cmpge_pd(self.0, o.0) })
        }
        /// Lane-wise "is NaN".
        #[inline(always)]
        pub(super) fn is_nan(self) -> Mask2 {
            Mask2(unsafe { _mm_cmpunord_pd(self.0, self.0) })
        }
        /// `yes` where the mask is set, else `no`.
        #[inline(always)]
        pub(super) fn select(m: Mask2, yes: Self, no: Self) -> Self {
            F2(unsafe { _mm_or_pd(_mm_and_pd(m.0, yes.0), _mm_andnot_pd(m.0, no.0)) })
        }
        /// 2^k for lanes holding integers −1022 ≤ k ≤ 1023 (see the wasm twin).
        #[inline(always)]
        pub(super) fn pow2(self) -> Self {
            F2(unsafe {
                _mm_castsi128_pd(_mm_slli_epi64(
                    _mm_castpd_si128(_mm_add_pd(self.0, _mm_set1_pd(super::POW2_MAGIC))),
                    52,
                ))
            })
        }
        #[inline(always)]
        pub(super) fn lanes(self) -> [f64; 2] {
            let mut a = [0.0f64; 2];
            // SAFETY: `a` has room for 2 f64s; `storeu` needs no alignment.
            unsafe { _mm_storeu_pd(a.as_mut_ptr(), self.0) };
            a
        }
    }

    /// A lane mask of [`F2`] comparisons.
    #[derive(Clone, Copy)]
    pub(super) struct Mask2(__m128d);

    #[derive(Clone, Copy)]
    pub(super) struct F4(__m128);

    impl F4 {
        #[inline(always)]
        pub(super) fn splat(v: f32) -> Self {
            // SAFETY: SSE is part of the x86-64 baseline, so it is always enabled.
            F4(unsafe { _mm_set1_ps(v) })
        }
        /// # Safety
        /// `p .. p + 4` must be readable f32s.
        #[inline(always)]
        pub(super) unsafe fn load(p: *const f32) -> Self {
            // SAFETY: the caller guarantees 16 readable bytes; `loadu` needs no alignment.
            F4(unsafe { _mm_loadu_ps(p) })
        }
        /// # Safety
        /// `p .. p + 4` must be writable f32s.
        #[inline(always)]
        pub(super) unsafe fn store(self, p: *mut f32) {
            // SAFETY: the caller guarantees 16 writable bytes; `storeu` needs no alignment.
            unsafe { _mm_storeu_ps(p, self.0) }
        }
        #[inline(always)]
        pub(super) fn add(self, o: Self) -> Self {
            // SAFETY: SSE is part of the x86-64 baseline, so it is always enabled.
            F4(unsafe { _mm_add_ps(self.0, o.0) })
        }
        #[inline(always)]
        pub(super) fn mul(self, o: Self) -> Self {
            // SAFETY: SSE is part of the x86-64 baseline, so it is always enabled.
            F4(unsafe { _mm_mul_ps(self.0, o.0) })
        }
        #[inline(always)]
        pub(super) fn sub(self, o: Self) -> Self {
            // SAFETY: SSE is part of the x86-64 baseline, so it is always enabled.
            F4(unsafe { _mm_sub_ps(self.0, o.0) })
        }
        /// The 4 lanes of `a` and `b` rounded to f32 (to nearest, MXCSR's default, which Rust
        /// never changes): a₀, a₁, b₀, b₁.
        #[inline(always)]
        pub(super) fn from_f2(a: F2, b: F2) -> Self {
            // SAFETY: SSE2 is part of the x86-64 baseline, so it is always enabled.
            F4(unsafe { _mm_movelh_ps(_mm_cvtpd_ps(a.0), _mm_cvtpd_ps(b.0)) })
        }
        /// Each lane's bits shifted left by 23 (see [`super::exp4`]).
        #[inline(always)]
        pub(super) fn shl23(self) -> Self {
            // SAFETY: SSE2 is part of the x86-64 baseline, so it is always enabled.
            F4(unsafe { _mm_castsi128_ps(_mm_slli_epi32(_mm_castps_si128(self.0), 23)) })
        }
        /// The lanes' bits ORed with `o`'s (see `dot_or_1`).
        #[inline(always)]
        pub(super) fn or_bits(self, o: Self) -> Self {
            // SAFETY: SSE is part of the x86-64 baseline, so it is always enabled.
            F4(unsafe { _mm_or_ps(self.0, o.0) })
        }
        /// The 4 lanes' bits ORed together.
        #[inline(always)]
        pub(super) fn or_lanes(self) -> u32 {
            let l = self.lanes();
            l[0].to_bits() | l[1].to_bits() | l[2].to_bits() | l[3].to_bits()
        }
        /// Neighbouring lanes added: a₀ + a₁, a₂ + a₃, b₀ + b₁, b₂ + b₃ (self = a, o = b).
        #[inline(always)]
        pub(super) fn pair_sums(self, o: Self) -> Self {
            // SAFETY: SSE is part of the x86-64 baseline, so it is always enabled.
            F4(unsafe {
                _mm_add_ps(_mm_shuffle_ps::<0b10_00_10_00>(self.0, o.0), _mm_shuffle_ps::<0b11_01_11_01>(self.0, o.0))
            })
        }
        #[inline(always)]
        pub(super) fn lanes(self) -> [f32; 4] {
            let mut a = [0.0f32; 4];
            // SAFETY: `a` has room for 4 f32s; `storeu` needs no alignment.
            unsafe { _mm_storeu_ps(a.as_mut_ptr(), self.0) };
            a
        }
    }
}

/// 4 f32 lanes in plain Rust (the same arithmetic as the SIMD versions, lane by lane).
#[cfg(not(any(all(target_arch = "wasm32", target_feature = "simd128"), target_arch = "x86_64")))]
mod lane {
    /// 2 f64 lanes (see the SIMD versions), lane by lane.
    #[derive(Clone, Copy)]
    pub(super) struct F2([f64; 2]);

    impl F2 {
        #[inline(always)]
        pub(super) fn new(a: f64, b: f64) -> Self {
            F2([a, b])
        }
        #[inline(always)]
        pub(super) fn load(v: &[f64; 2]) -> Self {
            F2(*v)
        }
        #[inline(always)]
        pub(super) fn add(self, o: Self) -> Self {
            F2([self.0[0] + o.0[0], self.0[1] + o.0[1]])
        }
        #[inline(always)]
        pub(super) fn sub(self, o: Self) -> Self {
            F2([self.0[0] - o.0[0], self.0[1] - o.0[1]])
        }
        #[inline(always)]
        pub(super) fn mul(self, o: Self) -> Self {
            F2([self.0[0] * o.0[0], self.0[1] * o.0[1]])
        }
        #[inline(always)]
        pub(super) fn div(self, o: Self) -> Self {
            F2([self.0[0] / o.0[0], self.0[1] / o.0[1]])
        }
        #[inline(always)]
        pub(super) fn abs(self) -> Self {
            F2([self.0[0].abs(), self.0[1].abs()])
        }
        #[inline(always)]
        pub(super) fn lt(self, o: Self) -> Mask2 {
            Mask2([self.0[0] < o.0[0], self.0[1] < o.0[1]])
        }
        /// `lo` where `self < lo`, else `self` (NaN stays NaN).
        #[inline(always)]
        pub(super) fn at_least(self, lo: Self) -> Self {
            F2([0, 1].map(|i| if self.0[i] < lo.0[i] { lo.0[i] } else { self.0[i] }))
        }
        /// The low and the high two lanes of `v`, exactly.
        #[inline(always)]
        pub(super) fn from_f4(v: F4) -> (Self, Self) {
            (F2([f64::from(v.0[0]), f64::from(v.0[1])]), F2([f64::from(v.0[2]), f64::from(v.0[3])]))
        }
        #[inline(always)]
        pub(super) fn ge(self, o: Self) -> Mask2 {
            Mask2([self.0[0] >= o.0[0], self.0[1] >= o.0[1]])
        }
        #[inline(always)]
        pub(super) fn is_nan(self) -> Mask2 {
            Mask2([self.0[0].is_nan(), self.0[1].is_nan()])
        }
        #[inline(always)]
        pub(super) fn select(m: Mask2, yes: Self, no: Self) -> Self {
            F2([if m.0[0] { yes.0[0] } else { no.0[0] }, if m.0[1] { yes.0[1] } else { no.0[1] }])
        }
        #[inline(always)]
        pub(super) fn pow2(self) -> Self {
            let p = |k: f64| f64::from_bits((k + super::POW2_MAGIC).to_bits() << 52);
            F2([p(self.0[0]), p(self.0[1])])
        }
        #[inline(always)]
        pub(super) fn lanes(self) -> [f64; 2] {
            self.0
        }
    }

    #[derive(Clone, Copy)]
    pub(super) struct Mask2([bool; 2]);

    #[derive(Clone, Copy)]
    pub(super) struct F4([f32; 4]);

    impl F4 {
        #[inline(always)]
        pub(super) fn splat(v: f32) -> Self {
            F4([v; 4])
        }
        /// # Safety
        /// `p .. p + 4` must be readable f32s.
        #[inline(always)]
        pub(super) unsafe fn load(p: *const f32) -> Self {
            // SAFETY: the caller guarantees 4 readable f32s.
            F4(unsafe { (p as *const [f32; 4]).read_unaligned() })
        }
        /// # Safety
        /// `p .. p + 4` must be writable f32s.
        #[inline(always)]
        pub(super) unsafe fn store(self, p: *mut f32) {
            // SAFETY: the caller guarantees 4 writable f32s.
            unsafe { (p as *mut [f32; 4]).write_unaligned(self.0) }
        }
        #[inline(always)]
        pub(super) fn add(self, o: Self) -> Self {
            F4([self.0[0] + o.0[0], self.0[1] + o.0[1], self.0[2] + o.0[2], self.0[3] + o.0[3]])
        }
        #[inline(always)]
        pub(super) fn mul(self, o: Self) -> Self {
            F4([self.0[0] * o.0[0], self.0[1] * o.0[1], self.0[2] * o.0[2], self.0[3] * o.0[3]])
        }
        #[inline(always)]
        pub(super) fn sub(self, o: Self) -> Self {
            F4([self.0[0] - o.0[0], self.0[1] - o.0[1], self.0[2] - o.0[2], self.0[3] - o.0[3]])
        }
        /// The 4 lanes of `a` and `b` rounded to f32 (to nearest): a₀, a₁, b₀, b₁.
        #[inline(always)]
        pub(super) fn from_f2(a: F2, b: F2) -> Self {
            F4([a.0[0] as f32, a.0[1] as f32, b.0[0] as f32, b.0[1] as f32])
        }
        /// Each lane's bits shifted left by 23 (see [`super::exp4`]).
        #[inline(always)]
        pub(super) fn shl23(self) -> Self {
            F4(self.0.map(|v| f32::from_bits(v.to_bits() << 23)))
        }
        /// The lanes' bits ORed with `o`'s (see `dot_or_1`).
        #[inline(always)]
        pub(super) fn or_bits(self, o: Self) -> Self {
            F4([0, 1, 2, 3].map(|i| f32::from_bits(self.0[i].to_bits() | o.0[i].to_bits())))
        }
        /// The 4 lanes' bits ORed together.
        #[inline(always)]
        pub(super) fn or_lanes(self) -> u32 {
            self.0.iter().fold(0, |o, v| o | v.to_bits())
        }
        /// Neighbouring lanes added: a₀ + a₁, a₂ + a₃, b₀ + b₁, b₂ + b₃ (self = a, o = b).
        #[inline(always)]
        pub(super) fn pair_sums(self, o: Self) -> Self {
            F4([self.0[0] + self.0[1], self.0[2] + self.0[3], o.0[0] + o.0[1], o.0[2] + o.0[3]])
        }
        #[inline(always)]
        pub(super) fn lanes(self) -> [f32; 4] {
            self.0
        }
    }
}

use lane::{F2, F4};

/// Loads 4 lanes from `s[i..i + 4]` (bounds-checked; for the rare loads outside the hot loops).
#[inline(always)]
fn load_at(s: &[f32], i: usize) -> F4 {
    let c = &s[i..i + 4];
    // SAFETY: `c` has exactly 4 elements.
    unsafe { F4::load(c.as_ptr()) }
}

/// Stores 4 lanes into `s[i..i + 4]` (bounds-checked).
#[inline(always)]
fn store_at(s: &mut [f32], i: usize, v: F4) {
    let c = &mut s[i..i + 4];
    // SAFETY: `c` has exactly 4 elements.
    unsafe { v.store(c.as_mut_ptr()) }
}

/// The dot products of `R` query rows with `C` pattern rows (all of length `d`), in the one fixed
/// order every platform uses. Below d4 = d − d mod 4 the components come in 4-lane chunks
/// (chunk i: components 4i .. 4i + 4); two 4-lane accumulators take the even and the odd chunks,
/// each in increasing i (lane l sums the products of its components k ≡ l mod 4); then
/// A_even + A_odd lane-wise, the lanes combine as (l0 + l1) + (l2 + l3), and the last d mod 4
/// products are added in increasing k. Two running sums halve the chain of dependent additions
/// that bounds one row at a time ([`dot_or_1`]: natively 1.29× → 1.15× one pass over X, in V8
/// 1.72× → 1.41×), and a register tile can still take the even chunks and then the odd ones
/// with the registers of one sum ([`scores_pairs_2x4_fixed`]). Rows shorter than `d` give zeros (never
/// happens: the callers slice exactly `d`).
#[inline(always)]
fn dot_tile<const R: usize, const C: usize>(qs: [&[f32]; R], xs: [&[f32]; C], d: usize) -> [[f32; C]; R] {
    if qs.iter().chain(xs.iter()).any(|s| s.len() < d) {
        return [[0.0; C]; R];
    }
    let d4 = d - d % 4;
    let mut acc = [[[F4::splat(0.0); C]; R]; 2];
    let mut k = 0;
    while k < d4 {
        let parity = (k / 4) % 2;
        // SAFETY: k + 4 <= d4 <= d <= the length of every row (checked above).
        let qv: [F4; R] = core::array::from_fn(|r| unsafe { F4::load(qs[r].as_ptr().add(k)) });
        for c in 0..C {
            // SAFETY: as above.
            let xv = unsafe { F4::load(xs[c].as_ptr().add(k)) };
            for r in 0..R {
                acc[parity][r][c] = acc[parity][r][c].add(qv[r].mul(xv));
            }
        }
        k += 4;
    }
    finish_dots(core::array::from_fn(|r| core::array::from_fn(|c| acc[0][r][c].add(acc[1][r][c]))), qs, xs, d)
}

/// One block's share of P X for `R` queries and components `j .. j + 4V`, merged into the
/// running state: `state ← state·old + (Σ_n w_n x_n)·new`, with the sum over the block's rows in
/// increasing n (`first`: the state is not read, `state ← partial·new`). `w[r]` are the block's
/// softmax numerators of query `q0 + r`; `xb` the block's rows (nb × d).
#[inline(always)]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
fn axpy_tile<const R: usize, const V: usize>(
    w: [&[f32]; R],
    xb: &[f32],
    d: usize,
    j: usize,
    state: &mut [f32],
    q0: usize,
    scale: &[(f32, f32)],
    first: bool,
) {
    let nb = w[0].len();
    if w.iter().any(|s| s.len() != nb) || xb.len() < nb * d || j + 4 * V > d {
        return;
    }
    let mut acc = [[F4::splat(0.0); V]; R];
    for n in 0..nb {
        // SAFETY: n < nb and j + 4V <= d, so n·d + j + 4V <= nb·d <= xb.len() (checked above).
        let xv: [F4; V] = core::array::from_fn(|v| unsafe { F4::load(xb.as_ptr().add(n * d + j + 4 * v)) });
        for r in 0..R {
            let wv = F4::splat(w[r][n]);
            for v in 0..V {
                acc[r][v] = acc[r][v].add(wv.mul(xv[v]));
            }
        }
    }
    merge_state(acc, d, j, state, q0, scale, first);
}

/// One parity's chunks of [`dot_tile`] for 2 queries × 4 patterns, unrolled by hand (the release
/// profile optimises for size and would keep a loop's accumulator array in memory): the sums over
/// chunks `first`, `first + 2`, … below d4 of rows 2 × 4 read through their pointers. 8
/// accumulators, 2 query vectors and one pattern vector: 11 of V8's 15 SIMD registers.
///
/// # Safety
/// Every pointer must be valid for reads of `d4` f32s, and `d4` a multiple of 4.
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
unsafe fn dot_2x4_chunks(q: [*const f32; 2], x: [*const f32; 4], first: usize, d4: usize) -> [[F4; 4]; 2] {
    let z = F4::splat(0.0);
    let (mut a00, mut a01, mut a02, mut a03) = (z, z, z, z);
    let (mut a10, mut a11, mut a12, mut a13) = (z, z, z, z);
    let ([q0, q1], [x0, x1, x2, x3]) = (q, x);
    let mut k = 4 * first;
    while k < d4 {
        // SAFETY: k + 4 <= d4, within every row (the caller's contract).
        let (u0, u1) = unsafe { (F4::load(q0.add(k)), F4::load(q1.add(k))) };
        // SAFETY: as above.
        let v = unsafe { F4::load(x0.add(k)) };
        a00 = a00.add(u0.mul(v));
        a10 = a10.add(u1.mul(v));
        // SAFETY: as above.
        let v = unsafe { F4::load(x1.add(k)) };
        a01 = a01.add(u0.mul(v));
        a11 = a11.add(u1.mul(v));
        // SAFETY: as above.
        let v = unsafe { F4::load(x2.add(k)) };
        a02 = a02.add(u0.mul(v));
        a12 = a12.add(u1.mul(v));
        // SAFETY: as above.
        let v = unsafe { F4::load(x3.add(k)) };
        a03 = a03.add(u0.mul(v));
        a13 = a13.add(u1.mul(v));
        k += 8;
    }
    [[a00, a01, a02, a03], [a10, a11, a12, a13]]
}

/// [`dot_tile`] for 2 queries × 4 patterns: the even chunks, then the odd ones
/// ([`dot_2x4_chunks`]; the tile's rows are still in L1 or L2 for the second), then their sum.
/// Same operations, same order.
#[inline(always)]
fn dot_2x4(qs: [&[f32]; 2], xs: [&[f32]; 4], d: usize) -> [[f32; 4]; 2] {
    if qs.iter().chain(xs.iter()).any(|s| s.len() < d) {
        return [[0.0; 4]; 2];
    }
    let d4 = d - d % 4;
    let (q, x) = (qs.map(<[f32]>::as_ptr), xs.map(<[f32]>::as_ptr));
    // SAFETY: every row holds at least d >= d4 values (checked above).
    let (even, odd) = unsafe { (dot_2x4_chunks(q, x, 0, d4), dot_2x4_chunks(q, x, 1, d4)) };
    finish_dots(sum_parities(even, odd), qs, xs, d)
}

/// [`dot_2x4_chunks`] for dimensions known when compiling: 2 consecutive query rows at `q` and 4
/// consecutive pattern rows at `x`, so every load is one of two pointers plus a constant (where
/// `dot_2x4_chunks` adds its index to six pointers per step, which in wasm costs an addition each).
///
/// # Safety
/// `q` must be valid for reads of 2·D f32s and `x` of 4·D, D a multiple of 4.
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
unsafe fn dot_2x4_chunks_fixed<const D: usize>(q: *const f32, x: *const f32, first: usize) -> [[F4; 4]; 2] {
    let z = F4::splat(0.0);
    let (mut a00, mut a01, mut a02, mut a03) = (z, z, z, z);
    let (mut a10, mut a11, mut a12, mut a13) = (z, z, z, z);
    let (mut qp, mut xp) = (q.wrapping_add(4 * first), x.wrapping_add(4 * first));
    for _ in 0..(D / 4 + 1 - first) / 2 {
        // SAFETY: after i steps qp = q + 4(first + 2i) with first + 2i < D/4 chunks, so every
        // read (at most qp + D + 4 <= q + 2D and xp + 3D + 4 <= x + 4D) lies within the rows
        // (the caller's contract).
        let (u0, u1) = unsafe { (F4::load(qp), F4::load(qp.add(D))) };
        // SAFETY: as above.
        let v = unsafe { F4::load(xp) };
        a00 = a00.add(u0.mul(v));
        a10 = a10.add(u1.mul(v));
        // SAFETY: as above.
        let v = unsafe { F4::load(xp.add(D)) };
        a01 = a01.add(u0.mul(v));
        a11 = a11.add(u1.mul(v));
        // SAFETY: as above.
        let v = unsafe { F4::load(xp.add(2 * D)) };
        a02 = a02.add(u0.mul(v));
        a12 = a12.add(u1.mul(v));
        // SAFETY: as above.
        let v = unsafe { F4::load(xp.add(3 * D)) };
        a03 = a03.add(u0.mul(v));
        a13 = a13.add(u1.mul(v));
        qp = qp.wrapping_add(8);
        xp = xp.wrapping_add(8);
    }
    [[a00, a01, a02, a03], [a10, a11, a12, a13]]
}

/// Step 1 of a batch for 4 consecutive stored patterns and `pairs` pairs of queries, with d = `D`
/// known when compiling (256, 1024 and 4096: the 16², 32² and 64² pictures and the benchmark's
/// size): [`dot_tile`]'s sums for every pair ([`dot_2x4_chunks_fixed`]: the even chunks, then
/// the odd ones, then their sum), the lanes of four dot products combined at once
/// ([`lane_sums4`], the order of [`finish_dots`]) and stored as one vector: query r's four at
/// `out[r·n + c ..]`. `queries`: the 2·`pairs` query rows; `x`: the 4 pattern rows. One call per
/// 4 patterns, where a call per tile that handed back its sums lane by lane cost about 2 % of
/// the batch in Chromium (the per-tile calls, the lane extractions, the slices). The same
/// operations in the same order: the same bits. Leaves `out` alone when the sizes do not fit
/// (never happens: the caller slices exactly).
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn scores_pairs_2x4_fixed<const D: usize>(
    queries: &[f32],
    pairs: usize,
    x: &[f32],
    out: &mut [f32],
    n: usize,
    c: usize,
) {
    let last = (2 * pairs).saturating_sub(1).checked_mul(n).and_then(|a| a.checked_add(c + 4));
    if queries.len() < 2 * pairs * D || x.len() < 4 * D || !D.is_multiple_of(4) || last.is_none_or(|l| out.len() < l) {
        return;
    }
    let (x, out) = (x.as_ptr(), out.as_mut_ptr());
    for r in 0..pairs {
        let q = queries.as_ptr().wrapping_add(2 * r * D);
        // SAFETY: the pair's 2D values lie within `queries` and `x` holds 4D (checked above), D
        // a multiple of 4.
        let (even, odd) = unsafe { (dot_2x4_chunks_fixed::<D>(q, x, 0), dot_2x4_chunks_fixed::<D>(q, x, 1)) };
        let [a0, a1] = sum_parities(even, odd);
        // SAFETY: query 2r + 1's four values end at (2r + 1)·n + c + 4 <= out.len() (checked
        // above), and query 2r's before them.
        unsafe {
            lane_sums4(a0).store(out.add(2 * r * n + c));
            lane_sums4(a1).store(out.add((2 * r + 1) * n + c));
        }
    }
}

/// The ends of four dot products at once, for d a multiple of 4: lane c of the result is
/// (l0 + l1) + (l2 + l3) of `a[c]`'s lanes, [`finish_dots`]'s order (two rounds of
/// [`F4::pair_sums`]: the first pairs up l0 + l1 and l2 + l3 of two sums, the second adds them).
#[inline(always)]
fn lane_sums4(a: [F4; 4]) -> F4 {
    a[0].pair_sums(a[1]).pair_sums(a[2].pair_sums(a[3]))
}

/// A_even + A_odd, lane-wise, for every dot product of a tile.
#[inline(always)]
fn sum_parities<const R: usize, const C: usize>(even: [[F4; C]; R], odd: [[F4; C]; R]) -> [[F4; C]; R] {
    core::array::from_fn(|r| core::array::from_fn(|c| even[r][c].add(odd[r][c])))
}

/// One parity's chunks of [`dot_tile`] for 1 query × 4 patterns (see [`dot_2x4_chunks`]).
///
/// # Safety
/// Every pointer must be valid for reads of `d4` f32s, and `d4` a multiple of 4.
#[inline(always)]
unsafe fn dot_1x4_chunks(q: *const f32, x: [*const f32; 4], first: usize, d4: usize) -> [[F4; 4]; 1] {
    let z = F4::splat(0.0);
    let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
    let [x0, x1, x2, x3] = x;
    let mut k = 4 * first;
    while k < d4 {
        // SAFETY: k + 4 <= d4, within every row (the caller's contract).
        let (u, v0, v1, v2, v3) = unsafe {
            (F4::load(q.add(k)), F4::load(x0.add(k)), F4::load(x1.add(k)), F4::load(x2.add(k)), F4::load(x3.add(k)))
        };
        a0 = a0.add(u.mul(v0));
        a1 = a1.add(u.mul(v1));
        a2 = a2.add(u.mul(v2));
        a3 = a3.add(u.mul(v3));
        k += 8;
    }
    [[a0, a1, a2, a3]]
}

/// [`dot_tile`] for 1 query × 4 patterns: the even chunks, then the odd ones (see [`dot_2x4`]).
#[inline(always)]
fn dot_1x4(qs: [&[f32]; 1], xs: [&[f32]; 4], d: usize) -> [[f32; 4]; 1] {
    if qs.iter().chain(xs.iter()).any(|s| s.len() < d) {
        return [[0.0; 4]; 1];
    }
    let d4 = d - d % 4;
    let (q, x) = (qs[0].as_ptr(), xs.map(<[f32]>::as_ptr));
    // SAFETY: every row holds at least d >= d4 values (checked above).
    let (even, odd) = unsafe { (dot_1x4_chunks(q, x, 0, d4), dot_1x4_chunks(q, x, 1, d4)) };
    finish_dots(sum_parities(even, odd), qs, xs, d)
}

/// The end of every dot product, from A_even + A_odd: the lanes combine as (l0 + l1) + (l2 + l3),
/// then the last d mod 4 products are added in increasing k.
#[inline(always)]
fn finish_dots<const R: usize, const C: usize>(
    acc: [[F4; C]; R],
    qs: [&[f32]; R],
    xs: [&[f32]; C],
    d: usize,
) -> [[f32; C]; R] {
    let d4 = d - d % 4;
    let mut out = [[0.0f32; C]; R];
    for r in 0..R {
        for c in 0..C {
            let l = acc[r][c].lanes();
            let mut s = (l[0] + l[1]) + (l[2] + l[3]);
            for kk in d4..d {
                s += qs[r][kk] * xs[c][kk];
            }
            out[r][c] = s;
        }
    }
    out
}

/// One block's share of P X for 2 queries, merged into their running states, in register tiles
/// of 16 components (unrolled by hand as [`dot_2x4`] is): for each of the first `strips`·16
/// components, Σ_n w_r[n]·x_n[c] for r = 0, 1, the sum over the block's rows in increasing n,
/// then `merge_state`'s operations (state ← state·old + acc·new, or acc·new for the first
/// block). Strip s (components 16s .. 16s + 16) starts at `xs[s·strip_step]`, its row n at
/// `n·stride` after that: a block packed by [`pack_strips`] (strip_step = rows·16, stride 16) or
/// the block itself (strip_step 16, stride d). `state0`, `state1`: the two queries' states.
///
/// One row per iteration: 8 accumulators, 2 broadcast weights and 4 loaded vectors fit V8's 15
/// SIMD registers. With two rows per iteration V8 issued both rows' loads ahead of the
/// arithmetic and spilled (read in its code for the site's build, where wasm-opt had inlined
/// this function back into the update: 14–29 stack accesses per iteration, inlined or not).
///
/// One call covers every strip of a pair of queries, and the merge is written out here without
/// arrays or loops. When each 16-component tile was a call that returned its accumulators, they
/// went through linear memory (the ABI's return slot, which V8 cannot keep in registers), the
/// `array::from_fn` closure that built the weights stayed a function called twice per tile at
/// `opt-level = "s"`, and `merge_state`'s loops kept the accumulators in memory too: read in
/// V8's code for the site's build, about 150–240 instructions per tile of 64 rows beside about
/// 1800 in the loop. Leaves the states alone when the sizes do not fit (never happens: the
/// caller slices exactly).
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[allow(clippy::too_many_arguments)]
fn axpy_pair_2x16(
    w0: &[f32],
    w1: &[f32],
    xs: &[f32],
    strips: usize,
    strip_step: usize,
    stride: usize,
    state0: &mut [f32],
    state1: &mut [f32],
    scale: [(f32, f32); 2],
    first: bool,
) {
    let z = F4::splat(0.0);
    let nb = w0.len();
    let last_row = nb.saturating_sub(1) * stride;
    if w1.len() != nb
        || stride < STRIP
        || state0.len() < strips * STRIP
        || state1.len() < strips * STRIP
        || (strips > 0 && xs.len() < (strips - 1) * strip_step + last_row + STRIP)
    {
        return;
    }
    let (old0, new0) = (F4::splat(scale[0].0), F4::splat(scale[0].1));
    let (old1, new1) = (F4::splat(scale[1].0), F4::splat(scale[1].1));
    let (w0, w1) = (w0.as_ptr(), w1.as_ptr());
    for s in 0..strips {
        let (mut a00, mut a01, mut a02, mut a03) = (z, z, z, z);
        let (mut a10, mut a11, mut a12, mut a13) = (z, z, z, z);
        let mut p = xs.as_ptr().wrapping_add(s * strip_step);
        let mut n = 0;
        while n < nb {
            // Each vector is loaded where it is used: 8 accumulators, 2 weights and one vector
            // live at a time, which V8's 15 registers hold without spilling.
            // SAFETY (every block below): n < nb = the length of both weight rows, and row n's
            // 16 components lie at p = xs + s·strip_step + n·stride .. + 16 <= xs + (strips −
            // 1)·strip_step + (nb − 1)·stride + 16 <= its end (checked above).
            let (s0, s1) = unsafe { (F4::splat(*w0.add(n)), F4::splat(*w1.add(n))) };
            let v = unsafe { F4::load(p) };
            a00 = a00.add(s0.mul(v));
            a10 = a10.add(s1.mul(v));
            let v = unsafe { F4::load(p.add(4)) };
            a01 = a01.add(s0.mul(v));
            a11 = a11.add(s1.mul(v));
            let v = unsafe { F4::load(p.add(8)) };
            a02 = a02.add(s0.mul(v));
            a12 = a12.add(s1.mul(v));
            let v = unsafe { F4::load(p.add(12)) };
            a03 = a03.add(s0.mul(v));
            a13 = a13.add(s1.mul(v));
            p = p.wrapping_add(stride);
            n += 1;
        }
        let (t0, t1) = (state0.as_mut_ptr().wrapping_add(s * STRIP), state1.as_mut_ptr().wrapping_add(s * STRIP));
        macro_rules! merge {
            ($at:expr, $acc:expr, $old:expr, $new:expr) => {{
                let part = $acc.mul($new);
                // SAFETY: the address is state_r + 16s + 4v with v ≤ 3 and s < strips, so its 4
                // lanes lie within state_r[.. strips·16] (checked above).
                unsafe {
                    let merged = if first { part } else { F4::load($at).mul($old).add(part) };
                    merged.store($at);
                }
            }};
        }
        merge!(t0, a00, old0, new0);
        merge!(t0.wrapping_add(4), a01, old0, new0);
        merge!(t0.wrapping_add(8), a02, old0, new0);
        merge!(t0.wrapping_add(12), a03, old0, new0);
        merge!(t1, a10, old1, new1);
        merge!(t1.wrapping_add(4), a11, old1, new1);
        merge!(t1.wrapping_add(8), a12, old1, new1);
        merge!(t1.wrapping_add(12), a13, old1, new1);
    }
}

/// Copies a block's `rows` rows (row-major, `d` components each) into strips of [`STRIP`]
/// components: strip s holds components 16s .. 16s + 16 of row 0, then of row 1, …, so that
/// [`axpy_pair_2x16`] reads it with stride 16. Only the d / 16 whole strips; the last d mod 16
/// components stay in the block. Leaves `out` alone when the sizes do not fit (never happens).
#[cfg_attr(target_arch = "wasm32", inline(never))]
fn pack_strips(xb: &[f32], rows: usize, d: usize, out: &mut Vec<f32>) {
    let strips = d / STRIP;
    // Every value is written below, so the old ones need no clearing (a clear and refill of
    // zeros cost about 2 % of the batch in Chromium).
    out.resize(strips * rows * STRIP, 0.0);
    if xb.len() < rows * d {
        return;
    }
    let (src, dst) = (xb.as_ptr(), out.as_mut_ptr());
    // Strip by strip, so the writes are consecutive (row by row, the writes 4 KiB apart cost
    // about half as much again in Chromium).
    for s in 0..strips {
        for i in 0..rows {
            // SAFETY: i < rows and s < strips = d / 16, so the source i·d + 16s .. + 16 lies
            // within xb[.. rows·d] (checked above) and the destination (s·rows + i)·16 .. + 16
            // within out[.. strips·rows·16] (its length).
            unsafe {
                let (from, to) = (src.add(i * d + s * STRIP), dst.add((s * rows + i) * STRIP));
                let (v0, v1, v2, v3) =
                    (F4::load(from), F4::load(from.add(4)), F4::load(from.add(8)), F4::load(from.add(12)));
                v0.store(to);
                v1.store(to.add(4));
                v2.store(to.add(8));
                v3.store(to.add(12));
            }
        }
    }
}

/// [`axpy_tile`] for 1 query × 16 components, unrolled by hand (see [`dot_2x4`]).
///
/// `ahead`: the next block's rows (or nothing). One query's update is bound by reading X from
/// memory, and this pass reads the block again from L2 while memory would idle; so it also
/// reads one value in each 64 bytes at the same place in each of the next block's rows (there
/// is no prefetch instruction in wasm), and the next block's scores find them on their way into
/// the cache. The values' bits are XORed into the result, which the caller keeps, so no
/// compiler drops the loads. No arithmetic changes: the same bits.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn axpy_1x4(
    w: [&[f32]; 1],
    xb: &[f32],
    ahead: &[f32],
    d: usize,
    j: usize,
    state: &mut [f32],
    q0: usize,
    scale: &[(f32, f32)],
    first: bool,
) -> u32 {
    let nb = w[0].len();
    if xb.len() < nb * d || j + 16 > d {
        return 0;
    }
    let z = F4::splat(0.0);
    let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
    let mut p = xb.as_ptr().wrapping_add(j);
    let ahead_rows = (ahead.len() / d).min(nb);
    let mut touched = 0u32;
    for (n, &wn) in w[0].iter().enumerate() {
        if n < ahead_rows {
            touched ^= ahead[n * d + j].to_bits();
        }
        let s = F4::splat(wn);
        // SAFETY: p = xb + n·d + j with n < nb and j + 16 <= d, so p .. p + 16 lies within
        // xb[.. nb·d] (checked above).
        let (v0, v1, v2, v3) = unsafe { (F4::load(p), F4::load(p.add(4)), F4::load(p.add(8)), F4::load(p.add(12))) };
        a0 = a0.add(s.mul(v0));
        a1 = a1.add(s.mul(v1));
        a2 = a2.add(s.mul(v2));
        a3 = a3.add(s.mul(v3));
        p = p.wrapping_add(d);
    }
    merge_state([[a0, a1, a2, a3]], d, j, state, q0, scale, first);
    touched
}

/// [`axpy_1x4`] for 32 components (two strips of 16 at once): the weight's broadcast, the loop
/// and the read-ahead of each row serve twice the arithmetic (one query's P X is mostly that
/// overhead otherwise). Reads ahead one value per 64 bytes as `axpy_1x4` does, without bounds
/// checks (the indices are checked once). The same sums in the same order: the same bits.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn axpy_1x32(
    w: &[f32],
    xb: &[f32],
    ahead: &[f32],
    d: usize,
    j: usize,
    state: &mut [f32],
    q0: usize,
    scale: &[(f32, f32)],
    first: bool,
) -> u32 {
    let nb = w.len();
    if xb.len() < nb * d || j + 2 * STRIP > d {
        return 0;
    }
    let z = F4::splat(0.0);
    let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
    let (mut a4, mut a5, mut a6, mut a7) = (z, z, z, z);
    let mut p = xb.as_ptr().wrapping_add(j);
    let ahead_rows = (ahead.len() / d).min(nb);
    let mut front = ahead.as_ptr().wrapping_add(j);
    let mut touched = 0u32;
    for (n, &wn) in w.iter().enumerate() {
        if n < ahead_rows {
            // SAFETY: n < ahead_rows <= ahead.len() / d and j + 32 <= d, so n·d + j + 16 <
            // ahead.len().
            touched ^= unsafe { (*front).to_bits() ^ (*front.add(STRIP)).to_bits() };
        }
        let s = F4::splat(wn);
        // SAFETY (every load): p = xb + n·d + j with n < nb and j + 32 <= d, so p .. p + 32 lies
        // within xb[.. nb·d] (checked above).
        let v = unsafe { F4::load(p) };
        a0 = a0.add(s.mul(v));
        let v = unsafe { F4::load(p.add(4)) };
        a1 = a1.add(s.mul(v));
        let v = unsafe { F4::load(p.add(8)) };
        a2 = a2.add(s.mul(v));
        let v = unsafe { F4::load(p.add(12)) };
        a3 = a3.add(s.mul(v));
        let v = unsafe { F4::load(p.add(16)) };
        a4 = a4.add(s.mul(v));
        let v = unsafe { F4::load(p.add(20)) };
        a5 = a5.add(s.mul(v));
        let v = unsafe { F4::load(p.add(24)) };
        a6 = a6.add(s.mul(v));
        let v = unsafe { F4::load(p.add(28)) };
        a7 = a7.add(s.mul(v));
        p = p.wrapping_add(d);
        front = front.wrapping_add(d);
    }
    merge_state([[a0, a1, a2, a3, a4, a5, a6, a7]], d, j, state, q0, scale, first);
    touched
}

/// `state ← state·old + partial·new` (or `partial·new` for the first block) for `R` queries
/// from `q0` and components `j .. j + 4V`.
#[inline(always)]
fn merge_state<const R: usize, const V: usize>(
    acc: [[F4; V]; R],
    d: usize,
    j: usize,
    state: &mut [f32],
    q0: usize,
    scale: &[(f32, f32)],
    first: bool,
) {
    for (r, acc) in acc.iter().enumerate() {
        let (old, new) = scale[q0 + r];
        let (old, new) = (F4::splat(old), F4::splat(new));
        for (v, acc) in acc.iter().enumerate() {
            let i = (q0 + r) * d + j + 4 * v;
            let part = acc.mul(new);
            let merged = if first { part } else { load_at(state, i).mul(old).add(part) };
            store_at(state, i, merged);
        }
    }
}

/// The scalar twin of [`axpy_tile`] for the last d mod 4 components (the same operations and
/// order as one lane).
#[allow(clippy::too_many_arguments)]
fn axpy_scalar(w: &[f32], xb: &[f32], d: usize, j: usize, state: &mut [f32], q: usize, scale: (f32, f32), first: bool) {
    let mut acc = 0.0f32;
    for (n, &wn) in w.iter().enumerate() {
        acc += wn * xb[n * d + j];
    }
    let part = acc * scale.1;
    let i = q * d + j;
    state[i] = if first { part } else { state[i] * scale.0 + part };
}

/// Lane operations (4-lane multiplies and adds) per iteration of [`lane_peak`]: 6 multiplies,
/// 6 accumulating adds and 2 adds that move the "queries" on.
pub const LANE_PEAK_OPS: u64 = 14;

/// The roofline of the kernels above: `iterations` steps of a register tile like `dot_2x4`'s
/// (2 "queries" × 3 "patterns", a multiply and an add per pair) with every operand in registers,
/// so nothing but the rate of 4-lane multiplies and adds limits it. `hopfield::bench` times it:
/// [`LANE_PEAK_OPS`] · 4 · `iterations` float operations per call, the most that these lanes
/// (SIMD128 in wasm, SSE natively, no FMA) can do per second on this core, against which the
/// update's two matrix products (2·Q·N·d multiplies and as many adds) are judged. 2 × 3 rather
/// than the kernel's 2 × 4: with 12 live registers V8 spills nothing (2 × 4 needs 15 and ran
/// about 25 % slower in V8). Returns a sum of the accumulators, so no work can be optimised away.
pub fn lane_peak(iterations: u32) -> f32 {
    use core::hint::black_box;
    let z = F4::splat(0.0);
    let (mut a0, mut a1, mut a2, mut b0, mut b1, mut b2) = (z, z, z, z, z, z);
    let x0 = F4::splat(black_box(1.0));
    let x1 = F4::splat(black_box(1.125));
    let x2 = F4::splat(black_box(1.25));
    let (mut y0, mut y1) = (F4::splat(black_box(0.5)), F4::splat(black_box(0.25)));
    let step = F4::splat(black_box(1e-7));
    for _ in 0..iterations {
        a0 = a0.add(x0.mul(y0));
        b0 = b0.add(x0.mul(y1));
        a1 = a1.add(x1.mul(y0));
        b1 = b1.add(x1.mul(y1));
        a2 = a2.add(x2.mul(y0));
        b2 = b2.add(x2.mul(y1));
        y0 = y0.add(step);
        y1 = y1.add(step);
    }
    let s = a0.add(a1).add(a2).add(b0.add(b1).add(b2)).lanes();
    (s[0] + s[1]) + (s[2] + s[3])
}

/// The memory roofline of the kernels: the sum of `x` with the same 4-lane adds (4 running
/// sums of 4 lanes), a single pass that reads every value once and does almost nothing with it.
/// `hopfield::bench` times it over the stored patterns of the one-query workload: one modern
/// update must read all of X at least once, so it cannot take less time than this pass.
pub fn lane_sum(x: &[f32]) -> f32 {
    let z = F4::splat(0.0);
    let (mut s0, mut s1, mut s2, mut s3) = (z, z, z, z);
    let chunks = x.chunks_exact(16);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        s0 = s0.add(load_at(c, 0));
        s1 = s1.add(load_at(c, 4));
        s2 = s2.add(load_at(c, 8));
        s3 = s3.add(load_at(c, 12));
    }
    let s = s0.add(s1).add(s2.add(s3)).lanes();
    ((s[0] + s[1]) + (s[2] + s[3])) + tail
}

/// The most block shares a pool's worker computes for its would-be top segment's state with its
/// first pass ([`ModernShard::segment_state_within`]; `ModernShard.first_pass` in the web
/// binding): a peaked segment's state is one share; a flat one's is every block of the segment,
/// which the merge uses only where the update was not peaked after all (then the page asks for
/// it).
pub const TOP_STATE_SHARES: usize = 4;

/// The most segments an update is cut into (see [`segments`]): enough for a pool of up to this
/// many workers to share the stored patterns.
pub const MAX_SEGMENTS: usize = 8;

/// The fixed plan of an update over `n` stored patterns of dimension `d`: up to
/// [`MAX_SEGMENTS`] consecutive ranges `(n0, n1)` of whole cache blocks ([`block_rows`]), as
/// even as whole blocks allow. It depends only on `n` and `d`, so a pool of workers that each
/// compute some segments ([`ModernShard`]) and one thread that computes them all round the same
/// way: every segment is computed by the same code, and [`merge_segments`] combines them in
/// segment order.
pub fn segments(n: usize, d: usize) -> Vec<(usize, usize)> {
    let nb = block_rows(d);
    let blocks = n.div_ceil(nb);
    let count = blocks.clamp(1, MAX_SEGMENTS);
    (0..count)
        .map(|s| ((s * blocks / count * nb).min(n), ((s + 1) * blocks / count * nb).min(n)))
        .filter(|(n0, n1)| n1 > n0)
        .collect()
}

/// What one segment's computation leaves for the merge, for `q` queries, in three flat arrays
/// (each segment's part follows the previous one's, in segment order; a pool's workers return
/// theirs and the page concatenates them in worker order):
/// - `scalars` (f64): the segment's score maximum per query (q), its softmax sum relative to that
///   maximum (q), and each of its blocks' maxima (q × blocks, query-major);
/// - `states` (f32): Σ_n e_n x_n over the segment, relative to its maximum (q × d);
/// - `numerators` (f32): e_n = exp(β s_n − m_block) for the segment's patterns (q × n_s);
/// - `dots` (f32, only when asked for): the raw dot products ξ·x_n of the queries with the
///   segment's patterns (q × n_s), the [`dots`] of each query: what the energy of the queries
///   needs (eq. 2), so the page's step books it without a second pass over X.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SegmentParts {
    pub scalars: Vec<f64>,
    pub states: Vec<f32>,
    pub numerators: Vec<f32>,
    pub dots: Vec<f32>,
    /// After a first pass of the two-pass path only ([`ModernShard::first_pass_of`]): per
    /// segment, the OR of the bits of its values, a bound on |x| (see [`two_pass_top_suffices`]).
    pub bounds: Vec<u32>,
}

impl SegmentParts {
    pub fn clear(&mut self) {
        self.scalars.clear();
        self.states.clear();
        self.numerators.clear();
        self.dots.clear();
        self.bounds.clear();
    }

    /// Appends `other`'s parts (the next segments' in order): how a pool's shards are joined.
    pub fn append(&mut self, other: &SegmentParts) {
        self.scalars.extend_from_slice(&other.scalars);
        self.states.extend_from_slice(&other.states);
        self.numerators.extend_from_slice(&other.numerators);
        self.dots.extend_from_slice(&other.dots);
        self.bounds.extend_from_slice(&other.bounds);
    }
}

/// Reusable scratch space for [`ModernWorkspace::update`]: a few numbers per query and block,
/// and the segments' parts, kept between calls so that repeated updates of the same size
/// allocate nothing.
#[derive(Debug, Default, Clone)]
pub struct ModernWorkspace {
    /// The running maximum and softmax sum within the current segment, per query.
    run_max: Vec<f64>,
    run_sum: Vec<f64>,
    /// (old, new) scale factors of the current merge, per query.
    scale: Vec<(f32, f32)>,
    /// The bits of the values read ahead by one query's update (see `axpy_1x4`), kept so that
    /// those reads stay.
    touched: u32,
    /// The segments' parts (single-threaded updates).
    parts: Box<SegmentParts>,
    /// Scratch for P X: a batch's current block in strips ([`pack_strips`]), or one query's
    /// partial Σ e x over the pending block (`segment_one`).
    scratch: Vec<f32>,
    /// One query's values, placed half a 4 KiB page away from the stored patterns' rows
    /// ([`placed_query`]).
    placed: Vec<f32>,
    /// How one query's update reads X ([`OneQueryPath`]), and whether the last one query's
    /// softmax was peaked enough for the two-pass path to pay (what `Auto` goes by).
    path: OneQueryPath,
    peaked: bool,
    /// The two-pass path's plan (boxed: a session holds a workspace by value).
    plan: Box<TwoPassPlan>,
}

/// What the two-pass path's first phase learnt, per block and per segment, and how many block
/// shares of Σ e x its second phase computed (for tests and the bench).
#[derive(Debug, Default, Clone)]
struct TwoPassPlan {
    blocks: Vec<BlockPlan>,
    segments: Vec<SegmentPlan>,
    partials: Option<usize>,
}

/// How one query's update (Q = 1, d a multiple of 4) reads the stored patterns. Both paths
/// compute every value with the same operations in the same order, so they give the same bits
/// (`the_two_pass_update_has_the_block_by_block_bits`); only their speed differs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OneQueryPath {
    /// [`OneQueryPath::TwoPass`] after a one-query update whose softmax was peaked (one stored
    /// pattern holding all but about 2⁻²⁴ of the weight), [`OneQueryPath::BlockByBlock`] otherwise.
    #[default]
    Auto,
    /// Block by block: each block's scores (X read from memory), then its share of Σ e x (the
    /// block read again from L2; `segment_one`). Best when many weights matter.
    BlockByBlock,
    /// Every score first (one read of X, eight rows at a time), then only the shares of Σ e x that
    /// can change a bit of the result (`update_one_two_pass`). Best when the softmax is peaked
    /// (retrieval): then one block of X is read again, not all of it.
    TwoPass,
}

/// What the two-pass path's first phase learnt about a block of one query's segment.
#[derive(Clone, Copy, Debug, Default)]
struct BlockPlan {
    /// The block's first row within its segment, and its rows.
    row0: usize,
    rows: usize,
    /// `merge_factors`' (old, new) for the block, and whether the block raised the running
    /// maximum (or was the segment's first): then old scales what came before and new is 1.
    old: f32,
    new: f32,
    raised: bool,
    /// Σ e over the block (relative to its maximum) and the running sum before it (relative to
    /// the running maximum before it).
    sum: f64,
    sum_before: f64,
    /// The OR of the bits of every value in the block's rows: as a float without its sign, at
    /// least the largest |x| there ([`or_bound`]).
    or: u32,
}

/// What the two-pass path's first phase learnt about a segment of one query's update.
#[derive(Clone, Copy, Debug, Default)]
struct SegmentPlan {
    /// The segment's rows (n0, n1) and its blocks in [`TwoPassPlan::blocks`].
    n0: usize,
    n1: usize,
    block0: usize,
    blocks: usize,
}

impl ModernWorkspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Chooses how one query's update reads X (default [`OneQueryPath::Auto`]); the bits are
    /// the same whichever it is.
    pub fn set_one_query_path(&mut self, path: OneQueryPath) {
        self.path = path;
    }

    /// How many blocks' shares of Σ e x the last update computed on the two-pass path, out of
    /// how many blocks; `None` when the last update did not take it.
    pub fn two_pass_partials(&self) -> Option<(usize, usize)> {
        self.plan.partials.map(|done| (done, self.plan.blocks.len()))
    }

    /// The modern update (see [`modern_update`]) with this workspace's scratch space: every
    /// segment of [`segments`] in turn, then [`merge_segments`].
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        &mut self,
        x: &[f32],
        n: usize,
        d: usize,
        queries: &[f32],
        q: usize,
        beta: f32,
        out_state: &mut [f32],
        out_p: &mut [f32],
    ) -> Result<(), String> {
        self.update_keeping_dots(x, n, d, queries, q, beta, out_state, out_p, None)
    }

    /// [`Self::update`] that also writes the raw dot products of every query with every stored
    /// pattern (Q × N, row-major) into `out_dots`: the scores the update computes anyway, with
    /// the bits of [`dots`]. The energy of the queries (eq. 2) needs exactly these, so a step
    /// that keeps them books the energy of the state it started from without a second pass over
    /// X (`HopfieldSession::step_pipelined`). Errors, writing nothing, as `update` does and when
    /// `out_dots` does not hold Q × N values.
    #[allow(clippy::too_many_arguments)]
    pub fn update_keeping_dots(
        &mut self,
        x: &[f32],
        n: usize,
        d: usize,
        queries: &[f32],
        q: usize,
        beta: f32,
        out_state: &mut [f32],
        out_p: &mut [f32],
        out_dots: Option<&mut [f32]>,
    ) -> Result<(), String> {
        self.update_with_row_bits(x, n, d, None, queries, q, beta, out_state, out_p, out_dots)
    }

    /// [`Self::update_keeping_dots`] over a store whose [`row_bits`] the caller keeps
    /// (`row_bits`: `row_bits(x, d)`, N values; `None` computes them on the way). Where one
    /// query takes two passes, the first then ORs N numbers instead of every value of X (in
    /// V8 the page's step went from about 1.55× a pass over X to about 1.3×). The bits of the
    /// result are the same either way, provided the row bits are X's own: bits that miss some
    /// of X's could let the second pass skip a share that changes the result. Errors as
    /// `update_keeping_dots` does and when `row_bits` does not hold N values.
    #[allow(clippy::too_many_arguments)]
    pub fn update_with_row_bits(
        &mut self,
        x: &[f32],
        n: usize,
        d: usize,
        row_bits: Option<&[u32]>,
        queries: &[f32],
        q: usize,
        beta: f32,
        out_state: &mut [f32],
        out_p: &mut [f32],
        out_dots: Option<&mut [f32]>,
    ) -> Result<(), String> {
        check_sizes(x, n, d, queries, q, beta, out_state, out_p)?;
        if let Some(bits) = row_bits {
            if bits.len() != n {
                return Err(format!("modern update: {} row bits for N = {n} stored patterns", bits.len()));
            }
        }
        if let Some(dots) = &out_dots {
            if dots.len() != out_p.len() {
                return Err(format!(
                    "modern update: the dot buffer holds {} numbers, expected {}",
                    dots.len(),
                    out_p.len()
                ));
            }
        }
        if q == 0 {
            return Ok(());
        }
        let mut parts = core::mem::take(&mut *self.parts);
        parts.clear();
        let keep_dots = out_dots.is_some();
        let one = q == 1 && d.is_multiple_of(4);
        let two_pass = one
            && match self.path {
                OneQueryPath::Auto => self.peaked,
                OneQueryPath::BlockByBlock => false,
                OneQueryPath::TwoPass => true,
            };
        self.plan.partials = None;
        if two_pass {
            self.update_one_two_pass(x, row_bits, n, d, &queries[..d], f64::from(beta), keep_dots, &mut parts);
        } else {
            for (n0, n1) in segments(n, d) {
                self.segment(&x[n0 * d..n1 * d], n1 - n0, d, queries, q, beta, keep_dots, &mut parts);
            }
        }
        if one {
            self.peaked = peaked_softmax(n, d, &parts.scalars);
        }
        let merged = merge_segments(n, d, q, &parts, out_state, out_p);
        if let (Ok(()), Some(out)) = (&merged, out_dots) {
            segment_rows_to_matrix(n, d, q, &parts.dots, out)?;
        }
        *self.parts = parts;
        merged
    }

    /// One segment (`x`: its `n` rows), its part appended to `parts`. Blocks of
    /// [`block_rows`]`(d)` rows from the segment's start (segments start on block boundaries, so
    /// these are the update's blocks):
    /// 1. scores of every query against the block, in register tiles of 2 queries × 4 patterns;
    /// 2. the block's softmax numerators e = exp(β·dot − m_block) (f64, stored as f32);
    /// 3. the block's share of Σ e x, in register tiles of 2 queries × 16 components, merged into
    ///    the segment's running state with the "online softmax" rescaling (the running maximum
    ///    changes only when a block's maximum is larger: state ← state·e^{m_old − m_new} +
    ///    partial·e^{m_block − m_new}).
    ///
    /// With `keep_dots`, step 1's raw dot products are copied to `parts.dots` before step 2
    /// turns them into numerators (a copy of q × nb values per block, nothing more). One query
    /// with d a multiple of 4 takes [`Self::segment_one`] (the same bits).
    #[allow(clippy::too_many_arguments)]
    fn segment(
        &mut self,
        x: &[f32],
        n: usize,
        d: usize,
        queries: &[f32],
        q: usize,
        beta: f32,
        keep_dots: bool,
        parts: &mut SegmentParts,
    ) {
        let nb = block_rows(d);
        let blocks = n.div_ceil(nb);
        let beta = f64::from(beta);
        refill(&mut self.run_max, q, f64::NEG_INFINITY);
        refill(&mut self.run_sum, q, 0.0);
        refill(&mut self.scale, q, (1.0, 1.0));
        let scalars0 = parts.scalars.len();
        parts.scalars.resize(scalars0 + q * (2 + blocks), f64::NEG_INFINITY);
        let states0 = parts.states.len();
        parts.states.resize(states0 + q * d, 0.0);
        let p0 = parts.numerators.len();
        parts.numerators.resize(p0 + q * n, 0.0);
        let dots0 = parts.dots.len();
        if keep_dots {
            parts.dots.resize(dots0 + q * n, 0.0);
        }
        let block_max = &mut parts.scalars[scalars0 + 2 * q..];
        let out_state = &mut parts.states[states0..];
        let out_p = &mut parts.numerators[p0..];
        let out_dots = &mut parts.dots[dots0..];

        if q == 1 && d.is_multiple_of(4) {
            let keep = if keep_dots { Some(&mut *out_dots) } else { None };
            self.segment_one(x, n, d, &queries[..d], beta, keep, block_max, out_state, out_p);
            parts.scalars[scalars0] = self.run_max[0];
            parts.scalars[scalars0 + 1] = self.run_sum[0];
            return;
        }
        for b in 0..blocks {
            let n0 = b * nb;
            let n1 = (n0 + nb).min(n);
            // 1. Raw dot products of every query with the block, into out_p (register tiles).
            let mut c = n0;
            while c < n1 {
                let tile_c = if n1 - c >= NT { NT } else { 1 };
                let mut r = 0;
                if tile_c == NT && matches!(d, 256 | 1024 | 4096) {
                    let (pairs, xs) = (q / QT, &x[c * d..(c + NT) * d]);
                    match d {
                        256 => scores_pairs_2x4_fixed::<256>(queries, pairs, xs, out_p, n, c),
                        1024 => scores_pairs_2x4_fixed::<1024>(queries, pairs, xs, out_p, n, c),
                        _ => scores_pairs_2x4_fixed::<4096>(queries, pairs, xs, out_p, n, c),
                    }
                    r = pairs * QT;
                }
                while r < q {
                    let tile_r = if q - r >= QT { QT } else { 1 };
                    match (tile_r, tile_c) {
                        (QT, NT) => {
                            let t = dot_2x4(
                                core::array::from_fn(|i| row(queries, r + i, d)),
                                core::array::from_fn(|i| row(x, c + i, d)),
                                d,
                            );
                            for (i, t) in t.iter().enumerate() {
                                out_p[(r + i) * n + c..(r + i) * n + c + NT].copy_from_slice(t);
                            }
                        }
                        (QT, _) => {
                            let t =
                                dot_tile::<QT, 1>(core::array::from_fn(|i| row(queries, r + i, d)), [row(x, c, d)], d);
                            for (i, t) in t.iter().enumerate() {
                                out_p[(r + i) * n + c] = t[0];
                            }
                        }
                        (_, NT) => {
                            let t = dot_1x4([row(queries, r, d)], core::array::from_fn(|i| row(x, c + i, d)), d);
                            out_p[r * n + c..r * n + c + NT].copy_from_slice(&t[0]);
                        }
                        _ => out_p[r * n + c] = dot_tile::<1, 1>([row(queries, r, d)], [row(x, c, d)], d)[0][0],
                    }
                    r += tile_r;
                }
                c += tile_c;
            }
            if keep_dots {
                for r in 0..q {
                    out_dots[r * n + n0..r * n + n1].copy_from_slice(&out_p[r * n + n0..r * n + n1]);
                }
            }
            // 2. The block's softmax numerators e = exp(β·dot − m_block) and the merge factors.
            for r in 0..q {
                let (m, sum) = block_numerators(&mut out_p[r * n + n0..r * n + n1], beta);
                block_max[r * blocks + b] = m;
                self.scale[r] = merge_factors(&mut self.run_max[r], &mut self.run_sum[r], m, sum, b == 0);
            }
            // 3. The block's share of Σ e x, merged into the running state.
            let xb = &x[n0 * d..n1 * d];
            let first = b == 0;
            let w = |r: usize| -> &[f32] { &out_p[r * n + n0..r * n + n1] };
            // One query alone (d not a multiple of 4): read the next block ahead (`axpy_1x4`).
            let ahead = if q == 1 { &x[n1 * d..(n1 + nb).min(n) * d] } else { &[][..] };
            let packed = q >= PACK_MIN_QUERIES;
            if packed {
                pack_strips(xb, n1 - n0, d, &mut self.scratch);
            }
            let rows = n1 - n0;
            let (xs, strip_step, stride) =
                if packed { (&self.scratch[..], rows * STRIP, STRIP) } else { (xb, STRIP, d) };
            let mut r = 0;
            while r + QT <= q {
                let (state0, state1) = out_state[r * d..(r + QT) * d].split_at_mut(d);
                let scale = [self.scale[r], self.scale[r + 1]];
                axpy_pair_2x16(w(r), w(r + 1), xs, d / STRIP, strip_step, stride, state0, state1, scale, first);
                r += QT;
            }
            let mut j = d - d % STRIP;
            // The last query of an odd batch (or the only one): 32 components per tile, then 16.
            if q % QT == 1 {
                let r = q - 1;
                let mut j = 0;
                while j + 2 * STRIP <= d {
                    self.touched ^= axpy_1x32(w(r), xb, ahead, d, j, out_state, r, &self.scale, first);
                    j += 2 * STRIP;
                }
                while j + STRIP <= d {
                    self.touched ^= axpy_1x4([w(r)], xb, ahead, d, j, out_state, r, &self.scale, first);
                    j += STRIP;
                }
            }
            while j + 4 <= d {
                let mut r = 0;
                while r + QT <= q {
                    axpy_tile::<QT, 1>(core::array::from_fn(|i| w(r + i)), xb, d, j, out_state, r, &self.scale, first);
                    r += QT;
                }
                while r < q {
                    axpy_tile::<1, 1>([w(r)], xb, d, j, out_state, r, &self.scale, first);
                    r += 1;
                }
                j += 4;
            }
            while j < d {
                for r in 0..q {
                    axpy_scalar(w(r), xb, d, j, out_state, r, self.scale[r], first);
                }
                j += 1;
            }
        }
        parts.scalars[scalars0..scalars0 + q].copy_from_slice(&self.run_max);
        parts.scalars[scalars0 + q..scalars0 + 2 * q].copy_from_slice(&self.run_sum);
    }
}

impl ModernWorkspace {
    /// [`Self::segment`] for one query (d a multiple of 4), block by block, each block read once
    /// from memory and once from L2: its scores eight rows at a time ([`dots_or_run`]), its
    /// numerators and merge factors, then its share of Σ e x from L2, 8 rows per pass over the
    /// partial sums ([`axpy_rows`]), merged into the running state. The same operations in the
    /// same order as the batch path for every value (each score over k as `dot_1x4`, each component's sum over
    /// the block's rows in increasing n from zero, then the same merge): the same bits
    /// (`a_query_has_the_same_bits_alone_and_in_any_batch`, the golden `HOPFIELD_KERNELS`).
    ///
    /// Natively a 64×64 query against 10,000 patterns took 7.0 ms this way against 9.5 ms for
    /// the pipeline it replaced (block b's scores computed in one loop with block b − 1's share,
    /// 6 rows of each: 12 streams at once), one pass over X 4.2 ms (an AMD EPYC machine,
    /// docs/hopfield.md).
    #[allow(clippy::too_many_arguments)]
    fn segment_one(
        &mut self,
        x: &[f32],
        n: usize,
        d: usize,
        query: &[f32],
        beta: f64,
        mut out_dots: Option<&mut [f32]>,
        block_max: &mut [f64],
        out_state: &mut [f32],
        out_p: &mut [f32],
    ) {
        let nb = block_rows(d);
        refill(&mut self.scratch, d, 0.0);
        let mut placed = core::mem::take(&mut self.placed);
        let query = placed_query(&mut placed, query, x);
        for (b, block_max) in block_max.iter_mut().enumerate().take(n.div_ceil(nb)) {
            let (n0, rows) = (b * nb, nb.min(n - b * nb));
            dots_or_run::<false>(query, &x[n0 * d..(n0 + rows) * d], d, &mut out_p[n0..n0 + rows]);
            if let Some(dots) = out_dots.as_deref_mut() {
                dots[n0..n0 + rows].copy_from_slice(&out_p[n0..n0 + rows]);
            }
            let (m, sum) = block_numerators(&mut out_p[n0..n0 + rows], beta);
            *block_max = m;
            self.scale[0] = merge_factors(&mut self.run_max[0], &mut self.run_sum[0], m, sum, b == 0);
            self.scratch.fill(0.0);
            axpy_rows(&x[n0 * d..(n0 + rows) * d], &out_p[n0..n0 + rows], &mut self.scratch, d);
            merge_partial(&self.scratch, out_state, self.scale[0], b == 0);
        }
        self.placed = placed;
    }
}

impl ModernWorkspace {
    /// One query's update in two passes, with the bits of block by block (`segment_one` for
    /// every segment, then [`merge_segments`]); `parts` receives what those would give it.
    ///
    /// 1. Every score ([`dots_or_run`]: eight rows at a time), the numerators of each block,
    ///    and every merge factor of the online softmax, within segments and between them: these
    ///    depend on the scores alone. Each block's values ORed together bound its |x|
    ///    ([`or_bound`]): from the store's [`row_bits`] where the caller keeps them, else ORed
    ///    on the way.
    /// 2. The shares of Σ e x, only where they can change a bit of the result. Where the running
    ///    maximum was last raised (block D of a segment, segment s* of the update), everything
    ///    before is scaled by old = e^{m_before − m_D} and added to D's share P:
    ///    fl(fl(S·old) + P). If |S·old| is below a quarter of the spacing of the f32 numbers at
    ///    every component of P (`absorbs`), that sum is exactly P, so nothing before D needs
    ///    computing; |S| ≤ Σ_before e·max|x| (the running sum, with a factor 2 for the f32
    ///    roundings, far more than they can add). After D, old is 1 and a block (segment) adds
    ///    fl(P_b·new): where P_b·new is bounded the same way below a quarter of the spacing at
    ///    every component of the running state, adding it changes no bit, so it is skipped.
    ///    Where a bound fails, the shares are computed with `segment_one`'s operations (each
    ///    share from zero over its rows in increasing n, `axpy_rows`, then `merge_partial`), so
    ///    the bits never depend on the path. Skipped segments' states are left zero: the merge
    ///    then computes fl(0·old) + P = P and fl(T + 0) = T, what the absorption proved.
    #[allow(clippy::too_many_arguments)]
    fn update_one_two_pass(
        &mut self,
        x: &[f32],
        row_bits: Option<&[u32]>,
        n: usize,
        d: usize,
        query: &[f32],
        beta: f64,
        keep_dots: bool,
        parts: &mut SegmentParts,
    ) {
        let plan = segments(n, d);
        self.first_pass(x, row_bits, &plan, d, query, beta, keep_dots, parts);
        let Ok(top) = two_pass_top(n, d, &parts.scalars) else { return };
        self.segment_state(x, d, top, parts);
        let top_state = parts.states[top * d..(top + 1) * d].to_vec();
        if two_pass_top_suffices(n, d, &parts.scalars, &parts.bounds, &top_state) != Ok(true) {
            for s in (0..plan.len()).filter(|&s| s != top) {
                self.segment_state(x, d, s, parts);
            }
        }
    }

    /// The two-pass path's first phase over the segments `plan` (rows of `x`, consecutive):
    /// every score, each block's numerators and merge factors, and a bound on the values of
    /// each block and segment (the OR of `row_bits`, the [`row_bits`] of `x`'s rows, or of the
    /// values as they are read when there are none); `parts` receives each segment's scalars,
    /// numerators, dots (with `keep_dots`) and bound, and a zero state for
    /// [`Self::segment_state`] to fill.
    #[allow(clippy::too_many_arguments)]
    fn first_pass(
        &mut self,
        x: &[f32],
        row_bits: Option<&[u32]>,
        plan: &[(usize, usize)],
        d: usize,
        query: &[f32],
        beta: f64,
        keep_dots: bool,
        parts: &mut SegmentParts,
    ) {
        let nb = block_rows(d);
        self.plan.blocks.clear();
        self.plan.segments.clear();
        self.plan.partials = Some(0);
        let mut placed = core::mem::take(&mut self.placed);
        let query = placed_query(&mut placed, query, x);
        for &(n0, n1) in plan {
            let ns = n1 - n0;
            let blocks = ns.div_ceil(nb);
            let scalars0 = parts.scalars.len();
            parts.scalars.resize(scalars0 + 2 + blocks, f64::NEG_INFINITY);
            parts.states.resize(parts.states.len() + d, 0.0);
            let p0 = parts.numerators.len();
            parts.numerators.resize(p0 + ns, 0.0);
            let dots0 = parts.dots.len();
            if keep_dots {
                parts.dots.resize(dots0 + ns, 0.0);
            }
            let (mut run_max, mut run_sum) = (f64::NEG_INFINITY, 0.0f64);
            let mut seg_or = 0u32;
            let block0 = self.plan.blocks.len();
            for b in 0..blocks {
                let (r0, r1) = (b * nb, ((b + 1) * nb).min(ns));
                let out = &mut parts.numerators[p0 + r0..p0 + r1];
                let rows = &x[(n0 + r0) * d..(n0 + r1) * d];
                let or = match row_bits.and_then(|bits| bits.get(n0 + r0..n0 + r1)) {
                    Some(bits) => {
                        dots_or_run::<false>(query, rows, d, out);
                        bits.iter().fold(0, |or, &b| or | b)
                    }
                    None => dots_or_run::<true>(query, rows, d, out),
                };
                if keep_dots {
                    parts.dots[dots0 + r0..dots0 + r1].copy_from_slice(out);
                }
                let (m, sum) = block_numerators(out, beta);
                parts.scalars[scalars0 + 2 + b] = m;
                let raised = b == 0 || m > run_max;
                let sum_before = run_sum;
                let (old, new) = merge_factors(&mut run_max, &mut run_sum, m, sum, b == 0);
                self.plan.blocks.push(BlockPlan { row0: r0, rows: r1 - r0, old, new, raised, sum, sum_before, or });
                seg_or |= or;
            }
            parts.scalars[scalars0] = run_max;
            parts.scalars[scalars0 + 1] = run_sum;
            parts.bounds.push(seg_or);
            self.plan.segments.push(SegmentPlan { n0, n1, block0, blocks });
        }
        self.placed = placed;
    }

    /// Segment `s`'s state (Σ e x relative to its maximum, as `segment_one` merges its blocks)
    /// into its place in `parts.states`, computing only the block shares that can change a bit
    /// (see [`Self::update_one_two_pass`]).
    fn segment_state(&mut self, x: &[f32], d: usize, s: usize, parts: &mut SegmentParts) {
        self.segment_state_within(x, d, s, parts, usize::MAX);
    }

    /// [`Self::segment_state`] where it needs at most `max_shares` block shares: true when the
    /// state is in place; false, having computed at most `max_shares` shares, when it needs
    /// more (then `parts`' state of segment `s` is not its state: a later `segment_state`
    /// writes it whole, as it starts by overwriting it).
    fn segment_state_within(
        &mut self,
        x: &[f32],
        d: usize,
        s: usize,
        parts: &mut SegmentParts,
        max_shares: usize,
    ) -> bool {
        let plan = self.plan.segments[s];
        let blocks = &self.plan.blocks[plan.block0..plan.block0 + plan.blocks];
        let numerators0: usize = self.plan.segments[..s].iter().map(|p| p.n1 - p.n0).sum();
        let share = |b: &BlockPlan, scratch: &mut Vec<f32>| {
            refill(scratch, d, 0.0);
            let r0 = plan.n0 + b.row0;
            let w = &parts.numerators[numerators0 + b.row0..numerators0 + b.row0 + b.rows];
            axpy_rows(&x[r0 * d..(r0 + b.rows) * d], w, scratch, d);
        };
        if max_shares == 0 {
            return false;
        }
        let top = blocks.iter().rposition(|b| b.raised).unwrap_or(0);
        let t = blocks[top];
        share(&t, &mut self.scratch);
        let mut done = 1;
        let before_or = blocks[..top].iter().fold(0, |o, b| o | b.or);
        let state = &mut parts.states[s * d..(s + 1) * d];
        let complete = if top > 0 && !absorbs(t.sum_before * or_bound(before_or) * f64::from(t.old), &self.scratch) {
            if done + blocks.len() > max_shares {
                false
            } else {
                // The bound failed: every share, as segment_one computes them.
                for (b, plan) in blocks.iter().enumerate() {
                    share(plan, &mut self.scratch);
                    merge_partial(&self.scratch, state, (plan.old, plan.new), b == 0);
                }
                done += blocks.len();
                true
            }
        } else {
            // fl(fl(S·old) + P·1) = P, what merge_partial writes for a first block (P·1).
            merge_partial(&self.scratch, state, (t.old, 1.0), true);
            // The state changes only where a share is merged: its exponents are read again
            // then, not for every block (a pass over d values per block was about 3 % of the
            // page's step at 64×64 in V8's profile).
            let mut least = least_exponent(state);
            let mut complete = true;
            for plan in &blocks[top + 1..] {
                if absorbs_at(plan.sum * or_bound(plan.or) * f64::from(plan.new), least) {
                    continue;
                }
                if done == max_shares {
                    complete = false;
                    break;
                }
                share(plan, &mut self.scratch);
                done += 1;
                merge_partial(&self.scratch, state, (plan.old, plan.new), false);
                least = least_exponent(state);
            }
            complete
        };
        if let Some(total) = &mut self.plan.partials {
            *total += done;
        }
        complete
    }
}

/// One segment's place in the merge of one query's segments (see [`segment_factors`]).
#[derive(Clone, Copy, Debug)]
struct SegmentFactor {
    /// `merge_factors`' (old, new) for the segment.
    old: f32,
    new: f32,
    /// Whether it raised the running maximum (or was the first): then new is 1.
    raised: bool,
    /// The running sum before it, its own sum, and the running sum after it.
    sum_before: f64,
    sum: f64,
    sum_after: f64,
}

/// Each segment's merge factors for one query as [`merge_segment_states`] computes them from
/// the segments' scalars (run max, run sum, block maxima each).
fn segment_factors(n: usize, d: usize, scalars: &[f64]) -> Result<Vec<SegmentFactor>, String> {
    let nb = block_rows(d);
    let plan = segments(n, d);
    let (mut run_max, mut run_sum) = (f64::NEG_INFINITY, 0.0f64);
    let mut out = Vec::with_capacity(plan.len());
    let mut at = 0;
    for (s, (n0, n1)) in plan.into_iter().enumerate() {
        let (Some(&m), Some(&sum)) = (scalars.get(at), scalars.get(at + 1)) else {
            return Err(format!("two-pass update: {} scalars are too few for N = {n}, d = {d}", scalars.len()));
        };
        let raised = s == 0 || m > run_max;
        let sum_before = run_sum;
        let (old, new) = merge_factors(&mut run_max, &mut run_sum, m, sum, s == 0);
        out.push(SegmentFactor { old, new, raised, sum_before, sum, sum_after: run_sum });
        at += 2 + (n1 - n0).div_ceil(nb);
    }
    if at != scalars.len() {
        return Err(format!("two-pass update: {} scalars, expected {at} for N = {n}, d = {d}", scalars.len()));
    }
    Ok(out)
}

/// The segment of one query's update (Q = 1) whose state the two-pass path computes first:
/// the last one that raised the running maximum as [`merge_segment_states`] merges them, from
/// every segment's scalars after the first pass. Errors when the scalars do not fit N and d.
pub fn two_pass_top(n: usize, d: usize, scalars: &[f64]) -> Result<usize, String> {
    Ok(segment_factors(n, d, scalars)?.iter().rposition(|f| f.raised).unwrap_or(0))
}

/// Whether the top segment's state (`top_state`, d values; [`two_pass_top`]) is all that the
/// merge of one query's segments needs, every other segment's state left zero giving the same
/// bits: what came before is scaled by the top segment's factor old and then vanishes in
/// fl(fl(T·old) + S) = S, and each later segment adds S_s·new, which changes no bit of S (see
/// `absorbs`; |T| ≤ the running sum × the bound on |x| of the segments before, |S_s| ≤ its sum ×
/// its bound, each bound from `bounds`, the ORs of the first pass). False where any bound
/// fails: then every segment's state is needed. Errors when the sizes do not fit N and d.
pub fn two_pass_top_suffices(
    n: usize,
    d: usize,
    scalars: &[f64],
    bounds: &[u32],
    top_state: &[f32],
) -> Result<bool, String> {
    let factors = segment_factors(n, d, scalars)?;
    if bounds.len() != factors.len() || top_state.len() != d {
        return Err(format!(
            "two-pass update: {} bounds and {} state values for {} segments of d = {d}",
            bounds.len(),
            top_state.len(),
            factors.len()
        ));
    }
    let top = factors.iter().rposition(|f| f.raised).unwrap_or(0);
    let SegmentFactor { old, sum_before, .. } = factors[top];
    let before = bounds[..top].iter().fold(0, |o, b| o | b);
    if top > 0 && !absorbs(sum_before * or_bound(before) * f64::from(old), top_state) {
        return Ok(false);
    }
    let least = least_exponent(top_state);
    Ok(factors
        .iter()
        .zip(bounds)
        .skip(top + 1)
        .all(|(f, &bound)| absorbs_at(f.sum * or_bound(bound) * f64::from(f.new), least)))
}

/// Whether fl(v_j + u_j) = v_j for every component and every u with |u_j| ≤ 2·`bound` (the
/// caller's bound on what a merge adds, times 2 for the roundings it leaves out): 2·bound below
/// a quarter of the spacing of the f32 numbers at each v_j (a quarter, not a half: just below a
/// power of two the spacing halves). A zero or subnormal v_j gets a quarter of at most 2⁻¹⁵²,
/// which only a zero bound passes, and then u is zero too (an underflowed factor) and v_j + 0 =
/// v_j (no v_j is −0: the shares and states start from +0). False for a NaN bound or an
/// infinite or NaN v_j.
fn absorbs(bound: f64, v: &[f32]) -> bool {
    absorbs_at(bound, least_exponent(v))
}

/// The least biased exponent of the components of `v` (`u32::MAX` when it is empty), or None
/// when one is infinite or NaN: all that [`absorbs`] needs of `v`, so a loop that asks about
/// many bounds against one `v` reads it once.
fn least_exponent(v: &[f32]) -> Option<u32> {
    let mut least = u32::MAX;
    for &c in v {
        let e = (c.to_bits() >> 23) & 0xff;
        if e == 0xff {
            return None; // infinite or NaN: leave NaN payloads to the operations themselves
        }
        least = least.min(e);
    }
    Some(least)
}

/// [`absorbs`] for a `v` whose [`least_exponent`] is `least`.
fn absorbs_at(bound: f64, least: Option<u32>) -> bool {
    let Some(least) = least else { return false };
    // A normal f32 with biased exponent e spans [2^(e−127), 2^(e−126)); its spacing is
    // 2^(e−150), a quarter of it 2^(e−152).
    let quarter = pow2(least as i32 - 152);
    2.0 * bound < quarter
}

/// The largest |x| that values whose bits ORed together give `or` can have: the OR of
/// non-negative floats' bits is at least each of them as an integer, hence as a float. Infinite
/// when the OR has an infinite or NaN exponent.
fn or_bound(or: u32) -> f64 {
    f64::from(f32::from_bits(or & 0x7fff_ffff))
}

/// Each row's OR of the bits of its values (`x`: rows of `d` values; empty for d = 0): what the
/// two-pass path's first pass needs of a block to bound its |x| ([`or_bound`]). A store that
/// does not change (the model's, a shard's) computes them once and hands them to
/// [`ModernWorkspace::update_with_row_bits`], so each update's first pass only multiplies and
/// adds: in V8 ORing the values on the way made the page's step 1.53–1.59× a pass over X,
/// against 1.31–1.34× without (Node, the site's build; docs/hopfield.md).
pub fn row_bits(x: &[f32], d: usize) -> Vec<u32> {
    if d == 0 {
        return Vec::new();
    }
    x.chunks_exact(d).map(row_or).collect()
}

/// One row's entry of [`row_bits`]: the OR of the bits of its values.
pub fn row_or(row: &[f32]) -> u32 {
    row.iter().fold(0, |or, v| or | v.to_bits())
}

/// Whether one query's softmax (its segments' parts: run max, run sum, block maxima each) is
/// peaked: merged as [`merge_segment_states`] merges them, the sum relative to the maximum is
/// within 2⁻²⁴ of 1, so one stored pattern holds all the weight but what an f32 sum cannot
/// see. Then the two-pass path is likely to skip almost every block ([`OneQueryPath::Auto`]).
pub fn peaked_softmax(n: usize, d: usize, scalars: &[f64]) -> bool {
    let last = segment_factors(n, d, scalars).ok().and_then(|f| f.last().copied());
    last.is_some_and(|f| f.sum_after <= 1.0 + pow2(-24))
}

/// A copy of `query` in `buf`, placed so that its address is 2 KiB past `x`'s modulo 4 KiB, and
/// that copy. The dots read the query beside the rows, value k of each in the same step; where
/// the query and the rows sat at the same offset within a 4 KiB page (the rows of a 64×64 store
/// are 16 KiB apart, so every row did once one did), the loads of the query went much slower: in
/// Node's V8 the dots alone (one row at a time, then) took 5.46 ms with the query at the rows'
/// offset and 4.35–4.61 ms 1–2 KiB away, one pass over X 3.85 ms (a Zen 5 EPYC machine; the L1
/// cache finds a line by part of its address, and two streams at one offset compete for it).
/// The same values: the same bits.
fn placed_query<'a>(buf: &'a mut Vec<f32>, query: &[f32], x: &[f32]) -> &'a [f32] {
    const PAGE: usize = 4096;
    let d = query.len();
    refill(buf, d + PAGE / 4, 0.0);
    let want = (x.as_ptr() as usize + PAGE / 2) % PAGE;
    let have = buf.as_ptr() as usize % PAGE;
    // Both are f32 addresses, so the gap is a whole number of values (below 1024).
    let shift = ((want + PAGE - have) % PAGE) / 4;
    buf[shift..shift + d].copy_from_slice(query);
    &buf[shift..shift + d]
}

/// The dot product of `query` with `row` (as [`dot_tile`] computes it: the even and the odd
/// 4-lane chunks in two running sums, here in one loop) and the OR of the bits of every value of
/// the row: the rows that [`dots_or_run`] leaves after its groups of [`ROWS_AT_ONCE`]. (On a
/// Zen 5 EPYC machine one row at a time read X fastest natively: 2 rows took 1.96× one pass, 6
/// rows 1.43×, measured before the query was placed away from the rows' page offset
/// ([`placed_query`]); on a Zen 4 EPYC eight rows at a time are faster, see [`dot_or_8`].)
/// Zero and no bits when the sizes do not fit (never happens: d is a multiple of 4 and both are
/// d long).
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn dot_or_1<const OR: bool>(query: &[f32], row: &[f32], d: usize) -> (f32, u32) {
    if !d.is_multiple_of(4) || query.len() < d || row.len() < d {
        return (0.0, 0);
    }
    let z = F4::splat(0.0);
    // Two ORs as well: one chain of both would be as long as the sums' (a cycle each, twice per
    // step), and the first pass would wait on it.
    let (mut even, mut odd, mut o_even, mut o_odd) = (z, z, z, z);
    // Two pointers that advance, each load at a constant offset from one: in wasm the offsets
    // fold into the loads (`offset=16`), where an index scaled in the loop cost V8 an integer
    // instruction per load (read in its code for the site's build: 21 instructions per step).
    // In Node's V8 the dots alone took 0.93–0.96× the time (a small program, medians of 15);
    // the site's bench did not tell the difference.
    let (mut qp, mut xp) = (query.as_ptr(), row.as_ptr());
    for _ in 0..d / 8 {
        // SAFETY: after i steps qp = query + 8i and xp = row + 8i with 8i + 8 <= d <= both
        // lengths (checked above).
        let (u, v, u1, v1) = unsafe { (F4::load(qp), F4::load(xp), F4::load(qp.add(4)), F4::load(xp.add(4))) };
        even = even.add(u.mul(v));
        odd = odd.add(u1.mul(v1));
        if OR {
            o_even = o_even.or_bits(v);
            o_odd = o_odd.or_bits(v1);
        }
        qp = qp.wrapping_add(8);
        xp = xp.wrapping_add(8);
    }
    if !d.is_multiple_of(8) {
        // The last chunk (d/4 odd) is an even one.
        // SAFETY: qp and xp now point 4 values before the end of both (d ≡ 4 mod 8).
        let (u, v) = unsafe { (F4::load(qp), F4::load(xp)) };
        even = even.add(u.mul(v));
        if OR {
            o_even = o_even.or_bits(v);
        }
    }
    (finish_dots([[even.add(odd)]], [query], [row], d)[0][0], o_even.or_bits(o_odd).or_lanes())
}

/// Rows that one query's passes read at a time ([`dots_or_run`], [`dot_or_8`]).
const ROWS_AT_ONCE: usize = 8;

/// [`dot_or_1`] for 8 consecutive rows of `xs` (row j at `xs[j·d..]`) at once: each row's two
/// running sums take exactly the operations of `dot_or_1` in the same order (the same bits);
/// the bits ORed are those of every value of the 8 rows together (the blocks' bounds need no
/// more). Each step loads 8 values of the query once for all 8 rows. On a Zen 4 EPYC machine
/// one row at a time read X at 1.5–1.75× the time of one streaming pass (natively and in V8):
/// the 16 KiB query of a 64×64 store and the rows streaming past it share a 32 KiB L1, and the
/// query's lines kept leaving it (a query of 8 KiB read at stream speed). Eight rows read the
/// query an eighth as often (docs/hopfield.md has the numbers). Unrolled by hand: at the site's
/// `opt-level = "s"` a loop over the rows stayed a loop, its sums in linear memory. Sixteen
/// sums are more than V8's 15 SIMD registers, so this loop breaks the module's rule: Node 20's
/// V8 spills to the stack about 45 times per step with the ORs and 32 times without (108
/// instructions per step; docs/hopfield.md), which still cost less than the query's lines
/// leaving L1 did (in V8, 8 rows took 0.75–0.8× the time of one row; in Chromium eight sums, one
/// per row, were no faster). Zeros and no bits when the sizes do not fit (never happens: d is a
/// multiple of 4, the lengths fit).
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn dot_or_8<const OR: bool>(query: &[f32], xs: &[f32], d: usize) -> ([f32; 8], u32) {
    if !d.is_multiple_of(4) || query.len() < d || xs.len() < 8 * d {
        return ([0.0; 8], 0);
    }
    let z = F4::splat(0.0);
    let (mut e0, mut e1, mut e2, mut e3, mut e4, mut e5, mut e6, mut e7) = (z, z, z, z, z, z, z, z);
    let (mut o0, mut o1, mut o2, mut o3, mut o4, mut o5, mut o6, mut o7) = (z, z, z, z, z, z, z, z);
    // Two ORs shared by the rows: as in dot_or_1, so neither is one long chain.
    let (mut or_even, mut or_odd) = (z, z);
    let (mut qp, mut xp) = (query.as_ptr(), xs.as_ptr());
    // Row j's step: its even and odd chunks into its two sums (and the ORs).
    macro_rules! step {
        ($u:ident, $u1:ident, $j:expr, $e:ident, $o:ident) => {
            // SAFETY: xp = xs + 8i after i steps with 8i + 8 <= d, so row j's loads end at
            // xp + j·d + 8 <= xs + 8d (checked above).
            let (v, v1) = unsafe { (F4::load(xp.add($j * d)), F4::load(xp.add($j * d + 4))) };
            $e = $e.add($u.mul(v));
            $o = $o.add($u1.mul(v1));
            if OR {
                or_even = or_even.or_bits(v);
                or_odd = or_odd.or_bits(v1);
            }
        };
    }
    for _ in 0..d / 8 {
        // SAFETY: qp = query + 8i after i steps with 8i + 8 <= d <= query.len().
        let (u, u1) = unsafe { (F4::load(qp), F4::load(qp.add(4))) };
        step!(u, u1, 0, e0, o0);
        step!(u, u1, 1, e1, o1);
        step!(u, u1, 2, e2, o2);
        step!(u, u1, 3, e3, o3);
        step!(u, u1, 4, e4, o4);
        step!(u, u1, 5, e5, o5);
        step!(u, u1, 6, e6, o6);
        step!(u, u1, 7, e7, o7);
        qp = qp.wrapping_add(8);
        xp = xp.wrapping_add(8);
    }
    if !d.is_multiple_of(8) {
        // The last chunk (d/4 odd) is an even one. (Unrolled too: a loop over references to
        // the sums would keep them in linear memory for the whole function.)
        macro_rules! last {
            ($u:ident, $j:expr, $e:ident) => {
                // SAFETY: qp and xp + j·d now point 4 values before the end of the query and
                // row j.
                let v = unsafe { F4::load(xp.add($j * d)) };
                $e = $e.add($u.mul(v));
                if OR {
                    or_even = or_even.or_bits(v);
                }
            };
        }
        // SAFETY: as above.
        let u = unsafe { F4::load(qp) };
        last!(u, 0, e0);
        last!(u, 1, e1);
        last!(u, 2, e2);
        last!(u, 3, e3);
        last!(u, 4, e4);
        last!(u, 5, e5);
        last!(u, 6, e6);
        last!(u, 7, e7);
    }
    let rows: [&[f32]; 8] = core::array::from_fn(|j| &xs[j * d..(j + 1) * d]);
    let acc = [[e0.add(o0), e1.add(o1), e2.add(o2), e3.add(o3), e4.add(o4), e5.add(o5), e6.add(o6), e7.add(o7)]];
    (finish_dots(acc, [query], rows, d)[0], or_even.or_bits(or_odd).or_lanes())
}

/// The dot products of `query` with the consecutive rows `xs` (n × d, d a multiple of 4) into
/// `out` (n values), each as [`dot_or_1`] computes it, [`ROWS_AT_ONCE`] rows at a time and the
/// last n mod 8 one at a time; with `OR`, the OR of the bits of every value of the rows.
fn dots_or_run<const OR: bool>(query: &[f32], xs: &[f32], d: usize, out: &mut [f32]) -> u32 {
    let mut bits = 0;
    let done = out.len() - out.len() % ROWS_AT_ONCE;
    for (g, o) in out.chunks_exact_mut(ROWS_AT_ONCE).enumerate() {
        let start = g * ROWS_AT_ONCE * d;
        let (sums, b) = dot_or_8::<OR>(query, &xs[start..start + ROWS_AT_ONCE * d], d);
        o.copy_from_slice(&sums);
        bits |= b;
    }
    for (c, o) in out.iter_mut().enumerate().skip(done) {
        let (dot, b) = dot_or_1::<OR>(query, &xs[c * d..(c + 1) * d], d);
        *o = dot;
        bits |= b;
    }
    bits
}

/// A block's softmax numerators in place: `p` holds the block's raw dot products of one query;
/// e = exp(β·dot − m) with m the block's largest β·dot, four at a time ([`exp4`]; the
/// arguments in f64, as before). Returns (m, Σ e) with the sum in f64 in increasing n.
fn block_numerators(p: &mut [f32], beta: f64) -> (f64, f64) {
    let m = p.iter().fold(f64::NEG_INFINITY, |m, &s| {
        let s = beta * f64::from(s);
        if s > m {
            s
        } else {
            m
        }
    });
    let mut sum = 0.0f64;
    let lanes = exp4_lanes();
    let (b2, m2) = (F2::new(beta, beta), F2::new(m, m));
    let numerators = |s: F4| {
        let (s0, s1) = F2::from_f4(s);
        exp4(lanes, s0.mul(b2).sub(m2), s1.mul(b2).sub(m2))
    };
    let mut quads = p.chunks_exact_mut(4);
    for quad in &mut quads {
        let at = quad.as_mut_ptr();
        // SAFETY: `quad` is 4 f32s.
        let e = numerators(unsafe { F4::load(at) });
        // SAFETY: as above.
        unsafe { e.store(at) };
        let [e0, e1, e2, e3] = e.lanes();
        sum += f64::from(e0);
        sum += f64::from(e1);
        sum += f64::from(e2);
        sum += f64::from(e3);
    }
    // The last 1–3 through the same lanes (each lane is computed on its own: the same bits).
    let rest = quads.into_remainder();
    let mut s = [0.0f32; 4];
    s[..rest.len()].copy_from_slice(rest);
    // SAFETY: `s` is 4 f32s.
    let e = numerators(unsafe { F4::load(s.as_ptr()) }).lanes();
    for (p, e) in rest.iter_mut().zip(e) {
        *p = e;
        sum += f64::from(e);
    }
    (m, sum)
}

/// `partial ← partial + Σ_i w[i]·x_i` for the rows of `xs` (w.len() rows of d, d a multiple of
/// 4) in order, lane-wise: a block's share of Σ e x for one query. Eight rows per pass over
/// `partial` (then four, then one), each component's sum still over the rows in increasing i,
/// so the same bits as one row at a time with an eighth of the loads and stores of `partial`.
/// Nothing when the sizes do not fit (never happens).
fn axpy_rows(xs: &[f32], w: &[f32], partial: &mut [f32], d: usize) {
    if !d.is_multiple_of(4) || xs.len() < w.len() * d || partial.len() < d {
        return;
    }
    let mut i = 0;
    while i + 8 <= w.len() {
        axpy_8(&xs[i * d..(i + 8) * d], &w[i..i + 8], partial, d);
        i += 8;
    }
    while i < w.len() {
        let s = F4::splat(w[i]);
        let xr = &xs[i * d..(i + 1) * d];
        for k in (0..d).step_by(4) {
            store_at(partial, k, load_at(partial, k).add(s.mul(load_at(xr, k))));
        }
        i += 1;
    }
}

/// [`axpy_rows`] for 8 rows: `partial ← partial + w[0]·x_0 + … + w[7]·x_7`, added in that
/// order lane-wise. 8 broadcast weights, the partial sums and one row's values: 10 of V8's 15
/// SIMD registers. Nothing when the sizes do not fit (never happens: the caller slices exactly).
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn axpy_8(xs: &[f32], w: &[f32], partial: &mut [f32], d: usize) {
    if !d.is_multiple_of(4) || xs.len() < 8 * d || w.len() < 8 || partial.len() < d {
        return;
    }
    let (s0, s1, s2, s3) = (F4::splat(w[0]), F4::splat(w[1]), F4::splat(w[2]), F4::splat(w[3]));
    let (s4, s5, s6, s7) = (F4::splat(w[4]), F4::splat(w[5]), F4::splat(w[6]), F4::splat(w[7]));
    let (xp, pp) = (xs.as_ptr(), partial.as_mut_ptr());
    let mut k = 0;
    while k < d {
        // SAFETY (every access): k + 4 <= d, so partial[k..k + 4] and row i's [k..k + 4] at
        // i·d + k (i < 8) lie within their slices (checked above).
        let mut p = unsafe { F4::load(pp.add(k)) };
        p = p.add(s0.mul(unsafe { F4::load(xp.add(k)) }));
        p = p.add(s1.mul(unsafe { F4::load(xp.add(d + k)) }));
        p = p.add(s2.mul(unsafe { F4::load(xp.add(2 * d + k)) }));
        p = p.add(s3.mul(unsafe { F4::load(xp.add(3 * d + k)) }));
        p = p.add(s4.mul(unsafe { F4::load(xp.add(4 * d + k)) }));
        p = p.add(s5.mul(unsafe { F4::load(xp.add(5 * d + k)) }));
        p = p.add(s6.mul(unsafe { F4::load(xp.add(6 * d + k)) }));
        p = p.add(s7.mul(unsafe { F4::load(xp.add(7 * d + k)) }));
        // SAFETY: as above.
        unsafe { p.store(pp.add(k)) };
        k += 4;
    }
}

/// `merge_state` for one query whose block share is `partial` (d a multiple of 4):
/// `state ← state·old + partial·new`, or `partial·new` for the segment's first block.
fn merge_partial(partial: &[f32], state: &mut [f32], (old, new): (f32, f32), first: bool) {
    let (old, new) = (F4::splat(old), F4::splat(new));
    for k in (0..partial.len().min(state.len()) & !3).step_by(4) {
        let part = load_at(partial, k).mul(new);
        let merged = if first { part } else { load_at(state, k).mul(old).add(part) };
        store_at(state, k, merged);
    }
}

/// One step of the online softmax: a new block (or segment) with maximum `m` and sum `sum`
/// (relative to `m`) joins the running maximum and sum; returns the f32 factors (old, new) by
/// which the running state and the newcomer's partial state are scaled. The first one
/// initialises (state ← partial·1).
fn merge_factors(run_max: &mut f64, run_sum: &mut f64, m: f64, sum: f64, first: bool) -> (f32, f32) {
    if first {
        *run_max = m;
        *run_sum = sum;
        (0.0, 1.0)
    } else if m > *run_max {
        let old = portable_exp(*run_max - m) as f32;
        *run_max = m;
        *run_sum = *run_sum * f64::from(old) + sum;
        (old, 1.0)
    } else {
        let new = portable_exp(m - *run_max) as f32;
        *run_sum += sum * f64::from(new);
        (1.0, new)
    }
}

/// A worker's share of the stored patterns for a pool that computes one modern update in
/// parallel: the rows of consecutive segments `first .. first + count` of [`segments`]`(n, d)`.
/// [`ModernShard::update`] computes exactly what [`ModernWorkspace::update`] computes for those
/// segments, so [`merge_segments`] over the shards' parts (in segment order) gives the same bits
/// as the single-threaded update.
///
/// A shard that holds every segment (`first` 0, `count` all) can also compute a whole update of
/// some of the queries ([`ModernShard::update_merged`], the single-threaded bits): how a pool
/// whose workers each hold all of X splits a batch by queries, with nothing to merge.
#[derive(Debug, Clone)]
pub struct ModernShard {
    x: Vec<f32>,
    /// [`row_bits`] of `x`, for the first passes.
    row_bits: Vec<u32>,
    n: usize,
    d: usize,
    /// The first of this shard's segments in the plan.
    first: usize,
    /// Rows of each of this shard's segments.
    rows: Vec<usize>,
    workspace: ModernWorkspace,
    /// After [`Self::first_pass_of`]: the first segment (of the plan) it covered and that
    /// segment's first row in this shard, for [`Self::segment_states`].
    pass: Option<(usize, usize)>,
}

impl ModernShard {
    /// `x`: the rows of segments `first .. first + count` (of N = `n` stored patterns of
    /// dimension `d`). Errors when the segments or the number of values do not match.
    pub fn new(x: Vec<f32>, n: usize, d: usize, first: usize, count: usize) -> Result<Self, String> {
        if n == 0 || d == 0 {
            return Err("modern shard: N and d must be at least 1".into());
        }
        let plan = segments(n, d);
        let Some(own) = plan.get(first..first.saturating_add(count)).filter(|s| !s.is_empty()) else {
            return Err(format!(
                "modern shard: segments {first} .. {} of {} (N = {n}, d = {d})",
                first.saturating_add(count),
                plan.len()
            ));
        };
        let rows: Vec<usize> = own.iter().map(|(n0, n1)| n1 - n0).collect();
        let want = rows.iter().sum::<usize>() * d;
        if x.len() != want {
            return Err(format!("modern shard: {} pattern values, expected {want}", x.len()));
        }
        let row_bits = row_bits(&x, d);
        Ok(Self { x, row_bits, n, d, first, rows, workspace: ModernWorkspace::new(), pass: None })
    }

    /// Whether this shard holds every segment (so [`Self::update_merged`] works).
    pub fn is_whole(&self) -> bool {
        self.x.len() == self.n * self.d
    }

    /// The number of stored patterns of the whole plan (N, not the shard's rows).
    pub fn patterns(&self) -> usize {
        self.n
    }

    /// The patterns' dimension d.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// The shard's own segments `first .. first + count` of the plan (`None`: all of them) as
    /// (its first row in the shard, the range of their indices in the shard).
    fn own(&self, range: Option<(usize, usize)>) -> Result<(usize, core::ops::Range<usize>), String> {
        let Some((first, count)) = range else {
            return Ok((0, 0..self.rows.len()));
        };
        let end =
            first.checked_add(count).filter(|&e| first >= self.first && e <= self.first + self.rows.len() && count > 0);
        let Some(end) = end else {
            return Err(format!(
                "modern shard: segments {first} .. {} asked of a shard that holds {} .. {}",
                first.saturating_add(count),
                self.first,
                self.first + self.rows.len()
            ));
        };
        let (i0, i1) = (first - self.first, end - self.first);
        Ok((self.rows[..i0].iter().sum(), i0..i1))
    }

    /// The [`dots`] ξ^μ·σ of `state` with this shard's rows, in order: the pool's share of the
    /// scores the session's energy needs (`HopfieldSession::book_energy_from_dots`). Errors on a
    /// state whose length is not d.
    pub fn dots(&self, state: &[f32]) -> Result<Vec<f32>, String> {
        self.dots_of(state, None)
    }

    /// [`Self::dots`] with the rows of segments `first .. first + count` of the plan only
    /// (`None`: all of the shard's).
    pub fn dots_of(&self, state: &[f32], segments: Option<(usize, usize)>) -> Result<Vec<f32>, String> {
        if state.len() != self.d {
            return Err(format!("modern shard: a state of {} values for d = {}", state.len(), self.d));
        }
        let (row0, own) = self.own(segments)?;
        let ns: usize = self.rows[own].iter().sum();
        Ok(dots(&self.x[row0 * self.d..(row0 + ns) * self.d], ns, self.d, state))
    }

    /// This shard's parts of one update of `q` queries (Q × d, row-major) at β, replacing
    /// `parts`' contents; with `keep_dots`, `parts.dots` holds the queries' raw dot products
    /// with this shard's rows (segment by segment, q × n_s each). Errors on a wrong query
    /// length or a β that is not finite.
    pub fn update(
        &mut self,
        queries: &[f32],
        q: usize,
        beta: f32,
        keep_dots: bool,
        parts: &mut SegmentParts,
    ) -> Result<(), String> {
        self.update_of(queries, q, beta, keep_dots, parts, None)
    }

    /// [`Self::update`] for segments `first .. first + count` of the plan only (`None`: all of
    /// the shard's): how a pool whose workers hold every segment splits one query by patterns.
    /// Errors, besides as `update` does, on segments the shard does not hold.
    pub fn update_of(
        &mut self,
        queries: &[f32],
        q: usize,
        beta: f32,
        keep_dots: bool,
        parts: &mut SegmentParts,
        segments: Option<(usize, usize)>,
    ) -> Result<(), String> {
        if queries.len() != q.saturating_mul(self.d) {
            return Err(format!("modern shard: {} query values for Q = {q}, d = {}", queries.len(), self.d));
        }
        if !beta.is_finite() {
            return Err(format!("modern update: β must be a finite number, not {beta}"));
        }
        let (mut row0, own) = self.own(segments)?;
        parts.clear();
        self.pass = None;
        for i in own {
            let ns = self.rows[i];
            let xs = &self.x[row0 * self.d..(row0 + ns) * self.d];
            self.workspace.segment(xs, ns, self.d, queries, q, beta, keep_dots, parts);
            row0 += ns;
        }
        Ok(())
    }

    /// The first pass of one query's two-pass update ([`OneQueryPath::TwoPass`]) over this
    /// shard's segments (or segments `first .. first + count` of the plan, which it must hold):
    /// into `parts`, each segment's scalars, numerators, dots (with `keep_dots`) and bound on
    /// |x| (`bounds`), and zero states, which [`Self::segment_states`] fills where the merge
    /// needs them. A pool gathers every shard's scalars and bounds, asks the shard that holds
    /// the [`two_pass_top`] segment for its state, and the others for theirs only where
    /// [`two_pass_top_suffices`] says so: the bits of the single-threaded update. Errors, as
    /// `update_of` does, and for d not a multiple of 4.
    pub fn first_pass_of(
        &mut self,
        query: &[f32],
        beta: f32,
        keep_dots: bool,
        parts: &mut SegmentParts,
        segments: Option<(usize, usize)>,
    ) -> Result<(), String> {
        let d = self.d;
        if query.len() != d || !d.is_multiple_of(4) {
            return Err(format!(
                "modern shard: two passes need one query of d values, d a multiple of 4 (d = {d}, {} values)",
                query.len()
            ));
        }
        if !beta.is_finite() {
            return Err(format!("modern update: β must be a finite number, not {beta}"));
        }
        let (row0, own) = self.own(segments)?;
        parts.clear();
        let mut plan = Vec::with_capacity(own.len());
        let mut r = 0;
        for i in own.clone() {
            plan.push((r, r + self.rows[i]));
            r += self.rows[i];
        }
        let (x, bits) = (&self.x[row0 * d..], self.row_bits.get(row0..));
        self.workspace.first_pass(x, bits, &plan, d, query, f64::from(beta), keep_dots, parts);
        self.pass = Some((self.first + own.start, row0));
        Ok(())
    }

    /// How many blocks' shares of Σ e x this shard computed since its last first pass, out of
    /// how many blocks that pass covered (as [`ModernWorkspace::two_pass_partials`]); `None`
    /// before a first pass.
    pub fn two_pass_partials(&self) -> Option<(usize, usize)> {
        self.pass.and(self.workspace.two_pass_partials())
    }

    /// After [`Self::first_pass_of`] filled `parts`: of the segments it covered, the one (of the
    /// plan) that [`two_pass_top`] picks among them, the first holding their largest running
    /// maximum (merged in order, a segment raises the maximum only where its own is larger). Where
    /// the whole update's top segment is one of this shard's, it is this one, so a pool can ask
    /// every worker for this segment's state with its first pass and skip a round trip when the
    /// holder's is the top (`www/modern-pool.js`). None without a first pass or for `parts` that
    /// are not its.
    pub fn local_top(&self, parts: &SegmentParts) -> Option<usize> {
        let (first, _) = self.pass?;
        let mut at = 0;
        let mut best: Option<(usize, f64)> = None;
        for (s, plan) in self.workspace.plan.segments.iter().enumerate() {
            let m = *parts.scalars.get(at)?;
            if best.is_none_or(|(_, top)| m > top) {
                best = Some((s, m));
            }
            at += 2 + plan.blocks;
        }
        if at != parts.scalars.len() {
            return None;
        }
        best.map(|(s, _)| first + s)
    }

    /// The states of segments `which` (of the plan; d values each, in that order) after
    /// [`Self::first_pass_of`] filled `parts`: each computed as the two-pass path computes it
    /// (only the block shares that can change a bit), and left in `parts.states` too. Errors
    /// without a first pass, for `parts` that are not its, or for a segment it did not cover.
    pub fn segment_states(&mut self, parts: &mut SegmentParts, which: &[usize]) -> Result<Vec<f32>, String> {
        let d = self.d;
        let mut out = Vec::with_capacity(which.len() * d);
        for &s in which {
            let (local, row0) = self.covered(parts, s)?;
            self.workspace.segment_state(&self.x[row0 * d..], d, local, parts);
            out.extend_from_slice(&parts.states[local * d..(local + 1) * d]);
        }
        Ok(out)
    }

    /// Segment `s`'s state as [`Self::segment_states`] computes it, where that takes at most
    /// `max_shares` block shares; None where it takes more. What a pool's worker sends with its
    /// first pass for its would-be top segment ([`Self::local_top`]): in a peaked update the top
    /// segment's state is one block's share, while a worker whose own segments are flat would
    /// read every row of its would-be top again (an eighth of X at 8 segments) for a state the
    /// merge does not use; the page asks for it where it is the top after all (the same bits).
    /// Errors as `segment_states` does.
    pub fn segment_state_within(
        &mut self,
        parts: &mut SegmentParts,
        s: usize,
        max_shares: usize,
    ) -> Result<Option<Vec<f32>>, String> {
        let d = self.d;
        let (local, row0) = self.covered(parts, s)?;
        let done = self.workspace.segment_state_within(&self.x[row0 * d..], d, local, parts, max_shares);
        Ok(done.then(|| parts.states[local * d..(local + 1) * d].to_vec()))
    }

    /// Segment `s` of the plan as the last first pass covered it: its index among the pass's
    /// segments and the first row of the pass. Errors without a first pass, for `parts` that
    /// are not its, or for a segment it did not cover.
    fn covered(&self, parts: &SegmentParts, s: usize) -> Result<(usize, usize), String> {
        let Some((first, row0)) = self.pass else {
            return Err("modern shard: segment states asked before a first pass".into());
        };
        let covered = self.workspace.plan.segments.len();
        let rows: usize = self.workspace.plan.segments.iter().map(|p| p.n1 - p.n0).sum();
        if parts.states.len() != covered * self.d || parts.numerators.len() != rows {
            return Err("modern shard: these parts are not the last first pass's".into());
        }
        match s.checked_sub(first).filter(|&l| l < covered) {
            Some(local) => Ok((local, row0)),
            None => {
                Err(format!("modern shard: segment {s} was not in the first pass ({first} .. {})", first + covered))
            }
        }
    }

    /// The whole update of `q` queries (Q × d) at β, as [`ModernWorkspace::update_keeping_dots`]
    /// computes it on one thread (the same segments, then [`merge_segments`]: the same bits),
    /// for a shard that holds every segment. Errors, writing nothing, on a shard that does not,
    /// and as `update_keeping_dots` does.
    #[allow(clippy::too_many_arguments)]
    pub fn update_merged(
        &mut self,
        queries: &[f32],
        q: usize,
        beta: f32,
        out_state: &mut [f32],
        out_p: &mut [f32],
        out_dots: Option<&mut [f32]>,
    ) -> Result<(), String> {
        if !self.is_whole() {
            return Err("modern shard: a whole update needs every segment's rows".into());
        }
        self.pass = None; // the workspace's plan may change
        let bits = Some(self.row_bits.as_slice());
        self.workspace.update_with_row_bits(&self.x, self.n, self.d, bits, queries, q, beta, out_state, out_p, out_dots)
    }
}

/// Combines the parts of every segment of [`segments`]`(n, d)` (concatenated in segment order)
/// into the update's new states (Q × d) and softmax weights (Q × N): the segments' states are
/// merged in order with the online-softmax rule, divided by the softmax sum, and every numerator
/// is rescaled from its block's maximum to the row's maximum ([`merge_segment_states`], then
/// p = (f64) e · f rounded to f32). Errors (nothing is written) when the parts or the buffers do
/// not have the sizes of that plan.
pub fn merge_segments(
    n: usize,
    d: usize,
    q: usize,
    parts: &SegmentParts,
    out_state: &mut [f32],
    out_p: &mut [f32],
) -> Result<(), String> {
    let too_large = || format!("modern update merge: Q = {q} × N = {n} × d = {d} is too large");
    let want = q.checked_mul(n).ok_or_else(too_large)?;
    for (what, got) in [("numerators", parts.numerators.len()), ("softmax buffer", out_p.len())] {
        if got != want {
            return Err(format!("modern update merge: {got} {what}, expected {want} (N = {n}, d = {d}, Q = {q})"));
        }
    }
    let factors = merge_segment_states(n, d, q, &parts.scalars, &parts.states, out_state)?;
    let nb = block_rows(d);
    let mut f = factors.iter();
    for (n0, n1) in segments(n, d) {
        let ns = n1 - n0;
        let numerators = &parts.numerators[q * n0..q * n1];
        for r in 0..q {
            for (b0, &f) in (0..ns).step_by(nb).zip(&mut f) {
                let b1 = (b0 + nb).min(ns);
                let src = &numerators[r * ns + b0..r * ns + b1];
                for (p, &e) in out_p[r * n + n0 + b0..r * n + n0 + b1].iter_mut().zip(src) {
                    *p = (f64::from(e) * f) as f32;
                }
            }
        }
    }
    Ok(())
}

/// The first half of [`merge_segments`], which needs no numerators: the segments' states
/// (`states`, concatenated in segment order) merged into `out_state` (Q × d) with the
/// online-softmax rule and divided by the softmax sum, and the factor f = e^{m_block − m}/Σ that
/// takes each numerator of a block to its softmax weight, p = (f64) e · f rounded to f32.
/// The factors come segment by segment, query by query, block by block: the order of the
/// numerators in [`SegmentParts`]. A pool (the page's `www/modern-pool.js`) applies them where
/// its workers' numerators already are, with the same bits. Errors (nothing is written) when
/// the sizes do not fit the plan for N, d, Q.
pub fn merge_segment_states(
    n: usize,
    d: usize,
    q: usize,
    scalars: &[f64],
    states: &[f32],
    out_state: &mut [f32],
) -> Result<Vec<f64>, String> {
    let nb = block_rows(d);
    let plan = segments(n, d);
    let blocks_of = |(n0, n1): (usize, usize)| (n1 - n0).div_ceil(nb);
    let too_large = || format!("modern update merge: Q = {q} × N = {n} × d = {d} is too large");
    let mul = |a: usize, b: usize| a.checked_mul(b).ok_or_else(too_large);
    let blocks: usize = plan.iter().map(|&s| blocks_of(s)).sum();
    let sizes = [
        ("scalars", scalars.len(), mul(q, 2 * plan.len() + blocks)?),
        ("states", states.len(), mul(mul(plan.len(), q)?, d)?),
        ("new-state buffer", out_state.len(), mul(q, d)?),
    ];
    for (what, got, want) in sizes {
        if got != want {
            return Err(format!("modern update merge: {got} {what}, expected {want} (N = {n}, d = {d}, Q = {q})"));
        }
    }
    // The states, segment by segment, into out_state (f32, as the blocks within a segment).
    let (mut run_max, mut run_sum) = (vec![f64::NEG_INFINITY; q], vec![0.0f64; q]);
    let mut at = 0;
    for (s, &seg) in plan.iter().enumerate() {
        let part = &scalars[at..at + q * (2 + blocks_of(seg))];
        let state = &states[s * q * d..(s + 1) * q * d];
        for r in 0..q {
            let (old_s, new_s) = merge_factors(&mut run_max[r], &mut run_sum[r], part[r], part[q + r], s == 0);
            let (old, new) = (F4::splat(old_s), F4::splat(new_s));
            let (dst, src) = (&mut out_state[r * d..(r + 1) * d], &state[r * d..(r + 1) * d]);
            let mut j = 0;
            while j + 4 <= d {
                let part = load_at(src, j).mul(new);
                let merged = if s == 0 { part } else { load_at(dst, j).mul(old).add(part) };
                store_at(dst, j, merged);
                j += 4;
            }
            for j in j..d {
                let part = src[j] * new_s;
                dst[j] = if s == 0 { part } else { dst[j] * old_s + part };
            }
        }
        at += part.len();
    }
    // Normalise: the state by the softmax sum; the factors to the final maximum.
    for r in 0..q {
        let sum = run_sum[r];
        for s in &mut out_state[r * d..(r + 1) * d] {
            *s = (f64::from(*s) / sum) as f32;
        }
    }
    let mut factors = Vec::with_capacity(q * blocks);
    let mut at = 0;
    for &seg in &plan {
        let blocks = blocks_of(seg);
        let block_max = &scalars[at + 2 * q..at + q * (2 + blocks)];
        for r in 0..q {
            let (m, sum) = (run_max[r], run_sum[r]);
            factors.extend(block_max[r * blocks..(r + 1) * blocks].iter().map(|&bm| portable_exp(bm - m) / sum));
        }
        at += q * (2 + blocks);
    }
    Ok(factors)
}

/// The `dots` of `q` queries as [`SegmentParts`] hold them (segment after segment of
/// [`segments`]`(n, d)`, each q × n_s) laid out as one Q × N row-major matrix in `out`. Errors
/// when the sizes do not match.
pub fn segment_rows_to_matrix(n: usize, d: usize, q: usize, dots: &[f32], out: &mut [f32]) -> Result<(), String> {
    let want = q.checked_mul(n).ok_or_else(|| format!("modern update: Q = {q} × N = {n} is too large"))?;
    if dots.len() != want || out.len() != want {
        return Err(format!("modern update: {} dots for a buffer of {}, expected {want}", dots.len(), out.len()));
    }
    for (n0, n1) in segments(n, d) {
        let ns = n1 - n0;
        for r in 0..q {
            out[r * n + n0..r * n + n1].copy_from_slice(&dots[q * n0 + r * ns..q * n0 + (r + 1) * ns]);
        }
    }
    Ok(())
}

/// The dot products ξ·x_μ of `state` with each of the `n` rows of `x` (n × d), in f32 with the
/// kernel's own order (see [`dot_tile`]): bit for bit the scores a modern update computes for
/// that state before its softmax ([`ModernWorkspace::update_keeping_dots`]), whatever the tile
/// shapes. A state shorter than d gives zeros.
pub fn dots(x: &[f32], n: usize, d: usize, state: &[f32]) -> Vec<f32> {
    let n = n.min(x.len() / d.max(1));
    let mut out = vec![0.0f32; n];
    if state.len() < d {
        return out;
    }
    let state = &state[..d];
    if d.is_multiple_of(4) {
        // Eight rows at a time (see `dot_or_8`), with the state away from the rows' page
        // offset ([`placed_query`]); each sum as `dot_1x4` computes it.
        let mut placed = Vec::new();
        let state = placed_query(&mut placed, state, x);
        dots_or_run::<false>(state, &x[..n * d], d, &mut out);
        return out;
    }
    let mut c = 0;
    while c + NT <= n {
        let t = dot_1x4([state], core::array::from_fn(|i| row(x, c + i, d)), d);
        out[c..c + NT].copy_from_slice(&t[0]);
        c += NT;
    }
    for (c, o) in out.iter_mut().enumerate().skip(c) {
        *o = dot_tile::<1, 1>([state], [row(x, c, d)], d)[0][0];
    }
    out
}

/// Row `i` of a row-major matrix with rows of length `d`.
#[inline(always)]
fn row(m: &[f32], i: usize, d: usize) -> &[f32] {
    &m[i * d..(i + 1) * d]
}

/// Sets `v` to `len` copies of `value`, reusing its allocation.
fn refill<T: Copy>(v: &mut Vec<T>, len: usize, value: T) {
    v.clear();
    v.resize(len, value);
}

/// Checks the sizes and β of a modern update; the error says which argument is wrong.
#[allow(clippy::too_many_arguments)]
fn check_sizes(
    x: &[f32],
    n: usize,
    d: usize,
    queries: &[f32],
    q: usize,
    beta: f32,
    out_state: &[f32],
    out_p: &[f32],
) -> Result<(), String> {
    let size = |a: usize, b: usize, what: &str| {
        a.checked_mul(b).ok_or_else(|| format!("modern update: {what} ({a} × {b}) is too large"))
    };
    if n == 0 {
        return Err("modern update: there must be at least one stored pattern".into());
    }
    if d == 0 {
        return Err("modern update: the pattern dimension must be at least 1".into());
    }
    if !beta.is_finite() {
        return Err(format!("modern update: β must be a finite number, not {beta}"));
    }
    let checks = [
        ("the stored patterns X", x.len(), size(n, d, "N × d")?),
        ("the queries", queries.len(), size(q, d, "Q × d")?),
        ("the new-state buffer", out_state.len(), size(q, d, "Q × d")?),
        ("the softmax buffer", out_p.len(), size(q, n, "Q × N")?),
    ];
    for (what, got, want) in checks {
        if got != want {
            return Err(format!(
                "modern update: {what} hold {got} numbers, expected {want} (N = {n}, d = {d}, Q = {q})"
            ));
        }
    }
    Ok(())
}

/// X: N stored patterns of dimension d, row-major (N × d). Queries: Q of dimension d, row-major
/// (Q × d). Writes the new states (Q × d) and the softmax weights (Q × N): one modern Hopfield
/// update, Ξ' = softmax(β Ξ Xᵀ) X (Ramsauer et al. eq. 3, batched as eq. 23), the softmax
/// max-shifted with f64 sums. Bit-identical natively and in wasm (see the module doc).
///
/// Errors (nothing is written): N = 0, d = 0, β not finite, or a slice whose length is not the
/// stated shape. Q = 0 is allowed and does nothing. Allocates a few numbers per query and block
/// per call; use [`ModernWorkspace`] to reuse them.
#[allow(clippy::too_many_arguments)]
pub fn modern_update(
    x: &[f32],
    n: usize,
    d: usize,
    queries: &[f32],
    q: usize,
    beta: f32,
    out_state: &mut [f32],
    out_p: &mut [f32],
) -> Result<(), String> {
    ModernWorkspace::new().update(x, n, d, queries, q, beta, out_state, out_p)
}

/// The reference (plain loops, f64 accumulation, `f64::exp`), for tests: the same update and
/// the same errors as [`modern_update`], computed as directly as possible.
#[allow(clippy::too_many_arguments)]
pub fn modern_update_reference(
    x: &[f32],
    n: usize,
    d: usize,
    queries: &[f32],
    q: usize,
    beta: f32,
    out_state: &mut [f32],
    out_p: &mut [f32],
) -> Result<(), String> {
    check_sizes(x, n, d, queries, q, beta, out_state, out_p)?;
    let mut s = vec![0.0f64; n];
    for r in 0..q {
        let xi = &queries[r * d..(r + 1) * d];
        for (i, s) in s.iter_mut().enumerate() {
            let dot: f64 = xi.iter().zip(&x[i * d..(i + 1) * d]).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum();
            *s = f64::from(beta) * dot;
        }
        let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = s.iter().map(|&v| (v - m).exp()).sum();
        let p: Vec<f64> = s.iter().map(|&v| (v - m).exp() / sum).collect();
        for (i, &pi) in p.iter().enumerate() {
            out_p[r * n + i] = pi as f32;
        }
        for j in 0..d {
            let v: f64 = p.iter().enumerate().map(|(i, &pi)| pi * f64::from(x[i * d + j])).sum();
            out_state[r * d + j] = v as f32;
        }
    }
    Ok(())
}

/// e^x with the same bits on every platform (no libm): used by the softmax and by any code whose
/// results must match natively and in wasm.
///
/// A port of fdlibm's `e_exp.c` (Sun Microsystems, 1993; the algorithm also in musl's older
/// `exp.c`): x = k·ln 2 + r with |r| ≤ ½ln 2 (ln 2 split into a high part with trailing zeros and
/// a low part, so k·ln2_hi is exact), a degree-5 Remez rational approximation of e^r, and the
/// scaling by 2^k through the exponent bits. fdlibm states an error below 1 ulp. Only IEEE
/// `+ − × ÷` (correctly rounded everywhere, no FMA) and bit manipulation are used, so every
/// platform gets the same bits. e^0 = 1 exactly; overflow gives +∞, underflow 0, NaN stays NaN.
// The constants are fdlibm's decimal literals, kept digit for digit (they round to its bits).
#[allow(clippy::excessive_precision)]
pub fn portable_exp(x: f64) -> f64 {
    const O_THRESHOLD: f64 = 7.097_827_128_933_839_73e2;
    const U_THRESHOLD: f64 = -7.451_332_191_019_411_08e2;
    const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const INV_LN2: f64 = std::f64::consts::LOG2_E; // fdlibm's invln2, the same bits
    const P1: f64 = 1.666_666_666_666_660_190_37e-1;
    const P2: f64 = -2.777_777_777_701_559_338_42e-3;
    const P3: f64 = 6.613_756_321_437_934_361_17e-5;
    const P4: f64 = -1.653_390_220_546_525_153_90e-6;
    const P5: f64 = 4.138_136_797_057_238_460_39e-8;
    const TWO_M1000: f64 = 9.332_636_185_032_188_789_9e-302; // 2^-1000

    let bits = x.to_bits();
    let negative = (bits >> 63) != 0;
    let hx = ((bits >> 32) as u32) & 0x7fff_ffff;

    // Filter out non-finite and huge arguments.
    if hx >= 0x4086_2e42 {
        if x.is_nan() {
            return x + x;
        }
        if x.is_infinite() {
            return if negative { 0.0 } else { x };
        }
        if x > O_THRESHOLD {
            return f64::INFINITY;
        }
        if x < U_THRESHOLD {
            return 0.0;
        }
    }

    // Argument reduction: x = k·ln2 + (hi − lo).
    let (k, hi, lo, r) = if hx > 0x3fd6_2e42 {
        let (k, hi, lo) = if hx < 0x3ff0_a2b2 {
            // ½ln2 < |x| < 1.5 ln2: k = ±1.
            if negative {
                (-1i32, x + LN2_HI, -LN2_LO)
            } else {
                (1i32, x - LN2_HI, LN2_LO)
            }
        } else {
            let k = (INV_LN2 * x + if negative { -0.5 } else { 0.5 }) as i32;
            let t = f64::from(k);
            (k, x - t * LN2_HI, t * LN2_LO)
        };
        (k, hi, lo, hi - lo)
    } else if hx < 0x3e30_0000 {
        // |x| < 2^-28: e^x = 1 + x to within half an ulp.
        return 1.0 + x;
    } else {
        (0, x, 0.0, x)
    };

    // e^r ≈ 1 + r + r·c/(2 − c), c = r − r²(P1 + r²(P2 + …)).
    let t = r * r;
    let c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    if k == 0 {
        return 1.0 - ((r * c) / (c - 2.0) - r);
    }
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // Scale by 2^k: exactly when the result is normal, one rounding when it is subnormal.
    if k >= -1021 {
        if k == 1024 {
            return y * 2.0 * pow2(1023);
        }
        y * pow2(k)
    } else {
        y * pow2(k + 1000) * TWO_M1000
    }
}

/// 2^k for −1022 ≤ k ≤ 1023, from its bits.
#[inline]
fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// 2⁵² + 1023: added to an integer-valued f64 k (−1022 ≤ k ≤ 1023), it leaves k + 1023 in the
/// low bits of the sum, which `F2::pow2` shifts into the exponent field.
const POW2_MAGIC: f64 = 4_503_599_627_371_519.0;

/// `[portable_exp(x0) as f32, portable_exp(x1) as f32]` for two arguments at once, bit for bit,
/// computed in two f64 lanes without branches. It computed the softmax's numerators (about 10⁶
/// per batch, a tenth of its time when they were computed one at a time) until [`exp4`] took
/// over (four f32 lanes, within 2 ulp; the numerators' share of the batch about halved); it stays as the
/// correctly rounded reference of those numerators, tested and in the golden hashes. Arguments ≤ 0 or NaN (the
/// softmax's β·s − max): the lanes follow `portable_exp`'s steps with its constants, every path
/// taken at once and the right one selected per lane:
/// - |x| < 2⁻²⁸: 1 + x;
/// - |x| ≤ ½ln2 (fdlibm's k = 0): the general steps with k = 0 give the same bits as its
///   special case, 1 − ((r·c)/(c − 2) − r), since lo = 0 and a/(c − 2) = −(a/(2 − c)) exactly;
/// - ½ln2 < |x| < 1.5ln2 (fdlibm's k = −1 with hi = x + ln2_hi, lo = −ln2_lo): the general k
///   = trunc(x/ln2 − ½) is −1 there and gives the same hi and lo;
/// - x < −105: e^x < 2⁻¹⁵⁰, which rounds to the f32 0 (fdlibm's subnormal and underflow paths
///   end there too);
/// - NaN: x + x.
///
/// An argument above 0 takes `portable_exp` itself (never in the softmax).
#[inline(always)]
pub fn exp_to_f32(x0: f64, x1: f64) -> [f32; 2] {
    exp_to_f32_with(exp_lanes(), x0, x1)
}

/// e^t as f32 for the 4 arguments `t` (f64, given as two pairs): the softmax's numerators,
/// where t = β·s − m ≤ 0. Four lanes of f32 with IEEE `+ − ×` only, so the same bits wherever
/// it runs (wasm SIMD128, SSE natively, plain Rust elsewhere):
/// - t below −104 becomes −104 (e^−104 rounds to 0 in f32); then t is rounded to f32, which
///   adds a relative error of at most |t|·2⁻²⁴ to e (the f32 dot products already carry more);
/// - k = t·log₂e rounded to an integer (by adding and subtracting 1.5·2²³), and
///   r = (t − k·C₁) − k·C₂ with C₁ = 0.693359375 (9 bits, so k·C₁ and t − k·C₁ are exact) and
///   C₂ = ln 2 − C₁ (Cody and Waite's reduction), |r| ≤ ½ ln 2 + a little;
/// - e^r by its Taylor polynomial to degree 7 in Horner's form (the remainder, below
///   (½ ln 2)⁸/8! ≈ 5·10⁻⁹, is under a tenth of an f32 ulp);
/// - e = (e^r · 2^{k₁}) · 2^{k₂} with k₁ = k/2 rounded, k₂ = k − k₁: both powers are normal
///   f32 numbers (k ≥ −150) built from their bits, the first product is exact, so e is
///   rounded once, subnormal results included.
///
/// Within 2 ulp of e^t for t ≥ −87.3 and within one subnormal step below
/// (`the_four_lane_exponential_is_within_two_ulp`); e^0 = 1 exactly; NaN stays NaN (its payload
/// may differ between platforms). It replaced [`exp_to_f32`] (fdlibm's steps in two f64 lanes)
/// in the softmax: the numerators of a 100-query batch (10⁶, with their maxima and f64 sums)
/// took 7.4 % of its time in Node, measured by leaving them out, and take about 4 % now (the
/// batch 3.3 % faster, paired ratio over 30 interleaved rounds). What is left is mostly the
/// f64 sum, four dependent additions per four numerators, kept in increasing n.
#[inline(always)]
fn exp4(c: &[[f32; 4]; 14], t0: F2, t1: F2) -> F4 {
    let lo = F2::new(-104.0, -104.0);
    // SAFETY (every load below): each row of `c` is 4 f32s.
    let k = |i: usize| unsafe { F4::load(c[i].as_ptr()) };
    let t = F4::from_f2(t0.at_least(lo), t1.at_least(lo));
    let round = |x: F4| x.add(k(E4_ROUND)).sub(k(E4_ROUND));
    let kf = round(t.mul(k(E4_LOG2E)));
    let r = t.sub(kf.mul(k(E4_C1))).sub(kf.mul(k(E4_C2)));
    let f = E4_INV_FACT; // 1/7!, 1/6!, …, 1/0! at f, f + 1, …, f + 7
    let poly = k(f).mul(r).add(k(f + 1));
    let poly = poly.mul(r).add(k(f + 2));
    let poly = poly.mul(r).add(k(f + 3));
    let poly = poly.mul(r).add(k(f + 4));
    let poly = poly.mul(r).add(k(f + 5));
    let poly = poly.mul(r).add(k(f + 6));
    let poly = poly.mul(r).add(k(f + 7));
    let k1 = round(kf.mul(k(E4_HALF)));
    let k2 = kf.sub(k1);
    // 2^k from the bits of 1.5·2²³ + 127 + k: its low bits hold k + 127, which shift into
    // the exponent field (the bit of 2²² and the exponent shift out).
    let pow2 = |k_: F4| k_.add(k(E4_POW2)).shl23();
    poly.mul(pow2(k1)).mul(pow2(k2))
}

/// The constants of [`exp4`], each four times (one vector), indexed by the names below.
#[allow(clippy::excessive_precision)]
static EXP4_LANES: [[f32; 4]; 14] = [
    [std::f32::consts::LOG2_E; 4],
    [12_582_912.0; 4], // 1.5·2²³
    [0.693_359_375; 4],
    [-2.121_944_400_546_905_8e-4; 4], // ln 2 − 0.693359375
    [0.5; 4],
    [12_583_039.0; 4], // 1.5·2²³ + 127
    // 1/7!, 1/6!, …, 1/1!, 1/0!: the Taylor coefficients of e^r, highest first.
    [1.0 / 5040.0; 4],
    [1.0 / 720.0; 4],
    [1.0 / 120.0; 4],
    [1.0 / 24.0; 4],
    [1.0 / 6.0; 4],
    [0.5; 4],
    [1.0; 4],
    [1.0; 4],
];
const E4_LOG2E: usize = 0;
const E4_ROUND: usize = 1;
const E4_C1: usize = 2;
const E4_C2: usize = 3;
const E4_HALF: usize = 4;
const E4_POW2: usize = 5;
const E4_INV_FACT: usize = 6;

/// [`EXP4_LANES`] behind an optimisation barrier (see [`exp_lanes`]).
#[inline(always)]
fn exp4_lanes() -> &'static [[f32; 4]; 14] {
    core::hint::black_box(&EXP4_LANES)
}

/// [`exp4`] of four f64 arguments: the softmax's numerators as the kernels compute them (for
/// tests and the golden hashes).
pub fn softmax_exp4(t: [f64; 4]) -> [f32; 4] {
    exp4(exp4_lanes(), F2::new(t[0], t[1]), F2::new(t[2], t[3])).lanes()
}

/// [`EXP_LANES`] behind an optimisation barrier: LLVM would otherwise fold the loads back into
/// vector constants (see `F2::load`). A loop takes it once, outside.
#[inline(always)]
fn exp_lanes() -> &'static [[f64; 2]; 16] {
    core::hint::black_box(&EXP_LANES)
}

/// [`exp_to_f32`] with its constants from `lanes` ([`exp_lanes`]).
#[inline(always)]
fn exp_to_f32_with(lanes: &[[f64; 2]; 16], x0: f64, x1: f64) -> [f32; 2] {
    if x0 > 0.0 || x1 > 0.0 {
        return [portable_exp(x0) as f32, portable_exp(x1) as f32];
    }
    let c = |i: usize| F2::load(&lanes[i]);
    let x = F2::new(x0, x1);
    let ax = x.abs();
    // k = trunc(x/ln2 − ½) (fdlibm's conversion to int): z rounded to nearest by the 1.5·2⁵²
    // trick, then up by one where that went below z (z < 0 here, so trunc = ceil). Where fdlibm
    // keeps k = 0 (the high word of |x| at most 0x3fd62e42) k is 0.
    let z = x.mul(c(INV_LN2)).sub(c(HALF));
    let near = z.add(c(ROUND)).sub(c(ROUND));
    let k = near.add(F2::select(near.lt(z), c(ONE), c(ZERO)));
    let k = F2::select(ax.ge(c(K_FROM)), k, c(ZERO));
    let hi = x.sub(k.mul(c(LN2_HI)));
    let lo = k.mul(c(LN2_LO));
    let r = hi.sub(lo);
    let t = r.mul(r);
    let poly = c(P4).add(t.mul(c(P5)));
    let poly = c(P3).add(t.mul(poly));
    let poly = c(P2).add(t.mul(poly));
    let poly = c(P1).add(t.mul(poly));
    let cr = r.sub(t.mul(poly));
    let y = c(ONE).sub(lo.sub(r.mul(cr).div(c(TWO).sub(cr))).sub(hi));
    // k ≥ −152 wherever the result is kept (x ≥ −105), so 2^k is a normal number.
    let zero = x.lt(c(ZERO_BELOW));
    let general = y.mul(F2::select(zero, c(ZERO), k).pow2());
    let e = F2::select(ax.lt(c(TINY)), c(ONE).add(x), general);
    let e = F2::select(zero, c(ZERO), e);
    let e = F2::select(x.is_nan(), x.add(x), e).lanes();
    [e[0] as f32, e[1] as f32]
}

/// The constants of [`exp_to_f32`], each twice (one vector), indexed by the names below;
/// fdlibm's decimal literals as in [`portable_exp`].
#[allow(clippy::excessive_precision)]
static EXP_LANES: [[f64; 2]; 16] = [
    [std::f64::consts::LOG2_E; 2],
    [0.5; 2],
    [6_755_399_441_055_744.0; 2], // 1.5·2⁵²
    [1.0; 2],
    [0.0; 2],
    [6.931_471_803_691_238_164_90e-1; 2],
    [1.908_214_929_270_587_700_02e-10; 2],
    [1.666_666_666_666_660_190_37e-1; 2],
    [-2.777_777_777_701_559_338_42e-3; 2],
    [6.613_756_321_437_934_361_17e-5; 2],
    [-1.653_390_220_546_525_153_90e-6; 2],
    [4.138_136_797_057_238_460_39e-8; 2],
    [2.0; 2],
    [-105.0; 2],
    [f64::from_bits(0x3e30_0000_0000_0000); 2], // 2⁻²⁸
    [f64::from_bits(0x3fd6_2e43_0000_0000); 2], // the least |x| with fdlibm's k ≠ 0
];
const INV_LN2: usize = 0;
const HALF: usize = 1;
const ROUND: usize = 2;
const ONE: usize = 3;
const ZERO: usize = 4;
const LN2_HI: usize = 5;
const LN2_LO: usize = 6;
const P1: usize = 7;
const P2: usize = 8;
const P3: usize = 9;
const P4: usize = 10;
const P5: usize = 11;
const TWO: usize = 12;
const ZERO_BELOW: usize = 13;
const TINY: usize = 14;
const K_FROM: usize = 15;
