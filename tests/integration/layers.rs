//! The workspace's layers, asserted over `cargo metadata`: each genvej crate
//! depends only on the crates below it, and the lower layers stay free of
//! the desktop stack, so the checker builds and tests without GTK, egui,
//! reqwest or SQLite. A new dependency that breaks a layer fails here, with
//! the path that leads to it.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// Bottom up: each crate and the genvej crates it may use.
const LAYERS: &[(&str, &[&str])] = &[
    ("genvej-format", &[]),
    ("genvej-engine", &["genvej-format"]),
    ("genvej-usage", &["genvej-format"]),
    ("genvej-bundle", &["genvej-format"]),
    ("genvej-desktop", &["genvej-format", "genvej-engine"]),
    (
        "genvej-ui",
        &["genvej-format", "genvej-engine", "genvej-desktop"],
    ),
    (
        "genvej",
        &[
            "genvej-format",
            "genvej-engine",
            "genvej-usage",
            "genvej-bundle",
            "genvej-desktop",
            "genvej-ui",
        ],
    ),
];

/// Crates that bring a desktop, a GUI toolkit, the network or a database.
const DESKTOP_STACK: &[&str] = &[
    "gtk",
    "gtk-sys",
    "glib-sys",
    "eframe",
    "egui",
    "winit",
    "tray-icon",
    "ksni",
    "reqwest",
    "rusqlite",
    "libsqlite3-sys",
    "keyring",
    "x11rb",
    "notify-rust",
    "zbus",
];

/// What each layer must not pull in, however indirectly (normal and build
/// dependencies, on every target).
const KEPT_OUT: &[(&str, &[&str])] = &[
    ("genvej-format", DESKTOP_STACK),
    ("genvej-engine", DESKTOP_STACK),
    // Bundles are bytes in, a library out: the agent fetches them.
    ("genvej-bundle", DESKTOP_STACK),
    // The usage store is SQLite; nothing of the desktop.
    (
        "genvej-usage",
        &[
            "gtk",
            "eframe",
            "egui",
            "winit",
            "tray-icon",
            "ksni",
            "reqwest",
            "keyring",
            "x11rb",
            "zbus",
        ],
    ),
    // The OS adapters never draw: no GUI toolkit below the UI layer.
    ("genvej-desktop", &["gtk", "eframe", "egui", "winit"]),
];

struct Graph {
    /// Package id → name.
    names: BTreeMap<String, String>,
    /// Package id → the ids of what it needs to build (normal and build
    /// dependencies; not dev-dependencies).
    normal: BTreeMap<String, Vec<String>>,
    /// Workspace member name → its genvej dependencies of any kind.
    members: BTreeMap<String, BTreeSet<String>>,
}

/// The workspace's dependency graph, for every target at once.
fn metadata() -> Graph {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Not --offline: on a machine that never built for Windows, the
    // Windows-only crates' manifests are not downloaded yet.
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let mut names = BTreeMap::new();
    let mut members = BTreeMap::new();
    let workspace: BTreeSet<&str> = json["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for package in json["packages"].as_array().expect("packages") {
        let id = package["id"].as_str().expect("id").to_string();
        let name = package["name"].as_str().expect("name").to_string();
        if workspace.contains(id.as_str()) {
            let genvej_deps = package["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter_map(|d| d["name"].as_str())
                .filter(|d| d.starts_with("genvej"))
                .map(str::to_string)
                .collect();
            members.insert(name.clone(), genvej_deps);
        }
        names.insert(id, name);
    }
    let mut normal = BTreeMap::new();
    for node in json["resolve"]["nodes"].as_array().expect("resolve.nodes") {
        let id = node["id"].as_str().expect("node id").to_string();
        let deps = node["deps"]
            .as_array()
            .expect("deps")
            .iter()
            .filter(|dep| {
                dep["dep_kinds"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].as_str() != Some("dev")))
            })
            .filter_map(|dep| dep["pkg"].as_str().map(str::to_string))
            .collect();
        normal.insert(id, deps);
    }
    Graph {
        names,
        normal,
        members,
    }
}

