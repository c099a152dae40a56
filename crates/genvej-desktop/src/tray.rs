//! The tray icon as the OS shows it, the same shape on every OS: a 32×32
//! icon, a tooltip and menu lines, and a callback with the id of the line a
//! person clicked. What the lines say and what a click means belong to the
//! UI (`genvej_ui::tray`); here is only how each OS puts them on screen:
//! a StatusNotifierItem over D-Bus on Linux (`x11::tray`), tray-icon's
//! notification-area icon on Windows (`windows::tray`). When there can be
//! no icon, a [`TrayError`] says why; the agent logs it and runs on.

#[cfg(target_os = "linux")]
pub use crate::x11::tray::{Tray, missing_host};

#[cfg(windows)]
pub use crate::windows::tray::{Tray, missing_host};

use std::time::Duration;

/// How long the OS may take to show the icon before the agent runs on
/// without one (a session bus that never answers must not hold it up).
pub(crate) const START_TIMEOUT: Duration = Duration::from_secs(10);

/// What the OS's tray library reported, kept for the log.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why there is no tray icon. The agent logs it and runs on without one:
/// hot keys work either way.
#[derive(Debug, thiserror::Error)]
pub enum TrayError {
    /// Linux: no D-Bus session bus to put the icon on, so no tray either.
    #[error("no system tray on this desktop and no D-Bus session ({0})")]
    NoSession(Cause),
    /// The D-Bus session (Linux) or the tray's own thread (Windows) gave no
    /// answer within 10 s.
    #[error("{0} did not answer within 10 s")]
    NoAnswer(&'static str),
    /// The icon or its menu could not be made.
    #[error("the tray icon could not be made: {0}")]
    NotMade(Cause),
    /// The thread that runs the tray could not be started.
    #[error("cannot start the tray thread: {0}")]
    ThreadNotStarted(#[source] std::io::Error),
}

/// Everything the icon shows at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayView {
    pub tooltip: String,
    /// 32×32 pixels, RGBA.
    pub icon_rgba: Vec<u8>,
    pub menu: Vec<MenuLine>,
}

/// One line of the tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuLine {
    /// A line; `id` is what a click reports, `None` for a line that only
    /// shows text (the status line).
    Item {
        id: Option<String>,
        label: String,
        enabled: bool,
    },
    Submenu {
        label: String,
        enabled: bool,
        lines: Vec<MenuLine>,
    },
    Separator,
}

/// Called with the id of each clicked line, on the tray's own thread: it
/// should only pass the click on (e.g. into a channel), never block.
pub type OnClick = Box<dyn Fn(&str) + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tray_errors_say_why_there_is_no_icon() {
        // The agent logs these after "no tray icon, running without one: ".
        assert_eq!(
            TrayError::NoSession("org.freedesktop.DBus.Error.NoServer".into()).to_string(),
            "no system tray on this desktop and no D-Bus session (org.freedesktop.DBus.Error.NoServer)"
        );
        assert_eq!(
            TrayError::NoAnswer("the D-Bus session").to_string(),
            "the D-Bus session did not answer within 10 s"
        );
        assert_eq!(
            TrayError::NotMade("bad icon".into()).to_string(),
            "the tray icon could not be made: bad icon"
        );
    }
}
