//! Parameter schema: what an experiment can be told, with ranges, defaults and help.
//!
//! The page builds its parameter panel from this schema (exported as JSON by the web layer),
//! and the URL codec (`crate::lab::urlstate`) uses it to validate every value, so a rule
//! such as "n lies in 10..=10000" is written once, here, beside the science that needs it.

use serde::Serialize;
use std::collections::BTreeMap;

/// What kind of value a parameter holds, with its admissible range.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamKind {
    Int {
        min: i64,
        max: i64,
    },
    Float {
        min: f64,
        max: f64,
        log: bool,
    },
    Choice {
        options: &'static [&'static str],
    },
    Bool,
    /// A comma-separated list of whole numbers in `0..=max`, at most `max_len` long (empty: none).
    List {
        max_len: usize,
        max: u32,
    },
    /// Compact text in the URL-safe base64 alphabet (`A–Z a–z 0–9 - _`), at most `max_len`
    /// characters (empty: none): bit-packed data such as drawn patterns.
    Packed {
        max_len: usize,
    },
}

/// Whether a change can be applied to a running experiment or needs a reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Apply {
    Live,
    Reset,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    Int(i64),
    Float(f64),
    /// One of the spec's options (so the schema can be a `static`).
    Choice(&'static str),
    Bool(bool),
    List(Vec<u32>),
    Packed(String),
}

impl ParamValue {
    /// The canonical text form used in URLs.
    pub fn to_text(&self) -> String {
        match self {
            ParamValue::Int(v) => v.to_string(),
            // `{}` on f64 prints the shortest text that round-trips exactly.
            ParamValue::Float(v) => format!("{v}"),
            ParamValue::Choice(s) => (*s).to_string(),
            ParamValue::Bool(b) => if *b { "1" } else { "0" }.to_string(),
            ParamValue::List(v) => v.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
            ParamValue::Packed(s) => s.clone(),
        }
    }
}

/// How prominent a control is: the first view shows the essential ones; advanced ones are one
/// click away. Either kind keeps its value (and its place in the URL) while hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Essential,
    Advanced,
}

/// When a parameter matters for the current values of the others (e.g. β only for the modern
/// model). `None`: always. An irrelevant parameter is hidden but keeps its value.
pub type Relevance = Option<fn(&Params) -> bool>;

#[derive(Clone, Debug, Serialize)]
pub struct ParamSpec {
    pub key: &'static str,
    /// A one-line label; `help` is the full text, shown on demand.
    pub label: &'static str,
    #[serde(flatten)]
    pub kind: ParamKind,
    pub default: ParamValue,
    pub apply: Apply,
    pub help: &'static str,
    pub level: Level,
    #[serde(skip)]
    pub when: Relevance,
}

/// A message for the user about input that was clamped or dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub key: String,
    pub message: String,
}

impl Notice {
    pub fn new(key: &str, message: impl Into<String>) -> Self {
        Self { key: key.to_string(), message: message.into() }
    }
}

impl ParamSpec {
    /// Whether this parameter matters for the values in `params` (see [`Relevance`]).
    pub fn relevant(&self, params: &Params) -> bool {
        self.when.is_none_or(|when| when(params))
    }

