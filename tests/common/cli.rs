//! Running the `emergence-lab` binary as a user would, for the CLI tests
//! (`#[path = "common/cli.rs"] mod cli;`).
#![allow(dead_code)]

use std::process::Command;

/// Exit status, stdout and stderr of one run.
pub fn lab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_emergence-lab")).args(args).output().expect("run emergence-lab");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// The one JSON object a successful `--json` run prints.
pub fn json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = lab(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(out.trim()).expect("one JSON object")
}
