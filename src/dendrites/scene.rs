//! The bit-level picture: one segment (or a union segment, or a neuron's K segments) and the
//! patterns it is tested against, sample by sample, as colours for the renderer's grid; and the
//! hands-on views: a pattern and a segment painted by hand (`paint`), two SDRs with their AND
//! and OR (`pair`), and an input that is the union of M patterns, coloured by source
//! (`members`).
//!
//! Draws follow the official simulator's structure (`sdr_calculations2.cpp`; docs/dendrites.md,
//! "How the official code simulates"): a segment is s random cells (false match) or s of the a
//! cells of a learned pattern (noise); noise keeps a − v of the pattern's cells and adds v cells
//! that were inactive. Every draw comes from [`Rng`]: stream 0 of the seed builds the segments,
//! stream 1 + i is test sample i, so sample i looks the same however the user got there.
//!
//! The picture shows a window of the cells (`zoom`, `at`): cells `start .. start + len`, at
//! most [`super::MAX_DRAWN_CELLS`] of them; [`Scene::cell_of`] maps a picture cell back to the
//! population's cell, for hovering and painting.

use super::DendriteParams;
use crate::core::rng::Rng;
use serde::Serialize;

/// What the bit view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ViewMode {
    Match,
    Noise,
    Union,
    Neuron,
    /// A pattern x and a segment, either painted by hand (E3 for the painted sizes).
    Paint,
    /// Two SDRs x and y with their AND and OR (overlap; E3 with s = |x|).
    Pair,
    /// An input that is the union of M patterns, each bit coloured by its source, tested by a
    /// random segment (E7).
    Members,
}

impl ViewMode {
    pub fn from_id(id: &str) -> Self {
        match id {
            "noise" => ViewMode::Noise,
            "union" => ViewMode::Union,
            "neuron" => ViewMode::Neuron,
            "paint" => ViewMode::Paint,
            "pair" => ViewMode::Pair,
            "members" => ViewMode::Members,
            _ => ViewMode::Match,
        }
    }
}

/// Cell colours (also the page's legend, `www/experiments/dendrites.js`).
pub mod colour {
    pub const BACKGROUND: [u8; 4] = [16, 20, 26, 255];
    pub const IDLE: [u8; 4] = [44, 50, 60, 255];
    pub const ACTIVE: [u8; 4] = [170, 175, 185, 255];
    pub const SYNAPSE: [u8; 4] = [70, 120, 215, 255];
    pub const OVERLAP: [u8; 4] = [250, 160, 40, 255];
    pub const REMOVED: [u8; 4] = [120, 40, 40, 255];
    pub const LOST_INPUT: [u8; 4] = [235, 60, 60, 255];
    pub const ADDED: [u8; 4] = [90, 200, 100, 255];
    /// `pair`: a cell of x only, of y only (x ∧ y cells are [`OVERLAP`]).
    pub const X_ONLY: [u8; 4] = [70, 120, 215, 255];
    pub const Y_ONLY: [u8; 4] = [90, 200, 100, 255];
    /// `members`: a test synapse on a cell outside the union.
    pub const MISS: [u8; 4] = [235, 235, 240, 255];
}

/// Distinct hues for the patterns of a union or the segments of a neuron.
pub const HUES: [[u8; 4]; 8] = [
    [70, 120, 215, 255],
    [160, 100, 210, 255],
    [60, 175, 175, 255],
    [215, 100, 160, 255],
    [120, 150, 60, 255],
    [110, 110, 230, 255],
    [40, 140, 110, 255],
    [190, 130, 90, 255],
];

/// Most synapse cells the neuron view builds (K·s), so a huge K cannot freeze a frame.
const MAX_NEURON_SYNAPSES: u64 = 2_000_000;

/// Sets painted by hand (`None`: the view draws that set at random, as usual).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Painted {
    /// The pattern x (`paint`, `pair`).
    pub x: Option<Vec<u32>>,
    /// The second pattern y (`pair`).
    pub y: Option<Vec<u32>>,
    /// The segment's synapses (`paint`).
    pub segment: Option<Vec<u32>>,
}

/// Which set a painted cell belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PaintTarget {
    X,
    Y,
    Segment,
}

