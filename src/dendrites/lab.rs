//! The dendrites experiment in the lab: [`DendritesRun`] implements the lab's
//! `Experiment` trait (`crate::core::experiment`) over the bit-level [`Scene`]: one
//! step is one test sample drawn against the segment(s); the tally of hits is what the theory
//! (E3–E7) predicts.

use super::cells::{pack_cells, toggled, unpack_cells};
use super::logmath::{finite_or_null, Prob};
use super::scene::{colour, Branch, PaintTarget, Painted, Panel, Scene, ViewMode};
use super::theory::UnionMethod;
use super::{figures, params_from, theory, DendriteParams};
use crate::core::experiment::{Experiment, Scenario, Seek, Until, Watch};
use crate::core::params::{Notice, ParamSpec, ParamValue, Params};
use crate::core::picture::{Meter, Picture};

/// Most test samples a URL may ask for (a typed-in step cannot freeze a frame).
pub const MAX_SAMPLES: u64 = 1_000_000;

/// The most memory operations one chunk of samples may cost ([`Scene::sample_cost`]).
const SAMPLE_WORK: u64 = 2_000_000;

/// The bit view of one set of parameters, sample by sample.
pub struct DendritesRun {
    params: DendriteParams,
    scene: Scene,
    seed: u64,
    /// What a click paints in the `paint` view.
    brush: PaintTarget,
    /// [`Self::hit_probability`] and [`Self::tally_probability`], computed once per build: they
    /// depend on the parameters and on what the scene drew (a union's size, the painted sizes),
    /// not on the sample, and the read-out asks for them every frame (an exact union
    /// distribution can take tens of milliseconds).
    hit: Option<Prob>,
    tally: Option<Prob>,
}

impl DendritesRun {
    pub fn params(&self) -> &DendriteParams {
        &self.params
    }

    pub fn scene(&self) -> &Scene {
        &self.scene
    }

    /// Apply the cross-parameter rules (a ≤ n, θ ≤ s, …) and write the repaired values back, so
    /// the URL always shows what is drawn.
    fn repair(params: &mut Params, notices: &mut Vec<Notice>) -> DendriteParams {
        let (repaired, repairs) = params_from(params);
        let schema = super::schema();
        for (key, value) in [("a", repaired.a), ("s", repaired.s), ("theta", repaired.theta), ("v", repaired.v)] {
            if params.get(key) != Some(&ParamValue::Int(value as i64)) {
                params.set_text(schema, key, &value.to_string());
            }
        }
        notices.extend(repairs);
        repaired
    }

    /// The painted sets of the URL (`px`, `py`, `ps`); an unreadable one is ignored with a
    /// notice, and cells beyond n are dropped with a notice.
    fn painted(params: &Params, n: u64, notices: &mut Vec<Notice>) -> Painted {
        let mut read = |key: &str, what: &str| -> Option<Vec<u32>> {
            let text = params.packed(key);
            if text.is_empty() {
                return None;
            }
            match unpack_cells(text, n) {
                Ok((cells, dropped)) => {
                    if dropped > 0 {
                        notices.push(Notice::new(
                            key,
                            format!("{what}: {dropped} painted cells are beyond n = {n} and are left out."),
                        ));
                    }
                    Some(cells)
                }
                Err(e) => {
                    notices.push(Notice::new(key, format!("{what}: {e}; drawing it at random instead.")));
                    None
                }
            }
        };
        Painted { x: read("px", "painted x"), y: read("py", "painted y"), segment: read("ps", "painted segment") }
    }

    fn scene_for(params: &Params, repaired: DendriteParams, seed: u64, notices: &mut Vec<Notice>) -> Scene {
        let painted = Self::painted(params, repaired.n, notices);
        Scene::with_painted(ViewMode::from_id(params.choice("view")), repaired, seed, painted)
    }

    fn brush_of(params: &Params) -> PaintTarget {
        if params.choice("brush") == "x" {
            PaintTarget::X
        } else {
            PaintTarget::Segment
        }
    }

    /// The parameter a click on picture cell `index` changes and its new value: the painted
    /// set (`px`, `py` or `ps`) with that cell toggled, starting from the set as drawn now.
    /// `None` where nothing is paintable (other views, a gap, the AND and OR panels).
    pub fn paint(&self, index: u64) -> Option<(&'static str, String)> {
        let (panel, cell) = self.scene.cell_of(index)?;
        let target = match (self.scene.mode, panel) {
            (ViewMode::Paint, Panel::Cells) => self.brush,
            (ViewMode::Pair, Panel::X) => PaintTarget::X,
            (ViewMode::Pair, Panel::Y) => PaintTarget::Y,
            _ => return None,
        };
        let key = match target {
            PaintTarget::X => "px",
            PaintTarget::Y => "py",
            PaintTarget::Segment => "ps",
        };
        Some((key, pack_cells(&toggled(&self.scene.set_of(target), cell))))
    }

