//! Reading back what arrived: the CLIPBOARD and other selections, log
//! lines, screenshots of a failure.

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use super::{COMMAND_TIMEOUT, Desktop, POLL, find_program, run_with_timeout};

impl Desktop {
    /// The CLIPBOARD selection as UTF-8 text; `None` if nobody owns it or it
    /// is empty. Panics if the content is not UTF-8.
    pub fn clipboard(&self) -> Option<String> {
        let bytes = self.read_selection("clipboard", None).ok()?;
        if bytes.is_empty() {
            return None;
        }
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => panic!("CLIPBOARD on {} is not UTF-8: {e}", self.display),
        }
    }

    /// The bytes another program gets when it asks the owner of `selection`
    /// (`"clipboard"`, `"primary"`) for `target` (default: UTF8_STRING),
    /// read with `xclip -o`. Err with xclip's message if the selection has
    /// no owner or the owner refuses the target.
    pub fn read_selection(&self, selection: &str, target: Option<&str>) -> Result<Vec<u8>, String> {
        let mut args = vec!["-o", "-selection", selection];
        if let Some(target) = target {
            args.extend(["-t", target]);
        }
        let out = self.run("xclip", &args)?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(format!(
                "`xclip {}` on {} failed ({}): {}",
                args.join(" "),
                self.display,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// Makes a long-lived `xclip` the owner of CLIPBOARD with `text`, and
    /// waits until the selection reads back exactly (the first paste after
    /// taking ownership can otherwise race and deliver nothing).
    pub fn set_clipboard(&mut self, text: &str) {
        let log = self
            .log_file("xclip.log")
            .unwrap_or_else(|err| panic!("{err}"));
        let mut cmd = self.command("xclip");
        // -quiet keeps xclip in the foreground (by default it forks away and
        // would escape our process tracking); it exits when another client
        // takes the selection.
        cmd.args(["-quiet", "-i", "-selection", "clipboard"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(log);
        let pid = self
            .spawn_named("xclip", cmd)
            .unwrap_or_else(|err| panic!("{err}"));
        self.feed_stdin(pid, text.as_bytes());

        let deadline = Instant::now() + COMMAND_TIMEOUT;
        loop {
            let current = self.clipboard();
            if current.as_deref() == Some(text) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "CLIPBOARD on {} does not read back what was set ({} chars); it reads {:?}",
                    self.display,
                    text.chars().count(),
                    current.map(|c| c.chars().take(80).collect::<String>())
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Writes `bytes` to the stdin of tracked process `pid` and closes it.
    fn feed_stdin(&mut self, pid: u32, bytes: &[u8]) {
        let proc = self.tracked_mut(pid);
        let Some(mut stdin) = proc.child.stdin.take() else {
            panic!("{} ({pid}) has no stdin pipe", proc.name);
        };
        if let Err(e) = stdin.write_all(bytes) {
            panic!("cannot write to {} ({pid}): {e}", proc.name);
        }
    }

    /// Polls `file` until a line contains `needle` and returns that line.
    /// Panics on timeout with the file's content.
    pub fn wait_for_line(&self, file: &Path, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let content = fs::read_to_string(file).unwrap_or_default();
            if let Some(line) = content.lines().find(|line| line.contains(needle)) {
                return line.to_string();
            }
            if Instant::now() > deadline {
                panic!(
                    "no line containing {needle:?} in {} within {timeout:?}; it contains:\n{content}",
                    file.display()
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Saves a PNG of the whole screen with ImageMagick's `import`. Optional
    /// tool: without it this prints a notice and does nothing.
    pub fn screenshot(&self, path: &Path) {
        if let Err(err) = self.try_screenshot(path) {
            eprintln!("e2e desktop {}: no screenshot: {err}", self.display);
        }
    }

    pub(super) fn try_screenshot(&self, path: &Path) -> Result<(), String> {
        if find_program("import").is_none() {
            return Err("`import` not found (apt-get install -y imagemagick)".into());
        }
        let mut cmd = self.command("import");
        cmd.args(["-window", "root"]).arg(path);
        let out = run_with_timeout(cmd, Duration::from_secs(15))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}
