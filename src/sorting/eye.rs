//! The cell's-eye view: what one cell sees now, whether it wants to move and why, in the terms
//! of its own rule (docs/sorting.md, "The cell's-eye view"). Plain data and plain words, built
//! from the array's public state; the page shows them beside the array.
//!
//! The rules are the official code's (`cellview`): a bubble cell compares itself with both
//! neighbours and, when activated, looks left or right (½ each) and swaps if that pair is out of
//! order; an insertion cell may act only when every pair of adjacent active cells to its left is
//! in order, and then swaps left if its left neighbour is out of order; a selection cell compares
//! itself with the cell at its ideal position, swaps there if that cell is larger (for an
//! increasing goal), and otherwise moves its ideal on by one.

use super::cellview::{Algotype, CellViewArray, FrozenKind};
use serde::Serialize;

/// What the cell at one position sees and wants.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sight {
    pub position: usize,
    /// Its identity: its position in the initial array.
    pub id: u32,
    pub value: u32,
    pub algotype: Algotype,
    /// `increasing` or `decreasing`.
    pub goal: &'static str,
    pub frozen: bool,
    /// Positions it compares itself with now: a bubble cell's neighbours, an insertion cell's
    /// left neighbour, a selection cell's ideal position (when inside the array).
    pub looks_at: Vec<usize>,
    /// An activation now could change something (a read, a swap or a try, a selection cell's
    /// ideal moving on).
    pub wants: bool,
    /// It may act at all (not frozen; an insertion cell: everything to its left is in order).
    pub may_act: bool,
    /// A selection cell's ideal position (`None` for other Algotypes, or outside the array).
    pub ideal: Option<usize>,
    /// Its swaps that an immovable frozen cell refused, and (frozen) the tries aimed at it.
    pub denied: u32,
    pub nudges: u32,
    /// The reason, in words.
    pub why: String,
}

/// The cell's-eye view of the cell at `position` (`None` outside the array).
pub fn sight(array: &CellViewArray, position: usize) -> Option<Sight> {
    let cells = array.cells();
    let c = *cells.get(position)?;
    let goal = if c.decreasing { "decreasing" } else { "increasing" };
    // "out of order" for this cell's goal: (left, right) is inverted.
    let inverted = |left: u32, right: u32| if c.decreasing { left < right } else { left > right };
    let (bigger, smaller) = if c.decreasing { ("smaller", "larger") } else { ("larger", "smaller") };
    let immovable = array.frozen_kind() == FrozenKind::Immovable;
    let head = format!(
        "{} cell from position {} (value {}, goal: {goal} order), now at position {position}.",
        capitalised(c.algotype.id()),
        c.id,
        c.value
    );
    let mut looks_at = Vec::new();
    let mut ideal = None;
    let why = if c.frozen {
        format!(
            "{head} It is frozen (damaged): it never acts. Its neighbours have tried to swap with it {} time{}; {}.",
            c.nudges,
            plural(c.nudges),
            if immovable { "it cannot be moved, so each try is denied" } else { "it can still be moved by them" }
        )
    } else {
        match c.algotype {
            Algotype::Bubble => {
                let describe = |side: &str, at: Option<usize>, out: bool| -> String {
                    match at.map(|p| (p, cells[p])) {
                        None => format!("no {side} neighbour"),
                        Some((p, n)) => format!(
                            "{side} {} at {p} is {}{}",
                            n.value,
                            if out { "out of order" } else { "in order" },
                            match (n.frozen, out) {
                                (true, true) if immovable => " but frozen and immovable: a try there is denied",
                                (true, true) => " and frozen (movable: a try there swaps it)",
                                (true, false) => " (frozen)",
                                _ => "",
                            }
                        ),
                    }
                };
                let left = position.checked_sub(1);
                let right = (position + 1 < cells.len()).then_some(position + 1);
                let left_out = left.is_some_and(|p| inverted(cells[p].value, c.value));
                let right_out = right.is_some_and(|p| inverted(c.value, cells[p].value));
                looks_at.extend(left.into_iter().chain(right));
                let wish = match (left_out, right_out) {
                    (false, false) => {
                        "Both pairs are in order: it is content, and an activation does nothing.".to_string()
                    }
                    (true, true) => {
                        "When activated it looks left or right (½ each), and either way it swaps.".to_string()
                    }
                    (true, false) => {
                        "When activated it looks left or right (½ each): looking left, it swaps.".to_string()
                    }
                    (false, true) => {
                        "When activated it looks left or right (½ each): looking right, it swaps.".to_string()
                    }
                };
                format!(
                    "{head} It compares itself with its neighbours: {}; {}. {wish}",
                    describe("left", left, left_out),
                    describe("right", right, right_out)
                )
            }
            Algotype::Insertion => {
                let left = position.checked_sub(1);
                looks_at.extend(left);
                let blocked = (!array.may_act(position)).then(|| first_disorder_left_of(array, position, c.decreasing));
                match (blocked, left.map(|p| cells[p])) {
                    (_, None) => format!("{head} It is at the left end: nothing to its left, so it never moves."),
                    (Some(Some(p)), _) => format!(
                        "{head} It may act only when every pair of active cells to its left is in order. The pair at \
                         {p}–{} ({} then {}) is not, so it waits.",
                        p + 1,
                        cells[p].value,
                        cells[p + 1].value
                    ),
                    (Some(None), _) => format!(
                        "{head} It waits: a frozen cell to its left resets the official scan to −1, which a \
                         decreasing cell's test never passes (the code's quirk, docs/sorting.md)."
                    ),
                    (None, Some(l)) if inverted(l.value, c.value) && l.frozen && immovable => format!(
                        "{head} Everything to its left is in order, so it may act; its left neighbour {} is {bigger} \
                         but frozen and immovable: each try is denied.",
                        l.value
                    ),
                    (None, Some(l)) if inverted(l.value, c.value) => format!(
                        "{head} Everything to its left is in order, so it may act; its left neighbour {} is {bigger}, \
                         so when activated it swaps left.",
                        l.value
                    ),
                    (None, Some(l)) => format!(
                        "{head} Everything to its left is in order, so it may act; its left neighbour {} is {smaller}: \
                         it is in place for now.",
                        l.value
                    ),
                }
            }
            Algotype::Selection => {
                let at = c.ideal as usize;
                if at >= cells.len() {
                    format!("{head} Its ideal position has moved past the end of the array: it has stopped for good.")
                } else if at == position {
                    ideal = Some(at);
                    format!("{head} Its ideal position is where it stands ({at}): it rests.")
                } else {
                    ideal = Some(at);
                    looks_at.push(at);
                    let o = cells[at];
                    let next = if c.decreasing { at.wrapping_sub(1) } else { at + 1 };
                    let next = if next < cells.len() { format!("position {next}") } else { "past the end".to_string() };
                    // The official test is `<` whatever the goal (docs/sorting.md).
                    let will = if c.value < o.value {
                        if o.frozen && immovable {
                            format!(
                                "larger but frozen and immovable: the try is denied and its ideal moves on to {next}"
                            )
                        } else {
                            "larger, so when activated it swaps there (a long jump)".to_string()
                        }
                    } else {
                        format!("not larger, so when activated it gives up on {at} and looks at {next}")
                    };
                    format!("{head} It wants to sit at its ideal position {at}, held by {}: {will}.", o.value)
                }
            }
        }
    };
    Some(Sight {
        position,
        id: c.id,
        value: c.value,
        algotype: c.algotype,
        goal,
        frozen: c.frozen,
        looks_at,
        wants: array.wants_to_act(position),
        may_act: array.may_act(position),
        ideal,
        denied: c.denied,
        nudges: c.nudges,
        why,
    })
}

