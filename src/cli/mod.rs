//! The `genvej` command line.

/// `println!` that hands the write error back instead of panicking, so a
/// reader that stops early (`genvej list | head`) ends the command quietly
/// and a full disk is an error message, not an internal error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `print!` the same way as [`say!`].
macro_rules! say_inline {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod bundle;
mod bundle_status;
mod commands;
mod credential;
mod dry_run;
mod script_tests;
mod usage;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use bundle::BundleAction;

use genvej_desktop::paths;
use genvej_format::config::{Config, ConfigLayer, LayeredConfig};
use genvej_format::script::ScriptFolders;

/// genvej — hot keys for caseworkers.
#[derive(Debug, Parser)]
#[command(name = "genvej", version, about, long_about = None)]
pub struct Cli {
    /// A folder (or file) of hot-key scripts; repeat for several. Default: the
    /// config's `agent.hotkey_folders`, else the bundled/installed scripts.
    #[arg(long = "hotkeys", value_name = "DIR", global = true)]
    pub hotkeys: Vec<PathBuf>,
    /// A config file; repeat to layer several (later files override earlier
    /// ones). Default: the machine-wide config, then the per-user one on top;
    /// in a source checkout, the bundled `config/genvej.toml`.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Vec<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check scripts and report every problem as path:line:col.
    Check {
        /// Scripts or folders to check (default: the configured folders).
        paths: Vec<PathBuf>,
        /// The release check of the organisation's library: every script
        /// must also have `owner`, `version` and both approvals
        /// (`[approved]` `professional` and `legal`).
        #[arg(long)]
        release: bool,
    },
    /// Run the scripts' test cases (`NAME.tests.toml` beside `NAME.toml`)
    /// on the recording desktop: one line per case, a diff on a mismatch;
    /// exit 0 all passed, 1 a case failed, 2 a usage error.
    Test {
        /// Folders of scripts, scripts or test files (default: the
        /// configured folders).
        paths: Vec<PathBuf>,
        /// Only the cases whose `script-id: case name` (or test file)
        /// contains TEXT.
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
        /// Write each case's actual actions into its `expect` list (review
        /// the change before committing it). Never the default.
        #[arg(long)]
        bless: bool,
        /// Also write the results as JUnit XML (for CI) to FILE.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
    },
    /// Print the JSON Schema of the script format (or of the config, or of
    /// a script's test file).
    Schema {
        /// The config file's schema instead of the scripts'.
        #[arg(long = "for-config")]
        for_config: bool,
        /// The schema of a script's test file (`NAME.tests.toml`).
        #[arg(long = "for-tests", conflicts_with = "for_config")]
        for_tests: bool,
    },
    /// List the hot keys.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Run one script now.
    Exec {
        /// The script's id.
        id: String,
        /// Give an input's value, e.g. `--set cpr=070761-4285`.
        #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_assignment)]
        set: Vec<(String, String)>,
        /// Run against a recording stand-in desktop and print every action.
        #[arg(long)]
        dry_run: bool,
        /// Show CPR numbers in the dry run's output instead of masking them.
        #[arg(long)]
        show_personal_data: bool,
        /// In a dry run, the source NAME answers with this JSON file
        /// (checked like a real answer), e.g. `--fixture borger=borger.json`;
        /// a NAME that is an http(s) address prefix gives `merge_pdf`
        /// downloads from there this PDF.
        #[arg(long = "fixture", value_name = "NAME=FILE", value_parser = parse_assignment, requires = "dry_run")]
        fixture: Vec<(String, String)>,
        /// In a dry run, the text selected when the script starts.
        #[arg(long, value_name = "TEXT", requires = "dry_run")]
        selection: Option<String>,
        /// In a dry run, what the script's hotstring ABBR would type.
        #[arg(long, value_name = "ABBR", requires = "dry_run")]
        hotstring: Option<String>,
    },
    /// The time saved: runs, success, automated vs manual time, per script,
    /// week, month and team, from this workstation's records or an export
    /// folder.
    Report(ReportArgs),
    /// Write this workstation's usage records (no personal data) to a file
    /// in the shared folder, for `genvej report --from`.
    Export {
        /// The folder (default `usage.export_folder`, else the current one).
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Save, check or remove a secret for request headers in the OS
    /// credential store (`{ credential = "NAME" }` in a source's headers).
    Credential {
        #[command(subcommand)]
        action: CredentialAction,
    },
    /// Signed script bundles: make a signing key, build a checked library
    /// into one signed file, verify, show and publish it (the IT office's
    /// release tools), and which library this workstation has cached.
    Bundle {
        #[command(subcommand)]
        action: BundleAction,
    },
    /// Show one dialog described by JSON on stdin (used by the agent).
    #[command(hide = true)]
    Dialog {
        /// Keep the command palette ready: take orders on stdin, one JSON
        /// line each, until it closes.
        #[arg(long)]
        palette: bool,
    },
    /// Start the agent (the default when no command is given).
    Run {
        /// Run without a tray icon.
        #[arg(long)]
        no_tray: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A folder of exports (`genvej export`) from many workstations, read
    /// instead of this workstation's database.
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// First day (YYYY-MM-DD), inclusive.
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,
    /// Last day (YYYY-MM-DD), inclusive.
    #[arg(long, value_name = "DATE")]
    pub until: Option<chrono::NaiveDate>,
    /// Only this team.
    #[arg(long)]
    pub team: Option<String>,
    /// Compare each script's versions instead (the author's version, else
    /// the bundle it came in, else its content): runs, success, median
    /// time, time saved, first and last day.
    #[arg(long)]
    pub by_version: bool,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write to this file instead of stdout (HTML: default
    /// `genvej-rapport.html` in the current folder).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// CSV field separator (default `;`, as Danish Excel expects).
    #[arg(long, default_value_t = ';')]
    pub separator: char,
    /// CSV numbers with a decimal point instead of the Danish comma.
    #[arg(long)]
    pub decimal_point: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Csv,
    Html,
}

#[derive(Debug, Subcommand)]
pub enum CredentialAction {
    /// Save the secret read from standard input (one line) under NAME,
    /// replacing any saved before.
    Set { name: String },
    /// Say whether NAME is saved and readable (never prints the secret).
    Check { name: String },
    /// Remove NAME.
    Delete { name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

fn parse_assignment(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| {
            format!(
                "expected NAME=VALUE, e.g. cpr=070761-4285, not `{}`",
                genvej_format::cpr::redact(text)
            )
        })
}

/// Runs the command line; the exit code is 0 on success, 1 when checks or a
/// run failed, 2 on usage errors.
pub fn main() -> ExitCode {
    crate::logging::install_panic_hook();
    let cli = Cli::parse();
    match commands::dispatch(cli) {
        Ok(code) => code,
        // The reader of our output went away (`| head`): nothing is wrong.
        Err(e) if reader_left(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("genvej: {}", genvej_format::cpr::redact(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

/// Whether the error is standard output's reader having closed the pipe.
fn reader_left(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The config and script folders this invocation uses.
pub(crate) struct Setup {
    pub config: Config,
    /// The config files in the order they apply (may be none).
    pub config_layers: Vec<ConfigLayer>,
    /// What the policy dropped from personal config files.
    pub layered: LayeredConfig,
    pub hotkey_folders: ScriptFolders,
    /// Signed bundles (`[bundles] from`), unless `--hotkeys` names the
    /// folders: the organisation's scripts then come from the cached bundle.
    pub bundles: Option<crate::agent::library::Bundles>,
}

impl Setup {
    pub fn resolve(cli: &Cli) -> anyhow::Result<Setup> {
        let config_layers = if cli.config.is_empty() {
            paths::default_config_layers()
        } else {
            ConfigLayer::from_command_line(&cli.config)
        };
        let layered = genvej_desktop::deployment::load_config(&config_layers)?;
        let config = layered.config.clone();
        let hotkey_folders = script_folders(cli, &config, &config_layers);
        let bundles = if cli.hotkeys.is_empty() {
            crate::agent::library::Bundles::from_config(&config)?
        } else {
            None
        };
        Ok(Setup {
            config,
            config_layers,
            layered,
            hotkey_folders,
            bundles,
        })
    }
}

/// The organisation's script folders (the command line's, else the
/// machine-wide config's, else the installer's, else the bundled or
/// installed ones; none when they come from signed bundles), and the
/// caseworker's own beside their personal config — unless the command line
/// names exactly which folders to use.
pub(crate) fn script_folders(cli: &Cli, config: &Config, layers: &[ConfigLayer]) -> ScriptFolders {
    if !cli.hotkeys.is_empty() {
        return ScriptFolders {
            central: cli.hotkeys.clone(),
            personal: Vec::new(),
        };
    }
    let central = if config.bundles.from.is_some() {
        Vec::new()
    } else if !config.agent.hotkey_folders.is_empty() {
        config.agent.hotkey_folders.clone()
    } else {
        let deployed = paths::deployed_hotkey_folders();
        if deployed.is_empty() {
            paths::default_hotkey_folders()
        } else {
            deployed
        }
    };
    let personal = layers
        .iter()
        .filter_map(ConfigLayer::personal_hotkeys)
        .filter(|folder| !central.contains(folder))
        .collect();
    ScriptFolders { central, personal }
}
