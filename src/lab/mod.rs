//! The lab: the registry of experiments, the URL codec that reads and writes their state, and
//! the generic lab core that holds one running experiment for the page, the workers and the
//! CLI. Each experiment implements [`crate::core::experiment::Experiment`] next to its science
//! and is listed once in [`registry`]; everything here is plain Rust (no browser), tested by
//! `cargo test`.

pub mod registry;
pub mod runner;
pub mod urlstate;
pub mod walk;

pub use registry::Entry;
pub use runner::LabCore;
