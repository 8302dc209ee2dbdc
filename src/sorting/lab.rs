//! The sorting experiment in the lab: [`SortingRun`] implements the lab's
//! `Experiment` trait (`crate::core::experiment`) over an interactive
//! [`SortingSession`], with the bars it shows and its scenarios.

use super::cellview::Algotype;
use super::config_from_params;
use super::metrics::aggregation;
use super::session::{SeekOutcome, SortingSession};
use crate::core::experiment::{Experiment, Scenario, Seek, Until, Watch};
use crate::core::params::{Notice, ParamSpec, Params};
use crate::core::picture::{Bar, Picture, Rgba};

pub const BACKGROUND: Rgba = [16, 20, 26, 255];
const SWAPPED: Rgba = [242, 142, 43, 255];
const FROZEN: Rgba = [190, 190, 190, 255];

/// Bar colour of each Algotype (also listed in the page's legend, `www/experiments/sorting.js`).
pub fn algotype_colour(a: Algotype) -> Rgba {
    match a {
        Algotype::Bubble => [78, 121, 167, 255],
        Algotype::Insertion => [176, 122, 161, 255],
        Algotype::Selection => [89, 161, 79, 255],
    }
}

/// One interactive sorting run.
pub struct SortingRun {
    session: SortingSession,
}

impl SortingRun {
    pub fn session(&self) -> &SortingSession {
        &self.session
    }

    /// The highest aggregation the live series recorded (its kept rows), or NaN.
    fn aggregation_peak(&self) -> f64 {
        self.session.series().column(3).iter().copied().filter(|v| !v.is_nan()).fold(f64::NAN, f64::max)
    }
}

impl Experiment for SortingRun {
    const ID: &'static str = "sorting";
    const TITLE: &'static str = "Self-sorting arrays";
    const STEP_UNIT: &'static str = "swap";
    /// Activations between clock checks (about 1–2 ms of work in wasm).
    const CHUNK: u64 = 40_000;

