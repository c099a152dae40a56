//! Link settings for the Windows build of the `genvej` binary.
//!
//! Sections aligned to 4 KiB in the file, not mingw's default 512 bytes:
//! then a loader can map each section straight from the file (pages shared
//! with the file cache and read in only when touched). Windows maps an
//! image either way; Wine cannot map a section whose file offset is not on
//! a page boundary and copies the whole image into private memory instead
//! — for genvej.exe that was some 22 MB of the agent's idle footprint. The
//! file grows by at most a few KiB of padding per section.
//!
//! crypt32.dll and opengl32.dll delay-loaded: the agent needs crypt32 only
//! to check a server's certificate (the first HTTPS request) and OpenGL
//! only in a dialog's own process, yet a plain import loads both when the
//! program starts — under Wine crypt32 brings bcrypt and GnuTLS with it
//! (some 3 MB of the idle agent), opengl32 0.7 MB. dlltool makes an import
//! library whose functions load their DLL on first call; src/main.rs links
//! it whole, ahead of the ordinary imports, when the `delay_load` cfg is set.

use std::path::Path;
use std::process::Command;

/// Every function genvej.exe imports from each delay-loaded DLL (see
/// `objdump -p genvej.exe`): one left out is imported the ordinary way,
/// and its DLL is loaded at start again.
const DELAYED: &[(&str, &[&str])] = &[
    (
        "crypt32",
        &[
            "CertAddEncodedCertificateToStore",
            "CertCloseStore",
            "CertCreateCertificateChainEngine",
            "CertFreeCertificateChain",
            "CertFreeCertificateChainEngine",
            "CertFreeCertificateContext",
            "CertGetCertificateChain",
            "CertOpenStore",
            "CertSetCertificateContextProperty",
            "CertVerifyCertificateChainPolicy",
        ],
    ),
    (
        "opengl32",
        &[
            "wglCreateContext",
            "wglDeleteContext",
            "wglGetCurrentContext",
            "wglGetCurrentDC",
            "wglGetProcAddress",
            "wglMakeCurrent",
            "wglShareLists",
        ],
    ),
];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(delay_load)");
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "windows" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,--file-alignment,0x1000");
        delay_load();
    }
}

/// Makes `lib<dll>_delay.a` for each DLL in [`DELAYED`] in OUT_DIR; only
/// if all are made does the binary link them (else a warning, and the
/// ordinary imports).
fn delay_load() {
    let Some(out) = std::env::var_os("OUT_DIR") else {
        return;
    };
    let out = Path::new(&out);
    let dlltool = std::env::var("DLLTOOL").unwrap_or_else(|_| "x86_64-w64-mingw32-dlltool".into());
    println!("cargo:rerun-if-env-changed=DLLTOOL");
    for (dll, functions) in DELAYED {
        let def = out.join(format!("{dll}.def"));
        let text = format!("LIBRARY {dll}.dll\nEXPORTS\n{}\n", functions.join("\n"));
        if let Err(e) = std::fs::write(&def, text) {
            println!("cargo:warning=cannot write {}: {e}", def.display());
            return;
        }
        let made = Command::new(&dlltool)
            .arg("--input-def")
            .arg(&def)
            .arg("--dllname")
            .arg(format!("{dll}.dll"))
            .arg("--output-delaylib")
            .arg(out.join(format!("lib{dll}_delay.a")))
            .status();
        if !made.as_ref().is_ok_and(|status| status.success()) {
            println!(
                "cargo:warning={dlltool} failed ({made:?}): {dll}.dll is imported the ordinary way (loaded at start)"
            );
            return;
        }
    }
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-cfg=delay_load");
}
