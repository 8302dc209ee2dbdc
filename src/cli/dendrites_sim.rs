//! `emergence-lab dendrites simulate|bench`: bit-level Monte Carlo and timings.

use crate::cli::{Flags, UsageError};
use crate::dendrites::logmath::{finite_or_null, Prob};
use crate::dendrites::simulate::{ImportanceSimulation, McEstimate, McKind, Simulation};
use crate::dendrites::theory::{self, ThresholdGrid, UnionMethod};
use std::time::Instant;

/// Flags of `dendrites simulate`.
const SIMULATE_FLAGS: [&str; 11] = ["kind", "n", "a", "s", "theta", "trials", "seed", "lambda", "segments", "v", "m"];

pub(crate) fn run(command: &str, args: &[String], limits: crate::cli::Limits) -> Result<String, UsageError> {
    match command {
        "simulate" => simulate(&Flags::parse(limits, args, &SIMULATE_FLAGS, &["importance"])?),
        "bench" => bench(&Flags::parse(limits, args, &[], &[])?),
        other => Err(UsageError(format!("unknown dendrites command \"{other}\""))),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KindWord {
    FalseMatch,
    FalseNegative,
    UnionSegment,
    UnionInput,
}

/// The flag a validation sentence is about: its first word names the parameter.
fn flag_of(message: &str) -> &'static str {
    match message.split([' ', '=']).next().unwrap_or("") {
        "n" => "--n",
        "a" => "--a",
        "s" => "--s",
        "v" => "--v",
        "m" | "m × s" | "m × a" => "--m",
        "segments" => "--segments",
        "lambda" => "--lambda",
        _ => "--kind",
    }
}

fn kind_from_flags(flags: &Flags) -> Result<McKind, UsageError> {
    let word = flags.word(
        "kind",
        KindWord::FalseMatch,
        &[
            ("false-match", KindWord::FalseMatch),
            ("false-negative", KindWord::FalseNegative),
            ("union-segment", KindWord::UnionSegment),
            ("union-input", KindWord::UnionInput),
        ],
    )?;
    let max = crate::dendrites::simulate::MAX_CELLS;
    let n: u64 = flags.int("n", 2048, 1, max)?;
    let a: u64 = flags.int("a", 40.min(n), 0, n)?;
    let s: u64 = flags.int("s", 20.min(n), 0, n)?;
    let theta: u64 = flags.int("theta", (s / 2).max(1), 0, u64::from(u32::MAX))?;
    let only = |name: &str, allowed: bool| -> Result<(), UsageError> {
        if !allowed && flags.values.contains_key(name) {
            return Err(UsageError(format!("--{name} does not apply to this --kind")));
        }
        Ok(())
    };
    only("segments", word == KindWord::FalseMatch)?;
    only("v", word == KindWord::FalseNegative)?;
    only("m", matches!(word, KindWord::UnionSegment | KindWord::UnionInput))?;
    let kind = match word {
        KindWord::FalseMatch => McKind::FalseMatch { n, a, s, theta, segments: flags.int("segments", 1, 1, 100_000)? },
        KindWord::FalseNegative => McKind::FalseNegative { n, a, s, theta, v: flags.int("v", a / 2, 0, a)? },
        KindWord::UnionSegment => McKind::UnionSegment { n, a, s, theta, m: flags.int("m", 2, 1, 100_000)? },
        KindWord::UnionInput => McKind::UnionInput { n, a, s, theta, m: flags.int("m", 2, 1, 100_000)? },
    };
    kind.validate().map_err(|e| UsageError(format!("{} ({})", e.trim_end_matches('.'), flag_of(&e))))?;
    Ok(kind)
}

/// The theory value a run is compared with, and which formula it is.
fn theory_for(kind: &McKind) -> Result<(Prob, &'static str), String> {
    Ok(match *kind {
        McKind::FalseMatch { n, a, s, theta, segments: 1 } => (theory::false_match(n, a, s, theta)?, "E3 (exact)"),
        McKind::FalseMatch { n, a, s, theta, segments } => {
            (theory::set_match(n, a, s, theta, segments)?.exact, "E4 exact 1 − (1 − P_fm)^K")
        }
        McKind::FalseNegative { a, s, theta, v, .. } => (theory::false_negative(a, s, theta, v)?, "E5 (exact)"),
        McKind::UnionSegment { n, a, s, theta, m } => {
            (theory::union_segment(n, a, s, theta, m, UnionMethod::Exact)?, "E6 exact mixture over the union size")
        }
        // The simulation draws real unions, so it is compared with the exact mixture over the
        // union's size where that is affordable, else with the official approximation.
        McKind::UnionInput { n, a, s, theta, m } => match theory::union_input_exact(n, a, s, theta, m) {
            Ok(p) => (p, "E7 exact mixture over the input union's size"),
            Err(_) => (
                theory::union_input(n, a, s, theta, m)?,
                "E7 as the official code computes it (expected union size A(M) in Γ-binomials): an approximation",
            ),
        },
    })
}

fn simulate(flags: &Flags) -> Result<String, UsageError> {
    let kind = kind_from_flags(flags)?;
    let importance = flags.switch("importance");
    let seed: u64 = flags.int("seed", 1, 0, u64::MAX)?;
    let default_trials = if importance { 200_000 } else { 1_000_000 };
    let trials: u64 = flags.int("trials", default_trials, 1, 1_000_000_000_000)?;
    // A trial draws a active cells and, per segment, compares s synapses against them (a
    // word-wise bit set of n cells); the segments' bit sets are the memory.
    let (per_trial, segments, n) = match kind {
        McKind::FalseMatch { n, a, s, segments, .. } => ((a + s * segments) as f64, segments, n),
        McKind::FalseNegative { n, a, s, .. } => ((a + s) as f64, 1, n),
        McKind::UnionSegment { n, a, s, m, .. } => ((a + s * m) as f64, 1, n),
        McKind::UnionInput { n, a, s, m, .. } => ((a * m + s) as f64, 1, n),
    };
    let work = trials as f64 * (per_trial + n as f64 / 64.0) * 4.0;
    let bytes = segments as f64 * (n as f64 / 8.0 + 64.0);
    flags.within("--trials, --n, --a, --s, --segments and --m", "the simulation", work, bytes)?;
    let (theory_p, formula) = theory_for(&kind).map_err(|e| UsageError(format!("theory: {e}")))?;
    let start = Instant::now();
    let (estimate, lambda, ess, log10_se): (McEstimate, Option<f64>, Option<f64>, f64) = if importance {
        if !ImportanceSimulation::supports(&kind) {
            return Err(UsageError(
                "--importance covers --kind false-match with --segments 1, false-negative, union-segment and union-input"
                    .into(),
            ));
        }
        let lambda = match flags.values.get("lambda") {
            None => None,
            Some(raw) => Some(
                raw.trim().parse::<f64>().map_err(|_| UsageError(format!("--lambda: \"{raw}\" is not a number")))?,
            ),
        };
        let mut sim = ImportanceSimulation::for_kind(kind, lambda, seed)
            .map_err(|e| UsageError(format!("{} (--lambda)", e.trim_end_matches('.'))))?;
        sim.run(trials);
        let lambda = sim.lambda();
        (sim.estimate(), lambda, Some(sim.effective_sample_size()), sim.log10_se())
    } else {
        if flags.values.contains_key("lambda") {
            return Err(UsageError("--lambda needs --importance".into()));
        }
        let mut sim = Simulation::new(kind, seed).map_err(UsageError)?;
        sim.run(trials);
        let estimate = sim.estimate();
        let log10_se = if estimate.se > 0.0 { estimate.se.log10() } else { f64::NEG_INFINITY };
        (estimate, None, None, log10_se)
    };
    let seconds = start.elapsed().as_secs_f64();
    // z from logarithms, so it stays right where p, its SE and the theory are all below f64's
    // range: (p − t)/se = (10^(lp − lt) − 1)/10^(lse − lt).
    let z = (log10_se.is_finite() && estimate.log10_p.is_finite() && theory_p.ln_p.is_finite()).then(|| {
        let lt = theory_p.log10();
        (10f64.powf(estimate.log10_p - lt) - 1.0) / 10f64.powf(log10_se - lt)
    });
    if flags.json {
        let value = serde_json::json!({
            "kind": kind,
            "method": if importance { "importance" } else { "plain" },
            "seed": seed.to_string(),
            "trials": estimate.trials,
            "hits": estimate.hits,
            "p": estimate.p,
            "se": estimate.se,
            "ci_low": estimate.ci_low,
            "ci_high": estimate.ci_high,
            "upper_bound": estimate.upper_bound,
            "log10_p": finite_or_null(estimate.log10_p),
            "log10_se": finite_or_null(log10_se),
            "theory_p": theory_p.value(),
            "theory_log10_p": finite_or_null(theory_p.log10()),
            "theory": formula,
            "z": z,
            "lambda": lambda,
            "proposal": if !importance { serde_json::Value::Null } else if lambda.is_some() { "tilt".into() } else { "bridge".into() },
            "effective_sample_size": ess,
            "seconds": seconds,
        });
        return serde_json::to_string(&value).map_err(|e| UsageError(format!("could not write JSON: {e}")));
    }
    let mut out = format!(
        "dendrites simulate ({}) {}, seed {seed}\n",
        if importance { "importance sampling" } else { "bit-level Monte Carlo" },
        serde_json::to_string(&kind).unwrap_or_default()
    );
    out += &format!(
        "  {} hits in {} {}\n",
        estimate.hits,
        estimate.trials,
        if importance { "samples" } else { "test vectors" }
    );
    match estimate.upper_bound {
        Some(bound) => out += &format!("  p = 0 (no hits); rule of three: p < {bound:.3e} (95 %)\n"),
        None => {
            if estimate.p > 0.0 {
                out += &format!(
                    "  p = {:.4e} ± {:.2e} (SE); 95 % interval [{:.4e}, {:.4e}]; log10 p = {:.3}\n",
                    estimate.p, estimate.se, estimate.ci_low, estimate.ci_high, estimate.log10_p
                )
            } else if estimate.log10_p.is_finite() {
                // Below f64's range: from the logarithms, never a printed 0.
                out += &format!(
                    "  p = 10^{:.3} ± 10^{:.3} (SE), below f64's range; log10 p = {:.3}\n",
                    estimate.log10_p, log10_se, estimate.log10_p
                )
            } else {
                // An importance run with no hits: the proposal's hit rate gives no bound on P.
                out += "  p = 0 (no hits; the importance sampler gives no bound without hits)\n";
            }
        }
    }
    if let Some(ess) = ess {
        match lambda {
            Some(lambda) => out += &format!("  lambda = {lambda:.4}; effective sample size {ess:.0}\n"),
            None => out += &format!("  bridge proposal; effective sample size {ess:.0}\n"),
        }
    }
    out += &format!("  theory {} (log10 {:.3}), {formula}\n", theory_p.text(), theory_p.log10());
    if let Some(z) = z {
        out += &format!("  z = (p − theory)/SE = {z:+.2}\n");
    }
    out += &format!("  {seconds:.2} s");
    Ok(out)
}

/// Seconds per call of `f`, repeated until at least `min_seconds` have passed.
fn time_per_call(min_seconds: f64, mut f: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let start = Instant::now();
    let mut calls = 0u64;
    loop {
        f()?;
        calls += 1;
        let elapsed = start.elapsed().as_secs_f64();
        if elapsed >= min_seconds {
            return Ok(elapsed / calls as f64);
        }
    }
}

/// The dendrites benchmark's estimated work (it is fixed; measured here at about a minute).
const BENCH_WORK: f64 = 6e10;

fn bench(flags: &Flags) -> Result<String, UsageError> {
    flags.within("bench", "the benchmark", BENCH_WORK, 0.0)?;
    let err = |e: String| UsageError(format!("bench: {e}"));
    // Exact E3 at n = 10^6 and at the paper's sizes, each over every θ in 1..=s.
    let points: [(u64, u64, u64); 4] =
        [(1_000_000, 2_000, 24), (1_000_000, 20_000, 40), (2_048, 40, 20), (19_900, 64, 24)];
    let mut e3 = Vec::new();
    for (n, a, s) in points {
        let per_sweep = time_per_call(0.2, || {
            for theta in 1..=s {
                std::hint::black_box(theory::false_match(n, a, s, theta)?);
            }
            Ok(())
        })
        .map_err(err)?;
        e3.push((n, a, s, per_sweep / s as f64));
    }
    let grid = ThresholdGrid::official();
    let f_theta = time_per_call(0.5, || theory::threshold_median(&grid).map(|rows| drop(std::hint::black_box(rows))))
        .map_err(err)?;
    // Plain Monte Carlo at the point.
    let kind = McKind::FalseMatch { n: 2048, a: 40, s: 20, theta: 10, segments: 1 };
    let mut sim = Simulation::new(kind, 1).map_err(err)?;
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < 1.0 {
        sim.run(1_000_000);
    }
    let mc_rate = sim.trials() as f64 / start.elapsed().as_secs_f64();
    // Importance sampling at n = 19900, a = 64, s = 24, θ = 12 (P ≈ 1.07e-24).
    let kind = McKind::FalseMatch { n: 19_900, a: 64, s: 24, theta: 12, segments: 1 };
    let mut is = ImportanceSimulation::for_kind(kind, None, 1).map_err(err)?;
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < 1.0 {
        is.run(100_000);
    }
    let is_rate = is.samples() as f64 / start.elapsed().as_secs_f64();
    let is_est = is.estimate();
    let exact = theory::false_match(19_900, 64, 24, 12).map_err(err)?.value();

    if flags.json {
        let value = serde_json::json!({
            "build": if cfg!(debug_assertions) { "debug" } else { "release" },
            "e3_seconds_per_point": e3.iter().map(|&(n, a, s, t)| serde_json::json!({"n": n, "a": a, "s": s, "seconds": t})).collect::<Vec<_>>(),
            "f_theta_seconds": f_theta,
            "mc_vectors_per_second": mc_rate,
            "importance_samples_per_second": is_rate,
            "importance_p": is_est.p,
            "importance_se": is_est.se,
            "importance_exact": exact,
        });
        return serde_json::to_string(&value).map_err(|e| UsageError(format!("could not write JSON: {e}")));
    }
    let mut out = format!(
        "dendrites bench (native, this machine, {} build{})\n",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        if cfg!(debug_assertions) { "; use cargo run --release for real numbers" } else { "" }
    );
    for (n, a, s, t) in e3 {
        out += &format!(
            "  exact E3, n = {n}, a = {a}, s = {s} (θ = 1..={s}): {:.2} µs per point (target ≤ 10 µs)\n",
            t * 1e6
        );
    }
    out += &format!("  F-θ grid (210 combinations × θ = 3..=24): {:.2} ms (target ≤ 50 ms)\n", f_theta * 1e3);
    out += &format!(
        "  plain Monte Carlo, n = 2048, a = 40, s = 20, θ = 10: {:.3e} test vectors/s (target in wasm ≥ 1e7/s)\n",
        mc_rate
    );
    out += &format!(
        "  importance sampling (bridge proposal), n = 19900, a = 64, s = 24, θ = 12: {:.3e} samples/s; \
         p = {:.3e} ± {:.1e} against exact {exact:.3e}",
        is_rate, is_est.p, is_est.se
    );
    Ok(out)
}
