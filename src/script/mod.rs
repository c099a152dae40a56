//! Hot-key scripts: the TOML format (`raw`), its checker (`load`, `inputs`,
//! `steps`, `sources`, `scope`, `set`) and the checked model the engine runs (`model`).

pub mod field_path;
mod inputs;
mod load;
pub mod model;
pub mod raw;
mod scope;
pub mod set;
mod sources;
mod steps;

pub use model::*;
pub use scope::MAX_TEMPLATE_LINE_CHARS;
pub use set::{ScriptSet, check_texts, load};
