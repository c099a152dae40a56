//! The tray on Windows: tray-icon's notification-area icon needs a message
//! loop on the thread that made it, so the tray has its own thread. Menu
//! clicks go into the agent's event channel; the agent's state changes come
//! back through a channel, with a thread message to wake the loop.
//!
//! Under Wine the icon appears but clicks are dropped (Wine stubs
//! Shell_NotifyIconGetRect); the menu's logic is the same as on Linux and is
//! tested there.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use tray_icon::menu::MenuEvent;
use tray_icon::{TrayIcon, TrayIconBuilder};
use windows_sys::Win32::UI::WindowsAndMessaging::{WM_APP, WM_QUIT};

use super::menu::{icon, menu};
use super::{IconLook, TrayAction, TrayState};
use genvej_desktop::windows::messages as msg;

const UPDATE: u32 = WM_APP + 3;
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// The running tray; dropping it removes the icon and ends its thread.
pub struct Tray {
    thread_id: u32,
    updates: Sender<TrayState>,
    thread: Option<JoinHandle<()>>,
}

impl Tray {
    /// Shows the icon; `Err` says why there is none (the agent runs on).
    pub fn start<E: From<TrayAction> + Send + 'static>(
        state: TrayState,
        events: Sender<E>,
    ) -> Result<Tray, String> {
        let (ready, ready_inbox) = mpsc::channel::<Result<u32, String>>();
        let (updates, updates_inbox) = mpsc::channel::<TrayState>();
        let thread = std::thread::Builder::new()
            .name("genvej-tray".into())
            .spawn(move || run(state, events, &updates_inbox, &ready))
            .map_err(|e| format!("cannot start the tray thread: {e}"))?;
        match ready_inbox.recv_timeout(START_TIMEOUT) {
            Ok(Ok(thread_id)) => Ok(Tray {
                thread_id,
                updates,
                thread: Some(thread),
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("the tray did not start within 10 s".into()),
        }
    }

    /// Shows a new state: menu, icon colour and tooltip.
    pub fn update(&self, state: TrayState) {
        if self.updates.send(state).is_ok() {
            msg::post_to_thread(self.thread_id, UPDATE);
        }
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        msg::post_to_thread(self.thread_id, WM_QUIT);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Windows always has a notification area.
pub fn missing_host() -> Option<String> {
    None
}

fn run<E: From<TrayAction> + Send + 'static>(
    state: TrayState,
    events: Sender<E>,
    updates: &Receiver<TrayState>,
    ready: &Sender<Result<u32, String>>,
) {
    msg::ensure_queue();
    MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
        if let Some(action) = TrayAction::from_menu_id(event.id().as_ref()) {
            let _ = events.send(E::from(action));
        }
    }));
    let mut shown = match show(&state) {
        Ok(shown) => shown,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(msg::current_thread()));
    msg::message_loop(|message, _| {
        if message != UPDATE {
            return;
        }
        // Only the newest state matters.
        if let Some(state) = updates.try_iter().last() {
            if let Err(e) = shown.update(&state) {
                tracing::warn!("the tray icon could not be updated: {e}");
            }
        }
    });
}

struct Shown {
    icon: TrayIcon,
    look: IconLook,
}

fn show(state: &TrayState) -> Result<Shown, String> {
    let look = state.look();
    let icon = TrayIconBuilder::new()
        .with_id("genvej")
        .with_icon(icon(look)?)
        .with_tooltip(state.tooltip())
        .with_menu(Box::new(menu(state)?))
        .build()
        .map_err(|e| format!("the tray icon could not be made: {e}"))?;
    Ok(Shown { icon, look })
}

impl Shown {
    fn update(&mut self, state: &TrayState) -> Result<(), String> {
        self.icon.set_menu(Some(Box::new(menu(state)?)));
        self.icon
            .set_tooltip(Some(state.tooltip()))
            .map_err(|e| e.to_string())?;
        if state.look() != self.look {
            self.look = state.look();
            self.icon
                .set_icon(Some(icon(self.look)?))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}
