//! Emergence Lab: a browser laboratory for how competence emerges from simple parts.
//!
//! Layers (see ARCHITECTURE.md):
//! - sciences, pure Rust with no browser or GPU code: [`sorting`], [`dendrites`], [`hopfield`],
//!   and the pieces they share in [`core`] (the experiment trait among them);
//! - [`lab`]: the registry of experiments, the URL codec and the generic lab core every
//!   experiment's handle, the workers and the CLI use;
//! - [`cli`] (native only): the `emergence-lab` command, callable in-process;
//! - `render` (wasm only): wgpu drawing of plain data;
//! - `web` (wasm only): the only module that touches `wasm-bindgen`, `web-sys` and `js-sys`.

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod core;
pub mod dendrites;
pub mod hopfield;
pub mod lab;
pub mod sorting;

#[cfg(target_arch = "wasm32")]
pub mod render;
#[cfg(target_arch = "wasm32")]
pub mod web;
