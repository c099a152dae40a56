//! Benchmark under Wine, side by side in one run: the genvej agent
//! (genvej.exe, shipped defaults) and AutoHotkey v2 (AutoHotkeyV2.exe from
//! the PyPI wheel `ahk-binary`, downloaded into target/ahk for this
//! benchmark only, never shipped).
//!
//! The target is not notepad (which takes ~130 characters/s from anyone and
//! so hides any difference) but `benchtool.exe` (tests/support/windows/
//! benchtool.c): a window holding one plain EDIT control that handles each
//! message as it arrives. It presses the hot key itself with one SendInput
//! call inside Wine and times with QueryPerformanceCounter: press → first
//! WM_CHAR → the last character. Both tools have hot keys for the same
//! texts: 2,000 Danish/Unicode characters, the first 300 of them, one "x"
//! (hot key → first character), and the 2,000 pasted (genvej's paste step;
//! AutoHotkey sets the clipboard and sends ^v). What arrived is compared
//! with the text (edit distance). Both tools' idle footprint is read in the
//! same run: Linux RSS of each Wine process, the Windows figures Wine
//! reports (GetProcessMemoryInfo: private bytes, working set), and CPU time
//! over 10 s.
//!
//! Run with `cargo bench --bench wine` (about 8 minutes on the loaded
//! 2-core machine: Wine 8's EDIT control lays its whole text out again for
//! each character, so a 2,000-character round takes ~45 s for either tool),
//! or with the X11 benchmark as one command: `bash benches/compare`.
//! `GENVEJ_EXE=path/to/genvej.exe` benches a build made elsewhere.
//! `GENVEJ_BENCH_FIRST_KEY=N` measures only hot key → first character, in
//! N blocks of presses that take turns between the tools (so that a change
//! in the machine's load falls on both), and prints the median of each
//! tool's presses: about four minutes for N = 3, for work on that path.

#[path = "common/process.rs"]
mod process;
#[path = "common/summary.rs"]
mod summary;
#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use process::{cpu_time, status_field_kb};
use summary::{Row, ratio};
use support::desktop::Desktop;
use support::texts::DANISH_2000;
use support::tools::Tool;
use support::wine::{Wine, WineAgent, build_helper, windows_path};

/// Rounds per text and tool.
const ROUNDS: usize = 3;
/// Presses per tool for hot key → first character.
const LATENCY_ROUNDS: usize = 15;
const TIMEOUT: Duration = Duration::from_secs(180);
/// How long both tools sit idle while their CPU time is counted.
const IDLE: Duration = Duration::from_secs(10);
/// The shorter text's length (the figure cited in issue 19).
const SHORT: usize = 300;

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

/// One text both tools have a hot key for.
struct Text {
    name: &'static str,
    text: String,
    /// The file benchtool compares lengths with (UTF-8, `\n` breaks).
    file: PathBuf,
}

/// One timed round, as benchtool reported it.
struct Round {
    first_ms: f64,
    last_ms: f64,
    wrong: usize,
}

/// The bench's side of the Wine desktop: the prefix and benchtool.exe.
struct Bench {
    desktop: Desktop,
    wine: Wine,
    benchtool: PathBuf,
    batches: usize,
}

