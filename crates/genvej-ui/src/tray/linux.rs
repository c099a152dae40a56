//! The tray on Linux. tray-icon's backend here is libappindicator (a
//! StatusNotifier item over D-Bus, falling back to an XEmbed icon in trays
//! such as trayer), which is driven by GTK's main loop. So the tray lives on
//! its own thread that runs that loop; menu clicks are sent into the agent's
//! event channel — the one loop where hot keys, hotstrings, reloads and runs
//! already meet — and the agent pushes state changes back with
//! `MainContext::invoke`. winit is not involved: on Linux it would be a
//! second, idle event loop next to GTK's.
//!
//! libappindicator is loaded at run time and tray-icon panics when it is
//! missing; GTK fails without a display. Both end in `Err` here, and the
//! agent goes on without a tray.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use gtk::glib;
use tray_icon::menu::MenuEvent;
use tray_icon::{TrayIcon, TrayIconBuilder};

use super::menu::{icon, menu};
use super::{IconLook, TrayAction, TrayState};

/// How long GTK and the indicator may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(10);

thread_local! {
    /// The icon, owned by the GTK thread (GTK objects never leave it).
    static SHOWN: RefCell<Option<Shown>> = const { RefCell::new(None) };
}

struct Shown {
    icon: TrayIcon,
    look: IconLook,
}

/// The running tray; dropping it removes the icon and ends the GTK thread.
pub struct Tray {
    context: glib::MainContext,
}

impl Tray {
    /// Shows the icon. `Err` says why there is no tray (no display, GTK or
    /// libappindicator missing); the agent then runs without one.
    pub fn start<E: From<TrayAction> + Send + 'static>(
        state: TrayState,
        events: Sender<E>,
    ) -> Result<Tray, String> {
        let (ready, ready_inbox) = mpsc::channel::<Result<(), String>>();
        std::thread::Builder::new()
            .name("genvej-tray".into())
            .spawn(move || {
                let started = std::panic::catch_unwind(AssertUnwindSafe(|| show(state, events)))
                    .unwrap_or_else(|panic| Err(panic_text(panic.as_ref())));
                let ok = started.is_ok();
                let _ = ready.send(started);
                if ok {
                    gtk::main();
                }
            })
            .map_err(|e| format!("cannot start the tray thread: {e}"))?;
        match ready_inbox.recv_timeout(START_TIMEOUT) {
            Ok(Ok(())) => Ok(Tray {
                context: glib::MainContext::default(),
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("the tray did not start within 10 s".into()),
        }
    }

    /// Shows a new state: menu, icon colour and tooltip.
    pub fn update(&self, state: TrayState) {
        self.context.invoke(move || {
            SHOWN.with(|shown| {
                if let Some(shown) = shown.borrow_mut().as_mut() {
                    if let Err(e) = shown.update(&state) {
                        tracing::warn!("the tray icon could not be updated: {e}");
                    }
                }
            });
        });
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        self.context.invoke(|| {
            SHOWN.with(|shown| shown.borrow_mut().take());
            gtk::main_quit();
        });
    }
}

/// Why an icon would not be seen now, if it would not: neither an XEmbed
/// system tray on the screen nor a D-Bus session for a StatusNotifier host.
/// The icon still appears if a tray starts later.
pub fn missing_host() -> Option<String> {
    let dbus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
    if dbus || xembed_tray_running() {
        return None;
    }
    Some("no system tray on this desktop and no D-Bus session".into())
}

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

fn show<E: From<TrayAction> + Send + 'static>(
    state: TrayState,
    events: Sender<E>,
) -> Result<(), String> {
    gtk::init().map_err(|e| format!("GTK could not start: {e}"))?;
    MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
        if let Some(action) = TrayAction::from_menu_id(event.id().as_ref()) {
            let _ = events.send(E::from(action));
        }
    }));
    let icons = dirs::runtime_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("genvej-tray-{}", std::process::id()));
    let look = state.look();
    let icon = TrayIconBuilder::new()
        .with_id("genvej")
        .with_temp_dir_path(icons)
        .with_icon(icon(look)?)
        .with_tooltip(state.tooltip())
        .with_menu(Box::new(menu(&state)?))
        .build()
        .map_err(|e| format!("the tray icon could not be made: {e}"))?;
    SHOWN.with(|shown| *shown.borrow_mut() = Some(Shown { icon, look }));
    Ok(())
}

impl Shown {
    fn update(&mut self, state: &TrayState) -> Result<(), String> {
        self.icon.set_menu(Some(Box::new(menu(state)?)));
        // No-op with libappindicator; the menu's first line says the same.
        let _ = self.icon.set_tooltip(Some(state.tooltip()));
        if state.look() != self.look {
            self.look = state.look();
            self.icon
                .set_icon(Some(icon(self.look)?))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown reason".into());
    format!("the tray library failed: {text}")
}
