//! The `emergence-lab dendrites` theory commands, run as a user would run them.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli.rs"]
mod cli;

use cli::{json, lab};

fn rel(got: f64, want: f64) -> f64 {
    ((got - want) / want).abs()
}

#[test]
fn false_match_json() {
    // plot_effect_of_n.py, errorsA64 at n = 10000 (index 49): 4.04e-21 to three digits.
    let v = json(&["dendrites", "false-match", "--n", "300", "--a", "64", "--s", "24", "--theta", "12", "--json"]);
    assert!(rel(v["p"].as_f64().unwrap(), 0.00109461662333690) < 1e-9, "{v}");
    assert!(rel(v["log10_p"].as_f64().unwrap(), 0.00109461662333690f64.log10()) < 1e-9);
    assert!(rel(v["one_minus_p"].as_f64().unwrap(), 1.0 - 0.00109461662333690) < 1e-12);
    assert_eq!(v["n"], 300);
    assert_eq!(v["theta"], 12);
    // Below the smallest f64 the probability is 0 as a number, log10 stays finite.
    let v = json(&[
        "dendrites",
        "false-match",
        "--n",
        "1000000",
        "--a",
        "2000",
        "--s",
        "2000",
        "--theta",
        "2000",
        "--json",
    ]);
    // Far below f64's range: never a false 0, the value is in its log10.
    assert!(v["p"].is_null(), "{v}");
    assert!(v["log10_p"].as_f64().unwrap() < -6000.0);
}

#[test]
fn the_other_theory_commands() {
    // plot_noise_results.py, theoreticalErrorsThreshold8 at v = 64.
    let v = json(&["dendrites", "false-negative", "--a", "128", "--s", "30", "--theta", "8", "--v", "64", "--json"]);
    assert!(rel(v["p"].as_f64().unwrap(), 0.000735429456875121) < 1e-9, "{v}");
    // README of sdr_paper: bound 0.144691001; exact 0.1347284933610461 (exact fractions).
    let v =
        json(&["dendrites", "set-match", "--n", "100", "--a", "7", "--s", "7", "--theta", "4", "--m", "500", "--json"]);
    assert!(rel(v["p_bound"].as_f64().unwrap(), 0.144691001) < 1e-8, "{v}");
    assert!(rel(v["p_exact"].as_f64().unwrap(), 0.1347284933610461) < 1e-12, "{v}");
    assert!(v["log10_p_bound"].is_number() && v["log10_p_exact"].is_number());
    // sdr_paper_unions.py, falseMatchvsM, n = 1000, M = 2: 0.0473894530292855; S(2) = 49.375.
    let args = ["dendrites", "union-segment", "--n", "1000", "--a", "200", "--s", "25", "--theta", "15", "--m", "2"];
    let v = json(&[&args[..], &["--method", "rounded", "--json"]].concat());
    assert!(rel(v["p"].as_f64().unwrap(), 0.0473894530292855) < 1e-9, "{v}");
    assert_eq!(v["synapses"], 49.375);
    let v = json(&[&args[..], &["--json"]].concat());
    assert_eq!(v["method"], "exact");
    assert!((v["p"].as_f64().unwrap() - 0.050773).abs() < 5e-7, "{v}");
    // sdr_paper_unions.py, falseMatchDendritevsMPatterns, n = 1000, M = 10: 0.0185736190367658.
    let v = json(&[
        "dendrites",
        "union-input",
        "--n",
        "1000",
        "--a",
        "30",
        "--s",
        "20",
        "--theta",
        "10",
        "--m",
        "10",
        "--json",
    ]);
    assert!(rel(v["p"].as_f64().unwrap(), 0.0185736190367658) < 1e-9, "{v}");
    assert!(rel(v["union_size"].as_f64().unwrap(), 1000.0 * (1.0 - 0.97f64.powi(10))) < 1e-12);
    // plot_optimal_threshold.py: median 0.017325533 at θ = 3 (printed to 9 decimals).
    let v = json(&["dendrites", "threshold-median", "--theta", "3", "--json"]);
    assert!((v["p"].as_f64().unwrap() - 0.017325533).abs() <= 5e-10, "{v}");
    assert_eq!(v["combos"], 210);
    let v = json(&["dendrites", "threshold-median", "--json"]);
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(22));
    let v = json(&["dendrites", "sdr-count", "--n", "2048", "--a", "40", "--json"]);
    assert!((v["log10_count"].as_f64().unwrap() - 84.375).abs() < 5e-4, "{v}");
}

#[test]
fn readable_output_and_bad_values() {
    let (code, out, _) = lab(&["dendrites", "false-match", "--n", "10000", "--a", "64", "--s", "24", "--theta", "12"]);
    assert_eq!(code, 0);
    assert!(out.contains("P = 4.042e-21 (log10 -20.393"), "{out}");
    // Near 10^-442: shown from its logarithm, not as 0; near 1: as 1 − (1 − P).
    let (_, out, _) =
        lab(&["dendrites", "false-match", "--n", "1000000", "--a", "100", "--s", "100", "--theta", "100"]);
    assert!(out.contains("P = 10^-442.03"), "{out}");
    let (_, out, _) = lab(&["dendrites", "false-match", "--n", "2048", "--a", "1000", "--s", "20", "--theta", "1"]);
    assert!(out.contains("P = 1 − 1.386e-6"), "{out}");
    for (args, flag) in [
        (vec!["dendrites", "false-match", "--n", "2048", "--a", "5000"], "--a"),
        (vec!["dendrites", "false-match", "--n", "abc"], "--n"),
        (vec!["dendrites", "false-match", "--theta", "-1"], "--theta"),
        (vec!["dendrites", "false-negative", "--a", "10", "--s", "30"], "--s"),
        (vec!["dendrites", "union-segment", "--method", "fuzzy"], "--method"),
        (vec!["dendrites", "set-match", "--bogus", "1"], "--bogus"),
    ] {
        let (code, out, err) = lab(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty());
        assert!(err.contains(flag), "{args:?}: {err}");
    }
    let (code, _, err) = lab(&["dendrites", "nonsense"]);
    assert_eq!(code, 2);
    assert!(err.contains("nonsense"));
}
