//! The interactive run the page drives: stored patterns, a query, and one model stepped a
//! component, a sweep or an update at a time, with its energy, overlaps, weights, the β film
//! strip and the two-pattern pitchfork.
//!
//! A session is a deterministic function of (config, seed, steps): the patterns come from
//! `Rng::for_stream(seed, 0)`, the query's corruption from stream 1 and the update order (and
//! Glauber noise) from stream 2, so [`HopfieldSession::reset`] and a replay of the same number
//! of steps give the same state.

use super::classical::{sign_of, sign_patterns, BinaryNet, Classical, Dynamics};
use super::dense::{DenseNet, Interaction};
use super::modern::{pitchfork_theory, Modern, Scaling, P_TOLERANCE};
use super::multitask::{glauber_sweep, initial_state};
use super::patterns::{distance, dot_f64, norm, unpack_set, PatternSet};
use super::queries::corrupt;
use super::{HopfieldConfig, ModelKind, PatternSource, UpdateMode};
use crate::core::rng::Rng;
use serde::Serialize;

/// Most steps one [`HopfieldSession::run`] call takes.
pub const MAX_RUN_STEPS: usize = 10_000;
/// Most β values one film strip or pitchfork computes.
pub const MAX_BETAS: usize = 64;
/// Updates per start in the pitchfork (stops earlier when p settles).
pub const PITCHFORK_STEPS: usize = 50;
/// The pitchfork's starting offset from the midpoint, t₀ = ±0.01.
pub const PITCHFORK_OFFSET: f64 = 0.01;
/// Up to this many patterns the pitchfork searches every pair; above, pairs with the target.
pub const PITCHFORK_ALL_PAIRS: usize = 128;

enum Engine {
    Classical(Classical),
    Dense(DenseNet),
    Multitask(Classical),
    Modern { model: Modern, p: Vec<f32>, prev_p: Option<Vec<f32>>, next: Vec<f32> },
}

/// One β of the pitchfork diagram.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PitchforkPoint {
    pub beta: f64,
    /// Fixed point t* reached from t₀ = +0.01 (ξ = (a+b)/2 + t(a−b)/2, projected).
    pub t_plus: f64,
    /// … and from t₀ = −0.01.
    pub t_minus: f64,
    /// The reduced two-pattern theory t* = tanh(β‖a−b‖² t*/4) (0 below β_c); NaN (null in
    /// JSON) when ‖a‖ ≠ ‖b‖, where it does not hold.
    pub theory: f64,
}

/// The pitchfork of the two most similar stored patterns (derived here: docs/hopfield.md, "What
/// the lab derived itself").
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pitchfork {
    pub a: usize,
    pub b: usize,
    /// ‖a − b‖².
    pub dist2: f64,
    /// β_c = 4/‖a − b‖², in the session's β units (×√d with the blog scaling); +∞ (null in
    /// JSON) when there are not two distinct patterns, NaN (null) when ‖a‖ ≠ ‖b‖.
    pub beta_c: f64,
    /// ‖a‖ = ‖b‖ (to 10⁻⁶ relative). The derivation of β_c needs it: with unequal norms the
    /// softmax weighs a and b unequally at their midpoint (exp(β‖a‖²/2) against exp(β‖b‖²/2)
    /// in the paper's energy), so the midpoint is not a fixed point and nothing splits there
    /// (grey and sparse patterns).
    pub equal_norms: bool,
    pub points: Vec<PitchforkPoint>,
}

/// See the module docs.
pub struct HopfieldSession {
    config: HopfieldConfig,
    seed: u64,
    patterns: PatternSet,
    query: Vec<f32>,
    state: Vec<f32>,
    engine: Engine,
    dynamics: Dynamics,
    rng: Rng,
    energies: Vec<f64>,
    steps: usize,
    converged: bool,
    sweep_flips: usize,
    /// ‖ξ^μ‖ of every stored pattern, for the overlaps (computed once).
    pattern_norms: Vec<f64>,
    /// Modern: the current state's energy is not booked yet (after [`Self::step_pipelined`]);
    /// the next update books it from the dot products it computes, or [`Self::book_energy`].
    energy_pending: bool,
    /// Modern: the dot products of the last update's starting state (scratch, N values).
    dots: Vec<f32>,
    /// Modern: the dot products the last booked energy came from, and that state's norm (the
    /// overlaps at that step, [`Self::booked_overlaps`]).
    booked_dots: Vec<f32>,
    booked_norm: f64,
}

