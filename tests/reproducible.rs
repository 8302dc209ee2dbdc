//! Native half of the cross-platform reproducibility check (the browser half is in web.rs).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::golden::*;

#[test]
fn same_seed_same_numbers_natively() {
    assert_eq!(rng_outputs(), RNG_OUTPUTS);
    assert_eq!(batch_run(), BATCH_RUN);
    assert_eq!(session_checksum(), SESSION_CHECKSUM);
    assert_eq!(chimera_run(), CHIMERA_RUN);
    assert_eq!(threads_run(), THREADS_RUN);
    assert_eq!(dendrites_scene(), DENDRITES_SCENE);
    assert_eq!(dendrites_more(), DENDRITES_MORE);
    assert_eq!(dendrites_simulation(), DENDRITES_SIMULATION);
    assert_eq!(hopfield_run(), HOPFIELD_RUN);
    assert_eq!(hopfield_more(), HOPFIELD_MORE);
    assert_eq!(hopfield_kernels(), HOPFIELD_KERNELS);
}
