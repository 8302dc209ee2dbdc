//! Sets of cells painted by hand (the bit view's `paint` and `pair` views), packed for the URL.
//!
//! A set is written as its cells in increasing order, the first as itself and each next one as
//! the gap to the previous minus one, each number as a little-endian varint of 5-bit groups in
//! the URL-safe base64 alphabet (a character is 5 data bits plus a "more follows" bit). Forty
//! random cells of 2,048 take about 80 characters; a cell index below 2^20 takes at most four.

/// The URL-safe base64 alphabet (`A–Z a–z 0–9 - _`), as `core::params::ParamKind::Packed`.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// The "more follows" bit of a character's 6.
const MORE: u8 = 32;

/// The most characters a packed set may take in a URL (at least 4,096 cells of any n ≤ 2^20).
pub const MAX_PACKED_CHARS: usize = 16_384;

/// Packs `cells` (any order, duplicates ignored).
pub fn pack_cells(cells: &[u32]) -> String {
    let mut sorted = cells.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::with_capacity(sorted.len() * 2);
    let mut previous: Option<u32> = None;
    for &cell in &sorted {
        let mut value = match previous {
            None => cell,
            Some(p) => cell - p - 1,
        };
        previous = Some(cell);
        loop {
            let group = (value & 31) as u8;
            value >>= 5;
            let code = if value > 0 { group | MORE } else { group };
            out.push(ALPHABET[code as usize] as char);
            if value == 0 {
                break;
            }
        }
    }
    out
}

/// The cells of a packed set, in increasing order, and how many were dropped because they are
/// not below `n` (the population shrank since the set was painted). An unreadable text is an
/// error that says where it breaks.
pub fn unpack_cells(text: &str, n: u64) -> Result<(Vec<u32>, usize), String> {
    let mut cells = Vec::new();
    let mut dropped = 0;
    let mut value: u64 = 0;
    let mut shift = 0u32;
    let mut previous: Option<u64> = None;
    for (i, ch) in text.bytes().enumerate() {
        let Some(code) = ALPHABET.iter().position(|&c| c == ch) else {
            return Err(format!("character {} ('{}') is not in the packed alphabet", i + 1, ch.escape_ascii()));
        };
        let code = code as u8;
        if shift > 30 {
            return Err(format!("the number ending at character {} is too large", i + 1));
        }
        value |= u64::from(code & 31) << shift;
        shift += 5;
        if code & MORE != 0 {
            continue;
        }
        let cell = match previous {
            None => value,
            Some(p) => p + value + 1,
        };
        if cell >= 1 << 32 {
            return Err(format!("the cell ending at character {} is beyond any population", i + 1));
        }
        previous = Some(cell);
        if cell < n {
            cells.push(cell as u32);
        } else {
            dropped += 1;
        }
        value = 0;
        shift = 0;
    }
    if shift != 0 {
        return Err("the text ends in the middle of a number".into());
    }
    Ok((cells, dropped))
}

/// The cells with `cell` added when it is absent, removed when present (kept sorted).
pub fn toggled(cells: &[u32], cell: u32) -> Vec<u32> {
    let mut out = cells.to_vec();
    match out.binary_search(&cell) {
        Ok(i) => {
            out.remove(i);
        }
        Err(i) => out.insert(i, cell),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rng::Rng;

    #[test]
    fn packing_round_trips() {
        let mut rng = Rng::seed_from_u64(4);
        for n in [1u64, 16, 2048, 65_536, 1 << 20] {
            for k in [0usize, 1, 5, 40, 300] {
                let mut cells: Vec<u32> = (0..k).map(|_| rng.below(n) as u32).collect();
                cells.sort_unstable();
                cells.dedup();
                let packed = pack_cells(&cells);
                assert!(packed.bytes().all(|c| ALPHABET.contains(&c)));
                assert_eq!(unpack_cells(&packed, n).unwrap(), (cells.clone(), 0), "n={n} k={k}");
            }
        }
        assert_eq!(pack_cells(&[0, 1, 2]), "AAA");
        assert_eq!(pack_cells(&[31, 32]), "fA");
        assert_eq!(pack_cells(&[32]), "gB");
    }

    #[test]
    fn bad_text_is_an_error_and_cells_beyond_n_are_dropped() {
        assert!(unpack_cells("A!", 10).unwrap_err().contains("character 2"));
        assert!(unpack_cells("g", 10).unwrap_err().contains("middle"));
        assert!(unpack_cells("gggggggggA", 10).is_err());
        // Cells 3 and 40: n = 10 keeps 3 and drops 40.
        let packed = pack_cells(&[3, 40]);
        assert_eq!(unpack_cells(&packed, 10).unwrap(), (vec![3], 1));
    }

    #[test]
    fn toggling_adds_and_removes() {
        assert_eq!(toggled(&[1, 5], 3), vec![1, 3, 5]);
        assert_eq!(toggled(&[1, 3, 5], 3), vec![1, 5]);
    }
}