/// The first pair (p, p + 1) of adjacent active cells left of `position` that is out of order
/// for the goal, or `None` when the block comes from the decreasing scan's quirk.
fn first_disorder_left_of(array: &CellViewArray, position: usize, decreasing: bool) -> Option<usize> {
    let cells = array.cells();
    (0..position.saturating_sub(1)).find(|&p| {
        let (l, r) = (cells[p], cells[p + 1]);
        !l.frozen && !r.frozen && if decreasing { l.value < r.value } else { l.value > r.value }
    })
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|f| f.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn plural(count: u32) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rng::Rng;
    use crate::sorting::cellview::{Cell, StopRule};

    fn array(values: &[u32], algotype: Algotype, frozen: &[usize], kind: FrozenKind) -> CellViewArray {
        let cells = values
            .iter()
            .enumerate()
            .map(|(i, &v)| Cell { frozen: frozen.contains(&i), id: i as u32, ..Cell::new(v, algotype) })
            .collect();
        CellViewArray::from_cells(cells, Rng::seed_from_u64(1), kind, StopRule::Official)
    }

    #[test]
    fn a_bubble_cell_sees_both_neighbours_and_which_pair_is_out_of_order() {
        let a = array(&[0, 3, 2, 1, 4], Algotype::Bubble, &[], FrozenKind::Movable);
        let s = sight(&a, 2).unwrap();
        assert_eq!(s.looks_at, vec![1, 3]);
        assert!(s.wants && s.may_act);
        assert!(
            s.why.contains("left 3 at 1 is out of order") && s.why.contains("right 1 at 3 is out of order"),
            "{}",
            s.why
        );
        let calm = sight(&a, 4).unwrap();
        assert!(!calm.wants && calm.why.contains("content"), "{}", calm.why);
        assert_eq!(calm.looks_at, vec![3]);
    }

    #[test]
    fn an_insertion_cell_waits_for_the_disorder_to_its_left() {
        let a = array(&[1, 0, 2, 4, 3], Algotype::Insertion, &[], FrozenKind::Movable);
        let s = sight(&a, 4).unwrap();
        assert!(!s.may_act && !s.wants);
        assert!(s.why.contains("pair at 0–1 (1 then 0)"), "{}", s.why);
        let first = sight(&a, 1).unwrap();
        assert!(first.may_act && first.wants && first.why.contains("swaps left"), "{}", first.why);
    }

    #[test]
    fn a_selection_cell_sees_its_ideal_and_a_frozen_cell_its_tries() {
        let a = array(&[2, 0, 1], Algotype::Selection, &[], FrozenKind::Movable);
        // Cell 1 (value 0) has ideal 0, held by 2: larger, so it swaps there.
        let s = sight(&a, 1).unwrap();
        assert_eq!((s.ideal, s.looks_at.clone()), (Some(0), vec![0]));
        assert!(s.wants && s.why.contains("swaps there"), "{}", s.why);
        // Cell 0 stands at its ideal.
        assert!(sight(&a, 0).unwrap().why.contains("rests"));
        let f = array(&[0, 2, 1], Algotype::Bubble, &[2], FrozenKind::Immovable);
        let s = sight(&f, 1).unwrap();
        assert!(s.why.contains("frozen and immovable: a try there is denied"), "{}", s.why);
        assert!(sight(&f, 2).unwrap().why.contains("cannot be moved"));
        assert!(sight(&f, 3).is_none());
    }
}
