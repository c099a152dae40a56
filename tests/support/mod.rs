//! Shared support code for genvej's end-to-end tests. Each test binary
//! (`tests/e2e_x11/`, `tests/e2e_wine/`, `tests/integration/`, …) includes it
//! with `#[path] mod support;` and uses only some of it.
#![allow(dead_code)]

pub mod agent;
pub mod bundles;
pub mod desktop;
pub mod texts;
pub mod tools;
pub mod tray_host;
pub mod wine;

/// Where tests keep screenshots for people to look at:
/// `target/artifacts/NAME` (the folder is made if needed).
pub fn artifact(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/artifacts");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {dir:?}: {e}"));
    dir.join(name)
}
