//! The whole state of a lab in a URL query string, TensorFlow-Playground style.
//!
//! `exp=sorting&seed=7&step=120&n=100&speed=200&backend=webgpu&controls=play,step&autoplay=1`
//!
//! Rust owns both directions so that validation lives in one place: [`decode`] never fails.
//! Every malformed, unknown or out-of-range value is clamped or dropped and reported as a
//! [`Notice`] that the page shows; whatever is left is a working lab. `scenario=ID` sets the
//! scenario's parameters first; parameters given in the URL then override them.

use super::registry::{self, Entry};
use crate::core::params::{shorten, Notice, Params};
use serde::Serialize;

/// Which wgpu browser backend the page should use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BackendPref {
    /// WebGPU when an adapter exists, WebGL2 otherwise.
    #[default]
    Auto,
    WebGpu,
    WebGl2,
}

impl BackendPref {
    pub fn as_str(self) -> &'static str {
        match self {
            BackendPref::Auto => "auto",
            BackendPref::WebGpu => "webgpu",
            BackendPref::WebGl2 => "webgl2",
        }
    }
}

/// Page-level options that travel in the URL but are not science.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ViewOptions {
    pub backend: BackendPref,
    /// Which controls an embed shows (`None`: all of them).
    pub controls: Option<Vec<String>>,
    pub autoplay: bool,
    /// The scenario the state came from (its chip is marked and its narrative shown).
    pub scenario: Option<&'static str>,
    /// Whether the scenario's narrative is shown (`narrative=0` hides it in an embed).
    pub narrative: bool,
}

impl Default for ViewOptions {
    fn default() -> Self {
        Self { backend: BackendPref::Auto, controls: None, autoplay: false, scenario: None, narrative: true }
    }
}

/// The complete, validated state of one lab.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabState {
    /// The experiment's registry entry (serialised as its id).
    #[serde(serialize_with = "entry_id")]
    pub experiment: &'static Entry,
    pub seed: u64,
    /// Position in the run, in the experiment's own step unit (swaps for sorting).
    pub step: u64,
    pub params: Params,
    pub view: ViewOptions,
}

fn entry_id<S: serde::Serializer>(entry: &&'static Entry, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(entry.id)
}

pub const DEFAULT_SEED: u64 = 1;
/// Names an embed may list in `controls=` besides parameter keys and an experiment's own
/// transport buttons ([`Entry::extra_controls`]): the transport, the seed, the scenario chips,
/// the panels below the picture (plots, exports, batch runs) and the share/embed button.
pub const CONTROL_NAMES: &[&str] =
    &["play", "step", "back", "reset", "speed", "seed", "scenarios", "plots", "export", "batch", "share", "freeze"];

impl LabState {
    pub fn default_for(experiment: &'static Entry) -> Self {
        Self {
            experiment,
            seed: DEFAULT_SEED,
            step: 0,
            params: Params::defaults((experiment.schema)()),
            view: ViewOptions::default(),
        }
    }

    /// Canonical query string (no leading `?`), in a fixed key order.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(String, String)> = vec![
            ("exp".into(), self.experiment.id.into()),
            ("seed".into(), self.seed.to_string()),
            ("step".into(), self.step.to_string()),
        ];
        if let Some(id) = self.view.scenario {
            pairs.push(("scenario".into(), id.into()));
        }
        for spec in (self.experiment.schema)() {
            if let Some(v) = self.params.get(spec.key) {
                pairs.push((spec.key.into(), v.to_text()));
            }
        }
        if self.view.backend != BackendPref::Auto {
            pairs.push(("backend".into(), self.view.backend.as_str().into()));
        }
        if let Some(c) = &self.view.controls {
            pairs.push(("controls".into(), c.join(",")));
        }
        if self.view.autoplay {
            pairs.push(("autoplay".into(), "1".into()));
        }
        if !self.view.narrative {
            pairs.push(("narrative".into(), "0".into()));
        }
        pairs.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>().join("&")
    }
}

/// Decode a query string (with or without the leading `?`) for the experiment its `exp=` names
/// (the default one when absent or unknown, with a notice). Never fails.
pub fn decode(query: &str) -> (LabState, Vec<Notice>) {
    let pairs = parse_query(query);
    let mut notices = Vec::new();
    let experiment = match pairs.iter().find(|(k, _)| k == "exp") {
        None => registry::default_entry(),
        Some((_, v)) => registry::find(v).unwrap_or_else(|message| {
            notices.push(Notice::new("exp", message));
            registry::default_entry()
        }),
    };
    let state = decode_pairs(&pairs, experiment, &mut notices);
    (state, notices)
}

/// Decode a query for one experiment (a handle built for it). A URL naming another experiment of
/// the lab keeps its seed, step and view options and takes this experiment's defaults; an
/// unknown `exp` is reported.
pub fn decode_for(query: &str, experiment: &'static Entry) -> (LabState, Vec<Notice>) {
    let pairs = parse_query(query);
    let mut notices = Vec::new();
    let mut own = true;
    if let Some((_, v)) =
        pairs.iter().find(|(k, _)| k == "exp").filter(|(_, v)| !v.trim().eq_ignore_ascii_case(experiment.id))
    {
        match registry::find(v) {
            Ok(e) if std::ptr::eq(e, experiment) => {}
            Ok(_) => own = false,
            Err(_) => notices.push(Notice::new(
                "exp",
                format!("exp: there is no experiment \"{}\"; showing {}.", shorten(v), experiment.title),
            )),
        }
    }
    let pairs: Vec<(String, String)> = if own {
        pairs
    } else {
        pairs.into_iter().filter(|(k, _)| matches!(k.as_str(), "seed" | "step" | "backend" | "autoplay")).collect()
    };
    let state = decode_pairs(&pairs, experiment, &mut notices);
    (state, notices)
}

