//! The real desktops that implement the engine's ports, one home per OS:
//! `x11/` (Linux) and `windows/`, chosen at compile time, plus what they
//! share (HTTP, credentials, starting programs, the machine's paths, what
//! the installer set, and trust checks) and [`os`], what the agent needs from the OS. The
//! recording fake desktop is the engine's own (`genvej_engine::fake`).

pub mod access;
pub mod bundle_source;
pub mod credentials;
pub mod deployment;
pub mod http;
pub mod key_events;
pub mod listener;
#[cfg(any(windows, test))]
mod next_key;
pub mod os;
pub mod paths;
pub mod system;
pub mod tray;
pub mod trust;
#[cfg(windows)]
pub mod windows;
#[cfg(target_os = "linux")]
pub mod x11;

use genvej_format::chord::{Chord, Key, Modifiers, NamedKey};
use genvej_format::window_match::{TextPattern, WindowInfo};

/// How the agent pastes into a window; terminals want Shift+Insert.
#[derive(Debug, Clone, Default)]
pub struct PasteRules {
    /// Window classes (globs) that paste with Shift+Insert instead of Ctrl+V.
    pub shift_insert_classes: Vec<String>,
}

impl PasteRules {
    /// Ctrl+V, or Shift+Insert for the configured window classes.
    pub fn chord_for(&self, window: &WindowInfo) -> Chord {
        let shift_insert = self
            .shift_insert_classes
            .iter()
            .any(|class| TextPattern::glob(class).is_match(&window.class));
        if shift_insert {
            Chord {
                modifiers: Modifiers {
                    shift: true,
                    ..Modifiers::default()
                },
                key: Key::Named(NamedKey::Insert),
            }
        } else {
            Chord {
                modifiers: Modifiers {
                    ctrl: true,
                    ..Modifiers::default()
                },
                key: Key::Letter('V'),
            }
        }
    }
}

/// The forms and messages behind the engine's `Prompter` port. The UI layer
/// draws them (the `genvej dialog` child process) and hands them in when a
/// desktop is made, so this layer never depends on the UI.
pub trait Dialogs: Send {
    /// Shows a form; `None` when the caseworker cancels.
    fn ask(
        &self,
        form: &genvej_engine::ports::Form,
        today: chrono::NaiveDate,
    ) -> genvej_engine::ports::PortResult<Option<std::collections::BTreeMap<String, String>>>;
    /// Shows a script's message with an OK button.
    fn message(&self, title: &str, text: &str) -> genvej_engine::ports::PortResult<()>;
}

/// The ports every real desktop serves the same way: the clock, dialogs
/// (the `genvej dialog` child process), HTTP, the document folder and
/// starting programs and URLs. A desktop holds one as `services` and gets
/// the trait impls from [`shared_ports!`].
pub struct Services {
    pub clock: system::SystemClock,
    pub dialogs: Box<dyn Dialogs>,
    pub http: http::HttpClient,
    pub documents: system::DocumentFolder,
    /// The `document_folder` setting `documents` was made from (`None`: the
    /// default folder), so that each run does not look it up again.
    document_setting: Option<std::path::PathBuf>,
    /// The program that opens URLs; `None`: the desktop's default.
    pub browser: Option<String>,
}

impl Services {
    pub fn new(browser: Option<String>, dialogs: Box<dyn Dialogs>) -> Services {
        Services {
            clock: system::SystemClock::default(),
            dialogs,
            http: http::HttpClient::new(),
            documents: system::DocumentFolder::default(),
            document_setting: None,
            browser,
        }
    }

    /// An organisation's CA for `fetch` over HTTPS, besides the system's.
    pub fn set_ca_file(&mut self, ca_file: Option<std::path::PathBuf>) {
        self.http.set_ca_file(ca_file);
    }

    /// Where `merge_pdf` saves documents (`None`: the default folder).
    /// Each run sets it; the default folder (a known-folder lookup, under
    /// Wine a good part of a millisecond) is looked up only when it changes.
    pub fn set_document_folder(&mut self, folder: Option<std::path::PathBuf>) {
        if folder == self.document_setting {
            return;
        }
        self.document_setting = folder.clone();
        self.documents = match folder {
            Some(folder) => system::DocumentFolder { folder },
            None => system::DocumentFolder::default(),
        };
    }
}

/// Implements the shared ports (launcher, HTTP, credentials, documents,
/// dialogs, clock) for a desktop type with a `services: Services` field.
macro_rules! shared_ports {
    ($desktop:ty) => {
        impl genvej_engine::ports::Launcher for $desktop {
            fn launch(&mut self, program: &str, args: &[String]) -> genvej_engine::ports::PortResult<()> {
                $crate::system::launch(program, args)
            }

            fn open_url(&mut self, url: &str) -> genvej_engine::ports::PortResult<()> {
                $crate::system::open_url(url, self.services.browser.as_deref())
            }
        }

        impl genvej_engine::ports::Http for $desktop {
            fn fetch(
                &mut self,
                request: &genvej_engine::ports::HttpRequest,
            ) -> Result<serde_json::Value, genvej_engine::ports::HttpError> {
                self.services.http.fetch(request)
            }

            fn download(
                &mut self,
                request: &genvej_engine::ports::HttpRequest,
            ) -> Result<Vec<u8>, genvej_engine::ports::HttpError> {
                self.services.http.download(request)
            }
        }

        impl genvej_engine::ports::Credentials for $desktop {
            fn credential(
                &mut self,
                name: &str,
            ) -> Result<String, genvej_engine::ports::CredentialError> {
                $crate::credentials::read(name)
            }
        }

        impl genvej_engine::ports::Documents for $desktop {
            fn save_document(
                &mut self,
                file_name: &str,
                bytes: &[u8],
            ) -> genvej_engine::ports::PortResult<String> {
                self.services.documents.save(file_name, bytes)
            }
        }

        impl genvej_engine::ports::Prompter for $desktop {
            fn ask(
                &mut self,
                form: &genvej_engine::ports::Form,
            ) -> genvej_engine::ports::PortResult<Option<std::collections::BTreeMap<String, String>>> {
                let today = self.services.clock.now().date();
                self.services.dialogs.ask(form, today)
            }

            fn show_message(&mut self, title: &str, text: &str) -> genvej_engine::ports::PortResult<()> {
                self.services.dialogs.message(title, text)
            }
        }

        impl genvej_engine::ports::Clock for $desktop {
            fn now(&self) -> chrono::NaiveDateTime {
                self.services.clock.now()
            }

            fn monotonic(&self) -> std::time::Duration {
                self.services.clock.monotonic()
            }

            fn sleep(&mut self, duration: std::time::Duration) {
                self.services.clock.sleep(duration);
            }
        }
    };
}
pub(crate) use shared_ports;
