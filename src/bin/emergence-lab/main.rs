//! `emergence-lab`: the command-line door to the lab's sciences; the commands live in
//! `emergence_lab::cli` (see its docs and `emergence-lab --help`).

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = emergence_lab::cli::main_with(&args);
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    ExitCode::from(outcome.status)
}
