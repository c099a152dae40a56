//! The check that sequences need across files: a chord is either a
//! sequence's leader or a hot key of its own, never both — after the leader
//! the agent waits for the next key, so the plain hot key could never run.
//! (A second key used twice under one leader is the ordinary "used twice";
//! the panic key and the stopwatch are checked with every hot key.)

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::model::Script;
use super::set::span_of_key;
use crate::chord::Chord;
use crate::diagnostic::Diagnostic;

/// An error on each script whose plain hot key is also a leader, naming the
/// first sequence that uses it as one.
pub(super) fn leaders_that_are_hot_keys(
    scripts: &[Script],
    texts: &BTreeMap<PathBuf, String>,
) -> Vec<Diagnostic> {
    let text_of = |s: &Script| texts.get(&s.file.path).map_or("", String::as_str);
    let mut first_under: BTreeMap<Chord, (&Script, usize)> = BTreeMap::new();
    for script in scripts {
        if let Some(leader) = script.hotkey.and_then(|h| h.leader()) {
            first_under.entry(leader).or_insert((script, 0)).1 += 1;
        }
    }
    let mut problems = Vec::new();
    for script in scripts {
        let Some(hotkey) = script.hotkey.filter(|h| h.then.is_none()) else {
            continue;
        };
        let Some((first, count)) = first_under.get(&hotkey.chord) else {
            continue;
        };
        let first_text = text_of(first);
        let at = Diagnostic::error(&first.file.path, span_of_key(first_text, "hotkey"), "")
            .location(first_text);
        let sequence = first.hotkey.map(|h| h.to_string()).unwrap_or_default();
        let text = text_of(script);
        problems.push(
            Diagnostic::error(
                &script.file.path,
                span_of_key(text, "hotkey"),
                format!(
                    "hot key {hotkey} is also the leader of {count} sequence(s), e.g. `{sequence}` in {at}"
                ),
            )
            .with_help(format!(
                "after {hotkey} genvej waits for the next key, so this script could never run; choose another chord, or put it under the leader, e.g. `hotkey = \"{hotkey} X\"`"
            )),
        );
    }
    problems
}
