//! Property tests of the second door: the command line, called in-process
//! (`emergence_lab::cli::run_with`). Generated invocations of every command (known and unknown
//! flags, `--flag value` and `--flag=value`, missing values, extreme and malformed numbers, empty
//! lists, `repeats:0`, mixes that cannot be built) must never panic; every error must name the
//! flag (or the word) it is about; and nothing that is accepted runs away.
//!
//! The fuzz runs under limits scaled down by [`SCALE`], so what it executes stays quick and every
//! larger request goes through the refusal path instead; the documented limits themselves are
//! checked against measured times by `estimates_bound_the_measured_time` (in the optimised fuzz profile:
//! `npm run fuzz`).
//!
//! `cargo test` runs a modest number of invocations; `npm run fuzz` runs 100,000
//! (`EL_FUZZ_CLI_CASES`) and prints how many ran and how many failed.
#![cfg(not(target_arch = "wasm32"))]

use emergence_lab::cli::{self, Limits, UsageError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// The fuzz's limits: a hundred-thousandth of the documented ones (about 60 ms of work).
const SCALE: f64 = 1e-4;

/// Longest any accepted invocation may take under [`SCALE`] (a debug build is far slower than
/// the estimates, which are for release builds; this only catches a run that does not stop).
const RUNAWAY: Duration = Duration::from_secs(10);

fn cases() -> u32 {
    std::env::var("EL_FUZZ_CLI_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_500)
}

/// Every command with its value flags and switches (as `src/cli` parses them).
const COMMANDS: &[(&[&str], &[&str], &[&str])] = &[
    (&["experiments"], &[], &["ids", "with-test"]),
    (&["sorting", "scenarios"], &[], &[]),
    (&["dendrites", "scenarios"], &[], &[]),
    (&["hopfield", "scenarios"], &[], &[]),
    (&["sorting", "run"], cli::SORTING_RUN_FLAGS, cli::SORTING_RUN_SWITCHES),
    (&["sorting", "reproduce", "fig4"], &["runs", "seed"], &[]),
    (&["sorting", "reproduce", "fig9"], &["runs", "seed"], &[]),
    (&["sorting", "reproduce"], &["runs", "seed"], &[]),
    (&["sorting", "bench"], &["runs"], &[]),
    (&["dendrites", "false-match"], &["n", "a", "s", "theta"], &[]),
    (&["dendrites", "false-negative"], &["a", "s", "theta", "v"], &[]),
    (&["dendrites", "set-match"], &["n", "a", "s", "theta", "m"], &[]),
    (&["dendrites", "union-segment"], &["n", "a", "s", "theta", "m", "method"], &[]),
    (&["dendrites", "union-input"], &["n", "a", "s", "theta", "m"], &[]),
    (&["dendrites", "threshold-median"], &["theta"], &[]),
    (&["dendrites", "sdr-count"], &["n", "a"], &[]),
    (
        &["dendrites", "simulate"],
        &["kind", "n", "a", "s", "theta", "trials", "seed", "lambda", "segments", "v", "m"],
        &["importance"],
    ),
    (&["dendrites", "bench"], &[], &[]),
    (
        &["hopfield", "capacity"],
        &["model", "order", "neurons", "patterns", "tests", "seed", "flip", "starts"],
        &["rectified"],
    ),
    (
        &["hopfield", "retrieve"],
        &["model", "dim", "patterns", "beta", "scaling", "corrupt", "kind", "queries", "seed", "steps"],
        &[],
    ),
    (&["hopfield", "metastable"], &["dim", "differ", "extra", "beta", "seed", "steps", "offset"], &[]),
    (&["hopfield", "bench"], &[], &[]),
    (&["nope"], &[], &[]),
    (&["sorting", "nope"], &[], &[]),
    (&["dendrites", "nope"], &[], &[]),
    (&["hopfield"], &[], &[]),
];

/// Words the commands accept somewhere, and some they do not.
const WORDS: &[&str] = &[
    "bubble",
    "insertion",
    "selection",
    "bubble,selection",
    "bubble:30,selection:70",
    "bubble:0",
    ",",
    "bubble,bubble",
    "movable",
    "immovable",
    "replacement",
    "distinct",
    "official",
    "complete",
    "repeats:0",
    "repeats:3",
    "repeats:",
    "flip:3",
    "flip:9999",
    "zero:2",
    "zero:-1",
    "pm1",
    "sphere",
    "paper",
    "blog",
    "exact",
    "rounded",
    "classical",
    "dense",
    "exp",
    "modern",
    "false-match",
    "false-negative",
    "union-segment",
    "union-input",
    "fig4",
    "fig9",
    "nope",
    "",
];

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (0u64..=12).prop_map(|v| v.to_string()),
        3 => (0u64..=400).prop_map(|v| v.to_string()),
        1 => (0u64..=100_000).prop_map(|v| v.to_string()),
        1 => any::<u64>().prop_map(|v| v.to_string()),
        1 => any::<i64>().prop_map(|v| v.to_string()),
        1 => any::<f64>().prop_map(|v| v.to_string()),
        1 => (-1.0f64..2.0).prop_map(|v| v.to_string()),
        1 => proptest::sample::select(vec![
            "-1", "-0", "0.5", "1e400", "-1e400", "NaN", "inf", "-inf", "18446744073709551616", "0x10", " 7 ", "1_000",
            "4294967296", "1e-9", "1e9",
        ])
        .prop_map(str::to_string),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => number(),
        3 => proptest::sample::select(WORDS).prop_map(str::to_string),
        1 => "\\PC{0,12}",
    ]
}