    fn schema() -> &'static [ParamSpec] {
        super::schema()
    }

    fn scenarios() -> &'static [Scenario] {
        SCENARIOS
    }

    fn build(params: &mut Params, seed: u64, notices: &mut Vec<Notice>) -> Result<Self, String> {
        let (config, repairs) = config_from_params(params);
        notices.extend(repairs);
        let session = SortingSession::new(&config, seed).unwrap_or_else(|e| {
            notices.push(Notice::new("n", format!("{e}; showing pure bubble instead.")));
            SortingSession::bubble(config.n, seed)
        });
        Ok(Self { session })
    }

    fn position(&self) -> u64 {
        self.session.position()
    }

    fn seek(&mut self, target: u64, budget: u64) -> Seek {
        match self.session.seek(target, budget) {
            SeekOutcome::Reached => Seek::Reached,
            SeekOutcome::Finished => Seek::Finished,
            SeekOutcome::InProgress => Seek::InProgress,
        }
    }

    fn done(&self) -> bool {
        self.session.is_done()
    }

    /// `{n, chimeric, swaps, steps, ticks, sortedness, error, aggregation, done, scheduler,
    /// turn}`; `turn` is `[position, activations in its burst]` of the cell holding the turn
    /// under a burst scheduler, else null.
    fn readout(&self) -> serde_json::Value {
        let a = self.session.array();
        let types: Vec<Algotype> = a.cells().iter().map(|c| c.algotype).collect();
        serde_json::json!({
            "scheduler": a.scheduler().id(),
            "turn": a.turn(),
            "n": a.len(),
            "chimeric": a.cells().first().is_some_and(|f| a.cells().iter().any(|c| c.algotype != f.algotype)),
            "swaps": a.swaps(),
            "steps": a.steps(),
            "ticks": a.ticks(),
            "sortedness": a.sortedness_percent(),
            "error": a.monotonicity_error(),
            "aggregation": aggregation(&types),
            "done": a.is_done(),
        })
    }

    /// Also `dg` (delayed gratification so far, O(swaps)) and `aggregation_peak`.
    fn measure(&self, key: &str) -> Option<f64> {
        match key {
            "dg" => self.session.delayed_gratification(),
            "aggregation_peak" => Some(self.aggregation_peak()),
            _ => crate::core::experiment::readout_number(&self.readout(), key),
        }
    }

    /// Up to one cell per pixel column, each cell is a bar from 0 to its value. With more cells
    /// than columns (large n), each column draws the range min…max of the cells it covers: a
    /// sorted stretch is a thin diagonal band, a disordered one a tall band, and every cell is
    /// represented (a bar per cell would overdraw all but the last cell of each column).
    fn picture(&self, width: u32, out: &mut Picture) {
        let array = self.session.array();
        let cells = array.cells();
        let top = cells.iter().map(|c| c.value).max().map_or(1.0, |m| f64::from(m) + 1.0);
        let height = |v: u32| ((f64::from(v) + 1.0) / top) as f32;
        let swapped = array.last_swap();
        let touched = |first: usize, last: usize| {
            swapped.is_some_and(|(a, b)| (first..=last).contains(&a) || (first..=last).contains(&b))
        };
        let bars = out.start_bars(BACKGROUND);
        let n = cells.len();
        let columns = width.max(1) as usize;
        if n <= columns {
            bars.extend(cells.iter().enumerate().map(|(i, c)| {
                let rgba = if touched(i, i) {
                    SWAPPED
                } else if c.frozen {
                    FROZEN
                } else {
                    algotype_colour(c.algotype)
                };
                Bar { bottom: 0.0, top: height(c.value), rgba }
            }));
            return;
        }
        for col in 0..columns {
            let (first, last) = (col * n / columns, ((col + 1) * n / columns).max(col * n / columns + 1) - 1);
            let group = &cells[first..=last];
            let lo = group.iter().map(|c| c.value).min().unwrap_or(0);
            let hi = group.iter().map(|c| c.value).max().unwrap_or(0);
            let rgba = if touched(first, last) {
                SWAPPED
            } else if group.iter().any(|c| c.frozen) {
                FROZEN
            } else {
                // The most common Algotype of the column.
                let count = |a: Algotype| group.iter().filter(|c| c.algotype == a).count();
                let major = Algotype::ALL.into_iter().max_by_key(|a| count(*a)).unwrap_or(Algotype::Bubble);
                algotype_colour(major)
            };
            bars.push(Bar { bottom: height(lo) - 1.0 / top as f32, top: height(hi), rgba });
        }
    }

    fn export(&self) -> serde_json::Value {
        let a = self.session.array();
        serde_json::json!({
            "values": a.values(),
            "algotypes": a.cells().iter().map(|c| c.algotype.id()).collect::<Vec<_>>(),
            "frozen": a.cells().iter().enumerate().filter(|(_, c)| c.frozen).map(|(i, _)| i).collect::<Vec<_>>(),
            "swaps": a.swaps(),
            "steps": a.steps(),
            "ticks": a.ticks(),
            "monotonicity_error": a.monotonicity_error(),
            "sortedness": a.sortedness_percent(),
            "sorted": a.is_done(),
            "series": self.session.series().to_json(),
        })
    }

    fn csv(&self) -> String {
        self.session.series().to_csv()
    }
}

