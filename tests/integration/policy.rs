//! The organisation's policy as the IT office and a caseworker meet it on
//! the command line: a personal config cannot undo the machine-wide one,
//! personal scripts are limited by `policy.personal_scripts`, and a central
//! location an ordinary user could change is reported. `check` and `list`
//! say what the policy did, at `path:line:col`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A machine-wide config (`machine/genvej.toml`, its scripts in
/// `machine/hotkeys`) and a caseworker's (`user/genvej.toml`, their own
/// scripts in `user/hotkeys`), in a scratch folder.
struct Workstation {
    dir: tempfile::TempDir,
}

const SIGNATUR: &str = "id = \"min-signatur\"\nname = \"Min signatur\"\nhotkey = \"Ctrl+Alt+S\"\nmanual_seconds = 10\n\n[[step]]\ntype = \"Venlig hilsen\"\n";
const LAUNCHER: &str = "id = \"mit-program\"\nname = \"Mit program\"\nhotkey = \"Ctrl+Alt+P\"\nmanual_seconds = 10\n\n[[step]]\ntype = \"x\"\n\n[[step]]\nlaunch = { program = \"calc\" }\n";
const CENTRAL: &str = "id = \"central\"\nname = \"Central genvej\"\nhotkey = \"Ctrl+Alt+C\"\nmanual_seconds = 10\n\n[[step]]\ntype = \"c\"\n";

