//! The command line with signed bundles (`[bundles] from` in the config):
//! `genvej list`, `exec` and `check` read the organisation's scripts from
//! the library the agent cached (verified again), and `genvej bundle
//! status` says which library that is, where it comes from and how the
//! last check went.

use std::io::Write;
use std::process::ExitCode;

use super::Setup;
use crate::agent::library::{self, Bundles};
use genvej_format::script::ScriptSet;

/// The cached library's scripts and the personal ones; says on stderr
/// when there is no library (the organisation's scripts are then missing).
pub(super) fn load_cached(setup: &Setup, bundles: &Bundles) -> ScriptSet {
    if let Err(why) = bundles.load_cache() {
        eprintln!(
            "genvej: {why}; the organisation's scripts come from {} once the agent has fetched a bundle",
            bundles.location.describe("")
        );
    }
    let mut set = bundles.script_set(&setup.hotkey_folders.personal, &setup.config);
    set.add_config_notes(&setup.layered);
    set
}

/// `genvej bundle status`: the cached library, where bundles come from,
/// and the last check. Exit 1 when no library is cached.
pub fn status(setup: &Setup) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let Some(bundles) = &setup.bundles else {
        writeln!(
            out,
            "no [bundles] from in the config: scripts come from the script folders"
        )?;
        return Ok(ExitCode::SUCCESS);
    };
    let state = bundles.store.read_state();
    writeln!(out, "from:     {}", bundles.location.describe(""))?;
    let files = library::choice::file_names(bundles.ring.as_deref()).join(", ");
    writeln!(
        out,
        "ring:     {} (reads {files})",
        bundles.ring.as_deref().unwrap_or("none")
    )?;
    writeln!(
        out,
        "keys:     {} trusted; checks every {} min",
        bundles.keys.len(),
        bundles.every.as_secs() / 60
    )?;
    writeln!(out, "cache:    {}", bundles.store.current_path().display())?;
    let cached = bundles.load_cache();
    match (&cached, bundles.current.get()) {
        (Ok(_), Some(current)) => {
            writeln!(out, "library:  {}", library::describe(&current.library))?;
            if let Some(from) = &state.current_from {
                writeln!(out, "          from {}", bundles.location.describe(from))?;
            }
            for entry in &current.library.files {
                writeln!(out, "          {}", entry.path.as_str())?;
            }
        }
        (Err(why), _) | (Ok(why), None) => writeln!(out, "library:  none ({why})")?,
    }
    match &state.last_check {
        Some(check) => writeln!(
            out,
            "checked:  {} — {}",
            check.at.format("%Y-%m-%d %H:%M:%S UTC"),
            check.result
        )?,
        None => writeln!(out, "checked:  never")?,
    }
    Ok(if cached.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
