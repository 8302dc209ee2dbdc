//! Cell-view ("bottom-up") sorting: every element is an agent with its own rule (Algotype).
//!
//! Rules follow the official code (`Zhangtaining/cell_research`, `modules/multithread/*Cell.py`)
//! where it differs from the paper's prose (docs/sorting.md, "The official code's rules").
//!
//! Scheduling (docs/sorting.md, "Scheduling"; docs/sorting-scheduler.md): the official code runs
//! one Python thread per cell and every `move()` holds one global lock, so exactly one cell acts
//! at a time in an order the OS picks. The default model is: **each tick, one active (non-frozen)
//! cell chosen uniformly at random calls `move()`**; the other [`Scheduler`]s let a cell act in
//! bursts, as the official threads do. Frozen cells' threads are never started, so they never
//! act. A tick is one activation.

use super::metrics::{descents, sortedness_percent, touched_pairs};
pub use super::scheduler::Scheduler;
use super::scheduler::{BurstLaw, IdleBursts, Outcome, RankAlias};
use crate::core::rng::{portable_ln, Rng};
use serde::Serialize;

/// A cell's rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Algotype {
    Bubble,
    Insertion,
    Selection,
}

impl Algotype {
    pub const ALL: [Algotype; 3] = [Algotype::Bubble, Algotype::Insertion, Algotype::Selection];

    pub fn id(self) -> &'static str {
        match self {
            Algotype::Bubble => "bubble",
            Algotype::Insertion => "insertion",
            Algotype::Selection => "selection",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id().eq_ignore_ascii_case(id.trim()))
    }
}

/// Damaged cells (paper p.6, Fig. 5A). Neither kind ever initiates a move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FrozenKind {
    /// "Lack of initiative": other cells can still swap it. The released code's behaviour
    /// (the `target.status == FREEZE` check in `MultiThreadCell.swap` is commented out).
    #[default]
    Movable,
    /// "Lack of motility": no cell can swap it (that check switched on; files `*frozen_cannot_move*`).
    Immovable,
}

/// When a run ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StopRule {
    /// The official drivers: without frozen cells, when the array is sorted (`is_sorted` poll);
    /// with frozen cells, when no active cell's `should_move()` is true — frozen neighbours
    /// are ignored there, so a run can stop while active cells are still inverted with frozen
    /// ones (`no_cells_should_move`; docs/sorting.md, "Stop rules"). The code polls this every
    /// 1 s of wall time; a tick-based port checks it after every change, so it stops at the first
    /// such moment.
    #[default]
    Official,
    /// Stop when no activation can change the array or a cell's state any more.
    Complete,
}

/// One agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub value: u32,
    pub algotype: Algotype,
    pub frozen: bool,
    /// Sorts toward a decreasing order (`reverse_direction=True` flips every comparison).
    pub decreasing: bool,
    /// Selection only: the position it tries to occupy; starts at the left boundary (0), or for a
    /// decreasing cell at the right one (n − 1).
    pub ideal: u32,
    /// The cell's position in the initial array: its identity as it moves.
    pub id: u32,
    /// Swap attempts other cells have aimed at this cell while it was frozen.
    pub nudges: u32,
    /// What aggregation compares: the Algotype, except in the Fig. 8 control, where the cells
    /// of one Algotype carry two labels (the official cells' `label`, which `take_snapshot`
    /// records instead of the type when it is set).
    pub label: u8,
    /// Swaps this cell started that an immovable frozen cell refused (`MultiThreadCell.swap`
    /// with its frozen check on): the cell's-eye view shows them.
    pub denied: u32,
}

impl Cell {
    pub fn new(value: u32, algotype: Algotype) -> Self {
        Self {
            value,
            algotype,
            frozen: false,
            decreasing: false,
            ideal: 0,
            id: 0,
            nudges: 0,
            label: algotype as u8,
            denied: 0,
        }
    }

    /// The pair (left, right) is out of order for this cell's goal.
    #[inline]
    fn inverted(&self, left: u32, right: u32) -> bool {
        if self.decreasing {
            left < right
        } else {
            left > right
        }
    }
}

/// An array of cells and the state of its run. Cloning it is a complete snapshot.
#[derive(Clone, Debug)]
pub struct CellViewArray {
    cells: Vec<Cell>,
    rng: Rng,
    frozen_kind: FrozenKind,
    stop: StopRule,
    active: usize,
    any_frozen: bool,
    any_decreasing: bool,
    all_decreasing: bool,
    ticks: u64,
    swaps: u64,
    steps: u64,
    /// Descents (increasing-sense monotonicity error) and ascents, kept up to date.
    descents: u64,
    ascents: u64,
    last_swap: Option<(usize, usize)>,
    /// Where the cell that started the last swap is now (one end of `last_swap`).
    last_mover: Option<usize>,
    done: bool,
    /// Out-of-order adjacent pairs of active cells (pair p = cells p, p+1), for the insertion
    /// cells' "is everything to my left sorted?" test in O(log n) instead of an O(n) scan.
    segment_descents: Fenwick,
    /// The same for a decreasing goal (pairs with left < right), for decreasing insertion cells.
    segment_ascents: Fenwick,
    /// Opposite goals: stop after this many activations without a change of sortedness (0: off).
    stall_window: u64,
    /// The activation at which the sortedness last changed.
    last_change: u64,
    /// Adjacent pairs of the same Algotype, and pairs of two active cells against the goal.
    same_type: u64,
    active_against: u64,
    /// No selection cells (their wish to move does not show in the array's pairs).
    has_selection: bool,
    /// Where [`Self::stop_holds`] last found a cell that wants to move: checked first next time
    /// (a position; any value is correct, a good one saves the scan).
    stop_hint: std::cell::Cell<usize>,
    /// Frozen cells recover after this many nudges (0: never, as in the paper).
    unfreeze_after: u32,
    unfrozen: u32,
    /// Every array not on the bubble shortcut skips its idle activations exactly (see
    /// [`Events`]); `None` only in the activation-by-activation model the tests compare with.
    events: Option<Events>,
    /// Positions of frozen cells, ascending (movable ones move when swapped).
    frozen_positions: Vec<usize>,
    /// Only arrays with insertion cells maintain `segment_descents` and `segment_ascents`.
    has_insertion: bool,
    /// Pure bubble arrays without frozen cells run through an exact shortcut (see [`FastBubble`]).
    fast: Option<FastBubble>,
    /// Who acts next; every scheduler but `Uniform` runs activation by activation.
    scheduler: Scheduler,
    /// The cell holding the turn under a burst scheduler.
    turn: Option<Turn>,
    /// Who has waited longest, for burst schedulers ([`Waiting`]).
    waiting: Option<Waiting>,
    /// Each Algotype's idle bursts under its law (burst schedulers; [`IdleBursts`], shared).
    idle: [Option<std::sync::Arc<IdleBursts>>; 3],
    /// Each Algotype's burst law under this run's scheduler, set by `with_scheduler` (looked up
    /// once per activation, so kept rather than matched each time). An array that starts with
    /// frozen cells gets the `threads` laws fitted to them: the official driver for it polls
    /// once a second, which changes how its threads take turns
    /// ([`super::scheduler::threads_law`]).
    laws: [&'static BurstLaw; 3],
    /// Each Algotype's waiting-rank law as an alias table for the current number of other
    /// active cells (built when that number changes; shared by snapshots).
    rank_alias: [Option<std::sync::Arc<RankAlias>>; 3],
}

/// The cell acting in the current burst (burst schedulers, [`Scheduler`]).
#[derive(Clone, Copy, Debug)]
struct Turn {
    /// Its position now (it moves when it swaps).
    position: usize,
    /// Activations in this burst so far (≥ 1).
    count: u32,
    /// What its last activation did.
    outcome: Outcome,
    /// The burst has ended (its last continuation draw failed): the next activation is
    /// another burst.
    over: bool,
}

/// An exact shortcut for arrays of bubble cells only, without frozen cells.
///
/// A bubble activation picks a cell and a direction uniformly: one of 2n equally likely
/// (cell, direction) pairs. Exactly 2D of them swap (D = out-of-order adjacent pairs, each
/// reachable from its left cell looking right and its right cell looking left), and each swap
/// is then a uniformly random out-of-order pair; `2|C| − 2D` of them are reads that do not swap
/// (C = cells with an out-of-order neighbour, whose `should_move()` is true); the rest do nothing.
/// So one draw below 2n classifies an activation and, when it swaps, also says which pair (see
/// `CellViewArray::fast_run`, which also skips idle activations late in a run). This gives the
/// same distribution of swaps, reads, activations and trajectories as running each activation's
/// `move()`, in a fraction of the work.
#[derive(Clone, Debug)]
struct FastBubble {
    /// Out-of-order pairs p (cells p, p+1), in no particular order, for uniform choice: the
    /// first `out` entries (room for all n − 1 pairs, so adding one never reallocates).
    pairs: Vec<u32>,
    /// D: out-of-order pairs.
    out: usize,
    /// Index of pair p in `pairs`, or `u32::MAX`.
    slot: Vec<u32>,
    /// C: cells with an out-of-order neighbour (`should_move()` true).
    wanting: usize,
    /// ln(1 − C/n) by C, NaN until first needed.
    ln_q: Vec<f64>,
    /// Some value occurs twice (else no two neighbours are ever equal).
    duplicates: bool,
    /// The cells' values as keys (`key`: the goal's order is the keys' increasing order) with
    /// two sentinels at each end: `keys[i + 2]` is cell i's. Pair q (−2 ≤ q ≤ n) is out of order
    /// exactly when `keys[q + 2] > keys[q + 3]`: 0 on the left and `u32::MAX` on the right are
    /// never greater than their neighbour, so the pairs around a swap need no edge tests.
    keys: Vec<u32>,
}

impl FastBubble {
    fn new(cells: &[Cell]) -> Self {
        let n = cells.len();
        let down = cells.first().is_some_and(|c| c.decreasing);
        let mut keys = vec![0, 0];
        keys.extend(cells.iter().map(|c| key(c.value, down)));
        keys.extend([u32::MAX, u32::MAX]);
        let mut sorted: Vec<u32> = cells.iter().map(|c| c.value).collect();
        sorted.sort_unstable();
        let mut fast = Self {
            pairs: vec![0; n.saturating_sub(1)],
            out: 0,
            slot: vec![u32::MAX; n.saturating_sub(1)],
            wanting: 0,
            ln_q: vec![f64::NAN; n + 1],
            duplicates: sorted.windows(2).any(|w| w[0] == w[1]),
            keys,
        };
        for p in 0..n.saturating_sub(1) {
            if cells[p].inverted(cells[p].value, cells[p + 1].value) {
                fast.push(p);
            }
        }
        fast.wanting = (0..n).filter(|&c| (c > 0 && fast.out_of_order(c - 1)) || fast.out_of_order(c)).count();
        fast
    }

    /// Pair p is out of order (false for p outside the array).
    #[inline]
    fn out_of_order(&self, p: usize) -> bool {
        self.slot.get(p).is_some_and(|&s| s != u32::MAX)
    }

    /// Add pair p to the set (the caller keeps `wanting`).
    #[inline]
    fn push(&mut self, p: usize) {
        self.slot[p] = self.out as u32;
        self.pairs[self.out] = p as u32;
        self.out += 1;
    }

    /// Take pair p out of the set: the last pair moves into its place (the caller keeps
    /// `wanting`).
    #[inline]
    fn remove(&mut self, p: usize) {
        let at = self.slot[p] as usize;
        self.out -= 1;
        let last = self.pairs[self.out];
        self.pairs[at] = last;
        self.slot[last as usize] = at as u32;
        self.slot[p] = u32::MAX;
    }
}

/// A cell value as a key whose increasing order is the goal's order: flipping every bit of a
/// u32 reverses its order, which turns a decreasing goal into an increasing one. Pair (l, r) is
/// out of order for the goal when key(l) > key(r).
#[inline]
fn key(value: u32, decreasing: bool) -> u32 {
    if decreasing {
        !value
    } else {
        value
    }
}

/// Exact skipping of idle activations, for every array that is not on the bubble shortcut
/// (chimeras, selection and insertion cells, frozen cells, opposite goals).
///
/// The scheduler (docs/sorting.md, "Scheduling") activates a uniformly random active cell, and
/// a bubble cell then picks a direction with p = 1/2: 2A equally likely (cell, direction) pairs
/// for A active cells (cells other than bubble ignore the direction). A pair is *eventful* if
/// its `move()` would count a read, nudge a frozen cell, swap, or change the cell's own state;
/// every other activation changes nothing but the tick count. The index keeps, for each bubble
/// and selection cell, how many of its two pairs are eventful (0, 1 or 2; a function of the
/// cell and its neighbours, updated around each change), in a Fenwick tree for uniform choice;
/// insertion cells that can act are found afresh at each event (they depend on the whole prefix
/// to their left). With E eventful pairs, the idle activations before the next eventful one
/// are Geometric(E/2A) and the eventful pair is uniform among the E: the same distribution of
/// trajectories, swaps, reads and ticks as activating cells one at a time (checked against
/// that model in the tests below).
#[derive(Clone, Debug)]
struct Events {
    /// Eventful pairs of each cell (0 for insertion and frozen cells).
    weight: Vec<u8>,
    tree: Fenwick,
    /// Σ `weight`.
    total: u64,
    /// Selection cells whose ideal is another position in the array (`should_move()`), and
    /// whether the cell at each position was one of them when its entry was last updated.
    selection_wanting: u64,
    selection_wants: Vec<bool>,
    /// Insertion cells that can act now (`collect_acting`), two eventful pairs each.
    acting: Vec<usize>,
    /// ln(1 − E/2A) by E, NaN until first needed; valid for `ln_for_active` active cells.
    ln_q: Vec<f64>,
    ln_for_active: usize,
}

impl Events {
    fn new(n: usize) -> Self {
        Self {
            weight: vec![0; n],
            tree: Fenwick::new(n),
            total: 0,
            selection_wanting: 0,
            selection_wants: vec![false; n],
            acting: Vec::new(),
            ln_q: vec![f64::NAN; 2 * n + 1],
            ln_for_active: usize::MAX,
        }
    }
}

/// The active cells ordered by when each last got the turn, for the `threads` scheduler's
/// choice by waiting rank ([`super::scheduler::BurstLaw::next_rank`]). The order starts with the
/// cells in `id` order, the order in which the official driver starts the threads.
#[derive(Clone, Debug)]
struct Waiting {
    order: Order,
    /// Where each cell (by `id`) is now.
    position: Vec<u32>,
}

/// Arrays up to this many cells keep the waiting order as a plain list (of 16-bit ids).
const LISTED_ORDER: usize = 512;
const _: () = assert!(LISTED_ORDER <= 1 << 16);

/// Two exact representations of one order (the same cell for every rank).
#[derive(Clone, Debug)]
enum Order {
    /// The active cells' ids, longest waiting first: the rank is the index, and the cell getting
    /// the turn moves to the back with a short copy (n ≤ [`LISTED_ORDER`]). 16 bits per id, so
    /// that copy (one per burst, with `memmove`) moves half the bytes. The pure bubble loop
    /// holds the list as bytes instead and copies it by fixed blocks ([`PaddedList`]).
    List(Vec<u16>),
    /// Each cell holds a stamp, larger for more recent bursts; a Fenwick tree over stamps finds
    /// the cell of any rank in O(log n). Stamps are renumbered when they run out.
    Stamps { stamp: Vec<u32>, holder: Vec<u32>, tree: Fenwick, next: u32 },
}

impl Waiting {
    fn new(cells: &[Cell]) -> Self {
        Self::with_list(cells, cells.len() <= LISTED_ORDER)
    }

