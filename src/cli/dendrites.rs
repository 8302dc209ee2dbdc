//! `emergence-lab dendrites …`: the theory of Ahmad & Hawkins (exact, log space) and its
//! bit-level Monte Carlo, from the command line.
//!
//! Theory commands (`crate::dendrites::theory`): `false-match` (E3), `false-negative`
//! (E5), `set-match` (E4), `union-segment` (E6), `union-input` (E7), `threshold-median` (F-θ)
//! and `sdr-count` (E1). `simulate` and `bench` are in `dendrites_sim.rs`.

use crate::cli::{Flags, UsageError};
use crate::dendrites::logmath::{finite_or_null, Prob};
use crate::dendrites::theory::{self, ThresholdGrid, UnionMethod, MAX_N};
use serde_json::{json, Map, Value};

#[path = "dendrites_sim.rs"]
mod sim;

pub(crate) fn run(command: Option<&str>, args: &[String], limits: super::Limits) -> Result<String, UsageError> {
    match command {
        Some(cmd @ ("simulate" | "bench")) => sim::run(cmd, args, limits),
        Some("false-match") => false_match(&Flags::parse(limits, args, &["n", "a", "s", "theta"], &[])?),
        Some("false-negative") => false_negative(&Flags::parse(limits, args, &["a", "s", "theta", "v"], &[])?),
        Some("set-match") => set_match(&Flags::parse(limits, args, &["n", "a", "s", "theta", "m"], &[])?),
        Some("union-segment") => {
            union_segment(&Flags::parse(limits, args, &["n", "a", "s", "theta", "m", "method"], &[])?)
        }
        Some("union-input") => union_input(&Flags::parse(limits, args, &["n", "a", "s", "theta", "m"], &[])?),
        Some("threshold-median") => threshold_median(&Flags::parse(limits, args, &["theta"], &[])?),
        Some("sdr-count") => sdr_count(&Flags::parse(limits, args, &["n", "a"], &[])?),
        other => {
            let _ = Flags::parse(limits, args, &[], &[])?;
            Err(UsageError(format!(
                "{}; try false-match, false-negative, set-match, union-segment, \
                 union-input, threshold-median, sdr-count, simulate or bench",
                other.filter(|c| !c.is_empty()).map_or("\"dendrites\" needs a command".to_string(), |c| format!(
                    "unknown dendrites command {c:?}"
                ))
            )))
        }
    }
}

/// The paper's parameters, with the 2015 paper's example as defaults (n = 2048, a = 40,
/// s = 20, θ = 10), M = 1 and no noise.
#[derive(Clone, Copy)]
struct Params {
    n: u64,
    a: u64,
    s: u64,
    theta: u64,
    m: u64,
    v: u64,
}

fn params(flags: &Flags) -> Result<Params, UsageError> {
    Ok(Params {
        n: flags.int("n", 2048, 0, MAX_N)?,
        a: flags.int("a", 40, 0, MAX_N)?,
        s: flags.int("s", 20, 0, MAX_N)?,
        theta: flags.int("theta", 10, 0, MAX_N)?,
        m: flags.int("m", 1, 0, 1_000_000_000)?,
        v: flags.int("v", 0, 0, MAX_N)?,
    })
}

/// Work units per term of an exact sum (one log-space hypergeometric term).
const WORK_PER_TERM: f64 = 200.0;

/// The estimated work of an exact E3 at (n, a, s): one term per overlap value.
fn e3_work(q: &Params) -> f64 {
    (q.a.min(q.s) as f64 + 1.0) * WORK_PER_TERM
}

/// A theory error ("a = 5000 is larger than n = 2048") with the flag its first word names.
fn theory_error(message: String) -> UsageError {
    let word = message.split([' ', '(']).next().unwrap_or("");
    match word {
        "n" | "a" | "s" | "v" | "m" | "theta" => UsageError(format!("--{word}: {message}")),
        _ => UsageError(message),
    }
}

fn to_json(value: &Value) -> Result<String, UsageError> {
    serde_json::to_string(value).map_err(|e| UsageError(format!("could not write JSON: {e}")))
}

/// The inputs plus the probability's keys (`p`, `log10_p`, `one_minus_p`), suffixed.
fn object(command: &str, inputs: &[(&str, u64)], probabilities: &[(&str, Prob)]) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("command".into(), json!(command));
    for (name, value) in inputs {
        out.insert((*name).into(), json!(value));
    }
    for (suffix, p) in probabilities {
        if let Value::Object(fields) = p.json() {
            for (key, value) in fields {
                out.insert(format!("{key}{suffix}"), value);
            }
        }
    }
    out
}

