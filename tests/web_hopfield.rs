//! The modern Hopfield update on WebGPU compute (`ModernGpu`, `src/render/modern_compute.rs`)
//! against the CPU reference (`hopfield::kernels::modern_update_reference`), in the browser:
//! `wasm-pack test --headless --chrome -- --test web_hopfield`. Headless Chromium's WebGPU
//! adapter is SwiftShader (a CPU), so the logged time measures correctness, not speed.
//!
//! # Tolerance (derived, not fitted)
//! u = 2⁻²⁴ (f32 unit roundoff), γ_k = k·u / (1 − k·u). Everything below is a worst-case bound
//! (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1 for sums and dot products;
//! the WGSL specification, section "Floating Point Accuracy", for `exp` and `/`), computed per
//! element from the data:
//! 1. Scores: any f32 evaluation of a d-term dot product is off by at most γ_d Σ_k |ξ_k x_k|
//!    (any order, with or without FMA); the product with β adds one rounding. So the GPU score
//!    s̃_i = s_i + e_i with |e_i| ≤ B_i = |β| (γ_d A_i (1 + u) + u |ξ·x_i|), A_i = Σ_k |ξ_k x_ik|.
//! 2. Softmax terms: z̃_i = fl(s̃_i − max) adds a relative u; WGSL's f32 `exp` is within
//!    3 + 2|z| ULP (≤ 2(3 + 2|z|) u relative). The shift cancels between numerator and sum, so
//!    ẽ_i = e^{s_i + η_i − m̃} with |η_i| ≤ H_i = B_i + u|z̃_i| + 1.01·2(3 + 2|z̃_i|) u.
//! 3. P: p̃_i = ẽ_i / Σ̃ with the positive sum off by γ_{N−1} and WGSL's f32 division within
//!    2.5 ULP (≤ 5u). Hence p̃_i / p_i lies in
//!    [e^{−H_i} / Σ_j p_j e^{H_j}, e^{H_i} / Σ_j p_j e^{−H_j}] · [(1 − 5u)/(1 + γ_N), (1 + 5u)/(1 − γ_N)],
//!    and |p̃_i − p_i| ≤ p_i · max(hi − 1, 1 − lo) + 2⁻¹²⁵ (subnormals may be flushed to zero).
//! 4. Ξ' = P X: |x̃'_k − Σ_i p_i x_ik| ≤ Σ_i tol_i |x_ik| + γ_N Σ_i (p_i + tol_i) |x_ik|.
//! 5. The reference is f64 rounded to f32: one more u relative to each compared value.
//! 6. Rows of P: the GPU divides the very exponentials it summed, so Σ_i p̃_i = (1 + ρ̄)/(1 + σ)
//!    with |ρ̄| ≤ 5u and |σ| ≤ γ_{N−1}: |Σ_i p̃_i − 1| ≤ (5u + γ_N)/(1 − γ_N) + N·2⁻¹²⁵.
//!
//! These bounds are loose for large β (β = 20 allows a few per cent on the winning weight); a
//! wrong index or a missed barrier gives errors of order 1, far outside them. The observed
//! maximum errors are logged beside the bounds.
#![cfg(target_arch = "wasm32")]

use emergence_lab::core::rng::Rng;
use emergence_lab::hopfield::kernels::modern_update_reference;
use emergence_lab::web::ModernGpu;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const U: f64 = 1.0 / (1u64 << 24) as f64;
/// Smallest normal f32 (2⁻¹²⁶) times 2: the largest error a flushed subnormal can make.
const FLUSH: f64 = 2.0 * f32::MIN_POSITIVE as f64;

fn gamma(k: usize) -> f64 {
    let ku = k as f64 * U;
    ku / (1.0 - ku)
}

/// Uniform values in [−1, 1).
fn uniform(rng: &mut Rng, count: usize) -> Vec<f32> {
    (0..count).map(|_| (2.0 * rng.next_f64() - 1.0) as f32).collect()
}