    /// Compute the probabilities the read-out shows for the scene just built (and seeked).
    fn refresh_probabilities(&mut self) {
        self.hit = self.compute_hit_probability();
        self.tally = self.compute_tally_probability();
    }

    /// The neuron view's branches (see [`Scene::branches`]).
    pub fn branches(&self, most: usize) -> Vec<Branch> {
        self.scene.branches(most)
    }

    /// The exact probability that one sample hits given what the view holds fixed between
    /// samples (the segment, the stored pattern, the union, the painted x): what the tally
    /// counts, so the tally is Binomial(samples, this). For one segment, noise and a painted
    /// set it is the paper's value (by symmetry it does not depend on which segment was drawn);
    /// for a union it is E3 at the drawn union's size U, which varies from seed to seed around
    /// E6 or E7 (their mean over U). `None` where no such closed form is at hand (the neuron's K
    /// fixed segments, whose overlaps E4 ignores) or when every sample is the same (painted x
    /// or y).
    pub fn tally_probability(&self) -> Option<Prob> {
        self.tally
    }

    fn compute_tally_probability(&self) -> Option<Prob> {
        let p = &self.params;
        let info = self.scene.info();
        if info.fixed {
            return None;
        }
        match self.scene.mode {
            ViewMode::Match | ViewMode::Noise => self.hit,
            ViewMode::Paint | ViewMode::Pair | ViewMode::Union => {
                theory::false_match(p.n, p.a, info.synapses, p.theta).ok()
            }
            ViewMode::Members => theory::false_match(p.n, info.union_cells, p.s, p.theta).ok(),
            ViewMode::Neuron => None,
        }
    }

    /// The exact probability of a hit per sample for the current view: E3 (match; paint and
    /// pair for the drawn sizes), 1 − E5 (noise: the match is kept), E6 (union), E4 (neuron),
    /// E7 (members: the exact mixture over the union's size where affordable).
    /// Where an exact union distribution is more than the page can afford, the union views use
    /// the official approximation, as the figures do ([`figures::affordable`]).
    pub fn hit_probability(&self) -> Option<Prob> {
        self.hit
    }

    fn compute_hit_probability(&self) -> Option<Prob> {
        let p = &self.params;
        let info = self.scene.info();
        let prob = match self.scene.mode {
            ViewMode::Match => theory::false_match(p.n, p.a, p.s, p.theta).ok()?,
            ViewMode::Paint | ViewMode::Pair => {
                theory::false_match(p.n, info.pattern_size, info.synapses, p.theta).ok()?
            }
            ViewMode::Members => match figures::affordable(UnionMethod::Exact, p.n, p.a, p.m) {
                UnionMethod::Exact => theory::union_input_exact(p.n, p.a, p.s, p.theta, p.m).ok()?,
                UnionMethod::Rounded => theory::union_input(p.n, p.a, p.s, p.theta, p.m).ok()?,
            },
            ViewMode::Noise => {
                let lost = theory::false_negative(p.a, p.s.min(p.a), p.theta, p.v).ok()?;
                Prob::from_ln_p(lost.ln_q)
            }
            ViewMode::Union => {
                let method = figures::affordable(p.union, p.n, p.s, p.m);
                theory::union_segment(p.n, p.a, p.s, p.theta, p.m, method).ok()?
            }
            ViewMode::Neuron => theory::set_match(p.n, p.a, p.s, p.theta, p.k).ok()?.exact,
        };
        Some(prob)
    }
}

impl Experiment for DendritesRun {
    const ID: &'static str = "dendrites";
    const TITLE: &'static str = "Active dendrites";
    const STEP_UNIT: &'static str = "sample";
    const FIRST_SHOWN: u64 = 1;
    const MAX_STEP: u64 = MAX_SAMPLES - 1;
    const CHUNK: u64 = 500;

