//! Notices through the desktop's notification service
//! (`org.freedesktop.Notifications` on the D-Bus session bus), where one
//! runs. Without one the caller shows genvej's own notice window instead.

use notify_rust::{Notification, Timeout};

/// Sends the notice; `Err` when there is no session bus or no service.
pub fn show(title: &str, text: &str, seconds: u64) -> Result<(), String> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|v| v.is_empty()) {
        return Err("no D-Bus session".into());
    }
    let milliseconds = u32::try_from(seconds.saturating_mul(1000)).unwrap_or(u32::MAX);
    Notification::new()
        .appname("genvej")
        .summary(title)
        .body(text)
        .timeout(Timeout::Milliseconds(milliseconds))
        .show()
        .map(|_| ())
        .map_err(|e| e.to_string())
}
