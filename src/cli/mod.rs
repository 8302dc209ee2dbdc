//! The `emergence-lab` command: the lab's sciences from the command line, for batch runs,
//! reproductions and benchmarks. It lives in the library (native only) so that tests can call
//! [`run`] in-process by the hundred thousand (`tests/cli_properties.rs`); the binary
//! `src/bin/emergence-lab/main.rs` only prints what [`main_with`] returns.
//!
//! ```text
//! emergence-lab <experiment> <command> [--flag value]... [--json]
//! emergence-lab sorting run --algotypes bubble --n 100 --runs 100 --seed 1 --json
//! ```
//! `--json` prints one JSON object on stdout. Errors go to stderr with exit status 2 and name
//! the bad flag.

use crate::core::experiment::Experiment;
use crate::core::stats::MeanSd;
use crate::lab::registry;
use crate::sorting::batch::{self, BatchConfig, BatchSummary};
use crate::sorting::cellview::{Algotype, FrozenKind, Scheduler, StopRule};
use crate::sorting::reproduce;
use crate::sorting::setup::{Placement, SortConfig, Values};
use std::collections::BTreeMap;

mod dendrites;
mod hopfield;

pub const USAGE: &str = "\
usage: emergence-lab <experiment> <command> [--flag value]... [--json]

  experiments [--ids] [--json]   the lab's experiments (id, title, step unit); --with-test adds
                                 the test-only random walk (for the test build)
  <experiment> scenarios [--json]   its named scenarios: id, title, the URL query that opens one