/// "4.040e-21 (log10 −20.3936)", from the logarithm below f64's range ("10^-412.30"), or
/// "1 − 2.000e-6" when P rounds to 1 ([`Prob::text`]).
fn readable(p: Prob) -> String {
    let text = p.text();
    if p.ln_p == f64::NEG_INFINITY || p.ln_q == f64::NEG_INFINITY {
        return text;
    }
    format!("{text} (log10 {:.4})", p.log10())
}

fn false_match(flags: &Flags) -> Result<String, UsageError> {
    let q = params(flags)?;
    flags.within("--a and --s", "the overlap sum", e3_work(&q), 0.0)?;
    let p = theory::false_match(q.n, q.a, q.s, q.theta).map_err(theory_error)?;
    if flags.json {
        let inputs = [("n", q.n), ("a", q.a), ("s", q.s), ("theta", q.theta)];
        return to_json(&Value::Object(object("false-match", &inputs, &[("", p)])));
    }
    Ok(format!(
        "false-match probability (E3), n = {}, a = {}, s = {}, θ = {}: P = {}",
        q.n,
        q.a,
        q.s,
        q.theta,
        readable(p)
    ))
}

fn false_negative(flags: &Flags) -> Result<String, UsageError> {
    let q = Params { a: flags.int("a", 128, 0, MAX_N)?, s: flags.int("s", 30, 0, MAX_N)?, ..params(flags)? };
    flags.within("--s and --v", "the noise sum", (q.v.min(q.s) as f64 + 1.0) * WORK_PER_TERM, 0.0)?;
    let p = theory::false_negative(q.a, q.s, q.theta, q.v).map_err(theory_error)?;
    if flags.json {
        let inputs = [("a", q.a), ("s", q.s), ("theta", q.theta), ("v", q.v)];
        return to_json(&Value::Object(object("false-negative", &inputs, &[("", p)])));
    }
    Ok(format!(
        "false-negative probability (E5), a = {}, s = {}, θ = {}, v = {} noisy cells: P = {}",
        q.a,
        q.s,
        q.theta,
        q.v,
        readable(p)
    ))
}

fn set_match(flags: &Flags) -> Result<String, UsageError> {
    let q = params(flags)?;
    flags.within("--a and --s", "the overlap sum", e3_work(&q), 0.0)?;
    let r = theory::set_match(q.n, q.a, q.s, q.theta, q.m).map_err(theory_error)?;
    if flags.json {
        let inputs = [("n", q.n), ("a", q.a), ("s", q.s), ("theta", q.theta), ("m", q.m)];
        let mut out = object("set-match", &inputs, &[("_exact", r.exact)]);
        out.insert("p_bound".into(), finite_or_null(r.bound));
        out.insert("log10_p_bound".into(), finite_or_null(r.bound_log10));
        return to_json(&Value::Object(out));
    }
    Ok(format!(
        "match against M = {} random patterns (E4), n = {}, a = {}, s = {}, θ = {}: exact 1 − (1 − P)^M = {}; \
         bound M·P = {} (log10 {:.4})",
        q.m,
        q.n,
        q.a,
        q.s,
        q.theta,
        readable(r.exact),
        // The bound may pass 1 (it is not a probability); below f64's range, from its log10.
        if r.bound == 0.0 && r.bound_log10.is_finite() {
            format!("10^{:.2}", r.bound_log10)
        } else {
            format!("{:.4e}", r.bound)
        },
        r.bound_log10
    ))
}

