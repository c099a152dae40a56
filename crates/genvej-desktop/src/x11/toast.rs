//! Notices through the desktop's notification service
//! (`org.freedesktop.Notifications` on the D-Bus session bus), where one
//! runs. Without one the caller shows genvej's own notice window instead.

use notify_rust::{Notification, Timeout};

/// Why a notice did not go to the notification service (for the log; the
/// caller then shows its own window).
#[derive(Debug, thiserror::Error)]
pub enum ToastError {
    #[error("no D-Bus session")]
    NoSession,
    #[error("the notification service refused it: {0}")]
    Refused(String),
}

/// Sends the notice; `Err` when there is no session bus or no service.
pub fn show(title: &str, text: &str, seconds: u64) -> Result<(), ToastError> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|v| v.is_empty()) {
        return Err(ToastError::NoSession);
    }
    let milliseconds = u32::try_from(seconds.saturating_mul(1000)).unwrap_or(u32::MAX);
    Notification::new()
        .appname("genvej")
        .summary(title)
        .body(text)
        .timeout(Timeout::Milliseconds(milliseconds))
        .show()
        .map(|_| ())
        .map_err(|e| ToastError::Refused(e.to_string()))
}
