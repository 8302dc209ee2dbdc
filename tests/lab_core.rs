//! The generic lab core (`emergence_lab::lab`): one rebuild rule for every experiment, scenarios
//! in the URL, controls that show only what applies, and the registry as the one list.

use emergence_lab::core::experiment::Experiment;
use emergence_lab::core::params::Level;
use emergence_lab::dendrites::lab::DendritesRun;
use emergence_lab::hopfield::lab::HopfieldRun;
use emergence_lab::lab::{registry, urlstate, LabCore};
use emergence_lab::sorting::lab::SortingRun;

fn clock() -> f64 {
    0.0
}

#[test]
fn a_live_parameter_keeps_the_position_and_a_reset_parameter_restarts() {
    let mut core = LabCore::<SortingRun>::new("exp=sorting&seed=3&n=50&step=40").unwrap();
    core.run_to(40);
    assert_eq!(core.position(), 40);
    // speed is live: the run stays where it is.
    assert!(core.set_param("speed", "900").is_empty());
    assert_eq!(core.position(), 40);
    assert_eq!(core.generation(), 0);
    // n restarts the run at 0, and a value that changes nothing does nothing.
    core.set_param("n", "60");
    assert_eq!((core.position(), core.generation()), (0, 1));
    core.set_param("n", "60");
    assert_eq!(core.generation(), 1);
    // The seed restarts it too; a bad seed is a notice and keeps the run.
    core.set_param("seed", "8");
    assert_eq!(core.generation(), 2);
    let notices = core.set_param("seed", "x");
    assert!(notices[0].message.contains("\"x\" is not a whole number"), "{notices:?}");
    assert_eq!(core.param("seed").as_deref(), Some("8"));
}

#[test]
fn dendrites_parameters_are_live_and_keep_the_sample() {
    let mut core = LabCore::<DendritesRun>::new("exp=dendrites&seed=2&step=9").unwrap();
    core.run_to(9);
    core.set_param("theta", "7");
    assert_eq!(core.position(), 9, "a new threshold is applied to the same samples");
    // Repairs are written back: θ ≤ s.
    let notices = core.set_param("theta", "500");
    assert!(!notices.is_empty());
    assert_eq!(core.param("theta"), core.param("s"));
}

#[test]
fn stepping_forward_and_back_is_exact_for_every_experiment() {
    fn check<E: Experiment>(query: &str) {
        let mut core = LabCore::<E>::new(query).unwrap();
        core.step();
        core.step();
        core.advance(0.0, false, &clock);
        assert_eq!(core.position(), 2, "{}", E::ID);
        let at_two = core.readout();
        core.back();
        core.advance(0.0, false, &clock);
        assert_eq!(core.position(), 1, "{}", E::ID);
        core.step();
        core.advance(0.0, false, &clock);
        assert_eq!(core.readout(), at_two, "{}: back then forward is the same state", E::ID);
        core.reset();
        assert_eq!(core.position(), 0);
    }
    check::<SortingRun>("exp=sorting&seed=4&n=30");
    check::<DendritesRun>("exp=dendrites&seed=4&n=512&a=40&s=20&theta=5");
    check::<HopfieldRun>("exp=hopfield&seed=4&model=classical&patterns=random&count=3&side=16&corrupt=flip&amount=0.3");
}

#[test]
fn a_scenario_sets_its_parameters_and_the_url_overrides_them() {
    let (state, notices) = urlstate::decode("exp=sorting&scenario=damaged-cells&frozen=2");
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(state.view.scenario, Some("damaged-cells"));
    assert_eq!(state.params.choice("frozen_kind"), "immovable");
    assert_eq!(state.params.int("frozen"), 2, "the URL's own value wins");
    assert_eq!(state.seed, 2, "the scenario's seed");
    let query = state.to_query();
    assert!(query.contains("scenario=damaged-cells&"), "{query}");
    assert_eq!(urlstate::decode(&query).0, state, "round trip");
    let (_, notices) = urlstate::decode("exp=hopfield&scenario=nope");
    assert!(notices[0].message.contains("no scenario \"nope\""), "{notices:?}");
    assert!(notices[0].message.contains("classical-retrieval"), "the notice lists the scenarios");
    // narrative=0 travels too.
    let (state, _) = urlstate::decode("exp=dendrites&scenario=unions&narrative=0");
    assert!(!state.view.narrative);
    assert!(state.to_query().ends_with("&narrative=0"));
}