/// Which panel of the picture a cell is drawn in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Panel {
    /// The single grid of every view but `pair`.
    Cells,
    X,
    Y,
    And,
    Or,
}

impl Panel {
    fn title(self) -> &'static str {
        match self {
            Panel::Cells => "",
            Panel::X => "x",
            Panel::Y => "y",
            Panel::And => "x AND y",
            Panel::Or => "x OR y",
        }
    }
}

/// Numbers shown beside the bit view.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SceneInfo {
    /// Test samples drawn so far (the current one included).
    pub samples: u64,
    /// Samples whose segment reached θ (false matches, or for noise: true matches kept).
    pub hits: u64,
    /// Overlap of the current sample with the (best) segment (`pair`: |x ∧ y|; `members`: the
    /// test segment's synapses on the union).
    pub overlap: u64,
    pub theta: u64,
    pub matched: bool,
    /// Distinct synapse cells (s, the union size, K·s at most; `paint`: the painted segment;
    /// `pair`: |x|; `members`: the test segment's s).
    pub synapses: u64,
    /// Active cells of the current pattern (`paint`: |x|; `pair`: |y|; `members`: s).
    pub pattern_size: u64,
    /// `pair`: |x ∨ y|; `members`: the cells of the input union; else 0.
    pub union_cells: u64,
    /// Segments drawn in the neuron view (may be fewer than K; see `note`).
    pub segments: u64,
    /// Cells drawn (the window's length).
    pub drawn: u64,
    /// The window's first cell.
    pub window_start: u64,
    /// The current sample is the same every step (painted by hand): the tally is not random.
    pub fixed: bool,
    pub note: String,
}

/// One branch of the neuron view (a segment), for the page's neuron drawing.
#[derive(Clone, Debug, Serialize)]
pub struct Branch {
    /// Segment index (0-based).
    pub segment: u64,
    pub synapses: u64,
    /// Synapses on active cells for the current sample.
    pub overlap: u64,
    /// overlap ≥ θ.
    pub fired: bool,
}

/// A uniform k-subset of 0..n by Floyd's algorithm, marked in `member` (cleared by the caller).
fn floyd(rng: &mut Rng, n: u64, k: u64, member: &mut [bool], out: &mut Vec<u32>) {
    out.clear();
    for j in (n - k)..n {
        let t = rng.below(j + 1) as usize;
        let pick = if member[t] { j as usize } else { t };
        member[pick] = true;
        out.push(pick as u32);
    }
}

/// Segments and the current sample of one view.
pub struct Scene {
    pub mode: ViewMode,
    pub params: DendriteParams,
    seed: u64,
    /// For each cell: which segment/pattern owns a synapse there (0 = none, i + 1 = segment i;
    /// `pair`: 1 on the cells of x; `members`: 1 + the first pattern whose cells cover it).
    synapse_of: Vec<u32>,
    /// `members`: how many of the M patterns cover each cell (saturating).
    covered: Vec<u8>,
    /// Cells of each segment (one entry per segment; a union segment is one entry; `pair`: x).
    segments: Vec<Vec<u32>>,
    /// The learned pattern (noise view).
    learned: Vec<u32>,
    /// The current test pattern (`pair`: y; `members`: the test segment).
    current: Vec<u32>,
    active: Vec<bool>,
    painted: Painted,
    info: SceneInfo,
}

impl Scene {
    pub fn new(mode: ViewMode, params: DendriteParams, seed: u64) -> Self {
        Self::with_painted(mode, params, seed, Painted::default())
    }

    /// A scene whose `paint`/`pair` sets are the painted ones where given (ignored by the other
    /// views). Painted cells must be below n (see [`super::cells::unpack_cells`]).
    pub fn with_painted(mode: ViewMode, params: DendriteParams, seed: u64, painted: Painted) -> Self {
        let n = params.n as usize;
        let (window_start, drawn) = window(&params);
        let mut scene = Self {
            mode,
            params,
            seed,
            synapse_of: vec![0; n],
            covered: Vec::new(),
            segments: Vec::new(),
            learned: Vec::new(),
            current: Vec::new(),
            active: vec![false; n],
            painted,
            info: SceneInfo { theta: params.theta, drawn, window_start, ..Default::default() },
        };
        scene.build_segments();
        scene
    }

