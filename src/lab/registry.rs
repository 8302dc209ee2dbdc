//! The registry of experiments: the one place an experiment is listed. The page, the Web
//! Workers, the build (`scripts/build.sh`, through `emergence-lab experiments`) and the CLI all
//! read it.

use crate::core::experiment::{Experiment, Scenario};
use crate::core::params::{shorten, ParamSpec};
use serde::Serialize;

/// What the lab knows of an experiment without running it.
#[derive(Debug, Serialize)]
pub struct Entry {
    pub id: &'static str,
    pub title: &'static str,
    /// The unit of one step (`step=` in the URL).
    pub step_unit: &'static str,
    /// The count shown at position 0 (1 where position 0 already shows the first sample).
    pub first_shown: u64,
    #[serde(skip)]
    pub schema: fn() -> &'static [ParamSpec],
    #[serde(skip)]
    pub scenarios: fn() -> &'static [Scenario],
    /// Transport buttons of its own (e.g. Hopfield's "one neuron").
    pub extra_controls: &'static [&'static str],
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// The entry of an experiment type.
pub const fn entry<E: Experiment>() -> Entry {
    Entry {
        id: E::ID,
        title: E::TITLE,
        step_unit: E::STEP_UNIT,
        first_shown: E::FIRST_SHOWN,
        schema: E::schema,
        scenarios: E::scenarios,
        extra_controls: E::EXTRA_CONTROLS,
    }
}

/// Every experiment of the lab, in menu order; the first is the default. (The test-only random
/// walk joins with the Cargo feature `walk`, to test that an experiment needs nothing else.)
pub static ALL: &[Entry] = &[
    entry::<crate::sorting::lab::SortingRun>(),
    entry::<crate::dendrites::lab::DendritesRun>(),
    entry::<crate::hopfield::lab::HopfieldRun>(),
    #[cfg(feature = "walk")]
    entry::<super::walk::Walk>(),
];

/// The experiment shown when a URL names none.
pub fn default_entry() -> &'static Entry {
    &ALL[0]
}

/// Look an experiment up by its URL id; the error is a sentence for the user.
pub fn find(id: &str) -> Result<&'static Entry, String> {
    let wanted = id.trim().to_ascii_lowercase();
    ALL.iter()
        .find(|e| e.id == wanted)
        .ok_or_else(|| format!("exp: there is no experiment \"{}\"; showing {}.", shorten(id), default_entry().title))
}

/// The ids, in menu order.
pub fn ids() -> Vec<&'static str> {
    ALL.iter().map(|e| e.id).collect()
}

/// A scenario's whole URL query (`exp=…&scenario=…`), as a course author links to it.
pub fn scenario_query(entry: &Entry, scenario: &Scenario) -> String {
    format!("exp={}&scenario={}", entry.id, scenario.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_experiment_has_six_scenarios() {
        let mut ids = ids();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ALL.len());
        for e in ALL.iter().filter(|e| e.id != "walk") {
            let scenarios = (e.scenarios)();
            assert!(scenarios.len() >= 6, "{}: {} scenarios", e.id, scenarios.len());
            let mut sids: Vec<_> = scenarios.iter().map(|s| s.id).collect();
            sids.sort_unstable();
            sids.dedup();
            assert_eq!(sids.len(), scenarios.len(), "{}: scenario ids are unique", e.id);
        }
    }

    #[test]
    fn unknown_ids_are_sentences() {
        assert_eq!(find(" Hopfield ").map(|e| e.id), Ok("hopfield"));
        assert!(find("nope").unwrap_err().contains("no experiment \"nope\""));
    }
}
