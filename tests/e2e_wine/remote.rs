//! Typing into a Remote Desktop client's window under Wine: `wintool
//! remote` shows a window of class `TscShellContainerClass` (Remote
//! Desktop's) with an Edit control, and records every key event a
//! low-level keyboard hook sees — what a remote client forwards to its
//! session. genvej's default `input = "auto"` must type into it as scan
//! codes: keys with their scan codes (Shift pressed as a scan code too),
//! Tab and Enter as keys, and VK_PACKET (Unicode) only for characters the
//! keyboard layout has no key for.
//!
//! Wine 8's layout is the X server's, US here (the hook log's first line
//! says `layout=04090409`), and its VkKeyScanExW finds only ASCII
//! characters, so `æøå € § ½ ✓` are "not on the layout" under Wine and go
//! as Unicode; Wine also makes no AltGr characters from injected Ctrl+Alt
//! (it takes AltGr from the X server's state), so the Danish AltGr keys are
//! tested in `crates/genvej-desktop/src/key_events.rs`, not here.

use crate::require_desktop;
use crate::support;

use std::process::Stdio;
use std::time::Duration;

use support::agent::{config, toml_string};
use support::tools::Tool;
use support::wine::{Wine, WineAgent, windows_path};

const LONG: Duration = Duration::from_secs(60);
const TITLE: &str = "Fjernskrivebord - Fasit";
const TEXT: &str = "Hej Åse, @ 2 € {x} æøå ÆØÅ\tnæste\n§ ½ ✓";

/// One key event the hook saw.
#[derive(Debug, Clone, PartialEq)]
struct HookEvent {
    vk: u16,
    scan: u16,
    injected: bool,
    up: bool,
}

/// Reads `vk=41 scan=001E flags=10 injected down` lines.
fn parse(log: &str) -> Vec<HookEvent> {
    log.lines()
        .filter(|line| line.starts_with("vk="))
        .map(|line| {
            let field = |name: &str| {
                line.split(' ')
                    .find_map(|part| part.strip_prefix(name))
                    .and_then(|hex| u16::from_str_radix(hex, 16).ok())
                    .unwrap_or_else(|| panic!("no {name} in hook line {line:?}"))
            };
            HookEvent {
                vk: field("vk="),
                scan: field("scan="),
                injected: line.contains(" injected"),
                up: line.ends_with(" up"),
            }
        })
        .collect()
}

const VK_PACKET: u16 = 0xE7;
const LSHIFT: (u16, u16) = (0xA0, 0x2A);

#[test]
fn under_wine_text_typed_into_a_remote_desktop_window_goes_as_scan_codes() {
    let mut desktop = require_desktop!(Tool::Wine, Tool::WindowsBuild);
    let wine = Wine::start(&desktop);
    let hook_log = desktop.dir().join("hook.log");
    let mut remote = wine.wintool(&["remote", TITLE, &windows_path(&hook_log)]);
    remote.stdout(Stdio::null()).stderr(Stdio::null());
    desktop.spawn(remote);
    desktop.wait_for_window(TITLE, LONG);
    let layout = desktop.wait_for_line(&hook_log, "layout=", LONG);
    desktop.wait_for_line(&hook_log, "hooked", LONG);

    let script = format!(
        "id = \"fjern\"\nname = \"Fjern\"\nhotkey = \"Ctrl+Alt+T\"\nmanual_seconds = 60\n\n[[step]]\nwait_window = {{ title = \"Fjernskrivebord*\", timeout_ms = 20000 }}\n\n[[step]]\ntype = {}\n",
        toml_string(TEXT)
    );
    let folder = desktop.dir().join("agent");
    let agent = WineAgent::start(
        &mut desktop,
        &wine,
        &folder,
        &[("fjern.toml", script.as_str())],
        &config("", "notice_seconds = 0"),
        &["--no-tray"],
    );
    desktop.key("ctrl+alt+t");
    agent.wait_for_log(&desktop, "«Fjern» completed");
    let typed = wine.wait_for_edit_text(TITLE, TEXT, LONG);
    assert_eq!(typed, TEXT, "agent log:\n{}", agent.log_text());
    let chose = agent.wait_for_log(&desktop, "typing as scan codes");
    agent.close(&mut desktop, &wine);

    let log = std::fs::read_to_string(&hook_log).expect("hook log");
    let injected: Vec<HookEvent> = parse(&log).into_iter().filter(|e| e.injected).collect();
    eprintln!("{}; {}", layout.trim(), chose.trim());
    eprintln!("the hook saw {} injected key events, e.g.:", injected.len());
    for line in log.lines().filter(|l| l.contains(" injected")).take(12) {
        eprintln!("  {line}");
    }

    // Unicode (VK_PACKET, the UTF-16 unit as scan code) only for the
    // characters Wine's layout lacks, each once down and once up (Wine 8
    // flags both as down).
    let packets: Vec<u16> = injected
        .iter()
        .filter(|e| e.vk == VK_PACKET)
        .map(|e| e.scan)
        .collect();
    let off_layout: Vec<u16> = TEXT
        .chars()
        .filter(|c| !c.is_ascii())
        .flat_map(|c| [c as u16, c as u16])
        .collect();
    assert_eq!(packets, off_layout, "VK_PACKET events:\n{log}");

    // Everything else is a key with a scan code: one key down for each
    // ASCII character (Tab and Enter included), besides Shift.
    let keys: Vec<&HookEvent> = injected.iter().filter(|e| e.vk != VK_PACKET).collect();
    assert!(
        keys.iter().all(|e| e.scan != 0),
        "a key without scan code:\n{log}"
    );
    let downs: Vec<(u16, u16)> = keys
        .iter()
        .filter(|e| !e.up && (e.vk, e.scan) != LSHIFT)
        .map(|e| (e.vk, e.scan))
        .collect();
    assert_eq!(
        downs.len(),
        TEXT.chars().filter(char::is_ascii).count(),
        "{downs:x?}"
    );
    assert!(downs.contains(&(0x09, 0x0F)), "Tab with its scan code");
    assert!(downs.contains(&(0x0D, 0x1C)), "Enter with its scan code");
    // `@` is Shift+2 on the US layout: Shift and 2 both as scan codes.
    let at: Vec<(u16, u16, bool)> = keys.iter().map(|e| (e.vk, e.scan, e.up)).collect();
    let shift_2 = [
        (0xA0, 0x2A, false),
        (0x32, 0x03, false),
        (0x32, 0x03, true),
        (0xA0, 0x2A, true),
    ];
    assert!(at.windows(4).any(|w| w == shift_2), "Shift+2 for @:\n{log}");
    // No modifier is left down: every Shift press is released.
    let shift = |up: bool| {
        keys.iter()
            .filter(|e| (e.vk, e.scan) == LSHIFT && e.up == up)
            .count()
    };
    assert_eq!(shift(false), shift(true));
    assert_eq!(shift(false), 4, "H, @, {{ and }} need Shift");
}
