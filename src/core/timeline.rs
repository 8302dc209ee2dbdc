//! Step back by "restore a snapshot, replay forward".
//!
//! Every experiment in the lab is a deterministic function of its seed and parameters, so the
//! state at step t can be rebuilt from any earlier state. The timeline keeps a bounded set of
//! snapshots: one every `interval` steps, and when more than `capacity` are held, every other
//! one is dropped and the interval doubles. Memory stays O(capacity · state) however long the
//! run, and replay after a step back costs at most one interval. Snapshots after the current
//! position stay valid (the future is the same), so stepping back and forth reuses them.

#[derive(Clone, Debug)]
pub struct Timeline<S> {
    snapshots: Vec<(u64, S)>,
    interval: u64,
    capacity: usize,
}

impl<S: Clone> Timeline<S> {
    /// `initial` is the state at step 0.
    pub fn new(initial: S, interval: u64, capacity: usize) -> Self {
        Self { snapshots: vec![(0, initial)], interval: interval.max(1), capacity: capacity.max(2) }
    }

    pub fn interval(&self) -> u64 {
        self.interval
    }

    pub fn len(&self) -> usize {
        self.snapshots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.snapshots.is_empty()
    }

    /// Offer the state at `step`; it is kept when `step` is a multiple of the interval and not
    /// yet stored. The closure is only called when a copy is needed.
    pub fn offer(&mut self, step: u64, state: impl FnOnce() -> S) {
        if !step.is_multiple_of(self.interval) {
            return;
        }
        let at = self.snapshots.partition_point(|(s, _)| *s < step);
        if self.snapshots.get(at).is_some_and(|(s, _)| *s == step) {
            return;
        }
        self.snapshots.insert(at, (step, state()));
        if self.snapshots.len() > self.capacity {
            self.interval *= 2;
            let interval = self.interval;
            self.snapshots.retain(|(s, _)| s % interval == 0);
        }
    }

    /// The latest snapshot at or before `step` (step 0 is always held).
    pub fn at_or_before(&self, step: u64) -> &(u64, S) {
        let at = self.snapshots.partition_point(|(s, _)| *s <= step);
        &self.snapshots[at.saturating_sub(1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_memory_bounded_and_step_zero() {
        let mut t = Timeline::new(0u64, 1, 8);
        for step in 1..10_000u64 {
            t.offer(step, || step);
        }
        assert!(t.len() <= 8);
        assert_eq!(t.at_or_before(0).0, 0);
        let (s, v) = t.at_or_before(9_999);
        assert_eq!(s, v);
        assert!(9_999 - s <= t.interval());
    }
}
