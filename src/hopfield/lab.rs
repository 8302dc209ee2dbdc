//! The Hopfield experiment in the lab: [`HopfieldRun`] implements the lab's
//! `Experiment` trait (`crate::core::experiment`) over a [`HopfieldSession`]: one
//! step is a sweep, a synchronous update or a modern update; the picture is the query, the
//! current state and the target pattern side by side.

use super::session::HopfieldSession;
use super::{config_from_params, HopfieldConfig, UpdateMode};
use crate::core::experiment::{Experiment, Scenario, Seek, Until, Watch};
use crate::core::params::{Notice, ParamSpec, Params};
use crate::core::picture::{Picture, Rgba};

/// Cells between two pictures of a composite.
pub const GAP: usize = 2;
/// Most stored patterns the thumbnails show.
pub const MAX_THUMBNAILS: usize = 48;
pub const BACKGROUND: Rgba = crate::dendrites::scene::colour::BACKGROUND;
/// +1 is ink, −1 paper (the blog draws +1 black on white); 0 (a masked cell) is mid grey.
const INK: [f32; 3] = [24.0, 28.0, 38.0];
const PAPER: [f32; 3] = [236.0, 232.0, 220.0];
/// Most steps a URL may ask to replay (`step=`), so a typed-in number cannot freeze the tab.
pub const MAX_REPLAY: u64 = 2_000;

/// One value as a colour; `scale` maps the picture's values into −1..1.
fn shade(v: f32, scale: f32) -> Rgba {
    let t = ((v * scale).clamp(-1.0, 1.0) + 1.0) / 2.0; // 0: paper, 1: ink
    let c = |i: usize| (PAPER[i] + (INK[i] - PAPER[i]) * t).round() as u8;
    [c(0), c(1), c(2), 255]
}

/// 1/max|v| when a picture leaves −1..1 (continuous patterns), else 1.
fn scale_of(v: &[f32]) -> f32 {
    let m = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if m > 1.0 && m.is_finite() {
        1.0 / m
    } else {
        1.0
    }
}

/// Pictures of `width`×`height` cells side by side, `per_row` to a row, as cells (one colour
/// each, reading order) into `out`. Returns the number of columns.
pub fn composite_into(pictures: &[&[f32]], width: usize, height: usize, per_row: usize, out: &mut Vec<Rgba>) -> u32 {
    let per_row = per_row.max(1).min(pictures.len().max(1));
    let rows = pictures.len().div_ceil(per_row).max(1);
    let columns = per_row * width + (per_row - 1) * GAP;
    let lines = rows * height + (rows - 1) * GAP;
    out.clear();
    out.resize(columns * lines, BACKGROUND);
    for (k, picture) in pictures.iter().enumerate() {
        let (x0, y0) = ((k % per_row) * (width + GAP), (k / per_row) * (height + GAP));
        let scale = scale_of(picture);
        for y in 0..height {
            for x in 0..width {
                let Some(&v) = picture.get(y * width + x) else { continue };
                out[(y0 + y) * columns + x0 + x] = shade(v, scale);
            }
        }
    }
    columns as u32
}

/// [`composite_into`] as RGBA bytes (4 per cell) and the number of columns.
pub fn composite(pictures: &[&[f32]], width: usize, height: usize, per_row: usize) -> (Vec<u8>, u32) {
    let mut cells = Vec::new();
    let columns = composite_into(pictures, width, height, per_row, &mut cells);
    (cells.into_iter().flatten().collect(), columns)
}

/// One interactive Hopfield run.
pub struct HopfieldRun {
    config: HopfieldConfig,
    session: HopfieldSession,
}

impl HopfieldRun {
    pub fn config(&self) -> &HopfieldConfig {
        &self.config
    }

    pub fn session(&self) -> &HopfieldSession {
        &self.session
    }

    /// The session, for the experiment's own operations (a step computed on the GPU, one
    /// neuron, …); through `LabCore::with_run`, so the lab's target follows.
    pub fn session_mut(&mut self) -> &mut HopfieldSession {
        &mut self.session
    }

    /// The stage: query | current state | target pattern, as cells; returns the columns.
    pub fn stage_into(&self, out: &mut Vec<Rgba>) -> u32 {
        let s = &self.session;
        let target = s.patterns().row(s.target().min(s.patterns().count().saturating_sub(1)));
        composite_into(&[s.query(), s.state(), target], s.width(), s.height(), 3, out)
    }

