//! The `emergence-lab hopfield` commands (capacity, retrieve, metastable), run as a user would.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli.rs"]
mod cli;

use cli::{json, lab};

/// The text a command prints (it must succeed).
fn run(args: &[&str]) -> String {
    let (code, out, err) = lab(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

fn frac(v: &serde_json::Value, key: &str) -> f64 {
    let x = v[key].as_f64().unwrap_or_else(|| panic!("{key} missing in {v}"));
    assert!((0.0..=1.0).contains(&x), "{key} = {x}");
    x
}

#[test]
fn capacity_json() {
    // Far below capacity (P/N = 0.05): every pattern is a fixed point and every start with 5%
    // flipped bits comes back exactly.
    let v = json(&[
        "hopfield",
        "capacity",
        "--model",
        "classical",
        "--neurons",
        "200",
        "--patterns",
        "10",
        "--tests",
        "3",
        "--seed",
        "1",
        "--flip",
        "10",
        "--json",
    ]);
    assert_eq!(frac(&v, "fixed_point_fraction"), 1.0, "{v}");
    assert_eq!(frac(&v, "perfect_fraction"), 1.0);
    assert_eq!(v["mean_overlap"].as_f64().unwrap(), 1.0);
    assert!((v["theory"]["retrieval_0138"].as_f64().unwrap() - 27.6).abs() < 1e-9);
    // Same seed, same numbers; dense and exp run too.
    let again = json(&[
        "hopfield",
        "capacity",
        "--model",
        "classical",
        "--neurons",
        "200",
        "--patterns",
        "10",
        "--tests",
        "3",
        "--seed",
        "1",
        "--flip",
        "10",
        "--json",
    ]);
    assert_eq!(v, again);
    let v = json(&[
        "hopfield",
        "capacity",
        "--model",
        "dense",
        "--order",
        "3",
        "--neurons",
        "60",
        "--patterns",
        "60",
        "--tests",
        "2",
        "--seed",
        "2",
        "--json",
    ]);
    assert!(frac(&v, "fixed_point_fraction") > 0.9, "{v}");
    // Demircigil et al.'s exponential model: patterns stay fixed points up to about 2^(N/2)
    // (4096 at N = 24, the theory line) and come back from ρN flips up to about
    // exp(N·I(1 − 2ρ)/2), I(x) = ½[(1+x)ln(1+x) + (1−x)ln(1−x)]: about 2.6·10⁵ for one flip at
    // N = 24. So 200 patterns are all fixed points and all come back from one flip; at N = 12
    // (64 and 11) 500 patterns overload it and most are lost. The classical model at N = 24,
    // P = 200 (a load of 8) keeps none, so these numbers are the exponential energy's.
    let exp = |neurons: &str, patterns: &str, model: &str| {
        json(&[
            "hopfield",
            "capacity",
            "--model",
            model,
            "--neurons",
            neurons,
            "--patterns",
            patterns,
            "--tests",
            "3",
            "--flip",
            "1",
            "--seed",
            "4",
            "--json",
        ])
    };
    let v = exp("24", "200", "exp");
    assert!((v["theory"]["exp"].as_f64().unwrap() - 4096.0).abs() < 1e-6, "{v}");
    assert_eq!((frac(&v, "fixed_point_fraction"), frac(&v, "perfect_fraction")), (1.0, 1.0), "{v}");
    assert_eq!(v["mean_overlap"].as_f64(), Some(1.0));
    let v = exp("12", "500", "exp");
    assert!(frac(&v, "fixed_point_fraction") < 0.6 && frac(&v, "perfect_fraction") < 0.5, "{v}");
    let v = exp("24", "200", "classical");
    assert!(frac(&v, "fixed_point_fraction") < 0.05, "{v}");
}

#[test]
fn retrieve_json() {
    let v = json(&[
        "hopfield",
        "retrieve",
        "--model",
        "modern",
        "--dim",
        "64",
        "--patterns",
        "200",
        "--beta",
        "1",
        "--corrupt",
        "flip:8",
        "--kind",
        "pm1",
        "--queries",
        "50",
        "--seed",
        "3",
        "--steps",
        "1",
        "--json",
    ]);
    for key in ["exact", "nearest", "p_true"] {
        assert!(frac(&v, key) > 0.99, "{v}");
    }
    assert!(v["rel_err"].as_f64().unwrap() < 1e-3, "{v}");
    // β → 0 averages: nothing exact, p_true ≈ 1/N.
    let v = json(&[
        "hopfield",
        "retrieve",
        "--dim",
        "64",
        "--patterns",
        "200",
        "--beta",
        "0.0001",
        "--corrupt",
        "zero:8",
        "--kind",
        "sphere",
        "--queries",
        "20",
        "--seed",
        "3",
        "--json",
    ]);
    assert_eq!(frac(&v, "exact"), 0.0, "{v}");
    assert!((v["p_true"].as_f64().unwrap() - 1.0 / 200.0).abs() < 1e-3, "{v}");
}

#[test]
fn metastable_json() {
    // K = 8 of 64: β_c = 1/8. From the midpoint pushed 1% toward a: below β_c it returns
    // (p_a ≈ p_b), above it one pattern wins. The exact midpoint is a fixed point at any β.
    let below = json(&[
        "hopfield",
        "metastable",
        "--dim",
        "64",
        "--differ",
        "8",
        "--extra",
        "0",
        "--beta",
        "0.1",
        "--seed",
        "1",
        "--offset",
        "0.01",
        "--json",
    ]);
    assert_eq!(below["beta_c"].as_f64().unwrap(), 0.125);
    assert!((frac(&below, "p_a") - frac(&below, "p_b")).abs() < 1e-3, "{below}");
    let above = json(&[
        "hopfield",
        "metastable",
        "--dim",
        "64",
        "--differ",
        "8",
        "--extra",
        "3",
        "--beta",
        "0.3",
        "--seed",
        "1",
        "--offset",
        "0.01",
        "--json",
    ]);
    let exact =
        json(&["hopfield", "metastable", "--dim", "64", "--differ", "8", "--beta", "0.3", "--offset", "0", "--json"]);
    assert!((frac(&exact, "p_a") - 0.5).abs() < 1e-6, "{exact}");
    assert!((frac(&above, "p_a") - frac(&above, "p_b")).abs() > 0.5, "{above}");
    // By default the run starts off the midpoint (0.01 toward a), so above β_c it splits and
    // below it returns, and the text says which.
    let default_above = json(&["hopfield", "metastable", "--dim", "64", "--differ", "8", "--beta", "0.3", "--json"]);
    assert!(frac(&default_above, "p_a") - frac(&default_above, "p_b") > 0.5, "{default_above}");
    let text = run(&["hopfield", "metastable", "--dim", "64", "--differ", "8", "--beta", "0.3"]);
    assert!(text.contains("moved t = 0.01 toward a") && text.contains("unstable (β above β_c)"), "{text}");
    let text = run(&["hopfield", "metastable", "--dim", "64", "--differ", "8", "--beta", "0.1"]);
    assert!(text.contains("which is stable (β below β_c)"), "{text}");
    let text = run(&["hopfield", "metastable", "--dim", "64", "--differ", "8", "--beta", "0.3", "--offset", "0"]);
    assert!(text.contains("from the exact midpoint (a fixed point at every β"), "{text}");
}

#[test]
fn bad_flags_name_the_flag() {
    for (args, flag) in [
        (&["hopfield", "capacity", "--model", "fancy"][..], "--model"),
        (&["hopfield", "capacity", "--neurons", "1"][..], "--neurons"),
        (&["hopfield", "capacity", "--order", "99", "--model", "dense"][..], "--order"),
        (&["hopfield", "capacity", "--neurons", "10", "--flip", "11"][..], "--flip"),
        (&["hopfield", "retrieve", "--corrupt", "blur:3"][..], "--corrupt"),
        (&["hopfield", "retrieve", "--beta", "-1"][..], "--beta"),
        (&["hopfield", "retrieve", "--kind", "cube"][..], "--kind"),
        (&["hopfield", "metastable", "--dim", "8", "--differ", "9"][..], "--differ"),
        (&["hopfield", "metastable", "--wat", "1"][..], "--wat"),
    ] {
        let (code, _, err) = lab(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(flag), "{args:?}: {err}");
    }
    let (code, _, err) = lab(&["hopfield", "nonsense"]);
    assert_eq!(code, 2);
    assert!(err.contains("capacity"), "{err}");
}