experiments and commands:
  sorting run    cell-view (or traditional) sorting runs and their summary
      --algotypes LIST       bubble | insertion | selection, or a mix: bubble,selection (equal
                             shares) or bubble:30,selection:70 (default bubble)
      --n N                  cells, 2..=100000 (default 100)
      --runs R               repetitions, 1..=1000000 (default 100)
      --seed S               seed, 0..=2^64-1 (default 1)
      --frozen K             frozen (damaged) cells, 0..=n (default 0)
      --frozen-kind KIND     movable | immovable (default movable, the released code)
      --frozen-placement P   replacement | distinct (default replacement, the official code)
      --stop RULE            official | complete (default official)
      --scheduler S          uniform | bursts | threads: who acts next (default uniform; threads
                             emulates the official code's Python threads, fitted to its traces)
      --unfreeze N           beyond the paper: frozen cells recover after N nudges (default 0: never)
      --values V             distinct | repeats:R (values 1..n/R, each R times)
      --decreasing LIST      Algotypes that sort toward decreasing order (opposite goals: Fig. 9)
      --stall SWEEPS         with opposite goals, stop after this many sweeps without a change
                             of sortedness (default 10; the paper: \"several time steps\")
      --traditional          the top-down algorithm instead of cells (one Algotype)
      --json                 print one JSON object
  sorting reproduce FIG  the paper's figure: fig4 | fig5 | fig7 | fig8 | fig9, ours beside the paper's
      --runs R               repetitions per condition (default 100, as in the paper)
      --seed S               seed (default 1)
      --json                 print one JSON object
  sorting bench          time per cell-view bubble experiment (n = 100) and for all reproductions
      --runs R               experiments to time (default 2000)
  dendrites false-match       E3: P(a random a-of-n pattern puts >= theta cells on s synapses)
      --n N --a A --s S --theta T   (defaults 2048, 40, 20, 10; every command takes --json)
  dendrites false-negative    E5: P(noise on v of a cells drops a segment below theta)
      --a A --s S --theta T --v V   (defaults 128, 30, 10, 0)
  dendrites set-match         E4: any of M stored patterns matches; exact 1-(1-P)^M and bound M*P
      --n --a --s --theta --m M
  dendrites union-segment     E6: a segment that learned M patterns (S(M) synapses)
      --n --a --s --theta --m M --method exact|rounded   (default exact; rounded = official)
  dendrites union-input       E7: the input is a union of M patterns (A(M) active cells)
      --n --a --s --theta --m M
  dendrites threshold-median  F-theta: median (min, max) of E3 over the official grid
      --theta T              one theta (default: every theta 3..24)
  dendrites sdr-count         E1: log10 C(n, a)
      --n N --a A
  dendrites simulate          bit-level Monte Carlo as the official C++ does it, beside the theory
      --kind K               false-match | false-negative | union-segment | union-input (default false-match)
      --n --a --s --theta    (defaults 2048, 40, 20, s/2); --segments K (false-match), --v V, --m M
      --trials N --seed S    test vectors (default 1000000; importance 200000), seed (default 1)
      --importance [--lambda L]  tilted importance sampling for E3 (one segment), E5, E6, E7
                             (default: the bridge proposal; --lambda L: a fixed tilt instead)
  dendrites bench             exact E3 per point, the F-theta grid, Monte Carlo and importance rates
  hopfield capacity      fixed points and retrieval from noisy starts, with the theory lines
      --model M              classical | dense | exp (default classical); --order N (dense, default 3), --rectified
      --neurons N --patterns P   (defaults 100, 10); --tests T (fresh patterns per test, default 10)
      --flip K               components flipped per noisy start (default 0); --starts S (per test, default 20)
      --seed S --json
  hopfield retrieve      the modern update from corrupted queries (keys exact, nearest, p_true, rel_err)
      --model modern --dim D --patterns N --beta B [--scaling paper|blog]
      --corrupt flip:K|zero:K --kind pm1|sphere --queries Q --seed S [--steps 1 (0: until p settles)]
  hopfield metastable    two patterns differing in K components, from their midpoint (keys p_a, p_b)
      --dim D --differ K --extra E --beta B --seed S [--steps MAX] [--offset T0: start at t = T0 along a-b,
                             default 0.01; 0 is the exact midpoint, a fixed point at every β]

limits: every command estimates its work and memory from its flags before it starts and refuses
  more than about ten minutes of one core (6e11 units of about 1 ns) or 1 GiB, naming the flags
  to lower. The estimates (units):
  sorting run         runs x n^2 x 60 (n = 100000 once; n = 1000 ten thousand times); with
                      --decreasing x 6000 (a run may go on to its limit of 2000 n^2 activations)
  sorting reproduce   the same per condition (n = 100): fig9 about 100 runs, fig5 about 10,000
  dendrites theory    200 per term of the exact sums (at most 10^7 terms)
  dendrites simulate  trials x (a + s x segments + n/64) x 4 (with M: a x M or s x M)
  hopfield capacity   tests x neurons^2 x (3 patterns + 4 starts) x 2 (dense, exp: sweeps x patterns);
                      memory neurons^2 x 8 bytes (neurons up to about 11,000)
  hopfield retrieve   queries x patterns x dim x 2 per update (--steps 0: up to 1000 updates);
                      memory patterns x dim x 8 bytes
  hopfield metastable (2 + extra) x dim x steps x 2; memory (2 + extra) x dim x 8 bytes
";

/// A user error: the message names the flag; exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

/// What the command prints and its exit status: 0 with `stdout`, or 2 with `stderr` (a usage
/// error, naming the flag). `--help` prints the usage with status 0; no arguments print it with 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: u8,
    pub stdout: String,
    pub stderr: String,
}

pub fn main_with(args: &[String]) -> Outcome {
    if args.is_empty() || args.iter().any(|a| a == "--help" || a == "-h") {
        let status = if args.is_empty() { 2 } else { 0 };
        return Outcome { status, stdout: USAGE.to_string(), stderr: String::new() };
    }
    match run(args) {
        Ok(out) => Outcome { status: 0, stdout: format!("{out}\n"), stderr: String::new() },
        Err(UsageError(msg)) => Outcome {
            status: 2,
            stdout: String::new(),
            stderr: format!("emergence-lab: {msg} (see emergence-lab --help)\n"),
        },
    }
}

/// How much one invocation may ask for. Each command estimates its work (in units of about a
/// nanosecond of one core here) and, where it allocates by size, its memory, from its flags
/// before it starts, and refuses beyond [`MAX_WORK`] or [`MAX_BYTES`] with an error that names
/// the flags; `--help` states both. `scale` shrinks both at once: the in-process fuzz
/// (`tests/cli_properties.rs`) runs with a small scale, so that what it executes stays quick
/// and every larger request exercises the refusal instead.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub scale: f64,
}

