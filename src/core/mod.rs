//! Pieces every experiment shares, free of any browser or GPU code and of any particular
//! experiment: the seeded generator, the parameter schema, the experiment trait, pictures as
//! plain data, metric series and the step-back timeline. (The URL codec and the registry,
//! which know the experiments, are in `crate::lab`.)

pub mod experiment;
pub mod params;
pub mod picture;
pub mod rng;
pub mod series;
pub mod stats;
pub mod timeline;