/// One command line: the command's words, then flags in any order and form.
fn invocation() -> impl Strategy<Value = Vec<String>> {
    proptest::sample::select(COMMANDS).prop_flat_map(|(words, flags, switches)| {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let mut names: Vec<String> = flags.iter().chain(switches.iter()).map(|f| f.to_string()).collect();
        names.extend(["json", "zzz", "help-me", ""].map(String::from));
        let arg = prop_oneof![
            8 => (proptest::sample::select(names.clone()), value(), any::<bool>()).prop_map(|(name, v, joined)| {
                if joined { vec![format!("--{name}={v}")] } else { vec![format!("--{name}"), v] }
            }),
            2 => proptest::sample::select(names).prop_map(|name| vec![format!("--{name}")]),
            1 => value().prop_map(|v| vec![v]),
        ];
        (Just(words), proptest::collection::vec(arg, 0..6))
            .prop_map(|(words, args)| words.into_iter().chain(args.into_iter().flatten()).collect())
    })
}

/// Run one invocation under `limits`, turning a panic into a test failure.
fn run(args: &[String], limits: Limits) -> Result<(Result<String, UsageError>, Duration), TestCaseError> {
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| cli::run_with(args, limits)))
        .map_err(|_| TestCaseError::fail(format!("panicked on {args:?}")))?;
    Ok((result, start.elapsed()))
}

/// The error names what it is about: a flag (`--n`), or a word of the command line in quotes
/// (an empty word as `""`: `sorting reproduce ""` says there is no figure `""`).
fn names_its_subject(message: &str, args: &[String]) -> bool {
    message.contains("--")
        || args
            .iter()
            .any(|a| message.contains(&format!("\"{a}\"")) || (!a.is_empty() && message.contains(&format!("{a:?}"))))
        || message.starts_with("sorting reproduce needs a figure")
}

fn check(args: &[String], worst: &mut (Duration, Vec<String>, u32)) -> Result<(), TestCaseError> {
    let (result, elapsed) = run(args, Limits { scale: SCALE })?;
    match result {
        Ok(_) => {
            prop_assert!(elapsed < RUNAWAY, "{args:?} ran {elapsed:?}");
            worst.2 += 1;
            if elapsed > worst.0 {
                (worst.0, worst.1) = (elapsed, args.to_vec());
            }
        }
        Err(UsageError(message)) => {
            prop_assert!(!message.is_empty(), "empty error for {args:?}");
            prop_assert!(names_its_subject(&message, args), "{args:?}: the error names no flag: {message}");
        }
    }
    // The same exit status from the outer door: 0 or 2, never anything else.
    let outcome = catch_unwind(AssertUnwindSafe(|| cli::main_with(&[String::from("--help")])))
        .map_err(|_| TestCaseError::fail("--help panicked"))?;
    prop_assert_eq!(outcome.status, 0);
    Ok(())
}