impl Workstation {
    fn new(machine: &str, user: &str, personal_scripts: &[(&str, &str)]) -> Workstation {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |path: PathBuf, text: &str| {
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
        };
        write(dir.path().join("machine/genvej.toml"), machine);
        write(dir.path().join("machine/hotkeys/central.toml"), CENTRAL);
        write(dir.path().join("user/genvej.toml"), user);
        for (name, text) in personal_scripts {
            write(dir.path().join("user/hotkeys").join(name), text);
        }
        Workstation { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// `genvej --config machine --config user ARGS`, the scripts found as
    /// an installed agent finds them (no --hotkeys).
    fn genvej(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_genvej"))
            .arg("--config")
            .arg(self.path("machine/genvej.toml"))
            .arg("--config")
            .arg(self.path("user/genvej.toml"))
            .args(args)
            .output()
            .expect("genvej runs")
    }
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

const MACHINE: &str = "[agent]\nhotkey_folders = [\"hotkeys\"]\n\n[org]\nfasit_url = \"https://fasit.kommune.invalid\"\n";

#[test]
fn a_personal_setting_the_organisation_locks_is_ignored_and_named_at_its_line() {
    let station = Workstation::new(
        MACHINE,
        "[profile]\nname = \"Mette\"\n\n[agent]\nallow_cpr_in_file_names = true\n\n[org]\nfasit_url = \"https://evil.invalid\"\n",
        &[],
    );
    let out = station.genvej(&["check"]);
    let output = text(&out);
    let user = station.path("user/genvej.toml");
    assert!(
        output.contains(&format!(
            "{}:5:1: warning: `agent.allow_cpr_in_file_names` is ignored: only the machine-wide config may set it",
            user.display()
        )),
        "{output}"
    );
    assert!(
        output.contains(&format!(
            "{}:7:2: warning: `org` is ignored: only the machine-wide config may set it",
            user.display()
        )),
        "{output}"
    );
    assert!(
        output.contains("= help: the organisation's policy locks `org`"),
        "{output}"
    );
    assert_eq!(out.status.code(), Some(0), "warnings only:\n{output}");
}

#[test]
fn text_only_personal_scripts_type_but_never_launch() {
    let station = Workstation::new(
        &format!("{MACHINE}\n[policy]\npersonal_scripts = \"text-only\"\n"),
        "",
        &[("signatur.toml", SIGNATUR), ("program.toml", LAUNCHER)],
    );
    let out = station.genvej(&["check"]);
    let output = text(&out);
    assert!(
        output.contains(&format!(
            "{}:9:1: warning: `launch` is not allowed in a personal script; it is not loaded",
            station.path("user/hotkeys/program.toml").display()
        )),
        "{output}"
    );
    assert!(
        output.contains("the organisation's policy is personal_scripts = \"text-only\""),
        "{output}"
    );
    assert_eq!(out.status.code(), Some(0), "refused, not broken:\n{output}");

    let listed = station.genvej(&["list"]);
    let output = text(&listed);
    let row = |id: &str| {
        output
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_default()
            .to_string()
    };
    assert!(row("central").contains("central"), "{output}");
    assert!(row("min-signatur").contains("personal"), "{output}");
    assert!(
        row("mit-program").is_empty(),
        "refused, not listed:\n{output}"
    );
    assert!(
        output.contains("the organisation's policy (personal scripts: text-only)")
            && output.contains("`launch` is not allowed in a personal script"),
        "list says what the policy did:\n{output}"
    );
}

#[test]
fn text_only_personal_scripts_may_not_launch_from_inside_a_group_either() {
    let grouped = "id = \"min-gruppe\"\nname = \"Min gruppe\"\nhotkey = \"Ctrl+Alt+G\"\nmanual_seconds = 10\n\n[[step]]\nset = { name = \"tal\", value = \"{{ [1, 2] }}\" }\n\n[[step]]\nfor_each = \"tal\"\nsteps = [\n  { type = \"{{ item }}\" },\n  { launch = { program = \"calc\" } },\n]\n";
    let station = Workstation::new(
        &format!("{MACHINE}\n[policy]\npersonal_scripts = \"text-only\"\n"),
        "",
        &[("gruppe.toml", grouped)],
    );
    let output = text(&station.genvej(&["check"]));
    assert!(
        output.contains(&format!(
            "{}:13:1: warning: `launch` is not allowed in a personal script; it is not loaded",
            station.path("user/hotkeys/gruppe.toml").display()
        )),
        "{output}"
    );
    let listed = text(&station.genvej(&["list"]));
    assert!(
        !listed.lines().any(|l| l.starts_with("min-gruppe")),
        "{listed}"
    );
}

#[test]
fn denied_personal_scripts_are_not_loaded_and_central_ones_are() {
    let station = Workstation::new(
        &format!("{MACHINE}\n[policy]\npersonal_scripts = \"deny\"\n"),
        "",
        &[("signatur.toml", SIGNATUR)],
    );
    let listed = station.genvej(&["list", "--format", "json"]);
    let output = text(&listed);
    assert!(output.contains("\"id\": \"central\""), "{output}");
    assert!(!output.contains("\"id\": \"min-signatur\""), "{output}");
    assert!(
        output.contains(&format!(
            "{}:1:1: warning: personal scripts are not loaded",
            station.path("user/hotkeys/signatur.toml").display()
        )),
        "{output}"
    );
}

#[test]
fn a_personal_script_cannot_take_a_central_scripts_hot_key() {
    let station = Workstation::new(
        MACHINE,
        "",
        &[(
            "kopi.toml",
            &CENTRAL.replace("id = \"central\"", "id = \"kopi\""),
        )],
    );
    let listed = station.genvej(&["list"]);
    let output = text(&listed);
    assert!(output.lines().any(|l| l.starts_with("central")), "{output}");
    assert!(!output.lines().any(|l| l.starts_with("kopi")), "{output}");
}

/// Runs `genvej` as an ordinary user (`nobody`) when the tests run as
/// root, else as the user running them.
fn as_ordinary_user(station: &Workstation, args: &[&str]) -> Output {
    let genvej = env!("CARGO_BIN_EXE_genvej");
    let root = rustix::process::geteuid().is_root();
    let mut command = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", genvej]);
        c
    } else {
        Command::new(genvej)
    };
    command
        .arg("--config")
        .arg(station.path("machine/genvej.toml"))
        .args(args)
        .env("HOME", station.path(""))
        .output()
        .expect("genvej runs (setpriv: apt-get install -y util-linux)")
}

fn open_to_all(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_central_script_folder_an_ordinary_user_can_write_is_reported() {
    let station = Workstation::new(MACHINE, "", &[]);
    for dir in ["", "machine", "user"] {
        open_to_all(&station.path(dir), 0o755);
    }
    open_to_all(&station.path("machine/genvej.toml"), 0o644);
    open_to_all(&station.path("machine/hotkeys/central.toml"), 0o644);
    // Read-only for others: nothing to say.
    open_to_all(&station.path("machine/hotkeys"), 0o755);
    let quiet = as_ordinary_user(&station, &["list"]);
    assert!(
        !text(&quiet).contains("can be changed by you"),
        "{}",
        text(&quiet)
    );
    assert!(text(&quiet).contains("central"), "{}", text(&quiet));

    // A sub-folder everyone may add files to, as ProgramData gives them.
    let planted = station.path("machine/hotkeys/Breve");
    std::fs::create_dir(&planted).expect("mkdir");
    open_to_all(&planted, 0o777);
    let warned = as_ordinary_user(&station, &["check"]);
    let output = text(&warned);
    assert!(
        output.contains(&format!(
            "genvej: warning: the central script folder {} can be changed by you, and you are not an administrator",
            planted.display()
        )),
        "{output}"
    );
}

#[test]
fn a_machine_config_an_ordinary_user_can_write_is_reported() {
    let station = Workstation::new(MACHINE, "", &[]);
    for dir in ["", "machine", "machine/hotkeys"] {
        open_to_all(&station.path(dir), 0o755);
    }
    open_to_all(&station.path("machine/hotkeys/central.toml"), 0o644);
    open_to_all(&station.path("machine/genvej.toml"), 0o666);
    let warned = as_ordinary_user(&station, &["list"]);
    let output = text(&warned);
    assert!(
        output.contains(&format!(
            "genvej: warning: the machine-wide config {} can be changed by you",
            station.path("machine/genvej.toml").display()
        )),
        "{output}"
    );
}
