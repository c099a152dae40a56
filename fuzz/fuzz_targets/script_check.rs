//! Fuzz target: script text → the checker (every file check and the checks
//! across files) → the rendered diagnostics. A NUL byte separates files, so
//! duplicate ids, hot keys and abbreviations across files are reached too.
//! Nothing may panic, whatever the text.

#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let files: Vec<(PathBuf, String)> = text
        .split('\0')
        .take(4)
        .enumerate()
        .map(|(i, t)| {
            (
                PathBuf::from(format!("hotkeys/Fuzz/f{i}.toml")),
                t.to_string(),
            )
        })
        .collect();
    genvej_fuzz::run_tolerating(genvej_fuzz::KNOWN_TEMPLATE, || {
        let set = genvej_format::script::check_texts(&files, &genvej_fuzz::CONFIG);
        let _ = set.render_diagnostics();
        for script in &set.scripts {
            for index in 0..script.hotstrings.len() {
                let _ = script.hotstring_expansion(index, true);
            }
            let _ = script.only_when.as_ref().map(ToString::to_string);
        }
    });
});
