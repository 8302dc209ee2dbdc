//! Property tests of the first door: the URL state. Generated query strings (known and unknown
//! keys, any text, huge and malformed numbers, NaN and infinities, percent-escapes of any bytes
//! including invalid UTF-8, repeated and empty keys, long values) must never make the codec or an
//! experiment's configuration panic; every accepted state must round-trip; every notice must
//! name a key of the query, and every unknown key must get one.
//!
//! `cargo test` runs a modest number of cases; `npm run fuzz` runs a million
//! (`EL_FUZZ_CASES`) and prints how many ran and how many failed.
#![cfg(not(target_arch = "wasm32"))]

use emergence_lab::lab::registry;
use emergence_lab::lab::urlstate::{self, CONTROL_NAMES};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeSet;

/// Cases per property: `EL_FUZZ_CASES`, or a modest default for `cargo test`.
fn cases() -> u32 {
    std::env::var("EL_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000)
}

const SPECIAL: &[&str] = &["exp", "seed", "step", "backend", "controls", "autoplay", "narrative", "scenario"];

/// Every key the lab knows: the special ones and every experiment's parameters.
fn known_keys() -> Vec<&'static str> {
    let mut keys: BTreeSet<&'static str> = SPECIAL.iter().copied().collect();
    for e in registry::ALL {
        keys.extend((e.schema)().iter().map(|s| s.key));
    }
    keys.into_iter().collect()
}

/// Values worth trying: choice options, scenario and experiment ids, control names.
fn known_values() -> Vec<String> {
    let mut values: BTreeSet<String> =
        ["webgpu", "webgl2", "auto", "1", "0", "true", "-0", "1e400", "NaN", "inf", "-inf"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    for e in registry::ALL {
        values.insert(e.id.to_string());
        values.extend((e.scenarios)().iter().map(|s| s.id.to_string()));
        for spec in (e.schema)() {
            if let emergence_lab::core::params::ParamKind::Choice { options } = spec.kind {
                values.extend(options.iter().map(|o| o.to_string()));
            }
        }
    }
    values.extend(CONTROL_NAMES.iter().map(|c| c.to_string()));
    values.into_iter().collect()
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(known_keys()).prop_map(str::to_string),
        1 => "\\PC{0,8}",
        1 => Just(String::new()),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(known_values()),
        2 => any::<i64>().prop_map(|v| v.to_string()),
        2 => any::<f64>().prop_map(|v| format!("{v}")),
        1 => any::<f64>().prop_map(|v| format!("{v:e}")),
        2 => "\\PC{0,16}",
        // Percent-escapes of arbitrary bytes: invalid UTF-8 among them.
        1 => proptest::collection::vec(any::<u8>(), 0..8).prop_map(|b| b.iter().map(|x| format!("%{x:02X}")).collect()),
        1 => "[0-9, ;]{0,40}",
        1 => "[A-Za-z0-9_~-]{0,4000}",
        1 => proptest::sample::select(known_values()).prop_map(|v| format!("{v},{v},nope,")),
    ]
}

/// A query: pairs joined by `&`, written `k=v`, `k` or `k==v`, sometimes with a leading `?`.
fn query() -> impl Strategy<Value = String> {
    (any::<bool>(), proptest::collection::vec((key(), value(), 0u8..4), 0..14)).prop_map(|(question, pairs)| {
        let body: Vec<String> = pairs
            .into_iter()
            .map(|(k, v, form)| {
                let (k, v) = (urlstate::percent_encode(&k), urlstate::percent_encode(&v));
                match form {
                    0 => k,
                    1 => format!("{k}=={v}"),
                    // Raw, unencoded text too: a pasted link is not always well formed.
                    2 => format!("{}={}", urlstate::percent_decode(&k), urlstate::percent_decode(&v)),
                    _ => format!("{k}={v}"),
                }
            })
            .collect();
        format!("{}{}", if question { "?" } else { "" }, body.join("&"))
    })
}

/// The keys a query names, as `decode` reads them.
fn query_keys(q: &str) -> BTreeSet<String> {
    urlstate::parse_query(q).into_iter().map(|(k, _)| k).collect()
}

fn check(q: &str) -> Result<(), TestCaseError> {
    let (state, notices) = urlstate::decode(q);
    let keys = query_keys(q);
    // Every notice names a key of the query ("exp" when the experiment itself was not found).
    for n in &notices {
        prop_assert!(keys.contains(&n.key), "notice for {:?}, not a key of {q:?}: {}", n.key, n.message);
    }
    // Every key the experiment does not know gets a notice naming it.
    let schema = (state.experiment.schema)();
    for k in &keys {
        if !SPECIAL.contains(&k.as_str()) && !schema.iter().any(|s| s.key == k) {
            prop_assert!(notices.iter().any(|n| &n.key == k), "no notice for the unknown key {k:?} in {q:?}");
        }
    }
    // An accepted state round-trips, with no notice the second time.
    let canonical = state.to_query();
    let (again, again_notices) = urlstate::decode(&canonical);
    prop_assert!(again_notices.is_empty(), "{canonical:?} gave notices {again_notices:?}");
    prop_assert_eq!(&again, &state, "{} does not round-trip", canonical);
    prop_assert_eq!(again.to_query(), canonical);
    // Each experiment's own reading of the parameters (repairs of cross-constraints) never
    // panics, and names only its own keys.
    let own_keys: Vec<&str> = schema.iter().map(|s| s.key).collect();
    let repairs: Vec<String> = match state.experiment.id {
        "sorting" => emergence_lab::sorting::config_from_params(&state.params).1,
        "dendrites" => emergence_lab::dendrites::params_from(&state.params).1,
        "hopfield" => emergence_lab::hopfield::config_from_params(&state.params).1,
        _ => Vec::new(),
    }
    .into_iter()
    .map(|n| n.key)
    .collect();
    for k in repairs {
        prop_assert!(own_keys.contains(&k.as_str()), "repair notice for {k:?}, not a parameter");
    }
    // A handle built for each experiment reads the same query without panicking.
    for entry in registry::ALL {
        let (state, _) = urlstate::decode_for(q, entry);
        prop_assert_eq!(state.experiment.id, entry.id);
        let _ = state.to_query();
    }
    Ok(())
}

#[test]
fn any_url_decodes_without_panic_round_trips_and_names_its_notices() {
    let cases = cases();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let result = runner.run(&query(), |q| check(&q));
    println!("url-state: {cases} generated URLs, {} failed", u32::from(result.is_err()));
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Cases that once failed, or that a reader should see are covered.
#[test]
fn named_regressions() {
    for q in [
        "n=%FF%FE",
        "?exp=hopfield&drawn=~~~~&patterns=drawn",
        "exp=sorting&scenario=damaged-cells&scenario=nope",
        "exp=dendrites&a=5&n=1&theta=99999999999999999999",
        "controls=,,,&controls=play",
        "&&==&=&exp&seed",
        "exp=%E2%82&seed=18446744073709551616",
    ] {
        check(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    }
}
