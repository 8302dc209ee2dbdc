//! The f32 kernels of the modern Hopfield update (src/hopfield/kernels.rs) against the plain f64
//! reference, the softmax's identities, the β limits, and `portable_exp` against `f64::exp`.
#![cfg(not(target_arch = "wasm32"))]

use emergence_lab::core::rng::Rng;
use emergence_lab::hopfield::kernels::{
    block_rows, dots, exp_to_f32, lane_peak, lane_sum, merge_segment_states, merge_segments, modern_update,
    modern_update_reference, portable_exp, row_bits, segment_rows_to_matrix, segments, softmax_exp4, two_pass_top,
    two_pass_top_suffices, ModernShard, ModernWorkspace, OneQueryPath, SegmentParts, LANE_PEAK_OPS, MAX_SEGMENTS,
    TOP_STATE_SHARES,
};

/// Unit roundoff of f32 (round to nearest).
const U: f64 = 1.0 / 16_777_216.0;

/// Uniform in [−1, 1), exactly representable (24 random bits).
fn uniform(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| ((rng.next_u64() >> 40) as f32 / 8_388_608.0) - 1.0).collect()
}

/// ±1 with equal odds: the stored patterns of retrieval.
fn signs(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| if rng.next_u64() & 1 == 0 { -1.0 } else { 1.0 }).collect()
}

struct Run {
    state: Vec<f32>,
    p: Vec<f32>,
}

fn kernel(x: &[f32], n: usize, d: usize, queries: &[f32], q: usize, beta: f32) -> Run {
    let mut run = Run { state: vec![f32::NAN; q * d], p: vec![f32::NAN; q * n] };
    modern_update(x, n, d, queries, q, beta, &mut run.state, &mut run.p).expect("valid sizes");
    run
}

fn reference(x: &[f32], n: usize, d: usize, queries: &[f32], q: usize, beta: f32) -> Run {
    let mut run = Run { state: vec![0.0; q * d], p: vec![0.0; q * n] };
    modern_update_reference(x, n, d, queries, q, beta, &mut run.state, &mut run.p).expect("valid sizes");
    run
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).abs()).fold(0.0, f64::max)
}

/// Worst-case (not statistical) bounds for inputs with |x|, |ξ| ≤ 1, derived from the kernel's
/// summation order (standard γ_k = k·u bounds, first order):
/// - a dot product: each of the 4 lanes sums ⌈d/4⌉ products, then 2 pairwise adds and up to 3
///   tail adds, so |δ dot| ≤ (⌈d/4⌉ + 6)·u·Σ|x_k ξ_k| ≤ (d/4 + 7)·d·u; the score error is
///   δs = |β|·that (the f64 product with β adds nothing at this order);
/// - the softmax: a shift δs_n changes p_n by a factor within e^{±2 max δs}. The exponential's
///   argument t = β·s − m is rounded to f32 (`softmax_exp4`), a further shift of at most
///   |t|·u ≤ 2|β|d·u (|t| is at most the spread of the scores); the f32 roundings of e (2 ulp),
///   of the merge factors (2) and of p (1) add 5u relatively: |δp_n| ≤ p_n(2δs + 4|β|d·u + 5u),
///   and the reference's own rounding to f32 adds u;
/// - the state: Σ_n |δp_n||x_n| ≤ 2δs + 4|β|d·u + 5u, plus the f32 sums (⌈N_b⌉ terms in a
///   block, then per block, and again per segment, a multiply-multiply-add merge, 3 roundings)
///   ≤ (N_b + 3·(blocks + segments))·u·Σ p_n|x_n|, plus the division and the reference's
///   rounding (2u).
fn tolerances(n: usize, d: usize, beta: f32) -> (f64, f64) {
    let ds = f64::from(beta).abs() * (d as f64 / 4.0 + 7.0) * d as f64 * U;
    let dt = 4.0 * f64::from(beta).abs() * d as f64 * U;
    let nb = block_rows(d).min(n);
    let blocks = n.div_ceil(block_rows(d));
    let p_tol = 2.0 * ds + dt + 6.0 * U;
    let merges = blocks + segments(n, d).len();
    let state_tol = 2.0 * ds + dt + 5.0 * U + (nb + 3 * merges) as f64 * U + 2.0 * U;
    (p_tol, state_tol)
}

#[test]
fn kernel_matches_the_reference_within_the_f32_bound() {
    // d = 1030: 64-row blocks (block_rows(1030) = 63), d mod 16 = 6 and d mod 4 = 2 exercise the
    // narrow and scalar tails; N = 301 and Q = 7 leave remainders of the 4-pattern and 2-query
    // tiles. Several β from near-uniform to sharply peaked softmax.
    let (n, d, q) = (301, 1030, 7);
    let mut rng = Rng::seed_from_u64(11);
    let x = uniform(&mut rng, n * d);
    let queries = uniform(&mut rng, q * d);
    for beta in [0.0f32, 0.01, 0.1, 1.0] {
        let k = kernel(&x, n, d, &queries, q, beta);
        let r = reference(&x, n, d, &queries, q, beta);
        let (p_tol, state_tol) = tolerances(n, d, beta);
        let (dp, dstate) = (max_abs_diff(&k.p, &r.p), max_abs_diff(&k.state, &r.state));
        assert!(dp <= p_tol, "β = {beta}: softmax differs by {dp:e} > {p_tol:e}");
        assert!(dstate <= state_tol, "β = {beta}: state differs by {dstate:e} > {state_tol:e}");
    }
}

#[test]
fn small_shapes_match_the_reference() {
    // Every combination of tile remainders with d < 16 and N below one tile.
    let mut rng = Rng::seed_from_u64(12);
    for (n, d, q) in [(1, 1, 1), (3, 5, 2), (5, 16, 4), (9, 17, 3), (13, 4, 1), (2, 33, 6)] {
        let x = uniform(&mut rng, n * d);
        let queries = uniform(&mut rng, q * d);
        let k = kernel(&x, n, d, &queries, q, 0.7);
        let r = reference(&x, n, d, &queries, q, 0.7);
        let (p_tol, state_tol) = tolerances(n, d, 0.7);
        assert!(max_abs_diff(&k.p, &r.p) <= p_tol, "N = {n}, d = {d}, Q = {q}");
        assert!(max_abs_diff(&k.state, &r.state) <= state_tol, "N = {n}, d = {d}, Q = {q}");
    }
}

#[test]
fn softmax_rows_sum_to_one() {
    // Σ p_n in f64 of the N stored f32 weights: each is within 5u of its exact value p_n
    // (see `tolerances` with δs = 0 for the softmax of the computed scores), so the sum is
    // within 5u + N·u/2 (the reference-free part) of 1; bound it by (5 + N)·u.
    let (n, d, q) = (1000, 64, 5);
    let mut rng = Rng::seed_from_u64(13);
    let x = uniform(&mut rng, n * d);
    let queries = uniform(&mut rng, q * d);
    for beta in [0.0f32, 0.3, 3.0, 30.0] {
        let k = kernel(&x, n, d, &queries, q, beta);
        for r in 0..q {
            let sum: f64 = k.p[r * n..(r + 1) * n].iter().map(|&p| f64::from(p)).sum();
            assert!((sum - 1.0).abs() <= (5.0 + n as f64) * U, "β = {beta}, row {r}: Σp = {sum}");
            assert!(k.p[r * n..(r + 1) * n].iter().all(|&p| (0.0..=1.0).contains(&p)));
        }
    }
}