    fn build_segments(&mut self) {
        let p = self.params;
        let mut rng = Rng::for_stream(self.seed, 0);
        let mut member = vec![false; p.n as usize];
        let mut cells = Vec::new();
        match self.mode {
            ViewMode::Match => {
                floyd(&mut rng, p.n, p.s, &mut member, &mut cells);
                self.segments.push(cells);
            }
            ViewMode::Paint | ViewMode::Pair => {
                // The painted set, or until one is painted the random one drawn as the match
                // view draws its segment (paint: the segment of s cells; pair: x of a cells).
                let (painted, size) =
                    if self.mode == ViewMode::Paint { (&self.painted.segment, p.s) } else { (&self.painted.x, p.a) };
                let set = match painted {
                    Some(cells) => cells.clone(),
                    None => {
                        floyd(&mut rng, p.n, size, &mut member, &mut cells);
                        cells
                    }
                };
                self.segments.push(set);
            }
            ViewMode::Members => {
                // The input: the union of M patterns of a cells (E7); each cell remembers the
                // first pattern that covers it and how many do.
                self.covered = vec![0; p.n as usize];
                for pattern in 0..p.m {
                    floyd(&mut rng, p.n, p.a, &mut member, &mut cells);
                    for &c in &cells {
                        member[c as usize] = false;
                        let c = c as usize;
                        if self.covered[c] == 0 {
                            self.synapse_of[c] = (pattern % HUES.len() as u64) as u32 + 1;
                        }
                        self.covered[c] = self.covered[c].saturating_add(1);
                    }
                }
                self.info.union_cells = self.covered.iter().filter(|&&c| c > 0).count() as u64;
            }
            ViewMode::Noise => {
                // A learned pattern of a cells, and a segment on s of them (s ≤ a here).
                floyd(&mut rng, p.n, p.a, &mut member, &mut cells);
                self.learned = cells.clone();
                let s = p.s.min(p.a);
                if s < p.s {
                    self.info.note = format!("the noise view puts the segment on s = {s} of the a = {} cells", p.a);
                }
                let mut pick = vec![false; p.a as usize];
                let mut idx = Vec::new();
                floyd(&mut rng, p.a, s, &mut pick, &mut idx);
                self.segments.push(idx.iter().map(|&i| cells[i as usize]).collect());
            }
            ViewMode::Union => {
                // M patterns; the segment learns s of each (E6): the union of M s-subsets.
                let mut union = Vec::new();
                let mut in_union = vec![false; p.n as usize];
                for pattern in 0..p.m {
                    floyd(&mut rng, p.n, p.s, &mut member, &mut cells);
                    for &c in &cells {
                        member[c as usize] = false;
                        if !in_union[c as usize] {
                            in_union[c as usize] = true;
                            union.push(c);
                            self.synapse_of[c as usize] = (pattern % HUES.len() as u64) as u32 + 1;
                        }
                    }
                }
                self.segments.push(union);
            }
            ViewMode::Neuron => {
                let most = (MAX_NEURON_SYNAPSES / p.s.max(1)).max(1);
                let k = p.k.min(most);
                if k < p.k {
                    self.info.note =
                        format!("the view builds {k} of the K = {} segments (at most 2·10⁶ synapses)", p.k);
                }
                for _ in 0..k {
                    floyd(&mut rng, p.n, p.s, &mut member, &mut cells);
                    for &c in &cells {
                        member[c as usize] = false;
                    }
                    self.segments.push(cells.clone());
                }
            }
        }
        if !matches!(self.mode, ViewMode::Union | ViewMode::Members) {
            for (i, seg) in self.segments.iter().enumerate() {
                for &c in seg {
                    self.synapse_of[c as usize] = (i % HUES.len()) as u32 + 1;
                }
            }
        }
        self.info.segments = self.segments.len() as u64;
        self.info.synapses = match self.mode {
            ViewMode::Neuron => self.synapse_of.iter().filter(|&&s| s > 0).count() as u64,
            ViewMode::Members => p.s,
            _ => self.segments.first().map_or(0, |s| s.len() as u64),
        };
        self.info.fixed = match self.mode {
            ViewMode::Paint => self.painted.x.is_some(),
            ViewMode::Pair => self.painted.y.is_some(),
            _ => false,
        };
    }

