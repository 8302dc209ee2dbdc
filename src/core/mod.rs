//! Pieces every experiment shares, free of any browser or GPU code: the seeded generator,
//! the parameter schema, the URL-state codec, metric series and the step-back timeline.

pub mod params;
pub mod rng;
pub mod series;
pub mod stats;
pub mod timeline;
pub mod urlstate;
