//! Desktop adapters that implement the engine's ports: the recording `fake`
//! (tests and dry runs) and the real desktops, chosen at compile time.

pub mod access;
pub mod credentials;
pub mod fake;
pub mod http;
pub mod system;
#[cfg(windows)]
pub mod windows;
#[cfg(target_os = "linux")]
pub mod x11;

use crate::chord::{Chord, Key, Modifiers, NamedKey};
use crate::window_match::{TextPattern, WindowInfo};

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

/// The ports every real desktop serves the same way: the clock, dialogs
/// (the `genvej dialog` child process), HTTP, the document folder and
/// starting programs and URLs. A desktop holds one as `services` and gets
/// the trait impls from [`shared_ports!`].
pub struct Services {
    pub clock: system::SystemClock,
    pub dialogs: crate::dialog::DialogProcess,
    pub http: http::HttpClient,
    pub documents: system::DocumentFolder,
    /// The program that opens URLs; `None`: the desktop's default.
    pub browser: Option<String>,
}

impl Services {
    pub fn new(browser: Option<String>) -> Services {
        Services {
            clock: system::SystemClock::default(),
            dialogs: crate::dialog::DialogProcess::current(),
            http: http::HttpClient::new(),
            documents: system::DocumentFolder::default(),
            browser,
        }
    }

    /// An organisation's CA for `fetch` over HTTPS, besides the system's.
    pub fn set_ca_file(&mut self, ca_file: Option<std::path::PathBuf>) {
        self.http.set_ca_file(ca_file);
    }

    /// Where `merge_pdf` saves documents (`None`: the default folder).
    pub fn set_document_folder(&mut self, folder: Option<std::path::PathBuf>) {
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
        impl $crate::ports::Launcher for $desktop {
            fn launch(&mut self, program: &str, args: &[String]) -> $crate::ports::PortResult<()> {
                $crate::platform::system::launch(program, args)
            }

            fn open_url(&mut self, url: &str) -> $crate::ports::PortResult<()> {
                $crate::platform::system::open_url(url, self.services.browser.as_deref())
            }
        }

        impl $crate::ports::Http for $desktop {
            fn fetch(
                &mut self,
                request: &$crate::ports::HttpRequest,
            ) -> Result<serde_json::Value, $crate::ports::HttpError> {
                self.services.http.fetch(request)
            }

            fn download(
                &mut self,
                request: &$crate::ports::HttpRequest,
            ) -> Result<Vec<u8>, $crate::ports::HttpError> {
                self.services.http.download(request)
            }
        }

        impl $crate::ports::Credentials for $desktop {
            fn credential(&mut self, name: &str) -> Result<String, String> {
                $crate::platform::credentials::read(name)
            }
        }

        impl $crate::ports::Documents for $desktop {
            fn save_document(
                &mut self,
                file_name: &str,
                bytes: &[u8],
            ) -> $crate::ports::PortResult<String> {
                self.services.documents.save(file_name, bytes)
            }
        }

        impl $crate::ports::Prompter for $desktop {
            fn ask(
                &mut self,
                form: &$crate::ports::Form,
            ) -> $crate::ports::PortResult<Option<std::collections::BTreeMap<String, String>>> {
                let today = self.services.clock.now().date();
                self.services.dialogs.ask(form, today)
            }

            fn show_message(&mut self, title: &str, text: &str) -> $crate::ports::PortResult<()> {
                self.services.dialogs.message(title, text)
            }
        }

        impl $crate::ports::Clock for $desktop {
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