    fn with_list(cells: &[Cell], listed: bool) -> Self {
        let n = cells.len();
        let mut position = vec![0; n];
        let mut by_id: Vec<(u32, usize)> = cells.iter().enumerate().map(|(p, c)| (c.id, p)).collect();
        by_id.sort_unstable();
        for &(id, p) in &by_id {
            position[id as usize] = p as u32;
        }
        let active = by_id.iter().filter(|&&(_, p)| !cells[p].frozen).map(|&(id, _)| id);
        let order = if listed {
            Order::List(active.map(|id| id as u16).collect())
        } else {
            let capacity = 4 * n + 8;
            let mut order = Order::Stamps {
                stamp: vec![u32::MAX; n],
                holder: vec![u32::MAX; capacity],
                tree: Fenwick::new(capacity),
                next: 0,
            };
            for id in active {
                order.place(id);
            }
            order
        };
        Self { order, position }
    }

    /// Cell `id` gets the turn: it becomes the most recently active.
    fn starts_burst(&mut self, id: u32) {
        match &mut self.order {
            Order::List(list) => match list.iter().position(|&h| u32::from(h) == id) {
                Some(rank) => {
                    self.take_turn(rank);
                }
                None => list.push(id as u16),
            },
            order @ Order::Stamps { .. } => order.restamp(id),
        }
    }

    /// The cell of waiting rank `rank` (0: waited longest) gets the turn: it becomes the most
    /// recently active. Returns its `id`.
    fn take_turn(&mut self, rank: usize) -> u32 {
        match &mut self.order {
            Order::List(list) => {
                let id = list[rank];
                list.copy_within(rank + 1.., rank);
                if let Some(last) = list.last_mut() {
                    *last = id;
                }
                u32::from(id)
            }
            order @ Order::Stamps { .. } => {
                let id = order.id_of_rank(rank);
                order.restamp(id);
                id
            }
        }
    }
}

/// A listed waiting order (`Order::List`) of at most 256 cells for a run loop: its `n` ids as
/// bytes, then room for [`Self::take_turn`] to copy whole 16-byte blocks.
struct PaddedList {
    ids: Vec<u8>,
    n: usize,
}

impl PaddedList {
    /// Bytes per block: one 128-bit load or store.
    const BLOCK: usize = 16;

    /// `None` when an id needs more than a byte (past 256 cells).
    fn new(list: &[u16]) -> Option<Self> {
        let n = list.len();
        let mut ids = list.iter().map(|&id| u8::try_from(id).ok()).collect::<Option<Vec<u8>>>()?;
        ids.resize(n + Self::BLOCK * Self::blocks(n) + Self::BLOCK, 0);
        Some(Self { ids, n })
    }

    /// The blocks a turn copies: enough for every rank.
    fn blocks(n: usize) -> usize {
        n.saturating_sub(1).div_ceil(Self::BLOCK)
    }

    /// The order, as `Order::List` holds it.
    fn write_to(&self, list: &mut [u16]) {
        for (to, &id) in list.iter_mut().zip(&self.ids[..self.n]) {
            *to = u16::from(id);
        }
    }

    /// [`Waiting::take_turn`]: the id of rank `rank` (< n) moves to the back and those after it
    /// move down one place, by the same number of 16-byte blocks whatever the rank (a load one
    /// place up and a store, upward, so no load reads a place already written; the blocks past
    /// the last id copy the room's junk, and the last id is written after them): no branch that
    /// depends on the rank, and in wasm no `memory.copy`, which V8 runs as a call into the
    /// engine (it took about a fifth of the loop's time; `memmove` natively a tenth).
    #[inline(always)]
    fn take_turn(&mut self, rank: usize) -> u32 {
        let n = self.n;
        let id = self.ids[rank];
        if rank < n && self.ids.len() >= n + Self::BLOCK * Self::blocks(n) + Self::BLOCK {
            let p = self.ids.as_mut_ptr();
            for k in 0..Self::blocks(n) {
                // SAFETY: rank + 16k + 17 ≤ n + 16·blocks < ids.len() (checked above), so the
                // load (places rank + 16k + 1 to + 16) and the store (rank + 16k to + 15) are
                // inside `ids`.
                unsafe { copy_block_down(p.add(rank + Self::BLOCK * k)) };
            }
        } else {
            self.ids.copy_within(rank + 1..n, rank);
        }
        self.ids[n - 1] = id;
        u32::from(id)
    }
}

/// Copies the 16 bytes at `at + 1` to `at` (one unaligned 128-bit load and store where the
/// target has them).
///
/// # Safety
/// `at` to `at + 16` must lie inside one allocation.
#[inline(always)]
unsafe fn copy_block_down(at: *mut u8) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{v128, v128_load, v128_store};
        v128_store(at.cast::<v128>(), v128_load(at.add(1).cast::<v128>()));
    }
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_storeu_si128};
        _mm_storeu_si128(at.cast::<__m128i>(), _mm_loadu_si128(at.add(1).cast::<__m128i>()));
    }
    #[cfg(not(any(all(target_arch = "wasm32", target_feature = "simd128"), target_arch = "x86_64")))]
    {
        core::ptr::copy(at.add(1), at, 16);
    }
}

impl Order {
    fn id_of_rank(&self, rank: usize) -> u32 {
        match self {
            Order::List(list) => u32::from(list[rank]),
            Order::Stamps { holder, tree, .. } => holder[tree.find(rank as i32).0],
        }
    }

    /// Stamps only: give cell `id` the next stamp (it must hold none).
    fn place(&mut self, id: u32) {
        if let Order::Stamps { stamp, holder, tree, next } = self {
            let s = *next as usize;
            stamp[id as usize] = *next;
            holder[s] = id;
            tree.add(s, 1);
            *next += 1;
        }
    }

    /// Stamps only: cell `id` gets the newest stamp.
    fn restamp(&mut self, id: u32) {
        let Order::Stamps { stamp, holder, tree, next } = self else { return };
        let old = stamp[id as usize];
        if old != u32::MAX {
            tree.add(old as usize, -1);
            holder[old as usize] = u32::MAX;
        }
        if *next as usize == holder.len() {
            // Renumber the held stamps 0, 1, … in their order.
            let held: Vec<u32> = holder.iter().copied().filter(|&h| h != u32::MAX).collect();
            holder.iter_mut().for_each(|h| *h = u32::MAX);
            *tree = Fenwick::new(holder.len());
            *next = 0;
            for h in held {
                self.place(h);
            }
        }
        self.place(id);
    }
}

/// What one call to [`CellViewArray::step_swap`] ended with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// One swap happened.
    Swapped,
    /// The run is over (its stop rule holds).
    Done,
    /// The tick budget ran out before the next swap.
    OutOfTicks,
}

impl CellViewArray {
    /// A run on the given cells, scheduled by `rng`.
    pub fn from_cells(mut cells: Vec<Cell>, rng: Rng, frozen_kind: FrozenKind, stop: StopRule) -> Self {
        for (i, c) in cells.iter_mut().enumerate() {
            c.id = i as u32;
        }
        let values: Vec<u32> = cells.iter().map(|c| c.value).collect();
        let active = cells.iter().filter(|c| !c.frozen).count();
        let mut a = Self {
            any_frozen: active < cells.len(),
            any_decreasing: cells.iter().any(|c| c.decreasing),
            all_decreasing: !cells.is_empty() && cells.iter().all(|c| c.decreasing),
            descents: descents(&values),
            ascents: values.windows(2).filter(|w| w[1] > w[0]).count() as u64,
            cells,
            rng,
            frozen_kind,
            stop,
            active,
            ticks: 0,
            swaps: 0,
            steps: 0,
            last_swap: None,
            last_mover: None,
            done: false,
            segment_descents: Fenwick::new(0),
            segment_ascents: Fenwick::new(0),
            stall_window: 0,
            last_change: 0,
            unfreeze_after: 0,
            unfrozen: 0,
            events: None,
            frozen_positions: Vec::new(),
            same_type: 0,
            active_against: 0,
            has_selection: false,
            stop_hint: std::cell::Cell::new(0),
            has_insertion: false,
            fast: None,
            scheduler: Scheduler::Uniform,
            turn: None,
            waiting: None,
            idle: [None, None, None],
            laws: [&super::scheduler::GEOMETRIC_HALF; 3],
            rank_alias: [None, None, None],
        };
        a.has_insertion = a.cells.iter().any(|c| c.algotype == Algotype::Insertion);
        a.segment_descents = Fenwick::new(if a.has_insertion { a.cells.len() } else { 0 });
        a.segment_ascents = Fenwick::new(if a.has_insertion { a.cells.len() } else { 0 });
        for p in 0..if a.has_insertion { a.cells.len().saturating_sub(1) } else { 0 } {
            a.index_pair(p, 1);
        }
        let one_direction = !a.any_decreasing || a.all_decreasing;
        a.frozen_positions = (0..a.cells.len()).filter(|&i| a.cells[i].frozen).collect();
        a.has_selection = a.cells.iter().any(|c| c.algotype == Algotype::Selection);
        let all_pairs: Vec<usize> = (0..a.cells.len().saturating_sub(1)).collect();
        for chunk in all_pairs.chunks(4) {
            let mut pairs = [None; 4];
            for (slot, &p) in pairs.iter_mut().zip(chunk) {
                *slot = Some(p);
            }
            let c = a.pair_counts(&pairs);
            a.same_type += c.same_type;
            a.active_against += c.active_against;
        }
        // The shortcut's draws are below 2n, which must fit in 32 bits (`Rng::below_u32`).
        let small = u32::try_from(2 * a.cells.len()).is_ok();
        // (The shortcut keeps the same-label count constant: one label only.)
        let one_label = a.cells.windows(2).all(|w| w[0].label == w[1].label);
        if small
            && a.active == a.cells.len()
            && one_direction
            && one_label
            && a.cells.iter().all(|c| c.algotype == Algotype::Bubble)
        {
            a.fast = Some(FastBubble::new(&a.cells));
        } else {
            a.events = Some(Events::new(a.cells.len()));
            for j in 0..a.cells.len() {
                a.refresh_weight(j);
            }
        }
        a.done = a.stop_holds();
        a
    }

    /// Add `delta` to the insertion indexes for pair p (cells p, p+1) when both are active and
    /// out of order for an increasing goal (`segment_descents`) or a decreasing one
    /// (`segment_ascents`).
    fn index_pair(&mut self, p: usize, delta: i32) {
        let (l, r) = (&self.cells[p], &self.cells[p + 1]);
        if l.frozen || r.frozen {
            return;
        }
        if l.value > r.value {
            self.segment_descents.add(p, delta);
        } else if l.value < r.value {
            self.segment_ascents.add(p, delta);
        }
    }

    /// `InsertionSortCell.is_enable_to_move`: scanning positions 0…i−1 with `prev` reset at each
    /// frozen cell, no cell is out of order with `prev`. A frozen cell only stops the comparison
    /// across it; an out-of-order pair anywhere to the left still blocks. Equivalently: no
    /// out-of-order pair of adjacent active cells among positions 0…i−1.
    ///
    /// A decreasing cell meets the official scan's quirk: the reset is `prev = -1` whatever the
    /// goal, and its test `value > prev` then fails for the first active cell after a frozen
    /// one, so any active cell between the first frozen cell and i disables it for good (until
    /// the cells move).
    fn insertion_enabled(&self, i: usize) -> bool {
        if self.cells[i].decreasing && self.active_after_frozen_before(i) {
            return false;
        }
        let index = if self.cells[i].decreasing { &self.segment_ascents } else { &self.segment_descents };
        i < 2 || index.sum(0, i - 1) == 0
    }

    /// Some active cell lies between the first frozen cell and position i.
    fn active_after_frozen_before(&self, i: usize) -> bool {
        let Some(&first) = self.frozen_positions.first() else { return false };
        if first + 1 >= i {
            return false;
        }
        let frozen_between = self.frozen_positions.partition_point(|&f| f < i) - 1;
        i - first - 1 > frozen_between
    }

    /// Stop after `window` activations without a change of sortedness (for opposite goals,
    /// which never run out of moves; see `SortConfig::stall_sweeps`).
    pub fn with_stall_window(mut self, window: u64) -> Self {
        self.stall_window = window;
        self
    }

