//! Desktop adapters that implement the engine's ports.

pub mod fake;