impl Limits {
    /// The limits `--help` documents.
    pub const DOCUMENTED: Self = Self { scale: 1.0 };
}

/// The most work one invocation may ask for: about ten minutes of one core of a 2-core
/// machine of the kind the lab is built on (the estimates are calibrated there, see
/// `tests/cli_properties.rs`).
pub const MAX_WORK: f64 = 6e11;
/// The most memory one invocation may allocate by its sizes: 1 GiB.
pub const MAX_BYTES: f64 = 1024.0 * 1024.0 * 1024.0;

/// `sorting run`'s value flags and switches (the in-process fuzz generates from the same lists).
pub const SORTING_RUN_FLAGS: &[&str] = &[
    "algotypes",
    "n",
    "runs",
    "seed",
    "frozen",
    "frozen-kind",
    "frozen-placement",
    "stop",
    "scheduler",
    "values",
    "decreasing",
    "stall",
    "unfreeze",
];
pub const SORTING_RUN_SWITCHES: &[&str] = &["traditional"];

/// One invocation (the arguments after the program name), within the documented limits.
pub fn run(args: &[String]) -> Result<String, UsageError> {
    run_with(args, Limits::DOCUMENTED)
}

/// One invocation within `limits`.
pub fn run_with(args: &[String], limits: Limits) -> Result<String, UsageError> {
    match (args.first().map(String::as_str), args.get(1).map(String::as_str)) {
        (Some("experiments"), _) => experiments(&Flags::parse(limits, &args[1..], &[], &["ids", "with-test"])?),
        (Some(exp), Some("scenarios")) if registry::find(exp).is_ok() => {
            scenarios(exp, &Flags::parse(limits, &args[2..], &[], &[])?)
        }
        (Some("sorting"), Some("run")) => {
            sorting_run(&Flags::parse(limits, &args[2..], SORTING_RUN_FLAGS, SORTING_RUN_SWITCHES)?)
        }
        (Some("sorting"), Some("reproduce")) => sorting_reproduce(
            args.get(2).map(String::as_str),
            &Flags::parse(limits, args.get(3..).unwrap_or(&[]), &["runs", "seed"], &[])?,
        ),
        (Some("sorting"), Some("bench")) => sorting_bench(&Flags::parse(limits, &args[2..], &["runs"], &[])?),
        (Some("sorting"), other) => Err(UsageError(format!(
            "{}; try `emergence-lab sorting run`",
            other
                .filter(|c| !c.is_empty())
                .map_or("\"sorting\" needs a command".to_string(), |c| format!("unknown sorting command {c:?}"))
        ))),
        (Some("dendrites"), command) => dendrites::run(command, args.get(2..).unwrap_or(&[]), limits),
        (Some("hopfield"), command) => hopfield::run(command, args.get(2..).unwrap_or(&[]), limits),
        (Some(other), _) => Err(UsageError(format!("unknown experiment \"{other}\"; try `sorting`"))),
        (None, _) => Err(UsageError("missing experiment".into())),
    }
}

