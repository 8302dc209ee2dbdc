//! A fourth experiment, written only against the `Experiment` trait (the test-only random walk
//! of `src/lab/walk.rs`), gets the whole lab core: URL state with notices, controls, the
//! transport, exact step back, play, exports and a checked scenario. The browser half of this
//! check (controls, transport, exports and an embed in Chromium) is `tests/e2e/walk.test.mjs`.

use emergence_lab::core::experiment::Experiment;
use emergence_lab::lab::walk::Walk;
use emergence_lab::lab::LabCore;

fn clock() -> f64 {
    0.0
}

#[test]
fn url_state_round_trips_and_bad_values_give_notices() {
    let mut core = LabCore::<Walk>::new("exp=walk&seed=7&step=25&window=30&speed=50").unwrap();
    assert!(core.take_notices().is_empty());
    core.run_to(25);
    let query = core.query();
    assert_eq!(query, "exp=walk&seed=7&step=25&window=30&speed=50");
    let again = LabCore::<Walk>::new(&query).unwrap();
    let mut again = again;
    again.run_to(25);
    assert_eq!(again.readout(), core.readout(), "the URL reproduces the state");
    let mut bad = LabCore::<Walk>::new("exp=walk&seed=x&window=9999&colour=red").unwrap();
    let keys: Vec<String> = bad.take_notices().into_iter().map(|n| n.key).collect();
    assert_eq!(keys, ["seed", "window", "colour"]);
    assert_eq!(bad.param("window").as_deref(), Some("500"));
}

#[test]
fn controls_transport_and_exact_step_back() {
    let mut core = LabCore::<Walk>::new("exp=walk&seed=3").unwrap();
    let keys: Vec<&str> = core.controls().iter().map(|c| c.key).collect();
    assert_eq!(keys, ["window", "speed"]);
    for _ in 0..10 {
        core.step();
    }
    core.advance(0.0, false, &clock);
    let at_ten = (core.position(), core.readout());
    core.back();
    core.back();
    core.advance(0.0, false, &clock);
    assert_eq!(core.position(), 8);
    core.seek(10.0);
    core.advance(0.0, false, &clock);
    assert_eq!((core.position(), core.readout()), at_ten, "back and forward again is exact");
    // Playing at 50 steps per second for 100 ms is 5 steps; a live parameter keeps the position.
    core.set_param("speed", "50");
    core.advance(100.0, true, &clock);
    assert_eq!(core.position(), 15);
    core.set_param("window", "12");
    assert_eq!(core.position(), 15);
    core.reset();
    assert_eq!(core.position(), 0);
}

#[test]
fn exports_and_the_scenario() {
    let mut core = LabCore::<Walk>::new("exp=walk&seed=2").unwrap();
    core.run_to(4);
    assert_eq!(core.run().csv().lines().count(), 1 + 5, "a header and positions 0..=4");
    let json = core.export();
    assert_eq!(json["experiment"], "walk");
    assert_eq!(json["step"], 4);
    let scenario = &Walk::scenarios()[0];
    let distance = LabCore::<Walk>::scenario_value(scenario, None).unwrap();
    assert!((scenario.watch.min..=scenario.watch.max).contains(&distance));
}
