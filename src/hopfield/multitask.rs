//! The multitasking Hebbian network with diluted patterns (Agliari, Alessandrelli, Barra,
//! Ricci-Tersenghi, "Parallel Learning by Multitasking Neural Networks", arXiv 2308.04106;
//! model details as the lab reads the paper, docs/hopfield.md, "Models and sources"): K
//! patterns with entries in {−1, 0, +1}, P(0) = d, couplings J = (1/N) Σ_μ ξ^μ ξ^μᵀ with zero
//! diagonal, Glauber dynamics at noise T (T = 0: σ_i = sgn(h_i), ties keep the current value),
//! Mattis magnetisations m_μ = (1/N) Σ_i ξ_i^μ σ_i.
//!
//! The couplings and the T = 0 dynamics are [`Classical`]'s (it stores {−1, 0, +1} patterns
//! exactly); this module adds Glauber noise, the starting state and the magnetisations.

use super::classical::{BinaryNet, Classical, Dynamics, TieRule};
use super::kernels::portable_exp;
use super::patterns::PatternSet;
use crate::core::rng::Rng;

/// Mattis magnetisations m_μ = (1/N) Σ_i ξ_i^μ σ_i of a P × N pattern array.
pub fn magnetisations(patterns: &[i8], n: usize, state: &[i8]) -> Vec<f64> {
    patterns
        .chunks_exact(n)
        .map(|xi| xi.iter().zip(state).map(|(&a, &b)| i64::from(a) * i64::from(b)).sum::<i64>() as f64 / n as f64)
        .collect()
}

/// The starting state of the lab's runs (docs/hopfield.md, "What the lab derived itself"): ξ¹ on
/// its support, a fair random ±1 elsewhere.
pub fn initial_state(first: &[i8], rng: &mut Rng) -> Vec<i8> {
    first
        .iter()
        .map(|&x| {
            if x != 0 {
                x
            } else if rng.coin() {
                1
            } else {
                -1
            }
        })
        .collect()
}

/// One Glauber update of component i at inverse noise β = 1/T: σ_i = +1 with probability
/// (1 + tanh(βh_i))/2 = 1/(1 + e^{−2βh_i}), h_i = Σ_j J_ij σ_j (Agliari et al.), with the portable
/// exp so the draw is the same on every platform. True when σ_i changed.
pub fn glauber_component(net: &mut Classical, i: usize, beta: f64, rng: &mut Rng) -> bool {
    let h = net.scaled_field(i) as f64 / net.neurons() as f64;
    let p_plus = 1.0 / (1.0 + portable_exp(-2.0 * beta * h));
    let v = if rng.next_f64() < p_plus { 1 } else { -1 };
    if v != net.state()[i] {
        net.set(i, v);
        true
    } else {
        false
    }
}

/// One Glauber sweep in a random order (the order from `dynamics`); returns the flips.
pub fn glauber_sweep(net: &mut Classical, dynamics: &mut Dynamics, temperature: f64, rng: &mut Rng) -> usize {
    let n = net.neurons();
    let mut flips = 0;
    loop {
        let i = dynamics.next_component(n, rng);
        flips += usize::from(glauber_component(net, i, 1.0 / temperature, rng));
        if dynamics.sweep_position() == 0 {
            return flips;
        }
    }
}

/// The experiment of docs/hopfield.md ("What the lab derived itself", multitasking): N neurons,
/// K diluted patterns at dilution d, T = 0 asynchronous dynamics from [`initial_state`] until a
/// sweep without flips (at most `max_sweeps`). Returns m_μ for every pattern (μ = 1 first).
pub fn hierarchical_run(n: usize, k: usize, dilution: f64, seed: u64, max_sweeps: usize) -> Result<Vec<f64>, String> {
    let mut rng = Rng::seed_from_u64(seed);
    let set = PatternSet::sparse(n, 1, k, dilution, &mut rng);
    let pats = super::classical::sign_patterns(set.flat());
    let mut net = Classical::new(&pats, n, k, TieRule::Keep, None)?;
    net.set_state(&initial_state(&pats[..n], &mut rng));
    let mut dynamics = Dynamics::new();
    for _ in 0..max_sweeps {
        if dynamics.async_sweep(&mut net, &mut rng) == 0 {
            break;
        }
    }
    Ok(magnetisations(&pats, n, net.state()))
}