fn build_patterns(config: &HopfieldConfig, seed: u64) -> Result<PatternSet, String> {
    let mut rng = Rng::for_stream(seed, 0);
    let (s, p) = (config.side, config.count);
    Ok(match config.patterns {
        PatternSource::Builtin => PatternSet::builtin(s, p),
        PatternSource::Random => PatternSet::random_pm1(s, s, p, &mut rng),
        PatternSource::Sparse => PatternSet::sparse(s, s, p, config.dilution, &mut rng),
        PatternSource::Correlated => PatternSet::correlated(s, s, p, config.flip, &mut rng),
        PatternSource::Sphere => PatternSet::sphere(s, s, p, s as f64, &mut rng),
        PatternSource::Drawn => {
            let set = unpack_set(&config.drawn)?;
            let k = p.min(set.count());
            let rows = (0..k).map(|i| set.row(i).to_vec()).collect();
            PatternSet::from_rows(set.width, set.height, rows, set.names[..k].to_vec())?
        }
    })
}

/// dot / (‖a‖‖b‖) given the product of the norms; 0 when a norm is 0.
fn cosine(dot: f64, norms: f64) -> f64 {
    if norms > 0.0 {
        dot / norms
    } else {
        0.0
    }
}

/// Dot products from elsewhere: N finite numbers.
fn check_dots(dots: &[f32], n: usize) -> Result<(), String> {
    if dots.len() != n || !dots.iter().all(|v| v.is_finite()) {
        return Err(format!("an update's dot products must be {n} finite numbers, not {} values", dots.len()));
    }
    Ok(())
}

/// The end of a modern update whose result is in `next` (the new state) and `p`: the state
/// moves to `next` (which keeps the old one), and the update has settled when
/// ‖p_t − p_{t−1}‖₂ ≤ [`P_TOLERANCE`] or the state did not change. Returns whether it settled.
fn finish_modern(state: &mut Vec<f32>, p: &[f32], prev_p: &mut Option<Vec<f32>>, next: &mut Vec<f32>) -> bool {
    std::mem::swap(state, next);
    let settled = prev_p.as_ref().is_some_and(|old| distance(old, p) <= P_TOLERANCE);
    let same = *state == *next;
    match prev_p {
        Some(old) if old.len() == p.len() => old.copy_from_slice(p),
        _ => *prev_p = Some(p.to_vec()),
    }
    settled || same
}

impl HopfieldSession {
    /// A session from validated parameters ([`super::config_from_params`]).
    pub fn new(config: &HopfieldConfig, seed: u64) -> Result<Self, String> {
        let patterns = build_patterns(config, seed)?;
        Self::with_patterns(config, patterns, seed)
    }

    /// A session on given patterns (an imported image set); `config.patterns` and `count`
    /// are ignored, the rest applies.
    pub fn with_patterns(config: &HopfieldConfig, patterns: PatternSet, seed: u64) -> Result<Self, String> {
        let (d, p) = (patterns.dim(), patterns.count());
        if p > config.model.max_count() {
            return Err(format!(
                "count: {p} patterns are more than the {} model's limit {}.",
                config.model.id(),
                config.model.max_count()
            ));
        }
        let engine = match config.model {
            ModelKind::Classical | ModelKind::Multitask => {
                let net = Classical::new(&sign_patterns(patterns.flat()), d, p, config.tie, None)?;
                if config.model == ModelKind::Classical {
                    Engine::Classical(net)
                } else {
                    Engine::Multitask(net)
                }
            }
            ModelKind::Dense => Engine::Dense(DenseNet::new(
                &sign_patterns(patterns.flat()),
                d,
                p,
                Interaction::Poly { n: config.order, rectified: config.rectified },
                config.tie,
            )?),
            ModelKind::Exp => {
                Engine::Dense(DenseNet::new(&sign_patterns(patterns.flat()), d, p, Interaction::Exp, config.tie)?)
            }
            ModelKind::Modern => Engine::Modern {
                model: Modern::from_patterns(&patterns, config.beta, config.scaling)?,
                p: vec![0.0; p],
                prev_p: None,
                next: vec![0.0; d],
            },
        };
        let target = config.target.min(p - 1);
        let mut qrng = Rng::for_stream(seed, 1);
        let raw = if config.model == ModelKind::Multitask {
            // The multitasking start (docs/hopfield.md): the target on its support, random elsewhere.
            initial_state(&sign_patterns(patterns.row(target)), &mut qrng).into_iter().map(f32::from).collect()
        } else {
            corrupt(
                patterns.row(target),
                patterns.width,
                patterns.height,
                &config.corruption(patterns.width, patterns.height),
                &mut qrng,
            )
        };
        let query =
            if config.model.is_binary() { sign_patterns(&raw).into_iter().map(f32::from).collect() } else { raw };
        let mut config = config.clone();
        config.target = target;
        let mut s = Self {
            config,
            seed,
            patterns,
            state: query.clone(),
            query,
            engine,
            dynamics: Dynamics::new(),
            rng: Rng::for_stream(seed, 2),
            energies: Vec::new(),
            steps: 0,
            converged: false,
            sweep_flips: 0,
            pattern_norms: Vec::new(),
            energy_pending: false,
            dots: Vec::new(),
            booked_dots: Vec::new(),
            booked_norm: 0.0,
        };
        s.pattern_norms = (0..s.patterns.count()).map(|i| norm(s.patterns.row(i))).collect();
        s.reset();
        Ok(s)
    }

