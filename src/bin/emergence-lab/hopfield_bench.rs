//! `emergence-lab hopfield bench`: the modern update's speed (being written).

use super::super::{Flags, UsageError};

pub(crate) fn run(args: &[String]) -> Result<String, UsageError> {
    let _ = Flags::parse(args, &[], &[])?;
    Err(UsageError("hopfield bench: not written yet".into()))
}
