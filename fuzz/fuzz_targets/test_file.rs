//! Fuzz target: a script and its test file (`NAME.tests.toml`, the text
//! after the first NUL byte) → the test-file reader and the checks of its
//! cases against the script, as `genvej test` and `genvej check` read them
//! from a shared folder. Each line of the test text is also read as a hot
//! key (sequences included): one that reads must read back the same from
//! the text genvej shows for it. Nothing may panic.

#![no_main]

use std::path::{Path, PathBuf};

use genvej_format::hotkey::HotKey;
use genvej_format::script_tests;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (script_text, test_text) = text.split_once('\0').unwrap_or(("", &text));
    for line in test_text.lines().take(8) {
        if let Ok(hotkey) = HotKey::parse(line) {
            let shown = hotkey.to_string();
            assert_eq!(
                HotKey::parse(&shown).as_ref(),
                Ok(&hotkey),
                "{line:?} reads as {shown:?}, which reads otherwise"
            );
        }
    }
    genvej_fuzz::run_tolerating(genvej_fuzz::KNOWN_TEMPLATE, || {
        let path = Path::new("hotkeys/Fuzz/f.tests.toml");
        let (file, problems) = script_tests::parse(path, test_text);
        for problem in &problems {
            let _ = problem.render(test_text);
        }
        let files = [(PathBuf::from("hotkeys/Fuzz/f.toml"), script_text.to_string())];
        let set = genvej_format::script::check_texts(&files, &genvej_fuzz::CONFIG);
        for script in &set.scripts {
            for case in script_tests::check(&file, script) {
                for problem in case {
                    let _ = problem.render(test_text);
                }
            }
        }
    });
});
