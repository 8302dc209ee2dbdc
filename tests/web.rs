//! The browser suite: run by `wasm-pack test --headless --chrome` (see README). It checks that
//! the science gives the same numbers in wasm as natively, and that both drawing paths put
//! real pixels on a canvas (read back from the GPU, not just return values).
#![cfg(target_arch = "wasm32")]

mod common;

use common::golden::*;
use emergence_lab::web::{create_view, DendritesLab, HopfieldLab, SortingLab, View};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn same_seed_same_numbers_in_wasm() {
    assert_eq!(rng_outputs(), RNG_OUTPUTS);
    assert_eq!(batch_run(), BATCH_RUN);
    assert_eq!(session_checksum(), SESSION_CHECKSUM);
    assert_eq!(chimera_run(), CHIMERA_RUN);
    assert_eq!(threads_run(), THREADS_RUN);
    assert_eq!(dendrites_simulation(), DENDRITES_SIMULATION);
    assert_eq!(dendrites_scene(), DENDRITES_SCENE);
    assert_eq!(dendrites_more(), DENDRITES_MORE);
    assert_eq!(hopfield_run(), HOPFIELD_RUN);
    assert_eq!(hopfield_more(), HOPFIELD_MORE);
    assert_eq!(hopfield_kernels(), HOPFIELD_KERNELS);
}

#[wasm_bindgen_test]
fn bad_url_gives_notices_not_panics() {
    let mut lab = ok(SortingLab::new("?exp=nope&seed=abc&n=-5"));
    let notices = lab.take_notices().unwrap();
    assert_eq!(js_sys::Array::from(&notices).length(), 3);
    assert_eq!(lab.param("n").as_deref(), Some("10"));
    lab.step();
    lab.advance(16.0, false);
    assert_eq!(lab.position(), 1.0);
}

/// The value of a binding's result, or a panic with the JS error's message.
fn ok<T>(result: Result<T, wasm_bindgen::JsError>) -> T {
    result.unwrap_or_else(|e| panic!("{:?}", wasm_bindgen::JsValue::from(e)))
}

fn canvas(w: u32, h: u32) -> web_sys::HtmlCanvasElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let c: web_sys::HtmlCanvasElement = document.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    document.body().unwrap().append_child(&c).unwrap();
    c
}

async fn pixels(view: &mut View, lab: &mut SortingLab, w: u32, h: u32) -> Vec<u8> {
    let value = JsFuture::from(lab.read_pixels(view, w, h)).await.expect("read back");
    js_sys::Uint8Array::new(&value).to_vec()
}

/// Pixels that differ from the background colour (16, 20, 26).
fn foreground(rgba: &[u8]) -> usize {
    rgba.chunks(4).filter(|p| p[..3] != [16, 20, 26]).count()
}

async fn draws_and_steps(backend: &str) {
    let (w, h) = (200, 120);
    let mut view = create_view(canvas(w, h), backend.into())
        .await
        .unwrap_or_else(|e| panic!("{backend}: {:?}", wasm_bindgen::JsValue::from(e)));
    assert_eq!(view.backend(), backend);
    let mut lab = ok(SortingLab::new("exp=sorting&seed=3&n=50"));
    assert!(lab.draw(&mut view).expect("draw on the canvas"));
    let before = pixels(&mut view, &mut lab, w, h).await;
    assert_eq!(before.len(), (w * h * 4) as usize);
    let fg = foreground(&before);
    // 50 bars with heights 1/50…50/50 of 120 px, each 3 px wide (4 px slots with a gap).
    assert!(fg > 5_000 && fg < (w * h) as usize, "{backend}: {fg} foreground pixels");
    lab.step();
    lab.advance(0.0, false);
    assert_eq!(lab.position(), 1.0);
    let after = pixels(&mut view, &mut lab, w, h).await;
    assert_ne!(before, after, "{backend}: a swap must change the picture");
    // Same state, same pixels.
    let again = pixels(&mut view, &mut lab, w, h).await;
    assert_eq!(after, again);
}

#[wasm_bindgen_test]
async fn webgpu_draws_and_steps() {
    draws_and_steps("webgpu").await;
}

