//! The registry of experiments: the one place a new experiment is named (see ARCHITECTURE.md,
//! "Adding an experiment").

use crate::core::params::ParamSpec;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Experiment {
    #[default]
    Sorting,
    Dendrites,
    Hopfield,
}

/// Experiments whose science is specified but not yet in the lab (their issues are open).
const PLANNED: &[(&str, &str)] = &[];

impl Experiment {
    pub const ALL: &'static [Experiment] = &[Experiment::Sorting, Experiment::Dendrites, Experiment::Hopfield];

    pub fn id(self) -> &'static str {
        match self {
            Experiment::Sorting => "sorting",
            Experiment::Dendrites => "dendrites",
            Experiment::Hopfield => "hopfield",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Experiment::Sorting => "Self-sorting arrays",
            Experiment::Dendrites => "Active dendrites",
            Experiment::Hopfield => "Hopfield networks",
        }
    }

    pub fn schema(self) -> &'static [ParamSpec] {
        match self {
            Experiment::Sorting => crate::sorting::schema(),
            Experiment::Dendrites => crate::dendrites::schema(),
            Experiment::Hopfield => crate::hopfield::schema(),
        }
    }

    /// Look an experiment up by its URL id; the error is a sentence for the user.
    pub fn from_id(id: &str) -> Result<Self, String> {
        let wanted = id.trim().to_ascii_lowercase();
        if let Some(e) = Self::ALL.iter().find(|e| e.id() == wanted) {
            return Ok(*e);
        }
        let fallback = Self::default().title();
        match PLANNED.iter().find(|(pid, _)| *pid == wanted) {
            Some((_, title)) => Err(format!("exp: \"{title}\" is not in the lab yet; showing {fallback}.")),
            None => Err(format!(
                "exp: there is no experiment \"{}\"; showing {fallback}.",
                crate::core::params::shorten(id)
            )),
        }
    }
}
