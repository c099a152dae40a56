//! Runs the real `genvej` agent on a test desktop: writes scripts and a
//! config into the desktop's folder, starts `genvej run --no-tray` and waits
//! for its "ready" log line; stops it with SIGTERM and waits for "stopped".

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::desktop::Desktop;

/// How long the agent may take to register its hot keys.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

pub struct Agent {
    pub pid: u32,
    pub log: PathBuf,
    pub folder: PathBuf,
}

/// A config for tests: the shipped profile and `[org]`, plus `extra` TOML
/// appended to `[org]` (e.g. a long text as `text = "…"`), and agent
/// settings. The agent's log files go to `logs/` and its usage records to
/// `usage.sqlite` next to the config (never the user's own data folder).
pub fn config(org_extra: &str, agent_settings: &str) -> String {
    config_with_usage(org_extra, agent_settings, "")
}

/// [`config`] with more `[usage]` settings.
pub fn config_with_usage(org_extra: &str, agent_settings: &str, usage: &str) -> String {
    format!(
        "[profile]\nname = \"Mette Sørensen\"\ntitle = \"Jobkonsulent\"\n\n[org]\n{org_extra}\n\n[usage]\ndatabase = \"usage.sqlite\"\n{usage}\n\n[agent]\nlog_folder = \"logs\"\n{agent_settings}\n"
    )
}

/// A TOML string literal holding `text` exactly.
pub fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// How to start the agent.
pub struct Launch<'a> {
    /// With the tray icon (`genvej run`), else `genvej run --no-tray`.
    pub tray: bool,
    /// Environment variables to take away (e.g. the D-Bus session).
    pub env_remove: &'a [&'a str],
    /// A program (and its arguments) that starts genvej, e.g. `unshare`;
    /// it must exec genvej so the process id stays the agent's.
    pub wrapper: &'a [&'a str],
}

impl Default for Launch<'_> {
    fn default() -> Self {
        Launch {
            tray: true,
            env_remove: &[],
            wrapper: &[],
        }
    }
}

impl Agent {
    /// Starts an agent named `name` with the given script files and config,
    /// without a tray icon.
    pub fn start(
        desktop: &mut Desktop,
        name: &str,
        scripts: &[(&str, &str)],
        config: &str,
    ) -> Agent {
        let launch = Launch {
            tray: false,
            ..Launch::default()
        };
        Agent::start_with(desktop, name, scripts, config, launch)
    }

    /// Starts an agent the way `launch` says.
    pub fn start_with(
        desktop: &mut Desktop,
        name: &str,
        scripts: &[(&str, &str)],
        config: &str,
        launch: Launch,
    ) -> Agent {
        let folder = desktop.dir().join(name);
        let hotkeys = folder.join("hotkeys");
        std::fs::create_dir_all(&hotkeys)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", hotkeys.display()));
        for (file, text) in scripts {
            write(&hotkeys.join(file), text);
        }
        let config_path = folder.join("genvej.toml");
        write(&config_path, config);
        let log = folder.join("agent.log");
        let stderr =
            File::create(&log).unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));

        let genvej = env!("CARGO_BIN_EXE_genvej");
        let mut command = match launch.wrapper.split_first() {
            Some((program, args)) => {
                let mut command = desktop.command(program);
                command.args(args).arg(genvej);
                command
            }
            None => desktop.command(genvej),
        };
        let args: &[&str] = if launch.tray {
            &["run"]
        } else {
            &["run", "--no-tray"]
        };
        command
            .arg("--config")
            .arg(&config_path)
            .arg("--hotkeys")
            .arg(&hotkeys)
            .args(args)
            .env("GENVEJ_LOG", "debug")
            .stdout(std::process::Stdio::null())
            .stderr(stderr);
        for var in launch.env_remove {
            command.env_remove(var);
        }
        let pid = desktop.spawn(command);
        let agent = Agent { pid, log, folder };
        agent.wait_for_log(desktop, "genvej ready", READY_TIMEOUT);
        agent
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for a log line containing `needle` and returns that line.
    pub fn wait_for_log(&self, desktop: &Desktop, needle: &str, timeout: Duration) -> String {
        desktop.wait_for_line(&self.log, needle, timeout)
    }

    /// How many log lines contain `needle`.
    pub fn count_in_log(&self, needle: &str) -> usize {
        self.log_text()
            .lines()
            .filter(|l| l.contains(needle))
            .count()
    }

    /// SIGTERM, then waits for the agent's last log line. Every log the
    /// agent wrote (stderr and its log files) is checked for CPR numbers:
    /// one found fails the test, whatever the test was about.
    pub fn stop(self, desktop: &mut Desktop) -> String {
        desktop.stop(self.pid);
        self.wait_for_log(desktop, "genvej stopped", Duration::from_secs(10));
        let log = self.log_text();
        let files = self.log_files();
        assert!(
            !files.is_empty(),
            "the agent wrote no log file in {}",
            self.folder.join("logs").display()
        );
        for (name, text) in std::iter::once(("stderr".to_string(), log.clone())).chain(files) {
            for line in text.lines() {
                assert!(
                    !genvej_format::cpr::contains_cpr(line),
                    "a CPR number reached the agent's log ({name}):\n{line}"
                );
            }
        }
        log
    }

    /// The agent's log files: (file name, contents).
    pub fn log_files(&self) -> Vec<(String, String)> {
        log_files_in(&self.folder)
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Makes `text` the PRIMARY selection (what is "selected"), served by an
/// xclip process the desktop tracks, and waits until it reads back.
pub fn set_primary(desktop: &mut Desktop, text: &str) {
    let file = desktop.dir().join("primary.txt");
    write(&file, text);
    let mut command = desktop.command("xclip");
    command.args(["-selection", "primary", "-i"]).arg(&file);
    desktop.spawn(command);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let out = desktop
            .command("xclip")
            .args(["-selection", "primary", "-o"])
            .output();
        if out.is_ok_and(|o| o.stdout == text.as_bytes()) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the PRIMARY selection did not take the text"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The log files an agent with its folder at `folder` wrote: (file name,
/// contents); also after it stopped.
pub fn log_files_in(folder: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(folder.join("logs")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), text)
        })
        .collect()
}
