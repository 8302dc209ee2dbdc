//! The sorting experiment in the lab: [`SortingRun`] implements the lab's
//! `Experiment` trait (`crate::core::experiment`) over an interactive
//! [`SortingSession`], with the bars it shows and its scenarios.

use super::cellview::Algotype;
use super::config_from_params;
use super::metrics::aggregation;
use super::session::{SeekOutcome, SortingSession};
use super::traditional::Traditional;
use crate::core::experiment::{Experiment, Scenario, Seek, Until, Watch};
use crate::core::params::{Notice, ParamSpec, Params};
use crate::core::picture::{Bar, Mark, Picture, Rgba};

pub const BACKGROUND: Rgba = [16, 20, 26, 255];
const SWAPPED: Rgba = [242, 142, 43, 255];
const FROZEN: Rgba = [190, 190, 190, 255];
/// The followed cell's bar, and the caps on the bars it compares itself with.
pub const FOLLOWED: Rgba = [255, 255, 255, 255];
pub const LOOKS_AT: Rgba = [0, 214, 232, 255];
/// Marks under the bars: an insertion cell that may act; a selection cell's ideal position.
pub const MAY_ACT: Rgba = [236, 160, 220, 255];
pub const IDEAL: Rgba = [150, 230, 120, 255];
/// The traditional run drawn below the cells.
pub const TRADITIONAL: Rgba = [176, 168, 120, 255];
/// Swaps in the activation trail (newest brightest).
pub const TRAIL_LENGTH: usize = 12;

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
    /// The followed cell's identity (its initial position), `follow`.
    follow: Option<u32>,
    /// `marks`: ideals, may-act and the trail drawn on the array.
    marks: bool,
}

impl SortingRun {
    pub fn session(&self) -> &SortingSession {
        &self.session
    }

    /// The followed cell (`follow`), if any.
    pub fn followed(&self) -> Option<u32> {
        self.follow
    }

    /// The live view parameters (`follow`, `compare`, `marks`): none of them changes the run.
    fn apply_view(&mut self, params: &mut Params, notices: &mut Vec<Notice>) {
        let n = self.session.array().len();
        let follow = params.int("follow");
        self.follow = (0..n as i64).contains(&follow).then_some(follow as u32);
        if follow >= n as i64 {
            notices.push(Notice::new(
                "follow",
                format!("Follow cell: there is no cell {follow} among the {n}; following none."),
            ));
            params.set_text(super::schema(), "follow", "-1");
        }
        self.marks = params.flag("marks");
        let first = Algotype::ALL.into_iter().find(|a| params.int(a.id()) > 0).unwrap_or(Algotype::Bubble);
        self.session.set_compare((params.choice("compare") == "traditional").then(|| Traditional::of(first)));
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
        let mut run = Self { session, follow: None, marks: true };
        run.apply_view(params, notices);
        Ok(run)
    }