    /// Draw test sample `index` (0-based) and make it current.
    fn draw_sample(&mut self, index: u64) {
        let p = self.params;
        let mut rng = Rng::for_stream(self.seed, 1 + index);
        for &c in &self.current {
            self.active[c as usize] = false;
        }
        let random = |rng: &mut Rng, k: u64| {
            let mut member = vec![false; p.n as usize];
            let mut out = Vec::new();
            floyd(rng, p.n, k, &mut member, &mut out);
            out
        };
        self.current = match self.mode {
            ViewMode::Noise => {
                // Keep a − v of the learned cells, add v of the n − a inactive ones.
                let mut keep = vec![false; p.a as usize];
                let mut kept = Vec::new();
                floyd(&mut rng, p.a, p.a - p.v, &mut keep, &mut kept);
                let mut out: Vec<u32> = kept.iter().map(|&i| self.learned[i as usize]).collect();
                let mut learned = vec![false; p.n as usize];
                for &c in &self.learned {
                    learned[c as usize] = true;
                }
                // v distinct inactive cells: Floyd over the n − a inactive positions.
                let inactive: Vec<u32> = (0..p.n as u32).filter(|&c| !learned[c as usize]).collect();
                let mut pick = vec![false; inactive.len()];
                let mut idx = Vec::new();
                floyd(&mut rng, inactive.len() as u64, p.v, &mut pick, &mut idx);
                out.extend(idx.iter().map(|&i| inactive[i as usize]));
                out
            }
            ViewMode::Paint => self.painted.x.clone().unwrap_or_else(|| random(&mut rng, p.a)),
            ViewMode::Pair => self.painted.y.clone().unwrap_or_else(|| random(&mut rng, p.a)),
            // The test: a segment of s random synapses against the input union.
            ViewMode::Members => random(&mut rng, p.s),
            ViewMode::Match | ViewMode::Union | ViewMode::Neuron => random(&mut rng, p.a),
        };
        for &c in &self.current {
            self.active[c as usize] = true;
        }
        let overlap = if self.mode == ViewMode::Members {
            self.current.iter().filter(|&&c| self.covered[c as usize] > 0).count() as u64
        } else {
            let overlap_of = |seg: &Vec<u32>| seg.iter().filter(|&&c| self.active[c as usize]).count() as u64;
            self.segments.iter().map(overlap_of).max().unwrap_or(0)
        };
        self.info.overlap = overlap;
        self.info.matched = overlap >= p.theta;
        self.info.pattern_size = self.current.len() as u64;
        if self.mode == ViewMode::Pair {
            self.info.union_cells = self.info.synapses + self.info.pattern_size - overlap;
        }
    }

    /// Advance to `samples` samples drawn (counting hits on the way); going back restarts
    /// the tally from the first sample.
    pub fn seek(&mut self, samples: u64) {
        let samples = samples.max(1);
        if samples < self.info.samples {
            self.info.samples = 0;
            self.info.hits = 0;
        }
        while self.info.samples < samples {
            self.draw_sample(self.info.samples);
            self.info.samples += 1;
            self.info.hits += u64::from(self.info.matched);
        }
    }

    pub fn info(&self) -> &SceneInfo {
        &self.info
    }

    /// About how many memory operations one sample costs (`draw_sample`): a membership vector
    /// over the n cells, the drawn pattern, and the overlap with every segment's synapses. The
    /// lab sizes its chunks of samples by it, so that the page can answer between them.
    pub fn sample_cost(&self) -> u64 {
        let p = self.params;
        let synapses: u64 = self.segments.iter().map(|s| s.len() as u64).sum();
        p.n.saturating_add(p.a.max(p.s)).saturating_add(synapses).max(1)
    }