    /// Schedule the cells with `scheduler` instead of one uniformly random cell per activation.
    /// Burst schedulers run activation by activation: the exact fast paths (the bubble shortcut,
    /// the event index) assume the uniform choice and are switched off.
    pub fn with_scheduler(mut self, scheduler: Scheduler) -> Self {
        self.scheduler = scheduler;
        if scheduler != Scheduler::Uniform {
            self.fast = None;
            self.events = None;
            self.waiting = Some(Waiting::new(&self.cells));
            for a in Algotype::ALL {
                let law = scheduler.law(a, self.any_frozen).unwrap_or(&super::scheduler::GEOMETRIC_HALF);
                self.laws[a as usize] = law;
                self.idle[a as usize] = Some(IdleBursts::of(law));
            }
        }
        self
    }

    pub fn scheduler(&self) -> Scheduler {
        self.scheduler
    }

    /// The cell holding the turn under a burst scheduler: (its position, activations in its
    /// burst so far).
    pub fn turn(&self) -> Option<(usize, u32)> {
        self.turn.map(|t| (t.position, t.count))
    }

    /// Let frozen cells recover after `nudges` swap attempts aimed at them (0: never).
    pub fn with_unfreezing(mut self, nudges: u32) -> Self {
        self.unfreeze_after = nudges;
        self
    }

    /// Pure cell-view bubble on the given values (no frozen cells).
    pub fn new(values: Vec<u32>, rng: Rng) -> Self {
        let cells = values.into_iter().map(|v| Cell::new(v, Algotype::Bubble)).collect();
        Self::from_cells(cells, rng, FrozenKind::Movable, StopRule::Official)
    }

