//! The figures of the page (and of `emergence-lab dendrites figure`): each is the paper's
//! curves, rebuilt from the theory (docs/dendrites.md, "Labels"), plus the user's current
//! curve, and the points a simulation should check. Curves are plain numbers; the page draws
//! them with log axes.
//!
//! Where the official figures erred (docs/dendrites.md, "Where the official material errs") the
//! curves here are right and the notes say what the official picture shows instead.

use super::logmath::{finite_or_null, Prob};
use super::simulate::McKind;
use super::theory::{self, UnionMethod};
use super::DendriteParams;
use serde::Serialize;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    /// A theory curve of the paper.
    Line,
    /// A dashed theory curve (the paper's dense-code or bound curves).
    Dashed,
    /// Numbers the official code reports from its simulation (points).
    Points,
    /// The user's current parameters (highlighted).
    Current,
}

#[derive(Clone, Debug, Serialize)]
pub struct Series {
    pub label: String,
    pub style: Style,
    pub x: Vec<f64>,
    /// `None` where the value is exactly 0 (no point on a log axis) or below f64's range.
    pub y: Vec<Option<f64>>,
}

/// A point the page may simulate (plain Monte Carlo, or importance sampling below 1e-4 for every
/// kind but E4 with K > 1).
#[derive(Clone, Debug, Serialize)]
pub struct SimRequest {
    /// The label of the theory series this point checks.
    pub series: String,
    pub x: f64,
    pub kind: McKind,
    /// The exact value; `None` (JSON `null`) where it underflows f64: `theory_log10` holds it.
    pub theory: Option<f64>,
    /// log10 of the exact value (finite: exact zeros are not requested).
    pub theory_log10: f64,
    pub importance: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Marker {
    pub x: f64,
    pub y: f64,
    pub label: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    pub id: &'static str,
    pub title: &'static str,
    pub x_label: &'static str,
    pub y_label: &'static str,
    pub x_log: bool,
    pub y_log: bool,
    pub series: Vec<Series>,
    /// Shade the region y ≤ this value (F-θ: 1e-9).
    pub shade_below: Option<f64>,
    /// Mark the x range (F-θ: measured NMDA thresholds, 8–20 synapses).
    pub x_band: Option<(f64, f64, &'static str)>,
    /// The user's current point on the current curve.
    pub marker: Option<Marker>,
    pub notes: Vec<String>,
    pub simulate: Vec<SimRequest>,
}

/// Below this a plain simulation is hopeless at page sizes; E3, E5, E6 and E7 use importance
/// sampling ([`super::simulate::ImportanceSimulation`]); E4 with K > 1 stays plain.
const IMPORTANCE_BELOW: f64 = 1e-4;

/// Whether a point's exact value is below [`IMPORTANCE_BELOW`].
fn rare(p: &Prob) -> bool {
    p.value() < IMPORTANCE_BELOW
}
/// Most work (roughly M · union size · s steps) an exact union distribution may take for the
/// page, which rebuilds a figure on every slider move (about 20–50 ms in wasm); beyond it the
/// page uses the official rounded method and says so. The CLI has no such limit.
const INTERACTIVE_UNION_WORK: u64 = 20_000_000;

/// The union method the page can afford at (n, s, m): the requested one, or rounded (also the
/// bit view's read-out, `super::lab`).
pub(crate) fn affordable(method: UnionMethod, n: u64, s: u64, m: u64) -> UnionMethod {
    let work = m.saturating_mul(n.min(m.saturating_mul(s))).saturating_mul(s);
    if method == UnionMethod::Exact && work > INTERACTIVE_UNION_WORK {
        UnionMethod::Rounded
    } else {
        method
    }
}

/// Longest x grid of a current curve.
const MAX_POINTS: u64 = 240;

/// Smallest probability a figure plots: f64 keeps 1e-308 only as a subnormal, and plots (and
/// their log axes) need normal numbers. Values below it are left out; the equations panel shows
/// them as powers of ten.
pub const SMALLEST_PLOTTED: f64 = 1e-300;

/// Whether a simulation could ever hit (an exact 0 is not worth simulating).
fn possible(p: &Prob) -> bool {
    p.ln_p > f64::NEG_INFINITY
}

fn y_of(p: Prob) -> Option<f64> {
    let v = p.value();
    (v >= SMALLEST_PLOTTED && v.is_finite()).then_some(v)
}

fn series(label: impl Into<String>, style: Style, points: impl IntoIterator<Item = (f64, Option<f64>)>) -> Series {
    let (x, y) = points.into_iter().unzip();
    Series { label: label.into(), style, x, y }
}

/// `from..=to` in steps of at least `step`, thinned to at most [`MAX_POINTS`] points, always
/// containing `must` when it lies in range (so the marker sits on the curve).
fn grid(from: u64, to: u64, step: u64, must: Option<u64>) -> Vec<u64> {
    if to < from {
        return Vec::new();
    }
    let step = step.max((to - from) / MAX_POINTS + 1);
    let mut xs: Vec<u64> = (from..=to).step_by(step as usize).collect();
    if let Some(m) = must.filter(|m| (from..=to).contains(m)) {
        xs.push(m);
    }
    xs.sort_unstable();
    xs.dedup();
    xs
}

fn e3(n: u64, a: u64, s: u64, theta: u64) -> Option<f64> {
    theory::false_match(n, a, s, theta).ok().and_then(y_of)
}

fn false_match_request(series: &str, x: f64, n: u64, a: u64, s: u64, theta: u64) -> Option<SimRequest> {
    let exact = theory::false_match(n, a, s, theta).ok().filter(possible)?;
    Some(SimRequest {
        series: series.to_string(),
        x,
        kind: McKind::FalseMatch { n, a, s, theta, segments: 1 },
        theory: exact.representable(),
        theory_log10: exact.log10(),
        importance: rare(&exact),
    })
}

/// Every figure id with its title (menu order).
pub fn list() -> &'static [(&'static str, &'static str)] {
    super::FIGURES
}

/// Build figure `id` for the current parameters.
pub fn figure(id: &str, p: &DendriteParams) -> Result<Figure, String> {
    let title = super::FIGURES
        .iter()
        .find(|(fid, _)| *fid == id)
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("there is no figure \"{id}\""))?;
    let id = super::FIGURES.iter().find(|(fid, _)| *fid == id).map(|(fid, _)| *fid).unwrap_or("fn");
    let mut f = Figure {
        id,
        title,
        x_label: "",
        y_label: "probability of a false positive",
        x_log: false,
        y_log: true,
        series: Vec::new(),
        shade_below: None,
        x_band: None,
        marker: None,
        notes: Vec::new(),
        simulate: Vec::new(),
    };
    let current = format!("current: a = {}, s = {}, θ = {}", p.a, p.s, p.theta);
    match id {
        "fn" => {
            f.x_label = "cell population size n";
            let top = 19_900.max(p.n);
            let paper = grid(300, 19_900, 200, None);
            for a in [64u64, 128, 256] {
                f.series.push(series(
                    format!("a = {a}, s = 24, θ = 12"),
                    Style::Line,
                    paper.iter().map(|&n| (n as f64, e3(n, a, 24, 12))),
                ));
            }
            f.series.push(series(
                "dense: a = n/4 (official label says n/2)",
                Style::Dashed,
                paper.iter().map(|&n| (n as f64, e3(n, n / 4, 24, 12))),
            ));
            let from = 300.min(p.n).max(p.a).max(p.s);
            let xs = grid(from, top, 200, Some(p.n));
            f.series.push(series(
                current.clone(),
                Style::Current,
                xs.iter().map(|&n| (n as f64, e3(n, p.a, p.s, p.theta))),
            ));
            f.notes.push("The official plot_effect_of_n.py draws the a = 128, a = 256 and dense lists 200 cells to the right of their true n; they are drawn at their true n here (docs/dendrites.md, 'Where the official material errs', 1).".into());
            f.notes.push("The dashed curve is labelled a = n/2 in the official figure, but its numbers are for a = n/4 (a = n/2 gives about 0.58 at every n; docs/dendrites.md, 'Where the official material errs', 2).".into());
            for (i, &n) in grid(from, top, 1, None).iter().step_by(((top - from) / 6 + 1) as usize).enumerate() {
                if i < 8 {
                    f.simulate.extend(false_match_request(&current, n as f64, n, p.a, p.s, p.theta));
                }
            }
            f.marker = e3(p.n, p.a, p.s, p.theta).map(|y| Marker { x: p.n as f64, y, label: format!("n = {}", p.n) });
        }
        "fs" => {
            f.x_label = "synapses on the segment s (θ = s/2)";
            let top = 30.max(p.s);
            for (a, n, style) in [
                (32u64, 2000u64, Style::Line),
                (32, 4000, Style::Line),
                (512, 16_000, Style::Line),
                (4000, 16_000, Style::Dashed),
            ] {
                let label = if style == Style::Dashed {
                    format!("a = {a}, n = {n} (dense, 25%)")
                } else {
                    format!("a = {a}, n = {n}")
                };
                f.series.push(series(label, style, (2..=30).step_by(2).map(|s| (s as f64, e3(n, a, s, s / 2)))));
            }
            let cur = format!("current: n = {}, a = {}, θ = s/2", p.n, p.a);
            let xs = grid(2, top.min(p.n), 2, Some(p.s));
            f.series.push(series(cur, Style::Current, xs.iter().map(|&s| (s as f64, e3(p.n, p.a, s, s / 2)))));
            f.marker = e3(p.n, p.a, p.s, p.s / 2).map(|y| Marker {
                x: p.s as f64,
                y,
                label: format!("s = {}, θ = {}", p.s, p.s / 2),
            });
        }
        "noise" => {
            f.x_label = "noise: fraction v/a of the active cells replaced";
            f.y_label = "probability of a false negative";
            let paper_v: Vec<u64> = (1..=16).map(|k| (k as f64 * 0.05 * 128.0).round() as u64).collect();
            for theta in [8u64, 12, 16] {
                f.series.push(series(
                    format!("θ = {theta} (a = 128, s = 30)"),
                    Style::Line,
                    paper_v
                        .iter()
                        .map(|&v| (v as f64 / 128.0, theory::false_negative(128, 30, theta, v).ok().and_then(y_of))),
                ));
            }
            // Observed values quoted from plot_noise_results.py (F-noise in docs/dendrites.md, "Labels").
            for (theta, points) in [
                (8, &[(64.0, 7.358e-4)][..]),
                (12, &[(64.0, 0.0717)][..]),
                (16, &[(19.0, 1.0e-8), (32.0, 5.95e-4), (64.0, 0.5825)][..]),
            ] {
                f.series.push(series(
                    format!("official simulation, θ = {theta}"),
                    Style::Points,
                    points.iter().map(|&(v, y): &(f64, f64)| (v / 128.0, Some(y))),
                ));
            }
            let cur = format!("current: a = {}, s = {}, θ = {}", p.a, p.s.min(p.a), p.theta);
            let s = p.s.min(p.a);
            let xs = grid(0, p.a, 1, Some(p.v));
            let fn_at = |v: u64| theory::false_negative(p.a, s, p.theta, v).ok().and_then(y_of);
            f.series.push(series(
                cur.clone(),
                Style::Current,
                xs.iter().map(|&v| (v as f64 / p.a.max(1) as f64, fn_at(v))),
            ));
            let mut impossible = 0;
            for k in 1..=16u64 {
                let v = ((k as f64 * 0.05 * p.a as f64).round() as u64).min(p.a);
                match theory::false_negative(p.a, s, p.theta, v) {
                    // Exactly 0 (v ≤ s − θ): nothing to simulate; the note says so.
                    Ok(t) if t.ln_p == f64::NEG_INFINITY => impossible += 1,
                    Ok(t) => f.simulate.push(SimRequest {
                        series: cur.clone(),
                        x: v as f64 / p.a.max(1) as f64,
                        kind: McKind::FalseNegative { n: p.n, a: p.a, s, theta: p.theta, v },
                        theory: t.representable(),
                        theory_log10: t.log10(),
                        importance: rare(&t),
                    }),
                    Err(_) => {}
                }
            }
            if impossible > 0 {
                f.notes.push(format!(
                    "{impossible} of the 16 noise levels offered for simulation have v ≤ s − θ = {}: a false \
                     negative is exactly impossible there, so they are not simulated.",
                    s.saturating_sub(p.theta)
                ));
            }
            f.notes.push("n plays no part in E5; the official simulation used n = 6000. A false negative is exactly impossible while v ≤ s − θ, so those points are missing from the log axis.".into());
            f.notes.push("The official notebook prints 3.113e-16 for θ = 8, v = 26; the exact value is 3.142e-16 (sympy lost precision; docs/dendrites.md, 'Where the official material errs', 3).".into());
            f.marker =
                fn_at(p.v).map(|y| Marker { x: p.v as f64 / p.a.max(1) as f64, y, label: format!("v = {}", p.v) });
        }
        "theta" => {
            f.x_label = "synapses needed for a dendritic spike θ";
            f.y_label = "median probability of a false positive";
            let rows = theory::threshold_median(&theory::ThresholdGrid::official())?;
            let pos = |v: f64| (v >= SMALLEST_PLOTTED).then_some(v);
            f.series.push(series(
                "median of E3 over the official grid (210 combinations)",
                Style::Line,
                rows.iter().map(|r| (r.theta as f64, pos(r.median))),
            ));
            f.series.push(series("grid maximum", Style::Dashed, rows.iter().map(|r| (r.theta as f64, pos(r.max)))));
            f.series.push(series("grid minimum", Style::Dashed, rows.iter().map(|r| (r.theta as f64, pos(r.min)))));
            let xs = grid(1, p.s.clamp(1, 60), 1, Some(p.theta));
            f.series.push(series(
                format!("current false match: n = {}, a = {}, s = {}", p.n, p.a, p.s),
                Style::Current,
                xs.iter().map(|&t| (t as f64, e3(p.n, p.a, p.s, t))),
            ));
            let s = p.s.min(p.a);
            f.series.push(series(
                format!("current false negative at v = {} (E5)", p.v),
                Style::Dashed,
                xs.iter().map(|&t| (t as f64, theory::false_negative(p.a, s, t, p.v).ok().and_then(y_of))),
            ));
            f.shade_below = Some(1e-9);
            f.x_band = Some((8.0, 20.0, "measured NMDA-spike thresholds: 8–20 synapses"));
            f.notes.push("Grid of compute_optimal_threshold.py: n ∈ {1000, 5000, 9000, 13000, 17000}, sparsity 0.5%–3%, s = 20…50; the shaded band is a median of at most 1e-9.".into());
            f.marker =
                e3(p.n, p.a, p.s, p.theta).map(|y| Marker { x: p.theta as f64, y, label: format!("θ = {}", p.theta) });
        }
        "sim" => {
            f.x_label = "cell population size n";
            let xs = grid(300, 3500, 100, None);
            for a in [64u64, 128, 256] {
                f.series.push(series(
                    format!("theory a = {a}"),
                    Style::Line,
                    xs.iter().map(|&n| (n as f64, e3(n, a, 24, 12))),
                ));
            }
            // Simulated values hard-coded in plot_numerical_results.py (F-sim in docs/dendrites.md,
            // "Labels").
            for (a, points) in [
                (64, &[(300.0, 1.09318e-3), (500.0, 5.74e-6), (700.0, 1.1e-7)][..]),
                (
                    128,
                    &[(300.0, 0.292048), (500.0, 7.378e-3), (700.0, 3.2014e-4), (900.0, 2.585e-5), (1100.0, 2.95e-6)][..],
                ),
                (256, &[(300.0, 0.997368), (700.0, 0.121048), (3500.0, 2e-8)][..]),
            ] {
                f.series.push(series(
                    format!("official C++ simulation a = {a} (10⁸ samples)"),
                    Style::Points,
                    points.iter().map(|&(x, y): &(f64, f64)| (x, Some(y))),
                ));
            }
            for (a, ns) in
                [(64u64, &[300u64, 500, 700][..]), (128, &[300, 500, 700, 900, 1100]), (256, &[300, 700, 3500])]
            {
                for &n in ns {
                    f.simulate.extend(false_match_request(&format!("theory a = {a}"), n as f64, n, a, 24, 12));
                }
            }
            f.notes.push("s = 24, θ = 12. The official plot_numerical_results.py swaps the legend labels \"predicted\" and \"observed\".".into());
        }
        "u1" => {
            f.x_label = "patterns combined in the union M";
            f.y_label = "synapses on the segment S(M)";
            f.y_log = false;
            for s in [20u64, 25, 30] {
                f.series.push(series(
                    format!("n = 1000, s = {s}"),
                    Style::Line,
                    (1..=19).map(|m| (m as f64, Some(theory::union_synapses(1000, s, m)))),
                ));
            }
            let xs = grid(1, 19.max(p.m), 1, Some(p.m));
            f.series.push(series(
                format!("current: n = {}, s = {}", p.n, p.s),
                Style::Current,
                xs.iter().map(|&m| (m as f64, Some(theory::union_synapses(p.n, p.s, m)))),
            ));
            f.marker =
                Some(Marker { x: p.m as f64, y: theory::union_synapses(p.n, p.s, p.m), label: format!("M = {}", p.m) });
        }
        "u2" => {
            f.x_label = "patterns combined in the union M";
            for n in [1000u64, 10_000, 20_000] {
                for (method, style, name) in [
                    (UnionMethod::Rounded, Style::Line, "rounded mean, official"),
                    (UnionMethod::Exact, Style::Dashed, "exact"),
                ] {
                    f.series.push(series(
                        format!("n = {n} ({name})"),
                        style,
                        (1..=19)
                            .map(|m| (m as f64, theory::union_segment(n, 200, 25, 15, m, method).ok().and_then(y_of))),
                    ));
                }
            }
            let xs = grid(1, 19.max(p.m), 1, Some(p.m));
            let top = xs.last().copied().unwrap_or(1);
            let method = affordable(p.union, p.n, p.s, top);
            if method != p.union {
                f.notes.push(format!("The exact union distribution up to M = {top} with s = {} and n = {} is too costly to recompute on every change; the current curve uses the official rounded method (the CLI computes the exact one: emergence-lab dendrites union-segment --method exact).", p.s, p.n));
            }
            let method_name = if method == UnionMethod::Exact { "exact" } else { "rounded" };
            let cur = format!("current ({method_name}): n = {}, a = {}, s = {}, θ = {}", p.n, p.a, p.s, p.theta);
            let at = |m: u64| theory::union_segment(p.n, p.a, p.s, p.theta, m, method).ok().and_then(y_of);
            f.series.push(series(cur.clone(), Style::Current, xs.iter().map(|&m| (m as f64, at(m)))));
            // A simulation draws real unions: compare it with the exact mixture where affordable.
            let sim_method = affordable(UnionMethod::Exact, p.n, p.s, 19.min(top));
            for &m in xs.iter().filter(|&&m| m <= 19) {
                if let Some(t) = theory::union_segment(p.n, p.a, p.s, p.theta, m, sim_method).ok().filter(possible) {
                    f.simulate.push(SimRequest {
                        series: cur.clone(),
                        x: m as f64,
                        kind: McKind::UnionSegment { n: p.n, a: p.a, s: p.s, theta: p.theta, m },
                        theory: t.representable(),
                        theory_log10: t.log10(),
                        importance: rare(&t),
                    });
                }
            }
            f.notes.push("a = 200, s = 25 per pattern, θ = 15. The official sdr_paper_unions.py puts the rounded mean union size into E3; the exact mixture over the union size differs by about 7% at n = 1000 and 2% at n = 10000 (docs/dendrites.md, 'Where the official material errs', 6). Simulations agree with the exact mixture.".into());
            f.marker = at(p.m).map(|y| Marker { x: p.m as f64, y, label: format!("M = {}", p.m) });
        }
        "uin" => {
            f.x_label = "patterns in the input union M";
            for n in [1000u64, 4000, 8000] {
                f.series.push(series(
                    format!("n = {n} (a = 30, s = 20, θ = 10)"),
                    Style::Line,
                    (1..=39).map(|m| (m as f64, theory::union_input(n, 30, 20, 10, m).ok().and_then(y_of))),
                ));
            }
            let cur = format!("current: n = {}, a = {}, s = {}, θ = {}", p.n, p.a, p.s, p.theta);
            let xs = grid(1, 39.max(p.m), 1, Some(p.m));
            let at = |m: u64| theory::union_input(p.n, p.a, p.s, p.theta, m).ok().and_then(y_of);
            f.series.push(series(cur.clone(), Style::Current, xs.iter().map(|&m| (m as f64, at(m)))));
            // A simulation draws real unions: compare it with the exact mixture over their size
            // where the page can afford it, else with the official curve.
            let exact_ok = affordable(UnionMethod::Exact, p.n, p.a, 39) == UnionMethod::Exact;
            for &m in xs.iter().filter(|&&m| m <= 39).step_by(3) {
                let t = if exact_ok {
                    theory::union_input_exact(p.n, p.a, p.s, p.theta, m)
                } else {
                    theory::union_input(p.n, p.a, p.s, p.theta, m)
                };
                if let Some(t) = t.ok().filter(possible) {
                    f.simulate.push(SimRequest {
                        series: cur.clone(),
                        x: m as f64,
                        kind: McKind::UnionInput { n: p.n, a: p.a, s: p.s, theta: p.theta, m },
                        theory: t.representable(),
                        theory_log10: t.log10(),
                        importance: rare(&t),
                    });
                }
            }
            f.notes.push("The official sdr_paper_unions.py puts the non-integer expected union size A(M) = n(1 − (1 − a/n)^M) into E3 through Γ-function binomials; so does this curve. A simulation draws real unions, whose size varies, so it can differ where the curve is steep; its points are compared with the exact mixture over the union's size (emergence-lab dendrites simulate --kind union-input compares with it too).".into());
            f.marker = at(p.m).map(|y| Marker { x: p.m as f64, y, label: format!("M = {}", p.m) });
        }
        "neuron" => {
            f.x_label = "independent segments (or stored patterns) K";
            f.x_log = true;
            let p1 = theory::false_match(p.n, p.a, p.s, p.theta)?;
            let top = 10_000.max(p.k);
            let mut ks: Vec<u64> =
                (0..=80).map(|i| (10f64.powf(i as f64 * (top as f64).log10() / 80.0)).round() as u64).collect();
            ks.push(p.k);
            ks.sort_unstable();
            ks.dedup();
            let exact = |k: u64| theory::set_match(p.n, p.a, p.s, p.theta, k).ok();
            f.series.push(series(
                "exact 1 − (1 − p)^K",
                Style::Current,
                ks.iter().map(|&k| (k as f64, exact(k).and_then(|s| y_of(s.exact)))),
            ));
            f.series.push(series(
                "union bound K·p (2015 paper)",
                Style::Dashed,
                ks.iter().map(|&k| (k as f64, exact(k).map(|s| s.bound).filter(|b| *b >= SMALLEST_PLOTTED))),
            ));
            for &k in ks.iter().filter(|&&k| k <= 1000).step_by(10) {
                if let Some(s) = exact(k).filter(|s| possible(&s.exact)) {
                    f.simulate.push(SimRequest {
                        series: "exact 1 − (1 − p)^K".into(),
                        x: k as f64,
                        kind: McKind::FalseMatch { n: p.n, a: p.a, s: p.s, theta: p.theta, segments: k },
                        theory: s.exact.representable(),
                        theory_log10: s.exact.log10(),
                        importance: false,
                    });
                }
            }
            f.notes.push(format!(
                "One segment: p = {:.4e} (n = {}, a = {}, s = {}, θ = {}). The bound passes 1 where the exact value saturates; the official README's \"formula\" column is this bound, its simulation agrees with the exact form.",
                p1.value(), p.n, p.a, p.s, p.theta
            ));
            let chosen = exact(p.k).map(|s| if p.set_exact { s.exact.value() } else { s.bound });
            f.marker = chosen.filter(|y| *y >= SMALLEST_PLOTTED).map(|y| Marker {
                x: p.k as f64,
                y,
                label: format!("K = {}", p.k),
            });
        }
        _ => return Err(format!("there is no figure \"{id}\"")),
    }
    Ok(f)
}

