//! The bit-level picture: one segment (or a union segment, or a neuron's K segments) and the
//! patterns it is tested against, sample by sample, as colours for the renderer's grid.
//!
//! Draws follow the official simulator's structure (`sdr_calculations2.cpp`; docs/dendrites.md,
//! "How the official code simulates"): a segment is s random cells (false match) or s of the a
//! cells of a learned pattern (noise); noise keeps a − v of the pattern's cells and adds v cells
//! that were inactive. Every draw comes from [`Rng`]: stream 0 of the seed builds the segments,
//! stream 1 + i is test sample i, so sample i looks the same however the user got there.

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
}

impl ViewMode {
    pub fn from_id(id: &str) -> Self {
        match id {
            "noise" => ViewMode::Noise,
            "union" => ViewMode::Union,
            "neuron" => ViewMode::Neuron,
            _ => ViewMode::Match,
        }
    }
}

/// Cell colours (also the page's legend, `www/dendrites.js`).
pub mod colour {
    pub const BACKGROUND: [u8; 4] = [16, 20, 26, 255];
    pub const IDLE: [u8; 4] = [44, 50, 60, 255];
    pub const ACTIVE: [u8; 4] = [170, 175, 185, 255];
    pub const SYNAPSE: [u8; 4] = [70, 120, 215, 255];
    pub const OVERLAP: [u8; 4] = [250, 160, 40, 255];
    pub const REMOVED: [u8; 4] = [120, 40, 40, 255];
    pub const LOST_INPUT: [u8; 4] = [235, 60, 60, 255];
    pub const ADDED: [u8; 4] = [90, 200, 100, 255];
}

/// Distinct hues for the patterns of a union or the segments of a neuron.
const HUES: [[u8; 4]; 8] = [
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

/// Numbers shown beside the bit view.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SceneInfo {
    /// Test samples drawn so far (the current one included).
    pub samples: u64,
    /// Samples whose segment reached θ (false matches, or for noise: true matches kept).
    pub hits: u64,
    /// Overlap of the current sample with the (best) segment.
    pub overlap: u64,
    pub theta: u64,
    pub matched: bool,
    /// Distinct synapse cells (s, the union size, or K·s at most).
    pub synapses: u64,
    /// Segments drawn in the neuron view (may be fewer than K; see `note`).
    pub segments: u64,
    /// Cells drawn (n, or the first 262,144).
    pub drawn: u64,
    pub note: String,
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
    /// For each cell: which segment/pattern owns a synapse there (0 = none, i + 1 = segment i).
    synapse_of: Vec<u32>,
    /// Cells of each segment (one entry per segment; a union segment is one entry).
    segments: Vec<Vec<u32>>,
    /// The learned pattern (noise view).
    learned: Vec<u32>,
    /// The current test pattern.
    current: Vec<u32>,
    active: Vec<bool>,
    info: SceneInfo,
}

impl Scene {
    pub fn new(mode: ViewMode, params: DendriteParams, seed: u64) -> Self {
        let n = params.n as usize;
        let mut scene = Self {
            mode,
            params,
            seed,
            synapse_of: vec![0; n],
            segments: Vec::new(),
            learned: Vec::new(),
            current: Vec::new(),
            active: vec![false; n],
            info: SceneInfo { theta: params.theta, drawn: params.n.min(super::MAX_DRAWN_CELLS), ..Default::default() },
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
        if self.mode != ViewMode::Union {
            for (i, seg) in self.segments.iter().enumerate() {
                for &c in seg {
                    self.synapse_of[c as usize] = (i % HUES.len()) as u32 + 1;
                }
            }
        }
        self.info.segments = self.segments.len() as u64;
        self.info.synapses = match self.mode {
            ViewMode::Neuron => self.synapse_of.iter().filter(|&&s| s > 0).count() as u64,
            _ => self.segments.first().map_or(0, |s| s.len() as u64),
        };
    }

    /// Draw test sample `index` (0-based) and make it current.
    fn draw_sample(&mut self, index: u64) {
        let p = self.params;
        let mut rng = Rng::for_stream(self.seed, 1 + index);
        for &c in &self.current {
            self.active[c as usize] = false;
        }
        match self.mode {
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
                self.current = out;
            }
            _ => {
                let mut member = vec![false; p.n as usize];
                let mut out = Vec::new();
                floyd(&mut rng, p.n, p.a, &mut member, &mut out);
                self.current = out;
            }
        }
        for &c in &self.current {
            self.active[c as usize] = true;
        }
        let overlap_of = |seg: &Vec<u32>| seg.iter().filter(|&&c| self.active[c as usize]).count() as u64;
        let overlap = self.segments.iter().map(overlap_of).max().unwrap_or(0);
        self.info.overlap = overlap;
        self.info.matched = overlap >= p.theta;
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

    /// The meter: overlap against θ on a scale of s (match, noise) or of 2θ (unions, neurons).
    pub fn meter(&self) -> (f32, f32, bool) {
        let scale = match self.mode {
            ViewMode::Match | ViewMode::Noise => self.segments.first().map_or(1, |s| s.len() as u64),
            ViewMode::Union | ViewMode::Neuron => (2 * self.params.theta).max(self.info.overlap).max(1),
        }
        .max(1) as f32;
        (self.info.overlap as f32 / scale, self.params.theta as f32 / scale, self.info.matched)
    }

    /// One colour per drawn cell.
    pub fn fill_colours(&self, out: &mut Vec<[u8; 4]>) {
        let drawn = self.info.drawn as usize;
        out.clear();
        out.resize(drawn, colour::IDLE);
        let learned: Vec<bool> = if self.mode == ViewMode::Noise {
            let mut l = vec![false; drawn];
            for &c in &self.learned {
                if (c as usize) < drawn {
                    l[c as usize] = true;
                }
            }
            l
        } else {
            Vec::new()
        };
        for (i, colour) in out.iter_mut().enumerate() {
            let active = self.active[i];
            let synapse = self.synapse_of[i];
            let was = learned.get(i).copied().unwrap_or(false);
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