    pub fn stage_columns(&self) -> u32 {
        (3 * self.session.width() + 2 * GAP) as u32
    }
}

impl Experiment for HopfieldRun {
    const ID: &'static str = "hopfield";
    const TITLE: &'static str = "Hopfield networks";
    const STEP_UNIT: &'static str = "step";
    const MAX_STEP: u64 = MAX_REPLAY;
    /// Steps between clock checks.
    const CHUNK: u64 = 1;
    const EXTRA_CONTROLS: &'static [&'static str] = &["neuron", "run"];

    fn schema() -> &'static [ParamSpec] {
        super::schema()
    }

    fn scenarios() -> &'static [Scenario] {
        SCENARIOS
    }

    /// A configuration whose session cannot be built falls back to the built-in pictures (with
    /// a notice); an error only if even those fail.
    fn build(params: &mut Params, seed: u64, notices: &mut Vec<Notice>) -> Result<Self, String> {
        let (config, repairs) = config_from_params(params);
        notices.extend(repairs);
        let session = match HopfieldSession::new(&config, seed) {
            Ok(session) => session,
            Err(e) => {
                notices.push(Notice::new("patterns", format!("{e}; showing the built-in pictures instead.")));
                HopfieldSession::new(&HopfieldConfig::default(), seed)?
            }
        };
        Ok(Self { config, session })
    }

    fn position(&self) -> u64 {
        self.session.steps() as u64
    }

    /// Forward by stepping; back by replaying from the query (the session is deterministic).
    fn seek(&mut self, target: u64, budget: u64) -> Seek {
        if target < self.position() {
            self.session.reset();
        }
        let mut spent = 0;
        while self.position() < target {
            if self.done() {
                return Seek::Finished;
            }
            if spent >= budget.max(1) {
                return Seek::InProgress;
            }
            // The modern energy of each new state is booked by the next step's update;
            // `settle` books the last one when no step follows at once.
            self.session.step_pipelined();
            spent += 1;
        }
        Seek::Reached
    }

    fn settle(&mut self) {
        self.session.book_energy();
    }

    /// Converged (a step changed nothing), or a synchronous run caught in a 2-cycle.
    fn done(&self) -> bool {
        self.session.converged() || (self.config.update == UpdateMode::Sync && self.session.two_cycle())
    }

    /// `{steps, converged, two_cycle, model, width, height, count, target, energy, energy_step,
    /// bounds, names, overlap_target, max_weight, effective_beta, flipped_bits, wrong_bits}`:
    /// `energy` is that of step `energy_step`, one before `steps` while a modern run plays
    /// (the next update books the newest state's energy; `settle` books it when play stops);
    /// `effective_beta` is the modern update's β in the paper's formula (null for the binary
    /// models), `flipped_bits` the components whose sign retrieval changed from the query's,
    /// `wrong_bits` those whose sign still differs from the target's.
    fn readout(&self) -> serde_json::Value {
        let s = &self.session;
        let (flipped, wrong) = s.sign_differences();
        serde_json::json!({
            "steps": s.steps(),
            "converged": s.converged(),
            "two_cycle": s.two_cycle(),
            "model": self.config.model.id(),
            "width": s.width(),
            "height": s.height(),
            "count": s.patterns().count(),
            "target": s.target(),
            "energy": s.energies().last().copied().map(crate::dendrites::logmath::finite_or_null),
            "energy_step": s.energies().len().saturating_sub(1),
            "bounds": s.energy_bounds().map(|(lo, hi)| [lo, hi]),
            "names": s.patterns().names.iter().take(MAX_THUMBNAILS).collect::<Vec<_>>(),
            "overlap_target": s.overlap(s.target()),
            "max_weight": s.weights().and_then(|w| w.iter().copied().reduce(f32::max)),
            "effective_beta": s.effective_beta(),
            "flipped_bits": flipped,
            "wrong_bits": wrong,
        })
    }

    fn picture(&self, _width: u32, out: &mut Picture) {
        let columns = self.stage_columns();
        let cells = out.start_grid(BACKGROUND, Some(columns), None);
        self.stage_into(cells);
    }

    fn export(&self) -> serde_json::Value {
        let s = &self.session;
        serde_json::json!({
            "readout": self.readout(),
            "query": s.query(),
            "state": s.state(),
            "energies": s.energies(),
            "overlaps": s.overlaps(),
        })
    }

    fn csv(&self) -> String {
        let mut out = String::from("step,energy\n");
        for (i, e) in self.session.energies().iter().enumerate() {
            out.push_str(&format!("{i},{e}\n"));
        }
        out
    }
}