/// Query r is stored pattern r·N/Q with 30 % of its components replaced by fresh noise.
fn corrupted_queries(rng: &mut Rng, x: &[f32], n: usize, d: usize, q: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(q * d);
    for r in 0..q {
        let source = r * n / q;
        for k in 0..d {
            let noise = (2.0 * rng.next_f64() - 1.0) as f32;
            out.push(if rng.next_f64() < 0.3 { noise } else { x[source * d + k] });
        }
    }
    out
}

struct GpuResult {
    state: Vec<f32>,
    p: Vec<f32>,
    dots: Vec<f32>,
    millis: f64,
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

async fn gpu_update(gpu: &ModernGpu, queries: &[f32], q: usize, beta: f32) -> GpuResult {
    let start = now();
    let value = JsFuture::from(gpu.update(queries.to_vec(), q as u32, beta))
        .await
        .unwrap_or_else(|e| panic!("GPU update failed: {e:?}"));
    let millis = now() - start;
    let field = |key: &str| {
        let array = js_sys::Reflect::get(&value, &JsValue::from_str(key)).expect("result field");
        js_sys::Float32Array::from(array).to_vec()
    };
    GpuResult { state: field("state"), p: field("p"), dots: field("dots"), millis }
}

async fn create(x: &[f32], n: usize, d: usize) -> ModernGpu {
    ModernGpu::create(x.to_vec(), n as u32, d as u32)
        .await
        .unwrap_or_else(|e| panic!("ModernGpu::create failed: {:?}", JsValue::from(e)))
}

/// Largest observed errors, as multiples of their bounds and absolutely.
#[derive(Default)]
struct Worst {
    p_ratio: f64,
    p_abs: f64,
    state_ratio: f64,
    state_abs: f64,
    sum_ratio: f64,
}

/// Compares the GPU's first `rows` queries with the reference within the bounds in the module
/// doc; panics with the first violation.
#[allow(clippy::too_many_arguments)]
fn check(
    label: &str,
    x: &[f32],
    n: usize,
    d: usize,
    queries: &[f32],
    rows: usize,
    beta: f32,
    gpu: &GpuResult,
) -> Worst {
    let mut ref_state = vec![0.0f32; rows * d];
    let mut ref_p = vec![0.0f32; rows * n];
    modern_update_reference(x, n, d, &queries[..rows * d], rows, beta, &mut ref_state, &mut ref_p)
        .expect("reference update");
    let beta = f64::from(beta);
    let mut worst = Worst::default();
    for r in 0..rows {
        let xi = &queries[r * d..(r + 1) * d];
        // Exact scores (f64 products of f32 values are exact; the f64 sum is off by < d·2⁻⁵³
        // relative, far below the f32 bounds) and the error bounds of step 1.
        let mut s = vec![0.0f64; n];
        let mut bound = vec![0.0f64; n];
        for i in 0..n {
            let row = &x[i * d..(i + 1) * d];
            let (mut dot, mut abs) = (0.0f64, 0.0f64);
            for (&a, &b) in xi.iter().zip(row) {
                let product = f64::from(a) * f64::from(b);
                dot += product;
                abs += product.abs();
            }
            s[i] = beta * dot;
            bound[i] = beta.abs() * (gamma(d) * abs * (1.0 + U) + U * dot.abs());
            // Step 1 before β: the raw dot product the GPU returns for the query's energy.
            let got = f64::from(gpu.dots[r * n + i]);
            assert!(
                (got - dot).abs() <= gamma(d) * abs,
                "{label}: query {r}, dot[{i}] = {got} on the GPU, exactly {dot}; allowed ±{:e}",
                gamma(d) * abs
            );
        }
        let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let b_max = bound.iter().copied().fold(0.0, f64::max);
        let sum: f64 = s.iter().map(|&v| (v - m).exp()).sum();
        let p: Vec<f64> = s.iter().map(|&v| (v - m).exp() / sum).collect();
        // Step 2: H_i, with |z̃_i| ≤ |z_i| + 2 max B.
        let h: Vec<f64> = s
            .iter()
            .zip(&bound)
            .map(|(&v, &b)| {
                let z = (m - v) + 2.0 * b_max;
                b + U * z + 1.01 * 2.0 * (3.0 + 2.0 * z) * U
            })
            .collect();
        let up: f64 = p.iter().zip(&h).map(|(&pi, &hi)| pi * hi.exp()).sum();
        let down: f64 = p.iter().zip(&h).map(|(&pi, &hi)| pi * (-hi).exp()).sum();
        let (sum_lo, sum_hi) = ((1.0 - 5.0 * U) / (1.0 + gamma(n)), (1.0 + 5.0 * U) / (1.0 - gamma(n)));
        let mut tol_p = vec![0.0f64; n];
        for i in 0..n {
            let hi = h[i].exp() / down * sum_hi;
            let lo = (-h[i]).exp() / up * sum_lo;
            tol_p[i] = p[i] * (hi - 1.0).max(1.0 - lo) + FLUSH;
            let got = f64::from(gpu.p[r * n + i]);
            let want = f64::from(ref_p[r * n + i]);
            let allowed = tol_p[i] + U * want.abs();
            let err = (got - want).abs();
            assert!(
                err <= allowed,
                "{label}: query {r}, p[{i}] = {got} on the GPU, {want} on the CPU; allowed ±{allowed:e}"
            );
            worst.p_abs = worst.p_abs.max(err);
            worst.p_ratio = worst.p_ratio.max(err / allowed);
        }
        // Step 6: the row sums.
        let row_sum: f64 = gpu.p[r * n..(r + 1) * n].iter().map(|&v| f64::from(v)).sum();
        let sum_allowed = (5.0 * U + gamma(n)) / (1.0 - gamma(n)) + n as f64 * FLUSH + n as f64 * f64::EPSILON;
        assert!(
            (row_sum - 1.0).abs() <= sum_allowed,
            "{label}: query {r}, Σp = {row_sum}, allowed 1 ± {sum_allowed:e}"
        );
        worst.sum_ratio = worst.sum_ratio.max((row_sum - 1.0).abs() / sum_allowed);
        // Step 4: the new state.
        for k in 0..d {
            let (mut spread, mut weighted) = (0.0f64, 0.0f64);
            for i in 0..n {
                let v = f64::from(x[i * d + k]).abs();
                spread += tol_p[i] * v;
                weighted += (p[i] + tol_p[i]) * v;
            }
            let want = f64::from(ref_state[r * d + k]);
            let allowed = spread + gamma(n) * weighted + U * want.abs();
            let got = f64::from(gpu.state[r * d + k]);
            let err = (got - want).abs();
            assert!(
                err <= allowed,
                "{label}: query {r}, state[{k}] = {got} on the GPU, {want} on the CPU; allowed ±{allowed:e}"
            );
            worst.state_abs = worst.state_abs.max(err);
            worst.state_ratio = worst.state_ratio.max(err / allowed);
        }
    }
    web_sys::console::log_1(
        &format!(
            "{label}: max |Δp| = {:.2e} ({:.1e} of its bound), max |Δξ'| = {:.2e} ({:.1e} of its bound), \
             max |Σp − 1| at {:.1e} of its bound",
            worst.p_abs, worst.p_ratio, worst.state_abs, worst.state_ratio, worst.sum_ratio
        )
        .into(),
    );
    worst
}

async fn gpu_matches_cpu(seed: u64, n: usize, d: usize, q: usize, betas: &[f32]) {
    let mut rng = Rng::seed_from_u64(seed);
    let x = uniform(&mut rng, n * d);
    let queries = corrupted_queries(&mut rng, &x, n, d, q);
    let gpu = create(&x, n, d).await;
    assert_eq!((gpu.patterns(), gpu.dim()), (n as u32, d as u32));
    for &beta in betas {
        let result = gpu_update(&gpu, &queries, q, beta).await;
        assert_eq!((result.state.len(), result.p.len(), result.dots.len()), (q * d, q * n, q * n));
        check(&format!("d = {d}, N = {n}, Q = {q}, β = {beta}"), &x, n, d, &queries, q, beta, &result);
    }
}

#[wasm_bindgen_test]
async fn gpu_update_matches_cpu_reference() {
    // β = 0.05 averages over many patterns (the winner has a few per cent of the weight),
    // β = 1 and 20 retrieve one pattern.
    gpu_matches_cpu(11, 500, 256, 8, &[0.05, 1.0, 20.0]).await;
}

#[wasm_bindgen_test]
async fn gpu_update_matches_cpu_reference_large() {
    // β = 1/√d, the blog's scaling: a mixture of a few patterns.
    gpu_matches_cpu(12, 2000, 1024, 4, &[1.0 / 32.0, 0.5]).await;
}

#[wasm_bindgen_test]
async fn gpu_rejects_bad_input_with_sentences() {
    let message = |e: JsValue| js_sys::Error::from(e).message().as_string().unwrap_or_default();
    let err = ModernGpu::create(vec![1.0; 5], 2, 3).await.err().map(|e| message(JsValue::from(e)));
    assert!(err.as_deref().is_some_and(|m| m.contains("5 pattern values were given for 2 patterns")), "{err:?}");
    let gpu = create(&[1.0, 0.0, 0.0, 1.0], 2, 2).await;
    let rejected = JsFuture::from(gpu.update(vec![1.0; 3], 2, 1.0)).await.err().map(message);
    assert!(rejected.as_deref().is_some_and(|m| m.contains("3 query values")), "{rejected:?}");
    let rejected = JsFuture::from(gpu.update(vec![1.0, 0.0], 1, f32::NAN)).await.err().map(message);
    assert!(rejected.as_deref().is_some_and(|m| m.contains("finite")), "{rejected:?}");
    // After errors, a good call still works: ξ = e₁ with β = 0 averages the two patterns.
    let result = gpu_update(&gpu, &[1.0, 0.0], 1, 0.0).await;
    assert_eq!(result.p, vec![0.5, 0.5]);
    assert_eq!(result.state, vec![0.5, 0.5]);
    assert_eq!(result.dots, vec![1.0, 0.0], "the dot products come back before β");
    assert!(gpu.backend_note().starts_with("WebGPU compute"));
}

/// One update with d = 1024, N = 10,000, Q = 100 (the benchmark size): the time is
/// logged (SwiftShader: a CPU, so not a speed figure), every query is checked against the
/// reference within the bounds above, and every row of P must sum to 1.
#[wasm_bindgen_test]
async fn gpu_update_benchmark_size() {
    let (n, d, q, beta) = (10_000, 1024, 100, 1.0 / 32.0);
    let mut rng = Rng::seed_from_u64(13);
    let x = uniform(&mut rng, n * d);
    let queries = corrupted_queries(&mut rng, &x, n, d, q);
    let gpu = create(&x, n, d).await;
    let result = gpu_update(&gpu, &queries, q, beta).await;
    web_sys::console::log_1(
        &format!(
            "ModernGpu.update d = {d}, N = {n}, Q = {q}: {:.0} ms, upload to read-back ({})",
            result.millis,
            gpu.backend_note()
        )
        .into(),
    );
    let sum_allowed = (5.0 * U + gamma(n)) / (1.0 - gamma(n)) + n as f64 * FLUSH + n as f64 * f64::EPSILON;
    for r in 0..q {
        let row_sum: f64 = result.p[r * n..(r + 1) * n].iter().map(|&v| f64::from(v)).sum();
        assert!((row_sum - 1.0).abs() <= sum_allowed, "query {r}: Σp = {row_sum}");
    }
    // Every query, four at a time, handing the page back to the browser between chunks (the test
    // runner's webdriver gives up on a page busy for 10 s; the check costs about 0.1 s a query).
    for first in (0..q).step_by(4) {
        let end = (first + 4).min(q);
        let part = GpuResult {
            state: result.state[first * d..end * d].to_vec(),
            p: result.p[first * n..end * n].to_vec(),
            dots: result.dots[first * n..end * n].to_vec(),
            millis: result.millis,
        };
        let label = format!("d = {d}, N = {n}, Q = {q}, β = {beta}, queries {first}..{end}");
        check(&label, &x, n, d, &queries[first * d..end * d], end - first, beta, &part);
        yield_to_browser().await;
    }
}

/// Resolves after a zero-delay timer: the browser runs its own tasks first.
async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(promise).await;
}