fn decode_pairs(pairs: &[(String, String)], experiment: &'static Entry, notices: &mut Vec<Notice>) -> LabState {
    let mut state = LabState::default_for(experiment);
    let schema = (experiment.schema)();

    // The scenario first, so that parameters in the URL override it.
    if let Some((_, raw)) = pairs.iter().rev().find(|(k, _)| k == "scenario") {
        let id = raw.trim();
        match (experiment.scenarios)().iter().find(|s| s.id == id) {
            Some(scenario) => {
                state.view.scenario = Some(scenario.id);
                for (key, value) in parse_query(scenario.query) {
                    match key.as_str() {
                        "seed" => state.seed = parse_u64(&value).unwrap_or(DEFAULT_SEED),
                        _ => notices.extend(state.params.set_text(schema, &key, &value)),
                    }
                }
            }
            None if id.is_empty() => {}
            None => notices.push(Notice::new(
                "scenario",
                format!(
                    "scenario: {} has no scenario \"{}\"; the scenarios are {}.",
                    experiment.title,
                    shorten(id),
                    (experiment.scenarios)().iter().map(|s| s.id).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }

    for (key, raw) in pairs {
        match key.as_str() {
            "exp" | "scenario" => {}
            "seed" => match parse_u64(raw) {
                Some(s) => state.seed = s,
                None => notices.push(Notice::new(
                    "seed",
                    format!("seed: \"{}\" is not a whole number from 0 to 2^64−1; using {}.", shorten(raw), state.seed),
                )),
            },
            "step" => match parse_u64(raw) {
                Some(s) => state.step = s,
                None => notices.push(Notice::new(
                    "step",
                    format!("step: \"{}\" is not a whole number ≥ 0; starting at step 0.", shorten(raw)),
                )),
            },
            "backend" => match raw.to_ascii_lowercase().as_str() {
                "auto" | "" => state.view.backend = BackendPref::Auto,
                "webgpu" => state.view.backend = BackendPref::WebGpu,
                "webgl2" | "webgl" | "gl" => state.view.backend = BackendPref::WebGl2,
                _ => notices.push(Notice::new(
                    "backend",
                    format!("backend: \"{}\" is not webgpu, webgl2 or auto; choosing automatically.", shorten(raw)),
                )),
            },
            "controls" => {
                let mut list = Vec::new();
                for name in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    if CONTROL_NAMES.contains(&name)
                        || experiment.extra_controls.contains(&name)
                        || schema.iter().any(|s| s.key == name)
                    {
                        list.push(name.to_string());
                    } else {
                        notices.push(Notice::new(
                            "controls",
                            format!("controls: unknown control \"{}\" ignored.", shorten(name)),
                        ));
                    }
                }
                state.view.controls = Some(list);
            }
            "autoplay" => state.view.autoplay = matches!(raw.as_str(), "1" | "true" | "yes" | "on"),
            "narrative" => state.view.narrative = !matches!(raw.as_str(), "0" | "false" | "no" | "off"),
            _ => {
                if let Some(n) = state.params.set_text(schema, key, raw) {
                    notices.push(n);
                }
            }
        }
    }
    state
}

fn parse_u64(raw: &str) -> Option<u64> {
    raw.trim().parse::<u64>().ok()
}

/// Split `a=1&b=2` into decoded pairs; repeated keys keep their order (last one wins when
/// applied). Pairs without `=` get an empty value.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    let query = query.strip_prefix('?').unwrap_or(query);
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding; invalid escapes are kept literally and
/// invalid UTF-8 is replaced, so no input can fail.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-encode everything but RFC 3986 unreserved characters and `,` (kept for readable
/// `controls=play,step` lists).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let (mut s, notices) =
            decode("?exp=sorting&seed=7&n=250&step=12&backend=webgl2&controls=play,step,n&autoplay=1");
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(s.seed, 7);
        assert_eq!(s.step, 12);
        assert_eq!(s.params.int("n"), 250);
        assert_eq!(s.view.backend, BackendPref::WebGl2);
        assert!(s.view.autoplay);
        let q = s.to_query();
        let (s2, n2) = decode(&q);
        assert!(n2.is_empty());
        assert_eq!(s, s2);
        s.view = ViewOptions::default();
        assert!(!s.to_query().contains("backend"));
    }

    #[test]
    fn bad_input_gives_notices_and_a_working_default() {
        let (s, notices) = decode("?exp=nope&seed=abc&n=-5");
        assert_eq!(s.experiment.id, "sorting");
        assert_eq!(s.seed, DEFAULT_SEED);
        assert_eq!(s.params.int("n"), 10);
        let keys: Vec<_> = notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, ["exp", "seed", "n"]);
    }

    #[test]
    fn hostile_input_never_panics() {
        for q in [
            "",
            "?",
            "&&&",
            "=",
            "%",
            "%zz",
            "%e2%82",
            "n=%FF%FE",
            "seed=-1",
            "step=NaN",
            "n=1e400",
            "speed=NaN",
            "controls=",
            "controls=bogus",
            "exp=",
            "a=b=c",
            "x",
        ] {
            let (s, _) = decode(q);
            let _ = s.to_query();
        }
        assert_eq!(percent_decode("a%20b+c%"), "a b c%");
        assert_eq!(percent_decode("%e2%82%ac"), "€");
    }
}
