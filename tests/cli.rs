//! The command-line front end, run as a user would run it.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli.rs"]
mod cli;

use cli::lab;

#[test]
fn sorting_run_json_has_the_summary() {
    let (code, out, err) =
        lab(&["sorting", "run", "--algotypes", "bubble", "--n", "100", "--runs", "100", "--seed", "1", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["runs"], 100);
    let mean = v["swaps"]["mean"].as_f64().unwrap();
    let sd = v["swaps"]["sd"].as_f64().unwrap();
    // mean inversions 2475, SD of one run 167.9, standard error over 100 runs 16.8: 4 SE.
    assert!((mean - 2475.0).abs() < 4.0 * 16.8, "{mean}");
    assert!(sd > 100.0 && sd < 250.0, "{sd}");
    assert_eq!(v["final_monotonicity_error"]["mean"], 0.0);
    assert_eq!(v["fully_sorted_share"], 1.0);
    // Same seed, same output.
    let (_, again, _) = lab(&["sorting", "run", "--n", "100", "--runs", "100", "--seed", "1", "--json"]);
    assert_eq!(out, again);
}

#[test]
fn bad_flags_exit_2_and_name_the_flag() {
    for (args, flag) in [
        (vec!["sorting", "run", "--n", "-5"], "--n"),
        (vec!["sorting", "run", "--n", "abc"], "--n"),
        (vec!["sorting", "run", "--runs", "0"], "--runs"),
        (vec!["sorting", "run", "--seed"], "--seed"),
        (vec!["sorting", "run", "--bogus", "1"], "--bogus"),
        (vec!["sorting", "run", "--algotypes", "quantum"], "--algotypes"),
    ] {
        let (code, out, err) = lab(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty());
        assert!(err.contains(flag), "{args:?}: {err}");
    }
    let (code, _, err) = lab(&["nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("nope"));
}

#[test]
fn sorting_run_json_has_every_key_of_the_issue() {
    let (code, out, err) = lab(&[
        "sorting",
        "run",
        "--algotypes",
        "bubble:30,selection:70",
        "--n",
        "60",
        "--runs",
        "5",
        "--frozen",
        "2",
        "--frozen-kind",
        "immovable",
        "--frozen-placement",
        "distinct",
        "--stop",
        "complete",
        "--values",
        "repeats:3",
        "--seed",
        "9",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["runs"], 5);
    for key in ["swaps", "steps", "final_sortedness", "final_monotonicity_error", "delayed_gratification"] {
        assert!(v[key]["mean"].is_number() && v[key]["sd"].is_number(), "{key}: {}", v[key]);
    }
    assert!(v["fully_sorted_share"].is_number());
    let agg = &v["aggregation"];
    for key in ["start", "end", "peak_of_mean", "peak_at_percent", "mean_of_run_peaks"] {
        assert!(agg[key].is_number(), "aggregation.{key}");
    }
    assert_eq!(agg["curve"].as_array().map(Vec::len), Some(101));
    assert_eq!(v["distinct_frozen"]["mean"], 2.0);
    // The values hang together: the curve's ends and peak are the summary's, sortedness is the
    // error's linear image (100·(n − E)/n per run, so for the means too), and every swap is also
    // a read.
    let f = |x: &serde_json::Value| x.as_f64().unwrap();
    let curve: Vec<f64> = agg["curve"].as_array().unwrap().iter().map(f).collect();
    let peak = curve.iter().copied().fold(f64::MIN, f64::max);
    assert_eq!((f(&agg["start"]), f(&agg["end"]), f(&agg["peak_of_mean"])), (curve[0], curve[100], peak));
    assert_eq!(f(&agg["peak_at_percent"]), curve.iter().position(|&c| c == peak).unwrap() as f64);
    let (sortedness, error) = (f(&v["final_sortedness"]["mean"]), f(&v["final_monotonicity_error"]["mean"]));
    assert!((sortedness - 100.0 * (60.0 - error) / 60.0).abs() < 1e-9, "{sortedness} vs E = {error}");
    assert!(f(&v["steps"]["mean"]) >= f(&v["swaps"]["mean"]));
    // And they are the library's numbers for the same configuration, not just present.
    let mut sort = emergence_lab::sorting::setup::SortConfig::bubble(60);
    sort.algotypes = vec![
        (emergence_lab::sorting::cellview::Algotype::Bubble, 30),
        (emergence_lab::sorting::cellview::Algotype::Selection, 70),
    ];
    sort.frozen = 2;
    sort.frozen_kind = emergence_lab::sorting::cellview::FrozenKind::Immovable;
    sort.placement = emergence_lab::sorting::setup::Placement::Distinct;
    sort.stop = emergence_lab::sorting::cellview::StopRule::Complete;
    sort.values = emergence_lab::sorting::setup::Values::Repeats(3);
    let direct = emergence_lab::sorting::batch::run_batch(
        &emergence_lab::sorting::batch::BatchConfig { sort, seed: 9, traditional: false },
        5,
    )
    .unwrap();
    assert_eq!(f(&v["swaps"]["mean"]), direct.swaps.mean);
    assert_eq!(f(&v["delayed_gratification"]["mean"]), direct.delayed_gratification.mean);
    assert_eq!(peak, direct.aggregation.as_ref().unwrap().peak_of_mean);
}

#[test]
fn sorting_reproduce_prints_ours_beside_the_paper() {
    let (code, out, err) = lab(&["sorting", "reproduce", "fig5", "--runs", "5", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 27);
    let row = rows.iter().find(|r| r["condition"] == "selection immovable k=1").expect("a row");
    assert_eq!(row["paper"]["value"], 1.0);
    assert!(row["ours"]["mean"].is_number());
    let (code, _, err) = lab(&["sorting", "reproduce", "fig6"]);
    assert_eq!(code, 2);
    assert!(err.contains("fig6"));
}

#[test]
fn experiments_and_scenarios_come_from_the_registry() {
    let list = cli::json(&["experiments", "--json"]);
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["sorting", "dendrites", "hopfield"]);
    let (code, out, _) = lab(&["experiments", "--ids"]);
    assert_eq!((code, out.trim()), (0, "sorting dendrites hopfield"));
    let (_, out, _) = lab(&["experiments", "--ids", "--with-test"]);
    assert_eq!(out.trim(), "sorting dendrites hopfield walk");
    for id in ids {
        let scenarios = cli::json(&[id, "scenarios", "--json"]);
        let scenarios = scenarios.as_array().unwrap();
        assert!(scenarios.len() >= 6, "{id}");
        for s in scenarios {
            let query = s["query"].as_str().unwrap();
            assert_eq!(query, format!("exp={id}&scenario={}", s["id"].as_str().unwrap()));
            assert!(!s["title"].as_str().unwrap().is_empty() && !s["narrative"].as_str().unwrap().is_empty());
        }
    }
    let (code, _, err) = lab(&["sorting", "scenarios", "--bogus"]);
    assert_eq!(code, 2);
    assert!(err.contains("bogus"), "{err}");
}

#[test]
fn sorting_bench_prints_the_official_time_with_its_source_and_no_ratio() {
    // Issue 14, item 7: the official code is not timed in this run, so no "N× longer" against a
    // remembered constant; its figure comes with where and when it was measured.
    let (code, out, err) = lab(&["sorting", "bench", "--runs", "20"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("not measured in this run") && out.contains("measured 2026-11"), "{out}");
    assert!(!out.contains("longer") && !out.contains('×'), "no ratio against a constant: {out}");
}

#[test]
fn sorting_run_flags_decreasing_traditional_and_stall_change_what_they_say() {
    let run = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["sorting", "run", "--n", "100", "--seed", "4", "--json"];
        all.extend_from_slice(args);
        let (code, out, err) = lab(&all);
        assert_eq!(code, 0, "{args:?}: {err}");
        serde_json::from_str(out.trim()).expect("one JSON object")
    };
    // --decreasing: every bubble cell sorts downward, so no adjacent pair ends in increasing
    // order (the code's count 0 of 99), and the run counts as sorted toward its goal.
    let down = run(&["--algotypes", "bubble", "--decreasing", "bubble", "--runs", "20"]);
    assert_eq!(down["final_in_order_pairs"]["mean"], 0.0, "{down}");
    assert_eq!(down["fully_sorted_share"], 1.0);
    let up = run(&["--algotypes", "bubble", "--runs", "20"]);
    assert_eq!(up["final_in_order_pairs"]["mean"], 99.0, "{up}");
    // --traditional: top-down insertion sort; its swaps are the inversions of a shuffled
    // range(100) (mean 2475, SE over 50 runs 167.9/√50 = 23.7: 4 SE), and its steps add the
    // comparisons (at least the swaps, at most swaps + n − 1 more).
    let trad = run(&["--algotypes", "insertion", "--traditional", "--runs", "50"]);
    let swaps = trad["swaps"]["mean"].as_f64().unwrap();
    let steps = trad["steps"]["mean"].as_f64().unwrap();
    assert!((swaps - 2475.0).abs() < 4.0 * 23.7, "{swaps}");
    assert!(steps >= 2.0 * swaps && steps <= 2.0 * swaps + 99.0, "swaps {swaps}, steps {steps}");
    assert_eq!(trad["ticks"]["mean"], 0.0, "no cell activations in a traditional run");
    // --stall: opposite goals stop after this many sweeps without a change, so one sweep ends
    // every run sooner than ten (same seed, same runs).
    let stall = |s: &str| {
        run(&["--algotypes", "bubble,selection", "--decreasing", "bubble", "--stall", s, "--runs", "10"])["ticks"]
            ["mean"]
            .as_f64()
            .unwrap()
    };
    let (one, ten) = (stall("1"), stall("10"));
    assert!(one < ten, "--stall 1: {one} ticks, --stall 10: {ten}");
}

#[test]
fn sorting_run_scheduler_flag_changes_the_order_of_activations_and_nothing_else() {
    let run = |scheduler: &str| -> serde_json::Value {
        let args = ["sorting", "run", "--n", "100", "--seed", "9", "--runs", "100", "--scheduler", scheduler, "--json"];
        let (code, out, err) = lab(&args);
        assert_eq!(code, 0, "{scheduler}: {err}");
        serde_json::from_str(out.trim()).expect("one JSON object")
    };
    let (uniform, threads, bursts) = (run("uniform"), run("threads"), run("bursts"));
    // The same seed draws the same initial arrays, and bubble swaps equal their inversions
    // whatever the order of activations: identical means.
    assert_eq!(uniform["swaps"]["mean"], threads["swaps"]["mean"]);
    assert_eq!(uniform["swaps"]["mean"], bursts["swaps"]["mean"]);
    // Delayed gratification moves with the scheduler: per-run SD about 0.03, so the SE of a mean
    // of 100 runs is about 0.003 and the uniform − threads gap (about 0.1) is some 25 SE; demand 10.
    let dg = |v: &serde_json::Value| v["delayed_gratification"]["mean"].as_f64().unwrap();
    let se = |v: &serde_json::Value| v["delayed_gratification"]["sd"].as_f64().unwrap() / 10.0;
    let gap = dg(&uniform) - dg(&threads);
    assert!(
        gap > 10.0 * (se(&uniform).powi(2) + se(&threads).powi(2)).sqrt(),
        "uniform {} threads {}",
        dg(&uniform),
        dg(&threads)
    );
    assert!(dg(&bursts) < dg(&uniform), "bursts {} uniform {}", dg(&bursts), dg(&uniform));
    let (code, _, err) = lab(&["sorting", "run", "--scheduler", "fifo"]);
    assert_eq!(code, 2);
    assert!(err.contains("--scheduler") && err.contains("threads"), "{err}");
}

#[test]
fn sorting_reproduce_shows_both_schedulers_and_the_official_runs() {
    let (code, out, err) = lab(&["sorting", "reproduce", "fig7", "--runs", "30", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    let rows = v["rows"].as_array().expect("rows");
    let row = |c: &str| rows.iter().find(|r| r["condition"] == c).unwrap_or_else(|| panic!("{c}"));
    let trad = row("bubble traditional k=0");
    assert!(trad["threads"].is_null() && trad["independent"] == true && trad["official"].is_null(), "{trad}");
    let cell = row("bubble cell-view immovable k=0");
    assert!(cell["threads"]["mean"].as_f64().unwrap() < cell["ours"]["mean"].as_f64().unwrap(), "{cell}");
    // The recorded official statistic (docs/data/official-traces.json), not a constant.
    let (mean, se, runs) = emergence_lab::sorting::scheduler::official("bubble", "dg").expect("recorded");
    assert_eq!(cell["official"]["mean"].as_f64(), Some(mean));
    assert_eq!(cell["official"]["se"].as_f64(), Some(se));
    assert_eq!(cell["official"]["runs"].as_u64(), Some(u64::from(runs)));
    assert!(row("bubble cell-view immovable k=3")["official"]["mean"].is_number());
    assert!(row("bubble cell-view immovable k=1")["official"].is_null(), "k = 1 was not recorded");
    let (code, text, err) = lab(&["sorting", "reproduce", "fig7", "--runs", "5"]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("uniform") && text.contains("threads") && text.contains("official (here)"), "{text}");
}