/// `--flag value` pairs plus boolean switches (`--json` and the command's own).
/// `emergence-lab experiments`: the registry, for the build and for course authors.
/// `--with-test` adds the test-only random walk (`src/lab/walk.rs`), for the test build.
fn experiments(flags: &Flags) -> Result<String, UsageError> {
    let walk = registry::entry::<crate::lab::walk::Walk>();
    let mut all: Vec<&registry::Entry> = registry::ALL.iter().collect();
    if flags.switches.iter().any(|s| s == "with-test") && !all.iter().any(|e| e.id == walk.id) {
        all.push(&walk);
    }
    if flags.switches.iter().any(|s| s == "ids") {
        return Ok(all.iter().map(|e| e.id).collect::<Vec<_>>().join(" "));
    }
    if flags.json {
        return serde_json::to_string(&all).map_err(|e| UsageError(e.to_string()));
    }
    Ok(all
        .iter()
        .map(|e| format!("{:<10} {} (one step: one {})", e.id, e.title, e.step_unit))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// `emergence-lab <experiment> scenarios`: id, title and query of each scenario, from the
/// registry the page reads too.
fn scenarios(exp: &str, flags: &Flags) -> Result<String, UsageError> {
    let entry = registry::find(exp).map_err(UsageError)?;
    let list: Vec<serde_json::Value> = (entry.scenarios)()
        .iter()
        .map(|s| {
            serde_json::json!({
                "id": s.id,
                "title": s.title,
                "query": registry::scenario_query(entry, s),
                "narrative": s.narrative,
                "watch": s.watch,
            })
        })
        .collect();
    if flags.json {
        return serde_json::to_string(&list).map_err(|e| UsageError(e.to_string()));
    }
    Ok((entry.scenarios)()
        .iter()
        .map(|s| format!("{:<26} {}  ?{}", s.id, s.title, registry::scenario_query(entry, s)))
        .collect::<Vec<_>>()
        .join("\n"))
}

struct Flags {
    values: BTreeMap<String, String>,
    switches: Vec<String>,
    json: bool,
    limits: Limits,
}

impl Flags {
    fn parse(limits: Limits, args: &[String], known: &[&str], switches: &[&str]) -> Result<Self, UsageError> {
        let mut values = BTreeMap::new();
        let mut on = Vec::new();
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
            if switches.contains(&name) {
                on.push(name.to_string());
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
        Ok(Self { values, switches: on, json, limits })
    }

    /// Refuse a request whose estimated `work` (see [`MAX_WORK`]) or `bytes` is over the
    /// limits, naming the flags that set it (`which`, e.g. "--n and --runs") and the estimate.
    fn within(&self, which: &str, what: &str, work: f64, bytes: f64) -> Result<(), UsageError> {
        let (max_work, max_bytes) = (MAX_WORK * self.limits.scale, MAX_BYTES * self.limits.scale);
        // NaN work is refused too.
        if work.is_nan() || work > max_work {
            return Err(UsageError(format!(
                "{which}: {what} is about {work:.2e} units of work (about {:.0} s here), more than the limit \
                 of {max_work:.1e} (see --help, limits); lower {which}",
                work * 1e-9
            )));
        }
        if bytes.is_nan() || bytes > max_bytes {
            return Err(UsageError(format!(
                "{which}: {what} needs about {:.3} GiB, more than the limit of {:.3} GiB (see --help, limits); \
                 lower {which}",
                bytes / MAX_BYTES,
                max_bytes / MAX_BYTES
            )));
        }
        Ok(())
    }

    fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }

    /// One of a fixed set of words.
    fn word<T: Copy>(&self, name: &str, default: T, words: &[(&str, T)]) -> Result<T, UsageError> {
        let Some(raw) = self.values.get(name) else { return Ok(default) };
        words.iter().find(|(w, _)| w.eq_ignore_ascii_case(raw.trim())).map(|(_, v)| *v).ok_or_else(|| {
            let options: Vec<&str> = words.iter().map(|(w, _)| *w).collect();
            UsageError(format!("--{name}: \"{raw}\" is not one of {}", options.join(", ")))
        })
    }

    fn int<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
        &self,
        name: &str,
        default: T,
        min: T,
        max: T,
    ) -> Result<T, UsageError> {
        let Some(raw) = self.values.get(name) else { return Ok(default) };
        let v: T = raw.parse().map_err(|_| UsageError(format!("--{name}: \"{raw}\" is not a whole number")))?;
        if v < min || v > max {
            return Err(UsageError(format!("--{name}: {v} is outside {min}..={max}")));
        }
        Ok(v)
    }
}

/// Parse `bubble`, `bubble,selection` or `bubble:30,selection:70`.
fn parse_algotypes(name: &str, raw: &str) -> Result<Vec<(Algotype, u32)>, UsageError> {
    let mut out: Vec<(Algotype, u32)> = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (id, share) = match item.split_once(':') {
            Some((id, share)) => {
                let share: u32 = share
                    .trim()
                    .parse()
                    .map_err(|_| UsageError(format!("--{name}: share \"{share}\" of {id} is not a whole number")))?;
                (id, share)
            }
            None => (item, 1),
        };
        let a = Algotype::from_id(id)
            .ok_or_else(|| UsageError(format!("--{name}: \"{id}\" is not bubble, insertion or selection")))?;
        if out.iter().any(|(b, _)| *b == a) {
            return Err(UsageError(format!("--{name}: {id} is named twice")));
        }
        out.push((a, share));
    }
    if out.is_empty() {
        return Err(UsageError(format!("--{name}: name at least one Algotype")));
    }
    Ok(out)
}

