//! Link settings for the Windows build of the `genvej` binary.
//!
//! Sections aligned to 4 KiB in the file, not mingw's default 512 bytes:
//! then a loader can map each section straight from the file (pages shared
//! with the file cache and read in only when touched). Windows maps an
//! image either way; Wine cannot map a section whose file offset is not on
//! a page boundary and copies the whole image into private memory instead
//! — for genvej.exe that was some 22 MB of the agent's idle footprint. The
//! file grows by at most a few KiB of padding per section.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "windows" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,--file-alignment,0x1000");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
