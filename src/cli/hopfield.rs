//! `emergence-lab hopfield …`: capacity experiments, retrieval, metastable states and the
//! benchmark of the modern update.
//!
//! - `capacity`: fixed points and noisy-start retrieval of the classical, dense and exp models
//!   (`crate::hopfield::capacity::run_capacity`), with the theory lines.
//! - `retrieve`: the modern model from corrupted queries (`run_retrieve`).
//! - `metastable`: two similar patterns from their midpoint (`run_metastable`).
//! - `bench`: in `hopfield_bench.rs`.

use crate::cli::{Flags, UsageError};
use crate::hopfield::capacity::{
    self, CapacityConfig, CapacityModel, MetastableConfig, QueryNoise, RetrieveConfig, RetrieveKind,
};
use crate::hopfield::modern::Scaling;
use serde_json::{json, Value};

#[path = "hopfield_bench.rs"]
mod bench;

pub(crate) fn run(command: Option<&str>, args: &[String], limits: super::Limits) -> Result<String, UsageError> {
    match command {
        Some("bench") => bench::run(args, limits),
        Some("capacity") => capacity_cmd(&Flags::parse(
            limits,
            args,
            &["model", "order", "neurons", "patterns", "tests", "seed", "flip", "starts"],
            &["rectified"],
        )?),
        Some("retrieve") => retrieve_cmd(&Flags::parse(
            limits,
            args,
            &["model", "dim", "patterns", "beta", "scaling", "corrupt", "kind", "queries", "seed", "steps"],
            &[],
        )?),
        Some("metastable") => metastable_cmd(&Flags::parse(
            limits,
            args,
            &["dim", "differ", "extra", "beta", "seed", "steps", "offset"],
            &[],
        )?),
        other => {
            let _ = Flags::parse(limits, args, &[], &[])?;
            Err(UsageError(format!(
                "{}; try capacity, retrieve, metastable or bench",
                other
                    .filter(|c| !c.is_empty())
                    .map_or("\"hopfield\" needs a command".to_string(), |c| format!("unknown hopfield command {c:?}"))
            )))
        }
    }
}

fn float(flags: &Flags, name: &str, default: f64, min: f64, max: f64) -> Result<f64, UsageError> {
    let Some(raw) = flags.values.get(name) else { return Ok(default) };
    let v: f64 = raw.trim().parse().map_err(|_| UsageError(format!("--{name}: \"{raw}\" is not a number")))?;
    if !v.is_finite() || v < min || v > max {
        return Err(UsageError(format!("--{name}: {raw} is outside {min}..={max}")));
    }
    Ok(v)
}

fn to_json(value: &Value) -> Result<String, UsageError> {
    serde_json::to_string(value).map_err(|e| UsageError(format!("could not write JSON: {e}")))
}

/// A science error ("order: n = 40 …") with the flag its first word names.
fn science_error(message: String) -> UsageError {
    let word = message.split([':', ' ']).next().unwrap_or("");
    match word {
        "neurons" | "patterns" | "tests" | "flip" | "order" | "beta" | "differ" | "dim" | "queries" | "offset" => {
            UsageError(format!("--{word}: {message}"))
        }
        _ => UsageError(message),
    }
}

