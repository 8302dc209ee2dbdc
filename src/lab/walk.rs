//! A test-only fourth experiment (Cargo feature `walk`): a seeded random walk drawn as bars. It
//! is here to show, and to test, that an experiment that implements
//! `Experiment` (`crate::core::experiment`) and is listed in the registry gets
//! everything else from the lab without a change elsewhere: URL state, controls, transport,
//! step back, exports, scenarios and embeds (ARCHITECTURE.md, "Adding an experiment", walks
//! through it). It is not part of the lab a visitor sees.

use crate::core::experiment::{Experiment, Scenario, Seek, Until, Watch};
use crate::core::params::{Apply, Level, Notice, ParamKind, ParamSpec, ParamValue, Params};
use crate::core::picture::{Bar, Picture};
use crate::core::rng::Rng;

/// A walk of ±1 steps from 0; the last `window` positions are drawn as bars.
pub struct Walk {
    seed: u64,
    rng: Rng,
    /// Every position so far (position 0 is the start).
    path: Vec<i64>,
    window: usize,
}

static SCHEMA: &[ParamSpec] = &[
    ParamSpec {
        key: "window",
        label: "Bars",
        kind: ParamKind::Int { min: 5, max: 500 },
        default: ParamValue::Int(40),
        apply: Apply::Live,
        help: "How many of the latest positions are drawn.",
        level: Level::Essential,
        when: None,
    },
    ParamSpec {
        key: "speed",
        label: "Speed",
        kind: ParamKind::Float { min: 1.0, max: 1000.0, log: true },
        default: ParamValue::Float(20.0),
        apply: Apply::Live,
        help: "Steps per second while playing.",
        level: Level::Essential,
        when: None,
    },
];

static SCENARIOS: &[Scenario] = &[Scenario {
    id: "hundred-steps",
    title: "A hundred steps",
    narrative: "A walk of ±1 steps: after 100 of them it is rarely more than 40 from where it started.",
    query: "seed=1&window=100",
    watch: Watch {
        key: "distance",
        label: "distance from the start",
        min: 0.0,
        max: 40.0,
        until: Until::Steps { steps: 100 },
    },
}];

impl Walk {
    fn replay_to(&mut self, target: usize) {
        self.rng = Rng::seed_from_u64(self.seed);
        self.path.truncate(1);
        while self.path.len() <= target {
            self.push_step();
        }
    }

    fn push_step(&mut self) {
        let last = self.path.last().copied().unwrap_or(0);
        self.path.push(last + if self.rng.coin() { 1 } else { -1 });
    }
}

impl Experiment for Walk {
    const ID: &'static str = "walk";
    const TITLE: &'static str = "Random walk (test)";
    const STEP_UNIT: &'static str = "step";
    const MAX_STEP: u64 = 100_000;
    const CHUNK: u64 = 10_000;

    fn schema() -> &'static [ParamSpec] {
        SCHEMA
    }

    fn scenarios() -> &'static [Scenario] {
        SCENARIOS
    }

    fn build(params: &mut Params, seed: u64, _notices: &mut Vec<Notice>) -> Result<Self, String> {
        Ok(Self { seed, rng: Rng::seed_from_u64(seed), path: vec![0], window: params.int("window").max(1) as usize })
    }

    fn apply_live(&mut self, params: &mut Params, _key: &str, _notices: &mut Vec<Notice>) {
        self.window = params.int("window").max(1) as usize;
    }

    fn position(&self) -> u64 {
        (self.path.len() - 1) as u64
    }

    fn seek(&mut self, target: u64, budget: u64) -> Seek {
        let target = target.min(Self::MAX_STEP) as usize;
        if target + 1 < self.path.len() {
            // Back: replay from the seed (the walk is a function of seed and position).
            self.replay_to(target);
        }
        let end = target.min(self.path.len() - 1 + budget as usize);
        while self.path.len() <= end {
            self.push_step();
        }
        if self.path.len() - 1 == target {
            Seek::Reached
        } else {
            Seek::InProgress
        }
    }

    fn done(&self) -> bool {
        self.position() >= Self::MAX_STEP
    }

    fn readout(&self) -> serde_json::Value {
        let at = self.path.last().copied().unwrap_or(0);
        serde_json::json!({ "steps": self.position(), "at": at, "distance": at.abs() })
    }

    fn picture(&self, _width: u32, out: &mut Picture) {
        let bars = out.start_bars([16, 20, 26, 255]);
        let shown = &self.path[self.path.len().saturating_sub(self.window)..];
        let span = shown.iter().map(|v| v.abs()).max().unwrap_or(0).max(1) as f32;
        bars.extend(shown.iter().map(|&v| {
            let y = 0.5 + 0.5 * v as f32 / span;
            let rgba = if v >= 0 { [89, 161, 79, 255] } else { [225, 87, 89, 255] };
            Bar { bottom: y.min(0.5), top: y.max(0.5).max(y.min(0.5) + 0.002), rgba }
        }));
    }

    fn csv(&self) -> String {
        let mut out = String::from("step,position\n");
        for (i, v) in self.path.iter().enumerate() {
            out.push_str(&format!("{i},{v}\n"));
        }
        out
    }
}