    /// The cells of the set a painted cell would change, as drawn now (sorted): x or y (the
    /// current sample where it is not painted), or the segment.
    pub fn set_of(&self, target: PaintTarget) -> Vec<u32> {
        let mut cells = match (self.mode, target) {
            (ViewMode::Paint, PaintTarget::X) | (ViewMode::Pair, PaintTarget::Y) => self.current.clone(),
            (ViewMode::Paint, PaintTarget::Segment) | (ViewMode::Pair, PaintTarget::X) => {
                self.segments.first().cloned().unwrap_or_default()
            }
            _ => Vec::new(),
        };
        cells.sort_unstable();
        cells
    }

    /// The meter: overlap against θ on a scale of s (match, noise, paint, members), |x| (pair)
    /// or 2θ (unions, neurons).
    pub fn meter(&self) -> (f32, f32, bool) {
        let scale = match self.mode {
            ViewMode::Match | ViewMode::Noise | ViewMode::Paint | ViewMode::Pair => {
                self.segments.first().map_or(1, |s| s.len() as u64)
            }
            ViewMode::Members => self.params.s,
            ViewMode::Union | ViewMode::Neuron => (2 * self.params.theta).max(self.info.overlap).max(1),
        }
        .max(1)
        .max(self.params.theta) as f32;
        (self.info.overlap as f32 / scale, self.params.theta as f32 / scale, self.info.matched)
    }

    /// The picture's columns: `pair` lays four panels out in a 2×2 composite (x, y / AND, OR)
    /// with a blank column and row between them; the other views let the renderer choose.
    pub fn columns(&self) -> Option<u32> {
        (self.mode == ViewMode::Pair).then(|| (2 * panel_shape(self.info.drawn).0 + 1) as u32)
    }

    /// The panel and population cell drawn at picture cell `index` (`None` for a gap or past
    /// the window).
    pub fn cell_of(&self, index: u64) -> Option<(Panel, u32)> {
        let (start, len) = (self.info.window_start, self.info.drawn);
        if self.mode != ViewMode::Pair {
            return (index < len).then(|| (Panel::Cells, (start + index) as u32));
        }
        let (pc, pr) = panel_shape(len);
        let columns = 2 * pc + 1;
        let (row, col) = (index / columns, index % columns);
        if row > 2 * pr || col == pc || row == pr {
            return None;
        }
        let panel = match (row > pr, col > pc) {
            (false, false) => Panel::X,
            (false, true) => Panel::Y,
            (true, false) => Panel::And,
            (true, true) => Panel::Or,
        };
        let (r, c) = (if row > pr { row - pr - 1 } else { row }, if col > pc { col - pc - 1 } else { col });
        let i = r * pc + c;
        (i < len).then(|| (panel, (start + i) as u32))
    }

    /// The window after zooming in (×2) or out (÷2) around picture cell `index`, as (zoom, first
    /// cell): the cell under the pointer keeps its place in the window's reading order, as near as
    /// whole cells allow. `None` off the cells or at either end of the zoom range.
    pub fn zoom_around(&self, index: u64, zoom_in: bool) -> Option<(u64, u64)> {
        let (_, cell) = self.cell_of(index)?;
        let old = self.params.zoom.max(1);
        let zoom = if zoom_in { old * 2 } else { old / 2 }.clamp(1, super::MAX_ZOOM);
        if zoom == old {
            return None;
        }
        let (_, len) = window(&DendriteParams { zoom, ..self.params });
        let (start, drawn) = (self.info.window_start as f64, self.info.drawn.max(1) as f64);
        let cell = f64::from(cell);
        let at = (cell - (cell - start) * len as f64 / drawn).round().max(0.0);
        Some((zoom, at as u64))
    }

