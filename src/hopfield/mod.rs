//! Hopfield networks, classical to modern (Hopfield 1982; Krotov & Hopfield 2016; Ramsauer et
//! al. 2020, arXiv 2008.02217).
//!
//! Not in the lab yet: its issue specifies the science (`../shared/specs/hopfield.md`). The
//! module exists so the crate's layout shows where it goes; it deliberately exports nothing.