    /// The paper's setup (n distinct values, reshuffled per run): a shuffled `range(n)`, cell-view
    /// bubble. The same generator first shuffles and then schedules, so one seed fixes the whole
    /// run.
    pub fn shuffled(n: usize, mut rng: Rng) -> Self {
        let mut values: Vec<u32> = (0..n as u32).collect();
        rng.shuffle(&mut values);
        Self::new(values, rng)
    }

    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    pub fn values(&self) -> Vec<u32> {
        self.cells.iter().map(|c| c.value).collect()
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Activations so far (one cell's `move()` each).
    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// Swaps so far (`swap_count`).
    pub fn swaps(&self) -> u64 {
        self.swaps
    }

    /// Warranted "read" steps (`compare_and_swap_count`): `move()` calls in which
    /// `should_move()` was true. This is the cell-view "swapping & reading steps" of Fig. 4B.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Monotonicity error E in the increasing sense (paper p.9), kept up to date on every swap.
    pub fn monotonicity_error(&self) -> u64 {
        self.descents
    }

    /// E for the array's goal: descents for an increasing run, ascents when every cell sorts
    /// decreasing (the mirrored test of the official analysis code).
    pub fn goal_error(&self) -> u64 {
        if self.all_decreasing {
            self.ascents
        } else {
            self.descents
        }
    }

    /// Sortedness (the analysis code's definition; docs/sorting.md, "Metrics") toward the array's goal.
    pub fn sortedness_percent(&self) -> f64 {
        sortedness_percent(self.cells.len(), self.goal_error())
    }

    /// Positions of the last swapped pair (left, right).
    pub fn last_swap(&self) -> Option<(usize, usize)> {
        self.last_swap
    }

    /// The position of the cell that started the last swap (it moved there; the other cell of
    /// the swap moved to where it was).
    pub fn last_mover(&self) -> Option<usize> {
        self.last_mover
    }

    /// Where the cell that started at position `id` (its identity) is now.
    pub fn position_of(&self, id: u32) -> Option<usize> {
        self.cells.iter().position(|c| c.id == id)
    }

    /// Whether frozen cells can be moved by others.
    pub fn frozen_kind(&self) -> FrozenKind {
        self.frozen_kind
    }

    /// Whether the cell at `i` may act at all now: it is not frozen and, for an insertion cell,
    /// everything to its left is in order for its goal (`is_enable_to_move`, with the official
    /// scan's reset at frozen cells).
    pub fn may_act(&self, i: usize) -> bool {
        self.cells.get(i).is_some_and(|c| !c.frozen && (c.algotype != Algotype::Insertion || self.insertion_enabled(i)))
    }

    /// Whether an activation of the cell at `i` now could change anything (count a read, try a
    /// swap, move a selection cell's ideal); false for frozen cells and positions outside.
    pub fn wants_to_act(&self, i: usize) -> bool {
        self.cells.get(i).is_some_and(|c| !c.frozen) && self.can_act(i)
    }

    /// The stop rule holds: the run is over.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// One activation of a uniformly random active cell. Returns whether it swapped.
    pub fn tick(&mut self) -> bool {
        if self.active == 0 || self.done {
            return false;
        }
        let n = self.cells.len();
        if self.fast.is_some() {
            return self.fast_bubble_advance(1);
        }
        if self.events.is_some() {
            return self.event_tick(1);
        }
        if self.scheduler != Scheduler::Uniform {
            return self.burst_tick(1);
        }
        // Rejection gives a uniform choice among active cells; frozen cells are few.
        let i = loop {
            let i = self.rng.index(n);
            if !self.cells[i].frozen {
                break i;
            }
        };
        self.ticks += 1;
        let changed = self.move_cell(i);
        let swapped = matches!(changed, Change::Swapped);
        if !matches!(changed, Change::None) {
            self.done = self.stop_holds();
        }
        if self.stall_window > 0 && self.ticks - self.last_change >= self.stall_window {
            self.done = true;
        }
        swapped
    }

    /// At least one activation and at most `budget` (≥ 1): up to the next eventful one where
    /// idle activations are skipped ([`Events`]), else exactly one. Returns whether it swapped.
    fn advance(&mut self, budget: u64) -> bool {
        if self.done || self.active == 0 {
            self.tick()
        } else if self.fast.is_some() {
            self.fast_bubble_advance(budget)
        } else if self.events.is_some() {
            self.event_tick(budget)
        } else if self.scheduler != Scheduler::Uniform {
            self.burst_tick(budget)
        } else {
            self.tick()
        }
    }

    /// The `move()` of the cell at `i`, by its Algotype (a bubble cell draws its direction).
    fn move_cell(&mut self, i: usize) -> Change {
        match self.cells[i].algotype {
            Algotype::Bubble => self.bubble_move(i),
            Algotype::Insertion => self.insertion_move(i),
            Algotype::Selection => self.selection_move(i),
        }
    }

    /// The burst law of the cell at `i` under this run's scheduler (only burst schedulers ask).
    fn law_of(&self, i: usize) -> &'static super::scheduler::BurstLaw {
        self.laws[self.cells[i].algotype as usize]
    }

    /// One activation under a burst scheduler ([`Scheduler`], docs/sorting-scheduler.md): the
    /// cell holding the turn goes on with its law's probability for its burst position and
    /// what its last activation did (idle, read, swap); otherwise the turn passes to another
    /// cell: under `threads` by its waiting rank ([`super::scheduler::BurstLaw::next_rank`]),
    /// under `bursts` a uniformly random active cell.
    ///
    /// At least one activation and at most `budget` (≥ 1): when the acting cell can do nothing
    /// ([`Self::can_act`] is false), neither can its further activations in the burst (no other
    /// cell acts meanwhile), so the rest of its burst is drawn as a loop of continuation draws
    /// without calling `move()` (exact: the same law, and a burst cut at the budget goes on with
    /// the next call's draw). Returns whether it swapped.
    fn burst_tick(&mut self, budget: u64) -> bool {
        let n = self.cells.len();
        let goes_on = match self.turn {
            Some(t) if t.over => false,
            Some(t) => {
                let law = self.law_of(t.position);
                self.rng.next_f64() < law.go_on(t.count, t.outcome)
            }
            None => false,
        };
        let (i, count) = match self.turn {
            Some(t) if goes_on || self.active == 1 => (t.position, t.count.saturating_add(1)),
            last => {
                let last = last.map(|t| t.position);
                // Who gets the turn follows the law of the cell that had it (one law for a pure
                // array; in a chimera, the last actor's type's).
                let law = match last {
                    Some(p) => self.law_of(p),
                    None => self.laws[Algotype::Bubble as usize],
                };
                let i = match &mut self.waiting {
                    Some(waiting) if law.others_only => {
                        // A waiting rank among the others by the law (`RankAlias`). The last
                        // actor is the most recent, so the others are the oldest A − 1 (or all
                        // A before the first burst).
                        let others = self.active - usize::from(last.is_some());
                        let kind = last.map_or(Algotype::Bubble, |p| self.cells[p].algotype) as usize;
                        let table = match &self.rank_alias[kind] {
                            Some(t) if t.others() == others => t,
                            _ => self.rank_alias[kind].insert(RankAlias::of(law, others)),
                        };
                        let id = waiting.take_turn(table.rank(self.rng.next_f64()));
                        waiting.position[id as usize] as usize
                    }
                    _ => {
                        let i = loop {
                            let i = self.rng.index(n);
                            if !self.cells[i].frozen {
                                break i;
                            }
                        };
                        if let Some(waiting) = &mut self.waiting {
                            waiting.starts_burst(self.cells[i].id);
                        }
                        i
                    }
                };
                (i, 1)
            }
        };
        if !self.can_act(i) {
            let stall_left = if self.stall_window > 0 {
                (self.last_change + self.stall_window).saturating_sub(self.ticks)
            } else {
                u64::MAX
            };
            let limit = budget.clamp(1, stall_left.max(1));
            let (count, used, over) = match &self.idle[self.cells[i].algotype as usize] {
                Some(idle) => idle.draw(&mut self.rng, count, limit),
                // Never: a burst scheduler sets every Algotype's table.
                None => (count, 1, true),
            };
            self.ticks += used;
            self.turn = Some(Turn { position: i, count, outcome: Outcome::Idle, over });
            if self.stall_window > 0 && self.ticks - self.last_change >= self.stall_window {
                self.done = true;
            }
            return false;
        }
        self.ticks += 1;
        let (swaps, steps) = (self.swaps, self.steps);
        let changed = self.move_cell(i);
        let swapped = self.swaps != swaps;
        let outcome = if swapped {
            Outcome::Swap
        } else if self.steps != steps {
            Outcome::Read
        } else {
            Outcome::Idle
        };
        // The acting cell moved to the other end of its swap.
        let position = match self.last_swap {
            Some((a, b)) if swapped => {
                if a == i {
                    b
                } else {
                    a
                }
            }
            _ => i,
        };
        self.turn = Some(Turn { position, count, outcome, over: false });
        if !matches!(changed, Change::None) {
            self.done = self.stop_holds();
        }
        if self.stall_window > 0 && self.ticks - self.last_change >= self.stall_window {
            self.done = true;
        }
        swapped
    }

    /// Whether [`Self::bubble_bursts_run`] may run this array: bubble cells only, none frozen, one
    /// goal, no stall window, the official stop rule, under a burst scheduler.
    fn bubble_bursts_eligible(&self) -> bool {
        let n = self.cells.len();
        self.scheduler != Scheduler::Uniform
            && n >= 2
            && self.active == n
            && self.stall_window == 0
            && self.stop == StopRule::Official
            && (!self.any_decreasing || self.all_decreasing)
            && self.cells.iter().all(|c| c.algotype == Algotype::Bubble)
            && self.waiting.is_some()
    }

    /// [`Self::run_swaps`] for the arrays of [`Self::bubble_bursts_eligible`] (the Reproduce
    /// suite's and the benchmark's bubble runs under `threads`): every activation exactly as
    /// [`Self::burst_tick`] makes it (the same draws in the same order, the same states and the
    /// same `each` calls; `tests` compare them), in one loop that holds the law, the rank table
    /// and the waiting list in locals and reads each cell's two neighbours once. The first
    /// activation of a run (no turn yet) goes through `burst_tick`.
    fn bubble_bursts_run(&mut self, end: u64, each: &mut impl FnMut(u64, u64)) -> StepOutcome {
        if self.done {
            return StepOutcome::Done;
        }
        if self.turn.is_none() && self.ticks < end && self.burst_tick(end - self.ticks) {
            each(self.goal_error(), self.same_type);
        }
        let Some(mut waiting) = self.waiting.take() else {
            return StepOutcome::OutOfTicks;
        };
        let outcome = self.bubble_bursts_loop(&mut waiting, end, each);
        self.waiting = Some(waiting);
        outcome
    }

    fn bubble_bursts_loop(&mut self, waiting: &mut Waiting, end: u64, each: &mut impl FnMut(u64, u64)) -> StepOutcome {
        let n = self.cells.len();
        let law = self.law_of(0);
        let Some(idle) = self.idle[Algotype::Bubble as usize].clone() else {
            // Never: a burst scheduler sets every Algotype's table.
            return StepOutcome::OutOfTicks;
        };
        let decreasing = self.all_decreasing;
        let kind = Algotype::Bubble as usize;
        // The rank table for the n − 1 others, fetched (or built) when first needed.
        let mut table: Option<std::sync::Arc<RankAlias>> = None;
        let Some(mut turn) = self.turn else {
            // No activation yet: the budget was empty.
            return StepOutcome::OutOfTicks;
        };
        // The run's state in locals (registers), written back when the loop ends.
        let mut rng = self.rng.clone();
        let (mut ticks, mut steps, mut swaps) = (self.ticks, self.steps, self.swaps);
        let (mut descents, mut ascents, mut same_type) = (self.descents, self.ascents, self.same_type);
        let (mut done, mut last_change) = (self.done, self.last_change);
        let mut last = None;
        let cells = &mut self.cells;
        // The goal's keys (`key`) with a sentinel at each end: keys[p + 1] belongs to the cell at
        // p, and keys[0] = 0 and keys[n + 1] = u32::MAX are never out of order with a neighbour
        // (key(l) > key(r) fails for l = 0 and for r = MAX), so the neighbour tests need no
        // edge tests.
        let mut keys = Vec::with_capacity(n + 2);
        keys.push(0);
        keys.extend(cells.iter().map(|c| key(c.value, decreasing)));
        keys.push(u32::MAX);
        // With one label everywhere a swap never changes the same-label pairs.
        let one_label = cells.windows(2).all(|w| w[0].label == w[1].label);
        // `threads` on a listed order: held here for the whole loop, without the order's
        // dispatch and the call (`PaddedList`), and written back when it ends.
        let mut listed = match &waiting.order {
            Order::List(list) if law.others_only && list.len() == n => PaddedList::new(list),
            _ => None,
        };
        let outcome = loop {
            if done {
                break StepOutcome::Done;
            }
            if ticks >= end {
                break StepOutcome::OutOfTicks;
            }
            let goes_on = !turn.over && idle.goes_on(rng.next_u64(), turn.count, turn.outcome);
            let (i, count) = if goes_on {
                (turn.position, turn.count.saturating_add(1))
            } else if law.others_only {
                let table = match &table {
                    Some(t) => t,
                    None => table.insert(match &self.rank_alias[kind] {
                        Some(t) if t.others() == n - 1 => t.clone(),
                        _ => self.rank_alias[kind].insert(RankAlias::of(law, n - 1)).clone(),
                    }),
                };
                let rank = table.rank(rng.next_f64());
                let id = match &mut listed {
                    Some(list) => list.take_turn(rank),
                    None => waiting.take_turn(rank),
                };
                (waiting.position[id as usize] as usize, 1)
            } else {
                // `bursts`: a uniformly random cell, maybe the same one.
                let i = rng.index(n);
                waiting.starts_burst(cells[i].id);
                (i, 1)
            };
            // The pairs (i − 1, i) and (i, i + 1) out of order for the goal (`Cell::inverted`).
            let (left_inv, right_inv) = (keys[i] > keys[i + 1], keys[i + 1] > keys[i + 2]);
            let active = left_inv | right_inv;
            // One draw either way: a cell that can do nothing draws the rest of its burst from
            // it (`IdleBursts::draw`), one that can act its direction (`Rng::coin`: the top
            // bit). Both outcomes are computed and one is kept, so that whether the cell was
            // idle, read or swapped costs one branch (swapped), not three.
            let x = rng.next_u64();
            let (ends, idle_count, idle_used) = idle.quick(x, count, end - ticks);
            if !active & !ends {
                // Rare: a burst that reaches the end of the table or the budget.
                let (count, used, over) = idle.draw_from(x, count, end - ticks);
                ticks += used;
                turn = Turn { position: i, count, outcome: Outcome::Idle, over };
                continue;
            }
            // `bubble_move`: a direction, a read (both neighbours are active), maybe a swap.
            let go_right = x >> 63 == 1;
            let moves = (go_right & right_inv) | (!go_right & left_inv);
            ticks += if active { 1 } else { idle_used };
            steps += u64::from(active);
            turn = Turn {
                position: i,
                count: if active { count } else { idle_count },
                outcome: [Outcome::Idle, Outcome::Read][usize::from(active)],
                over: !active,
            };
            if !moves {
                continue;
            }
            let target = if go_right { i + 1 } else { i - 1 };
            // `try_swap` between active neighbours: how the swap of a and a + 1 changes the
            // descents, ascents and same-label pairs among the pairs it touches (a − 1, a),
            // (a, a + 1) and (a + 1, a + 2) (`pair_counts` before and after, written out).
            let a = i.min(target);
            let (x, y) = (cells[a].value, cells[a + 1].value);
            let flip = |before: bool, after: bool| i64::from(after) - i64::from(before);
            // The middle pair (x, y) becomes (y, x).
            let (mut down, mut up, mut same) = (flip(y < x, x < y), flip(y > x, x > y), 0);
            if a > 0 {
                // (w, x) becomes (w, y).
                let w = &cells[a - 1];
                down += flip(x < w.value, y < w.value);
                up += flip(x > w.value, y > w.value);
                if !one_label {
                    same += flip(w.label == cells[a].label, w.label == cells[a + 1].label);
                }
            }
            if a + 2 < n {
                // (y, z) becomes (x, z).
                let z = &cells[a + 2];
                down += flip(z.value < y, z.value < x);
                up += flip(z.value > y, z.value > x);
                if !one_label {
                    same += flip(cells[a + 1].label == z.label, cells[a].label == z.label);
                }
            }
            cells.swap(a, a + 1);
            keys.swap(a + 1, a + 2);
            waiting.position[cells[a].id as usize] = a as u32;
            waiting.position[cells[a + 1].id as usize] = (a + 1) as u32;
            if down != 0 {
                last_change = ticks;
            }
            descents = descents.wrapping_add_signed(down);
            ascents = ascents.wrapping_add_signed(up);
            same_type = same_type.wrapping_add_signed(same);
            swaps += 1;
            last = Some((a, target));
            turn = Turn { position: target, count, outcome: Outcome::Swap, over: false };
            // The official stop rule (`bubble_bursts_eligible`): sorted for the goal.
            let goal_error = if decreasing { ascents } else { descents };
            done = goal_error == 0;
            each(goal_error, same_type);
        };
        if let (Some(held), Order::List(list)) = (listed, &mut waiting.order) {
            held.write_to(list);
        }
        self.rng = rng;
        (self.ticks, self.steps, self.swaps) = (ticks, steps, swaps);
        (self.descents, self.ascents, self.same_type) = (descents, ascents, same_type);
        self.active_against = if decreasing { ascents } else { descents };
        self.done = done;
        self.turn = Some(turn);
        self.last_change = last_change;
        if let Some((a, target)) = last {
            self.last_swap = Some((a, a + 1));
            self.last_mover = Some(target);
        }
        outcome
    }

    /// One activation of the cell at `position`, in an order given from outside (replaying a
    /// trace recorded from the official code, `tests/sorting_scheduler.rs`). The run leaves its
    /// fast paths for the activation-by-activation model and goes on after its stop rule holds
    /// (the official poll lets the threads run on). A frozen cell or a position outside the array
    /// does nothing. Returns whether it swapped.
    pub fn activate(&mut self, position: usize) -> bool {
        if self.cells.get(position).is_none_or(|c| c.frozen) {
            return false;
        }
        self.fast = None;
        self.events = None;
        self.ticks += 1;
        let swaps = self.swaps;
        let changed = self.move_cell(position);
        if !matches!(changed, Change::None) {
            self.done = self.stop_holds();
        }
        self.swaps != swaps
    }

    /// Whether an activation of the active cell at `i` can change anything: count a read, nudge
    /// a frozen cell, swap, or move a selection cell's ideal. Bubble: an out-of-order neighbour
    /// (active or frozen); selection: its ideal is another position in the array; insertion: it
    /// is enabled and out of order with its left neighbour (`insertion_move`).
    fn can_act(&self, i: usize) -> bool {
        let c = &self.cells[i];
        match c.algotype {
            Algotype::Bubble | Algotype::Selection => self.weight(i) > 0,
            Algotype::Insertion => i > 0 && c.inverted(self.cells[i - 1].value, c.value) && self.insertion_enabled(i),
        }
    }

    /// Run every activation through the cells' own `move()` (for checking the shortcut).
    #[cfg(test)]
    fn without_shortcut(mut self) -> Self {
        self.fast = None;
        self.events = None;
        self
    }

    /// Activations through the [`FastBubble`] shortcut up to the next swap, at most `budget`
    /// (≥ 1) of them; returns whether it swapped.
    fn fast_bubble_advance(&mut self, budget: u64) -> bool {
        self.fast_run(budget, 1, &mut |_, _| {}) == 1
    }

    /// Activations through the [`FastBubble`] shortcut until `max_swaps` swaps, the end of the
    /// run or `budget` activations, whichever comes first; calls `each(goal error, same-type
    /// pairs)` after every swap and returns the number of swaps. While many cells want to move
    /// (p = C/n ≥ 1/6, C = cells with an out-of-order neighbour), one draw below 2n classifies
    /// each activation: below 2D it swaps pair ⌊draw/2⌋ (uniform among the D out-of-order pairs,
    /// as each has two such draws), below 2C it only reads. When few cells want to move (late in
    /// a run), the idle activations before the next read or swap are drawn at once,
    /// Geometric(C/n) from a logarithm cached per C, and one draw below 2C then says which. Both
    /// give the same law (the choice depends only on the state), and cutting a skip at the
    /// budget is exact, as the geometric law is memoryless. Each swap ends an iteration, so
    /// stopping after `max_swaps` changes no draw: one call for a whole run and one call per
    /// swap (`step_swap`) give the same run.
    ///
    /// The loop keeps the generator and the counts in locals (registers) and writes them back
    /// once per call: it is nearly the whole cost of a cell-view bubble experiment. Only pairs p − 1, p and p + 1
    /// change in a swap of pair p (same-type pairs stay n − 1, every pair is active), and the
    /// goal's error is D itself (the out-of-order pairs); the opposite sense's count follows from
    /// the equal adjacent pairs, n − 1 − D − equal.
    fn fast_run(&mut self, budget: u64, max_swaps: u64, each: &mut impl FnMut(u64, u64)) -> u64 {
        let Some(mut fast) = self.fast.take() else { return 0 };
        let n = self.cells.len() as u64;
        let pairs_total = n.saturating_sub(1);
        // `from_cells` puts only arrays with 2n < 2^32 on the shortcut: the draws fit `below_u32`.
        let two_n = (2 * n) as u32;
        let down = self.all_decreasing;
        let same_type = self.same_type;
        let mut rng = self.rng.clone();
        let (mut spent, mut reads, mut swaps) = (0u64, 0u64, 0u64);
        let mut equal = pairs_total - self.descents - self.ascents;
        let mut last_swap = self.last_swap;
        let mut last_mover = self.last_mover;
        let mut done = self.done;
        let cells = &mut self.cells;
        while !done && swaps < max_swaps && spent < budget {
            let (d, c) = (fast.out as u64, fast.wanting as u64);
            if c == 0 {
                // Nothing can act (the stop rule already holds): idle activations only.
                spent = budget;
                break;
            }
            let pick = if 6 * c >= n {
                loop {
                    if spent == budget {
                        break None;
                    }
                    let draw = u64::from(rng.below_u32(two_n));
                    spent += 1;
                    if draw < 2 * d {
                        break Some(draw);
                    }
                    reads += u64::from(draw < 2 * c);
                }
            } else {
                let ln_q = &mut fast.ln_q[c as usize];
                if ln_q.is_nan() {
                    *ln_q = portable_ln((n - c) as f64 / n as f64);
                }
                let ln_q = *ln_q;
                loop {
                    let idle = rng.geometric_with_ln(ln_q);
                    if idle >= budget - spent {
                        spent = budget;
                        break None;
                    }
                    spent += idle + 1;
                    let draw = u64::from(rng.below_u32(2 * c as u32));
                    if draw < 2 * d {
                        break Some(draw);
                    }
                    reads += 1;
                    if spent == budget {
                        break None;
                    }
                }
            };
            let Some(draw) = pick else { break };
            // Pair draw / 2; of its two (cell, direction) ways, an even draw is its left cell
            // looking right, an odd one its right cell looking left.
            let k = draw / 2;
            // `try_swap` for the shortcut: the swapping cell's read, then the swap of pair p.
            reads += 1;
            let p = fast.pairs[k as usize] as usize;
            // Cells on the shortcut differ only in value and identity (one Algotype and goal,
            // none frozen, never nudged, no ideal): exchanging those two is the whole swap.
            debug_assert_eq!(Cell { value: 0, id: 0, ..cells[p] }, Cell { value: 0, id: 0, ..cells[p + 1] });
            let (value_a, id_a) = (cells[p].value, cells[p].id);
            (cells[p].value, cells[p].id) = (cells[p + 1].value, cells[p + 1].id);
            (cells[p + 1].value, cells[p + 1].id) = (value_a, id_a);
            // The keys of cells p − 2 … p + 3 (sentinels beyond the ends: `keys` has n + 4
            // entries and p ≤ n − 2), before the swap.
            let window = &mut fast.keys[p..p + 6];
            let (outer_l, l, a, b, r, outer_r) = (window[0], window[1], window[2], window[3], window[4], window[5]);
            (window[2], window[3]) = (b, a);
            // Pair p − 1 goes from (l, a) to (l, b) and pair p + 1 from (b, r) to (a, r). As b
            // comes strictly before a in the goal's order, either can only become out of
            // order, never stop being so: (x0, x1) and (y0, y1) are their states before and
            // after, x0 ⇒ x1 (false at a sentinel). Pair p was out of order and is in order now.
            let (x0, x1) = (l > a, l > b);
            let (y0, y1) = (b > r, a > r);
            debug_assert!((!x0 || x1) && (!y0 || y1));
            fast.remove(p);
            if x1 && !x0 {
                fast.push(p - 1);
            }
            if y1 && !y0 {
                fast.push(p + 1);
            }
            // Cell c wants to move when pair c − 1 or pair c is out of order; only cells
            // p − 1 … p + 2 can change: p − 1 (pairs p − 2, p − 1), p (was wanting, now iff x1),
            // p + 1 (was, now iff y1) and p + 2 (pairs p + 1, p + 2).
            let (outer_left, outer_right) = (outer_l > l, r > outer_r);
            let gained = usize::from(x1 && !x0 && !outer_left)
                + usize::from(x1)
                + usize::from(y1)
                + usize::from(y1 && !y0 && !outer_right);
            fast.wanting = fast.wanting + gained - 2;
            // Equal neighbours: pair p is unequal before and after; p − 1 and p + 1 may change.
            // (Sentinels are not cells: a key of 0 or u32::MAX can equal one.)
            if fast.duplicates {
                if p > 0 {
                    equal = equal + u64::from(l == b) - u64::from(l == a);
                }
                if p + 2 < cells.len() {
                    equal = equal + u64::from(r == a) - u64::from(r == b);
                }
            }
            swaps += 1;
            last_swap = Some((p, p + 1));
            last_mover = Some(if draw % 2 == 0 { p + 1 } else { p });
            // Both stop rules hold exactly when no pair is out of order (no frozen cells, one
            // goal: `stop_holds`).
            done = fast.out == 0;
            each(fast.out as u64, same_type);
        }
        let d = fast.out as u64;
        let opposite = pairs_total - d - equal;
        (self.descents, self.ascents) = if down { (opposite, d) } else { (d, opposite) };
        self.active_against = d;
        self.ticks = self.ticks.saturating_add(spent);
        self.steps += reads;
        self.swaps += swaps;
        self.last_swap = last_swap;
        self.last_mover = last_mover;
        self.rng = rng;
        self.fast = Some(fast);
        self.done = done;
        debug_assert_eq!(self.done, self.stop_holds());
        swaps
    }

    /// Eventful half-activations of cell `j` (see [`Events`]): what a (cell, direction) pair can
    /// do when drawn. Bubble: both directions when `should_move()` is true (a read is counted
    /// whatever the direction), else each direction toward an out-of-order frozen neighbour (a
    /// nudge, and a swap if it is movable). Selection: both when its ideal is another position
    /// inside the array. Insertion cells are listed apart (`collect_acting`), and frozen cells
    /// never act.
    fn weight(&self, j: usize) -> u8 {
        let cells = &self.cells;
        let c = &cells[j];
        if c.frozen {
            return 0;
        }
        match c.algotype {
            Algotype::Bubble => {
                let (mut toward, mut reads) = (0u8, false);
                if let Some(l) = j.checked_sub(1).map(|i| &cells[i]) {
                    if c.inverted(l.value, c.value) {
                        toward += 1;
                        reads |= !l.frozen;
                    }
                }
                if let Some(r) = cells.get(j + 1) {
                    if c.inverted(c.value, r.value) {
                        toward += 1;
                        reads |= !r.frozen;
                    }
                }
                if reads {
                    2
                } else {
                    toward
                }
            }
            Algotype::Selection => 2 * u8::from(c.ideal as usize != j && (c.ideal as usize) < cells.len()),
            Algotype::Insertion => 0,
        }
    }

    /// Bring cell `j`'s entry of the event index up to date (no-op outside the array).
    fn refresh_weight(&mut self, j: usize) {
        if j >= self.cells.len() {
            return;
        }
        let w = self.weight(j);
        let wants = w > 0 && self.cells[j].algotype == Algotype::Selection;
        let Some(ev) = &mut self.events else { return };
        let old = ev.weight[j];
        if old != w {
            ev.tree.add(j, i32::from(w) - i32::from(old));
            ev.total = ev.total + u64::from(w) - u64::from(old);
            ev.weight[j] = w;
        }
        // Entries are by position and cells move: the flag says what the entry counted.
        if ev.selection_wants[j] != wants {
            ev.selection_wanting = ev.selection_wanting + u64::from(wants) - u64::from(ev.selection_wants[j]);
            ev.selection_wants[j] = wants;
        }
    }

    /// The insertion cells that can act now, into `events.acting`. An insertion cell acts only
    /// if no out-of-order pair of active neighbours (for its goal) lies to its left and it is
    /// out of order with its left neighbour (`InsertionSortCell.is_enable_to_move`): that is the right
    /// cell of the first such pair, or a cell just right of an out-of-order frozen cell (which
    /// it swaps if movable and nudges either way).
    fn collect_acting(&mut self) {
        let Some(ev) = &mut self.events else { return };
        let mut acting = std::mem::take(&mut ev.acting);
        acting.clear();
        if self.has_insertion {
            let n = self.cells.len();
            for (decreasing, index) in [(false, &self.segment_descents), (true, &self.segment_ascents)] {
                if let Some(q) = index.first_positive() {
                    let c = &self.cells[q + 1];
                    if c.algotype == Algotype::Insertion
                        && c.decreasing == decreasing
                        && !(decreasing && self.active_after_frozen_before(q + 1))
                    {
                        acting.push(q + 1);
                    }
                }
            }
            for &f in &self.frozen_positions {
                let i = f + 1;
                if i < n
                    && !self.cells[i].frozen
                    && self.cells[i].algotype == Algotype::Insertion
                    && self.cells[i].inverted(self.cells[f].value, self.cells[i].value)
                    && self.insertion_enabled(i)
                    && !acting.contains(&i)
                {
                    acting.push(i);
                }
            }
        }
        if let Some(ev) = &mut self.events {
            ev.acting = acting;
        }
    }

    /// Activations up to the next eventful one, then that one, spending at most `budget`
    /// ticks; returns whether it swapped. Exact (see [`Events`]): the idle activations before
    /// the next eventful one are geometric with p = E/2A (E eventful of 2A equally likely
    /// (cell, direction) pairs) and the eventful pair is uniform among the E. Cutting a skip at
    /// the budget or at the end of the stall window is exact too, as the geometric law is
    /// memoryless. While p ≥ 1/6 it is cheaper to draw activation by activation (no logarithm);
    /// that choice depends only on the state, so the law is the same.
    fn event_tick(&mut self, budget: u64) -> bool {
        self.collect_acting();
        let n = self.cells.len();
        let two_a = 2 * self.active as u64;
        let stall_left = if self.stall_window > 0 {
            (self.last_change + self.stall_window).saturating_sub(self.ticks)
        } else {
            u64::MAX
        };
        let limit = budget.min(stall_left);
        let Some(ev) = &mut self.events else { return false };
        if ev.ln_for_active != self.active {
            ev.ln_q.iter_mut().for_each(|l| *l = f64::NAN);
            ev.ln_for_active = self.active;
        }
        let e = ev.total + 2 * ev.acting.len() as u64;
        let mut idle = 0u64;
        let mut chosen = None;
        if e == 0 {
            idle = u64::MAX;
        } else if 6 * e >= two_a {
            // Activation by activation: a uniform (cell, direction) among the 2n, redrawn while
            // the cell is frozen (uniform among the active cells, as `tick` does).
            while idle < limit {
                let r = self.rng.below(2 * n as u64) as usize;
                let (j, right) = (r / 2, r % 2 == 1);
                if self.cells[j].frozen {
                    continue;
                }
                let eventful = match ev.weight[j] {
                    2 => true,
                    1 => right == (j + 1 < n && self.cells[j].inverted(self.cells[j].value, self.cells[j + 1].value)),
                    _ => ev.acting.contains(&j),
                };
                if eventful {
                    chosen = Some((j, right));
                    break;
                }
                idle += 1;
            }
        } else {
            let ln_q = &mut ev.ln_q[e as usize];
            if ln_q.is_nan() {
                *ln_q = portable_ln((two_a - e) as f64 / two_a as f64);
            }
            idle = self.rng.geometric_with_ln(*ln_q);
            if idle < limit {
                let r = self.rng.below(e);
                chosen = Some(if r < ev.total {
                    let (j, offset) = ev.tree.find(r as i32);
                    let right = if ev.weight[j] == 2 {
                        offset == 1
                    } else {
                        j + 1 < n && self.cells[j].inverted(self.cells[j].value, self.cells[j + 1].value)
                    };
                    (j, right)
                } else {
                    (ev.acting[((r - ev.total) / 2) as usize], false)
                });
            }
        }
        let Some((j, right)) = chosen.filter(|_| idle < limit) else {
            self.ticks = self.ticks.saturating_add(limit);
            if stall_left <= budget {
                self.done = true;
            }
            return false;
        };
        self.ticks += idle + 1;
        let (swaps, unfrozen) = (self.swaps, self.unfrozen);
        let changed = match self.cells[j].algotype {
            Algotype::Bubble => self.bubble_move_toward(j, right),
            Algotype::Insertion => self.insertion_move(j),
            Algotype::Selection => self.selection_move(j),
        };
        // Weights change only next to swapped cells, for a selection cell whose ideal moved,
        // and (rarely) around a recovered frozen cell: a neighbour or a selection cell's ideal.
        if self.unfrozen != unfrozen {
            for k in 0..n {
                self.refresh_weight(k);
            }
        } else if self.swaps != swaps {
            if let Some((a, b)) = self.last_swap {
                for k in a.saturating_sub(1)..=a + 1 {
                    self.refresh_weight(k);
                }
                for k in b.saturating_sub(1).max(a + 2)..=b + 1 {
                    self.refresh_weight(k);
                }
            }
        } else if self.cells[j].algotype == Algotype::Selection {
            self.refresh_weight(j);
        }
        let swapped = matches!(changed, Change::Swapped);
        if !matches!(changed, Change::None) {
            self.done = self.stop_holds();
        }
        if self.stall_window > 0 && self.ticks - self.last_change >= self.stall_window {
            self.done = true;
        }
        swapped
    }

    /// `BubbleSortCell.move()` (docs/sorting.md, "Bubble cells"): pick right with p = 0.5, else
    /// left; swap when the target exists and the pair is out of order for this cell.
    /// `should_move()` — inverted with an ACTIVE neighbour, frozen neighbours ignored — counts one
    /// read step.
    fn bubble_move(&mut self, i: usize) -> Change {
        let go_right = self.rng.coin();
        self.bubble_move_toward(i, go_right)
    }

    /// `BubbleSortCell.move()` with its direction already drawn (the event index draws the
    /// cell and the direction together).
    fn bubble_move_toward(&mut self, i: usize, go_right: bool) -> Change {
        let n = self.cells.len();
        let c = self.cells[i];
        let left = (i > 0).then(|| self.cells[i - 1]);
        let right = (i + 1 < n).then(|| self.cells[i + 1]);
        let left_inv = left.is_some_and(|l| c.inverted(l.value, c.value));
        let right_inv = right.is_some_and(|r| c.inverted(c.value, r.value));
        if (left_inv && left.is_some_and(|l| !l.frozen)) || (right_inv && right.is_some_and(|r| !r.frozen)) {
            self.steps += 1;
        }
        self.bubble_try(i, go_right, left_inv, right_inv)
    }

    fn bubble_try(&mut self, i: usize, go_right: bool, left_inv: bool, right_inv: bool) -> Change {
        if go_right && right_inv {
            self.try_swap(i, i + 1)
        } else if !go_right && left_inv {
            self.try_swap(i, i - 1)
        } else {
            Change::None
        }
    }

    /// `InsertionSortCell.move()` (docs/sorting.md, "Insertion cells"): the cell may act only if
    /// everything to its left is sorted for its goal, where the scan restarts after each frozen cell
    /// (`is_enable_to_move`); then it swaps with its left neighbour if out of order.
    ///
    /// `should_move()` for insertion is our reading of the official code: we count a read when the
    /// cell is enabled and out of order with an ACTIVE left neighbour (the bubble pattern), which
    /// makes reads ≈ swaps as in Fig. 4B (cell-view insertion: ≈2,500 vs ≈2,475 swaps).
    fn insertion_move(&mut self, i: usize) -> Change {
        if i == 0 {
            return Change::None;
        }
        let c = self.cells[i];
        if !self.insertion_enabled(i) {
            return Change::None;
        }
        let left = self.cells[i - 1];
        if !c.inverted(left.value, c.value) {
            return Change::None;
        }
        if !left.frozen {
            self.steps += 1;
        }
        self.try_swap(i, i - 1)
    }

    /// `SelectionSortCell.move()` (docs/sorting.md, "Selection cells"): the cell tries to occupy
    /// its ideal position.
    /// If the occupant is frozen, the ideal moves on and, when the mover is smaller, `swap()`
    /// is called anyway (movable frozen cells are swapped; afterwards the mover's ideal is one
    /// past where it sits). Otherwise a smaller mover swaps with the occupant (long range;
    /// the occupant keeps its own ideal) and `≥` denies the swap and moves the ideal on.
    /// An increasing cell's ideal starts at the left end and moves right; a decreasing cell's
    /// (`reverse_direction`) starts at the right end and moves left, with the same `<` / `≥`
    /// test (the official code does not flip it: the smallest values settle at the right end).
    /// Moving left past cell 0 wraps the ideal to `u32::MAX`, outside the array, where the
    /// official `within_boundary` stops the cell too.
    fn selection_move(&mut self, i: usize) -> Change {
        let n = self.cells.len();
        let c = self.cells[i];
        let ideal = c.ideal as usize;
        if ideal == i || ideal >= n {
            return Change::None;
        }
        self.steps += 1;
        let occupant = self.cells[ideal];
        let smaller = c.value < occupant.value;
        self.cells[i].ideal = if c.decreasing { c.ideal.wrapping_sub(1) } else { c.ideal + 1 };
        if occupant.frozen {
            if smaller {
                if let Change::Swapped = self.try_swap(i, ideal) {
                    return Change::Swapped;
                }
            }
            Change::State
        } else if smaller {
            // The swap happens; the ideal stays where the cell lands.
            self.cells[i].ideal = c.ideal;
            self.try_swap(i, ideal)
        } else {
            Change::State
        }
    }

    /// `MultiThreadCell.swap`: exchange two cells unless the target is an immovable frozen cell.
    /// (Arrays on the bubble shortcut swap inside `fast_run` instead.)
    fn try_swap(&mut self, initiator: usize, target: usize) -> Change {
        if self.cells[target].frozen {
            self.nudge(target);
            if self.cells[target].frozen && self.frozen_kind == FrozenKind::Immovable {
                self.cells[initiator].denied += 1;
                return Change::None;
            }
        }
        let (a, b) = (initiator.min(target), initiator.max(target));
        let pairs = touched_pairs(a, b, self.cells.len());
        let before = self.pair_counts(&pairs);
        if self.has_insertion {
            for &p in pairs.iter().flatten() {
                self.index_pair(p, -1);
            }
        }
        self.cells.swap(a, b);
        if let Some(waiting) = &mut self.waiting {
            waiting.position[self.cells[a].id as usize] = a as u32;
            waiting.position[self.cells[b].id as usize] = b as u32;
        }
        if self.cells[a].frozen != self.cells[b].frozen {
            // A movable frozen cell moved between a and b: update its entry, keep them sorted.
            let (from, to) = if self.cells[b].frozen { (a, b) } else { (b, a) };
            if let Some(k) = self.frozen_positions.iter().position(|&f| f == from) {
                self.frozen_positions[k] = to;
                self.frozen_positions.sort_unstable();
            }
        }
        if self.has_insertion {
            for &p in pairs.iter().flatten() {
                self.index_pair(p, 1);
            }
        }
        let after = self.pair_counts(&pairs);
        if after.descents != before.descents {
            self.last_change = self.ticks;
        }
        self.descents = self.descents + after.descents - before.descents;
        self.ascents = self.ascents + after.ascents - before.ascents;
        self.same_type = self.same_type + after.same_type - before.same_type;
        self.active_against = self.active_against + after.active_against - before.active_against;
        self.swaps += 1;
        self.last_swap = Some((a, b));
        self.last_mover = Some(target);
        Change::Swapped
    }

    /// A neighbour tried to swap with the frozen cell at `i`. With `unfreeze_after` set (beyond
    /// the paper: its Discussion's "un-freeze after specific or repeated nudges"), the cell
    /// recovers on that many attempts and becomes an active agent again.
    fn nudge(&mut self, i: usize) {
        self.cells[i].nudges += 1;
        if self.unfreeze_after == 0 || self.cells[i].nudges < self.unfreeze_after {
            return;
        }
        let n = self.cells.len();
        let pairs = touched_pairs(i, i, n);
        if self.has_insertion {
            for &p in pairs.iter().flatten() {
                self.index_pair(p, -1);
            }
        }
        let before = self.pair_counts(&pairs).active_against;
        self.cells[i].frozen = false;
        if let Some(waiting) = &mut self.waiting {
            waiting.starts_burst(self.cells[i].id);
        }
        self.active_against = self.active_against + self.pair_counts(&pairs).active_against - before;
        self.frozen_positions.retain(|&f| f != i);
        self.active += 1;
        self.any_frozen = self.active < n;
        if self.has_insertion {
            for &p in pairs.iter().flatten() {
                self.index_pair(p, 1);
            }
        }
        self.unfrozen += 1;
    }

    /// Frozen cells that have recovered (see `with_unfreezing`).
    pub fn unfrozen(&self) -> u32 {
        self.unfrozen
    }

    /// (descents, ascents) among the given adjacent pairs.
    fn pair_counts(&self, pairs: &[Option<usize>; 4]) -> PairCounts {
        let goal_down = self.all_decreasing;
        pairs.iter().flatten().fold(PairCounts::default(), |mut c, &p| {
            let (l, r) = (&self.cells[p], &self.cells[p + 1]);
            c.descents += u64::from(r.value < l.value);
            c.ascents += u64::from(r.value > l.value);
            c.same_type += u64::from(l.label == r.label);
            let against_goal = if goal_down { r.value > l.value } else { r.value < l.value };
            c.active_against += u64::from(against_goal && !l.frozen && !r.frozen);
            c
        })
    }

    /// Adjacent pairs of two cells of the same label, that is of the same Algotype outside the
    /// Fig. 8 control (the aggregation value's numerator).
    pub fn same_type_pairs(&self) -> u64 {
        self.same_type
    }

    /// Whether the run's stop rule holds now. O(1) for the common case (no frozen cells, one
    /// direction, official rule); otherwise a scan of the active cells.
    fn stop_holds(&self) -> bool {
        if self.active == 0 {
            return true;
        }
        if self.stop == StopRule::Official && !self.any_frozen && !self.any_decreasing {
            return self.descents == 0;
        }
        if self.stop == StopRule::Official && !self.any_frozen && self.all_decreasing {
            return self.ascents == 0;
        }
        // A selection cell that wants to move (tracked by the event index) settles it at once.
        if self.events.as_ref().is_some_and(|ev| ev.selection_wanting > 0) {
            return false;
        }
        // One goal and no selection cells: two active neighbours out of order mean a cell still
        // wants to move (the right one of the first such pair, for bubble and insertion alike).
        if !self.has_selection && (!self.any_decreasing || self.all_decreasing) && self.active_against > 0 {
            return false;
        }
        // A bubble or selection cell's wish depends on its own place alone (an insertion cell's
        // on the scan's prefix): if the cell found last time still wants to move, the scan below
        // would return false at it or before it.
        let hint = self.stop_hint.get();
        if self.cells.get(hint).is_some_and(|c| c.algotype != Algotype::Insertion && self.wants_by_own_place(hint)) {
            return false;
        }
        let n = self.cells.len();
        // One pass, left to right. `prefix_up`/`prefix_down` say whether the cells seen so far
        // are in increasing/decreasing order, comparing only neighbours not separated by a frozen
        // cell: exactly an insertion cell's `is_enable_to_move` scan for its own goal.
        let mut prefix_up = true;
        let mut prefix_down = true;
        let mut prev: Option<u32> = None;
        // The decreasing scan's quirk (`insertion_enabled`): an active cell after a frozen one.
        let (mut seen_frozen, mut active_after_frozen) = (false, false);
        for i in 0..n {
            let c = &self.cells[i];
            if c.frozen {
                prev = None;
                seen_frozen = true;
                continue;
            }
            let wants = match c.algotype {
                Algotype::Insertion => {
                    i > 0
                        && if c.decreasing { prefix_down && !active_after_frozen } else { prefix_up }
                        && c.inverted(self.cells[i - 1].value, c.value)
                        && self.counts_as_neighbour(&self.cells[i - 1])
                }
                Algotype::Bubble | Algotype::Selection => self.wants_by_own_place(i),
            };
            if wants {
                self.stop_hint.set(i);
                return false;
            }
            if let Some(p) = prev {
                prefix_up &= p <= c.value;
                prefix_down &= p >= c.value;
            }
            prev = Some(c.value);
            active_after_frozen |= seen_frozen;
        }
        true
    }

    /// For [`Self::stop_holds`]: a neighbour counts if it is active, or (complete rule) a frozen
    /// cell others may swap.
    #[inline]
    fn counts_as_neighbour(&self, t: &Cell) -> bool {
        !t.frozen || (self.stop == StopRule::Complete && self.frozen_kind == FrozenKind::Movable)
    }

    /// For [`Self::stop_holds`]: whether the active bubble or selection cell at `i` wants to
    /// move (a bubble cell: an out-of-order neighbour that counts; a selection cell: an ideal
    /// elsewhere in the array). False for frozen and insertion cells.
    #[inline]
    fn wants_by_own_place(&self, i: usize) -> bool {
        let n = self.cells.len();
        let Some(c) = self.cells.get(i) else { return false };
        if c.frozen {
            return false;
        }
        match c.algotype {
            Algotype::Bubble => {
                (i > 0 && c.inverted(self.cells[i - 1].value, c.value) && self.counts_as_neighbour(&self.cells[i - 1]))
                    || (i + 1 < n
                        && c.inverted(c.value, self.cells[i + 1].value)
                        && self.counts_as_neighbour(&self.cells[i + 1]))
            }
            Algotype::Selection => {
                let ideal = c.ideal as usize;
                ideal != i && ideal < n
            }
            Algotype::Insertion => false,
        }
    }

    /// Run ticks until the next swap, the end of the run, or `max_ticks` activations.
    pub fn step_swap(&mut self, max_ticks: u64) -> StepOutcome {
        let end = self.ticks.saturating_add(max_ticks);
        while self.ticks < end {
            if self.done {
                return StepOutcome::Done;
            }
            if self.advance(end - self.ticks) {
                return StepOutcome::Swapped;
            }
        }
        if self.done {
            StepOutcome::Done
        } else {
            StepOutcome::OutOfTicks
        }
    }

    /// [`Self::step_swap`] until the run ends or `max_ticks` activations have passed, calling
    /// `each(goal error, same-type pairs)` after every swap (what a batch run records); returns
    /// how it ended ([`StepOutcome::Done`] or [`StepOutcome::OutOfTicks`]). The same draws and
    /// the same states as calling `step_swap` with the rest of the budget each time; arrays on
    /// the bubble shortcut run all their swaps in one loop.
    pub fn run_swaps(&mut self, max_ticks: u64, mut each: impl FnMut(u64, u64)) -> StepOutcome {
        let end = self.ticks.saturating_add(max_ticks);
        if self.fast.is_some() && !self.done && self.active > 0 && self.ticks < end {
            self.fast_run(end - self.ticks, u64::MAX, &mut each);
        }
        if self.bubble_bursts_eligible() {
            return self.bubble_bursts_run(end, &mut each);
        }
        loop {
            match self.step_swap(end - self.ticks) {
                StepOutcome::Swapped => each(self.goal_error(), self.same_type),
                outcome => return outcome,
            }
        }
    }

    /// Run until the stop rule holds or `max_ticks` activations have passed. Returns whether
    /// the run ended by its stop rule.
    pub fn run(&mut self, max_ticks: u64) -> bool {
        let end = self.ticks.saturating_add(max_ticks);
        while !self.done && self.ticks < end && self.active > 0 {
            self.advance(end - self.ticks);
        }
        self.done
    }

    /// Run to the end. Cell-view bubble without frozen cells always finishes: every inverted
    /// adjacent pair has probability ≥ 1/(2n) per tick of being swapped.
    pub fn run_to_end(&mut self) {
        self.run(u64::MAX);
    }
}

/// A Fenwick (binary indexed) tree of counts: point updates and range sums in O(log n).
#[derive(Clone, Debug)]
struct Fenwick {
    tree: Vec<i32>,
}

impl Fenwick {
    fn new(n: usize) -> Self {
        Self { tree: vec![0; n + 1] }
    }