    /// One line about picture cell `index` for the hover read-out: its cell index and role.
    pub fn describe(&self, index: u64) -> Option<String> {
        let (panel, cell) = self.cell_of(index)?;
        let c = cell as usize;
        let active = self.active[c];
        let synapse = self.synapse_of[c];
        let mut roles: Vec<String> = Vec::new();
        match self.mode {
            ViewMode::Match | ViewMode::Paint => {
                if synapse > 0 {
                    roles.push("synapse of the segment".into());
                }
                if active {
                    roles.push("active in the pattern x".into());
                }
            }
            ViewMode::Noise => {
                let learned = self.learned.contains(&cell);
                match (learned, active) {
                    (true, true) => roles.push("learned and still active".into()),
                    (true, false) => roles.push("learned, removed by the noise".into()),
                    (false, true) => roles.push("added by the noise".into()),
                    (false, false) => {}
                }
                if synapse > 0 {
                    roles.push("synapse of the segment".into());
                }
            }
            ViewMode::Union => {
                if synapse > 0 {
                    roles.push(format!("synapse learned from pattern {} (colours repeat every 8)", synapse));
                }
                if active {
                    roles.push("active in the test pattern".into());
                }
            }
            ViewMode::Neuron => {
                let owners: Vec<String> = self
                    .segments
                    .iter()
                    .enumerate()
                    .filter(|(_, seg)| seg.contains(&cell))
                    .take(4)
                    .map(|(i, _)| (i + 1).to_string())
                    .collect();
                if !owners.is_empty() {
                    roles.push(format!("synapse of segment {}", owners.join(", ")));
                }
                if active {
                    roles.push("active in the test pattern".into());
                }
            }
            ViewMode::Pair => {
                let (in_x, in_y) = (synapse > 0, active);
                roles.push(
                    match (in_x, in_y) {
                        (true, true) => "in x and in y",
                        (true, false) => "in x only",
                        (false, true) => "in y only",
                        (false, false) => "in neither",
                    }
                    .into(),
                );
            }
            ViewMode::Members => {
                let covered = self.covered.get(c).copied().unwrap_or(0);
                if covered > 0 {
                    let more = if covered > 1 { format!(" and {} more", covered - 1) } else { String::new() };
                    roles.push(format!("in the input union: from pattern {synapse}{more}"));
                } else {
                    roles.push("not in the input union".into());
                }
                if active {
                    roles.push("a synapse of the test segment".into());
                }
            }
        }
        if roles.is_empty() {
            roles.push("inactive".into());
        }
        let panel = if panel == Panel::Cells { String::new() } else { format!("{} panel · ", panel.title()) };
        Some(format!("{panel}cell {cell}: {}", roles.join(", ")))
    }

    /// The neuron view's branches: every segment that fired and then the first others, `most`
    /// in all, in segment order.
    pub fn branches(&self, most: usize) -> Vec<Branch> {
        let theta = self.params.theta;
        let all = self.segments.iter().enumerate().map(|(i, seg)| {
            let overlap = seg.iter().filter(|&&c| self.active[c as usize]).count() as u64;
            Branch { segment: i as u64, synapses: seg.len() as u64, overlap, fired: overlap >= theta }
        });
        let mut fired: Vec<Branch> = all.clone().filter(|b| b.fired).take(most).collect();
        let room = most - fired.len();
        fired.extend(all.filter(|b| !b.fired).take(room));
        fired.sort_by_key(|b| b.segment);
        fired
    }