/// The overlap distribution of a random pattern with the segment (hypergeometric pmf), with the
/// θ cut-off: the tail at or above θ is E3.
#[derive(Clone, Debug, Serialize)]
pub struct Histogram {
    pub overlap: Vec<u64>,
    pub probability: Vec<Option<f64>>,
    pub theta: u64,
    pub tail: f64,
    pub tail_log10: f64,
}

pub fn overlap_histogram(p: &DendriteParams) -> Result<Histogram, String> {
    let pmf = theory::overlap_pmf(p.n, p.a, p.s)?;
    let tail = theory::false_match(p.n, p.a, p.s, p.theta)?;
    let (overlap, probability) = pmf.iter().map(|(b, pr)| (*b, y_of(*pr))).unzip();
    Ok(Histogram { overlap, probability, theta: p.theta, tail: tail.value(), tail_log10: tail.log10() })
}

/// The equations' numbers for the current parameters (the page substitutes them into MathML).
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub params: DendriteParams,
    pub sdr_count_log10: f64,
    pub false_match: serde_json::Value,
    pub set_exact: serde_json::Value,
    /// K·P_fm; 0 where it underflows f64 (`set_bound_log10` holds it).
    pub set_bound: f64,
    pub set_bound_log10: serde_json::Value,
    pub false_negative: serde_json::Value,
    pub union_synapses: f64,
    /// `null` where the exact distribution is too costly for the page (see the CLI).
    pub union_exact: serde_json::Value,
    pub union_rounded: serde_json::Value,
    pub union_input_size: f64,
    pub union_input: serde_json::Value,
    pub sparsity: f64,
}

