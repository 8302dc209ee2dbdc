//! `emergence-lab dendrites simulate|bench`, run as a user would run them.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli.rs"]
mod cli;

use cli::{json, lab};

const KEYS: [&str; 11] =
    ["p", "se", "hits", "trials", "log10_p", "ci_low", "ci_high", "upper_bound", "theory_p", "z", "seconds"];

#[test]
fn simulate_json_has_every_key_and_agrees_with_theory() {
    let args = [
        "dendrites",
        "simulate",
        "--n",
        "300",
        "--a",
        "64",
        "--s",
        "24",
        "--theta",
        "12",
        "--trials",
        "200000",
        "--seed",
        "3",
        "--json",
    ];
    let v = json(&args);
    for key in KEYS {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["trials"], 200_000);
    assert_eq!(v["method"], "plain");
    assert!(v["upper_bound"].is_null());
    // theory 1.0946e-3 (E3); 200,000 vectors give an SE of 7.4e-5: within 4 SE.
    assert!((v["theory_p"].as_f64().unwrap() - 1.0946e-3).abs() < 1e-6);
    assert!(v["z"].as_f64().unwrap().abs() < 4.0, "{v}");
    let p = v["p"].as_f64().unwrap();
    assert_eq!(p, v["hits"].as_f64().unwrap() / 200_000.0);
    assert!((v["log10_p"].as_f64().unwrap() - p.log10()).abs() < 1e-12);
    // Same seed, same numbers (everything but the time).
    let mut again = json(&args);
    let mut first = v.clone();
    first["seconds"] = serde_json::Value::Null;
    again["seconds"] = serde_json::Value::Null;
    assert_eq!(first, again);
}

#[test]
fn simulate_with_no_hits_reports_the_rule_of_three() {
    let v = json(&[
        "dendrites",
        "simulate",
        "--n",
        "2000",
        "--a",
        "128",
        "--s",
        "24",
        "--theta",
        "12",
        "--trials",
        "1000",
        "--json",
    ]);
    assert_eq!(v["hits"], 0);
    assert_eq!(v["upper_bound"], 0.003);
    assert_eq!(v["ci_high"], 0.003);
    assert!(v["log10_p"].is_null());
    assert!(v["z"].is_null());
    let (code, out, _) =
        lab(&["dendrites", "simulate", "--n", "2000", "--a", "128", "--s", "24", "--theta", "12", "--trials", "1000"]);
    assert_eq!(code, 0);
    assert!(out.contains("rule of three"), "{out}");
}

#[test]
fn simulate_importance_reaches_1e_minus_24() {
    // n = 19900, a = 64: exact 1.075e-24; 50,000 samples, within 4 SE.
    let v = json(&[
        "dendrites",
        "simulate",
        "--n",
        "19900",
        "--a",
        "64",
        "--s",
        "24",
        "--theta",
        "12",
        "--importance",
        "--trials",
        "50000",
        "--json",
    ]);
    for key in KEYS {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["method"], "importance");
    assert!(v["z"].as_f64().unwrap().abs() < 4.0, "{v}");
    // The default proposal is the bridge (no λ); its weights barely vary.
    assert_eq!(v["proposal"], "bridge");
    assert!(v["lambda"].is_null());
    assert!(v["effective_sample_size"].as_f64().unwrap() > 45_000.0, "{v}");
    assert!((v["log10_p"].as_f64().unwrap() + 23.97).abs() < 0.05, "{v}");
    let v = json(&[
        "dendrites",
        "simulate",
        "--n",
        "2000",
        "--a",
        "128",
        "--s",
        "24",
        "--theta",
        "12",
        "--importance",
        "--lambda",
        "10",
        "--trials",
        "50000",
        "--json",
    ]);
    assert_eq!(v["lambda"], 10.0);
    assert_eq!(v["proposal"], "tilt");
    assert!(v["z"].as_f64().unwrap().abs() < 4.0, "{v}");
}

#[test]
fn simulate_every_kind() {
    // Small runs: each SE is a few percent; the check is 4 SE from the kind's formula.
    for args in [
        vec![
            "--kind",
            "false-negative",
            "--n",
            "6000",
            "--a",
            "128",
            "--s",
            "30",
            "--theta",
            "12",
            "--v",
            "64",
            "--trials",
            "50000",
        ],
        vec![
            "--kind",
            "false-match",
            "--n",
            "100",
            "--a",
            "7",
            "--s",
            "7",
            "--theta",
            "4",
            "--segments",
            "500",
            "--trials",
            "10000",
        ],
        vec![
            "--kind",
            "union-segment",
            "--n",
            "1000",
            "--a",
            "200",
            "--s",
            "25",
            "--theta",
            "15",
            "--m",
            "2",
            "--trials",
            "50000",
        ],
    ] {
        let mut full = vec!["dendrites", "simulate", "--json"];
        full.extend(&args);
        let v = json(&full);
        assert_eq!(v["kind"]["kind"], args[1]);
        assert!(v["z"].as_f64().unwrap().abs() < 4.0, "{args:?}: {v}");
    }
    // E7 is compared with the exact mixture over the union's size (the official approximation
    // differs from what a simulation of real unions measures), so it gets the same 4 SE.
    let v = json(&[
        "dendrites",
        "simulate",
        "--kind",
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
        "--trials",
        "20000",
        "--json",
    ]);
    assert!(v["z"].as_f64().unwrap().abs() < 4.0, "{v}");
    assert!(v["theory"].as_str().unwrap().contains("exact mixture"), "{v}");
}

#[test]
fn simulate_bad_flags_exit_2_and_name_the_flag() {
    for (args, flag) in [
        (vec!["--a", "5000"], "--a"),
        (vec!["--n", "0"], "--n"),
        (vec!["--n", "99999999"], "--n"),
        (vec!["--trials", "0"], "--trials"),
        (vec!["--lambda", "5"], "--lambda"),
        (vec!["--importance", "--lambda", "-1"], "--lambda"),
        (vec!["--importance", "--segments", "3"], "--importance"),
        (vec!["--v", "3"], "--v"),
        (vec!["--kind", "bogus"], "--kind"),
        (vec!["--kind", "false-negative", "--s", "30", "--a", "20"], "--s"),
        (vec!["--kind", "union-input", "--m", "0"], "--m"),
        (vec!["--bogus", "1"], "--bogus"),
    ] {
        let mut full = vec!["dendrites", "simulate"];
        full.extend(&args);
        let (code, out, err) = lab(&full);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(out.is_empty());
        assert!(err.contains(flag), "{args:?}: {err}");
    }
}

#[test]
fn bench_reports_every_timing() {
    let v = json(&["dendrites", "bench", "--json"]);
    assert_eq!(v["e3_seconds_per_point"].as_array().unwrap().len(), 4);
    for key in ["f_theta_seconds", "mc_vectors_per_second", "importance_samples_per_second"] {
        assert!(v[key].as_f64().unwrap() > 0.0, "{key}: {v}");
    }
    // The importance run inside the bench is a real estimate of 1.075e-24.
    let (p, se, exact) = (
        v["importance_p"].as_f64().unwrap(),
        v["importance_se"].as_f64().unwrap(),
        v["importance_exact"].as_f64().unwrap(),
    );
    assert!((p - exact).abs() < 4.0 * se, "{v}");
}
