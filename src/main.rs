//! The `genvej` program: see `genvej --help`.

fn main() -> std::process::ExitCode {
    genvej::cli::main()
}
