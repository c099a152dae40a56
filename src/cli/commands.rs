//! What each subcommand does.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::bail;

use super::{Cli, Command, ListFormat, Setup};
use genvej_engine::Engine;
use genvej_engine::ports::CancelToken;
use genvej_format::script::{self, CheckMode, ScriptFolders, ScriptSet};
use genvej_format::template::Renderer;

pub(super) fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(Command::Dialog { palette }) = cli.command {
        if palette {
            genvej_ui::dialog::serve_palette()?;
        } else {
            genvej_ui::dialog::serve_stdin()?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Command::Credential { action }) = &cli.command {
        return super::credential::run(action);
    }
    if let Some(Command::Bundle { action }) = &cli.command {
        return super::bundle::run(action, &cli);
    }
    let setup = Setup::resolve(&cli)?;
    match cli.command {
        Some(Command::Check { paths, release }) => {
            let mode = if release {
                CheckMode::Release
            } else {
                CheckMode::Normal
            };
            check(&setup, paths, mode)
        }
        Some(Command::Schema {
            for_config,
            for_tests,
        }) => {
            let schema = if for_config {
                genvej_format::schema::config()
            } else if for_tests {
                genvej_format::schema::tests()
            } else {
                genvej_format::schema::hotkeys()
            };
            say!("{}", serde_json::to_string_pretty(&schema)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::List { format }) => list(&setup, format),
        Some(Command::Test {
            paths,
            filter,
            bless,
            junit,
        }) => super::script_tests::run(
            &setup,
            super::script_tests::TestArgs {
                paths,
                filter,
                bless,
                junit,
            },
        ),
        Some(Command::Report(args)) => super::usage::report(&setup, &args),
        Some(Command::Export { to }) => super::usage::export(&setup, to),
        Some(Command::Exec {
            id,
            set,
            dry_run,
            show_personal_data,
            fixture,
            selection,
            hotstring,
        }) => {
            let dry = DryRunArgs {
                fixtures: fixture,
                selection,
                hotstring,
            };
            exec(
                &setup,
                &id,
                set.into_iter().collect(),
                dry_run.then_some(dry),
                show_personal_data,
            )
        }
        Some(Command::Run { no_tray }) => run_agent(&setup, no_tray),
        Some(Command::Dialog { .. } | Command::Credential { .. } | Command::Bundle { .. }) => {
            Ok(ExitCode::SUCCESS)
        }
        None => run_agent(&setup, false),
    }
}

/// Starts the agent, with its tray icon unless `no_tray`.
fn run_agent(setup: &Setup, no_tray: bool) -> anyhow::Result<ExitCode> {
    let log_folder = setup
        .config
        .agent
        .log_folder
        .clone()
        .or_else(genvej_desktop::paths::default_log_folder);
    let _logs = crate::logging::init(&setup.config.agent.log_level, log_folder.as_deref());
    if let Some(folder) = &_logs.folder {
        tracing::info!("logging to {}", folder.display());
    }
    if setup.hotkey_folders.is_empty() && setup.bundles.is_none() {
        bail!(
            "no script folders found; name one with --hotkeys DIR or set agent.hotkey_folders in the config"
        );
    }
    if let Some(bundles) = &setup.bundles {
        if !setup.config.agent.hotkey_folders.is_empty() {
            tracing::warn!(
                "agent.hotkey_folders is not used: with bundles.from set, the organisation's scripts come from its signed bundles"
            );
        }
        tracing::info!(
            "scripts come from signed bundles at {} (ring: {})",
            bundles.location.describe(""),
            bundles.ring.as_deref().unwrap_or("none")
        );
        // Logged either way; without a cache the first check fetches one.
        let _ = bundles.load_cache();
    }
    let locations = crate::agent::Locations {
        config_paths: setup.config_layers.clone(),
        folders: setup.hotkey_folders.clone(),
        bundles: setup.bundles.clone(),
        warned_writable: Default::default(),
    };
    let options = crate::agent::AgentOptions {
        tray: !no_tray,
        log_folder: _logs.folder.clone(),
    };
    run_platform_agent(locations, options)
}

#[cfg(any(target_os = "linux", windows))]
fn run_platform_agent(
    locations: crate::agent::Locations,
    options: crate::agent::AgentOptions,
) -> anyhow::Result<ExitCode> {
    crate::agent::run(locations, options)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(any(target_os = "linux", windows)))]
fn run_platform_agent(
    _locations: crate::agent::Locations,
    _options: crate::agent::AgentOptions,
) -> anyhow::Result<ExitCode> {
    bail!("the agent is not available on this operating system yet")
}

/// The scripts of `folders`, with what the organisation's policy did to
/// the personal config and scripts among the diagnostics; central
/// locations the caseworker could write to are warned about on stderr.
fn load(setup: &Setup, folders: &ScriptFolders) -> anyhow::Result<ScriptSet> {
    load_in(setup, folders, CheckMode::Normal)
}