impl Graph {
    fn id_of(&self, name: &str) -> &str {
        self.names
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(id, _)| id.as_str())
            .unwrap_or_else(|| panic!("{name} is not in the workspace"))
    }

    /// Every crate `from` depends on (normal dependencies), each with the
    /// chain of crates that leads to it.
    fn reachable(&self, from: &str) -> BTreeMap<String, Vec<String>> {
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut queue = vec![(self.id_of(from).to_string(), vec![from.to_string()])];
        while let Some((id, path)) = queue.pop() {
            for dep in self.normal.get(&id).into_iter().flatten() {
                let name = self.names[dep].clone();
                if seen.contains_key(&name) {
                    continue;
                }
                let mut chain = path.clone();
                chain.push(name.clone());
                seen.insert(name, chain.clone());
                queue.push((dep.clone(), chain));
            }
        }
        seen
    }
}

#[test]
fn each_crate_uses_only_the_layers_below_it() {
    let graph = metadata();
    let expected: BTreeSet<&str> = LAYERS.iter().map(|(name, _)| *name).collect();
    let actual: BTreeSet<&str> = graph.members.keys().map(String::as_str).collect();
    assert_eq!(
        actual, expected,
        "the workspace's crates changed: give the new one its place in LAYERS (and the book's architecture page)"
    );
    for (name, allowed) in LAYERS {
        for dep in &graph.members[*name] {
            assert!(
                allowed.contains(&dep.as_str()),
                "{name} depends on {dep}, which is not below it; it may use only {allowed:?}"
            );
        }
    }
}

#[test]
fn the_lower_layers_stay_free_of_the_desktop_stack() {
    let graph = metadata();
    for (name, forbidden) in KEPT_OUT {
        let reachable = graph.reachable(name);
        for crate_name in *forbidden {
            if let Some(chain) = reachable.get(*crate_name) {
                panic!(
                    "{name} must not depend on {crate_name}, but does: {}",
                    chain.join(" → ")
                );
            }
        }
    }
}

#[test]
fn the_checker_needs_no_c_library_from_the_system() {
    // Nothing the checker and the engine build needs pkg-config, i.e. a
    // system -dev package. (SQLite is bundled: built from source with cc.)
    let graph = metadata();
    for name in ["genvej-format", "genvej-engine"] {
        if let Some(chain) = graph.reachable(name).get("pkg-config") {
            panic!("{name} needs pkg-config: {}", chain.join(" → "));
        }
    }
}

/// C libraries a build would need from the system (`-dev` packages found
/// with pkg-config): GTK and GLib, libappindicator, libdbus, OpenSSL.
const SYSTEM_LIBRARIES: &[&str] = &[
    "gtk-sys",
    "gdk-sys",
    "glib-sys",
    "gobject-sys",
    "libappindicator-sys",
    "libdbus-sys",
    "openssl-sys",
];

/// The crates `cargo tree` says `package` builds with for `target`
/// (normal and build dependencies, features as they are resolved). Not
/// `cargo metadata`: its graph also lists optional crates named only by a
/// weak feature (`dep?/feature`), which are never built.
fn built_crates(package: &str, target: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--locked",
            "--prefix",
            "none",
            "--edges",
            "normal,build",
        ])
        .args(["--target", target, "--package", package])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_agent_builds_on_linux_without_system_dev_packages() {
    // A fresh Debian/Ubuntu machine with only Rust and a C compiler builds
    // genvej: D-Bus (tray, notifications, Secret Service) is zbus, TLS is
    // rustls, SQLite is bundled.
    let built = built_crates("genvej", "x86_64-unknown-linux-gnu");
    for library in SYSTEM_LIBRARIES {
        assert!(
            !built.contains(*library),
            "genvej needs {library} from the system again (see `cargo tree -i {library}`)"
        );
    }
    assert!(
        built.contains("zbus") && built.contains("genvej-format"),
        "the Linux build should include zbus and genvej-format: cargo tree was not read right"
    );
}

#[test]
fn the_graph_is_read_right_the_upper_layers_do_reach_the_stack() {
    // The checks above can only fail if the graph shows real dependencies:
    // the layers that should reach the desktop stack do.
    let graph = metadata();
    for (name, dep) in [
        ("genvej-ui", "eframe"),
        ("genvej-desktop", "reqwest"),
        ("genvej-desktop", "x11rb"),
        ("genvej-usage", "rusqlite"),
        ("genvej", "genvej-format"),
    ] {
        assert!(
            graph.reachable(name).contains_key(dep),
            "{name} should reach {dep}: the dependency graph was not read right"
        );
    }
}