fn capacity_cmd(flags: &Flags) -> Result<String, UsageError> {
    #[derive(Clone, Copy)]
    enum M {
        Classical,
        Dense,
        Exp,
    }
    let m = flags.word("model", M::Classical, &[("classical", M::Classical), ("dense", M::Dense), ("exp", M::Exp)])?;
    let order: u32 = flags.int("order", 3, 2, crate::hopfield::dense::MAX_ORDER)?;
    let model = match m {
        M::Classical => CapacityModel::Classical,
        M::Dense => CapacityModel::Dense { order, rectified: flags.switch("rectified") },
        M::Exp => CapacityModel::Exp,
    };
    let neurons: usize = flags.int("neurons", 100, 2, capacity::MAX_NEURONS)?;
    let patterns: usize = flags.int("patterns", 10, 1, capacity::MAX_PATTERNS)?;
    let config = CapacityConfig {
        model,
        neurons,
        patterns,
        tests: flags.int("tests", 10, 1, capacity::MAX_TESTS)?,
        seed: flags.int("seed", 1, 0, u64::MAX)?,
        flip: flags.int("flip", 0, 0, neurons)?,
        starts: flags.int("starts", 20, 0, capacity::MAX_PATTERNS)?,
    };
    // Per test: the weights (classical), a sweep from every stored pattern (is it fixed?), and
    // a few sweeps from every noisy start; a sweep is n neurons, each a weight row (classical)
    // or a sum over the stored patterns (dense, exp).
    let (n, p, starts) = (neurons as f64, patterns as f64, config.starts as f64);
    let sweep = match model {
        CapacityModel::Classical => n * n,
        _ => n * n * p,
    };
    let work = config.tests as f64 * (n * n * p + (p + starts * 4.0) * sweep) * 2.0;
    let bytes = n * n * 8.0 + n * p * 8.0;
    flags.within("--neurons, --patterns, --tests and --starts", "the capacity runs", work, bytes)?;
    let s = capacity::run_capacity(&config, &mut |_| {}).map_err(science_error)?;
    if flags.json {
        let mut v = serde_json::to_value(s).map_err(|e| UsageError(format!("could not write JSON: {e}")))?;
        if let Value::Object(o) = &mut v {
            o.insert("seed".into(), json!(config.seed.to_string()));
            o.insert("flip".into(), json!(config.flip));
            o.insert(
                "model".into(),
                json!(match m {
                    M::Classical => "classical",
                    M::Dense => "dense",
                    M::Exp => "exp",
                }),
            );
        }
        return to_json(&v);
    }
    let t = s.theory;
    let mut out = format!(
        "capacity, N = {}, P = {} (P/N = {:.4}), {} tests, {} flipped per start, seed {} (mean ± SE over tests)\n",
        s.neurons, s.patterns, s.load, s.tests, config.flip, config.seed
    );
    out += &format!("  fixed points          {:.4} ± {:.4}\n", s.fixed_point_fraction, s.fixed_point_se);
    out += &format!("  perfectly retrieved   {:.4} ± {:.4}\n", s.perfect_fraction, s.perfect_se);
    out += &format!("  retrieved (≤1% wrong) {:.4}\n", s.retrieved_fraction);
    out += &format!("  mean final overlap    {:.4} ± {:.4}\n", s.mean_overlap, s.overlap_se);
    out += &format!("  theory: 0.138N = {:.1}, N/(2 ln N) = {:.1}", t.retrieval_0138, t.error_free);
    if let Some(dense) = t.dense_error_free {
        out += &format!(", N^(n-1)/(2(2n-3)!! ln N) = {dense:.1}");
    }
    out += &format!(", 2^(N/2) = {:.3e}", t.exp);
    Ok(out)
}

/// `flip:K` or `zero:K`.
fn parse_noise(raw: &str, dim: usize) -> Result<QueryNoise, UsageError> {
    let bad = || UsageError(format!("--corrupt: \"{raw}\" is not flip:K or zero:K with K in 0..={dim}"));
    let (kind, k) = raw.trim().split_once(':').ok_or_else(bad)?;
    let k: usize = k.trim().parse().map_err(|_| bad())?;
    if k > dim {
        return Err(bad());
    }
    match kind.trim() {
        "flip" => Ok(QueryNoise::Flip(k)),
        "zero" => Ok(QueryNoise::Zero(k)),
        _ => Err(bad()),
    }
}