    /// Parse a raw text value. Out-of-range numbers are clamped (with a notice); text that
    /// cannot be read at all gives a notice and `None` (the caller keeps the default).
    pub fn parse(&self, raw: &str) -> (Option<ParamValue>, Option<Notice>) {
        let raw = raw.trim();
        match &self.kind {
            ParamKind::Int { min, max } => {
                let parsed = raw.parse::<i64>().ok().or_else(|| {
                    // Accept "1e3" or "100.0" when they denote a whole number.
                    raw.parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15)
                        .map(|v| v as i64)
                });
                match parsed {
                    None => (None, Some(self.unreadable(raw, "a whole number"))),
                    Some(v) => {
                        let c = v.clamp(*min, *max);
                        let notice = (c != v).then(|| self.clamped(raw, &c.to_string(), *min as f64, *max as f64));
                        (Some(ParamValue::Int(c)), notice)
                    }
                }
            }
            ParamKind::Float { min, max, .. } => match raw.parse::<f64>() {
                Ok(v) if v.is_finite() => {
                    let c = v.clamp(*min, *max);
                    let notice = (c != v).then(|| self.clamped(raw, &format!("{c}"), *min, *max));
                    (Some(ParamValue::Float(c)), notice)
                }
                _ => (None, Some(self.unreadable(raw, "a finite number"))),
            },
            ParamKind::Choice { options } => match options.iter().find(|o| o.eq_ignore_ascii_case(raw)) {
                Some(o) => (Some(ParamValue::Choice(o)), None),
                None => (None, Some(self.unreadable(raw, &format!("one of {}", options.join(", "))))),
            },
            ParamKind::Bool => match raw.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => (Some(ParamValue::Bool(true)), None),
                "0" | "false" | "no" | "off" => (Some(ParamValue::Bool(false)), None),
                _ => (None, Some(self.unreadable(raw, "1 or 0"))),
            },
            ParamKind::List { max_len, max } => {
                let items: Vec<&str> = raw.split([',', ' ', ';', '\n', '\t']).filter(|s| !s.is_empty()).collect();
                if items.len() > *max_len {
                    return (
                        None,
                        Some(Notice::new(
                            self.key,
                            format!(
                                "{} ({}): {} entries, more than {}; ignored.",
                                self.label,
                                self.key,
                                items.len(),
                                max_len
                            ),
                        )),
                    );
                }
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    match item.parse::<u32>() {
                        Ok(v) if v <= *max => values.push(v),
                        _ => return (None, Some(self.unreadable(item, &format!("a whole number from 0 to {max}")))),
                    }
                }
                (Some(ParamValue::List(values)), None)
            }
            ParamKind::Packed { max_len } => {
                if raw.len() > *max_len {
                    let message = format!(
                        "{} ({}): {} characters, more than {}; ignored.",
                        self.label,
                        self.key,
                        raw.len(),
                        max_len
                    );
                    return (None, Some(Notice::new(self.key, message)));
                }
                // URL-safe base64 plus `~`, which marks a format (e.g. grey patterns).
                if let Some(bad) = raw.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '~'))) {
                    return (
                        None,
                        Some(self.unreadable(&bad.to_string(), "allowed in packed data (A–Z a–z 0–9 - _ ~)")),
                    );
                }
                (Some(ParamValue::Packed(raw.to_string())), None)
            }
        }
    }

    fn unreadable(&self, raw: &str, expected: &str) -> Notice {
        Notice::new(
            self.key,
            format!(
                "{} ({}): \"{}\" is not {}; using the default {}.",
                self.label,
                self.key,
                shorten(raw),
                expected,
                self.default.to_text()
            ),
        )
    }

    fn clamped(&self, raw: &str, used: &str, min: f64, max: f64) -> Notice {
        Notice::new(
            self.key,
            format!("{} ({}): {} is outside {}…{}; using {}.", self.label, self.key, shorten(raw), min, max, used),
        )
    }
}

/// Keep user text short in messages (a pasted megabyte should not become a megabyte notice).
pub fn shorten(raw: &str) -> String {
    const MAX: usize = 40;
    if raw.chars().count() <= MAX {
        raw.to_string()
    } else {
        format!("{}…", raw.chars().take(MAX).collect::<String>())
    }
}

/// The current values of an experiment's parameters, always complete (defaults filled in).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Params {
    #[serde(flatten)]
    values: BTreeMap<&'static str, ParamValue>,
}

impl Params {
    pub fn defaults(schema: &[ParamSpec]) -> Self {
        Self { values: schema.iter().map(|s| (s.key, s.default.clone())).collect() }
    }

    pub fn get(&self, key: &str) -> Option<&ParamValue> {
        self.values.get(key)
    }

    pub fn int(&self, key: &str) -> i64 {
        match self.values.get(key) {
            Some(ParamValue::Int(v)) => *v,
            Some(ParamValue::Float(v)) => *v as i64,
            _ => 0,
        }
    }

