//! Drawing a window once out of sight on X11, for a dialog kept ready
//! (the command palette). eframe shows a window after its first frame; a
//! window the window manager does not manage (override-redirect) and that
//! lies outside the screen is drawn without anyone seeing it, without a
//! taskbar entry, and without taking the keyboard. Once hidden again it is
//! made an ordinary window, which the window manager manages (and focuses)
//! when it is shown.

use raw_window_handle::{HasWindowHandle, RawWindowHandle};
use x11rb::protocol::xproto::{ChangeWindowAttributesAux, ConnectionExt as _};
use x11rb::wrapper::ConnectionExt as _;

/// The X window of a winit window.
pub fn window_id(window: &impl HasWindowHandle) -> Option<u32> {
    match window.window_handle().map(|h| h.as_raw()) {
        Ok(RawWindowHandle::Xlib(h)) => u32::try_from(h.window).ok(),
        Ok(RawWindowHandle::Xcb(h)) => Some(h.window.get()),
        _ => None,
    }
}

/// Marks the (unmapped) window as one the window manager leaves alone, or
/// as an ordinary window again; effective from its next mapping.
pub fn set_unmanaged(window: u32, unmanaged: bool) -> Result<(), Box<dyn std::error::Error>> {
    let (conn, _) = x11rb::connect(None)?;
    conn.change_window_attributes(
        window,
        &ChangeWindowAttributesAux::new().override_redirect(u32::from(unmanaged)),
    )?;
    conn.sync()?;
    Ok(())
}