/// The scenarios, from the classical network to the modern one. Each promise is checked for the
/// scenario's own seed natively and in the browser, and over many seeds in `tests/scenarios.rs`.
static SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "classical-retrieval",
        title: "A memory completes itself",
        narrative: "Four faces are stored in the classical network's weights (Hopfield 1982). The query is one of \
            them with its lower half masked. Step through the sweeps: each neuron takes the sign of its field, \
            the energy only falls, and the full face comes back (overlap 1 with the target).",
        query: "seed=1&model=classical&patterns=builtin&count=4&corrupt=half&speed=4",
        watch: Watch {
            key: "overlap_target",
            label: "overlap with the target",
            min: 0.999,
            max: 1.0,
            until: Until::Done,
        },
    },
    Scenario {
        id: "classical-capacity",
        title: "Too many memories",
        narrative: "The classical network stores about 0.14·d random patterns (Amit, Gutfreund & Sompolinsky); \
            here 60 patterns on d = 256 neurons, a load of 0.23. Start from a stored pattern with 10 % of its \
            cells flipped: the state drifts away to a mixture instead of returning, so the overlap with the \
            target ends below 1.",
        query: "seed=2&model=classical&patterns=random&count=60&side=16&corrupt=flip&amount=0.1&speed=4",
        watch: Watch {
            key: "overlap_target",
            label: "overlap with the target",
            min: -1.0,
            max: 0.98,
            until: Until::Done,
        },
    },
    Scenario {
        id: "spurious-states",
        title: "Spurious states",
        narrative: "Correlated patterns (a shared base with 10 % of its cells flipped in each) are hard for the \
            classical network: it settles in a minimum that is none of the stored patterns, a blend of them. \
            The energy still falls at every sweep; it is the landscape that is wrong.",
        query: "seed=3&model=classical&patterns=correlated&count=12&side=16&flip=0.1&corrupt=flip&amount=0.2&speed=4",
        watch: Watch {
            key: "overlap_target",
            label: "overlap with the target",
            min: -1.0,
            max: 0.98,
            until: Until::Done,
        },
    },
    Scenario {
        id: "inverted-memory",
        title: "The inverted memory",
        narrative: "The classical energy E(σ) = −½σᵀWσ does not change when every cell flips, so a memory's \
            negative is as deep a minimum as the memory itself (the blog's experiment 6 lands on one). Flip 70 % \
            of the query's cells: it is now nearer the face's negative than the face, and the network completes \
            it to the negative, overlap −1 with the target. With fewer than half flipped it returns the face.",
        query: "seed=11&model=classical&patterns=builtin&count=4&corrupt=flip&amount=0.7&speed=4",
        watch: Watch {
            key: "overlap_target",
            label: "overlap with the target",
            min: -1.0,
            max: -0.999,
            until: Until::Done,
        },
    },
    Scenario {
        id: "stored-three-times",
        title: "A memory stored three times",
        narrative: "Hebbian storage adds each stored pattern's ξξᵀ to the weights, so a face stored three times \
            weighs three times as much (the blog's experiment 12 stores one face twice). Pattern 0, the sleepy \
            face, is queried with its lower half masked; the surprised face, which shares 89 % of its cells with \
            it, is stored three times (patterns 1, 4 and 5). The network slides into the surprised face: the \
            overlap plot ends at 1 for the three copies and 0.89 for the target. Stored once each, the same \
            four faces give the sleepy face back exactly.",
        query: concat!(
            "seed=12&model=classical&patterns=drawn&count=6&corrupt=half&speed=4&drawn=",
            "PPAGAAAAAAfgD_AYGDAMMAxv9mGGYYZhhjPMM8wYGA_wB-AAAAAAB-AP8BgYMAw-fG_2b_ZhhmGGM8wzzBmYD_AH4AAAAAAH4A_wGBgwDDAMZvZhhmGGYYY__DfsGBgP8AfgAAAAAAfgD_AYGD_8P_xv9m_2YYZhhj_8N-wYGA_wB-AAAAAAB-AP8BgYMAw-fG_2b_ZhhmGGM8wzzBmYD_AH4AAAAAAH4A_wGBgwDD58b_Zv9mGGYYYzzDPMGZgP8Afg"
        ),
        watch: Watch {
            key: "overlap_target",
            label: "overlap with the target",
            min: 0.8,
            max: 0.95,
            until: Until::Done,
        },
    },
    Scenario {
        id: "correlation-not-capacity",
        title: "Correlation, not capacity",
        narrative: "Six patterns on 1,024 neurons is a load of 0.006, twenty times below the classical capacity \
            0.138 (Amit, Gutfreund & Sompolinsky). But these six share a common base (each differs from it in \
            20 % of its cells), and from a query with 10 % of its cells flipped the network settles far from the \
            target, at an overlap near 0.7: their crosstalk, not their number, breaks retrieval, the blog's \
            conclusion for its Simpsons faces. Choose random patterns, the same load, and retrieval is exact.",
        query: "seed=13&model=classical&patterns=correlated&count=6&side=32&flip=0.2&corrupt=flip&amount=0.1&speed=4",
        watch: Watch {
            key: "overlap_target",
            label: "overlap with the target",
            min: -1.0,
            max: 0.9,
            until: Until::Done,
        },
    },
    Scenario {
        id: "dense-stores-more",
        title: "Dense memories store more",
        narrative: "The same overload as \"Too many memories\" (60 random patterns on 256 neurons, 10 % of the \
            query flipped), in Krotov and Hopfield's dense network with F(x) = x³: the sharper energy \
            separates the memories, and the target comes back exactly.",
        query: "seed=2&model=dense&order=3&patterns=random&count=60&side=16&corrupt=flip&amount=0.1&speed=4",
        watch: Watch {
            key: "overlap_target",
            label: "overlap with the target",
            min: 0.999,
            max: 1.0,
            until: Until::Done,
        },
    },
    Scenario {
        id: "modern-one-step",
        title: "Modern retrieval in one step",
        narrative: "The modern network (Ramsauer et al. 2020, eq. 3) replaces the sweeps by one update, \
            ξ ← X softmax(β Xᵀξ). With 10 similar faces and 10 % of the query's cells flipped, a single step \
            puts almost all of the softmax weight on the right face and retrieves it. (Mask half of the \
            query instead and it picks a wrong but similar face: the faces are strongly correlated.)",
        query: "seed=4&model=modern&patterns=builtin&count=10&corrupt=flip&amount=0.1&beta=8&speed=2",
        watch: Watch {
            key: "overlap_target",
            label: "overlap with the target",
            min: 0.99,
            max: 1.0,
            until: Until::Steps { steps: 1 },
        },
    },
    Scenario {
        id: "beta-averaging",
        title: "Small β averages",
        narrative: "The same network at a small inverse temperature, β = 0.002: the softmax spreads its weight \
            over all the faces and the update returns their average, a metastable state, not a memory \
            (Ramsauer et al., Section 2). Raise β and watch the weight concentrate; the β film strip below \
            shows the whole range at once.",
        query: "seed=4&model=modern&patterns=builtin&count=10&corrupt=half&beta=0.002&speed=2",
        watch: Watch {
            key: "max_weight",
            label: "largest softmax weight",
            min: 0.0,
            max: 0.5,
            until: Until::Steps { steps: 1 },
        },
    },
    Scenario {
        id: "metastable-states",
        title: "Metastable states",
        narrative: "Twelve patterns that share most of their cells (a common base with 10 % of it flipped in each), \
            at β = 0.04: the modern network settles, but on no single memory: its softmax weight stays spread \
            over the similar patterns (the largest below 0.35), a metastable state that averages them \
            (Ramsauer et al., Section 2). Raise β and it falls into one pattern; the pitchfork below shows \
            where the two closest patterns split, at β_c = 4/‖a − b‖².",
        query: "seed=7&model=modern&patterns=correlated&count=12&side=16&flip=0.1&corrupt=none&beta=0.04&speed=4",
        watch: Watch { key: "max_weight", label: "largest softmax weight", min: 0.05, max: 0.35, until: Until::Done },
    },
];
