//! Benchmark under Wine, side by side in one run: genvej.exe and AutoHotkey
//! v2 (AutoHotkeyV2.exe from the PyPI wheel `ahk-binary`, downloaded into
//! target/ahk for the benchmark only, never shipped) typing the same 2,000
//! Danish/Unicode characters into Wine's notepad. Prints chars/s and how
//! many characters arrived wrong. Run with `cargo bench --bench wine`.
//!
//! Hot key → first character is not compared yet: the Windows agent (hot
//! keys) is not built; genvej.exe runs the script with `exec` here.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::desktop::Desktop;
use support::texts::DANISH_2000;
use support::wine::{Wine, genvej_exe};

const ROUNDS: usize = 3;

/// AutoHotkeyV2.exe out of the `ahk-binary` wheel (pip download).
fn autohotkey() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ahk");
    let exe = dir.join("AutoHotkeyV2.exe");
    if exe.exists() {
        return exe;
    }
    std::fs::create_dir_all(&dir).expect("folder");
    let downloaded = Command::new("python3")
        .args(["-m", "pip", "download", "ahk-binary", "--no-deps", "-d"])
        .arg(&dir)
        .status()
        .expect("pip runs");
    assert!(downloaded.success(), "pip download ahk-binary failed");
    let unpacked = Command::new("python3")
        .arg("-c")
        .arg(
            "import glob,sys,zipfile\n\
             d=sys.argv[1]\n\
             z=zipfile.ZipFile(glob.glob(d+'/ahk_binary-*.whl')[0])\n\
             n=[n for n in z.namelist() if n.endswith('/AutoHotkeyV2.exe')][0]\n\
             open(d+'/AutoHotkeyV2.exe','wb').write(z.read(n))",
        )
        .arg(&dir)
        .status()
        .expect("python3 runs");
    assert!(unpacked.success());
    exe
}

fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// Starts an empty notepad and waits for it.
fn notepad(desktop: &mut Desktop, wine: &Wine) {
    let mut command = wine.wine(Path::new("notepad"), &[]);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    desktop.spawn(command);
    desktop.wait_for_window("Untitled - Notepad", Duration::from_secs(60));
}

/// Closes notepad without saving.
fn close_notepad(desktop: &mut Desktop, wine: &Wine) {
    let _ = wine
        .command("wine")
        .args(["taskkill", "/f", "/im", "notepad.exe"])
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while desktop.find_window("Untitled - Notepad").is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wrong(expected: &str, actual: &str) -> usize {
    let a: Vec<char> = expected.chars().collect();
    let b: Vec<char> = actual.chars().collect();
    let mut diff = a.len().abs_diff(b.len());
    diff += a.iter().zip(&b).filter(|(x, y)| x != y).count();
    diff
}

fn main() {
    let Some(mut desktop) = Desktop::start() else {
        eprintln!("no desktop: install the packages the tests name");
        return;
    };
    let wine = Wine::start(&desktop);
    let genvej = genvej_exe();
    let ahk = autohotkey();
    let dir = desktop.dir().to_path_buf();

    // genvej: a script that types the text into notepad.
    let hotkeys = dir.join("hotkeys");
    std::fs::create_dir_all(&hotkeys).expect("folder");
    std::fs::write(
        hotkeys.join("typing.toml"),
        "id = \"typing\"\nname = \"typing\"\nmanual_seconds = 60\n\n[[step]]\nfocus_window = { title = \"Untitled - Notepad\" }\n\n[[step]]\ntype = \"{{ org.text }}\"\n",
    )
    .expect("script");
    let config = dir.join("genvej.toml");
    std::fs::write(
        &config,
        format!(
            "[org]\ntext = {}\n\n[usage]\nrecord = false\n\n[agent]\npaste_threshold = 100000\nsettle_ms = 0\n",
            toml::Value::String(DANISH_2000.to_string())
        ),
    )
    .expect("config");

    // AutoHotkey v2: the same text from a UTF-8 file, timed by itself.
    let text_file = dir.join("text.txt");
    std::fs::write(&text_file, format!("\u{feff}{DANISH_2000}")).expect("text");
    let ahk_script = dir.join("type.ahk");
    let ahk_ms = dir.join("ahk-ms.txt");
    std::fs::write(
        &ahk_script,
        format!(
            "#Requires AutoHotkey v2.0\nWinActivate \"Untitled - Notepad\"\nWinWaitActive \"Untitled - Notepad\"\ntext := FileRead(\"{}\", \"UTF-8\")\nstart := A_TickCount\nSendText text\nFileAppend A_TickCount - start, \"{}\"\nExitApp\n",
            windows_path(&text_file),
            windows_path(&ahk_ms)
        ),
    )
    .expect("ahk script");

    for round in 1..=ROUNDS {
        // genvej
        notepad(&mut desktop, &wine);
        let output = dir.join("genvej-output.txt");
        let file = std::fs::File::create(&output).expect("file");
        let status = wine
            .wine(
                &genvej,
                &[
                    "--config",
                    &windows_path(&config),
                    "--hotkeys",
                    &windows_path(&hotkeys),
                    "exec",
                    "typing",
                ],
            )
            .stdout(file.try_clone().expect("file"))
            .stderr(file)
            .status()
            .expect("genvej.exe runs");
        let log = std::fs::read_to_string(&output).unwrap_or_default();
        let ms: f64 = log
            .split("ms=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(f64::NAN);
        let typed =
            wine.wait_for_edit_text("Untitled - Notepad", DANISH_2000, Duration::from_secs(30));
        let genvej_wrong = wrong(DANISH_2000, &typed);
        close_notepad(&mut desktop, &wine);

        // AutoHotkey v2
        notepad(&mut desktop, &wine);
        let _ = std::fs::remove_file(&ahk_ms);
        let ahk_status = wine
            .wine(&ahk, &["/ErrorStdOut", &windows_path(&ahk_script)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("AutoHotkey runs");
        let ahk_elapsed: f64 = std::fs::read_to_string(&ahk_ms)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(f64::NAN);
        let typed =
            wine.wait_for_edit_text("Untitled - Notepad", DANISH_2000, Duration::from_secs(30));
        let ahk_wrong = wrong(DANISH_2000, &typed);
        close_notepad(&mut desktop, &wine);

        println!(
            "round {round}: genvej {:.0} chars/s, {genvej_wrong} wrong ({:.0} ms, exit {}); AutoHotkey v2 SendText {:.0} chars/s, {ahk_wrong} wrong ({:.0} ms, exit {}); ratio genvej/AHK {:.2}",
            2000.0 / ms * 1000.0,
            ms,
            status.code().unwrap_or(-1),
            2000.0 / ahk_elapsed * 1000.0,
            ahk_elapsed,
            ahk_status.code().unwrap_or(-1),
            ahk_elapsed / ms,
        );
    }
}
