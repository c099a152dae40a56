//! The Linux package: `installer/linux/build-deb.sh` turns the built
//! program into a .deb; it is installed with dpkg into a private root (so
//! the test machine is not changed), the installed genvej checks the
//! installed scripts with the installed config, an edited config survives
//! reinstalling, and removing takes the program away.
//!
//! Needs dpkg and binutils (strip), on every Debian machine; without them
//! the test skips (outside CI).

mod support {
    pub mod tools;
}

use std::path::{Path, PathBuf};
use std::process::Command;

use support::tools::Tool;

fn run(command: &mut Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{command:?} failed:\n{text}");
    text
}

fn dpkg(root: &Path) -> Command {
    let mut command = Command::new("dpkg");
    command
        .arg(format!("--root={}", root.display()))
        .arg(format!(
            "--admindir={}",
            root.join("var/lib/dpkg").display()
        ))
        .args([
            "--force-depends",
            "--force-not-root",
            "--force-script-chrootless",
        ]);
    // dpkg insists on finding ldconfig and start-stop-daemon, which live in
    // /usr/sbin: not on an ordinary user's PATH on Debian.
    let path = std::env::var("PATH").unwrap_or_default();
    command.env("PATH", format!("{path}:/usr/local/sbin:/usr/sbin:/sbin"));
    command
}

/// Builds the package from this test run's genvej (stripped: the debug
/// build's symbols would make it 400 MB).
fn package(dir: &Path) -> PathBuf {
    let binary = dir.join("genvej");
    std::fs::copy(env!("CARGO_BIN_EXE_genvej"), &binary).expect("copy");
    run(Command::new("strip").arg(&binary));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("installer/linux/build-deb.sh");
    let printed = run(Command::new("bash")
        .arg(script)
        .arg(&binary)
        .arg(dir.join("out")));
    PathBuf::from(printed.trim())
}

#[test]
fn the_deb_installs_checks_its_scripts_keeps_an_edited_config_and_removes() {
    require_tools!(Tool::Dpkg, Tool::Binutils);
    let dir = tempfile::tempdir().expect("temp dir");
    let deb = package(dir.path());
    assert!(deb.exists(), "{}", deb.display());
    let contents = run(Command::new("dpkg-deb").arg("--contents").arg(&deb));
    for path in [
        "./usr/bin/genvej",
        "./etc/genvej/genvej.toml",
        "./usr/share/genvej/hotkeys/Plan/forberedende-plan.toml",
        "./etc/xdg/autostart/genvej.desktop",
        "./usr/share/applications/genvej.desktop",
        "./usr/share/doc/genvej/vejledning.md",
    ] {
        assert!(contents.contains(path), "{path} missing:\n{contents}");
    }
    // The scripts' test cases and sample answers stay with the IT office.
    assert!(!contents.contains(".tests.toml"), "{contents}");
    assert!(!contents.contains("testdata"), "{contents}");
    let conffiles = run(Command::new("dpkg-deb")
        .arg("--info")
        .arg(&deb)
        .arg("conffiles"));
    assert_eq!(conffiles.trim(), "/etc/genvej/genvej.toml");

    let root = dir.path().join("root");
    for folder in ["var/lib/dpkg/info", "var/lib/dpkg/updates"] {
        std::fs::create_dir_all(root.join(folder)).expect("dpkg database");
    }
    std::fs::write(root.join("var/lib/dpkg/status"), "").expect("status");
    run(dpkg(&root).arg("-i").arg(&deb));

    let installed = root.join("usr/bin/genvej");
    let config = root.join("etc/genvej/genvej.toml");
    let scripts = root.join("usr/share/genvej/hotkeys");
    let checked = run(Command::new(&installed)
        .arg("--config")
        .arg(&config)
        .arg("--hotkeys")
        .arg(&scripts)
        .arg("check"));
    assert!(checked.contains("checked 15 script files"), "{checked}");
    assert!(checked.contains(": 0 errors, 0 warnings"), "{checked}");

    // The IT office edits the config; reinstalling (an upgrade) keeps it.
    let edited = std::fs::read_to_string(&config).expect("config") + "\n# rettet af IT\n";
    std::fs::write(&config, &edited).expect("edit");
    run(dpkg(&root).args(["--force-confold", "-i"]).arg(&deb));
    assert_eq!(std::fs::read_to_string(&config).expect("config"), edited);

    run(dpkg(&root).args(["-r", "genvej"]));
    assert!(!installed.exists(), "the program is removed");
    assert!(!scripts.exists(), "the scripts are removed");
    run(dpkg(&root).args(["--purge", "genvej"]));
    assert!(!config.exists(), "purge removes the config too");
}
