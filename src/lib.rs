//! Emergence Lab: a browser laboratory for how competence emerges from simple parts.
//!
//! Layers (see ARCHITECTURE.md):
//! - sciences, pure Rust with no browser or GPU code: [`sorting`], [`dendrites`], [`hopfield`],
//!   and the pieces they share in [`core`]; the registry of experiments is [`experiments`];
//! - `render` (wasm only): wgpu drawing of plain data;
//! - `web` (wasm only): the only module that touches `wasm-bindgen`, `web-sys` and `js-sys`.

pub mod core;
pub mod dendrites;
pub mod experiments;
pub mod hopfield;
pub mod sorting;

#[cfg(target_arch = "wasm32")]
pub mod render;
#[cfg(target_arch = "wasm32")]
pub mod web;
