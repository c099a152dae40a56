//! Desktop adapters that implement the engine's ports: the recording `fake`
//! (tests and dry runs) and the real desktops, chosen at compile time.

pub mod credentials;
pub mod fake;
pub mod http;
pub mod system;
#[cfg(target_os = "linux")]
pub mod x11;