    fn add(&mut self, index: usize, delta: i32) {
        let mut i = index + 1;
        while i < self.tree.len() {
            self.tree[i] += delta;
            i += i & i.wrapping_neg();
        }
    }

    /// Sum of entries `0..end`.
    fn prefix(&self, end: usize) -> i32 {
        let mut i = end.min(self.tree.len() - 1);
        let mut total = 0;
        while i > 0 {
            total += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        total
    }

    /// The first index whose entry is positive (entries are counts, never negative).
    fn first_positive(&self) -> Option<usize> {
        let n = self.tree.len() - 1;
        if n == 0 || self.prefix(n) == 0 {
            return None;
        }
        // Binary lifting: the largest position whose prefix sum is 0.
        let mut pos = 0;
        let mut step = n.next_power_of_two();
        while step > 0 {
            if pos + step <= n && self.tree[pos + step] == 0 {
                pos += step;
            }
            step /= 2;
        }
        Some(pos)
    }

    /// The index whose entry holds the `target`-th unit (0-based) of the running total (the
    /// first index with prefix sum, inclusive, above `target`), and the unit's offset within
    /// that entry. `target` must be below the total.
    fn find(&self, target: i32) -> (usize, i32) {
        let n = self.tree.len() - 1;
        let (mut pos, mut rest) = (0, target);
        let mut step = n.next_power_of_two();
        while step > 0 {
            if pos + step <= n && self.tree[pos + step] <= rest {
                pos += step;
                rest -= self.tree[pos];
            }
            step /= 2;
        }
        (pos, rest)
    }

    /// Sum of entries `start..end`.
    fn sum(&self, start: usize, end: usize) -> i32 {
        if end <= start {
            return 0;
        }
        self.prefix(end) - self.prefix(start)
    }
}

/// Counts over a few adjacent pairs, for incremental updates on a swap.
#[derive(Default)]
struct PairCounts {
    descents: u64,
    ascents: u64,
    same_type: u64,
    /// Pairs of two active cells out of order for the array's goal (one-direction arrays).
    active_against: u64,
}

/// What an activation did.
enum Change {
    None,
    /// A cell's own state changed (a selection cell's ideal), not the array.
    State,
    Swapped,
}

#[cfg(test)]
mod tests {
    use super::super::metrics::{inversions, monotonicity_error};
    use super::*;

