//! Mean and standard deviation as the papers report them.

use serde::Serialize;

/// Mean and standard deviation over runs. The SD uses the population formula (divide by N),
/// as the sorting paper's analysis code does (numpy's default `std`; docs/sorting.md, "Metrics").
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MeanSd {
    pub mean: f64,
    pub sd: f64,
}

impl MeanSd {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        // Welford's running update: stable for long runs of large counts.
        let (mut count, mut mean, mut m2) = (0u64, 0.0f64, 0.0f64);
        for v in values {
            count += 1;
            let delta = v - mean;
            mean += delta / count as f64;
            m2 += delta * (v - mean);
        }
        if count == 0 {
            return Self { mean: f64::NAN, sd: f64::NAN };
        }
        Self { mean, sd: (m2 / count as f64).sqrt() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_sd() {
        let s = MeanSd::of([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(s.mean, 5.0);
        assert_eq!(s.sd, 2.0);
    }
}
