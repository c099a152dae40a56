//! `genvej report` and `genvej export`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};

use super::{ReportArgs, ReportFormat, Setup};
use genvej_usage::db::Dataset;
use genvej_usage::release;
use genvej_usage::report::{self, ReportOptions};
use genvej_usage::{UsageDb, html, text};

/// This workstation's database: `usage.database`, else the per-user default.
pub(crate) fn database_path(setup: &Setup) -> anyhow::Result<PathBuf> {
    setup
        .config
        .usage
        .database
        .clone()
        .or_else(genvej_desktop::paths::default_usage_database)
        .ok_or_else(|| anyhow!("no data folder for the usage database: set usage.database"))
}

/// Reads the records the report is made from.
pub(crate) fn read_dataset(setup: &Setup, from: Option<&Path>) -> anyhow::Result<Dataset> {
    let mut data = Dataset::default();
    match from {
        Some(folder) => {
            let read = genvej_usage::folder::read(folder)
                .with_context(|| format!("cannot read the folder {}", folder.display()))?;
            if read.exports == 0 {
                bail!(
                    "{} holds no exports (*.sqlite from `genvej export`)",
                    folder.display()
                );
            }
            // Named and skipped: the other workstations' figures are still
            // reported.
            for skipped in &read.skipped {
                eprintln!("genvej: skipped {}", skipped.why);
            }
            if read.skipped.len() == read.exports {
                bail!(
                    "none of the {} exports in {} could be read (see above)",
                    read.exports,
                    folder.display()
                );
            }
            data = read.data;
        }
        None => {
            let path = database_path(setup)?;
            if !path.exists() {
                bail!(
                    "no usage records yet: {} does not exist (the agent writes it as scripts run)",
                    path.display()
                );
            }
            UsageDb::open_to_read(&path)?.read_into(&mut data)?;
        }
    }
    Ok(data)
}

pub(super) fn report(setup: &Setup, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let data = read_dataset(setup, args.from.as_deref())?;
    let options = ReportOptions {
        since: args.since,
        until: args.until,
        team: args.team.clone(),
        min_baselines: setup.config.usage.min_baselines,
        min_team_size: setup.config.usage.min_team_size,
        economics: setup.config.economics.clone(),
    };
    let style = text::CsvStyle {
        separator: args.separator,
        decimal_comma: !args.decimal_point,
    };
    let output = if args.by_version {
        let report = release::by_version(&data, &options);
        match args.format {
            ReportFormat::Text => text::render_versions(&report),
            ReportFormat::Csv => text::render_versions_csv(&report, style),
            ReportFormat::Html => html::render_versions(&report),
        }
    } else {
        let report = report::build(&data, &options);
        match args.format {
            ReportFormat::Text => text::render(&report),
            ReportFormat::Csv => text::render_csv(&report, style),
            ReportFormat::Html => html::render(&report),
        }
    };
    let out = match (&args.out, args.format) {
        (Some(file), _) => Some(file.clone()),
        (None, ReportFormat::Html) => Some(PathBuf::from("genvej-rapport.html")),
        (None, _) => None,
    };
    match out {
        Some(file) => {
            std::fs::write(&file, output)
                .with_context(|| format!("cannot write {}", file.display()))?;
            say!("wrote {}", file.display())?;
        }
        None => say_inline!("{output}")?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn export(setup: &Setup, to: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let path = database_path(setup)?;
    if !path.exists() {
        bail!(
            "no usage records to export: {} does not exist",
            path.display()
        );
    }
    let db = UsageDb::open(&path)?;
    let folder = to
        .or_else(|| setup.config.usage.export_folder.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    // One file per workstation, replaced by each export: the report counts
    // its runs once.
    let file = folder.join(format!("genvej-{}.sqlite", db.installation_id()?));
    db.export_to(&file)?;
    say!("exported the usage records to {}", file.display())?;
    Ok(ExitCode::SUCCESS)
}