    #[test]
    fn the_stop_rule_s_hint_never_changes_its_answer() {
        // `stop_holds` first checks the cell where it last found one that wants to move; that
        // shortcut must give the full scan's answer for every hint. Small random arrays of every
        // Algotype, both goals, frozen cells of both kinds, both stop rules and arbitrary
        // selection ideals (inside the array or not), every hint position.
        let mut rng = Rng::seed_from_u64(77);
        let (mut checked, mut stopped, mut shortcut) = (0, 0, 0);
        for _ in 0..20_000 {
            let n = 2 + rng.index(5);
            let cells: Vec<Cell> = (0..n)
                .map(|_| {
                    let algotype = [Algotype::Bubble, Algotype::Insertion, Algotype::Selection][rng.index(3)];
                    Cell {
                        frozen: rng.index(4) == 0,
                        decreasing: rng.index(3) == 0,
                        ideal: rng.index(n + 1) as u32,
                        ..Cell::new(rng.index(4) as u32, algotype)
                    }
                })
                .collect();
            let kind = if rng.coin() { FrozenKind::Movable } else { FrozenKind::Immovable };
            let stop = if rng.coin() { StopRule::Official } else { StopRule::Complete };
            let array = CellViewArray::from_cells(cells, Rng::seed_from_u64(1), kind, stop);
            array.stop_hint.set(usize::MAX);
            let scanned = array.stop_holds();
            for hint in 0..n {
                array.stop_hint.set(hint);
                let hinted = array.stop_holds();
                assert_eq!(hinted, scanned, "hint {hint}: {:?} {kind:?} {stop:?}", array.cells);
                // The shortcut's own condition: the hinted cell decides without a scan.
                let cell = array.cells[hint];
                shortcut += usize::from(cell.algotype != Algotype::Insertion && array.wants_by_own_place(hint));
                checked += 1;
            }
            stopped += usize::from(scanned);
        }
        // Both answers occur often, and the shortcut is taken.
        assert!(stopped > 1000 && stopped < 19_000 && shortcut > 10_000, "{stopped} {shortcut} of {checked}");
    }