#[test]
fn beta_to_zero_gives_the_mean_of_the_stored_patterns() {
    // β = 0 and β = 1e-30: every score is (within 1e-27 of) 0, so e = 1 in f32 and p = 1/N; the
    // state is the mean of X up to the f32 sums ((N_b + 3·blocks + 2)·u·max|x|, see `tolerances`).
    let (n, d, q) = (500, 1024, 2);
    let mut rng = Rng::seed_from_u64(14);
    let x = uniform(&mut rng, n * d);
    let queries = uniform(&mut rng, q * d);
    let mean: Vec<f64> = (0..d).map(|j| (0..n).map(|i| f64::from(x[i * d + j])).sum::<f64>() / n as f64).collect();
    let tol = (block_rows(d) + 3 * n.div_ceil(block_rows(d)) + 2) as f64 * U;
    for beta in [0.0f32, 1e-30] {
        let k = kernel(&x, n, d, &queries, q, beta);
        for r in 0..q {
            for (j, &m) in mean.iter().enumerate() {
                let err = (f64::from(k.state[r * d + j]) - m).abs();
                assert!(err <= tol, "β = {beta}: component {j} off the mean by {err:e} > {tol:e}");
            }
            assert!(k.p[r * n..(r + 1) * n].iter().all(|&p| p == (1.0f64 / n as f64) as f32));
        }
    }
}

#[test]
fn large_beta_retrieves_the_nearest_pattern_exactly() {
    // ±1 patterns, d = 256, queries = pattern i with 20 flipped signs: its overlap is 216, every
    // other pattern's at most ~4√256 = 64 here (checked below), so at β = 5 every other
    // weight is below e^{-5·100} and rounds to 0 in f32: the state is the pattern itself.
    let (n, d) = (400, 256);
    let mut rng = Rng::seed_from_u64(15);
    let x: Vec<f32> = (0..n * d).map(|_| if rng.coin() { 1.0 } else { -1.0 }).collect();
    let targets = [0usize, 77, 255, 399];
    let mut queries = Vec::new();
    for &t in &targets {
        let mut xi = x[t * d..(t + 1) * d].to_vec();
        for j in 0..20 {
            xi[j * 12] = -xi[j * 12];
        }
        queries.extend(xi);
    }
    let q = targets.len();
    for (r, &t) in targets.iter().enumerate() {
        for i in (0..n).filter(|&i| i != t) {
            let overlap: f32 = (0..d).map(|j| x[i * d + j] * queries[r * d + j]).sum();
            assert!(overlap < 116.0, "pattern {i} overlaps query {r} by {overlap}");
        }
    }
    let k = kernel(&x, n, d, &queries, q, 5.0);
    for (r, &t) in targets.iter().enumerate() {
        assert_eq!(&k.state[r * d..(r + 1) * d], &x[t * d..(t + 1) * d], "query {r}");
        assert_eq!(k.p[r * n + t], 1.0);
    }
}