    /// A boolean value (false when unset).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.values.get(key), Some(ParamValue::Bool(true)))
    }

    pub fn float(&self, key: &str) -> f64 {
        match self.values.get(key) {
            Some(ParamValue::Float(v)) => *v,
            Some(ParamValue::Int(v)) => *v as f64,
            _ => 0.0,
        }
    }

    pub fn list(&self, key: &str) -> &[u32] {
        match self.values.get(key) {
            Some(ParamValue::List(v)) => v,
            _ => &[],
        }
    }

    /// A packed-data value ("" when unset).
    pub fn packed(&self, key: &str) -> &str {
        match self.values.get(key) {
            Some(ParamValue::Packed(s)) => s,
            _ => "",
        }
    }

    pub fn choice(&self, key: &str) -> &str {
        match self.values.get(key) {
            Some(ParamValue::Choice(s)) => s,
            _ => "",
        }
    }

    /// Set one value from text, validated against its spec. Returns the notice, if any.
    pub fn set_text(&mut self, schema: &[ParamSpec], key: &str, raw: &str) -> Option<Notice> {
        let Some(spec) = schema.iter().find(|s| s.key == key) else {
            return Some(Notice::new(key, format!("unknown parameter \"{}\" ignored.", shorten(key))));
        };
        let (value, notice) = spec.parse(raw);
        match value {
            Some(v) => {
                self.values.insert(spec.key, v);
                notice
            }
            // Unreadable: the current value stays, which is the default only until it was set.
            None => notice.map(|mut n| {
                let current = self.values.get(spec.key).map(ParamValue::to_text).unwrap_or_default();
                if current != spec.default.to_text() {
                    let default_suffix = format!("; using the default {}.", spec.default.to_text());
                    if let Some(head) = n.message.strip_suffix(&default_suffix) {
                        n.message = format!("{head}; kept {current}.");
                    }
                }
                n
            }),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &ParamValue)> {
        self.values.iter().map(|(k, v)| (*k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n_spec() -> ParamSpec {
        ParamSpec {
            key: "n",
            label: "Cells",
            kind: ParamKind::Int { min: 10, max: 10_000 },
            default: ParamValue::Int(100),
            apply: Apply::Reset,
            help: "",
            level: Level::Essential,
            when: None,
        }
    }

    #[test]
    fn int_is_clamped_with_notice() {
        let (v, n) = n_spec().parse("-5");
        assert_eq!(v, Some(ParamValue::Int(10)));
        assert!(n.unwrap().message.contains("outside 10…10000"));
        let (v, n) = n_spec().parse("50");
        assert_eq!(v, Some(ParamValue::Int(50)));
        assert!(n.is_none());
        assert_eq!(n_spec().parse("1e3").0, Some(ParamValue::Int(1000)));
    }

    #[test]
    fn garbage_gives_none_and_notice() {
        for raw in ["abc", "", "NaN", "1.5", "99999999999999999999999"] {
            let (v, n) = n_spec().parse(raw);
            assert!(v.is_none() || v == Some(ParamValue::Int(10_000)), "{raw}");
            assert!(n.is_some(), "{raw}");
        }
    }

    #[test]
    fn packed_accepts_base64url_only() {
        let spec = ParamSpec {
            key: "drawn",
            label: "Drawn",
            kind: ParamKind::Packed { max_len: 8 },
            default: ParamValue::Packed(String::new()),
            apply: Apply::Reset,
            help: "",
            level: Level::Essential,
            when: None,
        };
        assert_eq!(spec.parse("Ab-_9").0, Some(ParamValue::Packed("Ab-_9".into())));
        assert!(spec.parse("a+b").0.is_none() && spec.parse("a+b").1.is_some());
        assert!(spec.parse("123456789").0.is_none());
    }

    #[test]
    fn float_rejects_nan_and_infinity() {
        let spec = ParamSpec {
            key: "speed",
            label: "Speed",
            kind: ParamKind::Float { min: 1.0, max: 1e6, log: true },
            default: ParamValue::Float(100.0),
            apply: Apply::Live,
            help: "",
            level: Level::Essential,
            when: None,
        };
        assert!(spec.parse("NaN").0.is_none());
        assert!(spec.parse("inf").0.is_none());
        assert_eq!(spec.parse("1e9").0, Some(ParamValue::Float(1e6)));
    }
}
