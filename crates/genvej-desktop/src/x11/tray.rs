//! The tray on Linux: a StatusNotifierItem on the D-Bus session bus (ksni,
//! in pure Rust over zbus), the icon that KDE, GNOME's AppIndicator
//! extension, XFCE, Cinnamon, MATE and most panels show. No GTK, no
//! libappindicator and no main loop in the agent: ksni answers the tray's
//! D-Bus calls on a thread of its own, a menu click calls the caller's
//! [`OnClick`] with the line's id, and [`Tray::update`] swaps what the item shows.
//!
//! Without a D-Bus session there is no tray to talk to and [`Tray::start`]
//! fails; the agent then runs without one. With a session but no tray yet
//! (no `org.kde.StatusNotifierWatcher`), the item waits on the bus and
//! registers as soon as a tray starts; [`missing_host`] says why it cannot
//! be seen meanwhile. A tray that only takes XEmbed icons (e.g. trayer)
//! cannot show it.

use std::sync::mpsc;

use ksni::blocking::{Handle, TrayMethods as _};
use ksni::menu::{StandardItem, SubMenu};

use crate::tray::{MenuLine, OnClick, START_TIMEOUT, TrayError, TrayView};

/// The well-known name and path of the StatusNotifier tray's registry.
const WATCHER: &str = "org.kde.StatusNotifierWatcher";
const WATCHER_PATH: &str = "/StatusNotifierWatcher";

/// The running tray; dropping it takes the icon off the bus.
pub struct Tray {
    handle: Handle<Item>,
}

impl Tray {
    /// Puts the item on the session bus. `Err` says why there is no tray
    /// (no D-Bus session); the agent then runs without one.
    pub fn start(view: TrayView, on_click: OnClick) -> Result<Tray, TrayError> {
        let (ready, ready_inbox) = mpsc::channel();
        let item = Item { view, on_click };
        // ksni connects and registers before it returns; a session bus that
        // never answers must not hold up the agent's start.
        std::thread::Builder::new()
            .name("genvej-tray-start".into())
            .spawn(move || {
                let _ = ready.send(item.assume_sni_available(true).spawn());
            })
            .map_err(TrayError::ThreadNotStarted)?;
        match ready_inbox.recv_timeout(START_TIMEOUT) {
            Ok(Ok(handle)) => Ok(Tray { handle }),
            Ok(Err(ksni::Error::Dbus(e))) => Err(TrayError::NoSession(Box::new(e))),
            Ok(Err(e)) => Err(TrayError::NotMade(Box::new(e))),
            Err(_) => Err(TrayError::NoAnswer("the D-Bus session")),
        }
    }

    /// Shows a new view: menu, icon and tooltip.
    pub fn update(&self, view: TrayView) {
        if self.handle.update(move |item| item.view = view).is_none() {
            tracing::warn!("the tray icon could not be updated: its D-Bus service has stopped");
        }
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        self.handle.shutdown().wait();
    }
}

/// Why the icon would not be seen now, if it would not: no D-Bus session, no
/// StatusNotifier tray on it, or one that shows no items. The icon still
/// appears if a tray starts later.
pub fn missing_host() -> Option<String> {
    let Ok(conn) = zbus::blocking::Connection::session() else {
        return Some("no system tray on this desktop and no D-Bus session".into());
    };
    let watcher_runs = zbus::blocking::fdo::DBusProxy::new(&conn)
        .and_then(|bus| Ok(bus.name_has_owner(WATCHER.try_into()?)?));
    match watcher_runs {
        Ok(true) => {}
        Ok(false) => {
            let xembed = if xembed_tray_running() {
                "; the system tray on this desktop takes only XEmbed icons"
            } else {
                ""
            };
            return Some(format!(
                "no StatusNotifier tray on the D-Bus session ({WATCHER} is not running){xembed}"
            ));
        }
        Err(e) => {
            return Some(format!(
                "the D-Bus session could not be asked for a tray: {e}"
            ));
        }
    }
    let shown = zbus::blocking::Proxy::new(&conn, WATCHER, WATCHER_PATH, WATCHER)
        .and_then(|watcher| watcher.get_property::<bool>("IsStatusNotifierHostRegistered"));
    match shown {
        Ok(true) => None,
        Ok(false) => Some(format!(
            "{WATCHER} runs, but no tray has registered to show its icons"
        )),
        Err(e) => Some(format!("the StatusNotifier tray could not be asked: {e}")),
    }
}

/// Whether some program owns the XEmbed system tray selection.
fn xembed_tray_running() -> bool {
    use x11rb::protocol::xproto::ConnectionExt as _;
    let Ok((conn, screen)) = x11rb::connect(None) else {
        return false;
    };
    let name = format!("_NET_SYSTEM_TRAY_S{screen}");
    let owner = conn
        .intern_atom(false, name.as_bytes())
        .ok()
        .and_then(|c| c.reply().ok())
        .and_then(|a| conn.get_selection_owner(a.atom).ok())
        .and_then(|c| c.reply().ok())
        .map(|r| r.owner);
    owner.is_some_and(|o| o != x11rb::NONE)
}

/// What ksni serves on the bus: the view shown and where clicks go.
struct Item {
    view: TrayView,
    on_click: OnClick,
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        "genvej".into()
    }

    fn title(&self) -> String {
        "genvej".into()
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::ApplicationStatus
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        vec![ksni::Icon {
            width: 32,
            height: 32,
            data: argb(&self.view.icon_rgba),
        }]
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: self.view.tooltip.clone(),
            ..ksni::ToolTip::default()
        }
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        self.view.menu.iter().cloned().map(menu_item).collect()
    }

    fn watcher_online(&self) {
        tracing::info!("a StatusNotifier tray started: tray icon shown");
    }

    /// Keeps the item on the bus either way: it registers again as soon as
    /// a tray (re)starts.
    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        match reason {
            // The tray that showed the icon went away (panel restarted or removed).
            ksni::OfflineReason::No => tracing::info!(
                "the StatusNotifier tray stopped: tray icon hidden until a tray starts again"
            ),
            // No tray at start: the agent's start-up says so already.
            reason => tracing::debug!("no StatusNotifier tray: {reason:?}"),
        }
        true
    }
}

/// One menu line as a StatusNotifier (dbusmenu) item.
fn menu_item(line: MenuLine) -> ksni::MenuItem<Item> {
    match line {
        MenuLine::Item { id, label, enabled } => StandardItem {
            label: literal(&label),
            enabled,
            activate: Box::new(move |item: &mut Item| {
                if let Some(id) = &id {
                    (item.on_click)(id);
                }
            }),
            ..StandardItem::default()
        }
        .into(),
        MenuLine::Submenu {
            label,
            enabled,
            lines,
        } => SubMenu {
            label: literal(&label),
            enabled,
            submenu: lines.into_iter().map(menu_item).collect(),
            ..SubMenu::default()
        }
        .into(),
        MenuLine::Separator => ksni::MenuItem::Separator,
    }
}

/// A label shown as written: in dbusmenu an underscore marks the access key,
/// so a script named `a_b` would show as `ab`; two stand for one.
fn literal(label: &str) -> String {
    label.replace('_', "__")
}

/// StatusNotifier icons are ARGB32 in network byte order; ours are RGBA.
fn argb(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| [p[3], p[0], p[1], p[2]])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icons_are_sent_as_argb_and_labels_keep_their_underscores() {
        assert_eq!(argb(&[1, 2, 3, 4, 5, 6, 7, 8]), [4, 1, 2, 3, 8, 5, 6, 7]);
        assert_eq!(literal("journal_notat"), "journal__notat");
    }
}