fn retrieve_cmd(flags: &Flags) -> Result<String, UsageError> {
    let _ = flags.word("model", "modern", &[("modern", "modern")])?;
    let dim: usize = flags.int("dim", 64, 1, 65_536)?;
    let patterns: usize = flags.int("patterns", 100, 1, 100_000)?;
    if dim.saturating_mul(patterns) > 1 << 28 {
        return Err(UsageError(format!(
            "--patterns: {patterns} patterns of dimension {dim} are more than 2^28 values"
        )));
    }
    let config = RetrieveConfig {
        dim,
        patterns,
        beta: float(flags, "beta", 1.0, 1e-9, 1e9)?,
        scaling: flags.word("scaling", Scaling::Paper, &[("paper", Scaling::Paper), ("blog", Scaling::Blog)])?,
        noise: parse_noise(flags.values.get("corrupt").map_or("flip:0", String::as_str), dim)?,
        kind: flags.word("kind", RetrieveKind::Pm1, &[("pm1", RetrieveKind::Pm1), ("sphere", RetrieveKind::Sphere)])?,
        queries: flags.int("queries", 100, 1, 1_000_000)?,
        steps: flags.int("steps", 1, 0, capacity::MAX_RETRIEVE_STEPS)?,
        seed: flags.int("seed", 1, 0, u64::MAX)?,
    };
    // Every update scores each query against every stored pattern and mixes them back.
    let steps = if config.steps == 0 { capacity::MAX_RETRIEVE_STEPS } else { config.steps } as f64;
    let (d, n, q) = (dim as f64, patterns as f64, config.queries as f64);
    let work = q * n * d * 2.0 * steps;
    let bytes = n * d * 8.0 + q * (d + n) * 8.0;
    flags.within("--dim, --patterns, --queries and --steps", "the retrieval", work, bytes)?;
    let s = capacity::run_retrieve(&config).map_err(science_error)?;
    if flags.json {
        let mut v = serde_json::to_value(s).map_err(|e| UsageError(format!("could not write JSON: {e}")))?;
        if let Value::Object(o) = &mut v {
            o.insert("seed".into(), json!(config.seed.to_string()));
            o.insert("dim".into(), json!(dim));
            o.insert("patterns".into(), json!(patterns));
            o.insert("beta".into(), json!(config.beta));
            o.insert("steps".into(), json!(config.steps));
        }
        return to_json(&v);
    }
    Ok(format!(
        "modern retrieval, d = {dim}, N = {patterns}, β = {} (effective {:.6}), M = {:.3}, {} queries, {} update(s)\n  \
         exact {:.4}, nearest {:.4}, mean p_true {:.4}, mean relative error {:.4e}",
        config.beta,
        s.beta_effective,
        s.max_norm,
        s.queries,
        if config.steps == 0 { "until p settles".to_string() } else { config.steps.to_string() },
        s.exact,
        s.nearest,
        s.p_true,
        s.rel_err
    ))
}

/// Where `hopfield metastable` starts by default: t = 0.01 along a − b from the midpoint.
const DEFAULT_OFFSET: f64 = 0.01;

fn metastable_cmd(flags: &Flags) -> Result<String, UsageError> {
    let dim: usize = flags.int("dim", 64, 1, 65_536)?;
    let config = MetastableConfig {
        dim,
        differ: flags.int("differ", 4, 1, dim)?,
        extra: flags.int("extra", 0, 0, 100_000)?,
        beta: float(flags, "beta", 0.1, 1e-9, 1e9)?,
        seed: flags.int("seed", 1, 0, u64::MAX)?,
        max_steps: flags.int("steps", 1000, 1, 100_000)?,
        // Off the midpoint by default: the exact midpoint is a fixed point at every β (symmetry),
        // so starting there would report p_a = 0.5 "settled" even where it is unstable.
        offset: float(flags, "offset", DEFAULT_OFFSET, -1.0, 1.0)?,
    };
    let stored = (config.extra + 2) as f64 * dim as f64;
    flags.within(
        "--dim, --extra and --steps",
        "the relaxation",
        stored * config.max_steps as f64 * 2.0,
        stored * 8.0,
    )?;
    let s = capacity::run_metastable(&config).map_err(science_error)?;
    if flags.json {
        let mut v = serde_json::to_value(s).map_err(|e| UsageError(format!("could not write JSON: {e}")))?;
        if let Value::Object(o) = &mut v {
            o.insert("seed".into(), json!(config.seed.to_string()));
            o.insert("beta".into(), json!(config.beta));
        }
        return to_json(&v);
    }
    let start = if config.offset == 0.0 {
        "from the exact midpoint (a fixed point at every β by symmetry: --offset probes its stability)".to_string()
    } else {
        format!(
            "from the midpoint moved t = {} toward {}",
            config.offset.abs(),
            if config.offset > 0.0 { "a" } else { "b" }
        )
    };
    let reading = if config.offset == 0.0 {
        ""
    } else if s.t.abs() < config.offset.abs() {
        ": back toward the midpoint, which is stable (β below β_c)"
    } else {
        ": away from the midpoint, which is unstable (β above β_c): one pattern wins"
    };
    Ok(format!(
        "metastable: d = {dim}, a and b differ in {} components, {} extra patterns, β = {} (β_c = {:.6})\n  \
         {start}, after {} updates ({}): p_a = {:.6}, p_b = {:.6}, extra {:.3e}, t = {:.6}{reading}",
        config.differ,
        config.extra,
        config.beta,
        s.beta_c,
        s.steps,
        if s.converged { "p settled" } else { "step limit" },
        s.p_a,
        s.p_b,
        s.p_extra,
        s.t
    ))
}
