//! The repository must stand on its own: no file a reader gets may point at the private notes
//! that lived beside the checkout (a sibling folder of research notes), nor cite them as "the
//! spec" with a section sign. Every source, test, script, page and document is read as text,
//! and every offending line is reported as `path:line: text`. Citations belong to the papers,
//! the official code, or this repository's own docs/ (see docs/sorting.md, docs/dendrites.md,
//! docs/hopfield.md and docs/toolchain.md).
//!
//! The needles are assembled with `concat!` so that this file does not match itself.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::{Path, PathBuf};

/// Folders walked (recursively) and single files read, relative to the crate root.
const DIRS: &[&str] = &["src", "www", "tests", "scripts", "docs"];
const FILES: &[&str] = &["README.md", "ARCHITECTURE.md", "CODE_STYLE.md"];

/// A path into the notes folder, matched where a path component starts (after the start of the
/// line, a space, a quote, a bracket, a slash or a dot), so `../x/`, `` `x/ `` and ` x/` all count.
const NOTES_DIR: &str = concat!("sha", "red/");
/// Explicit forms, also reported by name in the failure message.
const NOTES_PATHS: &[&str] = &[concat!("../sha", "red/"), concat!("sha", "red/specs"), concat!("sha", "red/toolchain")];
/// A citation of the notes as "the spec", compared case-insensitively.
const SPEC_CITATION: &str = concat!("spe", "c \u{a7}");

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            files_under(&entry.path(), out);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
}

/// The file's text, or `None` for a binary file (a NUL byte, or not UTF-8: images and the like).
fn text_of(path: &Path) -> Option<String> {
    let bytes = fs::read(path).ok()?;
    if bytes.contains(&0) {
        return None;
    }
    String::from_utf8(bytes).ok()
}

fn points_into_notes(line: &str) -> bool {
    if NOTES_PATHS.iter().any(|needle| line.contains(needle)) {
        return true;
    }
    line.match_indices(NOTES_DIR).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        !matches!(before, Some(c) if c.is_alphanumeric() || c == '_' || c == '-')
    })
}

fn cites_the_spec(line: &str) -> bool {
    line.to_lowercase().contains(SPEC_CITATION)
}

/// Every offending line under `root`, as `path:line: text` with the path relative to `root`.
fn offending_lines(root: &Path) -> (usize, Vec<String>) {
    let mut paths = Vec::new();
    for dir in DIRS {
        files_under(&root.join(dir), &mut paths);
    }
    paths.extend(FILES.iter().map(|f| root.join(f)).filter(|p| p.is_file()));
    let mut read = 0;
    let mut hits = Vec::new();
    for path in &paths {
        let Some(text) = text_of(path) else { continue };
        read += 1;
        let shown = path.strip_prefix(root).unwrap_or(path).display().to_string();
        for (i, line) in text.lines().enumerate() {
            if points_into_notes(line) || cites_the_spec(line) {
                hits.push(format!("{shown}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    (read, hits)
}

#[test]
fn no_file_points_at_the_private_notes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (read, hits) = offending_lines(root);
    assert!(read > 50, "only {read} text files found under {}", root.display());
    assert!(
        hits.is_empty(),
        "{} line(s) point at the private notes ({}…) or cite them as \"{}…\"; cite the paper, the \
         official code or docs/ instead:\n{}",
        hits.len(),
        NOTES_PATHS.join(", "),
        SPEC_CITATION,
        hits.join("\n")
    );
}

#[test]
fn the_matchers_catch_what_they_should() {
    let notes = |rest: &str| format!("{}{rest}", NOTES_DIR);
    assert!(points_into_notes(&format!("see ../{} F6", notes("toolchain.md"))));
    assert!(points_into_notes(&format!("(`{}`)", notes("specs/sorting.md"))));
    assert!(points_into_notes(&format!("{} §2", notes("specs/dendrites.md"))));
    assert!(points_into_notes(&format!("# {}", notes("README.md"))));
    assert!(!points_into_notes(&format!("un{}", notes("x"))));
    assert!(!points_into_notes("one WebGPU device shared by every canvas"));
    assert!(cites_the_spec("(spec \u{a7}4.2 item 3)"));
    assert!(cites_the_spec("Spec \u{a7}1.3 item 4"));
    assert!(!cites_the_spec("the WGSL specification, section \"Floating Point Accuracy\""));
    assert!(!cites_the_spec("Higham, \u{a7}3.1"));
}
