//! Signed script bundles for tests: sealing a library with a fresh key,
//! publishing it to a folder the way a copy to a share should be done
//! (aside, then renamed), and a local bundle server (bundle_server.py:
//! ETag, 304, one log line per request, optionally HTTPS with a test CA
//! made by openssl).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use genvej_bundle::{KeyPair, LibraryFile, LibraryPath, ScriptInfo, seal};

const BUNDLE_SERVER_PY: &str = include_str!("bundle_server.py");

/// A bundle of `scripts` (path inside the bundle, text), signed by `key`.
/// Each script's id and name are taken from its file name.
pub fn sealed(sequence: u64, key: &KeyPair, scripts: &[(&str, &str)]) -> Vec<u8> {
    let library = scripts
        .iter()
        .map(|(path, text)| {
            let id = Path::new(path)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let file = LibraryFile {
                path: LibraryPath::parse(path).expect("a bundle path"),
                text: text.to_string(),
            };
            let info = ScriptInfo {
                id: id.clone(),
                name: id,
                ..ScriptInfo::default()
            };
            (file, info)
        })
        .collect();
    seal(sequence, chrono::Utc::now(), library, &key.secret).expect("sealed")
}

/// A new signing key (no password).
pub fn key() -> KeyPair {
    KeyPair::generate(None).expect("a key pair")
}

/// The line for `bundles.trusted_keys`.
pub fn trusted(key: &KeyPair) -> String {
    key.secret.public().to_line()
}

/// Puts `bytes` at `folder/name`: written aside, then renamed over it.
pub fn publish(folder: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(folder).expect("the bundle folder");
    let aside = folder.join(format!(".{name}.part"));
    std::fs::write(&aside, bytes).expect("write the bundle");
    std::fs::rename(&aside, folder.join(name)).expect("publish the bundle");
}

/// The bundle with one byte flipped in the signed payload's last part.
pub fn flipped(bytes: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    let at = bytes.len() - 3;
    bytes[at] ^= 0x01;
    bytes
}

/// Waits until the scripts of bundle `sequence` are live in an agent whose
/// log `log_text` reads: a reload that read them has been swapped in after
/// it (loads run one at a time, each followed by its swap).
pub fn wait_for_live(log_text: impl Fn() -> String, sequence: u64, timeout: Duration) {
    let read = format!("reading the scripts of bundle sequence {sequence}");
    let deadline = Instant::now() + timeout;
    loop {
        let log = log_text();
        let lines: Vec<&str> = log.lines().collect();
        let live = lines
            .iter()
            .rposition(|l| l.contains(&read))
            .is_some_and(|at| lines[at..].iter().any(|l| l.contains("genvej reloaded")));
        if live {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "bundle {sequence} did not go live:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The local bundle server, stopped when dropped.
pub struct BundleServer {
    child: Child,
    pub port: u16,
    pub folder: PathBuf,
    log: PathBuf,
    https: bool,
}

impl BundleServer {
    /// Serves `folder` over http on 127.0.0.1 (`dir` holds the server's files).
    pub fn start(dir: &Path, folder: &Path) -> BundleServer {
        BundleServer::launch(dir, folder, None)
    }

    /// Serves `folder` over https with a certificate for 127.0.0.1 signed
    /// by a test CA; returns the server and the CA file (PEM).
    pub fn start_https(dir: &Path, folder: &Path) -> (BundleServer, PathBuf) {
        let made = super::test_ca::make(dir);
        let server = BundleServer::launch(dir, folder, Some((&made.cert, &made.key)));
        (server, made.ca)
    }

    fn launch(dir: &Path, folder: &Path, tls: Option<(&Path, &Path)>) -> BundleServer {
        std::fs::create_dir_all(folder).expect("the served folder");
        let script = dir.join("bundle_server.py");
        std::fs::write(&script, BUNDLE_SERVER_PY).expect("write the server");
        let port_file = dir.join("bundle_server.port");
        let log = dir.join("bundle_server.log");
        std::fs::write(&log, "").expect("the request log");
        let mut command = Command::new("python3");
        command
            .arg(&script)
            .arg(folder)
            .arg(&port_file)
            .arg(&log)
            .stdin(Stdio::null());
        if let Some((cert, key)) = tls {
            command.arg(cert).arg(key);
        }
        let child = command.spawn().expect("python3 runs");
        let mut server = BundleServer {
            child,
            port: 0,
            folder: folder.to_path_buf(),
            log,
            https: tls.is_some(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.port == 0 {
            let text = std::fs::read_to_string(&port_file).unwrap_or_default();
            server.port = text.trim().parse().unwrap_or(0);
            assert!(Instant::now() < deadline, "the bundle server did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
        server
    }

    /// The address for `bundles.from`.
    pub fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}/", self.port)
    }

    /// Every request so far: "GET /all.genvej-bundle 200 1234".
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Makes every answer `status` (e.g. 503), or normal again with `None`.
    pub fn answer_all(&self, status: Option<u16>) {
        let file = self.folder.join(".status");
        match status {
            Some(status) => std::fs::write(&file, status.to_string()).expect("write"),
            None => {
                let _ = std::fs::remove_file(&file);
            }
        }
    }
}

impl Drop for BundleServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
