//! The checker against a folder of bundles (a file share), with real signed
//! bundles: what is taken, what is refused and said once, what the cache
//! holds after a restart.

use std::path::Path;
use std::sync::{Arc, Mutex};

use genvej_bundle::{KeyPair, LibraryFile, LibraryPath, ScriptInfo, seal};
use genvej_desktop::bundle_source::BundleSource;
use genvej_format::config::Config;

use super::{Bundles, CheckSummary, Checker, Store};

fn script(id: &str, text: &str) -> String {
    format!(
        "id = \"{id}\"\nname = \"{id}\"\nhotkey = \"Ctrl+Alt+H\"\nmanual_seconds = 60\n\n[[step]]\ntype = \"{text}\"\n"
    )
}

/// A bundle with one script, `Journal/h.toml`, typing `text`.
pub(crate) fn bundle(sequence: u64, key: &KeyPair, text: &str) -> Vec<u8> {
    let file = LibraryFile {
        path: LibraryPath::parse("Journal/h.toml").expect("path"),
        text: script("h", text),
    };
    let info = ScriptInfo {
        id: "h".into(),
        name: "h".into(),
        ..ScriptInfo::default()
    };
    seal(
        sequence,
        chrono::Utc::now(),
        vec![(file, info)],
        &key.secret,
    )
    .expect("sealed")
}

struct Workstation {
    checker: Checker,
    bundles: Bundles,
    notices: Arc<Mutex<Vec<String>>>,
}

impl Workstation {
    fn new(share: &Path, cache: &Path, key: &KeyPair, ring: Option<&str>) -> Workstation {
        let mut config = Config::default();
        config.bundles.from = Some(share.display().to_string());
        config.bundles.trusted_keys = vec![key.secret.public().to_line()];
        config.bundles.ring = ring.map(str::to_string);
        let bundles = Bundles::with_store(&config, Store::at(cache))
            .expect("usable")
            .expect("configured");
        let _ = bundles.load_cache();
        let notices = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&notices);
        let notify = Box::new(move |title: &str, text: &str| {
            seen.lock().expect("lock").push(format!("{title}: {text}"));
        });
        let source = BundleSource::new(bundles.location.clone(), None);
        Workstation {
            checker: Checker::with_source(bundles.clone(), source, notify),
            bundles,
            notices,
        }
    }

    fn running(&self) -> Option<u64> {
        self.bundles.current.get().map(|c| c.sequence())
    }

    fn typed(&self) -> String {
        let set = self.bundles.script_set(&[], &Config::default());
        assert_eq!(set.error_count(), 0, "{}", set.render_diagnostics());
        set.scripts
            .iter()
            .map(|s| format!("{:?}", s.steps))
            .collect()
    }

    fn notices(&self) -> Vec<String> {
        self.notices.lock().expect("lock").clone()
    }
}

fn publish(share: &Path, name: &str, bytes: &[u8]) {
    // Written aside and renamed, as a copy to a share should be; the size
    // differs or the modification time moves on.
    std::fs::create_dir_all(share).expect("share");
    let aside = share.join(format!("{name}.tmp"));
    std::fs::write(&aside, bytes).expect("write");
    std::fs::rename(&aside, share.join(name)).expect("rename");
}

#[test]
fn a_signed_bundle_is_taken_cached_and_not_read_again_while_unchanged() {
    let (share, cache) = (
        tempfile::tempdir().expect("d"),
        tempfile::tempdir().expect("d"),
    );
    let key = KeyPair::generate(None).expect("key");
    publish(share.path(), "all.genvej-bundle", &bundle(1, &key, "v1"));
    let mut pc = Workstation::new(share.path(), cache.path(), &key, None);

    let first = pc.checker.check();
    assert_eq!(first.took, Some(1));
    assert_eq!(first.downloaded, 1);
    assert_eq!(pc.running(), Some(1));
    assert!(pc.typed().contains("v1"), "{}", pc.typed());
    assert!(cache.path().join("current.genvej-bundle").is_file());

    let second = pc.checker.check();
    assert_eq!(
        second,
        CheckSummary::default(),
        "nothing read when nothing changed"
    );

    // A restart runs the cached bundle before anything is fetched.
    std::fs::remove_dir_all(share.path()).expect("the share goes away");
    let mut again = Workstation::new(share.path(), cache.path(), &key, None);
    assert_eq!(again.running(), Some(1));
    let down = again.checker.check();
    assert_eq!(down.unreachable, 1);
    assert_eq!(again.running(), Some(1), "the cached library keeps running");
    assert!(again.notices().is_empty(), "{:?}", again.notices());
}

