//! Hot-key scripts: the TOML format (`raw`), its checker (`file_checker`, `load`, `inputs`,
//! `steps`, `sources`, `addresses`, `scope`, `template_checks`, `set`, `release`), how files
//! are found and read (`files`) and the checked model the engine runs (`model`).

mod addresses;
pub mod field_path;
pub(crate) mod file_checker;
mod files;
mod inputs;
mod load;
pub(crate) use load::is_script_id;
pub mod model;
mod personal;
pub mod raw;
mod release;
mod scope;
mod sequences;
pub mod set;
mod sources;
mod steps;
mod string_position;
mod template_checks;

pub use files::find_test_files;
pub use model::*;
pub use release::{CheckMode, MAX_PERSON_CHARS, MAX_VERSION_CHARS};
pub use scope::MAX_TEMPLATE_LINE_CHARS;
pub use set::{
    ScriptFolders, ScriptSet, check_texts, check_texts_in, load, load_bundle, load_folders,
    load_folders_in, load_release,
};