    #[test]
    fn reads_between_swaps_are_geometric_with_mean_c_over_d() {
        // Under `uniform`, a bubble activation is one of 2n (cell, direction) pairs: 2D swap and
        // 2C count a read (D out-of-order pairs, C cells with an out-of-order neighbour). So the
        // reads up to and including each swap are geometric with success D/C: mean C/D, variance
        // (1 − p)/p². Summed along each run's own states this predicts its reads exactly in
        // expectation, and the 100 runs' total must lie within 4 SE of it: the SE of the mean
        // reads per run is about 6.6, so about ±26 on a mean of about 4,730, where the Fig. 4B
        // read-off (4,900) and the official runs (4,768) differ by more.
        let (mut diff, mut var, mut reads) = (0.0f64, 0.0f64, 0u64);
        for seed in 0..100 {
            let mut a = CellViewArray::shuffled(100, Rng::for_stream(5, seed));
            loop {
                let v = a.values();
                let d = v.windows(2).filter(|w| w[0] > w[1]).count() as f64;
                let c = (0..v.len())
                    .filter(|&i| (i > 0 && v[i - 1] > v[i]) || (i + 1 < v.len() && v[i] > v[i + 1]))
                    .count() as f64;
                if a.step_swap(u64::MAX) != StepOutcome::Swapped {
                    break;
                }
                let p = d / c;
                diff -= c / d;
                var += (1.0 - p) / (p * p);
            }
            diff += a.steps() as f64;
            reads += a.steps();
        }
        let z = diff / var.sqrt();
        assert!(z.abs() < 4.0, "reads {} against the prediction: z = {z:.2}", reads as f64 / 100.0);
    }

    #[test]
    fn the_bubble_burst_loop_runs_as_the_burst_tick() {
        // `run_swaps` takes pure bubble arrays under a burst scheduler through one specialised
        // loop (`bubble_bursts_run`); `step_swap` takes every activation through `burst_tick`.
        // Same draws, same states: the whole array (rng, cells, waiting order, turn, counters)
        // and every recorded (error, same-label pairs) must agree, under both burst schedulers,
        // both goals, two labels (the Fig. 8 control), tiny and large arrays (a listed and a
        // stamped waiting order) and budgets that cut bursts.
        let mut checked = 0;
        for scheduler in [Scheduler::Threads, Scheduler::Bursts] {
            // A run takes at most a few million activations here, so 2²⁴ is no limit; but a
            // broken loop that never ends a run comes back from its call, and the comparison
            // after it fails, instead of the test hanging.
            let unlimited = 1 << 24;
            for (n, decreasing, two_labels, budget) in [
                (100, false, false, unlimited),
                (100, true, false, 37),
                (64, false, true, 1),
                (2, false, false, unlimited),
                (3, true, true, 5),
                (17, false, false, 1000),
                // Past `LISTED_ORDER`: the waiting order kept as stamps.
                (600, false, false, 5000),
            ] {
                for seed in 0..12u64 {
                    let mut rng = Rng::seed_from_u64(seed);
                    let mut values: Vec<u32> = (0..n as u32).map(|v| v / 2).collect();
                    rng.shuffle(&mut values);
                    let cells: Vec<Cell> = values
                        .iter()
                        .enumerate()
                        .map(|(i, &v)| Cell {
                            decreasing,
                            label: u8::from(two_labels) & ((v + i as u32) & 1) as u8,
                            ..Cell::new(v, Algotype::Bubble)
                        })
                        .collect();
                    let start = CellViewArray::from_cells(cells, rng, FrozenKind::Movable, StopRule::Official)
                        .with_scheduler(scheduler);
                    assert!(start.bubble_bursts_eligible());
                    let (mut fast, mut slow) = (start.clone(), start);
                    let (mut fast_seen, mut slow_seen) = (Vec::new(), Vec::new());
                    for _call in 0..100_000 {
                        let outcome = fast.run_swaps(budget, |e, s| fast_seen.push((e, s)));
                        // `run_swaps` without the loop: step_swap with the rest of the budget.
                        let end = slow.ticks.saturating_add(budget);
                        let slow_outcome = loop {
                            match slow.step_swap(end - slow.ticks) {
                                StepOutcome::Swapped => slow_seen.push((slow.goal_error(), slow.same_type)),
                                other => break other,
                            }
                        };
                        assert_eq!(outcome, slow_outcome, "{scheduler:?} n {n} seed {seed}");
                        if outcome == StepOutcome::Done {
                            break;
                        }
                    }
                    assert!(fast.is_done(), "{scheduler:?} n {n} seed {seed}: never ended");
                    assert_eq!(fast_seen, slow_seen, "{scheduler:?} n {n} seed {seed}");
                    assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{scheduler:?} n {n} seed {seed}");
                    checked += fast_seen.len();
                }
            }
        }
        assert!(checked > 50_000, "{checked} swaps compared");
    }

    #[test]
    fn the_listed_waiting_order_runs_as_the_stamped_one() {
        // Small arrays keep the threads' waiting order as a list, large ones as stamps in a
        // Fenwick tree: the same order, so the same run, swap for swap. Chimeras with frozen
        // cells that recover exercise `starts_burst` by identity too.
        let setups: [(&[Algotype], usize, u32); 4] = [
            (&[Algotype::Bubble], 0, 0),
            (&[Algotype::Selection], 3, 0),
            (&[Algotype::Bubble, Algotype::Insertion, Algotype::Selection], 4, 3),
            (&[Algotype::Insertion], 0, 0),
        ];
        for (k, (types, frozen, unfreeze)) in setups.into_iter().enumerate() {
            let n = 60;
            let mut rng = Rng::seed_from_u64(k as u64);
            let mut values: Vec<u32> = (0..n as u32).collect();
            rng.shuffle(&mut values);
            let cells: Vec<Cell> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| Cell {
                    id: i as u32,
                    frozen: i % 17 == 3 && i / 17 < frozen,
                    ..Cell::new(v, types[i % types.len()])
                })
                .collect();
            let run = |listed: bool| {
                let mut a = CellViewArray::from_cells(
                    cells.clone(),
                    Rng::seed_from_u64(7),
                    FrozenKind::Movable,
                    StopRule::Official,
                )
                .with_unfreezing(unfreeze)
                .with_scheduler(Scheduler::Threads);
                a.waiting = Some(Waiting::with_list(&a.cells, listed));
                let mut trace = Vec::new();
                while a.step_swap(10_000_000) == StepOutcome::Swapped {
                    trace.push((a.last_swap(), a.ticks()));
                }
                (trace, a.values(), a.steps(), a.ticks())
            };
            let listed = run(true);
            assert!(listed.0.len() > 50, "setup {k}: {} swaps", listed.0.len());
            assert!(matches!(Waiting::new(&cells).order, Order::List(_)));
            assert_eq!(listed, run(false), "setup {k}");
        }
    }

    #[test]
    fn swaps_equal_initial_inversions_and_run_ends_sorted() {
        // docs/sorting.md, "Bubble cells": exact in every run with distinct values, no frozen cells.
        for seed in 0..50 {
            let mut a = CellViewArray::shuffled(100, Rng::for_stream(99, seed));
            let inv = inversions(&a.values());
            let mut multiset = a.values();
            a.run_to_end();
            assert_eq!(a.swaps(), inv, "seed {seed}");
            assert_eq!(a.monotonicity_error(), 0);
            assert!(a.values().windows(2).all(|w| w[0] <= w[1]));
            let mut after = a.values();
            multiset.sort_unstable();
            after.sort_unstable();
            assert_eq!(multiset, after);
        }
    }

    #[test]
    fn a_decreasing_selection_cell_works_from_the_right_end_as_the_official_one() {
        // `SelectionSortCell.__init__`: reverse_direction puts the ideal at the right boundary; a
        // denied cell moves it left; the test `value >= occupant` is not flipped.
        let config = super::super::setup::SortConfig {
            algotypes: vec![(Algotype::Selection, 1)],
            decreasing: vec![Algotype::Selection],
            ..super::super::setup::SortConfig::bubble(30)
        };
        for seed in 0..20 {
            let mut a = config.build(Rng::for_stream(5, seed)).unwrap();
            assert!(a.cells().iter().all(|c| c.ideal == 29), "every ideal starts at the right end");
            // Every swap moves the smaller value to the right (the unflipped `<` test).
            let mut before = a.values();
            while !a.is_done() && a.swaps() < 40 {
                let swaps = a.swaps();
                a.tick();
                let after = a.values();
                if a.swaps() > swaps {
                    let moved: Vec<usize> = (0..after.len()).filter(|&k| after[k] != before[k]).collect();
                    let (i, j) = (moved[0], *moved.last().unwrap());
                    assert!(
                        after[j] < after[i],
                        "seed {seed}: swap of {i} and {j} left {} then {}",
                        after[i],
                        after[j]
                    );
                }
                before = after;
            }
            a.run_to_end();
            assert!(a.values().windows(2).all(|w| w[0] >= w[1]), "seed {seed}: sorted downwards {:?}", a.values());
        }
    }

    #[test]
    fn insertion_swaps_equal_initial_inversions_values_kept_and_run_ends_sorted() {
        // An insertion cell swaps only with a larger left neighbour, removing exactly one
        // inversion each time (distinct values), as bubble does: swaps = initial inversions in
        // every run, the values are only permuted, and the run ends sorted.
        for seed in 0..50 {
            let config = super::super::setup::SortConfig {
                algotypes: vec![(Algotype::Insertion, 1)],
                ..super::super::setup::SortConfig::bubble(100)
            };
            let mut a = config.build(Rng::for_stream(98, seed)).unwrap();
            let inv = inversions(&a.values());
            let mut multiset = a.values();
            a.run_to_end();
            assert_eq!(a.swaps(), inv, "seed {seed}");
            assert!(a.values().windows(2).all(|w| w[0] <= w[1]), "seed {seed}");
            let mut after = a.values();
            multiset.sort_unstable();
            after.sort_unstable();
            assert_eq!(multiset, after, "seed {seed}: values kept");
        }
    }

    #[test]
    fn incremental_error_matches_recount_with_duplicates() {
        let mut rng = Rng::seed_from_u64(5);
        let values: Vec<u32> = (0..60).map(|_| rng.below(6) as u32).collect();
        let mut a = CellViewArray::new(values, rng);
        while a.step_swap(1_000_000) == StepOutcome::Swapped {
            assert_eq!(a.monotonicity_error(), monotonicity_error(&a.values()));
        }
        assert!(a.is_done());
    }

    /// `run_swaps` (the shortcut's one loop over many swaps) gives exactly what `step_swap` one
    /// swap at a time gives: the same errors after every swap, the same final state and counts;
    /// and the errors it keeps without recounting (descents, ascents; the opposite sense from
    /// the equal neighbours) match a recount, with duplicate values and for both goals.
    #[test]
    fn run_swaps_matches_step_swap_and_recounts() {
        use super::super::setup::{SortConfig, Values};
        let ascents = |v: &[u32]| v.windows(2).filter(|w| w[1] > w[0]).count() as u64;
        for (values, decreasing, stop) in [
            (Values::Distinct, false, StopRule::Official),
            (Values::Repeats(4), false, StopRule::Complete),
            (Values::Distinct, true, StopRule::Official),
            (Values::Repeats(3), true, StopRule::Complete),
        ] {
            let mut config = SortConfig::bubble(48);
            config.values = values;
            config.stop = stop;
            if decreasing {
                config.decreasing = vec![Algotype::Bubble];
            }
            for seed in 0..20 {
                let mut one = config.build(Rng::seed_from_u64(seed)).unwrap();
                let mut many = one.clone();
                let mut stepped = Vec::new();
                while one.step_swap(u64::MAX) == StepOutcome::Swapped {
                    let v = one.values();
                    assert_eq!(one.monotonicity_error(), monotonicity_error(&v));
                    assert_eq!(one.goal_error(), if decreasing { ascents(&v) } else { monotonicity_error(&v) });
                    stepped.push((one.goal_error(), one.same_type_pairs()));
                }
                let mut looped = Vec::new();
                let outcome = many.run_swaps(u64::MAX, |error, same| looped.push((error, same)));
                assert_eq!(outcome, StepOutcome::Done);
                assert_eq!(stepped, looped, "{values:?}, decreasing {decreasing}, seed {seed}");
                assert_eq!((one.ticks(), one.steps(), one.swaps()), (many.ticks(), many.steps(), many.swaps()));
                assert_eq!(one.cells(), many.cells());
                assert_eq!(
                    (one.monotonicity_error(), one.goal_error()),
                    (many.monotonicity_error(), many.goal_error())
                );
                // In calls of 37 activations: the kept counts after each call equal a recount.
                let mut chunked = config.build(Rng::seed_from_u64(seed)).unwrap();
                while chunked.run_swaps(37, |_, _| {}) != StepOutcome::Done {
                    let v = chunked.values();
                    assert_eq!((chunked.descents, chunked.ascents), (monotonicity_error(&v), ascents(&v)));
                }
                assert_eq!(chunked.goal_error(), 0);
            }
        }
    }

    /// The bubble shortcut gives the same distributions as running every activation: swaps
    /// (exactly the inversions in both), reads and activations. 400 runs of n = 100 each way;
    /// the means must agree within 4 standard errors of their difference.
    #[test]
    fn bubble_shortcut_matches_the_activation_by_activation_model() {
        let stats = |slow: bool| {
            let mut out = (Vec::new(), Vec::new(), Vec::new());
            for i in 0..400 {
                let mut a = CellViewArray::shuffled(100, Rng::for_stream(if slow { 1 } else { 2 }, i));
                if slow {
                    a = a.without_shortcut();
                }
                let inv = inversions(&a.values());
                a.run_to_end();
                assert_eq!(a.swaps(), inv);
                out.0.push(a.swaps() as f64);
                out.1.push(a.steps() as f64);
                out.2.push(a.ticks() as f64);
            }
            out
        };
        let (fast, slow) = (stats(false), stats(true));
        let mean_sd = |v: &[f64]| crate::core::stats::MeanSd::of(v.iter().copied());
        for (name, f, s) in [("swaps", &fast.0, &slow.0), ("steps", &fast.1, &slow.1), ("ticks", &fast.2, &slow.2)] {
            let (f, s) = (mean_sd(f), mean_sd(s));
            let se = (f.sd.powi(2) / 400.0 + s.sd.powi(2) / 400.0).sqrt();
            assert!((f.mean - s.mean).abs() < 4.0 * se, "{name}: shortcut {f:?}, activations {s:?}");
        }
    }

