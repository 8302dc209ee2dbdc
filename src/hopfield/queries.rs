//! Queries: a stored pattern corrupted as the blog does it (mask the lower half) and in the
//! other ways the page offers (a rectangle, k flips, Gaussian noise, inversion).

use super::patterns::gaussian;
use crate::core::rng::Rng;

/// What a masked cell is set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// +1 (the blog's fill for binary images; docs/hopfield.md, "The blog post and its code").
    Plus,
    Minus,
    /// 0 (the blog's fill for greyscale images).
    Zero,
    /// A fair random ±1 per cell (as `utils.py`'s random mask in the blog's code).
    Noise,
}

/// How a query is made from a stored pattern.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Corruption {
    None,
    /// The blog's mask (docs/hopfield.md, "The blog post and its code"): rows i > h/2 (0-based,
    /// integer division) set to `fill`; on 64×64 that is rows 33..=63, 31 rows.
    MaskHalf {
        fill: Fill,
    },
    /// Cells with x ≤ column < x + w and y ≤ row < y + h (clipped to the grid) set to `fill`.
    MaskRect {
        x: usize,
        y: usize,
        w: usize,
        h: usize,
        fill: Fill,
    },
    /// k distinct components (chosen uniformly; k clamped to d) negated.
    Flip {
        k: usize,
    },
    /// Independent N(0, σ²) added to every component.
    Gaussian {
        sigma: f64,
    },
    /// Every component negated.
    Invert,
}

fn fill_value(fill: Fill, rng: &mut Rng) -> f32 {
    match fill {
        Fill::Plus => 1.0,
        Fill::Minus => -1.0,
        Fill::Zero => 0.0,
        Fill::Noise => {
            if rng.coin() {
                1.0
            } else {
                -1.0
            }
        }
    }
}

/// The query made from `pattern` (a `width`×`height` grid, row-major). Draws come from `rng`
/// in cell order (noise fills, Gaussian noise) or as a partial Fisher–Yates shuffle (flips).
pub fn corrupt(pattern: &[f32], width: usize, height: usize, corruption: &Corruption, rng: &mut Rng) -> Vec<f32> {
    let mut q = pattern.to_vec();
    let d = q.len().min(width * height);
    match *corruption {
        Corruption::None => {}
        Corruption::MaskHalf { fill } => {
            for row in (height / 2 + 1)..height {
                for v in &mut q[row * width..(row + 1) * width] {
                    *v = fill_value(fill, rng);
                }
            }
        }
        Corruption::MaskRect { x, y, w, h, fill } => {
            let (x1, y1) = (x.saturating_add(w).min(width), y.saturating_add(h).min(height));
            for row in y.min(height)..y1 {
                for v in &mut q[row * width + x.min(width)..row * width + x1] {
                    *v = fill_value(fill, rng);
                }
            }
        }
        Corruption::Flip { k } => {
            for i in choose_distinct(d, k, rng) {
                q[i] = -q[i];
            }
        }
        Corruption::Gaussian { sigma } => {
            for v in &mut q {
                *v = (f64::from(*v) + sigma * gaussian(rng)) as f32;
            }
        }
        Corruption::Invert => q.iter_mut().for_each(|v| *v = -*v),
    }
    q
}

/// k distinct indices of 0..d (k clamped to d), uniformly: the first k of a partial
/// Fisher–Yates shuffle.
pub fn choose_distinct(d: usize, k: usize, rng: &mut Rng) -> Vec<usize> {
    let k = k.min(d);
    let mut idx: Vec<usize> = (0..d).collect();
    for i in 0..k {
        let j = i + rng.index(d - i);
        idx.swap(i, j);
    }
    idx.truncate(k);
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_mask_is_the_blogs() {
        let p = vec![-1.0f32; 64 * 64];
        let q = corrupt(&p, 64, 64, &Corruption::MaskHalf { fill: Fill::Plus }, &mut Rng::seed_from_u64(1));
        assert_eq!(q.iter().filter(|&&v| v == 1.0).count(), 1984);
        assert!(q[..33 * 64].iter().all(|&v| v == -1.0));
    }
}
