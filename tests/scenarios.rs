//! Every scenario keeps the promise of its narrative: the watched read-out lands in the stated
//! range for the scenario's own seed (what the page shows; the browser test checks the same in
//! Chromium), and the range is honest: it holds for at least 90 % of 40 other seeds, so it is a
//! property of the setup and not of one lucky seed.

use emergence_lab::core::experiment::Experiment;
use emergence_lab::dendrites::lab::DendritesRun;
use emergence_lab::hopfield::lab::HopfieldRun;
use emergence_lab::lab::LabCore;
use emergence_lab::sorting::lab::SortingRun;

fn check<E: Experiment>(seeds: u64) {
    for scenario in E::scenarios() {
        let w = &scenario.watch;
        let value = |seed| LabCore::<E>::scenario_value(scenario, seed).unwrap_or_else(|e| panic!("{e}"));
        let own = value(None);
        let values: Vec<f64> = (100..100 + seeds).map(|s| value(Some(s))).collect();
        let inside = values.iter().filter(|v| (w.min..=w.max).contains(*v)).count();
        println!(
            "{}/{}: own seed {own}; {inside} of {seeds} seeds in [{}, {}]; range of values {:?}",
            E::ID,
            scenario.id,
            w.min,
            w.max,
            (
                values.iter().copied().fold(f64::INFINITY, f64::min),
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            )
        );
        assert!((w.min..=w.max).contains(&own), "{}: {} = {own} is outside [{}, {}]", scenario.id, w.key, w.min, w.max);
        assert!(inside * 10 >= seeds as usize * 9, "{}: only {inside} of {seeds} seeds keep the promise", scenario.id);
    }
}

#[test]
fn sorting_scenarios_keep_their_promise() {
    check::<SortingRun>(40);
}

#[test]
fn dendrites_scenarios_keep_their_promise() {
    check::<DendritesRun>(40);
}

#[test]
fn hopfield_scenarios_keep_their_promise() {
    check::<HopfieldRun>(40);
}