fn sorting_config(flags: &Flags) -> Result<(BatchConfig, usize), UsageError> {
    let algotypes = parse_algotypes("algotypes", flags.values.get("algotypes").map_or("bubble", String::as_str))?;
    let n: usize = flags.int("n", 100, 2, 100_000)?;
    let runs: usize = flags.int("runs", 100, 1, 1_000_000)?;
    let seed: u64 = flags.int("seed", 1, 0, u64::MAX)?;
    let frozen: usize = flags.int("frozen", 0, 0, n)?;
    let frozen_kind = flags.word(
        "frozen-kind",
        FrozenKind::Movable,
        &[("movable", FrozenKind::Movable), ("immovable", FrozenKind::Immovable)],
    )?;
    let placement = flags.word(
        "frozen-placement",
        Placement::Replacement,
        &[("replacement", Placement::Replacement), ("distinct", Placement::Distinct)],
    )?;
    let stop = flags.word(
        "stop",
        StopRule::Official,
        &[("official", StopRule::Official), ("complete", StopRule::Complete)],
    )?;
    let scheduler = flags.word(
        "scheduler",
        Scheduler::Uniform,
        &[("uniform", Scheduler::Uniform), ("bursts", Scheduler::Bursts), ("threads", Scheduler::Threads)],
    )?;
    let values = match flags.values.get("values").map(|v| v.trim()) {
        None | Some("distinct") => Values::Distinct,
        Some(v) => match v.strip_prefix("repeats:").map(str::parse::<u32>) {
            Some(Ok(r)) if r >= 1 => Values::Repeats(r),
            _ => return Err(UsageError(format!("--values: \"{v}\" is not distinct or repeats:R (R ≥ 1)"))),
        },
    };
    let decreasing = match flags.values.get("decreasing") {
        None => Vec::new(),
        Some(raw) => parse_algotypes("decreasing", raw)?.into_iter().map(|(a, _)| a).collect(),
    };
    let config = BatchConfig {
        sort: SortConfig {
            n,
            values,
            initial: None,
            frozen_at: None,
            algotypes,
            decreasing,
            frozen,
            frozen_kind,
            placement,
            stop,
            stall_sweeps: flags.int("stall", crate::sorting::setup::DEFAULT_STALL_SWEEPS, 1, 1_000_000)?,
            unfreeze_after: flags.int("unfreeze", 0, 0, 1_000_000)?,
            scheduler,
            two_labels: false,
        },
        seed,
        traditional: flags.switch("traditional"),
    };
    config.validate().map_err(|e| UsageError(format!("{} ({})", e, flag_of(&e))))?;
    Ok((config, runs))
}

/// The flag a validation message is about (its first word names the setting).
fn flag_of(message: &str) -> String {
    let word = message.split([':', ' ']).next().unwrap_or("");
    match word {
        "n" => "--n".into(),
        "values" => "--values".into(),
        "frozen" => "--frozen".into(),
        "algotypes" => "--algotypes".into(),
        "decreasing" => "--decreasing".into(),
        "traditional" => "--traditional".into(),
        other => format!("--{other}"),
    }
}

/// Work units per n² of one cell-view (or traditional) run: the slowest Algotype's measured
/// time per n² here (`tests/cli_properties.rs` checks estimates against measured times).
const SORT_WORK_PER_N2: f64 = 60.0;

/// Work units per n² of a run with opposite goals, which may go on to the tick limit
/// ([`BatchConfig::max_ticks`], 2000·n² activations) when its sortedness keeps changing.
const SORT_WORK_PER_N2_OPPOSITE: f64 = 2000.0 * 3.0;

/// The estimated work of `runs` runs of `config` (`sort.n` cells).
fn sorting_work(config: &BatchConfig, runs: usize) -> f64 {
    let per_n2 = if config.sort.decreasing.is_empty() { SORT_WORK_PER_N2 } else { SORT_WORK_PER_N2_OPPOSITE };
    runs as f64 * (config.sort.n as f64).powi(2) * per_n2
}

