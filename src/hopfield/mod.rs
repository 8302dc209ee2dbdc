//! Hopfield networks from 1982 to "Hopfield Networks is All You Need" (Ramsauer et al., arXiv
//! 2008.02217). The lab's specification is `shared/specs/hopfield.md`.
//!
//! - [`kernels`]: the f32 kernels of the modern update (XᵀΞ, softmax, XP), cache-blocked,
//!   SIMD128 in wasm, bit-identical natively and in wasm.
//! - the models, patterns, queries, capacity experiments and the interactive session
//!   (being written).

pub mod kernels;
