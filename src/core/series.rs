//! Metric series: columns of numbers recorded against a step axis, bounded in memory by
//! decimation, with CSV and JSON writers.
//!
//! A run of 25 million swaps cannot keep one row per swap for a live plot, so the series keeps
//! every `stride`-th row and, when it holds `capacity` rows, drops every other row and doubles
//! the stride. The first row is always kept and the newest row is always available through
//! [`MetricSeries::with_latest`], so plots start and end at the true values.

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct MetricSeries {
    names: Vec<&'static str>,
    /// `columns[0]` is the x axis (the step), the others follow `names[1..]`.
    columns: Vec<Vec<f64>>,
    stride: u64,
    capacity: usize,
    /// Rows offered so far (kept or not), used to decide which rows to keep.
    offered: u64,
    #[serde(skip)]
    latest: Option<Vec<f64>>,
}

impl MetricSeries {
    /// `names[0]` names the x axis. `capacity` is rounded up to an even number ≥ 4.
    pub fn new(names: &[&'static str], capacity: usize) -> Self {
        Self {
            names: names.to_vec(),
            columns: vec![Vec::new(); names.len()],
            stride: 1,
            capacity: capacity.max(4).next_multiple_of(2),
            offered: 0,
            latest: None,
        }
    }

    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    pub fn len(&self) -> usize {
        self.columns[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn column(&self, i: usize) -> &[f64] {
        &self.columns[i]
    }

    /// Whether the next row offered will be kept (callers may skip costly columns otherwise).
    pub fn keeps_next(&self) -> bool {
        self.offered.is_multiple_of(self.stride)
    }

    /// Offer one row (`row.len()` must equal the number of names; extra values are ignored,
    /// missing ones read as NaN).
    pub fn push(&mut self, row: &[f64]) {
        let row: Vec<f64> = (0..self.names.len()).map(|i| row.get(i).copied().unwrap_or(f64::NAN)).collect();
        if self.offered.is_multiple_of(self.stride) {
            for (col, v) in self.columns.iter_mut().zip(&row) {
                col.push(*v);
            }
            if self.len() >= self.capacity {
                for col in &mut self.columns {
                    let mut i = 0;
                    col.retain(|_| {
                        i += 1;
                        i % 2 == 1
                    });
                }
                self.stride *= 2;
            }
        }
        self.offered += 1;
        self.latest = Some(row);
    }

    /// Drop every row whose x is greater than `x` (used when stepping back).
    pub fn truncate_after(&mut self, x: f64) {
        let keep = self.columns[0].partition_point(|v| *v <= x);
        for col in &mut self.columns {
            col.truncate(keep);
        }
        // Rows are kept where offered % stride == 0; the rows offered so far map back to
        // the kept ones only approximately after a truncation, so restart counting from the
        // kept length. This keeps spacing uniform enough for plotting.
        self.offered = keep as u64 * self.stride;
        self.latest = None;
    }

    pub fn clear(&mut self) {
        for col in &mut self.columns {
            col.clear();
        }
        self.stride = 1;
        self.offered = 0;
        self.latest = None;
    }

    /// The kept columns, with the newest row appended when decimation skipped it.
    pub fn with_latest(&self) -> Vec<Vec<f64>> {
        let mut cols = self.columns.clone();
        if let Some(latest) = &self.latest {
            if cols[0].last() != latest.first() {
                for (col, v) in cols.iter_mut().zip(latest) {
                    col.push(*v);
                }
            }
        }
        cols
    }

    /// CSV with a header row; numbers in Rust's shortest round-trip form.
    pub fn to_csv(&self) -> String {
        let cols = self.with_latest();
        let mut out = self.names.join(",");
        out.push('\n');
        for r in 0..cols[0].len() {
            let row: Vec<String> = cols.iter().map(|c| format_number(c[r])).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }

    /// `{"columns": {"name": [..], ...}, "stride": s}` with NaN written as null.
    pub fn to_json(&self) -> serde_json::Value {
        let cols = self.with_latest();
        let mut map = serde_json::Map::new();
        for (name, col) in self.names.iter().zip(&cols) {
            let values: Vec<serde_json::Value> = col
                .iter()
                .map(|v| serde_json::Number::from_f64(*v).map_or(serde_json::Value::Null, serde_json::Value::Number))
                .collect();
            map.insert((*name).to_string(), serde_json::Value::Array(values));
        }
        serde_json::json!({ "columns": map, "stride": self.stride })
    }
}

fn format_number(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_bounds_memory_and_keeps_ends() {
        let mut s = MetricSeries::new(&["step", "y"], 8);
        for i in 0..1000 {
            s.push(&[i as f64, (i * 2) as f64]);
        }
        assert!(s.len() < 8);
        assert_eq!(s.column(0)[0], 0.0);
        let cols = s.with_latest();
        assert_eq!(*cols[0].last().unwrap(), 999.0);
        assert_eq!(*cols[1].last().unwrap(), 1998.0);
        // x stays increasing
        assert!(cols[0].windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn csv_and_json() {
        let mut s = MetricSeries::new(&["step", "y"], 100);
        s.push(&[0.0, 1.5]);
        s.push(&[1.0, f64::NAN]);
        assert_eq!(s.to_csv(), "step,y\n0,1.5\n1,\n");
        let j = s.to_json();
        assert_eq!(j["columns"]["y"][1], serde_json::Value::Null);
    }

    #[test]
    fn truncate_after_drops_later_rows() {
        let mut s = MetricSeries::new(&["step", "y"], 100);
        for i in 0..10 {
            s.push(&[i as f64, 0.0]);
        }
        s.truncate_after(4.0);
        assert_eq!(s.column(0), &[0.0, 1.0, 2.0, 3.0, 4.0]);
    }
}
