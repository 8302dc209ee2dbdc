//! `emergence-lab hopfield …`: capacity experiments, retrieval, metastable states and the
//! benchmark of the modern update.

use super::{Flags, UsageError};

#[path = "hopfield_bench.rs"]
mod bench;

pub(crate) fn run(command: Option<&str>, args: &[String]) -> Result<String, UsageError> {
    match command {
        Some("bench") => bench::run(args),
        other => {
            let _ = Flags::parse(args, &[], &[])?;
            Err(UsageError(format!("unknown hopfield command {:?}", other.unwrap_or(""))))
        }
    }
}
