//! A private test CA and a server certificate for 127.0.0.1 signed by it,
//! made by openssl (Debian package `openssl`): for the HTTPS tests of
//! `fetch` (crates/genvej-desktop/tests/http) and of bundles
//! (tests/integration/bundles.rs). Shared by `#[path]`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The files [`make`] writes.
pub struct TestCertificates {
    /// The server's certificate (for 127.0.0.1).
    pub cert: PathBuf,
    /// The server's private key.
    pub key: PathBuf,
    /// The CA that signed it: what `agent.ca_file` must name.
    pub ca: PathBuf,
}

/// Runs openssl with `args` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success(), "openssl {args:?} failed");
}

/// Makes the CA and the server certificate in `dir`, both valid two days.
pub fn make(dir: &Path) -> TestCertificates {
    let days = ["-days", "2"];
    let ca = [
        "-subj",
        "/CN=genvej test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509", "-newkey", "rsa:2048", "-nodes"][..],
            &days,
            &ca,
        ]
        .concat(),
    );
    let server = [
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "key.pem",
        "-out",
        "server.csr",
    ];
    openssl(
        dir,
        &[&["req", "-newkey", "rsa:2048", "-nodes"][..], &server].concat(),
    );
    std::fs::write(
        dir.join("server.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .expect("write the extensions");
    let sign = [
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-extfile",
        "server.ext",
        "-out",
        "cert.pem",
    ];
    openssl(dir, &[&sign[..], &days].concat());
    TestCertificates {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
        ca: dir.join("ca.pem"),
    }
}
