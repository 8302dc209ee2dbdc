//! Metrics of the sorting paper, exactly as its analysis code computes them (spec §3).

/// Monotonicity error (paper p.9): E = Σ_{i≥1} [V_i < V_{i−1}], the number of adjacent
/// descents of an increasing goal (`delay_gratification_analysis.get_monotonicity`).
pub fn monotonicity_error(values: &[u32]) -> u64 {
    values.windows(2).filter(|w| w[1] < w[0]).count() as u64
}

/// Sortedness in percent, the code's definition used for Figs. 3 and 5
/// (`analysis/utils.get_monotonicity`): S = 100·(1 + #{i ≥ 1 : V_i ≥ V_{i−1}})/n, i.e. the first
/// cell counts as in order and the test is non-strict. Equivalently S = 100·(n − E)/n.
pub fn sortedness_percent(n: usize, monotonicity_error: u64) -> f64 {
    if n == 0 {
        return 100.0;
    }
    100.0 * (n as f64 - monotonicity_error as f64) / n as f64
}

/// Number of inversions, pairs i < j with V_i > V_j, by merge sort in O(n log n). With distinct
/// values every adjacent swap of an inverted pair removes exactly one inversion, so this is
/// the exact swap count of cell-view bubble and insertion sort (spec §1.3, §5).
pub fn inversions(values: &[u32]) -> u64 {
    let mut v = values.to_vec();
    let mut buf = vec![0u32; v.len()];
    count_merge(&mut v, &mut buf)
}

fn count_merge(v: &mut [u32], buf: &mut [u32]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut count = {
        let (left, right) = v.split_at_mut(mid);
        count_merge(left, &mut buf[..mid]) + count_merge(right, &mut buf[mid..])
    };
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if v[j] < v[i] {
            count += (mid - i) as u64;
            buf[k] = v[j];
            j += 1;
        } else {
            buf[k] = v[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
    k += mid - i;
    buf[k..k + n - j].copy_from_slice(&v[j..n]);
    v.copy_from_slice(&buf[..n]);
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_and_sortedness() {
        let v = [3, 1, 2, 2, 0];
        assert_eq!(monotonicity_error(&v), 2);
        // code definition: 100·(1 + #{V_i ≥ V_{i−1}})/n = 100·(1+2)/5
        assert_eq!(sortedness_percent(5, 2), 60.0);
    }

    #[test]
    fn inversions_match_brute_force() {
        let mut rng = crate::core::rng::Rng::seed_from_u64(11);
        for n in [0usize, 1, 2, 7, 64, 101] {
            let mut v: Vec<u32> = (0..n as u32).map(|_| rng.below(20) as u32).collect();
            rng.shuffle(&mut v);
            let brute = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).filter(|&(i, j)| v[i] > v[j]).count() as u64;
            assert_eq!(inversions(&v), brute);
        }
    }
}