#[test]
fn opening_a_scenario_keeps_the_view_options() {
    let mut core = LabCore::<HopfieldRun>::new("exp=hopfield&controls=play,model&backend=webgl2&count=3").unwrap();
    assert!(core.open_scenario("modern-one-step").is_empty());
    let state = core.state();
    assert_eq!(state.params.choice("model"), "modern");
    assert_eq!(state.params.int("count"), 10, "the scenario's parameters over the defaults");
    assert_eq!(state.view.controls.as_deref(), Some(&["play".to_string(), "model".to_string()][..]));
    assert_eq!(core.scenario().map(|s| s.id), Some("modern-one-step"));
}

#[test]
fn controls_show_only_what_applies() {
    let visible = |query: &str| -> Vec<&'static str> {
        let core = LabCore::<HopfieldRun>::new(query).unwrap();
        core.controls().into_iter().filter(|c| c.relevant && c.level == Level::Essential).map(|c| c.key).collect()
    };
    assert_eq!(visible("model=classical"), ["model", "patterns", "count", "corrupt", "speed"]);
    assert_eq!(visible("model=modern"), ["model", "beta", "patterns", "count", "corrupt", "speed"]);
    assert_eq!(
        visible("model=dense&corrupt=flip"),
        ["model", "order", "patterns", "count", "corrupt", "amount", "speed"]
    );
    // Sorting: the stall rule only with opposite goals; a goal only for an Algotype in the mix.
    let relevant = |query: &str, key: &str| {
        LabCore::<SortingRun>::new(query).unwrap().controls().iter().any(|c| c.key == key && c.relevant)
    };
    assert!(!relevant("bubble=100", "stall"));
    assert!(!relevant("bubble=50&selection=50", "stall"));
    assert!(relevant("bubble=50&selection=50&selection_goal=decreasing", "stall"));
    assert!(!relevant("bubble=100", "selection_goal"));
    assert!(relevant("frozen=2", "frozen_kind") && !relevant("frozen=0", "frozen_kind"));
}

#[test]
fn each_algotype_sorts_toward_its_own_goal() {
    // Fig. 9: bubble up, selection down. Before this was read per Algotype, the page's goal
    // controls did nothing.
    let core = LabCore::<SortingRun>::new("exp=sorting&bubble=50&selection=50&selection_goal=decreasing").unwrap();
    let (config, _) = emergence_lab::sorting::config_from_params(&core.state().params);
    assert_eq!(config.decreasing, vec![emergence_lab::sorting::cellview::Algotype::Selection]);
}

#[test]
fn the_registry_lists_every_experiment_once_with_its_handle_type() {
    assert_eq!(registry::ids(), ["sorting", "dendrites", "hopfield"]);
    assert_eq!(LabCore::<SortingRun>::entry().id, SortingRun::ID);
    assert_eq!(LabCore::<DendritesRun>::entry().step_unit, "sample");
    assert_eq!(LabCore::<HopfieldRun>::entry().extra_controls, ["neuron", "run"]);
    // controls= accepts an experiment's own transport buttons, and only its own.
    let (state, notices) = urlstate::decode("exp=hopfield&controls=play,neuron,run");
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(state.view.controls.unwrap().len(), 3);
    let (_, notices) = urlstate::decode("exp=sorting&controls=play,neuron");
    assert_eq!(notices.len(), 1);
}

#[test]
fn an_unreadable_value_says_what_was_kept() {
    let mut core = LabCore::<SortingRun>::new("exp=sorting&n=-5").unwrap();
    let notices = core.take_notices();
    assert!(notices[0].message.ends_with("using 10."), "{notices:?}");
    let notices = core.set_param("n", "abc");
    assert!(notices[0].message.ends_with("\"abc\" is not a whole number; kept 10."), "{notices:?}");
    let (_, notices) = urlstate::decode("exp=sorting&n=abc");
    assert!(notices[0].message.ends_with("using the default 100."), "{notices:?}");
}
