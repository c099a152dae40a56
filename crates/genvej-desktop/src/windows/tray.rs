//! The tray on Windows: tray-icon's notification-area icon needs a message
//! loop on the thread that made it, so the tray has its own thread. Menu
//! clicks go to the caller's [`OnClick`] with the line's id; new views come
//! in through a channel, with a thread message to wake the loop. The menu's
//! lines are made into tray-icon items here.
//!
//! Under Wine the icon appears but clicks are dropped (Wine stubs
//! Shell_NotifyIconGetRect); the menu's logic is the same as on Linux and is
//! tested there.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use tray_icon::menu::{IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};
use windows_sys::Win32::UI::WindowsAndMessaging::{WM_APP, WM_QUIT};

use super::messages as msg;
use crate::tray::{Cause, MenuLine, OnClick, START_TIMEOUT, TrayError, TrayView};

const UPDATE: u32 = WM_APP + 3;

/// The running tray; dropping it removes the icon and ends its thread.
pub struct Tray {
    thread_id: u32,
    updates: Sender<TrayView>,
    thread: Option<JoinHandle<()>>,
}

impl Tray {
    /// Shows the icon; `Err` says why there is none (the agent runs on).
    pub fn start(view: TrayView, on_click: OnClick) -> Result<Tray, TrayError> {
        let (ready, ready_inbox) = mpsc::channel::<Result<u32, TrayError>>();
        let (updates, updates_inbox) = mpsc::channel::<TrayView>();
        let thread = std::thread::Builder::new()
            .name("genvej-tray".into())
            .spawn(move || run(view, on_click, &updates_inbox, &ready))
            .map_err(TrayError::ThreadNotStarted)?;
        match ready_inbox.recv_timeout(START_TIMEOUT) {
            Ok(Ok(thread_id)) => Ok(Tray {
                thread_id,
                updates,
                thread: Some(thread),
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(TrayError::NoAnswer("the tray thread")),
        }
    }

    /// Shows a new view: menu, icon and tooltip.
    pub fn update(&self, view: TrayView) {
        if self.updates.send(view).is_ok() {
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

fn run(
    view: TrayView,
    on_click: OnClick,
    updates: &Receiver<TrayView>,
    ready: &Sender<Result<u32, TrayError>>,
) {
    msg::ensure_queue();
    MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
        on_click(event.id().as_ref());
    }));
    let mut shown = match show(&view) {
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
        // Only the newest view matters.
        if let Some(view) = updates.try_iter().last() {
            if let Err(e) = shown.update(&view) {
                tracing::warn!("the tray icon could not be updated: {e}");
            }
        }
    });
}

struct Shown {
    icon: TrayIcon,
    icon_rgba: Vec<u8>,
}

fn show(view: &TrayView) -> Result<Shown, TrayError> {
    let made = || -> Result<TrayIcon, Cause> {
        Ok(TrayIconBuilder::new()
            .with_id("genvej")
            .with_icon(icon(&view.icon_rgba)?)
            .with_tooltip(&view.tooltip)
            .with_menu(Box::new(menu(&view.menu)?))
            .build()?)
    };
    let icon = made().map_err(TrayError::NotMade)?;
    Ok(Shown {
        icon,
        icon_rgba: view.icon_rgba.clone(),
    })
}

impl Shown {
    fn update(&mut self, view: &TrayView) -> Result<(), Cause> {
        self.icon.set_menu(Some(Box::new(menu(&view.menu)?)));
        self.icon.set_tooltip(Some(&view.tooltip))?;
        if view.icon_rgba != self.icon_rgba {
            self.icon_rgba = view.icon_rgba.clone();
            self.icon.set_icon(Some(icon(&self.icon_rgba)?))?;
        }
        Ok(())
    }
}

fn icon(rgba: &[u8]) -> Result<Icon, Cause> {
    Ok(Icon::from_rgba(rgba.to_vec(), 32, 32)?)
}

/// The menu's lines as a tray-icon menu.
fn menu(lines: &[MenuLine]) -> Result<Menu, Cause> {
    let menu = Menu::new();
    for line in lines.iter().cloned() {
        menu.append(menu_item(line)?.as_ref())?;
    }
    Ok(menu)
}

fn menu_item(line: MenuLine) -> Result<Box<dyn IsMenuItem>, Cause> {
    Ok(match line {
        MenuLine::Item { id, label, enabled } => {
            let id = id.unwrap_or_else(|| "status".to_string());
            Box::new(MenuItem::with_id(id, label, enabled, None))
        }
        MenuLine::Submenu {
            label,
            enabled,
            lines,
        } => {
            let submenu = Submenu::new(label, enabled);
            for line in lines {
                submenu.append(menu_item(line)?.as_ref())?;
            }
            Box::new(submenu)
        }
        MenuLine::Separator => Box::new(PredefinedMenuItem::separator()),
    })
}
