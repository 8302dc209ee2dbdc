//! Sparse distributed representations and active dendrites (Ahmad & Hawkins, arXiv 1601.00720).
//!
//! Not in the lab yet: its issue specifies the science (`../shared/specs/dendrites.md`). The
//! module exists so the crate's layout shows where it goes; it deliberately exports nothing.