#[test]
fn bad_bundles_are_refused_the_running_one_stays_and_each_is_shown_once() {
    let (share, cache) = (
        tempfile::tempdir().expect("d"),
        tempfile::tempdir().expect("d"),
    );
    let key = KeyPair::generate(None).expect("key");
    let other = KeyPair::generate(None).expect("key");
    publish(share.path(), "all.genvej-bundle", &bundle(2, &key, "v2"));
    let mut pc = Workstation::new(share.path(), cache.path(), &key, None);
    assert_eq!(pc.checker.check().took, Some(2));

    let good = bundle(3, &key, "v3");
    let mut flipped = good.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 0x01;
    let truncated = good[..good.len() * 2 / 3].to_vec();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("one flipped byte", flipped, "underskriften passer ikke"),
        ("another key", bundle(3, &other, "v3"), "nøgle"),
        ("truncated", truncated, "v3"),
        ("older", bundle(1, &key, "v1"), "ældre (nr. 1)"),
        (
            "same number, other content",
            bundle(2, &key, "andet"),
            "samme nummer (2)",
        ),
        (
            "not a bundle",
            b"<html>404</html>".to_vec(),
            "ikke et bundt",
        ),
    ];
    for (what, bytes, danish) in cases {
        publish(share.path(), "all.genvej-bundle", &bytes);
        let before = pc.notices().len();
        let summary = pc.checker.check();
        assert_eq!(summary.took, None, "{what}");
        assert_eq!(summary.refused.len(), 1, "{what}: {summary:?}");
        assert_eq!(pc.running(), Some(2), "{what}: the running library stays");
        assert!(pc.typed().contains("v2"), "{what}");
        let notices = pc.notices();
        assert_eq!(notices.len(), before + 1, "{what}: one notice");
        if what != "truncated" {
            assert!(
                notices[before].contains(danish),
                "{what}: {}",
                notices[before]
            );
        }
        // The same file again: no new notice, not even read.
        let again = pc.checker.check();
        assert_eq!(again.downloaded, 0, "{what}");
        assert_eq!(pc.notices().len(), before + 1, "{what}: shown once");
    }
    assert_eq!(
        std::fs::read(cache.path().join("current.genvej-bundle")).expect("cache"),
        bundle_bytes_of(&pc),
        "the cache still holds the running bundle"
    );

    publish(share.path(), "all.genvej-bundle", &good);
    assert_eq!(
        pc.checker.check().took,
        Some(3),
        "a good newer one is taken"
    );
}

fn bundle_bytes_of(pc: &Workstation) -> Vec<u8> {
    let bytes = std::fs::read(pc.bundles.store.current_path()).expect("cache");
    assert_eq!(
        super::digest(&bytes),
        pc.bundles.current.get().expect("running").digest
    );
    bytes
}

#[test]
fn a_pilot_workstation_runs_the_pilot_bundle_and_another_keeps_everyones() {
    let share = tempfile::tempdir().expect("d");
    let (pilot_cache, other_cache) = (
        tempfile::tempdir().expect("d"),
        tempfile::tempdir().expect("d"),
    );
    let key = KeyPair::generate(None).expect("key");
    publish(share.path(), "all.genvej-bundle", &bundle(1, &key, "v1"));
    let mut pilot = Workstation::new(share.path(), pilot_cache.path(), &key, Some("pilot"));
    let mut other = Workstation::new(share.path(), other_cache.path(), &key, None);
    assert_eq!(pilot.checker.check().took, Some(1), "no pilot bundle yet");
    assert_eq!(other.checker.check().took, Some(1));

    let v2 = bundle(2, &key, "v2");
    publish(share.path(), "pilot.genvej-bundle", &v2);
    assert_eq!(pilot.checker.check().took, Some(2));
    assert_eq!(other.checker.check().took, None);
    assert_eq!((pilot.running(), other.running()), (Some(2), Some(1)));

    // Released to everyone: the same file copied; nothing to do on the pilot.
    publish(share.path(), "all.genvej-bundle", &v2);
    let promoted = pilot.checker.check();
    assert_eq!((promoted.took, promoted.refused.len()), (None, 0));
    assert_eq!(other.checker.check().took, Some(2));

    // A later bundle for everyone overtakes the pilot's, and the pilot's
    // older file is no alarm.
    publish(share.path(), "all.genvej-bundle", &bundle(3, &key, "v3"));
    assert_eq!(pilot.checker.check().took, Some(3));
    publish(
        share.path(),
        "pilot.genvej-bundle",
        &bundle(2, &key, "v2 igen"),
    );
    let behind = pilot.checker.check();
    assert_eq!((behind.took, behind.refused.len()), (None, 0), "{behind:?}");
    assert!(pilot.notices().is_empty(), "{:?}", pilot.notices());
}

