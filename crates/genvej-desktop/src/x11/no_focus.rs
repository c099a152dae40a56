//! Keeping a notice from taking the keyboard on X11. winit ignores
//! `with_active(false)` there, and openbox focused every new window, so a
//! notice shown while a script types would have stopped the run (the
//! wrong-window guard) or taken the caseworker's next keys. Before the
//! window is first shown, mark it as "do not focus on map"
//! (`_NET_WM_USER_TIME` = 0, EWMH) and as taking no input (`WM_HINTS`).

use raw_window_handle::{HasWindowHandle, RawWindowHandle};
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, PropMode};
use x11rb::wrapper::ConnectionExt as _;

/// Applies the hints; a failure only means the notice may take focus.
pub fn apply(window: &impl HasWindowHandle) {
    let id = match window.window_handle().map(|h| h.as_raw()) {
        Ok(RawWindowHandle::Xlib(h)) => u32::try_from(h.window).ok(),
        Ok(RawWindowHandle::Xcb(h)) => Some(h.window.get()),
        _ => None,
    };
    let Some(id) = id else {
        return;
    };
    if let Err(e) = set_hints(id) {
        tracing::debug!("notice may take the focus: {e}");
    }
}

fn set_hints(window: u32) -> Result<(), Box<dyn std::error::Error>> {
    let (conn, _) = x11rb::connect(None)?;
    let user_time = conn.intern_atom(false, b"_NET_WM_USER_TIME")?.reply()?.atom;
    conn.change_property32(
        PropMode::REPLACE,
        window,
        user_time,
        AtomEnum::CARDINAL,
        &[0],
    )?;
    // WM_HINTS: flags = InputHint, input = False; the rest unused.
    const INPUT_HINT: u32 = 1;
    conn.change_property32(
        PropMode::REPLACE,
        window,
        AtomEnum::WM_HINTS,
        AtomEnum::WM_HINTS,
        &[INPUT_HINT, 0, 0, 0, 0, 0, 0, 0, 0],
    )?;
    conn.sync()?;
    Ok(())
}