    fn schema() -> &'static [ParamSpec] {
        super::schema()
    }

    fn scenarios() -> &'static [Scenario] {
        SCENARIOS
    }

    fn build(params: &mut Params, seed: u64, notices: &mut Vec<Notice>) -> Result<Self, String> {
        let repaired = Self::repair(params, notices);
        let mut scene = Self::scene_for(params, repaired, seed, notices);
        scene.seek(1);
        let mut run = Self { params: repaired, scene, seed, brush: Self::brush_of(params), hit: None, tally: None };
        run.refresh_probabilities();
        Ok(run)
    }

    /// Every dendrites parameter is live: the scene is rebuilt and keeps its sample count.
    fn apply_live(&mut self, params: &mut Params, _key: &str, notices: &mut Vec<Notice>) {
        self.params = Self::repair(params, notices);
        self.brush = Self::brush_of(params);
        let samples = self.scene.info().samples;
        self.scene = Self::scene_for(params, self.params, self.seed, notices);
        self.scene.seek(samples);
        self.refresh_probabilities();
    }

    /// Position k is test sample k + 1 (position 0 shows the first sample).
    fn position(&self) -> u64 {
        self.scene.info().samples.saturating_sub(1)
    }

    fn seek(&mut self, target: u64, budget: u64) -> Seek {
        let target = target.min(Self::MAX_STEP);
        if target < self.position() {
            // Going back restarts the tally from the first sample (each sample is its own stream).
            self.scene.seek(1);
        }
        // `budget` is in samples, but a sample's cost grows with n, a and the synapses (10 ms
        // natively at n = 10⁶, a = 5·10⁵ and 10⁵ segments): cap a chunk at about 2·10⁶ memory
        // operations, so that the page's time budget is checked between cheap enough chunks.
        let affordable = (SAMPLE_WORK / self.scene.sample_cost()).max(1);
        let want = (target + 1).min(self.scene.info().samples.saturating_add(budget.clamp(1, affordable)));
        self.scene.seek(want);
        if self.position() == target {
            Seek::Reached
        } else {
            Seek::InProgress
        }
    }

    fn done(&self) -> bool {
        self.position() >= Self::MAX_STEP
    }

    /// The bit view's numbers: `{samples, hits, overlap, theta, matched, synapses,
    /// pattern_size, union_cells, segments, drawn, window_start, fixed, note, hit_rate,
    /// expected, expected_log10, tally_p, tally_log10, expected_low, expected_high}`.
    /// `expected` is the paper's hit probability for the view (null where it underflows f64;
    /// `expected_log10` its log10, null for an exact 0); `tally_p` the exact probability given
    /// what the view holds fixed ([`Self::tally_probability`]); `expected_low`..`expected_high`
    /// the central 95 % range of the tally `hits` after `samples` samples at `tally_p`
    /// ([`theory::binomial_range`]); all three null where `tally_probability` is `None`.
    fn readout(&self) -> serde_json::Value {
        let info = self.scene.info();
        let mut v = serde_json::to_value(info).unwrap_or_default();
        v["hit_rate"] = serde_json::json!(info.hits as f64 / info.samples.max(1) as f64);
        let hit = self.hit;
        v["expected"] = hit.and_then(Prob::representable).map_or(serde_json::Value::Null, |p| serde_json::json!(p));
        v["expected_log10"] = hit.map_or(serde_json::Value::Null, |p| finite_or_null(p.log10()));
        let tally = self.tally;
        v["tally_p"] = tally.and_then(Prob::representable).map_or(serde_json::Value::Null, |p| serde_json::json!(p));
        v["tally_log10"] = tally.map_or(serde_json::Value::Null, |p| finite_or_null(p.log10()));
        let range = tally.map(|p| theory::binomial_range(info.samples, p));
        v["expected_low"] = range.map_or(serde_json::Value::Null, |r| serde_json::json!(r.0));
        v["expected_high"] = range.map_or(serde_json::Value::Null, |r| serde_json::json!(r.1));
        v
    }

    fn picture(&self, _width: u32, out: &mut Picture) {
        let (value, threshold, reached) = self.scene.meter();
        let columns = self.scene.columns();
        let cells = out.start_grid(colour::BACKGROUND, columns, Some(Meter { value, threshold, reached }));
        self.scene.fill_colours(cells);
    }

    fn export(&self) -> serde_json::Value {
        serde_json::json!({ "params": self.params, "bit_view": self.readout() })
    }
}