#[test]
fn any_command_line_ends_in_output_or_an_error_naming_its_flag() {
    let cases = cases();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let worst = std::cell::RefCell::new((Duration::ZERO, Vec::new(), 0));
    let result = runner.run(&invocation(), |args| check(&args, &mut worst.borrow_mut()));
    let worst = worst.into_inner();
    println!(
        "cli: {cases} generated invocations, {} failed; {} ran (the rest were refused with a message); \
         slowest {:?} ({})",
        u32::from(result.is_err()),
        worst.2,
        worst.0,
        worst.1.join(" ")
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Cases that once failed, or that a reader should see are covered.
#[test]
fn named_regressions() {
    let mut worst = (Duration::ZERO, Vec::new(), 0);
    for line in [
        "sorting run --values repeats:0",
        "sorting run --n",
        "sorting run --algotypes ,",
        "sorting run --n 100000 --runs 1000000",
        "hopfield retrieve --dim 65536 --patterns 100000",
        "dendrites simulate --trials 1000000000000",
        "dendrites union-segment --m 1000000000 --s 1000 --n 1000000000000000",
        "sorting reproduce --runs 5",
        "experiments --ids --zzz",
        "hopfield",
        "hopfield ",
        "hopfield \u{ce2}",
        // An empty figure name (the generator found it on 2026-12-04): the error quotes it.
        "sorting reproduce ",
    ] {
        let args: Vec<String> = line.split(' ').map(String::from).collect();
        check(&args, &mut worst).unwrap_or_else(|e| panic!("{line}: {e}"));
    }
}

/// Requests over the documented limits are refused before they start, naming the flags.
#[test]
fn the_documented_limits_refuse_runaway_sizes() {
    for (line, flag) in [
        ("sorting run --n 100000 --runs 1000", "--n and --runs"),
        ("sorting reproduce fig5 --runs 100000", "--runs"),
        ("dendrites simulate --trials 1000000000000", "--trials"),
        ("hopfield retrieve --dim 65536 --patterns 4000", "--dim, --patterns"),
        ("hopfield metastable --dim 65536 --extra 100000", "--dim, --extra"),
        ("hopfield capacity --neurons 20000", "--neurons"),
    ] {
        let args: Vec<String> = line.split(' ').map(String::from).collect();
        // On a thread, so that a request that is not refused fails the test instead of hanging it.
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || send.send(cli::run(&args)));
        let result = receive
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_else(|_| panic!("{line} was not refused: still running after 5 s"));
        let Err(UsageError(message)) = result else { panic!("{line} was accepted") };
        assert!(message.contains(flag) && message.contains("limit"), "{line}: {message}");
    }
    let help = cli::main_with(&[String::from("--help")]).stdout;
    assert!(help.contains("limits") && help.contains("1 GiB"), "--help states the limits");
}

/// A command's work estimate, as its refusal under a vanishing limit states it ("about 2.16e7
/// units of work"), so the test reads the same formula the command applies.
fn estimate(args: &[String]) -> f64 {
    let Err(UsageError(message)) = cli::run_with(args, Limits { scale: 1e-30 }) else {
        panic!("{args:?} was not refused under a vanishing limit")
    };
    let after = message.split("about ").nth(1).unwrap_or_else(|| panic!("no estimate in {message}"));
    after.split(' ').next().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no estimate in {message}"))
}

/// The work estimates behind the limits are calibrated: in the fuzz profile (`npm run fuzz`)
/// each command's measured time (the best of three) stays under three times its estimate
/// (units of about a nanosecond), so a request at the documented limit cannot run much past
/// its stated ten minutes. The test profile only prints the ratios: its debug assertions and
/// the other tests running beside it make times say little there.
#[test]
fn estimates_bound_the_measured_time() {
    let probes = [
        "sorting run --algotypes bubble --n 300 --runs 4",
        "sorting run --algotypes insertion --n 300 --runs 4",
        "sorting run --algotypes selection --n 300 --runs 4",
        "sorting run --algotypes bubble,selection --n 300 --runs 4 --decreasing selection",
        "sorting run --n 300 --runs 4 --frozen 30 --frozen-kind immovable",
        "sorting reproduce fig7 --runs 2",
        "dendrites false-match --n 100000000 --a 1000000 --s 1000000 --theta 10",
        "dendrites union-segment --n 2048 --a 40 --s 20 --m 40",
        "dendrites union-input --n 200000 --a 400 --s 20000 --theta 10 --m 40",
        "dendrites threshold-median --theta 12",
        "dendrites simulate --trials 200000",
        "dendrites simulate --kind union-input --trials 100000 --m 10",
        "hopfield capacity --neurons 200 --patterns 20 --tests 2 --starts 5",
        "hopfield capacity --model dense --neurons 100 --patterns 40 --tests 2 --starts 5",
        "hopfield capacity --model exp --neurons 100 --patterns 40 --tests 2 --starts 5",
        "hopfield retrieve --dim 256 --patterns 2000 --queries 50 --steps 3",
        "hopfield metastable --dim 1024 --extra 100 --steps 100",
    ];
    let release = !cfg!(debug_assertions);
    for line in probes {
        let args: Vec<String> = line.split(' ').map(String::from).collect();
        let units = estimate(&args);
        let ns = (0..3)
            .map(|_| {
                let start = Instant::now();
                cli::run(&args).unwrap_or_else(|UsageError(e)| panic!("{line}: {e}"));
                start.elapsed().as_secs_f64() * 1e9
            })
            .fold(f64::INFINITY, f64::min);
        println!("{line}: estimate {units:.2e} units, measured {ns:.2e} ns, ratio {:.2}", ns / units);
        if release {
            assert!(ns < 3.0 * units, "{line}: {ns:.3e} ns against an estimate of {units:.3e}");
        }
    }
}
