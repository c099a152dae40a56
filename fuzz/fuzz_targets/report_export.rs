//! Fuzz target: an export file from the shared folder (the bytes of a
//! SQLite database) → what `report --from` does with it: open it to read
//! (an older schema through an upgraded copy), read its records, build the
//! report and render it as text, HTML and CSV. A bad file must be an error,
//! never a panic. Seeded with real exports (fuzz/corpus/report_export).

#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use genvej_usage::db::{Dataset, UsageDb};
use genvej_usage::{html, report, text};
use libfuzzer_sys::fuzz_target;

static FILE: LazyLock<PathBuf> = LazyLock::new(|| {
    let folder = std::env::temp_dir().join(format!("genvej-fuzz-export-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("temp folder");
    folder.join("export.sqlite")
});

fuzz_target!(|data: &[u8]| {
    let file = &*FILE;
    std::fs::write(file, data).expect("write export");
    genvej_fuzz::run_tolerating(genvej_fuzz::KNOWN_REPORT, || {
        let mut dataset = Dataset::default();
        // The same export twice, as when two copies lie in the folder.
        for _ in 0..2 {
            if UsageDb::open_to_read(file)
                .and_then(|db| db.read_into(&mut dataset))
                .is_err()
            {
                return;
            }
        }
        let built = report::build(&dataset, &report::ReportOptions::default());
        let _ = text::render(&built);
        let _ = html::render(&built);
        let _ = text::render_csv(
            &built,
            text::CsvStyle {
                separator: ';',
                decimal_comma: true,
            },
        );
    });
});