#[test]
fn workspace_reuse_gives_the_same_bits() {
    let (n, d, q) = (130, 40, 4);
    let mut rng = Rng::seed_from_u64(16);
    let x = uniform(&mut rng, n * d);
    let queries = uniform(&mut rng, q * d);
    let once = kernel(&x, n, d, &queries, q, 2.0);
    let mut ws = ModernWorkspace::new();
    let (mut s, mut p) = (vec![0.0; q * d], vec![0.0; q * n]);
    // A different size first, then the same one twice.
    let (mut s1, mut p1) = (vec![0.0; d], vec![0.0; n]);
    ws.update(&x, n, d, &queries[..d], 1, 0.5, &mut s1, &mut p1).expect("valid sizes");
    for _ in 0..2 {
        ws.update(&x, n, d, &queries, q, 2.0, &mut s, &mut p).expect("valid sizes");
        assert_eq!(
            s.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            once.state.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(
            p.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            once.p.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
}

#[test]
fn bad_sizes_are_errors_not_panics() {
    let x = vec![0.5f32; 12];
    let mut s = vec![0.0f32; 4];
    let mut p = vec![0.0f32; 3];
    let q1 = vec![0.1f32; 4];
    assert!(modern_update(&x, 3, 4, &q1, 1, 1.0, &mut s, &mut p).is_ok());
    assert!(modern_update(&x, 4, 4, &q1, 1, 1.0, &mut s, &mut p).is_err()); // X too short
    assert!(modern_update(&x, 3, 4, &q1, 2, 1.0, &mut s, &mut p).is_err()); // queries too short
    assert!(modern_update(&x, 3, 4, &q1, 1, 1.0, &mut s[..3], &mut p).is_err());
    assert!(modern_update(&x, 3, 4, &q1, 1, 1.0, &mut s, &mut p[..2]).is_err());
    assert!(modern_update(&x, 0, 4, &[], 1, 1.0, &mut s, &mut []).is_err()); // no patterns
    assert!(modern_update(&[], 3, 0, &[], 1, 1.0, &mut [], &mut p).is_err()); // d = 0
    assert!(modern_update(&x, 3, 4, &q1, 1, f32::NAN, &mut s, &mut p).is_err());
    assert!(modern_update(&x, 3, 4, &q1, 1, f32::INFINITY, &mut s, &mut p).is_err());
    assert!(modern_update(&x, 3, usize::MAX, &q1, 1, 1.0, &mut s, &mut p).is_err()); // overflow
    assert!(modern_update(&x, 3, 4, &[], 0, 1.0, &mut [], &mut []).is_ok()); // Q = 0: nothing
    assert!(modern_update_reference(&x, 4, 4, &q1, 1, 1.0, &mut s, &mut p).is_err());
    // Row bits kept by the caller: N of them, or an error (nothing written).
    let mut ws = ModernWorkspace::new();
    let bits = row_bits(&x, 4);
    assert_eq!(bits.len(), 3);
    assert!(ws.update_with_row_bits(&x, 3, 4, Some(&bits), &q1, 1, 1.0, &mut s, &mut p, None).is_ok());
    assert!(ws.update_with_row_bits(&x, 3, 4, Some(&bits[..2]), &q1, 1, 1.0, &mut s, &mut p, None).is_err());
    assert!(row_bits(&x, 0).is_empty());
}

#[test]
fn portable_exp_is_within_one_ulp_of_f64_exp() {
    // fdlibm's e_exp.c claims < 1 ulp; glibc's exp (what f64::exp calls here) is within
    // ~0.5 ulp, so the two differ by at most 1 ulp (adjacent doubles). Checked on 2·10^5 points
    // from −745 (subnormal results) to 709.78 (the largest finite one), plus special values.
    assert_eq!(portable_exp(0.0).to_bits(), 1.0f64.to_bits());
    assert_eq!(portable_exp(-0.0).to_bits(), 1.0f64.to_bits());
    assert_eq!(portable_exp(f64::NEG_INFINITY), 0.0);
    assert_eq!(portable_exp(f64::INFINITY), f64::INFINITY);
    assert_eq!(portable_exp(710.0), f64::INFINITY);
    assert_eq!(portable_exp(-746.0), 0.0);
    assert!(portable_exp(f64::NAN).is_nan());
    let mut rng = Rng::seed_from_u64(17);
    let ulps = |x: f64| {
        let (a, b) = (portable_exp(x), x.exp());
        (a.to_bits() as i64 - b.to_bits() as i64).abs()
    };
    let mut worst = (0, 0.0);
    for i in 0..200_000 {
        let x = if i % 2 == 0 { -745.0 + rng.next_f64() * (709.78 + 745.0) } else { (rng.next_f64() - 0.5) * 4.0 };
        let e = ulps(x);
        if e > worst.0 {
            worst = (e, x);
        }
    }
    for x in [1e-300, -1e-300, 1e-9, 0.34657359, 0.5, 1.0, 1.0397, -1.0397, 709.78, -708.39, -740.0, 88.7, -87.3] {
        let e = ulps(x);
        if e > worst.0 {
            worst = (e, x);
        }
    }
    assert!(worst.0 <= 1, "portable_exp({}) is {} ulp from f64::exp", worst.1, worst.0);
    // e^1: fdlibm's result is 1 ulp above the correctly rounded E (a known fdlibm value).
    assert!((portable_exp(1.0).to_bits() as i64 - std::f64::consts::E.to_bits() as i64).abs() <= 1);
}

#[test]
fn segments_cover_the_patterns_in_whole_blocks() {
    for &(n, d) in &[(1usize, 1usize), (7, 3), (301, 1030), (1300, 1030), (10_000, 1024), (10_000, 4096), (100_000, 16)]
    {
        let plan = segments(n, d);
        let nb = block_rows(d);
        assert!(!plan.is_empty() && plan.len() <= MAX_SEGMENTS, "n = {n}, d = {d}: {} segments", plan.len());
        assert_eq!(plan[0].0, 0);
        assert_eq!(plan[plan.len() - 1].1, n);
        let blocks: Vec<usize> = plan.iter().map(|(n0, n1)| (n1 - n0).div_ceil(nb)).collect();
        for (w, s) in plan.windows(2).zip(&blocks) {
            assert_eq!(w[0].1, w[1].0, "contiguous");
            assert_eq!(w[0].1 % nb, 0, "segments end on block boundaries");
            assert!(*s >= 1);
        }
        let (lo, hi) = (blocks.iter().min().copied().unwrap_or(0), blocks.iter().max().copied().unwrap_or(0));
        assert!(hi - lo <= 1, "n = {n}, d = {d}: segments of {lo} to {hi} blocks");
        assert_eq!(plan.len(), n.div_ceil(nb).min(MAX_SEGMENTS));
    }
}

/// The update keeps, when asked, the raw dot products it computes before its softmax: each
/// query's `kernels::dots` bit for bit (whatever register tile computed them: 2 × 4, 2 × 1,
/// 1 × 4 and 1 × 1 all meet here with N and Q odd and d mod 4 ≠ 0), within the f32 summation
/// bound of the exact dot product, and keeping them changes nothing else; also for one query
/// on `segment_one`'s path (d a multiple of 4, segments of several blocks: 325 × 4096).
#[test]
fn the_update_keeps_the_dot_products_it_computes() {
    let mut rng = Rng::seed_from_u64(45);
    for &(n, d, q, beta) in &[
        (301usize, 1030usize, 7usize, 0.3f32),
        (9, 6, 3, 2.0),
        (1, 1, 1, 1.0),
        (70, 4099, 2, 0.01),
        (325, 4096, 1, 0.02),
    ] {
        let x = uniform(&mut rng, n * d);
        let queries = uniform(&mut rng, q * d);
        let plain = kernel(&x, n, d, &queries, q, beta);
        let mut ws = ModernWorkspace::new();
        let (mut state, mut p, mut kept) = (vec![f32::NAN; q * d], vec![f32::NAN; q * n], vec![f32::NAN; q * n]);
        ws.update_keeping_dots(&x, n, d, &queries, q, beta, &mut state, &mut p, Some(&mut kept)).expect("valid sizes");
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!((bits(&state), bits(&p)), (bits(&plain.state), bits(&plain.p)), "n = {n}, d = {d}");
        for r in 0..q {
            let query = &queries[r * d..(r + 1) * d];
            assert_eq!(bits(&kept[r * n..(r + 1) * n]), bits(&dots(&x, n, d, query)), "n = {n}, d = {d}, query {r}");
            for (i, &got) in kept[r * n..(r + 1) * n].iter().enumerate() {
                let row = &x[i * d..(i + 1) * d];
                let exact: f64 = row.iter().zip(query).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum();
                let abs: f64 = row.iter().zip(query).map(|(&a, &b)| (f64::from(a) * f64::from(b)).abs()).sum();
                // Four lanes of two sums of about d/8 terms each, their sum, two more additions
                // and the tail: well within (d/4 + 3)·u·Σ|a_k b_k|.
                let bound = ((d / 4 + 3) as f64) * 2f64.powi(-24) * abs;
                assert!((f64::from(got) - exact).abs() <= bound, "n = {n}, d = {d}: {got} against {exact}");
            }
        }
        let mut short = vec![0.0f32; q * n - 1];
        assert!(ws.update_keeping_dots(&x, n, d, &queries, q, beta, &mut state, &mut p, Some(&mut short)).is_err());
    }
}

/// The documented summation order of every f32 dot product (`dot_tile`'s doc comment), written
/// out as plainly as possible: two 4-lane sums over the even and the odd 4-component chunks, their
/// lane-wise sum, the lanes as (l0 + l1) + (l2 + l3), then the last d mod 4 products. Every
/// kernel path meets it bit for bit: one row at a time (`dots`, d a multiple of 4, an odd and an
/// even number of chunks), the 1 × 4, 2 × 4 (fixed and any d) and 1 × 1 tiles of a batch's kept
/// dot products, and one query's own path. On uniform data the orders differ in most sums (a
/// single running sum per lane gave other bits for 8 of 9 rows at d = 1024).
#[test]
fn the_dot_products_follow_the_documented_order() {
    fn documented(a: &[f32], b: &[f32]) -> f32 {
        let d = a.len();
        let d4 = d - d % 4;
        let mut acc = [[0.0f32; 4]; 2];
        for k in 0..d4 {
            acc[(k / 4) % 2][k % 4] += a[k] * b[k];
        }
        let l: [f32; 4] = core::array::from_fn(|j| acc[0][j] + acc[1][j]);
        let mut s = (l[0] + l[1]) + (l[2] + l[3]);
        for k in d4..d {
            s += a[k] * b[k];
        }
        s
    }
    let mut rng = Rng::seed_from_u64(46);
    let mut differs = 0;
    for &(n, d, q) in &[
        (9usize, 4usize, 1usize),
        (9, 12, 3),
        (9, 36, 2),
        (9, 37, 3),
        (13, 256, 3),
        (13, 1024, 3),
        (13, 1028, 2),
        (13, 1030, 3),
        (7, 4096, 2),
        (130, 4096, 1),
    ] {
        let x = uniform(&mut rng, n * d);
        let queries = uniform(&mut rng, q * d);
        let mut ws = ModernWorkspace::new();
        let (mut state, mut p, mut kept) = (vec![0.0f32; q * d], vec![0.0f32; q * n], vec![0.0f32; q * n]);
        ws.update_keeping_dots(&x, n, d, &queries, q, 0.1, &mut state, &mut p, Some(&mut kept)).expect("valid sizes");
        for r in 0..q {
            let query = &queries[r * d..(r + 1) * d];
            let alone = dots(&x, n, d, query);
            for i in 0..n {
                let row = &x[i * d..(i + 1) * d];
                let want = documented(query, row).to_bits();
                let at = format!("N = {n}, d = {d}, Q = {q}, query {r}, row {i}");
                assert_eq!(alone[i].to_bits(), want, "{at}: kernels::dots");
                assert_eq!(kept[r * n + i].to_bits(), want, "{at}: the update's kept dot product");
                let single: f32 = {
                    let mut l = [0.0f32; 4];
                    for k in 0..d - d % 4 {
                        l[k % 4] += query[k] * row[k];
                    }
                    ((l[0] + l[1]) + (l[2] + l[3])) + (d - d % 4..d).map(|k| query[k] * row[k]).sum::<f32>()
                };
                differs += usize::from(single.to_bits() != want);
            }
        }
    }
    // The check has teeth: one running sum per lane would have given other bits for many sums.
    assert!(differs > 100, "only {differs} sums differ between the two orders");
}

/// A query's new state and weights have the same bits whether it is updated alone or in a batch
/// of any size: one query reads the blocks in place (`axpy_1x4`), two or three read them with
/// the pair tile in place, four or more copy each block into strips first (`pack_strips`), and
/// an odd batch's last query takes the one-query tile; and the scores of pairs of queries come
/// from `scores_pairs_2x4_fixed` where d is 256, 1024 or 4096, from `dot_2x4` elsewhere, and of one
/// query from `dot_1x4`. d = 1030 leaves 6 components outside the strips (d mod 16) and 2
/// outside the 4-lane vectors; N = 301 ends on a partial block (63 rows) and an odd row for the
/// two-row loop. One query alone with d a multiple of 4 takes its own path (`segment_one`:
/// each block's scores one row at a time, then its share of P X eight rows per pass), checked
/// on segments of several blocks, so more than `MAX_SEGMENTS` blocks: N = 1095 at d = 1024
/// (18 blocks, the last of 7 rows: no 8-row pass), 325 at d = 4096 (21 blocks, the last of 5)
/// and 640 at d = 1028 (blocks of 63 rows, so 7 rows of each outside the 8-row passes).
#[test]
fn a_query_has_the_same_bits_alone_and_in_any_batch() {
    let q = 9usize;
    let mut rng = Rng::seed_from_u64(46);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let cases = [
        (301usize, 1030usize, 0.05f32),
        (130, 1024, 0.05),
        (70, 256, 0.2),
        (23, 4096, 0.02),
        (1095, 1024, 0.05),
        (325, 4096, 0.02),
        (640, 1028, 0.05),
    ];
    for (n, d, beta) in cases {
        let x = uniform(&mut rng, n * d);
        let queries = uniform(&mut rng, q * d);
        let alone: Vec<Run> = (0..q).map(|r| kernel(&x, n, d, &queries[r * d..(r + 1) * d], 1, beta)).collect();
        for batch in [2, 3, 4, 5, 8, 9] {
            let run = kernel(&x, n, d, &queries[..batch * d], batch, beta);
            for (r, one) in alone.iter().enumerate().take(batch) {
                let at = format!("d = {d}, batch of {batch}, query {r}");
                assert_eq!(bits(&run.state[r * d..(r + 1) * d]), bits(&one.state), "{at}: state");
                assert_eq!(bits(&run.p[r * n..(r + 1) * n]), bits(&one.p), "{at}: weights");
            }
        }
    }
}

/// The softmax's four-lane exponential (`softmax_exp4`) against e^t computed in f64 for the
/// f32 argument it works with (t rounded to f32 is part of its definition): within 2 ulp where
/// e^t is a normal f32 (t ≥ −87.33), within one subnormal step (2⁻¹⁴⁹) below, 0 below −104,
/// e^0 = 1 exactly, NaN for NaN; each lane on its own (a value gives the same bits in every
/// lane beside any other). 2 ulp: the polynomial's remainder is under 0.1 ulp, the reduction's
/// error under 0.3, Horner's seven steps in f32 under about 1, the final rounding 0.5.
#[test]
fn the_four_lane_exponential_is_within_two_ulp() {
    let reference = |t: f64| -> f32 { (f64::from(t.max(-104.0) as f32)).exp() as f32 };
    let mut ts: Vec<f64> = (0..=(104 << 13)).map(|i| -f64::from(i) / 8192.0).collect();
    let mut rng = Rng::seed_from_u64(48);
    for _ in 0..200_000 {
        ts.push(-((rng.next_u64() >> 11) as f64) / (1u64 << 53) as f64 * 110.0);
    }
    ts.extend([
        -0.5 * std::f64::consts::LN_2,
        -1.5 * std::f64::consts::LN_2,
        -87.33,
        -87.34,
        -103.97,
        -104.0,
        -104.5,
        -1e300,
    ]);
    let (mut worst_ulp, mut worst_sub) = (0i64, 0u32);
    for (i, &t) in ts.iter().enumerate() {
        let other = ts[(i * 7919 + 13) % ts.len()];
        let a = softmax_exp4([t, other, other, t]);
        let b = softmax_exp4([other, t, t, other]);
        assert!(
            a[0].to_bits() == a[3].to_bits() && a[0].to_bits() == b[1].to_bits() && b[1].to_bits() == b[2].to_bits(),
            "t = {t:e}: every lane the same bits"
        );
        let (got, want) = (a[0], reference(t));
        assert!(got >= 0.0, "t = {t:e}: {got:e}");
        if want >= f32::MIN_POSITIVE {
            let ulp = (i64::from(got.to_bits()) - i64::from(want.to_bits())).abs();
            worst_ulp = worst_ulp.max(ulp);
            assert!(ulp <= 2, "t = {t:e}: {got:e} against {want:e}, {ulp} ulp");
        } else {
            let steps = got.to_bits().abs_diff(want.to_bits());
            worst_sub = worst_sub.max(steps);
            assert!(steps <= 1, "t = {t:e}: {got:e} against {want:e} (subnormal), {steps} steps");
        }
    }
    assert_eq!(softmax_exp4([0.0, -0.0, -200.0, f64::NEG_INFINITY]), [1.0, 1.0, 0.0, 0.0]);
    assert!(softmax_exp4([f64::NAN, 0.0, 0.0, 0.0])[0].is_nan());
    eprintln!(
        "four-lane exponential: worst {worst_ulp} ulp (normal), {worst_sub} subnormal steps, {} arguments",
        ts.len()
    );
}

/// The softmax's two-lane exponential gives `portable_exp(x) as f32` bit for bit: on a dense
/// sweep of [−110, 0] (every 2⁻¹⁴, which crosses each multiple of ln2/2 where the reduction's k
/// changes), a few ulps either side of each of its thresholds (2⁻²⁸, the k = 0 and k = −1 bounds,
/// −105 where it rounds to the f32 0), random bit patterns of every magnitude, and the special
/// values; each value in both lanes, beside a different one in the other.
#[test]
fn the_two_lane_exponential_has_portable_exp_s_bits() {
    let expect = |x: f64| portable_exp(x) as f32;
    let same = |a: f32, b: f32| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    let mut xs: Vec<f64> = (0..=(110 << 14)).map(|i| -f64::from(i) / 16384.0).collect();
    let thresholds = [
        2f64.powi(-28),
        f64::from_bits(0x3fd6_2e43_0000_0000),
        f64::from_bits(0x3ff0_a2b2_0000_0000),
        0.5 * std::f64::consts::LN_2,
        1.5 * std::f64::consts::LN_2,
        104.0,
        105.0,
        103.97,
        709.78,
        745.13,
    ];
    for t in thresholds {
        for ulps in -4i64..=4 {
            xs.push(-f64::from_bits((t.to_bits() as i64 + ulps) as u64));
        }
    }
    let mut rng = Rng::seed_from_u64(47);
    for _ in 0..200_000 {
        // Any sign-cleared bit pattern, negated: magnitudes from subnormal to infinity and NaN.
        xs.push(-f64::from_bits(rng.next_u64() >> 1));
    }
    xs.extend([0.0, -0.0, f64::NEG_INFINITY, f64::NAN, -f64::MIN_POSITIVE, f64::MIN, 1.0, 710.0]);
    let mut checked = 0;
    for (i, &x) in xs.iter().enumerate() {
        let other = xs[(i * 7919 + 13) % xs.len()];
        let [a, b] = exp_to_f32(x, other);
        let [c, e] = exp_to_f32(other, x);
        for (got, want, arg) in
            [(a, expect(x), x), (b, expect(other), other), (c, expect(other), other), (e, expect(x), x)]
        {
            assert!(same(got, want), "exp({arg:e} = {:#018x}): {got:e} against portable_exp's {want:e}", arg.to_bits());
        }
        checked += 1;
    }
    assert!(checked > 1_800_000);
}

/// Any split of the segments into consecutive shards (a pool of 1 to 8 workers), merged in
/// order, gives the bits of the single-threaded update.
#[test]
fn shards_merged_in_order_give_the_single_threaded_bits() {
    let mut rng = Rng::seed_from_u64(44);
    for &(n, d, q, beta) in
        &[(1300usize, 1030usize, 3usize, 0.05f32), (5000, 64, 5, 0.4), (300, 37, 4, 3.0), (10, 8, 1, 1.0)]
    {
        let x = uniform(&mut rng, n * d);
        let queries = uniform(&mut rng, q * d);
        let single = kernel(&x, n, d, &queries, q, beta);
        let plan = segments(n, d);
        for workers in 1..=plan.len() {
            let mut all = SegmentParts::default();
            let mut first = 0;
            for w in 0..workers {
                let count = (w + 1) * plan.len() / workers - w * plan.len() / workers;
                let (n0, n1) = (plan[first].0, plan[first + count - 1].1);
                let mut shard =
                    ModernShard::new(x[n0 * d..n1 * d].to_vec(), n, d, first, count).expect("a valid shard");
                let mut parts = SegmentParts::default();
                shard.update(&queries, q, beta, true, &mut parts).expect("valid queries");
                all.append(&parts);
                first += count;
            }
            let (mut state, mut p) = (vec![f32::NAN; q * d], vec![f32::NAN; q * n]);
            merge_segments(n, d, q, &all, &mut state, &mut p).expect("parts of every segment");
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&state), bits(&single.state), "n = {n}, d = {d}, {workers} workers: states");
            assert_eq!(bits(&p), bits(&single.p), "n = {n}, d = {d}, {workers} workers: weights");
            // The page's pool merges the same way in two halves: the states and one factor per
            // block (wasm), then p = (f64) e · f rounded to f32 where the numerators are (JS),
            // walking segments, queries and blocks in the order of the numerators.
            let mut state2 = vec![f32::NAN; q * d];
            let factors = merge_segment_states(n, d, q, &all.scalars, &all.states, &mut state2).expect("every segment");
            assert_eq!(bits(&state2), bits(&single.state), "n = {n}, d = {d}, {workers} workers: states (two halves)");
            let (nb, mut f, mut p2) = (block_rows(d), factors.iter(), vec![f32::NAN; q * n]);
            for &(n0, n1) in &plan {
                let ns = n1 - n0;
                for r in 0..q {
                    for b0 in (0..ns).step_by(nb) {
                        let f = *f.next().expect("a factor for every block");
                        for i in b0..(b0 + nb).min(ns) {
                            p2[r * n + n0 + i] = (f64::from(all.numerators[q * n0 + r * ns + i]) * f) as f32;
                        }
                    }
                }
            }
            assert!(f.next().is_none(), "n = {n}, d = {d}: one factor per block, no more");
            assert_eq!(bits(&p2), bits(&single.p), "n = {n}, d = {d}, {workers} workers: weights (two halves)");
            // The kept dot products, gathered into Q × N, are each query's `dots`.
            let mut gathered = vec![f32::NAN; q * n];
            segment_rows_to_matrix(n, d, q, &all.dots, &mut gathered).expect("dots of every segment");
            for r in 0..q {
                let want = dots(&x, n, d, &queries[r * d..(r + 1) * d]);
                assert_eq!(
                    bits(&gathered[r * n..(r + 1) * n]),
                    bits(&want),
                    "n = {n}, d = {d}, {workers} workers: dots"
                );
            }
        }
    }
}

/// A shard that holds every segment (a pool whose workers each copy X): its parts of any run of
/// segments are those of a shard that holds only them, its whole update of any chunk of a batch
/// is the single-threaded update of that chunk, and it refuses segments it does not hold.
#[test]
fn a_shard_of_every_segment_computes_any_segments_and_whole_chunks() {
    let mut rng = Rng::seed_from_u64(45);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    for &(n, d, q, beta) in &[(5020usize, 100usize, 7usize, 0.05f32), (1300, 1030, 3, 0.05), (300, 37, 4, 3.0)] {
        let x = uniform(&mut rng, n * d);
        let queries = uniform(&mut rng, q * d);
        let plan = segments(n, d);
        let mut whole = ModernShard::new(x.clone(), n, d, 0, plan.len()).expect("every segment");
        assert!(whole.is_whole());
        for first in 0..plan.len() {
            for count in 1..=plan.len() - first {
                let (n0, n1) = (plan[first].0, plan[first + count - 1].1);
                let mut own = ModernShard::new(x[n0 * d..n1 * d].to_vec(), n, d, first, count).expect("a valid shard");
                assert_eq!(own.is_whole(), count == plan.len());
                let (mut want, mut got) = (SegmentParts::default(), SegmentParts::default());
                own.update(&queries, q, beta, true, &mut want).expect("valid queries");
                whole.update_of(&queries, q, beta, true, &mut got, Some((first, count))).expect("held segments");
                assert_eq!(got, want, "n = {n}, d = {d}: segments {first} + {count}");
                let state = &queries[..d];
                assert_eq!(
                    bits(&whole.dots_of(state, Some((first, count))).expect("held segments")),
                    bits(&own.dots(state).expect("a state of d values")),
                    "n = {n}, d = {d}: dots of segments {first} + {count}"
                );
            }
        }
        // Chunks of consecutive queries: each chunk's whole update is the single-threaded one.
        for (r0, r1) in [(0, q), (0, 1), (1, q), (q / 2, q)] {
            let chunk = &queries[r0 * d..r1 * d];
            let qc = r1 - r0;
            let single = kernel(&x, n, d, chunk, qc, beta);
            let (mut state, mut p, mut kept) = (vec![f32::NAN; qc * d], vec![f32::NAN; qc * n], vec![f32::NAN; qc * n]);
            whole.update_merged(chunk, qc, beta, &mut state, &mut p, Some(&mut kept)).expect("a valid chunk");
            assert_eq!(bits(&state), bits(&single.state), "n = {n}, d = {d}: queries {r0}..{r1}, states");
            assert_eq!(bits(&p), bits(&single.p), "n = {n}, d = {d}: queries {r0}..{r1}, weights");
            for r in 0..qc {
                assert_eq!(bits(&kept[r * n..(r + 1) * n]), bits(&dots(&x, n, d, &chunk[r * d..(r + 1) * d])));
            }
        }
        // A shard of some segments: no whole update, no segments beyond its own.
        if plan.len() > 1 {
            let (n0, n1) = (plan[1].0, plan[plan.len() - 1].1);
            let mut part =
                ModernShard::new(x[n0 * d..n1 * d].to_vec(), n, d, 1, plan.len() - 1).expect("a valid shard");
            let (mut state, mut p) = (vec![0.0; q * d], vec![0.0; q * n]);
            assert!(part.update_merged(&queries, q, beta, &mut state, &mut p, None).is_err());
            let mut parts = SegmentParts::default();
            assert!(part.update_of(&queries, q, beta, false, &mut parts, Some((0, 1))).is_err());
            assert!(part.update_of(&queries, q, beta, false, &mut parts, Some((1, plan.len()))).is_err());
            assert!(part.update_of(&queries, q, beta, false, &mut parts, Some((1, 0))).is_err());
            assert!(part.dots_of(&queries[..d], Some((usize::MAX, 2))).is_err());
        }
    }
}

#[test]
fn bad_shards_and_merges_are_errors_not_panics() {
    let (n, d) = (1300, 1030);
    let plan = segments(n, d);
    assert!(ModernShard::new(vec![0.0; 5], n, d, 0, 1).is_err(), "wrong number of values");
    assert!(ModernShard::new(Vec::new(), n, d, plan.len(), 1).is_err(), "no such segment");
    assert!(ModernShard::new(Vec::new(), n, d, 0, 0).is_err(), "no segment");
    assert!(ModernShard::new(Vec::new(), n, d, usize::MAX, 2).is_err(), "overflowing range");
    assert!(ModernShard::new(Vec::new(), 0, d, 0, 1).is_err(), "N = 0");
    let rows = plan[0].1 - plan[0].0;
    let mut shard = ModernShard::new(vec![0.5; rows * d], n, d, 0, 1).expect("a valid shard");
    let mut parts = SegmentParts::default();
    assert!(shard.update(&[0.0; 3], 1, 1.0, false, &mut parts).is_err(), "short query");
    assert!(shard.update(&vec![0.0; d], 1, f32::NAN, false, &mut parts).is_err(), "β NaN");
    shard.update(&vec![0.0; d], 1, 1.0, false, &mut parts).expect("one query");
    assert!(parts.dots.is_empty(), "no dots kept unless asked for");
    let (mut state, mut p) = (vec![0.0; d], vec![0.0; n]);
    assert!(merge_segments(n, d, 1, &parts, &mut state, &mut p).is_err(), "one segment of eight");
}

/// The roofline loops do the work they are timed for: its result equals the same multiplies and
/// adds done one lane at a time (so the compiler kept every operation), and the bench's flop
/// count of the update is 2·Q·N·d multiplies plus as many adds.
#[test]
fn the_roofline_loops_do_the_operations_they_count() {
    let iterations = 1000;
    let (x, mut y, step) = ([1.0f32, 1.125, 1.25], [0.5f32, 0.25], 1e-7f32);
    let (mut a, mut b) = ([0.0f32; 3], [0.0f32; 3]);
    for _ in 0..iterations {
        for i in 0..3 {
            a[i] += x[i] * y[0];
            b[i] += x[i] * y[1];
        }
        y[0] += step;
        y[1] += step;
    }
    // Every lane holds the same value; the loop sums a0 + a1 + a2 + (b0 + b1 + b2), then the lanes.
    let lane = ((a[0] + a[1]) + a[2]) + ((b[0] + b[1]) + b[2]);
    assert_eq!(lane_peak(iterations).to_bits(), ((lane + lane) + (lane + lane)).to_bits());
    // The loop above (which gives lane_peak's bits, so it is lane_peak's loop) run again with
    // counting numbers: its operations per iteration are LANE_PEAK_OPS.
    let ops = std::cell::Cell::new(0u64);
    let c = |v: f32| Counted(v, &ops);
    let (x, mut y, step) = ([c(1.0), c(1.125), c(1.25)], [c(0.5), c(0.25)], c(1e-7));
    let (mut a, mut b) = ([c(0.0), c(0.0), c(0.0)], [c(0.0), c(0.0), c(0.0)]);
    for _ in 0..iterations {
        for i in 0..3 {
            a[i] = a[i] + x[i] * y[0];
            b[i] = b[i] + x[i] * y[1];
        }
        y[0] = y[0] + step;
        y[1] = y[1] + step;
    }
    assert_eq!(ops.get(), LANE_PEAK_OPS * u64::from(iterations), "operations per iteration");
    // The bench's flop count is the two matrix products' multiplies and adds, counted the same
    // way on a small update: scores x_μ·ξ for every query and pattern, then Σ_μ p_μ x_μ.
    let (d, n, q) = (3usize, 5usize, 2usize);
    ops.set(0);
    let xs: Vec<Counted> = (0..n * d).map(|k| c(k as f32)).collect();
    let qs: Vec<Counted> = (0..q * d).map(|k| c(k as f32)).collect();
    for r in 0..q {
        let scores: Vec<Counted> =
            (0..n).map(|mu| (0..d).fold(c(0.0), |acc, j| acc + xs[mu * d + j] * qs[r * d + j])).collect();
        for j in 0..d {
            let _ = (0..n).fold(c(0.0), |acc, mu| acc + scores[mu] * xs[mu * d + j]);
        }
    }
    assert_eq!(ops.get() as f64, emergence_lab::hopfield::bench::update_flops(d, n, q));

    // The memory roofline's pass reads every value once: 4 sums of 4 lanes, then the tail.
    let x = uniform(&mut Rng::seed_from_u64(5), 16 * 40 + 7);
    let mut sums = [[0.0f32; 4]; 4];
    for c in x.chunks_exact(16) {
        for (s, l) in sums.iter_mut().zip(c.chunks_exact(4)) {
            for i in 0..4 {
                s[i] += l[i];
            }
        }
    }
    let lane: Vec<f32> = (0..4).map(|i| (sums[0][i] + sums[1][i]) + (sums[2][i] + sums[3][i])).collect();
    let tail: f32 = x[640..].iter().sum();
    assert_eq!(lane_sum(&x).to_bits(), (((lane[0] + lane[1]) + (lane[2] + lane[3])) + tail).to_bits());
}

/// An f32 that counts its multiplies and adds (for the operation counts above).
#[derive(Clone, Copy)]
struct Counted<'a>(f32, &'a std::cell::Cell<u64>);