/// The scenarios a class can be run on. Ranges of simulated tallies are the exact probability
/// P ± 4 standard errors √(P(1−P)/N) of the N samples (checked against the theory in
/// `tests/scenarios.rs`).
static SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "why-sparse",
        title: "Why sparse",
        narrative: "A segment with 20 synapses fires when 10 of them see active cells. Test it against random \
            patterns with 40 of 2,048 cells active (2 %): play, and watch the tally of false matches stay at \
            zero. The theory (E3) puts the chance of one at about 4 × 10⁻¹³: sparsity makes chance matches \
            negligible (Ahmad & Hawkins 2016, Fig. 2).",
        query: "seed=1&view=match&fig=fn&n=2048&a=40&s=20&theta=10&speed=200",
        watch: Watch { key: "hits", label: "false matches", min: 0.0, max: 0.0, until: Until::Steps { steps: 1999 } },
    },
    Scenario {
        id: "dense-codes-collide",
        title: "Dense codes collide",
        narrative: "The same segment against dense patterns, half of the cells active: now random patterns \
            reach the threshold all the time, and a match says nothing about the input. Compare the tally \
            with the sparse scenario; the theory (E3) says about 59 % of random patterns match.",
        query: "seed=2&view=match&fig=fn&n=2048&a=1024&s=20&theta=10&speed=200",
        watch: Watch {
            key: "hit_rate",
            label: "share of false matches",
            min: 0.50,
            max: 0.68,
            until: Until::Steps { steps: 499 },
        },
    },
    Scenario {
        id: "more-synapses-than-theta",
        title: "More synapses than θ",
        narrative: "A segment learned a pattern with 24 synapses but needs only 12 to fire. Now half of the \
            pattern's 40 active cells are replaced by noise, and the segment still recognises it about 63 % \
            of the time (1 − E5, Fig. 3): it can lose up to s − θ = 12 inputs. Set θ = s = 24 and the same \
            noise defeats it almost every time.",
        query: "seed=3&view=noise&fig=noise&n=2048&a=40&s=24&theta=12&v=20&speed=200",
        watch: Watch {
            key: "hit_rate",
            label: "matches kept",
            min: 0.539,
            max: 0.713,
            until: Until::Steps { steps: 499 },
        },
    },
    Scenario {
        id: "few-synapses",
        title: "A few synapses are enough",
        narrative: "A segment does not need a synapse on every cell of the pattern it recognises. Here it has \
            12 synapses on a pattern of 40 active cells and fires at θ = 6. Replace a quarter of the pattern \
            (v = 10 cells) and it still recognises it about 99.7 % of the time (1 − E5). A random pattern \
            matches it with probability 3 × 10⁻⁸ (E3). Subsampling the pattern is enough (Ahmad & Hawkins \
            2016).",
        query: "seed=7&view=noise&fig=noise&n=2048&a=40&s=12&theta=6&v=10&speed=200",
        watch: Watch {
            key: "hit_rate",
            label: "matches kept",
            min: 0.9864,
            max: 1.0,
            until: Until::Steps { steps: 499 },
        },
    },
    Scenario {
        id: "threshold-trade-off",
        title: "The threshold trade-off",
        narrative: "Lower the threshold and the segment tolerates more noise, but random patterns match it more \
            often. Here θ = 4 of 20 synapses on patterns with 128 of 2,048 cells active: false matches become \
            visible (E3, about 3.2 %). Raise θ with the slider and watch both the tally and the noise \
            figure move (Fig. 4).",
        query: "seed=4&view=match&fig=theta&n=2048&a=128&s=20&theta=4&speed=200",
        watch: Watch {
            key: "hit_rate",
            label: "share of false matches",
            min: 0.0165,
            max: 0.048,
            until: Until::Steps { steps: 1999 },
        },
    },
    Scenario {
        id: "unions",
        title: "One segment, many patterns",
        narrative: "A segment can hold the synapses of several patterns at once (a union): here 5 patterns of 20 \
            synapses on one segment, θ = 10. It recognises each of them, and still almost never matches a \
            random pattern (E6: about 1 in 100,000 per pattern, so at most one in these 2,000): unions trade a \
            little specificity for a lot of memory (Fig. 6).",
        query: "seed=5&view=union&fig=u2&n=2048&a=40&s=20&theta=10&m=5&speed=200",
        watch: Watch { key: "hits", label: "false matches", min: 0.0, max: 1.0, until: Until::Steps { steps: 1999 } },
    },
    Scenario {
        id: "input-unions",
        title: "An input made of many patterns",
        narrative: "The input itself can be the union of several patterns (E7): here 20 patterns of 40 cells, \
            about 670 active cells, each coloured by the pattern it came from. A segment of 20 random \
            synapses with θ = 10 now finds 10 active cells about 8 % of the time: the union's limit. With \
            M = 10 patterns it is 0.1 %; at M = 30 it is 40 %. Hover a cell to see which patterns set it.",
        query: "seed=8&view=members&fig=uin&n=2048&a=40&s=20&theta=10&m=20&speed=200",
        watch: Watch {
            key: "hit_rate",
            label: "share of false matches",
            min: 0.0443,
            max: 0.1150,
            until: Until::Steps { steps: 1999 },
        },
    },
    Scenario {
        id: "theory-vs-simulation",
        title: "Theory against simulation",
        narrative: "A small population (n = 300, a = 64) makes false matches common enough to count: play, and \
            the running share of matches settles on the exact value of E3, about 11 %. Then open the figure's \
            \"Simulate these points\" to see theory and simulation agree down to probabilities of 10⁻²⁰ \
            (Fig. 5).",
        query: "seed=6&view=match&fig=sim&n=300&a=64&s=24&theta=8&speed=500",
        watch: Watch {
            key: "hit_rate",
            label: "share of false matches",
            min: 0.083,
            max: 0.139,
            until: Until::Steps { steps: 1999 },
        },
    },
];
