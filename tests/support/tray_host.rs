//! The stand-in StatusNotifier tray as a test sees it (the tray itself is
//! sni_tray.py, started by `Desktop::start_tray_host`): which items have
//! registered, what an item shows — tooltip, icon, menu — read over D-Bus as
//! a panel reads it, and clicks on menu entries sent as a panel sends them.

use std::path::PathBuf;
use std::process::Output;
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::desktop::Desktop;

const POLL: Duration = Duration::from_millis(20);

/// The running stand-in tray.
pub struct TrayHost {
    /// The tray's process (for `Desktop::stop`).
    pub pid: u32,
    python: PathBuf,
    script: PathBuf,
    /// Bus names of registered items, one a line, in order of registration.
    items: PathBuf,
}

/// One item as the tray reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct TrayItem {
    pub id: String,
    pub title: String,
    pub status: String,
    pub tooltip: String,
    pub icons: Vec<TrayIcon>,
    pub menu: Vec<TrayMenuEntry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TrayIcon {
    pub width: usize,
    pub height: usize,
    /// ARGB32 pixels, row by row, as hex.
    pub argb: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TrayMenuEntry {
    pub id: i32,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub enabled: bool,
    pub visible: bool,
    pub children: Vec<TrayMenuEntry>,
}

impl TrayHost {
    pub(super) fn new(pid: u32, python: PathBuf, script: PathBuf, items: PathBuf) -> TrayHost {
        TrayHost {
            pid,
            python,
            script,
            items,
        }
    }

    /// The bus names of the items registered so far.
    pub fn registered(&self) -> Vec<String> {
        std::fs::read_to_string(&self.items)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Waits until an item registers and returns its bus name (the newest).
    pub fn wait_for_item(&self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(name) = self.registered().pop() {
                return name;
            }
            assert!(
                Instant::now() < deadline,
                "no item registered with the tray"
            );
            thread::sleep(POLL);
        }
    }

    /// What the item `name` shows now.
    pub fn item(&self, desktop: &Desktop, name: &str) -> TrayItem {
        let out = self.run(desktop, &["show", name]);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "the tray's reading of {name} is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Waits until the item's menu has an entry at `path` (labels from the
    /// top, e.g. `["Mål manuel tid for: …", "Underskrift"]`) and returns it.
    pub fn wait_for_entry(
        &self,
        desktop: &Desktop,
        name: &str,
        path: &[&str],
        timeout: Duration,
    ) -> TrayMenuEntry {
        let deadline = Instant::now() + timeout;
        loop {
            let item = self.item(desktop, name);
            if let Some(entry) = item.entry(path) {
                return entry.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no menu entry {path:?}; the menu is {:#?}",
                item.outline()
            );
            thread::sleep(POLL);
        }
    }

    /// Chooses the entry at `path` as a person would in the panel's menu.
    pub fn choose(&self, desktop: &Desktop, name: &str, path: &[&str]) {
        let entry = self.wait_for_entry(desktop, name, path, Duration::from_secs(10));
        assert!(entry.enabled, "{path:?} is greyed out and cannot be chosen");
        self.run(desktop, &["click", name, &entry.id.to_string()]);
    }

    fn run(&self, desktop: &Desktop, args: &[&str]) -> Output {
        let mut cmd = desktop.command(&self.python.to_string_lossy());
        cmd.arg(&self.script).args(args);
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run sni_tray.py {args:?}: {e}"));
        assert!(
            out.status.success(),
            "sni_tray.py {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

impl TrayItem {
    /// The entry at `path` (labels from the top of the menu).
    pub fn entry(&self, path: &[&str]) -> Option<&TrayMenuEntry> {
        let (first, rest) = path.split_first()?;
        let mut entry = self.menu.iter().find(|e| e.label == *first)?;
        for label in rest {
            entry = entry.children.iter().find(|e| e.label == *label)?;
        }
        Some(entry)
    }

    /// The menu as lines: `label`, greyed ones with ` (grey)`, submenus as
    /// `label > child | child`, separators as `-`.
    pub fn outline(&self) -> Vec<String> {
        outline(&self.menu)
    }

    /// The ARGB colour of the first icon's pixel at `x`, `y`.
    pub fn pixel(&self, x: usize, y: usize) -> String {
        let icon = self.icons.first().expect("the item has an icon");
        let at = (y * icon.width + x) * 8;
        icon.argb[at..at + 8].to_string()
    }
}

fn outline(entries: &[TrayMenuEntry]) -> Vec<String> {
    entries
        .iter()
        .filter(|e| e.visible)
        .map(|e| {
            if e.kind == "separator" {
                "-".to_string()
            } else if !e.children.is_empty() {
                format!("{} > {}", e.label, outline(&e.children).join(" | "))
            } else if e.enabled {
                e.label.clone()
            } else {
                format!("{} (grey)", e.label)
            }
        })
        .collect()
}