impl std::ops::Add for Counted<'_> {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        self.1.set(self.1.get() + 1);
        Counted(self.0 + o.0, self.1)
    }
}

impl std::ops::Mul for Counted<'_> {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        self.1.set(self.1.get() + 1);
        Counted(self.0 * o.0, self.1)
    }
}

/// One query's two-pass path (`OneQueryPath::TwoPass`: every score first, then only the block
/// shares of Σ e x that can change a bit) gives the block-by-block bits: state, weights and kept
/// dot products, on ±1 patterns with a corrupted stored pattern as the query over a sweep of β
/// from a flat softmax (where the bounds fail and every share is computed) to a sharply peaked
/// one (where one block's share is all it reads), through the β where the other patterns'
/// weight crosses a quarter of the f32 spacing of the result (a bound too loose by a factor of
/// 2 skips a share there that changes a bit); on patterns with zeros (no absorption into a zero
/// component), with a duplicated target (a tie: not a raised maximum), with every other pattern
/// all +1 (shares that reach their bound), with a loud pattern (2¹² times a ±1 pattern
/// orthogonal to the query: a score of 0 but the largest |x|, so its block's bound decides
/// alone whether its share is read), and on uniform data. The two-pass path with the store's
/// row bits kept by the caller (`update_with_row_bits`, what the model and the shards do) reads
/// the same shares and gives the same bits as with the bits ORed on the way.
/// Segments of several blocks: N = 325 at d = 4096 (21 blocks), 1095 at d = 1024, 2000 at d = 256.
#[test]
fn the_two_pass_update_has_the_block_by_block_bits() {
    let mut rng = Rng::seed_from_u64(77);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let (mut peaked, mut fell_back) = (0, 0);
    for (n, d) in [(325usize, 4096usize), (1095, 1024), (2000, 256)] {
        for kind in ["signs", "zeros", "duplicate", "coherent", "loud", "uniform"] {
            let mut x: Vec<f32> = match kind {
                "uniform" => uniform(&mut rng, n * d),
                // Every pattern but the target all +1: the shares add up coherently, so they
                // reach the bound that decides a skip (sum of weights × the largest |x|).
                "coherent" => vec![1.0; n * d],
                "zeros" => (0..n * d).map(|_| [-1.0, 0.0, 1.0][(rng.next_u64() % 3) as usize]).collect(),
                _ => signs(&mut rng, n * d),
            };
            for target in [0, n / 2 + 3, n - 1] {
                if kind == "coherent" {
                    x[target * d..(target + 1) * d].copy_from_slice(&signs(&mut rng, d));
                }
                if kind == "duplicate" {
                    let copy = x[target * d..(target + 1) * d].to_vec();
                    let other = (target + n / 3) % n;
                    x[other * d..(other + 1) * d].copy_from_slice(&copy);
                }
                let mut query = x[target * d..(target + 1) * d].to_vec();
                for v in query.iter_mut() {
                    if rng.next_u64().is_multiple_of(5) {
                        *v = -*v;
                    }
                }
                // Loud: x_l = 2¹² (q's first half, −q's second half), so q·x_l = 0 exactly.
                let loud = (target + n / 2) % n;
                let quiet = x[loud * d..(loud + 1) * d].to_vec();
                if kind == "loud" {
                    for (k, v) in x[loud * d..(loud + 1) * d].iter_mut().enumerate() {
                        *v = if k < d / 2 { 4096.0 * query[k] } else { -4096.0 * query[k] };
                    }
                }
                let kept_bits = row_bits(&x, d);
                for step in 0..24 {
                    let beta = 0.002f32 * 1.35f32.powi(step);
                    let run = |path: OneQueryPath, bits: Option<&[u32]>| {
                        let mut ws = ModernWorkspace::new();
                        ws.set_one_query_path(path);
                        let (mut state, mut p, mut dots) = (vec![f32::NAN; d], vec![f32::NAN; n], vec![f32::NAN; n]);
                        ws.update_with_row_bits(&x, n, d, bits, &query, 1, beta, &mut state, &mut p, Some(&mut dots))
                            .expect("valid sizes");
                        (state, p, dots, ws.two_pass_partials())
                    };
                    let (fs, fp, fd, none) = run(OneQueryPath::BlockByBlock, None);
                    let (ts, tp, td, partials) = run(OneQueryPath::TwoPass, None);
                    let (ks, kp, kd, kept_partials) = run(OneQueryPath::TwoPass, Some(&kept_bits));
                    let at = format!("{kind}, N = {n}, d = {d}, target {target}, β = {beta}");
                    assert_eq!(none, None, "{at}: the block-by-block path counted two-pass shares");
                    assert_eq!(kept_partials, partials, "{at}: kept row bits read other shares");
                    for (what, two, blocks) in [
                        ("state", &ts, &fs),
                        ("weights", &tp, &fp),
                        ("dots", &td, &fd),
                        ("state (kept row bits)", &ks, &fs),
                        ("weights (kept row bits)", &kp, &fp),
                        ("dots (kept row bits)", &kd, &fd),
                    ] {
                        let first = bits(two).iter().zip(bits(blocks)).position(|(a, b)| *a != b);
                        assert_eq!(first, None, "{at}: the {what} differ first at {first:?}");
                    }
                    let (done, blocks) = partials.expect("the two-pass path reports its shares");
                    if done == 1 {
                        peaked += 1;
                    } else if done >= blocks {
                        fell_back += 1;
                    }
                }
                x[loud * d..(loud + 1) * d].copy_from_slice(&quiet);
            }
        }
    }
    // Both regimes were exercised: one share read where one pattern holds the weight, every
    // share (and more) where the bounds failed.
    assert!(peaked >= 30 && fell_back >= 30, "peaked {peaked}, fell back {fell_back}");
}

