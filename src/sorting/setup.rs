//! The initial state of a run: values, Algotypes, directions and frozen cells, drawn from one
//! generator in a fixed, documented order (values shuffled, then Algotypes shuffled when there
//! is more than one, then frozen positions), so a seed fixes the whole run.

use super::cellview::{Algotype, Cell, CellViewArray, FrozenKind, StopRule};
use super::scheduler::Scheduler;
use crate::core::rng::Rng;
use serde::Serialize;

/// Which values the cells hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "copies")]
pub enum Values {
    /// 0…n−1, each once (the paper's shuffled `range(100)`).
    Distinct,
    /// 1…n/r, each r times (the paper's duplicate experiment: 1–10 × 10, Fig. 8D).
    Repeats(u32),
}

/// How k frozen cells are placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    /// The official code: k uniform draws with replacement, so fewer than k distinct cells may
    /// freeze (P(a repeat) ≈ 3% for k = 3, n = 100).
    #[default]
    Replacement,
    /// k distinct cells.
    Distinct,
}

/// Everything that defines a cell-view run, except the seed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SortConfig {
    pub n: usize,
    pub values: Values,
    /// Start from these values in this order (no shuffle); `n` must equal their number.
    pub initial: Option<Vec<u32>>,
    /// Freeze the cells at these initial positions instead of drawing `frozen` of them.
    pub frozen_at: Option<Vec<usize>>,
    /// Algotypes and their shares (relative weights); equal shares give equal numbers.
    pub algotypes: Vec<(Algotype, u32)>,
    /// Algotypes that sort toward a decreasing order.
    pub decreasing: Vec<Algotype>,
    pub frozen: usize,
    pub frozen_kind: FrozenKind,
    pub placement: Placement,
    pub stop: StopRule,
    /// Opposite goals in one array (Fig. 9) never run out of moves; the paper stops them "when
    /// the Sortedness Value stopped changing for several time steps". Here: after this many
    /// sweeps (one sweep = as many activations as there are active cells) without a change of
    /// sortedness. Used only when the array mixes goals.
    pub stall_sweeps: u32,
    /// Beyond the paper: frozen cells recover after this many nudges (0: never).
    pub unfreeze_after: u32,
    /// Who acts next (docs/sorting-scheduler.md).
    pub scheduler: Scheduler,
    /// The Fig. 8 control: with `true`, the cells (of one Algotype) carry two labels, half
    /// and half at random, and aggregation compares labels instead of Algotypes. Nothing in a
    /// cell's rule sees its label, so aggregation stays at its random level.
    pub two_labels: bool,
}

/// The lab's default reading of "several time steps" (a choice of the lab, not the paper's).
pub const DEFAULT_STALL_SWEEPS: u32 = 10;

impl SortConfig {
    /// Pure cell-view bubble on a shuffled `range(n)`, the paper's base case.
    pub fn bubble(n: usize) -> Self {
        Self {
            n,
            values: Values::Distinct,
            initial: None,
            frozen_at: None,
            algotypes: vec![(Algotype::Bubble, 1)],
            decreasing: Vec::new(),
            frozen: 0,
            frozen_kind: FrozenKind::Movable,
            placement: Placement::Replacement,
            stop: StopRule::Official,
            stall_sweeps: DEFAULT_STALL_SWEEPS,
            unfreeze_after: 0,
            scheduler: Scheduler::Uniform,
            two_labels: false,
        }
    }

    /// Some Algotypes sort up and others down.
    pub fn mixed_goals(&self) -> bool {
        let present: Vec<bool> =
            self.algotypes.iter().filter(|(_, s)| *s > 0).map(|(a, _)| self.decreasing.contains(a)).collect();
        present.iter().any(|d| *d) && present.iter().any(|d| !*d)
    }

    /// Check the combination; the error is a sentence naming the setting.
    pub fn validate(&self) -> Result<(), String> {
        if self.n < 2 {
            return Err(format!("n = {} is too small: at least 2 cells", self.n));
        }
        if self.algotypes.is_empty() || self.algotypes.iter().all(|(_, s)| *s == 0) {
            return Err("algotypes: name at least one with a positive share".into());
        }
        if let Values::Repeats(r) = self.values {
            if r == 0 || !self.n.is_multiple_of(r as usize) {
                return Err(format!("values: repeats:{r} must divide n = {}", self.n));
            }
        }
        if self.initial.as_ref().is_some_and(|v| v.len() != self.n) {
            return Err(format!("cells: the initial array has a different length from n = {}", self.n));
        }
        if self.frozen_at.as_ref().is_some_and(|f| f.iter().any(|&p| p >= self.n)) {
            return Err(format!("freeze: a frozen position is outside 0…{}", self.n - 1));
        }
        if self.two_labels && self.algotypes.iter().filter(|(_, s)| *s > 0).count() != 1 {
            return Err("labels: the two-label control is for one Algotype".into());
        }
        if self.frozen > self.n {
            return Err(format!("frozen: {} frozen cells do not fit in n = {}", self.frozen, self.n));
        }
        Ok(())
    }