fn sorting_run(flags: &Flags) -> Result<String, UsageError> {
    let (config, runs) = sorting_config(flags)?;
    let n = config.sort.n;
    let which = if config.sort.decreasing.is_empty() { "--n and --runs" } else { "--n, --runs and --decreasing" };
    flags.within(which, &format!("{runs} runs of {n} cells"), sorting_work(&config, runs), 0.0)?;
    let summary = batch::run_batch(&config, runs).map_err(UsageError)?;
    if flags.json {
        return serde_json::to_string(&summary).map_err(|e| UsageError(format!("could not write JSON: {e}")));
    }
    Ok(summary_table(&summary))
}

fn sorting_reproduce(figure: Option<&str>, flags: &Flags) -> Result<String, UsageError> {
    let figure = figure
        .filter(|f| !f.starts_with("--"))
        .ok_or_else(|| UsageError(format!("sorting reproduce needs a figure: {}", reproduce::FIGURES.join(", "))))?;
    let runs: usize = flags.int("runs", 100, 1, 100_000)?;
    let seed: u64 = flags.int("seed", 1, 0, u64::MAX)?;
    let conditions = reproduce::conditions(figure, seed).map_err(UsageError)?;
    let work: f64 = conditions.iter().map(|c| sorting_work(&c.config, runs)).sum();
    flags.within("--runs", &format!("{figure} with {runs} runs per condition"), work, 0.0)?;
    let mut rows = Vec::new();
    for c in &conditions {
        rows.extend(reproduce::run_condition(c, runs, &mut |_| {}).map_err(UsageError)?);
    }
    if flags.json {
        let value = serde_json::json!({ "figure": figure, "runs": runs, "seed": seed.to_string(), "rows": rows });
        return serde_json::to_string(&value).map_err(|e| UsageError(format!("could not write JSON: {e}")));
    }
    let mut out = format!(
        "{figure}: {runs} runs per condition, seed {seed}; uniform and threads = the lab under each scheduler, \
         mean ± SD; official = the official code run here, mean ± SE (docs/sorting-scheduler.md)\n"
    );
    out += &format!(
        "  {:<34} {:<36} {:>18} {:>18} {:>18}  {}\n",
        "condition", "metric", "uniform", "threads", "official (here)", "paper"
    );
    let spread = |m: &MeanSd| {
        if m.sd.is_finite() {
            format!("{:.2} ± {:.2}", m.mean, m.sd)
        } else {
            format!("{:.3}", m.mean)
        }
    };
    for r in &rows {
        let threads = match &r.threads {
            Some(t) => spread(t),
            None if r.independent => "(same)".to_string(),
            None => "–".to_string(),
        };
        let official = match r.official {
            Some(o) if o.se.is_finite() => format!("{:.2} ± {:.2}", o.mean, o.se),
            Some(o) => format!("{:.3}", o.mean),
            None => "–".to_string(),
        };
        let paper = match r.paper.value {
            Some(v) => format!("{v} ({})", r.paper.note),
            None => r.paper.note.to_string(),
        };
        out += &format!(
            "  {:<34} {:<36} {:>18} {:>18} {:>18}  {}\n",
            r.condition,
            r.label,
            spread(&r.ours),
            threads,
            official,
            paper
        );
    }
    Ok(out.trim_end().to_string())
}