impl Bench {
    /// `ROUNDS` presses of `keys` (e.g. "ctrl+alt+t") into benchtool's EDIT
    /// control, `pause_ms` between them; each compared with `text`.
    fn rounds(&mut self, keys: &str, text: &Text, rounds: usize, pause_ms: u32) -> Vec<Round> {
        self.batches += 1;
        let dir = self.desktop.dir().join(format!("batch-{}", self.batches));
        std::fs::create_dir_all(&dir).expect("folder");
        let report = dir.join("rounds.txt");
        let out = dir.join("out");
        let status = self
            .wine
            .wine(
                &self.benchtool,
                &[
                    "type",
                    keys,
                    &windows_path(&text.file),
                    &rounds.to_string(),
                    &pause_ms.to_string(),
                    &windows_path(&out),
                ],
            )
            .stdout(std::fs::File::create(&report).expect("report"))
            .stderr(Stdio::null())
            .status()
            .expect("benchtool runs under wine");
        let lines = std::fs::read_to_string(&report).unwrap_or_default();
        assert!(status.success(), "benchtool type {keys}: {status}\n{lines}");
        let rounds: Vec<Round> = lines
            .lines()
            .enumerate()
            .map(|(n, line)| {
                let field = |name: &str| -> f64 {
                    line.split_whitespace()
                        .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
                        .and_then(|v| v.parse().ok())
                        .unwrap_or_else(|| panic!("no {name} in {line:?}"))
                };
                assert_eq!(
                    field("foreground"),
                    1.0,
                    "benchtool's window had no focus: {line}"
                );
                let arrived = std::fs::read_to_string(format!("{}.{}.txt", out.display(), n + 1))
                    .unwrap_or_default();
                Round {
                    first_ms: field("first_us") / 1e3,
                    last_ms: field("last_us") / 1e3,
                    wrong: strsim::levenshtein(&text.text, &arrived),
                }
            })
            .collect();
        assert!(!rounds.is_empty(), "benchtool reported nothing");
        rounds
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Medians of a batch of rounds, and the characters wrong in all of them.
struct Figures {
    first_ms: f64,
    last_ms: f64,
    chars_per_s: f64,
    wrong: usize,
    rounds: usize,
}

fn figures(rounds: &[Round], chars: usize) -> Figures {
    let last_ms = median(rounds.iter().map(|r| r.last_ms).collect());
    Figures {
        first_ms: median(rounds.iter().map(|r| r.first_ms).collect()),
        last_ms,
        chars_per_s: median(
            rounds
                .iter()
                .map(|r| chars as f64 / (r.last_ms / 1e3))
                .collect(),
        ),
        wrong: rounds.iter().map(|r| r.wrong).sum(),
        rounds: rounds.len(),
    }
}

fn print_figures(tool: &str, what: &str, f: &Figures) {
    println!(
        "{tool:<22} {what:<24} hot key → first char {:>7.1} ms, → last char {:>7.1} ms, {:>6.0} chars/s (medians of {}); wrong characters in all rounds: {}",
        f.first_ms, f.last_ms, f.chars_per_s, f.rounds, f.wrong
    );
}

/// What one tool measured, text by text.
struct Measured {
    latency: Figures,
    long: Figures,
    short: Figures,
    paste: Figures,
}

/// Keys of one tool: "x", 2,000 chars, 300 chars, paste.
struct Keys {
    x: &'static str,
    long: &'static str,
    short: &'static str,
    paste: &'static str,
}

const GENVEJ_KEYS: Keys = Keys {
    x: "ctrl+alt+q",
    long: "ctrl+alt+t",
    short: "ctrl+alt+u",
    paste: "ctrl+alt+p",
};
const AHK_KEYS: Keys = Keys {
    x: "ctrl+alt+w",
    long: "ctrl+alt+y",
    short: "ctrl+alt+i",
    paste: "ctrl+alt+v",
};

fn measure(bench: &mut Bench, tool: &str, keys: &Keys, texts: &[Text; 3]) -> Measured {
    let [x, long, short] = texts;
    let latency = figures(&bench.rounds(keys.x, x, LATENCY_ROUNDS, 300), 1);
    print_figures(tool, "\"x\"", &latency);
    let long_figures = figures(&bench.rounds(keys.long, long, ROUNDS, 500), 2000);
    print_figures(tool, "2,000 chars typed", &long_figures);
    let short_figures = figures(&bench.rounds(keys.short, short, ROUNDS, 500), SHORT);
    print_figures(tool, "300 chars typed", &short_figures);
    let paste = figures(&bench.rounds(keys.paste, long, ROUNDS, 1000), 2000);
    print_figures(tool, "2,000 chars pasted", &paste);
    Measured {
        latency,
        long: long_figures,
        short: short_figures,
        paste,
    }
}

/// Hot key → first character only, `blocks` blocks of presses per tool,
/// taking turns.
fn first_key_only(bench: &mut Bench, x: &Text, blocks: usize) {
    let mut genvej = Vec::new();
    let mut ahk = Vec::new();
    for _ in 0..blocks {
        genvej.extend(bench.rounds(GENVEJ_KEYS.x, x, LATENCY_ROUNDS, 300));
        ahk.extend(bench.rounds(AHK_KEYS.x, x, LATENCY_ROUNDS, 300));
    }
    let g = figures(&genvej, 1);
    let a = figures(&ahk, 1);
    print_figures("genvej", "\"x\"", &g);
    print_figures("AutoHotkey v2", "\"x\"", &a);
    add_ratio_row(
        "hot key → first char, ms (median, first-key run)",
        g.first_ms,
        a.first_ms,
        2,
        "the time",
    );
}

fn main() {
    let Some(desktop) = Desktop::start_needing(&[Tool::Wine, Tool::WindowsBuild, Tool::Pip]) else {
        eprintln!("wine benchmark skipped: tools are missing (see above)");
        return;
    };
    let wine = Wine::start(&desktop);
    let benchtool = desktop.dir().join("benchtool.exe");
    build_helper("benchtool.c", &benchtool, &["-municode"]);
    let ahk = autohotkey();
    let dir = desktop.dir().to_path_buf();
    let mut bench = Bench {
        desktop,
        wine,
        benchtool,
        batches: 0,
    };

    let short: String = DANISH_2000.chars().take(SHORT).collect();
    let texts = [
        ("x", "x".to_string()),
        ("long", DANISH_2000.to_string()),
        ("short", short),
    ]
    .map(|(name, text)| {
        let file = dir.join(format!("{name}.txt"));
        std::fs::write(&file, &text).expect("text");
        Text { name, text, file }
    });

    let agent = start_genvej(&mut bench, "genvej", "", &texts);
    start_autohotkey(&mut bench, &ahk, &texts);
    if let Some(blocks) = std::env::var("GENVEJ_BENCH_FIRST_KEY")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        first_key_only(&mut bench, &texts[0], blocks);
        wait_for_runs(&agent, blocks * LATENCY_ROUNDS);
        agent.close(&mut bench.desktop, &bench.wine);
        return;
    }

    // Both idle, side by side.
    let idle = [
        ("genvej.exe", "genvej"),
        ("AutoHotkeyV2.exe", "AutoHotkey v2"),
    ]
    .map(|(exe, name)| {
        let pid = wine_process(&bench.wine, exe);
        (exe, name, pid, cpu_time(pid))
    });
    std::thread::sleep(IDLE);
    let idle = idle.map(|(exe, name, pid, before)| {
        let cpu_ms = (cpu_time(pid) - before).as_millis();
        let rss_mb = status_field_kb(pid, "VmRSS") as f64 / 1024.0;
        let private_mb = private_kb(pid) as f64 / 1024.0;
        let windows = windows_memory(&bench, exe);
        println!(
            "{name:<22} idle: Linux RSS of the Wine process {rss_mb:.1} MB, of it private (smaps) {private_mb:.1} MB; as Wine reports it: private bytes {:.1} MB, working set {:.1} MB (peak {:.1} MB); CPU {cpu_ms} ms over {} s",
            windows.private_mb,
            windows.working_set_mb,
            windows.peak_mb,
            IDLE.as_secs()
        );
        (rss_mb, private_mb, windows, cpu_ms)
    });

    println!(
        "Under Wine on Xvfb, into a plain EDIT control, hot key pressed with SendInput inside Wine, QPC-timed:"
    );
    let g = measure(&mut bench, "genvej", &GENVEJ_KEYS, &texts);
    let a = measure(&mut bench, "AutoHotkey v2", &AHK_KEYS, &texts);
    wait_for_runs(&agent, LATENCY_ROUNDS + 3 * ROUNDS);
    agent.close(&mut bench.desktop, &bench.wine);

    let wine_rows = [
        (
            "hot key → first char, ms (median)",
            g.latency.first_ms,
            a.latency.first_ms,
            1,
        ),
        (
            "300 chars typed: hot key → last char, ms",
            g.short.last_ms,
            a.short.last_ms,
            1,
        ),
        (
            "2,000 chars typed: hot key → last char, ms",
            g.long.last_ms,
            a.long.last_ms,
            0,
        ),
        (
            "2,000 chars pasted: hot key → all text, ms",
            g.paste.last_ms,
            a.paste.last_ms,
            1,
        ),
    ];
    for (what, genvej, other, decimals) in wine_rows {
        add_ratio_row(what, genvej, other, decimals, "the time");
    }
    summary::add(&Row {
        platform: "Wine",
        what: "2,000 chars typed, chars/s",
        genvej: format!("{:.0}", g.long.chars_per_s),
        other: format!("AutoHotkey v2 {:.0}", a.long.chars_per_s),
        ratio: ratio(g.long.chars_per_s, a.long.chars_per_s, "the speed"),
    });
    summary::add(&Row {
        platform: "Wine",
        what: "characters wrong, all typing and paste rounds",
        genvej: (g.latency.wrong + g.long.wrong + g.short.wrong + g.paste.wrong).to_string(),
        other: format!(
            "AutoHotkey v2 {}",
            a.latency.wrong + a.long.wrong + a.short.wrong + a.paste.wrong
        ),
        ratio: "–".to_string(),
    });
    let [
        (g_rss, g_private, g_win, g_cpu),
        (a_rss, a_private, a_win, a_cpu),
    ] = idle;
    let memory_rows = [
        (
            "idle: private memory (Linux smaps), MB",
            g_private,
            a_private,
        ),
        (
            "idle: private bytes (Wine's figure), MB",
            g_win.private_mb,
            a_win.private_mb,
        ),
        (
            "idle: working set (Wine's figure), MB",
            g_win.working_set_mb,
            a_win.working_set_mb,
        ),
        ("idle: Linux RSS of the Wine process, MB", g_rss, a_rss),
    ];
    for (what, genvej, other) in memory_rows {
        add_ratio_row(what, genvej, other, 1, "the memory");
    }
    summary::add(&Row {
        platform: "Wine",
        what: "idle: CPU over 10 s, ms",
        genvej: g_cpu.to_string(),
        other: format!("AutoHotkey v2 {a_cpu}"),
        ratio: "–".to_string(),
    });
}

/// A summary row of genvej against AutoHotkey, to `decimals` places, with
/// the ratio of `of` ("the time", "the memory").
fn add_ratio_row(what: &str, genvej: f64, other: f64, decimals: usize, of: &str) {
    summary::add(&Row {
        platform: "Wine",
        what,
        genvej: format!("{genvej:.decimals$}"),
        other: format!("AutoHotkey v2 {other:.decimals$}"),
        ratio: ratio(genvej, other, of),
    });
}

/// The genvej agent (`--no-tray`) with hot keys for the texts and a paste;
/// `agent` is extra `[agent]` settings.
fn start_genvej(bench: &mut Bench, name: &str, agent: &str, texts: &[Text; 3]) -> WineAgent {
    let script = |id: &str, key: &str, step: &str| {
        format!(
            "id = \"{id}\"\nname = \"{id}\"\nhotkey = \"{key}\"\nmanual_seconds = 60\n\n[[step]]\n{step}\n"
        )
    };
    let x = script("x", "Ctrl+Alt+Q", "type = \"{{ org.x }}\"");
    let long = script("long", "Ctrl+Alt+T", "type = \"{{ org.long }}\"");
    let short = script("short", "Ctrl+Alt+U", "type = \"{{ org.short }}\"");
    let paste = script("paste", "Ctrl+Alt+P", "paste = \"{{ org.long }}\"");
    let org: String = texts
        .iter()
        .map(|t| format!("{} = {}\n", t.name, toml::Value::String(t.text.clone())))
        .collect();
    let config = format!(
        "[org]\n{org}\n[usage]\nrecord = false\n\n[agent]\nnotice_seconds = 0\npaste_threshold = 100000\n{agent}"
    );
    let folder = bench.desktop.dir().join(name);
    WineAgent::start(
        &mut bench.desktop,
        &bench.wine,
        &folder,
        &[
            ("x.toml", x.as_str()),
            ("long.toml", long.as_str()),
            ("short.toml", short.as_str()),
            ("paste.toml", paste.as_str()),
        ],
        &config,
        &["--no-tray"],
    )
}

/// AutoHotkey v2 with the same texts (read once, at start): SendText for
/// typing; the clipboard and ^v for the paste.
fn start_autohotkey(bench: &mut Bench, ahk: &Path, texts: &[Text; 3]) {
    let dir = bench.desktop.dir().to_path_buf();
    let ready = dir.join("ahk-ready.txt");
    let script = dir.join("bench.ahk");
    let [x, long, short] = texts.each_ref().map(|t| windows_path(&t.file));
    std::fs::write(
        &script,
        format!(
            "#Requires AutoHotkey v2.0\n#SingleInstance Force\nPersistent\n\
             x := FileRead(\"{x}\", \"UTF-8\")\nlong := FileRead(\"{long}\", \"UTF-8\")\nshort := FileRead(\"{short}\", \"UTF-8\")\n\
             ^!w::SendText(x)\n^!y::SendText(long)\n^!i::SendText(short)\n\
             ^!v:: {{\n  A_Clipboard := long\n  Send \"^v\"\n}}\n\
             FileAppend \"ready\", \"{}\"\n",
            windows_path(&ready)
        ),
    )
    .expect("ahk script");
    let log = std::fs::File::create(dir.join("ahk.log")).expect("log");
    let mut command = bench
        .wine
        .wine(ahk, &["/ErrorStdOut", &windows_path(&script)]);
    command.stdout(log.try_clone().expect("log")).stderr(log);
    bench.desktop.spawn(command);
    let deadline = Instant::now() + TIMEOUT;
    while !ready.exists() {
        assert!(Instant::now() < deadline, "AutoHotkey did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the agent has logged `count` completed runs.
fn wait_for_runs(agent: &WineAgent, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while agent.log_text().matches("» completed").count() < count {
        assert!(
            Instant::now() < deadline,
            "the agent completed fewer than {count} runs; log:\n{}",
            agent.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Memory only process `pid` uses (Private_Clean + Private_Dirty of
/// /proc/PID/smaps_rollup, kB): the Linux side's counterpart of Windows'
/// private bytes, which Wine 8 reports as 0.
fn private_kb(pid: u32) -> u64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    rollup
        .lines()
        .filter(|line| line.starts_with("Private_"))
        .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum()
}

/// Memory figures of a Windows process as Wine reports them.
struct WindowsMemory {
    private_mb: f64,
    working_set_mb: f64,
    peak_mb: f64,
}

fn windows_memory(bench: &Bench, exe: &str) -> WindowsMemory {
    let output = bench
        .wine
        .wine(&bench.benchtool, &["memory", exe])
        .stderr(Stdio::null())
        .output()
        .expect("benchtool runs");
    let line = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "benchtool memory {exe}: {line}");
    let mb = |name: &str| -> f64 {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no {name} in {line:?}"))
            / (1024.0 * 1024.0)
    };
    WindowsMemory {
        private_mb: mb("private_bytes"),
        working_set_mb: mb("working_set"),
        peak_mb: mb("peak_working_set"),
    }
}

/// The Linux process that runs the Windows program `exe` under Wine (the
/// one in this benchmark's prefix with the most memory, should a launcher's
/// command line name it too).
fn wine_process(wine: &Wine, exe: &str) -> u32 {
    let exe = exe.to_lowercase();
    // This benchmark's prefix only: a genvej.exe left running elsewhere
    // (another test's prefix) is not the one measured.
    let prefix = wine
        .drive_c()
        .parent()
        .map(|p| format!("WINEPREFIX={}", p.display()));
    let in_prefix = |pid: u32| {
        std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| {
            environ
                .split(|&b| b == 0)
                .any(|var| prefix.as_deref().is_some_and(|p| var == p.as_bytes()))
        })
    };
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|line| String::from_utf8_lossy(&line).to_lowercase().contains(&exe))
        })
        .filter(|pid| in_prefix(*pid))
        .max_by_key(|pid| status_field_kb(*pid, "VmRSS"))
        .unwrap_or_else(|| panic!("no process runs {exe}"))
}
