//! `genvej bundle …` as the IT office uses it: a key pair made once, the
//! shipped library built into a signed bundle, verified, shown and
//! published to a pilot ring and then to everyone — and every refusal on
//! the way: a broken script, another key, a flipped byte, an older
//! sequence, an existing key, a wrong password.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs genvej with the repository's config (whatever the target folder).
fn genvej(args: &[&str]) -> Output {
    genvej_with_config(&common::repo().join("config/genvej.toml"), args)
}

fn genvej_with_config(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genvej"))
        .arg("--config")
        .arg(config)
        .args(args)
        .current_dir(common::repo())
        .output()
        .expect("genvej runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// A scratch folder with an unencrypted key pair in `keys/`.
struct Office {
    dir: tempfile::TempDir,
}

impl Office {
    fn new() -> Office {
        let office = Office {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        let out = genvej(&[
            "bundle",
            "keygen",
            "--out",
            s(&office.keys()),
            "--no-password",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        // It tells the IT office the line to trust and the key's id.
        let told = stdout(&out);
        assert!(
            told.contains(&format!("trusted_keys = [\"{}\"]", office.public_line())),
            "{told}"
        );
        assert!(
            told.contains(&format!("made signing key {}", office.key_id())),
            "{told}"
        );
        assert!(told.contains("keep it offline"), "{told}");
        office
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn keys(&self) -> PathBuf {
        self.path("keys")
    }

    fn secret(&self) -> PathBuf {
        self.keys().join("genvej.key")
    }

    fn public(&self) -> PathBuf {
        self.keys().join("genvej.pub")
    }

    fn public_line(&self) -> String {
        std::fs::read_to_string(self.public())
            .expect("public key")
            .lines()
            .nth(1)
            .expect("key line")
            .to_string()
    }

    /// The key id, from the public key file's comment.
    fn key_id(&self) -> String {
        std::fs::read_to_string(self.public())
            .expect("public key")
            .lines()
            .next()
            .and_then(|l| l.rsplit(' ').next())
            .expect("id in the comment")
            .to_string()
    }

    /// Builds `library` as bundle `sequence` into `name`.
    fn build(&self, library: &Path, sequence: u64, name: &str) -> (PathBuf, Output) {
        let file = self.path(name);
        let out = genvej(&[
            "bundle",
            "build",
            s(library),
            "--key",
            s(&self.secret()),
            "--sequence",
            &sequence.to_string(),
            "--out",
            s(&file),
        ]);
        (file, out)
    }
}

fn shipped_library() -> PathBuf {
    common::repo().join("hotkeys")
}

fn shipped_script_count() -> usize {
    fn count(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .expect("hotkeys")
            .flatten()
            .map(|e| e.path())
            .map(|p| {
                if p.is_dir() {
                    count(&p)
                } else {
                    // Test files (`*.tests.toml`) are no scripts.
                    usize::from(
                        p.extension().is_some_and(|e| e == "toml")
                            && !p.to_string_lossy().ends_with(".tests.toml"),
                    )
                }
            })
            .sum()
    }
    count(&shipped_library())
}

#[test]
fn the_release_flow_from_keygen_to_everyone() {
    let office = Office::new();
    let secret = std::fs::read_to_string(office.secret()).expect("secret key");
    assert!(secret.starts_with("untrusted comment:"), "{secret}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(office.secret())
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let id = office.key_id();

    let (bundle, out) = office.build(&shipped_library(), 1, "v1.genvej-bundle");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let scripts = shipped_script_count();
    assert!(
        stdout(&out).contains(&format!("built bundle 1: {scripts} scripts,")),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains(&id), "{}", stdout(&out));

    let out = genvej(&["bundle", "verify", s(&bundle), "--key", s(&office.public())]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("good — bundle 1, {scripts} scripts")),
        "{}",
        stdout(&out)
    );
    // The key's line does as well as its file.
    let line = office.public_line();
    let out = genvej(&["bundle", "verify", s(&bundle), "--key", &line]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Without --key, the config's trusted keys are used, as agents do.
    let config = office.path("genvej.toml");
    let shipped =
        std::fs::read_to_string(common::repo().join("config/genvej.toml")).expect("shipped config");
    std::fs::write(
        &config,
        format!(
            "{shipped}\n[bundles]\ntrusted_keys = [\"{}\"]\n",
            office.public_line()
        ),
    )
    .expect("write config");
    let out = genvej_with_config(&config, &["bundle", "show", s(&bundle), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(shown["sequence"], 1);
    assert_eq!(shown["key_id"], id.as_str());
    assert!(shown["built"].as_str().is_some_and(|b| b.starts_with("20")));
    let entries = shown["scripts"].as_array().expect("scripts");
    assert_eq!(entries.len(), scripts);
    let signatur = entries
        .iter()
        .find(|e| e["path"] == "Journal/signatur.toml")
        .expect("signatur in the manifest");
    assert_eq!(signatur["id"], "signatur");
    assert_eq!(signatur["sha256"].as_str().map(str::len), Some(64));

    let out = genvej_with_config(&config, &["bundle", "show", s(&bundle)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.contains("PATH"), "{table}");
    assert!(table.contains("PROFESSIONAL"), "{table}");
    assert!(table.contains("Journal/signatur.toml"), "{table}");
    // The scripts' test cases (`*.tests.toml`) stay out of the bundle.
    assert!(!table.contains(".tests.toml"), "{table}");
    assert!(table.contains("bundle 1, built "), "{table}");

    // The pilot ring first, then everyone, from the same file.
    let share = office.path("share");
    std::fs::create_dir(&share).expect("share");
    let publish = |file: &Path, ring: Option<&str>| {
        let mut args = vec!["bundle", "publish", s(file), "--to", s(&share)];
        if let Some(ring) = ring {
            args.extend(["--ring", ring]);
        }
        genvej_with_config(&config, &args)
    };
    let out = publish(&bundle, Some("pilot"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("ring `pilot`"), "{}", stdout(&out));
    let bytes = std::fs::read(&bundle).expect("bundle");
    assert_eq!(
        std::fs::read(share.join("pilot.genvej-bundle")).expect("pilot"),
        bytes
    );
    assert!(!share.join("all.genvej-bundle").exists());
    let out = publish(&bundle, None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(share.join("all.genvej-bundle")).expect("all"),
        bytes
    );

    // Bundle 2 to everyone; then bundle 1 again is refused, naming both.
    let (second, out) = office.build(&shipped_library(), 2, "v2.genvej-bundle");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(publish(&second, None).status.code(), Some(0));
    let out = publish(&bundle, None);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("already holds bundle 2, and")
            && stderr(&out).contains("is bundle 1"),
        "{}",
        stderr(&out)
    );
    let second_bytes = std::fs::read(&second).expect("second");
    assert_eq!(
        std::fs::read(share.join("all.genvej-bundle")).expect("all"),
        second_bytes,
        "the refused publish left the file alone"
    );
    // The same file again: nothing to do. Another bundle 2: refused.
    let out = publish(&second, None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("nothing to do"), "{}", stdout(&out));
    // A ring given an older bundle than everyone's: said.
    let out = publish(&bundle, Some("team-2"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ring `team-2` keeps running everyone's"),
        "{}",
        stderr(&out)
    );
    let (other_two, out) = office.build(&shipped_library(), 2, "v2b.genvej-bundle");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_ne!(std::fs::read(&other_two).expect("read"), second_bytes);
    let out = publish(&other_two, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("another bundle with sequence 2"),
        "{}",
        stderr(&out)
    );
    // No temporary files are left on the share.
    let mut names: Vec<String> = std::fs::read_dir(&share)
        .expect("share")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "all.genvej-bundle",
            "pilot.genvej-bundle",
            "team-2.genvej-bundle"
        ]
    );
}

#[test]
fn build_refuses_a_library_with_a_broken_script() {
    let office = Office::new();
    let library = office.path("library");
    std::fs::create_dir_all(library.join("Journal")).expect("mkdir");
    std::fs::copy(
        shipped_library().join("Journal/signatur.toml"),
        library.join("Journal/signatur.toml"),
    )
    .expect("copy");
    std::fs::write(
        library.join("Journal/bad.toml"),
        "id = \"x\"\nname = \"X\"\nmanual_seconds = 5\n[[step]]\ntyp = \"a\"\n",
    )
    .expect("write");
    let (bundle, out) = office.build(&library, 1, "broken.genvej-bundle");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Journal/bad.toml:5:1: error: unknown step `typ`"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("no bundle was built"),
        "{}",
        stdout(&out)
    );
    assert!(!bundle.exists());
}

#[test]
fn build_refuses_a_library_with_a_script_no_lawyer_has_approved() {
    let office = Office::new();
    let library = office.path("library");
    std::fs::create_dir_all(library.join("Journal")).expect("mkdir");
    let approved = std::fs::read_to_string(shipped_library().join("Journal/signatur.toml"))
        .expect("the shipped script");
    let (before, after) = approved
        .split_once("legal = ")
        .expect("the shipped script has a legal approval");
    let unapproved = format!(
        "{before}{}",
        &after[after.find('\n').map_or(0, |n| n + 1)..]
    );
    std::fs::write(library.join("Journal/signatur.toml"), unapproved).expect("write");
    let (bundle, out) = office.build(&library, 1, "unapproved.genvej-bundle");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Journal/signatur.toml:")
            && stdout(&out).contains("missing field `approved.legal` (required by --release)"),
        "{}",
        stdout(&out)
    );
    assert!(!bundle.exists());
}

#[test]
fn build_refuses_a_script_path_a_bundle_cannot_hold_and_an_output_inside_the_library() {
    let office = Office::new();
    let library = office.path("library");
    let deep = library.join("a/b/c/d/e");
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::copy(
        shipped_library().join("Journal/signatur.toml"),
        deep.join("signatur.toml"),
    )
    .expect("copy");
    let (_, out) = office.build(&library, 1, "deep.genvej-bundle");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a/b/c/d/e/signatur.toml: cannot stand in a bundle"),
        "{}",
        stderr(&out)
    );

    let out = genvej(&[
        "bundle",
        "build",
        s(&shipped_library()),
        "--key",
        s(&office.secret()),
        "--sequence",
        "1",
        "--out",
        s(&shipped_library().join("Journal/x.genvej-bundle")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is inside the library"),
        "{}",
        stderr(&out)
    );
    assert!(!shipped_library().join("Journal/x.genvej-bundle").exists());
}

#[test]
fn a_bundle_signed_by_another_key_is_refused_naming_both_keys() {
    let ours = Office::new();
    let theirs = Office::new();
    let (bundle, out) = theirs.build(&shipped_library(), 1, "theirs.genvej-bundle");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = genvej(&["bundle", "verify", s(&bundle), "--key", s(&ours.public())]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(text.contains("untrusted-key"), "{text}");
    assert!(text.contains(&theirs.key_id()), "{text}");
    assert!(text.contains(&ours.key_id()), "{text}");
}

#[test]
fn a_flipped_byte_is_refused_and_nothing_of_the_bundle_is_shown() {
    let office = Office::new();
    let (bundle, out) = office.build(&shipped_library(), 1, "v1.genvej-bundle");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut bytes = std::fs::read(&bundle).expect("bundle");
    let at = bytes.len() - 40;
    bytes[at] ^= 0x01;
    std::fs::write(&bundle, &bytes).expect("write");
    for command in ["verify", "show"] {
        let out = genvej(&["bundle", command, s(&bundle), "--key", s(&office.public())]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        assert!(stderr(&out).contains("bad-signature"), "{}", stderr(&out));
        assert!(stderr(&out).contains("altered"), "{}", stderr(&out));
        assert_eq!(stdout(&out), "", "{command} showed an unverified bundle");
    }
    let share = office.path("share");
    std::fs::create_dir(&share).expect("share");
    let out = genvej(&[
        "bundle",
        "publish",
        s(&bundle),
        "--to",
        s(&share),
        "--key",
        s(&office.public()),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not published"), "{}", stderr(&out));
    assert!(!share.join("all.genvej-bundle").exists());
}

#[test]
fn show_without_a_key_and_without_trusted_keys_refuses() {
    let office = Office::new();
    let (bundle, _) = office.build(&shipped_library(), 1, "v1.genvej-bundle");
    let out = genvej(&["bundle", "show", s(&bundle)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no public key to check the bundle with"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    // A personal config cannot name a key to trust (the policy locks it).
    let personal = office.path("personal.toml");
    std::fs::write(
        &personal,
        format!("[bundles]\ntrusted_keys = [\"{}\"]\n", office.public_line()),
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_genvej"))
        .arg("--config")
        .arg(common::repo().join("config/genvej.toml"))
        .arg("--config")
        .arg(&personal)
        .args(["bundle", "verify", s(&bundle)])
        .output()
        .expect("genvej runs");
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no public key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn keygen_never_overwrites_a_key() {
    let office = Office::new();
    let before = std::fs::read(office.secret()).expect("key");
    let out = genvej(&[
        "bundle",
        "keygen",
        "--out",
        s(&office.keys()),
        "--no-password",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(std::fs::read(office.secret()).expect("key"), before);
}

#[test]
fn a_password_protected_key_needs_its_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = dir.path().join("keys");
    let password = dir.path().join("password");
    std::fs::write(&password, "hemmeligt kodeord\n").expect("write");
    let out = genvej(&[
        "bundle",
        "keygen",
        "--out",
        s(&keys),
        "--password-file",
        s(&password),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("password-protected"),
        "{}",
        stdout(&out)
    );
    let wrong = dir.path().join("wrong");
    std::fs::write(&wrong, "forkert\n").expect("write");
    let build = |password_file: &Path, name: &str| {
        genvej(&[
            "bundle",
            "build",
            s(&shipped_library()),
            "--key",
            s(&keys.join("genvej.key")),
            "--sequence",
            "1",
            "--out",
            s(&dir.path().join(name)),
            "--password-file",
            s(password_file),
        ])
    };
    let out = build(&wrong, "wrong.genvej-bundle");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("wrong password for the secret key"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("wrong.genvej-bundle").exists());
    let out = build(&password, "right.genvej-bundle");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_ring_name_must_be_a_plain_word() {
    let office = Office::new();
    let (bundle, _) = office.build(&shipped_library(), 1, "v1.genvej-bundle");
    for ring in ["all", "../x", "Pilot"] {
        let out = genvej(&[
            "bundle",
            "publish",
            s(&bundle),
            "--to",
            s(office.dir.path()),
            "--ring",
            ring,
            "--key",
            s(&office.public()),
        ]);
        assert_eq!(out.status.code(), Some(2), "{ring}");
        assert!(stderr(&out).contains("ring"), "{}", stderr(&out));
    }
}