    /// One colour per picture cell (the window's cells; `pair`: the 2×2 composite).
    pub fn fill_colours(&self, out: &mut Vec<[u8; 4]>) {
        out.clear();
        if self.mode == ViewMode::Pair {
            let (pc, pr) = panel_shape(self.info.drawn);
            let total = ((2 * pc + 1) * (2 * pr + 1)) as usize;
            out.resize(total, colour::BACKGROUND);
            for (i, colour) in out.iter_mut().enumerate() {
                if let Some((panel, cell)) = self.cell_of(i as u64) {
                    let (in_x, in_y) = (self.synapse_of[cell as usize] > 0, self.active[cell as usize]);
                    *colour = match (panel, in_x, in_y) {
                        (Panel::X, true, _) => colour::X_ONLY,
                        (Panel::Y, _, true) => colour::Y_ONLY,
                        (Panel::And, true, true) | (Panel::Or, true, true) => colour::OVERLAP,
                        (Panel::Or, true, false) => colour::X_ONLY,
                        (Panel::Or, false, true) => colour::Y_ONLY,
                        _ => colour::IDLE,
                    };
                }
            }
            return;
        }
        let (start, drawn) = (self.info.window_start as usize, self.info.drawn as usize);
        out.resize(drawn, colour::IDLE);
        let learned: Vec<bool> = if self.mode == ViewMode::Noise {
            let mut l = vec![false; self.params.n as usize];
            for &c in &self.learned {
                l[c as usize] = true;
            }
            l
        } else {
            Vec::new()
        };
        for (i, colour) in out.iter_mut().enumerate() {
            let cell = start + i;
            let active = self.active[cell];
            let synapse = self.synapse_of[cell];
            if self.mode == ViewMode::Members {
                let covered = self.covered[cell] > 0;
                *colour = match (covered, active) {
                    (true, true) => colour::OVERLAP,
                    (false, true) => colour::MISS,
                    (true, false) => HUES[(synapse as usize - 1) % HUES.len()],
                    (false, false) => colour::IDLE,
                };
                continue;
            }
            let was = learned.get(cell).copied().unwrap_or(false);
            *colour = match (synapse > 0, active) {
                (true, true) => colour::OVERLAP,
                (true, false) if was => colour::LOST_INPUT,
                (true, false) if self.mode == ViewMode::Union || self.mode == ViewMode::Neuron => {
                    HUES[(synapse as usize - 1) % HUES.len()]
                }
                (true, false) => colour::SYNAPSE,
                (false, true) if self.mode == ViewMode::Noise && !was => colour::ADDED,
                (false, true) => colour::ACTIVE,
                (false, false) if was => colour::REMOVED,
                (false, false) => colour::IDLE,
            };
        }
    }
}

/// The window of cells a picture shows, `(start, len)`: n/zoom cells (at most
/// [`super::MAX_DRAWN_CELLS`]) from `at`, moved left so it ends inside the population.
pub fn window(p: &DendriteParams) -> (u64, u64) {
    let len = p.n.div_ceil(p.zoom.max(1)).clamp(1, super::MAX_DRAWN_CELLS).min(p.n);
    (p.at.min(p.n - len), len)
}

/// Columns and rows of one `pair` panel holding `len` cells (the squarest grid).
fn panel_shape(len: u64) -> (u64, u64) {
    let columns = ((len as f64).sqrt().ceil() as u64).max(1);
    (columns, len.div_ceil(columns).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> DendriteParams {
        DendriteParams { n: 500, a: 40, s: 20, theta: 10, v: 12, m: 3, k: 4, ..DendriteParams::default() }
    }

    #[test]
    fn samples_have_the_right_sizes_and_the_overlap_is_counted() {
        for mode in [ViewMode::Match, ViewMode::Noise, ViewMode::Union, ViewMode::Neuron] {
            let mut scene = Scene::new(mode, params(), 7);
            scene.seek(5);
            assert_eq!(scene.current.len(), 40, "{mode:?}");
            let mut distinct = scene.current.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), 40);
            let mut colours = Vec::new();
            scene.fill_colours(&mut colours);
            let lit = colours.iter().filter(|&&c| c == colour::OVERLAP).count() as u64;
            if mode != ViewMode::Neuron {
                assert_eq!(lit, scene.info().overlap, "{mode:?}");
            }
        }
    }

    #[test]
    fn noise_keeps_a_minus_v_learned_cells() {
        let mut scene = Scene::new(ViewMode::Noise, params(), 3);
        scene.seek(1);
        let kept = scene.current.iter().filter(|c| scene.learned.contains(c)).count();
        assert_eq!(kept, 40 - 12);
        let mut colours = Vec::new();
        scene.fill_colours(&mut colours);
        let added = colours.iter().filter(|&&c| c == colour::ADDED).count();
        let added_on_segment = scene.current.iter().filter(|&&c| !scene.learned.contains(&c)).count();
        assert_eq!(added, added_on_segment, "added cells never land on the segment");
    }

    #[test]
    fn seeking_back_and_forth_gives_the_same_sample() {
        let mut a = Scene::new(ViewMode::Match, params(), 11);
        a.seek(9);
        let (cur, hits) = (a.current.clone(), a.info().hits);
        a.seek(3);
        a.seek(9);
        assert_eq!(a.current, cur);
        assert_eq!(a.info().hits, hits);
    }
}
