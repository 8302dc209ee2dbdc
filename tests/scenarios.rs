//! Every scenario keeps the promise of its narrative: the watched read-out lands in the stated
//! range for the scenario's own seed (what the page shows; the browser test checks the same in
//! Chromium), and the range is honest: it holds for at least 90 % of 40 other seeds, so it is a
//! property of the setup and not of one lucky seed.

use emergence_lab::core::experiment::{Experiment, Scenario};
use emergence_lab::dendrites::lab::DendritesRun;
use emergence_lab::hopfield::lab::HopfieldRun;
use emergence_lab::lab::LabCore;
use emergence_lab::sorting::lab::SortingRun;

fn value_at_seed<E: Experiment>(scenario: &Scenario, seed: Option<u64>) -> f64 {
    let query = match seed {
        None => format!("exp={}&scenario={}", E::ID, scenario.id),
        Some(s) => format!("exp={}&scenario={}&seed={s}", E::ID, scenario.id),
    };
    let mut core = LabCore::<E>::new(&query).expect("the scenario builds");
    assert!(core.take_notices().is_empty(), "{}: its URL gives no notice", scenario.id);
    match scenario.watch.until {
        emergence_lab::core::experiment::Until::Done => core.run_to(u64::MAX),
        emergence_lab::core::experiment::Until::Steps { steps } => core.run_to(steps),
    }
    core.measure(scenario.watch.key).unwrap_or_else(|| panic!("{}: no read-out {}", scenario.id, scenario.watch.key))
}

fn check<E: Experiment>(seeds: u64) {
    for scenario in E::scenarios() {
        let w = &scenario.watch;
        let own = LabCore::<E>::check_scenario(scenario).expect("the scenario runs");
        assert_eq!(own, value_at_seed::<E>(scenario, None));
        let values: Vec<f64> = (100..100 + seeds).map(|s| value_at_seed::<E>(scenario, Some(s))).collect();
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
