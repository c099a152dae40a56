//! Benchmark under Wine, side by side in one run: the genvej agent
//! (genvej.exe) and AutoHotkey v2 (AutoHotkeyV2.exe from the PyPI wheel
//! `ahk-binary`, downloaded into target/ahk for this benchmark only, never
//! shipped), each with a hot key that types the same 2,000 Danish/Unicode
//! characters into a fresh Wine notepad. xdotool presses the hot key; a
//! watcher inside Wine (`wintool watch`) polls notepad's Edit control every
//! millisecond and reports the first character and the last. Prints, per
//! tool: hot key → first character, chars/s, characters that arrived wrong,
//! and the ratios; both tools' memory and CPU time while idle; and for
//! genvej alone, the same text pasted (hot key → all text, and the run
//! until the clipboard is given back). Run with `cargo bench --bench wine`.

#[path = "common/process.rs"]
mod process;
#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use process::{cpu_time, status_field_kb};
use support::desktop::Desktop;
use support::texts::DANISH_2000;
use support::tools::Tool;
use support::wine::{Wine, WineAgent, windows_path};

const ROUNDS: usize = 5;
const NOTEPAD: &str = "Untitled - Notepad";
const TIMEOUT: Duration = Duration::from_secs(180);
/// How long both tools sit idle while their CPU time is counted.
const IDLE: Duration = Duration::from_secs(10);

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

/// One timed run.
struct Round {
    first: Duration,
    all: Duration,
    wrong: usize,
}