/// The scenarios, the paper's key figures first. Each promise was checked over many seeds by
/// `tests/scenarios.rs` (the range holds in at least 95 % of them), and for the scenario's
/// own seed natively and in the browser.
static SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "cells-sort",
        title: "Cells sort themselves",
        narrative: "Every bar is a cell that looks at one neighbour and swaps when the pair is out of order: nobody \
            runs the algorithm. Press play and watch the disorder dissolve. Each swap removes exactly one \
            inversion, so the cells need as many swaps as the traditional bubble sort: about n(n−1)/4 = 2,475 \
            for 100 cells (Zhang et al. 2024, Fig. 4A).",
        query: "seed=1&n=100&speed=600",
        watch: Watch { key: "swaps", label: "swaps to sort", min: 1803.0, max: 3147.0, until: Until::Done },
    },
    Scenario {
        id: "damaged-cells",
        title: "Damaged cells that cannot move",
        narrative: "Three cells are frozen: they never act, and nobody can move them (the paper's Type 2 damage). \
            The healthy cells sort around them, and the array ends with only a few out-of-order pairs, one \
            or two per damaged cell: the damage stays local instead of spreading (Fig. 5).",
        query: "seed=2&n=100&frozen=3&frozen_kind=immovable&placement=distinct&speed=600",
        watch: Watch { key: "error", label: "final monotonicity error", min: 1.0, max: 6.0, until: Until::Done },
    },
    Scenario {
        id: "delayed-gratification",
        title: "Delayed gratification",
        narrative: "Near a damaged cell the others must first make things worse to get around it: the error \
            rises (orange stretches of the plot) before it falls further. Delayed gratification measures how \
            much later progress pays for each such detour; the paper finds it in cell-view sorts, and more of \
            it with more damage (Fig. 7).",
        query: "seed=3&n=100&frozen=3&frozen_kind=immovable&placement=distinct&speed=600",
        watch: Watch { key: "dg", label: "delayed gratification", min: 0.2, max: 1.0, until: Until::Done },
    },
    Scenario {
        id: "chimeras-cluster",
        title: "Chimeras cluster",
        narrative: "Half the cells follow the bubble rule, half the selection rule, mixed at random. Nothing in \
            either rule looks at Algotypes, yet during the sort cells of the same kind gather: aggregation \
            climbs above its random level of about 0.5 before the final sorted order mixes them again \
            (Fig. 8A).",
        query: "seed=4&n=100&bubble=50&selection=50&speed=600",
        watch: Watch { key: "aggregation_peak", label: "peak aggregation", min: 0.55, max: 1.0, until: Until::Done },
    },
    Scenario {
        id: "duplicates-keep-clusters",
        title: "Duplicates keep the clusters",
        narrative: "With each value repeated ten times, the sorted order does not decide which of ten equal cells \
            goes where, so the clusters formed on the way survive the end of the sort: aggregation ends well \
            above the 0.5 of a random mix (Fig. 8D).",
        query: "seed=5&n=100&bubble=50&selection=50&repeats=10&speed=600",
        watch: Watch { key: "aggregation", label: "final aggregation", min: 0.55, max: 1.0, until: Until::Done },
    },
    Scenario {
        id: "scheduler-changes-dg",
        title: "The scheduler changes delayed gratification",
        narrative: "In the paper's code every cell is a Python thread, and the threads do not take turns at \
            random: a cell that has just swapped usually goes on acting, so it travels several places in a \
            row, like a pass of the traditional bubble sort. This run emulates those threads (scheduler: \
            threads, fitted to traces recorded from the official code). Watch delayed gratification: about \
            0.27 here. Switch Scheduler to uniform (one random cell per activation) and run again: it rises \
            to about 0.38. The paper's 0.24 depends on how its machine scheduled threads.",
        query: "seed=7&n=100&scheduler=threads&speed=600",
        watch: Watch { key: "dg", label: "delayed gratification", min: 0.2, max: 0.34, until: Until::Done },
    },
    Scenario {
        id: "opposite-goals",
        title: "Opposite goals",
        narrative: "Half the cells (bubble) want increasing order, the other half (selection) decreasing. Neither \
            side can win: the run settles into a stalemate with sortedness far from 100 %, stopped when \
            nothing has changed for a while (Fig. 9).",
        query: "seed=6&n=100&bubble=50&selection=50&selection_goal=decreasing&speed=2000",
        watch: Watch { key: "sortedness", label: "final sortedness %", min: 10.0, max: 90.0, until: Until::Done },
    },
];