pub fn summary(p: &DendriteParams) -> Result<Summary, String> {
    let set = theory::set_match(p.n, p.a, p.s, p.theta, p.k)?;
    Ok(Summary {
        params: *p,
        sdr_count_log10: theory::sdr_count_ln(p.n, p.a)? / std::f64::consts::LN_10,
        false_match: theory::false_match(p.n, p.a, p.s, p.theta)?.json(),
        set_exact: set.exact.json(),
        set_bound: set.bound,
        set_bound_log10: finite_or_null(set.bound_log10),
        false_negative: theory::false_negative(p.a, p.s.min(p.a), p.theta, p.v)?.json(),
        union_synapses: theory::union_synapses(p.n, p.s, p.m),
        union_exact: if affordable(UnionMethod::Exact, p.n, p.s, p.m) == UnionMethod::Exact {
            theory::union_segment(p.n, p.a, p.s, p.theta, p.m, UnionMethod::Exact)?.json()
        } else {
            serde_json::Value::Null
        },
        union_rounded: theory::union_segment(p.n, p.a, p.s, p.theta, p.m, UnionMethod::Rounded)?.json(),
        union_input_size: theory::union_input_size(p.n, p.a, p.m),
        union_input: theory::union_input(p.n, p.a, p.s, p.theta, p.m)?.json(),
        sparsity: p.a as f64 / p.n.max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cases() -> Vec<DendriteParams> {
        let d = DendriteParams::default();
        vec![
            d,
            DendriteParams { n: 1_000_000, a: 2000, s: 40, theta: 20, v: 100, m: 19, k: 500, ..d },
            DendriteParams { n: 16, a: 16, s: 16, theta: 0, v: 16, m: 1, k: 1, ..d },
            DendriteParams { n: 100_000, a: 50_000, s: 1000, theta: 1000, v: 0, m: 1000, k: 100_000, ..d },
        ]
    }

    #[test]
    fn every_figure_builds_with_finite_positive_values() {
        for p in cases() {
            for (id, _) in list() {
                let start = std::time::Instant::now();
                let f = figure(id, &p).unwrap_or_else(|e| panic!("{id} {p:?}: {e}"));
                assert!(!f.series.is_empty(), "{id}");
                for s in &f.series {
                    assert_eq!(s.x.len(), s.y.len());
                    for y in s.y.iter().flatten() {
                        assert!(y.is_finite() && *y >= SMALLEST_PLOTTED, "{id} {}: {y}", s.label);
                    }
                }
                for r in &f.simulate {
                    assert!(r.theory.is_none_or(|t| t.is_finite() && t > 0.0) && r.theory_log10.is_finite());
                }
                eprintln!("{id} n={} a={} s={}: {:?}", p.n, p.a, p.s, start.elapsed());
            }
            overlap_histogram(&p).unwrap();
            summary(&p).unwrap();
        }
    }
}