fn union_segment(flags: &Flags) -> Result<String, UsageError> {
    let q = params(flags)?;
    let method = flags.word(
        "method",
        UnionMethod::Exact,
        &[("exact", UnionMethod::Exact), ("rounded", UnionMethod::Rounded)],
    )?;
    // Exact: a Markov chain over union sizes (states × (s + 1) per pattern; the theory refuses
    // beyond its own bound), then E3 at every size.
    let states = (q.n.min(q.s.saturating_mul(q.m)).saturating_sub(q.s) + 1) as f64;
    let work = match method {
        UnionMethod::Exact => {
            states * (q.s as f64 + 1.0) * (q.m.saturating_sub(1) as f64) * 5.0
                + states * (q.a.min(q.n) as f64 + 1.0) * WORK_PER_TERM
        }
        UnionMethod::Rounded => e3_work(&Params { s: q.n.min(q.s.saturating_mul(q.m)), ..q }),
    };
    flags.within("--s, --m and --a", "the union distribution", work, states * 16.0)?;
    let p = theory::union_segment(q.n, q.a, q.s, q.theta, q.m, method).map_err(theory_error)?;
    let synapses = theory::union_synapses(q.n, q.s, q.m);
    let method_name = if method == UnionMethod::Exact { "exact" } else { "rounded" };
    if flags.json {
        let inputs = [("n", q.n), ("a", q.a), ("s", q.s), ("theta", q.theta), ("m", q.m)];
        let mut out = object("union-segment", &inputs, &[("", p)]);
        out.insert("method".into(), json!(method_name));
        out.insert("synapses".into(), json!(synapses));
        return to_json(&Value::Object(out));
    }
    Ok(format!(
        "union segment (E6, {method_name}), n = {}, a = {}, s = {} per pattern, θ = {}, M = {} (S(M) = {:.3} \
         synapses): P = {}",
        q.n,
        q.a,
        q.s,
        q.theta,
        q.m,
        synapses,
        readable(p)
    ))
}

fn union_input(flags: &Flags) -> Result<String, UsageError> {
    let q = params(flags)?;
    flags.within("--s", "the Γ-binomial sum", (q.s as f64 + 1.0) * WORK_PER_TERM, 0.0)?;
    let p = theory::union_input(q.n, q.a, q.s, q.theta, q.m).map_err(theory_error)?;
    let size = theory::union_input_size(q.n, q.a, q.m);
    if flags.json {
        let inputs = [("n", q.n), ("a", q.a), ("s", q.s), ("theta", q.theta), ("m", q.m)];
        let mut out = object("union-input", &inputs, &[("", p)]);
        out.insert("union_size".into(), json!(size));
        return to_json(&Value::Object(out));
    }
    Ok(format!(
        "union input (E7), n = {}, a = {} per pattern, s = {}, θ = {}, M = {} (A(M) = {:.3} active cells): P = {}",
        q.n,
        q.a,
        q.s,
        q.theta,
        q.m,
        size,
        readable(p)
    ))
}

fn threshold_median(flags: &Flags) -> Result<String, UsageError> {
    let mut grid = ThresholdGrid::official();
    let one = flags.values.contains_key("theta");
    if one {
        grid.thetas = vec![flags.int("theta", 10, 0, MAX_N)?];
    }
    let work = (grid.combos().len() * grid.thetas.len()) as f64 * 51.0 * WORK_PER_TERM;
    flags.within("--theta", "the threshold grid", work, 0.0)?;
    let rows = theory::threshold_median(&grid).map_err(theory_error)?;
    let row_json = |r: &theory::ThresholdRow| {
        json!({
            "theta": r.theta, "p": r.median, "log10_p": finite_or_null(r.median_log10),
            "min": r.min, "max": r.max, "combos": r.combos,
        })
    };
    if flags.json {
        let value = match rows.first() {
            Some(r) if one => row_json(r),
            _ => json!({ "command": "threshold-median", "rows": rows.iter().map(row_json).collect::<Vec<_>>() }),
        };
        return to_json(&value);
    }
    let mut out = String::from(
        "median false-match probability over the grid of compute_optimal_threshold.py \
         (n 1000..17000, sparsity 0.5..3%, s 20..50)\n",
    );
    out += &format!("  {:>5} {:>12} {:>12} {:>12} {:>7}\n", "theta", "median", "min", "max", "combos");
    for r in &rows {
        out += &format!("  {:>5} {:>12.4e} {:>12.4e} {:>12.4e} {:>7}\n", r.theta, r.median, r.min, r.max, r.combos);
    }
    Ok(out.trim_end().to_string())
}

fn sdr_count(flags: &Flags) -> Result<String, UsageError> {
    let q = params(flags)?;
    let ln = theory::sdr_count_ln(q.n, q.a).map_err(theory_error)?;
    let log10 = ln / std::f64::consts::LN_10;
    if flags.json {
        return to_json(&json!({
            "command": "sdr-count", "n": q.n, "a": q.a, "ln_count": ln, "log10_count": log10,
            "count": finite_or_null(ln.exp()),
        }));
    }
    Ok(format!("number of SDRs (E1), C({}, {}) = 10^{log10:.4}", q.n, q.a))
}