#[wasm_bindgen_test]
async fn webgl2_draws_and_steps() {
    draws_and_steps("webgl2").await;
}

/// Pixels of one exact colour.
fn count_colour(rgba: &[u8], rgb: [u8; 3]) -> usize {
    rgba.chunks(4).filter(|p| p[..3] == rgb).count()
}

async fn bit_view_draws_its_overlap(backend: &str) {
    let (w, h) = (240, 160);
    let mut view = create_view(canvas(w, h), backend.into())
        .await
        .unwrap_or_else(|e| panic!("{backend}: {:?}", wasm_bindgen::JsValue::from(e)));
    let mut lab = ok(DendritesLab::new("exp=dendrites&seed=3&n=256&a=64&s=32&theta=8&view=match"));
    assert!(lab.draw(&mut view).expect("draw on the canvas"));
    let mut last = Vec::new();
    for sample in 0..4 {
        let value = JsFuture::from(lab.read_pixels(&mut view, w, h)).await.expect("read back");
        let rgba = js_sys::Uint8Array::new(&value).to_vec();
        let overlap_px = count_colour(&rgba, [250, 160, 40]);
        let synapse_px = count_colour(&rgba, [70, 120, 215]);
        let info = lab.readout().expect("readout");
        let overlap = js_sys::Reflect::get(&info, &"overlap".into()).unwrap().as_f64().unwrap() as usize;
        // Every cell has the same whole-pixel area: the lit share of the 32 synapses' pixels
        // is the overlap's share, exactly.
        assert!(synapse_px + overlap_px > 0, "{backend}: the segment is drawn");
        assert_eq!(overlap_px * 32, (overlap_px + synapse_px) * overlap, "{backend} sample {sample}");
        assert_ne!(rgba, last, "{backend}: a new sample changes the picture");
        last = rgba;
        lab.step();
        lab.advance(0.0, false);
    }
}

#[wasm_bindgen_test]
async fn webgpu_bit_view_draws_its_overlap() {
    bit_view_draws_its_overlap("webgpu").await;
}

#[wasm_bindgen_test]
async fn webgl2_bit_view_draws_its_overlap() {
    bit_view_draws_its_overlap("webgl2").await;
}

async fn hopfield_stage_draws_the_state(backend: &str) {
    let (w, h) = (300, 110);
    let mut view = create_view(canvas(w, h), backend.into())
        .await
        .unwrap_or_else(|e| panic!("{backend}: {:?}", wasm_bindgen::JsValue::from(e)));
    let mut lab = HopfieldLab::new("exp=hopfield&seed=2&model=classical&side=16&count=4&corrupt=half&fill=plus")
        .unwrap_or_else(|e| panic!("{:?}", wasm_bindgen::JsValue::from(e)));
    let read = |view: &mut View, lab: &mut HopfieldLab| JsFuture::from(lab.read_pixels(view, w, h));
    let before = js_sys::Uint8Array::new(&read(&mut view, &mut lab).await.expect("read back")).to_vec();
    // Ink (+1) and paper (−1) cells are both on the stage: the three pictures are drawn.
    let ink = count_colour(&before, [24, 28, 38]);
    let paper = count_colour(&before, [236, 232, 220]);
    assert!(ink > 500 && paper > 500, "{backend}: ink {ink}, paper {paper}");
    lab.step();
    assert!(lab.advance(0.0, false), "{backend}: the first sweep changes the masked half");
    assert_eq!(lab.position(), 1.0);
    let after = js_sys::Uint8Array::new(&read(&mut view, &mut lab).await.expect("read back")).to_vec();
    assert_ne!(before, after, "{backend}: a step changes the state picture");
    assert!(lab.draw(&mut view).expect("draw on the canvas"));
}

#[wasm_bindgen_test]
async fn webgpu_hopfield_stage_draws_the_state() {
    hopfield_stage_draws_the_state("webgpu").await;
}

#[wasm_bindgen_test]
async fn webgl2_hopfield_stage_draws_the_state() {
    hopfield_stage_draws_the_state("webgl2").await;
}