#[test]
fn a_cache_that_no_longer_verifies_is_discarded_and_without_any_library_the_caseworker_is_told() {
    let (share, cache) = (
        tempfile::tempdir().expect("d"),
        tempfile::tempdir().expect("d"),
    );
    let key = KeyPair::generate(None).expect("key");
    let new_key = KeyPair::generate(None).expect("key");
    publish(share.path(), "all.genvej-bundle", &bundle(1, &key, "v1"));
    let mut pc = Workstation::new(share.path(), cache.path(), &key, None);
    assert_eq!(pc.checker.check().took, Some(1));

    // The organisation now trusts another key only: the cache is not used.
    let mut moved = Workstation::new(share.path(), cache.path(), &new_key, None);
    assert_eq!(moved.running(), None);
    assert!(!cache.path().join("current.genvej-bundle").exists());
    let summary = moved.checker.check();
    assert_eq!(
        summary.refused.len(),
        1,
        "the old key's bundle: {summary:?}"
    );
    assert_eq!(moved.running(), None);
    let notices = moved.notices();
    assert!(
        notices
            .iter()
            .any(|n| n.contains("organisationens genveje mangler")),
        "{notices:?}"
    );
    assert!(moved.typed().is_empty(), "no organisation scripts");
}

#[test]
fn a_bundle_larger_than_the_limit_is_refused_unread() {
    let (share, cache) = (
        tempfile::tempdir().expect("d"),
        tempfile::tempdir().expect("d"),
    );
    let key = KeyPair::generate(None).expect("key");
    publish(share.path(), "all.genvej-bundle", &vec![b'x'; 4096]);
    let pc = Workstation::new(share.path(), cache.path(), &key, None);
    let source = BundleSource::new(pc.bundles.location.clone(), None)
        .with_limits(1024, std::time::Duration::from_secs(5));
    let seen = Arc::clone(&pc.notices);
    let notify = Box::new(move |title: &str, text: &str| {
        seen.lock().expect("lock").push(format!("{title}: {text}"));
    });
    let mut checker = Checker::with_source(pc.bundles.clone(), source, notify);
    let summary = checker.check();
    assert_eq!(summary.refused.len(), 1, "{summary:?}");
    assert!(
        summary.refused[0].1.contains("larger than 1024 bytes"),
        "{summary:?}"
    );
    assert!(
        pc.notices().iter().any(|n| n.contains("for stor")),
        "{:?}",
        pc.notices()
    );
}

#[test]
fn without_a_cache_or_a_share_the_agent_runs_without_organisation_scripts_until_one_comes() {
    let (dir, cache) = (
        tempfile::tempdir().expect("d"),
        tempfile::tempdir().expect("d"),
    );
    let share = dir.path().join("not-mounted-yet");
    let key = KeyPair::generate(None).expect("key");
    let mut pc = Workstation::new(&share, cache.path(), &key, None);
    let down = pc.checker.check();
    assert_eq!((down.unreachable, down.took), (1, None));
    assert_eq!(pc.running(), None);
    assert!(pc.typed().is_empty());
    let told = pc.notices();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("organisationens genveje mangler"),
        "{told:?}"
    );
    pc.checker.check();
    assert_eq!(pc.notices().len(), 1, "said once, not at every check");

    publish(&share, "all.genvej-bundle", &bundle(1, &key, "v1"));
    assert_eq!(
        pc.checker.check().took,
        Some(1),
        "picked up at the next check"
    );
    assert!(pc.typed().contains("v1"));
}