    pub fn config(&self) -> &HopfieldConfig {
        &self.config
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Back to the query, step 0.
    pub fn reset(&mut self) {
        self.state = self.query.clone();
        self.dynamics.clear();
        self.rng = Rng::for_stream(self.seed, 2);
        self.steps = 0;
        self.converged = false;
        self.sweep_flips = 0;
        let q = sign_patterns(&self.query);
        match &mut self.engine {
            Engine::Classical(net) | Engine::Multitask(net) => net.set_state(&q),
            Engine::Dense(net) => net.set_state(&q),
            Engine::Modern { prev_p, .. } => *prev_p = None,
        }
        self.energies.clear();
        self.energy_pending = true;
        self.book_energy();
    }

    /// Books the current state's energy: binary models from their own sums; modern from the
    /// kernel's dot products X ξ (`Modern::energy_from_dots`), one pass over the stored patterns.
    fn book_energy_now(&mut self) {
        let energy = match &self.engine {
            Engine::Classical(net) | Engine::Multitask(net) => net.energy(),
            Engine::Dense(net) => net.energy(),
            Engine::Modern { model, .. } => {
                let dots = model.dots(&self.state);
                self.book_modern(dots);
                return;
            }
        };
        self.energies.push(energy);
        self.energy_pending = false;
    }

    /// Books the modern energy of the current state from its dot products with every stored
    /// pattern, and keeps them for [`Self::booked_overlaps`]. Returns the buffer of the
    /// dot products booked before, for reuse (a step allocates nothing).
    fn book_modern(&mut self, dots: Vec<f32>) -> Vec<f32> {
        if let Engine::Modern { model, .. } = &self.engine {
            self.energies.push(model.energy_from_dots(&dots, &self.state));
            self.booked_norm = norm(&self.state);
        }
        self.energy_pending = false;
        std::mem::replace(&mut self.booked_dots, dots)
    }

    /// Books the current state's energy if it is still pending (modern, after
    /// [`Self::step_pipelined`] or [`Self::step_with`]): one pass of the kernel's dot products
    /// over the stored patterns. Nothing to do otherwise.
    pub fn book_energy(&mut self) {
        if self.energy_pending {
            self.book_energy_now();
        }
    }

    /// [`Self::book_energy`] from the current state's dot products with every stored pattern,
    /// computed elsewhere (the page's worker pool: `kernels::ModernShard::dots`, concatenated;
    /// its bits are the session's own). Errors, changing nothing, when there is no pending
    /// energy, or `dots` are not N finite numbers.
    pub fn book_energy_from_dots(&mut self, dots: &[f32]) -> Result<(), String> {
        if !self.energy_pending {
            return Err("there is no pending energy to book".into());
        }
        check_dots(dots, self.patterns.count())?;
        self.book_modern(dots.to_vec());
        Ok(())
    }

    /// The overlaps at the step of the last booked energy (`energies().len() − 1`), for the
    /// page's plot: modern, the cosines from the dot products that energy was booked from (no
    /// pass over the stored patterns; f32 dot products, so within about d·2⁻²⁴ of
    /// [`Self::overlaps`]); the binary models, [`Self::overlaps`] (always booked at once).
    pub fn booked_overlaps(&self) -> Vec<f64> {
        if !matches!(self.engine, Engine::Modern { .. }) || self.booked_dots.len() != self.patterns.count() {
            return self.overlaps();
        }
        self.booked_dots
            .iter()
            .zip(&self.pattern_norms)
            .map(|(&dot, &pn)| cosine(f64::from(dot), pn * self.booked_norm))
            .collect()
    }

    /// Whether the current state's energy waits to be booked (see [`Self::step_pipelined`]).
    pub fn energy_pending(&self) -> bool {
        self.energy_pending
    }

    fn binary(&mut self) -> Option<&mut dyn BinaryNet> {
        match &mut self.engine {
            Engine::Classical(net) | Engine::Multitask(net) => Some(net),
            Engine::Dense(net) => Some(net),
            Engine::Modern { .. } => None,
        }
    }

    fn sync_state(&mut self) {
        let s: Vec<f32> = match &self.engine {
            Engine::Classical(net) | Engine::Multitask(net) => net.state().iter().map(|&v| f32::from(v)).collect(),
            Engine::Dense(net) => net.state().iter().map(|&v| f32::from(v)).collect(),
            Engine::Modern { .. } => return,
        };
        self.state = s;
    }

    fn glauber(&self) -> bool {
        self.config.model == ModelKind::Multitask && self.config.temperature > 0.0
    }

    /// One unit of the model, its energy booked: asynchronous, the rest of the current sweep (a
    /// whole sweep at a sweep's start); synchronous, one update of every component; modern, one
    /// update. False when nothing changed (no flip in a whole sweep / update, or the modern
    /// weights settled: ‖p_t − p_{t−1}‖₂ ≤ 1e-4). Glauber dynamics (T > 0) never report
    /// convergence. Modern: [`Self::step_pipelined`], then [`Self::book_energy`] (a second pass
    /// over the stored patterns).
    pub fn step(&mut self) -> bool {
        let changed = self.step_pipelined();
        self.book_energy();
        changed
    }

    /// [`Self::step`], except that the modern model leaves the new state's energy pending: the
    /// next step's update computes the dot products X ξ that the energy (eq. 2) needs anyway and
    /// books it from them, so a run costs one pass over the stored patterns per step, plus one
    /// [`Self::book_energy`] where the run stops. Meanwhile [`Self::energies`] ends one state
    /// early ([`Self::energy_pending`]). The binary models book at once (their energies are
    /// cheap).
    pub fn step_pipelined(&mut self) -> bool {
        if let Engine::Modern { model, p, next, .. } = &mut self.engine {
            self.dots.resize(p.len(), 0.0);
            if model.update_keeping_dots(&self.state, 1, next, p, &mut self.dots).is_err() {
                return false;
            }
            if self.energy_pending {
                let dots = std::mem::take(&mut self.dots);
                self.dots = self.book_modern(dots);
            }
            let Engine::Modern { p, prev_p, next, .. } = &mut self.engine else { return false };
            self.converged = finish_modern(&mut self.state, p, prev_p, next);
            self.steps += 1;
            self.energy_pending = true;
            return !self.converged;
        }
        let changed = if self.glauber() {
            let t = self.config.temperature;
            let Engine::Multitask(net) = &mut self.engine else { return false };
            let flips = glauber_sweep(net, &mut self.dynamics, t, &mut self.rng);
            self.converged = false;
            flips > 0
        } else if self.config.update == UpdateMode::Sync {
            let mut dynamics = std::mem::take(&mut self.dynamics);
            let flips = self.binary().map_or(0, |net| dynamics.sync_step(net));
            self.dynamics = dynamics;
            self.converged = flips == 0;
            flips > 0
        } else {
            let mut dynamics = std::mem::take(&mut self.dynamics);
            let mut rng = self.rng.clone();
            let flips = self.binary().map_or(0, |net| dynamics.async_sweep(net, &mut rng));
            self.dynamics = dynamics;
            self.rng = rng;
            self.sweep_flips += flips;
            self.converged = self.sweep_flips == 0;
            self.sweep_flips = 0;
            flips > 0
        };
        self.sync_state();
        self.steps += 1;
        self.book_energy_now();
        changed
    }

    /// One modern update computed elsewhere (the page's WebGPU compute path or its worker
    /// pool): the new state and the weights p, with the bookkeeping of [`Self::step_pipelined`]
    /// (the settling test, the step count; the new state's energy left pending). `dots`: the
    /// dot products of the state the update started from with every stored pattern, which the
    /// update computed (N values); they book that state's pending energy. Without them (or
    /// with nothing pending) a pending energy is booked by a pass here first. Errors, changing
    /// nothing, when the model is not modern, a length is not d or N, or a value is not finite.
    pub fn step_with(&mut self, new_state: &[f32], new_p: &[f32], dots: Option<&[f32]>) -> Result<bool, String> {
        let d = self.state.len();
        if let Some(dots) = dots {
            check_dots(dots, self.patterns.count())?;
        }
        let Engine::Modern { p, .. } = &self.engine else {
            return Err("only the modern model takes an update computed elsewhere".into());
        };
        if new_state.len() != d || new_p.len() != p.len() {
            return Err(format!(
                "an update needs {d} state values and {} weights, not {} and {}",
                p.len(),
                new_state.len(),
                new_p.len()
            ));
        }
        if !new_state.iter().chain(new_p).all(|v| v.is_finite()) {
            return Err("the update holds a value that is not a finite number".into());
        }
        if self.energy_pending {
            match dots {
                Some(dots) => {
                    self.book_modern(dots.to_vec());
                }
                None => self.book_energy_now(),
            }
        }
        let Engine::Modern { p, prev_p, next, .. } = &mut self.engine else {
            return Err("only the modern model takes an update computed elsewhere".into());
        };
        next.copy_from_slice(new_state);
        p.copy_from_slice(new_p);
        self.converged = finish_modern(&mut self.state, p, prev_p, next);
        self.steps += 1;
        self.energy_pending = true;
        Ok(!self.converged)
    }

    /// One neuron (asynchronous binary models at T = 0); the others do [`Self::step`]. A
    /// completed sweep counts as a step (and adds an energy); true when the neuron flipped.
    pub fn step_component(&mut self) -> bool {
        if !self.config.model.is_binary() || self.config.update == UpdateMode::Sync || self.glauber() {
            return self.step();
        }
        let mut dynamics = std::mem::take(&mut self.dynamics);
        let mut rng = self.rng.clone();
        let flipped = self.binary().is_some_and(|net| dynamics.async_component(net, &mut rng));
        let sweep_done = dynamics.sweep_position() == 0;
        self.dynamics = dynamics;
        self.rng = rng;
        self.sweep_flips += usize::from(flipped);
        self.sync_state();
        if sweep_done {
            self.converged = self.sweep_flips == 0;
            self.sweep_flips = 0;
            self.steps += 1;
            self.book_energy_now();
        }
        flipped
    }

    /// Steps until a step changes nothing or `max_steps` (at most [`MAX_RUN_STEPS`]) steps;
    /// returns the steps taken.
    /// Each step is [`Self::step_pipelined`]; the last state's energy is booked at the end.
    pub fn run(&mut self, max_steps: usize) -> usize {
        let mut taken = 0;
        while taken < max_steps.min(MAX_RUN_STEPS) {
            taken += 1;
            if !self.step_pipelined() || (self.config.update == UpdateMode::Sync && self.two_cycle()) {
                break;
            }
        }
        self.book_energy();
        taken
    }

    /// Start again from `query` (d values; the binary models take their signs, as a query is
    /// made) and run up to `max_steps` steps ([`Self::run`]); returns the steps taken. The
    /// session's query is replaced (the accuracy curve, `analysis::AccuracyJob`).
    pub fn retrieve_from(&mut self, query: &[f32], max_steps: usize) -> Result<usize, String> {
        if query.len() != self.patterns.dim() || !query.iter().all(|v| v.is_finite()) {
            return Err(format!("a query needs {} finite values, not {}", self.patterns.dim(), query.len()));
        }
        self.query = if self.config.model.is_binary() {
            sign_patterns(query).into_iter().map(f32::from).collect()
        } else {
            query.to_vec()
        };
        self.reset();
        Ok(self.run(max_steps))
    }

    pub fn steps(&self) -> usize {
        self.steps
    }

    pub fn converged(&self) -> bool {
        self.converged
    }

    pub fn two_cycle(&self) -> bool {
        self.dynamics.two_cycle()
    }

    pub fn width(&self) -> usize {
        self.patterns.width
    }

    pub fn height(&self) -> usize {
        self.patterns.height
    }

    pub fn patterns(&self) -> &PatternSet {
        &self.patterns
    }

    pub fn query(&self) -> &[f32] {
        &self.query
    }

    pub fn state(&self) -> &[f32] {
        &self.state
    }

    /// One energy per step, starting with the query's. Classical: −½σᵀWσ; dense: −Σ F(m_μ);
    /// exp: −lse(1, Xᵀσ) (a monotone transform of −Σ e^{m_μ}); modern: eq. 2, from the update
    /// kernel's f32 dot products (`Modern::energy_from_dots`). Ends one state early while the
    /// newest modern state's energy is pending ([`Self::energy_pending`]).
    pub fn energies(&self) -> &[f64] {
        &self.energies
    }

    /// m_μ = ξ^μ·σ/d for every stored pattern (binary models); the cosine for the modern model.
    pub fn overlaps(&self) -> Vec<f64> {
        let s_norm = norm(&self.state);
        (0..self.patterns.count()).map(|i| self.overlap_with(i, s_norm)).collect()
    }

    /// [`Self::overlaps`] for one stored pattern (None past the last): what the page's read-out
    /// shows for the target each frame, without the N − 1 others.
    pub fn overlap(&self, i: usize) -> Option<f64> {
        (i < self.patterns.count()).then(|| self.overlap_with(i, norm(&self.state)))
    }

    fn overlap_with(&self, i: usize, s_norm: f64) -> f64 {
        let row = self.patterns.row(i);
        if self.config.model.is_binary() {
            let signs: f64 = row.iter().zip(&self.state).map(|(&a, &b)| f64::from(a.signum() * b)).sum();
            signs / self.patterns.dim() as f64
        } else {
            cosine(dot_f64(row, &self.state), self.pattern_norms[i] * s_norm)
        }
    }

    /// Modern: the softmax p of the last update (None before the first update and for the
    /// binary models).
    pub fn weights(&self) -> Option<&[f32]> {
        match &self.engine {
            Engine::Modern { p, prev_p: Some(_), .. } => Some(p),
            _ => None,
        }
    }

    /// Modern: (0, 2M²), the Lemma's bounds after the first update (Ramsauer et al.).
    pub fn energy_bounds(&self) -> Option<(f64, f64)> {
        match &self.engine {
            Engine::Modern { model, .. } => Some(model.energy_bounds()),
            _ => None,
        }
    }

    pub fn target(&self) -> usize {
        self.config.target
    }

    /// Modern: β in the paper's formula as the update uses it (β, or β/√d with the blog's
    /// scaling, rounded to f32); None for the binary models.
    pub fn effective_beta(&self) -> Option<f64> {
        match &self.engine {
            Engine::Modern { model, .. } => Some(model.effective_beta()),
            _ => None,
        }
    }

    /// Components of the state whose sign differs from the query's (what retrieval changed)
    /// and from the target's (what is still wrong); the sign of 0 is 0.
    pub fn sign_differences(&self) -> (usize, usize) {
        let differ = |a: &[f32]| a.iter().zip(&self.state).filter(|(&x, &y)| sign_of(x) != sign_of(y)).count();
        (differ(&self.query), differ(self.patterns.row(self.config.target)))
    }

    /// The modern model on the session's patterns at a given β (session's scaling).
    pub(crate) fn modern_at(&self, beta: f64) -> Result<Modern, String> {
        let scaling = if self.config.model == ModelKind::Modern { self.config.scaling } else { Scaling::Paper };
        Modern::from_patterns(&self.patterns, beta, scaling)
    }

    /// The β film strip (the blog's figure; docs/hopfield.md, "The blog post and its code"): the
    /// state after one modern update of the query at each β (at most [`MAX_BETAS`]; β in the session's scaling; the binary models
    /// show what the modern update would do with their patterns). An empty vector for a β that
    /// is not a positive number.
    pub fn beta_strip(&self, betas: &[f64]) -> Vec<Vec<f32>> {
        let (n, d) = (self.patterns.count(), self.patterns.dim());
        let Ok(mut model) = self.modern_at(1.0) else { return vec![Vec::new(); betas.len().min(MAX_BETAS)] };
        betas
            .iter()
            .take(MAX_BETAS)
            .map(|&b| {
                if !(b.is_finite() && b > 0.0) {
                    return Vec::new();
                }
                model.set_beta(b);
                let (mut out, mut p) = (vec![0.0f32; d], vec![0.0f32; n]);
                match model.update(&self.query, 1, &mut out, &mut p) {
                    Ok(()) => out,
                    Err(_) => Vec::new(),
                }
            })
            .collect()
    }

    /// The two most similar stored patterns (smallest ‖a − b‖ > 0): all pairs up to
    /// [`PITCHFORK_ALL_PAIRS`] patterns, else the target against every other.
    fn closest_pair(&self) -> Option<(usize, usize, f64)> {
        let p = self.patterns.count();
        let dist2 = |i: usize, j: usize| -> f64 {
            self.patterns
                .row(i)
                .iter()
                .zip(self.patterns.row(j))
                .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
                .sum()
        };
        let mut best: Option<(usize, usize, f64)> = None;
        let mut consider = |i: usize, j: usize| {
            let d2 = dist2(i, j);
            if d2 > 0.0 && best.is_none_or(|(_, _, b)| d2 < b) {
                best = Some((i.min(j), i.max(j), d2));
            }
        };
        if p <= PITCHFORK_ALL_PAIRS {
            for i in 0..p {
                for j in 0..i {
                    consider(j, i);
                }
            }
        } else {
            let t = self.config.target;
            for j in (0..p).filter(|&j| j != t) {
                consider(t, j);
            }
        }
        best
    }

    /// The pitchfork: for each β (at most [`MAX_BETAS`], session's scaling), the real update
    /// with every stored pattern iterated from ξ = (a+b)/2 ± 0.01·(a−b)/2 until p settles (at
    /// most [`PITCHFORK_STEPS`] updates), projected to t; beside the reduced theory and β_c.
    pub fn pitchfork(&self, betas: &[f64]) -> Pitchfork {
        let Some((a, b, dist2)) = self.closest_pair() else {
            return Pitchfork { a: 0, b: 0, dist2: 0.0, beta_c: f64::INFINITY, equal_norms: true, points: Vec::new() };
        };
        let (xa, xb) = (self.patterns.row(a).to_vec(), self.patterns.row(b).to_vec());
        let norm2 = |x: &[f32]| x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>();
        let (na, nb) = (norm2(&xa), norm2(&xb));
        let equal_norms = (na - nb).abs() <= 1e-6 * na.max(nb);
        let mid: Vec<f32> = xa.iter().zip(&xb).map(|(&u, &v)| 0.5 * (u + v)).collect();
        let half: Vec<f64> = xa.iter().zip(&xb).map(|(&u, &v)| 0.5 * (f64::from(u) - f64::from(v))).collect();
        let half2: f64 = half.iter().map(|v| v * v).sum();
        let unit = match self.modern_at(1.0) {
            Ok(m) => m.effective_beta(),
            Err(_) => 1.0,
        };
        let mut points = Vec::new();
        if let Ok(mut model) = self.modern_at(1.0) {
            for &beta in betas.iter().take(MAX_BETAS).filter(|b| b.is_finite() && **b > 0.0) {
                model.set_beta(beta);
                let mut t_of = |t0: f64| -> f64 {
                    let start: Vec<f32> =
                        mid.iter().zip(&half).map(|(&m, &h)| (f64::from(m) + t0 * h) as f32).collect();
                    match model.iterate(&start, PITCHFORK_STEPS) {
                        Ok(it) => {
                            it.state
                                .iter()
                                .zip(&mid)
                                .zip(&half)
                                .map(|((&s, &m), &h)| (f64::from(s) - f64::from(m)) * h)
                                .sum::<f64>()
                                / half2
                        }
                        Err(_) => f64::NAN,
                    }
                };
                let (t_plus, t_minus) = (t_of(PITCHFORK_OFFSET), t_of(-PITCHFORK_OFFSET));
                let theory = if equal_norms { pitchfork_theory(beta * unit, dist2) } else { f64::NAN };
                points.push(PitchforkPoint { beta, t_plus, t_minus, theory });
            }
        }
        let beta_c = if equal_norms { 4.0 / dist2 / unit } else { f64::NAN };
        Pitchfork { a, b, dist2, beta_c, equal_norms, points }
    }
}