/// Opens a fresh notepad, presses `keys` and times what arrives.
fn round(desktop: &mut Desktop, wine: &Wine, keys: &str) -> Round {
    let notepad = wine.notepad(desktop, None);
    let units = DANISH_2000.replace('\n', "\r\n").encode_utf16().count();
    let mut watcher = wine
        .wintool(&["watch", &notepad, &units.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("wintool watch runs");
    let (lines, inbox) = mpsc::channel::<(String, Instant)>();
    let stdout = watcher.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send((line, Instant::now()));
        }
    });
    let next = |want: &str| {
        let (line, at) = inbox.recv_timeout(TIMEOUT).expect("the watcher answers");
        assert_eq!(line, want, "watcher said {line:?}");
        at
    };
    next("ready");
    let pressed = Instant::now();
    desktop.key(keys);
    let first = next("first") - pressed;
    let all = next("done") - pressed;
    let _ = watcher.wait();
    let text = wine.edit_text(&notepad).unwrap_or_default();
    let wrong = wrong(DANISH_2000, &text);
    let _ = wine
        .command("wine")
        .args(["taskkill", "/f", "/im", "notepad.exe"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while desktop.find_window(NOTEPAD).is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    Round { first, all, wrong }
}

/// Characters that differ, plus the difference in length.
fn wrong(expected: &str, actual: &str) -> usize {
    let a: Vec<char> = expected.chars().collect();
    let b: Vec<char> = actual.chars().collect();
    a.len().abs_diff(b.len()) + a.iter().zip(&b).filter(|(x, y)| x != y).count()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

struct Summary {
    first_ms: f64,
    chars_per_s: f64,
    wrong: usize,
}

fn summary(name: &str, rounds: &[Round]) -> Summary {
    let s = Summary {
        first_ms: median(rounds.iter().map(|r| r.first.as_secs_f64() * 1e3).collect()),
        chars_per_s: median(
            rounds
                .iter()
                .map(|r| 2000.0 / r.all.as_secs_f64())
                .collect(),
        ),
        wrong: rounds.iter().map(|r| r.wrong).sum(),
    };
    let firsts: Vec<String> = rounds
        .iter()
        .map(|r| format!("{}", r.first.as_millis()))
        .collect();
    println!(
        "{name:<14} hot key → first char median {:>5.0} ms (rounds: {} ms); {:>5.0} chars/s; wrong characters in all rounds: {}",
        s.first_ms,
        firsts.join(", "),
        s.chars_per_s,
        s.wrong
    );
    s
}

fn main() {
    let Some(mut desktop) = Desktop::start_needing(&[Tool::Wine, Tool::WindowsBuild, Tool::Pip])
    else {
        eprintln!("wine benchmark skipped: tools are missing (see above)");
        return;
    };
    let wine = Wine::start(&desktop);
    let ahk = autohotkey();
    let dir = desktop.dir().to_path_buf();

    let agent = start_genvej(&mut desktop, &wine, "genvej", "");

    // AutoHotkey v2: Ctrl+Alt+Y types the same text (read once, at start).
    let text_file = dir.join("text.txt");
    std::fs::write(&text_file, format!("\u{feff}{DANISH_2000}")).expect("text");
    let ready = dir.join("ahk-ready.txt");
    let ahk_script = dir.join("type.ahk");
    std::fs::write(
        &ahk_script,
        format!(
            "#Requires AutoHotkey v2.0\n#SingleInstance Force\nPersistent\ntext := FileRead(\"{}\", \"UTF-8\")\n^!y::SendText(text)\nFileAppend \"ready\", \"{}\"\n",
            windows_path(&text_file),
            windows_path(&ready)
        ),
    )
    .expect("ahk script");
    let ahk_log = std::fs::File::create(dir.join("ahk.log")).expect("log");
    let mut command = wine.wine(&ahk, &["/ErrorStdOut", &windows_path(&ahk_script)]);
    command
        .stdout(ahk_log.try_clone().expect("log"))
        .stderr(ahk_log);
    desktop.spawn(command);
    let deadline = Instant::now() + TIMEOUT;
    while !ready.exists() {
        assert!(Instant::now() < deadline, "AutoHotkey did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    // Both idle, side by side: resident memory and CPU time.
    let idle_pids = [wine_process("genvej.exe"), wine_process("AutoHotkeyV2.exe")];
    let cpu_before = idle_pids.map(cpu_time);
    std::thread::sleep(IDLE);
    let idle: Vec<(f64, Duration)> = idle_pids
        .iter()
        .zip(cpu_before)
        .map(|(pid, before)| {
            let rss_mb = status_field_kb(*pid, "VmRSS") as f64 / 1024.0;
            (rss_mb, cpu_time(*pid) - before)
        })
        .collect();

    let mut genvej = Vec::new();
    let mut autohotkey = Vec::new();
    for n in 1..=ROUNDS {
        genvej.push(round(&mut desktop, &wine, "ctrl+alt+t"));
        autohotkey.push(round(&mut desktop, &wine, "ctrl+alt+y"));
        eprintln!("round {n}/{ROUNDS} done");
    }
    // Pasting the same text (Ctrl+Alt+P): hot key → all text in notepad,
    // and the run's own duration (until the caseworker's clipboard is back).
    let mut pastes = Vec::new();
    for n in 1..=ROUNDS {
        pastes.push(round(&mut desktop, &wine, "ctrl+alt+p"));
        let deadline = Instant::now() + TIMEOUT;
        while paste_runs(&agent).len() < n {
            assert!(Instant::now() < deadline, "paste run {n} did not complete");
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("paste: round {n}/{ROUNDS} done");
    }
    let paste_runs_ms = paste_runs(&agent);
    agent.close(&mut desktop, &wine);
    // The same agent without the default 50 ms settle pause before a run.
    let agent = start_genvej(&mut desktop, &wine, "genvej-settle0", "settle_ms = 0\n");
    let mut genvej_settle0 = Vec::new();
    for n in 1..=ROUNDS {
        genvej_settle0.push(round(&mut desktop, &wine, "ctrl+alt+t"));
        eprintln!("settle_ms = 0: round {n}/{ROUNDS} done");
    }
    agent.close(&mut desktop, &wine);

    println!(
        "Under Wine 8 on Xvfb, 2,000 Danish/Unicode characters into notepad, {ROUNDS} rounds each:"
    );
    let g = summary("genvej", &genvej);
    let g0 = summary("genvej settle0", &genvej_settle0);
    let a = summary("AutoHotkey v2", &autohotkey);
    let pasted_ms: Vec<f64> = pastes.iter().map(|r| r.all.as_secs_f64() * 1e3).collect();
    println!(
        "genvej paste    hot key → all 2,000 characters in notepad median {:.0} ms (rounds: {pasted_ms:.0?}); run until the clipboard is given back median {:.0} ms (rounds: {paste_runs_ms:?}); wrong characters in all rounds: {}",
        median(pasted_ms.clone()),
        median(paste_runs_ms.clone()),
        pastes.iter().map(|r| r.wrong).sum::<usize>()
    );
    for (name, (rss_mb, cpu)) in ["genvej agent", "AutoHotkey v2"].iter().zip(&idle) {
        println!(
            "{name:<14} idle: resident memory {rss_mb:.1} MB (the Wine process, Wine's own DLLs included), CPU time {} ms over {} s",
            cpu.as_millis(),
            IDLE.as_secs()
        );
    }
    println!(
        "ratio genvej / AutoHotkey: typing speed {:.2}×; hot key → first character {:.2}× the time ({:.2}× with settle_ms = 0)",
        g.chars_per_s / a.chars_per_s,
        g.first_ms / a.first_ms,
        g0.first_ms / a.first_ms
    );
}

/// The genvej agent with Ctrl+Alt+T typing the text; `agent` is extra
/// `[agent]` settings.
fn start_genvej(desktop: &mut Desktop, wine: &Wine, name: &str, agent: &str) -> WineAgent {
    let script = "id = \"tekst\"\nname = \"tekst\"\nhotkey = \"Ctrl+Alt+T\"\nmanual_seconds = 60\n\n[[step]]\ntype = \"{{ org.text }}\"\n";
    let paste = "id = \"paste\"\nname = \"paste\"\nhotkey = \"Ctrl+Alt+P\"\nmanual_seconds = 60\n\n[[step]]\npaste = \"{{ org.text }}\"\n";
    let config = format!(
        "[org]\ntext = {}\n\n[usage]\nrecord = false\n\n[agent]\nnotice_seconds = 0\npaste_threshold = 100000\n{agent}",
        toml::Value::String(DANISH_2000.to_string())
    );
    let folder = desktop.dir().join(name);
    WineAgent::start(
        desktop,
        wine,
        &folder,
        &[("tekst.toml", script), ("paste.toml", paste)],
        &config,
        &["--no-tray"],
    )
}

/// The durations (ms) of the paste runs the agent has logged as completed.
fn paste_runs(agent: &WineAgent) -> Vec<f64> {
    agent
        .log_text()
        .lines()
        .filter(|line| line.contains("«paste» completed"))
        .filter_map(|line| {
            line.split("ms=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

/// The Linux process that runs the Windows program `exe` under Wine (the
/// one with the most memory, should a launcher's command line name it too).
fn wine_process(exe: &str) -> u32 {
    let exe = exe.to_lowercase();
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|line| String::from_utf8_lossy(&line).to_lowercase().contains(&exe))
        })
        .max_by_key(|pid| status_field_kb(*pid, "VmRSS"))
        .unwrap_or_else(|| panic!("no process runs {exe}"))
}