/// Wall-clock timings, natively; the page has the same benchmark for wasm.
fn sorting_bench(flags: &Flags) -> Result<String, UsageError> {
    let runs: usize = flags.int("runs", 2000, 1, 1_000_000)?;
    let mut suite_work = 0.0;
    for &figure in reproduce::FIGURES {
        for c in reproduce::conditions(figure, 1).map_err(UsageError)? {
            suite_work += sorting_work(&c.config, 100);
        }
    }
    flags.within("--runs", "the benchmark", sorting_work(&BatchConfig::bubble(100, 1), runs) + suite_work, 0.0)?;
    // Per experiment under each scheduler: five timed repeats of runs/5 experiments; the median
    // and the range (the machine is noisy).
    let per_experiment = |scheduler: Scheduler| -> Result<(f64, f64, f64), UsageError> {
        let mut config = BatchConfig::bubble(100, 1);
        config.sort.scheduler = scheduler;
        let chunk = (runs / 5).max(1);
        let mut times = Vec::with_capacity(5);
        for repeat in 0..5 {
            let start = std::time::Instant::now();
            for i in 0..chunk {
                batch::run_one(&config, (repeat * chunk + i) as u64).map_err(UsageError)?;
            }
            times.push(start.elapsed().as_secs_f64() / chunk as f64);
        }
        times.sort_by(f64::total_cmp);
        Ok((times[2], times[0], times[4]))
    };
    let uniform = per_experiment(Scheduler::Uniform)?;
    let threads = per_experiment(Scheduler::Threads)?;
    let start = std::time::Instant::now();
    let mut conditions = 0;
    for &figure in reproduce::FIGURES {
        for c in reproduce::conditions(figure, 1).map_err(UsageError)? {
            reproduce::run_condition(&c, 100, &mut |_| {}).map_err(UsageError)?;
            conditions += 1;
        }
    }
    let suite = start.elapsed().as_secs_f64();
    let mut out = String::from("sorting bench (native, this machine)\n");
    for (name, (median, min, max)) in [("uniform", uniform), ("threads", threads)] {
        out += &format!(
            "  cell-view bubble, n = 100, scheduler {name}: {:.3} ms per experiment (median of 5 repeats of {} \
             experiments; range {:.3}-{:.3}; target in wasm: 0.2 ms)\n",
            median * 1e3,
            (runs / 5).max(1),
            min * 1e3,
            max * 1e3,
        );
    }
    // No ratio against a remembered constant: the official code cannot be timed here (it is not
    // part of the lab and this command runs offline), so its figure is printed with its source.
    out += &format!("  for scale, not measured in this run: {OFFICIAL_BUBBLE_SECONDS}\n");
    out += &format!(
        "  reproduce {} ({conditions} conditions x 100 runs, uniform and, where the order of activations \
         matters, threads): {suite:.2} s (target in the page: 5 s)",
        reproduce::FIGURES.join("+")
    );
    Ok(out)
}

fn summary_table(s: &BatchSummary) -> String {
    let line = |name: &str, v: &MeanSd| format!("  {name:<26} {:>12.2} ± {:.2}\n", v.mean, v.sd);
    let mix: Vec<String> = s.algotypes.iter().map(|(a, k)| format!("{}×{k}", a.id())).collect();
    let mut out = format!(
        "{} — {} {}, n = {}, {} runs, seed {} (mean ± SD)\n",
        crate::sorting::lab::SortingRun::TITLE,
        if s.traditional { "traditional" } else { "cell-view" },
        mix.join(" + "),
        s.n,
        s.runs,
        s.seed
    );
    out += &line("swaps", &s.swaps);
    out += &line("steps (swaps + reads)", &s.steps);
    if !s.traditional {
        out += &line("ticks (activations)", &s.ticks);
    }
    out += &line("final sortedness %", &s.final_sortedness);
    out += &line("final monotonicity error", &s.final_monotonicity_error);
    out += &line("delayed gratification", &s.delayed_gratification);
    if s.distinct_frozen.mean > 0.0 {
        out += &line("distinct frozen cells", &s.distinct_frozen);
    }
    if let Some(a) = &s.aggregation {
        out += &format!(
            "  {:<26} start {:.3}, end {:.3}, peak of mean {:.3} at {}%, mean of run peaks {:.3}\n",
            "aggregation", a.start, a.end, a.peak_of_mean, a.peak_at_percent, a.mean_of_run_peaks
        );
    }
    out += &format!("  {:<26} {:>12.2}", "fully sorted share", s.fully_sorted_share);
    if s.unfinished_runs > 0 {
        out += &format!("\n  {} runs hit the tick limit before their stop rule", s.unfinished_runs);
    }
    out
}

/// The official code's own time for one cell-view bubble experiment, with its source: printed
/// beside the lab's benchmark for scale, never turned into a ratio (it was not measured in the
/// same run). Issue 14's measurement, unpatched `Zhangtaining/cell_research` on a machine of
/// this kind.
pub(crate) const OFFICIAL_BUBBLE_SECONDS: &str = "the official Python code (cell_research, Python 3.11, \
a 2-core machine of this kind, measured 2026-11 for issue 14) computes one bubble experiment in \
0.29-0.52 s (median about 0.4 s), and its driver sleeps 2 s between experiments";
