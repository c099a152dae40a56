//! The shared export folder `genvej report --from` reads: one export per
//! workstation (`genvej export`). Anyone may write there, so each export is
//! read on its own, all or nothing; a broken or crafted one is named with
//! the reason and skipped, and the others are still reported.

use std::path::{Path, PathBuf};

use super::UsageDb;
use super::db::Dataset;

/// An export that was not read, and why (CPR-masked: the reason may quote
/// a number from the file or its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub file: PathBuf,
    pub why: String,
}

/// What a folder held.
#[derive(Debug, Default)]
pub struct FolderRead {
    pub data: Dataset,
    /// The exports found (`*.sqlite`, `*.db`).
    pub exports: usize,
    pub skipped: Vec<Skipped>,
}

/// Reads every export in `folder`, in name order.
pub fn read(folder: &Path) -> std::io::Result<FolderRead> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sqlite" || e == "db"))
        .collect();
    files.sort();
    let mut read = FolderRead {
        exports: files.len(),
        ..FolderRead::default()
    };
    for file in files {
        if let Err(why) = read_export(&file, &mut read.data) {
            read.skipped.push(Skipped {
                why: genvej_format::cpr::redact(&why),
                file,
            });
        }
    }
    Ok(read)
}

/// Reads one export into `data`, all or nothing. Even a bug that panics on
/// a crafted file costs only this file.
fn read_export(file: &Path, data: &mut Dataset) -> Result<(), String> {
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        UsageDb::open_export(file).and_then(|db| db.read_into(data))
    }));
    match read {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "{}: reading it failed unexpectedly (a bug in genvej; please report it)",
            file.display()
        )),
    }
}