    /// Cell counts per Algotype: shares rounded by largest remainder, so they sum to n.
    pub fn counts(&self) -> Vec<(Algotype, usize)> {
        let total: u64 = self.algotypes.iter().map(|(_, s)| u64::from(*s)).sum();
        let mut out: Vec<(Algotype, usize, u64)> = self
            .algotypes
            .iter()
            .map(|&(a, s)| {
                let exact = self.n as u64 * u64::from(s);
                (a, (exact / total) as usize, exact % total)
            })
            .collect();
        let left = self.n - out.iter().map(|(_, c, _)| c).sum::<usize>();
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by(|&x, &y| out[y].2.cmp(&out[x].2).then(x.cmp(&y)));
        for &i in order.iter().cycle().take(left) {
            out[i].1 += 1;
        }
        out.into_iter().map(|(a, c, _)| (a, c)).collect()
    }

    /// The initial values: the given array, or the value set shuffled by `rng` (the first draws
    /// of every run, cell-view or traditional).
    pub fn initial_values(&self, rng: &mut Rng) -> Vec<u32> {
        if let Some(values) = &self.initial {
            return values.clone();
        }
        let n = self.n as u32;
        let mut values: Vec<u32> = match self.values {
            Values::Distinct => (0..n).collect(),
            Values::Repeats(r) => (0..n).map(|i| 1 + i / r).collect(),
        };
        rng.shuffle(&mut values);
        values
    }

    /// Draw the initial array and return the run, scheduled by the same generator.
    pub fn build(&self, mut rng: Rng) -> Result<CellViewArray, String> {
        self.validate()?;
        let n = self.n;
        let values = self.initial_values(&mut rng);
        let mut types: Vec<Algotype> = self.counts().into_iter().flat_map(|(a, c)| std::iter::repeat_n(a, c)).collect();
        if self.algotypes.len() > 1 {
            rng.shuffle(&mut types);
        }
        let mut cells: Vec<Cell> = values
            .into_iter()
            .zip(types)
            .map(|(v, a)| {
                let decreasing = self.decreasing.contains(&a);
                // `SelectionSortCell.__init__`: a decreasing cell's ideal position starts at the
                // right boundary (and moves left).
                let ideal = if decreasing && a == Algotype::Selection { n.saturating_sub(1) as u32 } else { 0 };
                Cell { decreasing, ideal, ..Cell::new(v, a) }
            })
            .collect();
        if self.two_labels {
            // The Fig. 8 control's labels, half and half, shuffled like the types (drawn only
            // when asked for, so every other run keeps its draws).
            let mut labels: Vec<u8> = (0..n).map(|i| u8::from(2 * i >= n)).collect();
            rng.shuffle(&mut labels);
            for (cell, label) in cells.iter_mut().zip(labels) {
                cell.label = label;
            }
        }
        if let Some(positions) = &self.frozen_at {
            for &p in positions {
                cells[p].frozen = true;
            }
            return Ok(self.finish(cells, rng));
        }
        match self.placement {
            Placement::Replacement => {
                for _ in 0..self.frozen {
                    let i = rng.index(n);
                    cells[i].frozen = true;
                }
            }
            Placement::Distinct => {
                let mut positions: Vec<usize> = (0..n).collect();
                for k in 0..self.frozen {
                    let j = k + rng.index(n - k);
                    positions.swap(k, j);
                    cells[positions[k]].frozen = true;
                }
            }
        }
        Ok(self.finish(cells, rng))
    }

    fn finish(&self, cells: Vec<Cell>, rng: Rng) -> CellViewArray {
        let active = cells.iter().filter(|c| !c.frozen).count() as u64;
        let array = CellViewArray::from_cells(cells, rng, self.frozen_kind, self.stop)
            .with_unfreezing(self.unfreeze_after)
            .with_scheduler(self.scheduler);
        if self.mixed_goals() {
            array.with_stall_window(u64::from(self.stall_sweeps.max(1)) * active.max(1))
        } else {
            array
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_shares() {
        let mut c = SortConfig::bubble(100);
        c.algotypes = vec![(Algotype::Bubble, 30), (Algotype::Selection, 70)];
        assert_eq!(c.counts(), vec![(Algotype::Bubble, 30), (Algotype::Selection, 70)]);
        c.algotypes = vec![(Algotype::Bubble, 1), (Algotype::Insertion, 1), (Algotype::Selection, 1)];
        let counts: usize = c.counts().iter().map(|(_, k)| k).sum();
        assert_eq!(counts, 100);
    }

    #[test]
    fn build_places_types_values_and_frozen() {
        let mut c = SortConfig::bubble(100);
        c.algotypes = vec![(Algotype::Bubble, 1), (Algotype::Selection, 1)];
        c.values = Values::Repeats(10);
        c.frozen = 3;
        c.placement = Placement::Distinct;
        let a = c.build(Rng::seed_from_u64(1)).unwrap();
        assert_eq!(a.cells().iter().filter(|x| x.frozen).count(), 3);
        assert_eq!(a.cells().iter().filter(|x| x.algotype == Algotype::Bubble).count(), 50);
        let mut v = a.values();
        v.sort_unstable();
        assert_eq!(v, (0..100).map(|i| 1 + i / 10).collect::<Vec<u32>>());
        c.values = Values::Repeats(7);
        assert!(c.build(Rng::seed_from_u64(1)).is_err());
    }
}