/// `OneQueryPath::Auto` takes the two-pass path after a one-query update whose softmax was
/// peaked, and block by block after a flat one; a batch never takes it.
#[test]
fn the_automatic_path_follows_the_last_softmax() {
    let (n, d) = (325usize, 4096usize);
    let mut rng = Rng::seed_from_u64(78);
    let x = signs(&mut rng, n * d);
    let query = x[7 * d..8 * d].to_vec();
    let mut ws = ModernWorkspace::new();
    let (mut state, mut p) = (vec![0.0; d], vec![0.0; n]);
    let mut step = |ws: &mut ModernWorkspace, beta: f32| {
        ws.update(&x, n, d, &query, 1, beta, &mut state, &mut p).expect("valid sizes");
        ws.two_pass_partials()
    };
    assert_eq!(step(&mut ws, 0.1), None, "the first update is block by block");
    assert_eq!(step(&mut ws, 0.1).map(|(done, _)| done), Some(1), "after a peaked softmax: two passes, one share");
    assert!(step(&mut ws, 0.0001).is_some(), "still two-pass: the last softmax was peaked");
    assert_eq!(step(&mut ws, 0.0001), None, "after a flat softmax: block by block");
    let queries = [query.clone(), query.clone()].concat();
    let (mut states, mut ps) = (vec![0.0; 2 * d], vec![0.0; 2 * n]);
    step(&mut ws, 0.1);
    ws.update(&x, n, d, &queries, 2, 0.1, &mut states, &mut ps).expect("valid sizes");
    assert_eq!(ws.two_pass_partials(), None, "a batch of two is not one query");
}