    /// The insertion shortcut gives the same distributions (swaps, reads, activations, final
    /// error) as activating cells one at a time, with and without movable frozen cells.
    #[test]
    fn insertion_shortcut_matches_the_activation_by_activation_model() {
        use super::super::setup::SortConfig;
        for frozen in [0, 2] {
            let stats = |slow: bool| {
                let mut out = vec![Vec::new(); 4];
                for i in 0..300 {
                    let mut config = SortConfig::bubble(60);
                    config.algotypes = vec![(Algotype::Insertion, 1)];
                    config.frozen = frozen;
                    config.stop = StopRule::Complete;
                    let mut a = config.build(Rng::for_stream(if slow { 1 } else { 2 }, i)).unwrap();
                    if slow {
                        a = a.without_shortcut();
                    }
                    a.run(u64::MAX);
                    out[0].push(a.swaps() as f64);
                    out[1].push(a.steps() as f64);
                    out[2].push(a.ticks() as f64);
                    out[3].push(a.monotonicity_error() as f64);
                }
                out
            };
            let (fast, slow) = (stats(false), stats(true));
            for (k, name) in ["swaps", "steps", "ticks", "error"].iter().enumerate() {
                let f = crate::core::stats::MeanSd::of(fast[k].iter().copied());
                let s = crate::core::stats::MeanSd::of(slow[k].iter().copied());
                let se = (f.sd.powi(2) / 300.0 + s.sd.powi(2) / 300.0).sqrt();
                assert!((f.mean - s.mean).abs() <= 4.0 * se + 1e-9, "frozen {frozen}, {name}: {f:?} vs {s:?}");
            }
        }
    }

    /// The event index ([`Events`]) gives the same distributions as activating cells one at a
    /// time, in every kind of array it serves: chimeras of two and three Algotypes, duplicate
    /// values, movable and immovable frozen cells under both stop rules, opposite goals (with
    /// the stall window) and recovering frozen cells. For each, 400 runs each way of at most
    /// 200,000 activations; the means of swaps, reads, activations, final error, recovered
    /// cells and the share of finished runs must agree within 4.5 standard errors of their
    /// difference (two-sided false-alarm rate ≈ 7e-6 per comparison, ≈ 5e-4 over the 66 here). Identical constants (e.g. a final error of 0 in every run)
    /// must be equal.
    #[test]
    fn event_index_matches_the_activation_by_activation_model() {
        use super::super::setup::{SortConfig, Values};
        use Algotype::{Bubble as B, Insertion as I, Selection as S};
        let runs = 400;
        let config = |types: &[Algotype], n: usize, frozen: usize, kind: FrozenKind, stop: StopRule| {
            let mut c = SortConfig::bubble(n);
            c.algotypes = types.iter().map(|a| (*a, 1)).collect();
            c.frozen = frozen;
            c.frozen_kind = kind;
            c.stop = stop;
            c
        };
        let (mv, im, off, com) = (FrozenKind::Movable, FrozenKind::Immovable, StopRule::Official, StopRule::Complete);
        let mut cases = vec![
            ("bubble+insertion", config(&[B, I], 40, 0, mv, off)),
            ("bubble+selection", config(&[B, S], 40, 0, mv, off)),
            ("insertion+selection", config(&[I, S], 40, 0, mv, off)),
            ("selection, 2 immovable", config(&[S], 40, 2, im, off)),
            ("selection, 2 movable, complete", config(&[S], 40, 2, mv, com)),
            ("bubble, 2 movable, complete", config(&[B], 40, 2, mv, com)),
            ("bubble, 2 immovable", config(&[B], 40, 2, im, off)),
        ];
        let mut dup = config(&[B, I, S], 45, 1, mv, off);
        dup.values = Values::Repeats(3);
        cases.push(("three types, duplicates, 1 movable", dup));
        let mut opposite = config(&[B, I], 30, 0, mv, off);
        opposite.decreasing = vec![B];
        cases.push(("opposite goals", opposite));
        let mut recovering = config(&[B, I], 40, 3, im, com);
        recovering.unfreeze_after = 3;
        cases.push(("recovering frozen cells", recovering));
        let mut insertion = config(&[I], 40, 2, im, com);
        insertion.decreasing = vec![I];
        cases.push(("decreasing insertion, 2 immovable", insertion));
        let mut selection = config(&[S, I], 40, 0, mv, off);
        selection.decreasing = vec![S];
        cases.push(("decreasing selection against increasing insertion", selection));
        for (name, sort) in cases {
            let stats = |slow: bool| {
                let mut out = vec![Vec::new(); 6];
                for i in 0..runs {
                    let mut a = sort.build(Rng::for_stream(if slow { 11 } else { 12 }, i)).unwrap();
                    if slow {
                        a = a.without_shortcut();
                    }
                    // Bubble and selection cells can swap one pair back and forth forever (a
                    // selection cell at its ideal, a larger bubble cell on its left): both
                    // models must then agree on the state after the same tick budget.
                    a.run(200_000);
                    out[5].push(f64::from(u8::from(a.is_done())));
                    out[0].push(a.swaps() as f64);
                    out[1].push(a.steps() as f64);
                    out[2].push(a.ticks() as f64);
                    out[3].push(a.goal_error() as f64);
                    out[4].push(f64::from(a.unfrozen()));
                }
                out
            };
            let (fast, slow) = (stats(false), stats(true));
            for (k, metric) in ["swaps", "steps", "ticks", "error", "unfrozen", "finished"].iter().enumerate() {
                let f = crate::core::stats::MeanSd::of(fast[k].iter().copied());
                let s = crate::core::stats::MeanSd::of(slow[k].iter().copied());
                let se = (f.sd.powi(2) / runs as f64 + s.sd.powi(2) / runs as f64).sqrt();
                assert!(
                    (f.mean - s.mean).abs() <= 4.5 * se + 1e-9,
                    "{name}, {metric}: events {f:?}, activations {s:?}"
                );
            }
        }
    }

    /// Both shortcuts cut a skip of idle activations where a call's tick budget ends, and the
    /// next call draws afresh: exact, as the geometric law is memoryless. Runs advanced 3
    /// activations per call must match runs advanced without a budget (pure bubble, n = 60, and
    /// a bubble + insertion chimera, n = 30; 400 runs each way; means within 4.5 standard
    /// errors of their difference).
    #[test]
    fn tick_budgets_do_not_change_the_law() {
        use super::super::setup::SortConfig;
        let mut chimera = SortConfig::bubble(30);
        chimera.algotypes = vec![(Algotype::Bubble, 1), (Algotype::Insertion, 1)];
        for (name, sort) in [("bubble", SortConfig::bubble(60)), ("bubble+insertion", chimera)] {
            let stats = |chunked: bool| {
                let mut out = vec![Vec::new(); 3];
                for i in 0..400 {
                    let mut a = sort.build(Rng::for_stream(if chunked { 21 } else { 22 }, i)).unwrap();
                    if chunked {
                        while a.step_swap(3) != StepOutcome::Done {}
                    } else {
                        a.run_to_end();
                    }
                    out[0].push(a.swaps() as f64);
                    out[1].push(a.steps() as f64);
                    out[2].push(a.ticks() as f64);
                }
                out
            };
            let (chunked, whole) = (stats(true), stats(false));
            for (k, metric) in ["swaps", "steps", "ticks"].iter().enumerate() {
                let c = crate::core::stats::MeanSd::of(chunked[k].iter().copied());
                let w = crate::core::stats::MeanSd::of(whole[k].iter().copied());
                let se = (c.sd.powi(2) / 400.0 + w.sd.powi(2) / 400.0).sqrt();
                assert!((c.mean - w.mean).abs() <= 4.5 * se, "{name}, {metric}: chunked {c:?}, whole {w:?}");
            }
        }
    }

    /// The O(log n) insertion test agrees with the official left-to-right scan in every state.
    #[test]
    fn insertion_enabled_matches_the_official_scan() {
        use super::super::setup::SortConfig;
        // `InsertionSortCell.is_enable_to_move`, line for line: the sentinels 100000 and -1, and
        // the reset to -1 at a frozen cell whatever the goal (tests/sorting_scheduler.rs replays
        // traces of the official code itself).
        let scan = |a: &CellViewArray, i: usize| {
            let me = a.cells()[i];
            let mut prev: i64 = if me.decreasing { 100_000 } else { -1 };
            for cell in &a.cells()[..i] {
                if cell.frozen {
                    prev = -1;
                    continue;
                }
                let value = i64::from(cell.value);
                if me.decreasing && value > prev {
                    return false;
                }
                if !me.decreasing && value < prev {
                    return false;
                }
                prev = value;
            }
            true
        };
        for seed in 0..40 {
            let mut config = SortConfig::bubble(40);
            config.algotypes = vec![(Algotype::Insertion, 1), (Algotype::Bubble, 1)];
            config.frozen = (seed % 4) as usize;
            // Half the seeds mix goals: decreasing insertion cells among increasing bubble cells.
            if seed >= 20 {
                config.decreasing = vec![Algotype::Insertion];
            }
            let mut a = config.build(Rng::seed_from_u64(seed)).unwrap();
            while a.step_swap(100_000) == StepOutcome::Swapped && a.swaps() < 3_000 {
                for i in 0..a.len() {
                    assert_eq!(a.insertion_enabled(i), scan(&a, i), "seed {seed}, cell {i}: {:?}", a.values());
                }
            }
        }
    }

    /// `SelectionSortCell.should_move_to` with a frozen cell at the ideal position: the ideal
    /// moves on either way; a smaller mover calls `swap()` (which moves a movable frozen cell and
    /// only counts an attempt on an immovable one); a larger mover does not try.
    #[test]
    fn a_selection_cell_facing_a_frozen_cell_moves_its_ideal_on_and_swaps_only_a_movable_one() {
        let build = |frozen_value: u32, kind: FrozenKind| {
            let mut cells: Vec<Cell> =
                [frozen_value, 4, 2].iter().map(|&v| Cell::new(v, Algotype::Selection)).collect();
            cells[0].frozen = true;
            CellViewArray::from_cells(cells, Rng::seed_from_u64(1), kind, StopRule::Complete)
        };
        // Smaller mover (2 < 9), movable: the swap happens and the frozen cell moves.
        let mut a = build(9, FrozenKind::Movable);
        assert!(a.activate(2));
        assert_eq!(a.values(), vec![2, 4, 9]);
        assert!(a.cells()[2].frozen && !a.cells()[0].frozen);
        assert_eq!((a.cells()[0].id, a.cells()[0].ideal), (2, 1), "the mover's ideal moved on past the frozen cell");
        // Smaller mover, immovable: no swap, one attempt counted, the ideal moved on.
        let mut a = build(9, FrozenKind::Immovable);
        assert!(!a.activate(2));
        assert_eq!(a.values(), vec![9, 4, 2]);
        assert_eq!((a.cells()[2].ideal, a.cells()[0].nudges), (1, 1));
        // Larger mover (2 > 1): no attempt at all, the ideal moves on.
        let mut a = build(1, FrozenKind::Movable);
        assert!(!a.activate(2));
        assert_eq!(a.values(), vec![1, 4, 2]);
        assert_eq!((a.cells()[2].ideal, a.cells()[0].nudges), (1, 0));
        assert_eq!(a.steps(), 1, "a read: its ideal was another position");
    }

    /// Un-freezing (beyond the paper): immovable frozen cells that recover after a few nudges
    /// let bubble finish sorted, and the incremental error stays exact throughout.
    #[test]
    fn unfreezing_cells_recover_and_the_array_sorts() {
        use super::super::setup::SortConfig;
        for seed in 0..20 {
            let mut config = SortConfig::bubble(50);
            config.algotypes = vec![(Algotype::Bubble, 1), (Algotype::Insertion, 1)];
            config.frozen = 3;
            config.frozen_kind = FrozenKind::Immovable;
            config.stop = StopRule::Complete;
            config.unfreeze_after = 3;
            let mut a = config.build(Rng::seed_from_u64(seed)).unwrap();
            // Damaged cells by id and where they stand: immovable while frozen, and they recover
            // exactly on their third nudge, not before.
            let damaged: Vec<(u32, usize)> =
                a.cells().iter().enumerate().filter(|(_, c)| c.frozen).map(|(p, c)| (c.id, p)).collect();
            while a.step_swap(1_000_000) == StepOutcome::Swapped {
                for &(id, at) in &damaged {
                    let (p, c) = a.cells().iter().enumerate().find(|(_, c)| c.id == id).unwrap();
                    if c.frozen {
                        assert_eq!(p, at, "seed {seed}: a frozen immovable cell moved");
                        assert!(c.nudges < 3, "seed {seed}: still frozen after {} nudges", c.nudges);
                    } else {
                        assert!(c.nudges >= 3, "seed {seed}: recovered after {} nudges", c.nudges);
                    }
                }
                assert_eq!(a.monotonicity_error(), monotonicity_error(&a.values()));
                let types: Vec<Algotype> = a.cells().iter().map(|c| c.algotype).collect();
                let same = types.windows(2).filter(|w| w[0] == w[1]).count() as u64;
                assert_eq!(a.same_type_pairs(), same);
            }
            assert!(a.is_done());
            assert_eq!(a.monotonicity_error(), 0, "seed {seed}: {:?}", a.values());
            assert!(a.unfrozen() > 0);
        }
    }

    #[test]
    fn tiny_arrays_do_not_loop() {
        let mut a = CellViewArray::new(vec![], Rng::seed_from_u64(1));
        a.run_to_end();
        let mut b = CellViewArray::new(vec![1], Rng::seed_from_u64(1));
        b.run_to_end();
        assert_eq!(b.swaps(), 0);
    }
}