/// [`load`] in a given mode (`check --release`).
fn load_in(setup: &Setup, folders: &ScriptFolders, mode: CheckMode) -> anyhow::Result<ScriptSet> {
    if let (Some(bundles), true) = (&setup.bundles, folders == &setup.hotkey_folders) {
        return Ok(super::bundle_status::load_cached(setup, bundles));
    }
    if folders.is_empty() {
        bail!(
            "no script folders found; name one with --hotkeys DIR or set agent.hotkey_folders in the config"
        );
    }
    let mut set = script::load_folders_in(folders, &setup.config, mode);
    set.add_config_notes(&setup.layered);
    for warning in
        genvej_desktop::trust::writable_central_locations(&setup.config_layers, &folders.central)
    {
        eprintln!("genvej: warning: {warning}");
    }
    Ok(set)
}

fn check(
    setup: &Setup,
    paths: Vec<std::path::PathBuf>,
    mode: CheckMode,
) -> anyhow::Result<ExitCode> {
    let folders = if paths.is_empty() {
        setup.hotkey_folders.clone()
    } else {
        ScriptFolders {
            // A test file named brings its script.
            central: super::script_tests::scripts_for(&paths),
            personal: Vec::new(),
        }
    };
    let started = Instant::now();
    let mut set = if folders.is_empty() && !paths.is_empty() {
        // Only test files without their scripts were named.
        ScriptSet::default()
    } else {
        load_in(setup, &folders, mode)?
    };
    let test_files = super::script_tests::check_into(setup, &folders, &paths, &mut set, mode);
    let elapsed = started.elapsed();
    let mut out = std::io::stdout().lock();
    if !set.diagnostics.is_empty() {
        writeln!(out, "{}", set.render_diagnostics())?;
    }
    let config_warnings = setup.config.chord_warnings();
    for warning in &config_warnings {
        writeln!(out, "genvej.toml: warning: {warning}")?;
    }
    let test_files = if test_files == 0 {
        String::new()
    } else {
        format!(" and {test_files} test file{}", plural(test_files))
    };
    writeln!(
        out,
        "checked {} script file{}{test_files} in {:.1} ms: {} error{}, {} warning{}",
        set.files_checked,
        plural(set.files_checked),
        elapsed.as_secs_f64() * 1000.0,
        set.error_count(),
        plural(set.error_count()),
        set.warning_count() + config_warnings.len(),
        plural(set.warning_count() + config_warnings.len()),
    )?;
    Ok(if set.error_count() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn list(setup: &Setup, format: ListFormat) -> anyhow::Result<ExitCode> {
    let set = load(setup, &setup.hotkey_folders)?;
    let rows: Vec<BTreeMap<&str, String>> = set
        .scripts
        .iter()
        .map(|s| {
            BTreeMap::from([
                ("id", s.id.clone()),
                (
                    "hotkey",
                    s.hotkey.map(|h| h.to_string()).unwrap_or_default(),
                ),
                ("name", s.name.clone()),
                ("category", s.category.clone()),
                ("file", s.file.path.display().to_string()),
                (
                    "from",
                    if s.file.personal {
                        "personal"
                    } else {
                        "central"
                    }
                    .to_string(),
                ),
                (
                    "hotstrings",
                    s.hotstrings
                        .iter()
                        .map(|h| h.abbreviation.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                ("version", s.release.version.clone().unwrap_or_default()),
                ("approved", approval_mark(&s.release).to_string()),
            ])
        })
        .collect();
    match format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = set
                .scripts
                .iter()
                .zip(rows)
                .map(|(s, row)| with_release(row, &s.release))
                .collect();
            say!("{}", serde_json::to_string_pretty(&rows)?)?;
        }
        ListFormat::Table => print_table(
            &rows,
            &[
                "id",
                "hotkey",
                "hotstrings",
                "name",
                "version",
                "approved",
                "from",
                "file",
            ],
        )?,
    }
    let policy = set.policy_diagnostics();
    if !policy.is_empty() {
        eprintln!(
            "the organisation's policy (personal scripts: {}):\n{policy}",
            setup.config.policy.personal_scripts.as_str()
        );
    }
    if set.error_count() > 0 {
        eprintln!(
            "{} script file(s) have errors and are not listed; run `genvej check`",
            set.diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| &d.path)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The table's approval column: both approvals, one of them, or none.
fn approval_mark(release: &script::Release) -> &'static str {
    match (&release.professional, &release.legal) {
        (Some(_), Some(_)) => "yes",
        (Some(_), None) => "professional only",
        (None, Some(_)) => "legal only",
        (None, None) => "no",
    }
}

/// A JSON row of `list`: the table's columns, with `owner`, `version` and
/// `approved` (`professional`, `legal`: `{ by, on }` or null) as data.
fn with_release(row: BTreeMap<&str, String>, release: &script::Release) -> serde_json::Value {
    let approval = |a: &Option<script::Approval>| {
        a.as_ref()
            .map(|a| serde_json::json!({ "by": a.by, "on": a.on.format("%Y-%m-%d").to_string() }))
    };
    let mut value = serde_json::json!(row);
    value["owner"] = serde_json::json!(release.owner);
    value["version"] = serde_json::json!(release.version);
    value["approved"] = serde_json::json!({
        "professional": approval(&release.professional),
        "legal": approval(&release.legal),
    });
    value
}

pub(super) fn print_table(
    rows: &[BTreeMap<&str, String>],
    columns: &[&str],
) -> std::io::Result<()> {
    let width = |c: &str| {
        rows.iter()
            .map(|r| r.get(c).map_or(0, |v| v.chars().count()))
            .chain([c.len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = columns.iter().map(|c| width(c)).collect();
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    say!(
        "{}",
        line(
            columns
                .iter()
                .map(|c| c.to_uppercase())
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect()
        )
    )?;
    for row in rows {
        say!(
            "{}",
            line(
                columns
                    .iter()
                    .map(|c| row.get(c).map_or("", String::as_str))
                    .collect()
            )
        )?;
    }
    Ok(())
}

/// What `--dry-run` was given on the command line.
struct DryRunArgs {
    /// `--fixture NAME=FILE`, in order.
    fixtures: Vec<(String, String)>,
    selection: Option<String>,
    hotstring: Option<String>,
}

fn exec(
    setup: &Setup,
    id: &str,
    preset: BTreeMap<String, String>,
    dry_run: Option<DryRunArgs>,
    show_personal_data: bool,
) -> anyhow::Result<ExitCode> {
    let set = load(setup, &setup.hotkey_folders)?;
    let Some(script) = set.find(id) else {
        let ids: Vec<&str> = set.scripts.iter().map(|s| s.id.as_str()).collect();
        let hint = genvej_format::suggest::did_you_mean(id, ids.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        bail!("no script has the id `{id}`{hint}; `genvej list` shows them");
    };
    let known: Vec<&str> = script.inputs.iter().map(|i| i.name.as_str()).collect();
    for name in preset.keys() {
        if !known.contains(&name.as_str()) {
            bail!(
                "`{}` has no input `{name}`; its inputs are: {}",
                script.id,
                known.join(", ")
            );
        }
    }
    // A value given with --set is checked here, so the message is for the
    // author (English, naming the input); the form says it in Danish.
    let today = chrono::Local::now().date_naive();
    for input in &script.inputs {
        let Some(raw) = preset.get(&input.name) else {
            continue;
        };
        if let Err(reason) = input.parse_value(raw, today) {
            say!(
                "not run: --set {}=…: {} (the input «{}»)",
                input.name,
                reason.for_author(),
                input.label
            )?;
            return Ok(ExitCode::from(1));
        }
    }
    let Some(dry_run) = dry_run else {
        let renderer = Renderer::new();
        let engine = Engine::new(&renderer, &setup.config, CancelToken::new());
        return exec_on_desktop(&engine, setup, script, &preset);
    };
    let show = |text: String| {
        if show_personal_data {
            text
        } else {
            genvej_format::cpr::redact(&text)
        }
    };
    let data =
        match super::dry_run::data(&setup.config, script, &dry_run.fixtures, dry_run.selection) {
            Ok(data) => data,
            Err(message) => {
                say!("{}", show(format!("not run: {message}")))?;
                return Ok(ExitCode::from(1));
            }
        };
    let now = chrono::Local::now().naive_local();
    let ran = match super::dry_run::run(
        &setup.config,
        script,
        &preset,
        &data,
        dry_run.hotstring.as_deref(),
        now,
    ) {
        Ok(ran) => ran,
        Err(message) => {
            say!("not run: {message}")?;
            return Ok(ExitCode::from(1));
        }
    };
    say!("dry run of {} — nothing was sent to the desktop", ran.title)?;
    for line in ran.lines {
        say!("  {}", show(line))?;
    }
    say!("{}", show(ran.summary))?;
    if ran.before_steps {
        say!("hint: give inputs with --set NAME=VALUE")?;
    }
    Ok(if ran.completed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `genvej exec ID` without `--dry-run`: one run on the real desktop (X11
/// or Windows), logged and recorded like an agent run.
#[cfg(any(target_os = "linux", windows))]
fn exec_on_desktop(
    engine: &Engine<'_>,
    setup: &Setup,
    script: &genvej_format::script::Script,
    preset: &BTreeMap<String, String>,
) -> anyhow::Result<ExitCode> {
    let _logs = crate::logging::init(&setup.config.agent.log_level, None);
    let agent = &setup.config.agent;
    let rules = genvej_desktop::PasteRules {
        shift_insert_classes: agent.shift_insert_classes.clone(),
    };
    let mut desktop = genvej_desktop::os::connect_desktop(
        agent.browser.clone(),
        rules,
        Box::new(genvej_ui::dialog::DialogProcess::current()),
    )
    .map_err(anyhow::Error::msg)?;
    desktop.set_document_folder(agent.document_folder.clone());
    desktop.set_ca_file(agent.ca_file.clone());
    let outcome = engine.run(&mut desktop, script, preset);
    crate::agent::log_outcome(&script.name, &outcome);
    if let Some((recorder, writer)) = crate::agent::usage::Recorder::start(&setup.config) {
        recorder.run_finished(script, &outcome, genvej_usage::Trigger::Exec, &setup.config);
        drop(recorder);
        drop(writer);
    }
    Ok(if outcome.is_completed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
