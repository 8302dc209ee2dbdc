//! `emergence-lab`: the command-line door to the lab's sciences; the commands live in
//! `emergence_lab::cli` (see its docs and `emergence-lab --help`).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use std::io::Write;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = emergence_lab::cli::main_with(&args);
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    std::process::ExitCode::from(outcome.status)
}

/// The command is native only; in the browser the library's bindings are the door.
#[cfg(target_arch = "wasm32")]
fn main() {}