    fn apply_live(&mut self, params: &mut Params, _key: &str, notices: &mut Vec<Notice>) {
        self.apply_view(params, notices);
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
    /// turn, follow, compare}`; `turn` is `[position, activations in its burst]` of the cell
    /// holding the turn under a burst scheduler, else null; `follow` what the followed cell sees
    /// now (`eye::Sight`) or null; `compare` the traditional run's counts or null.
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
            "follow": self.follow.and_then(|id| a.position_of(id)).and_then(|p| super::eye::sight(a, p)),
            "compare": self.session.compare_report(),
        })
    }

    /// Also `dg` (delayed gratification so far, O(swaps)), `aggregation_peak`,
    /// `same_mover_share` (swaps whose starting cell started the swap before) and `swap_ratio`
    /// (the cells' swaps over the whole traditional run's, with `compare`).
    fn measure(&self, key: &str) -> Option<f64> {
        match key {
            "dg" => self.session.delayed_gratification(),
            "aggregation_peak" => Some(self.aggregation_peak()),
            "same_mover_share" => Some(self.session.same_mover_share()),
            "swap_ratio" => {
                self.session.compare_report().map(|c| self.session.position() as f64 / c.total_swaps.max(1) as f64)
            }
            _ => crate::core::experiment::readout_number(&self.readout(), key),
        }
    }

    /// Up to one cell per pixel column, each cell is a bar from 0 to its value. With more cells
    /// than columns (large n), each column draws the range min…max of the cells it covers: a
    /// sorted stretch is a thin diagonal band, a disordered one a tall band, and every cell is
    /// represented (a bar per cell would overdraw all but the last cell of each column).
    ///
    /// The cell's-eye view adds: the followed cell's bar in white and cyan caps on the bars it
    /// compares itself with; with `marks` (one column per cell), a strip under the bars with
    /// each insertion cell that may act and each selection cell's ideal position, and a strip
    /// above them with the trail of the last swaps' starting cells; with `compare`, the
    /// traditional run in the lower half, the cells in the upper.
    fn picture(&self, width: u32, out: &mut Picture) {
        let session = &self.session;
        let array = session.array();
        let cells = array.cells();
        let n = cells.len();
        let slots = n.min(width.max(1) as usize).max(1);
        let top = cells.iter().map(|c| c.value).max().map_or(1.0, |m| f64::from(m) + 1.0);
        let compare = session.compare_values();
        let marks = self.marks && n <= slots;
        // The cells' band of the height, and strips for marks at its bottom and top.
        let band: (f32, f32) = if compare.is_some() { (0.52, 1.0) } else { (0.0, 1.0) };
        let strip = if marks { 0.06 * (band.1 - band.0) } else { 0.0 };
        let (lo, hi) = (band.0 + strip, band.1 - strip);
        let level = |v: u32, lo: f32, hi: f32| lo + (hi - lo) * ((f64::from(v) + 1.0) / top) as f32;
        // The cells slot s covers, and the slot of position p.
        let covers = |s: usize| (s * n / slots, ((s + 1) * n / slots).max(s * n / slots + 1) - 1);
        let slot_of = |p: usize| (p * slots / n) as u32;
        // The bar of one slot between heights lo and hi: from 0 to its value when it covers one
        // value, else the range of its values.
        let column = |values: &mut dyn Iterator<Item = u32>, single: bool, (lo, hi): (f32, f32), rgba: Rgba| {
            let (low, high) = value_range(values);
            let bottom = if single { lo } else { level(low, lo, hi) - (hi - lo) / top as f32 };
            Bar { bottom, top: level(high, lo, hi), rgba }
        };
        let swapped = array.last_swap();
        let followed = self.follow.and_then(|id| array.position_of(id));
        let bars = out.start_bars(BACKGROUND);
        for s in 0..slots {
            let (first, last) = covers(s);
            let group = &cells[first..=last];
            let within = |p: Option<usize>| p.is_some_and(|p| (first..=last).contains(&p));
            let rgba = if within(followed) {
                FOLLOWED
            } else if within(swapped.map(|s| s.0)) || within(swapped.map(|s| s.1)) {
                SWAPPED
            } else if group.iter().any(|c| c.frozen) {
                FROZEN
            } else {
                // The most common Algotype of the column.
                let count = |a: Algotype| group.iter().filter(|c| c.algotype == a).count();
                let major = Algotype::ALL.into_iter().max_by_key(|a| count(*a)).unwrap_or(Algotype::Bubble);
                algotype_colour(major)
            };
            bars.push(column(&mut group.iter().map(|c| c.value), first == last, (lo, hi), rgba));
        }
        let marks_out = &mut out.marks;
        if let Some(p) = followed {
            if let Some(sight) = super::eye::sight(array, p) {
                let cap = (0.04 * (hi - lo)).max(0.01);
                for q in sight.looks_at {
                    let v = cells[q].value;
                    let y = level(v, lo, hi);
                    marks_out.push(Mark { slot: slot_of(q), bar: Bar { bottom: y - cap, top: y, rgba: LOOKS_AT } });
                }
            }
        }
        if marks {
            let under = (band.0, band.0 + 0.8 * strip);
            for (p, c) in cells.iter().enumerate() {
                match c.algotype {
                    Algotype::Insertion if array.may_act(p) => marks_out
                        .push(Mark { slot: p as u32, bar: Bar { bottom: under.0, top: under.1, rgba: MAY_ACT } }),
                    Algotype::Selection if !c.frozen && (c.ideal as usize) < n => {
                        marks_out.push(Mark { slot: c.ideal, bar: Bar { bottom: under.0, top: under.1, rgba: IDEAL } })
                    }
                    _ => {}
                }
            }
            let over = (band.1 - 0.8 * strip, band.1);
            // Oldest first, so the newest is drawn on top where they meet.
            for (age, p) in session.trail(TRAIL_LENGTH).enumerate().rev() {
                let rgba = fade(SWAPPED, age as f32 / TRAIL_LENGTH as f32);
                marks_out.push(Mark { slot: p as u32, bar: Bar { bottom: over.0, top: over.1, rgba } });
            }
        }
        if let Some(values) = compare {
            for s in 0..slots {
                let (first, last) = covers(s);
                let bar = column(&mut values[first..=last].iter().copied(), first == last, (0.0, 0.46), TRADITIONAL);
                marks_out.push(Mark { slot: s as u32, bar });
            }
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

/// The lowest and highest of some values ((0, 0) for none).
fn value_range(values: impl Iterator<Item = u32>) -> (u32, u32) {
    values
        .fold(None, |r: Option<(u32, u32)>, v| Some(r.map_or((v, v), |(a, b)| (a.min(v), b.max(v)))))
        .unwrap_or((0, 0))
}

/// `rgba` faded toward the background by `amount` (0: none, 1: the background).
fn fade(rgba: Rgba, amount: f32) -> Rgba {
    let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * amount.clamp(0.0, 1.0)).round() as u8;
    [mix(rgba[0], BACKGROUND[0]), mix(rgba[1], BACKGROUND[1]), mix(rgba[2], BACKGROUND[2]), 255]
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
            0.29 on average (0.26 to 0.33 from seed to seed). Switch Scheduler to uniform (one random cell per activation) and run again: it rises \
            to about 0.38. The paper's 0.24 depends on how its machine scheduled threads.",
        query: "seed=7&n=100&scheduler=threads&speed=600",
        watch: Watch { key: "dg", label: "delayed gratification", min: 0.2, max: 0.34, until: Until::Done },
    },
    Scenario {
        id: "one-cell-keeps-the-turn",
        title: "One cell keeps the turn",
        narrative: "The orange marks above the bars show where the last twelve swaps' movers went, newest brightest. \
            Under the threads scheduler (an emulation of the official code's Python threads) a cell that has \
            just swapped usually acts again, so the marks run in streaks: one cell travelling several places \
            in a row. Counted over the run, about four swaps in ten are started by the cell that started the \
            one before (the official code gave 0.55 on one machine). Switch Scheduler to uniform and the \
            marks scatter: about one swap in a hundred.",
        query: "seed=12&n=100&scheduler=threads&speed=60",
        watch: Watch {
            key: "same_mover_share",
            label: "swaps by the same cell as the swap before",
            min: 0.3,
            max: 0.46,
            until: Until::Done,
        },
    },
    Scenario {
        id: "follow-a-selection-cell",
        title: "Through a selection cell's eyes",
        narrative: "The white bar is one selection cell; the cyan cap marks the cell at its ideal position, the \
            one it compares itself with, and the green ticks under the bars are every selection cell's ideal. \
            Step through and read what it sees: when the occupant is larger it jumps there; when not, it \
            gives up on that place and looks one further. Below the cells, traditional selection sort works \
            on the same values: it needs fewer than n swaps, the cells about ten times as many (Fig. 4A), \
            because each cell only knows its own ideal.",
        query: "seed=13&n=100&bubble=0&selection=100&follow=5&compare=traditional&speed=40",
        watch: Watch {
            key: "swap_ratio",
            label: "cells' swaps per traditional swap",
            min: 7.0,
            max: 14.0,
            until: Until::Done,
        },
    },
    Scenario {
        id: "insertion-waits",
        title: "Insertion cells wait their turn",
        narrative: "An insertion cell may act only when every cell to its left is in order; the purple marks \
            under the bars show the cells that may act now, a few at the left where the sorted stretch grows. \
            Follow the white cell: it waits until the disorder to its left is gone, then slides left into \
            place. Below, traditional insertion sort on the same values makes exactly as many swaps: one per \
            inversion, in another order.",
        query: "seed=14&n=40&bubble=0&insertion=100&follow=30&compare=traditional&speed=40",
        watch: Watch {
            key: "swap_ratio",
            label: "cells' swaps per traditional swap",
            min: 1.0,
            max: 1.0,
            until: Until::Done,
        },
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