/// The two-pass path reads a later block's share when its bound is below a quarter of the
/// f32 spacing of the state as it is then, not as it was at the top block: a share that cancels
/// a component (1 + (−1 + 2⁻¹⁰) = 2⁻¹⁰) makes the spacing there 2²³ times finer, and a later
/// block whose weight is about 2⁻²⁹ then changes that component's bits. d = 256 (blocks of 256
/// rows), 24 blocks in 8 segments of 3: the top pattern in block 0, the cancelling one (a tie
/// for the maximum, weight 1) in block 1, the faint one in block 2, every other row's weight 0.
#[test]
fn a_share_that_cancels_a_component_makes_the_later_skips_stricter() {
    let (n, d) = (24 * 256, 256usize);
    assert_eq!(block_rows(d), 256);
    assert_eq!(segments(n, d)[0], (0, 768), "three blocks in the first segment");
    let mut x: Vec<f32> = (0..n * d).map(|k| if k % d == 0 { -1.0 } else { 1.0 }).collect();
    let mut row = |i: usize, v: &[f32]| x[i * d..(i + 1) * d].copy_from_slice(v);
    let mut top = vec![1.0f32; d];
    top[0] = 1.5;
    let mut cancel = vec![0.0f32; d];
    (cancel[0], cancel[1]) = (1.5, -1.0 + 2f32.powi(-10));
    let mut faint = vec![1.0f32; d];
    faint[0] = 1.098; // weight e^{50 (1.098 − 1.5)} ≈ 2⁻²⁹
    row(0, &top);
    row(256, &cancel);
    row(512, &faint);
    let mut query = vec![0.0f32; d];
    query[0] = 1.0;
    let run = |path: OneQueryPath| {
        let mut ws = ModernWorkspace::new();
        ws.set_one_query_path(path);
        let (mut state, mut p) = (vec![f32::NAN; d], vec![f32::NAN; n]);
        ws.update(&x, n, d, &query, 1, 50.0, &mut state, &mut p).expect("valid sizes");
        (state, ws.two_pass_partials())
    };
    let (want, _) = run(OneQueryPath::BlockByBlock);
    let (got, partials) = run(OneQueryPath::TwoPass);
    // (2⁻¹⁰ + about 2⁻²⁹) / (the softmax sum 2 + about 2⁻²⁹): just above 2⁻¹¹, its spacing 2⁻³⁴.
    let half = 2f32.powi(-11);
    assert!(want[1] > half && want[1] < half * (1.0 + 2f32.powi(-15)), "the faint share moves 2⁻¹¹: {}", want[1]);
    assert_eq!(got[1].to_bits(), want[1].to_bits(), "component 1: {} against {}", got[1], want[1]);
    assert_eq!(
        got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        want.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(partials, Some((3, 24)), "the top's, the cancelling and the faint share");
}

/// Where two segments tie for the largest score (a stored pattern duplicated in a later segment,
/// the query that pattern), the top segment is the first of them, and so is a shard's
/// `local_top` when it holds both: a pool worker must send the state of the segment the merge
/// raises its maximum at, not of a later equal one.
#[test]
fn a_tie_for_the_top_goes_to_the_first_segment() {
    let mut rng = Rng::seed_from_u64(80);
    let (n, d) = (1095usize, 1024usize);
    let plan = segments(n, d);
    let mut x = signs(&mut rng, n * d);
    let (early, late) = (5, n - 3);
    let row = x[early * d..(early + 1) * d].to_vec();
    x[late * d..(late + 1) * d].copy_from_slice(&row);
    let mut shard = ModernShard::new(x, n, d, 0, plan.len()).expect("a shard of every segment");
    let mut parts = SegmentParts::default();
    shard.first_pass_of(&row, 2.0, false, &mut parts, None).expect("one query");
    let top = two_pass_top(n, d, &parts.scalars).expect("every segment's scalars");
    assert_eq!(top, 0, "the first of the tied segments");
    assert_eq!(shard.local_top(&parts), Some(0), "the shard's local top");
    assert!(plan[plan.len() - 1].0 <= late, "the duplicate lies in the last segment");
}

/// A pool's two passes for one query (what `www/modern-pool.js` does with a peaked softmax):
/// every shard's first pass, the top segment's state from the shard that holds it
/// (`two_pass_top`), the others' states only where `two_pass_top_suffices` says so (zeros
/// otherwise), then the usual merge: the block-by-block single-threaded bits (state, weights,
/// dots); and the holder's `local_top` (which the pool's workers send with their first pass) is
/// the top segment. For 1 to 8 shards, on ±1 patterns with a corrupted stored pattern as the
/// query (β from flat to peaked) and on uniform data. Asking a shard for a segment it does not
/// hold, or before a first pass, is an error (and there is no local top then).
#[test]
fn a_pool_of_shards_takes_two_passes_with_the_single_threaded_bits() {
    let mut rng = Rng::seed_from_u64(79);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let (mut alone, mut all_needed) = (0, 0);
    let (mut holder_cheap, mut holder_dear, mut skipped) = (0, 0, 0);
    // 660 × 4096: segments of 5-6 blocks, more than TOP_STATE_SHARES.
    for (n, d) in [(1095usize, 1024usize), (325, 4096), (5020, 100), (660, 4096)] {
        for plus_minus in [true, false] {
            let x: Vec<f32> = if plus_minus { signs(&mut rng, n * d) } else { uniform(&mut rng, n * d) };
            // The last pattern as well: then the top segment is the last one and only the
            // absorption of what came before decides.
            for target in [(rng.next_u64() as usize) % n, n - 1] {
                let mut query = x[target * d..(target + 1) * d].to_vec();
                query.iter_mut().for_each(|v| *v = if rng.next_u64().is_multiple_of(5) { -*v } else { *v });
                let plan = segments(n, d);
                for beta in [0.001f32, 0.02, 0.2, 2.0] {
                    let mut ws = ModernWorkspace::new();
                    ws.set_one_query_path(OneQueryPath::BlockByBlock);
                    let (mut want_state, mut want_p, mut want_dots) = (vec![0.0; d], vec![0.0; n], vec![0.0; n]);
                    ws.update_keeping_dots(
                        &x,
                        n,
                        d,
                        &query,
                        1,
                        beta,
                        &mut want_state,
                        &mut want_p,
                        Some(&mut want_dots),
                    )
                    .expect("valid sizes");
                    for workers in [1, 2, 3, plan.len()] {
                        let at =
                            format!("N = {n}, d = {d}, ±1 {plus_minus}, target {target}, β = {beta}, {workers} shards");
                        let mut shards = Vec::new();
                        let (mut all, mut first) = (SegmentParts::default(), 0);
                        for w in 0..workers {
                            let count = (w + 1) * plan.len() / workers - w * plan.len() / workers;
                            let (n0, n1) = (plan[first].0, plan[first + count - 1].1);
                            let mut shard =
                                ModernShard::new(x[n0 * d..n1 * d].to_vec(), n, d, first, count).expect("a shard");
                            let mut parts = SegmentParts::default();
                            assert!(
                                shard.segment_states(&mut parts, &[first]).is_err(),
                                "{at}: states before a first pass"
                            );
                            assert_eq!(shard.local_top(&parts), None, "{at}: a local top before a first pass");
                            shard.first_pass_of(&query, beta, true, &mut parts, None).expect("one query");
                            all.append(&parts);
                            shards.push((shard, parts, first, count));
                            first += count;
                        }
                        let top = two_pass_top(n, d, &all.scalars).expect("every segment's scalars");
                        let holder = shards.iter().position(|s| (s.2..s.2 + s.3).contains(&top)).expect("a holder");
                        let (shard, parts, ..) = &mut shards[holder];
                        // What the pool's workers send with their first pass: the holder's own
                        // would-be top is the whole query's.
                        assert_eq!(shard.local_top(parts), Some(top), "{at}: the holder's local top");
                        let top_state = shard.segment_states(parts, &[top]).expect("the top segment");
                        let needed_before = all_needed;
                        assert!(
                            shard.segment_states(parts, &[plan.len()]).is_err(),
                            "{at}: a segment it does not hold"
                        );
                        all.states = vec![0.0; plan.len() * d];
                        all.states[top * d..(top + 1) * d].copy_from_slice(&top_state);
                        if two_pass_top_suffices(n, d, &all.scalars, &all.bounds, &top_state).expect("sizes fit") {
                            alone += 1;
                        } else {
                            all_needed += 1;
                            for (shard, parts, first, count) in &mut shards {
                                let own: Vec<usize> = (*first..*first + *count).collect();
                                let states = shard.segment_states(parts, &own).expect("its own segments");
                                all.states[*first * d..(*first + *count) * d].copy_from_slice(&states);
                            }
                        }
                        let (mut state, mut p) = (vec![f32::NAN; d], vec![f32::NAN; n]);
                        merge_segments(n, d, 1, &all, &mut state, &mut p).expect("parts of every segment");
                        assert_eq!(bits(&state), bits(&want_state), "{at}: state");
                        assert_eq!(bits(&p), bits(&want_p), "{at}: weights");
                        assert_eq!(bits(&all.dots), bits(&want_dots), "{at}: dots");
                        // What a worker sends with its first pass: its would-be top's state
                        // where a few block shares give it, with the bits of segment_states;
                        // nothing where its segment is flat (more shares than allowed).
                        let peaked = all_needed == needed_before;
                        for (w, (shard, parts, ..)) in shards.iter_mut().enumerate() {
                            let own_top = shard.local_top(parts).expect("a first pass");
                            let want = shard.segment_states(parts, &[own_top]).expect("its own segment");
                            for budget in [0, 1, 2, TOP_STATE_SHARES, usize::MAX] {
                                let before = shard.two_pass_partials().map_or(0, |(done, _)| done);
                                let got = shard.segment_state_within(parts, own_top, budget).expect("its own segment");
                                let shares = shard.two_pass_partials().map_or(0, |(done, _)| done) - before;
                                assert!(shares <= budget, "{at}: {shares} shares read within {budget}");
                                match got {
                                    Some(got) => {
                                        assert_eq!(bits(&got), bits(&want), "{at}: top state within {budget} shares")
                                    }
                                    None => assert!(budget < usize::MAX, "{at}: no top state without a limit"),
                                }
                                // Whatever a cut-short state left, segment_states writes it whole.
                                let again = shard.segment_states(parts, &[own_top]).expect("its own segment");
                                assert_eq!(bits(&again), bits(&want), "{at}: top state after a cut-short one");
                            }
                            let cheap = shard.segment_state_within(parts, own_top, TOP_STATE_SHARES).expect("own");
                            match (w == holder && peaked, cheap.is_some()) {
                                (true, true) => holder_cheap += 1,
                                (true, false) => holder_dear += 1,
                                (false, false) => skipped += 1,
                                (false, true) => {}
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(alone >= 10 && all_needed >= 10, "the top segment alone {alone} times, every segment {all_needed} times");
    // A peaked update's top segment is cheap for its holder (one share), and a flat segment's
    // state is not computed with a first pass.
    assert!(
        holder_cheap >= 10 && holder_dear == 0 && skipped >= 10,
        "holder's top state within {TOP_STATE_SHARES} shares {holder_cheap} times, beyond {holder_dear}; flat tops skipped {skipped}"
    );
}
