//! The desktop most simulation tests start from: one window, focused, on a
//! fixed Monday morning.

use chrono::NaiveDate;
use genvej_engine::fake::FakeDesktop;

/// A fake desktop whose only window, titled `title`, has the focus, at
/// 2026-11-23 09:30.
pub fn desktop_in(title: &str) -> FakeDesktop {
    let start = NaiveDate::from_ymd_opt(2026, 11, 23)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .expect("valid time");
    let mut desktop = FakeDesktop::new(start);
    let id = desktop.add_window(title, "");
    desktop.click(id);
    desktop
}
