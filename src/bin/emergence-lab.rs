//! `emergence-lab`: the lab's sciences from the command line, for batch runs, reproductions
//! and benchmarks.
//!
//! ```text
//! emergence-lab <experiment> <command> [--flag value]... [--json]
//! emergence-lab sorting run --algotypes bubble --n 100 --runs 100 --seed 1 --json
//! ```
//! `--json` prints one JSON object on stdout. Errors go to stderr with exit status 2 and name
//! the bad flag.

use emergence_lab::sorting::batch;
use std::collections::BTreeMap;
use std::process::ExitCode;

const USAGE: &str = "\
usage: emergence-lab <experiment> <command> [--flag value]... [--json]

experiments and commands:
  sorting run    cell-view sorting runs and their summary
      --algotypes bubble   cell rule (bubble; more come with the full sorting experiment)
      --n N                cells, 2..=1000000 (default 100)
      --runs R             repetitions, 1..=1000000 (default 100)
      --seed S             seed, 0..=2^64-1 (default 1)
      --json               print one JSON object
";

/// A user error: the message names the flag; exit status 2.
struct UsageError(String);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(UsageError(msg)) => {
            eprintln!("emergence-lab: {msg}");
            if args.is_empty() || args.iter().any(|a| a == "--help" || a == "-h") {
                eprint!("\n{USAGE}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<String, UsageError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return Err(UsageError("help requested".into()));
    }
    match (args.first().map(String::as_str), args.get(1).map(String::as_str)) {
        (Some("sorting"), Some("run")) => sorting_run(&Flags::parse(&args[2..], &["algotypes", "n", "runs", "seed"])?),
        (Some("sorting"), other) => Err(UsageError(format!(
            "unknown sorting command {:?}; try `emergence-lab sorting run`",
            other.unwrap_or("")
        ))),
        (Some(exp @ ("dendrites" | "hopfield")), _) => {
            Err(UsageError(format!("experiment \"{exp}\" is not in the lab yet (its issue is open)")))
        }
        (Some(other), _) => Err(UsageError(format!("unknown experiment \"{other}\"; try `sorting`"))),
        (None, _) => Err(UsageError("missing experiment".into())),
    }
}

/// `--flag value` pairs plus the boolean `--json`.
struct Flags {
    values: BTreeMap<String, String>,
    json: bool,
}

impl Flags {
    fn parse(args: &[String], known: &[&str]) -> Result<Self, UsageError> {
        let mut values = BTreeMap::new();
        let mut json = false;
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(UsageError(format!("unexpected argument \"{arg}\" (flags start with --)")));
            };
            if name == "json" {
                json = true;
                continue;
            }
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n, v.to_string()),
                None => {
                    let v = it.next().ok_or_else(|| UsageError(format!("--{name} needs a value")))?;
                    (name, v.clone())
                }
            };
            if !known.contains(&name) {
                return Err(UsageError(format!("unknown flag --{name}")));
            }
            values.insert(name.to_string(), value);
        }
        Ok(Self { values, json })
    }

    fn int<T: std::str::FromStr + PartialOrd + std::fmt::Display>(&self, name: &str, default: T, min: T, max: T) -> Result<T, UsageError> {
        let Some(raw) = self.values.get(name) else { return Ok(default) };
        let v: T = raw
            .parse()
            .map_err(|_| UsageError(format!("--{name}: \"{raw}\" is not a whole number")))?;
        if v < min || v > max {
            return Err(UsageError(format!("--{name}: {v} is outside {min}..={max}")));
        }
        Ok(v)
    }
}

fn sorting_run(flags: &Flags) -> Result<String, UsageError> {
    let algotypes = flags.values.get("algotypes").map_or("bubble", String::as_str);
    for a in algotypes.split(',') {
        let name = a.split(':').next().unwrap_or("").trim();
        if name != "bubble" {
            return Err(UsageError(format!(
                "--algotypes: \"{name}\" is not available yet; this build has cell-view bubble only"
            )));
        }
    }
    let n: usize = flags.int("n", 100, 2, 1_000_000)?;
    let runs: usize = flags.int("runs", 100, 1, 1_000_000)?;
    let seed: u64 = flags.int("seed", 1, 0, u64::MAX)?;
    let summary = batch::run_batch(&batch::BatchConfig { n, seed }, runs);
    if flags.json {
        return serde_json::to_string(&summary).map_err(|e| UsageError(format!("could not write JSON: {e}")));
    }
    let line = |name: &str, s: &emergence_lab::core::stats::MeanSd| format!("  {name:<26} {:>12.2} ± {:.2}\n", s.mean, s.sd);
    let mut out = format!(
        "{} — cell-view bubble, n = {n}, {runs} runs, seed {seed} (mean ± SD)\n",
        emergence_lab::experiments::Experiment::Sorting.title()
    );
    out += &line("swaps", &summary.swaps);
    out += &line("steps (swaps + reads)", &summary.steps);
    out += &line("ticks (activations)", &summary.ticks);
    out += &line("final sortedness %", &summary.final_sortedness);
    out += &line("final monotonicity error", &summary.final_monotonicity_error);
    out += &format!("  {:<26} {:>12.2}", "fully sorted share", summary.fully_sorted_share);
    Ok(out)
}
