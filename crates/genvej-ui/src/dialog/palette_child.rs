//! The command palette kept ready (`genvej dialog --palette`): a process
//! the agent starts once and keeps, so the palette is on screen at once
//! when its chord is pressed — no new process, no new GL context, no first
//! frame to draw.
//!
//! At start it draws the palette twice out of sight (X11: a window the
//! window manager leaves alone, outside the screen; Windows: outside the
//! screen, not activated), hides it and says `ready`. Then it waits for
//! orders on stdin, one JSON line each: `show` with the scripts of the
//! moment (they change on reload), `hide` (the agent closes it: panic key,
//! shutdown). After Enter, a click or Escape it hides, answers `closed`
//! with the choice, and starts over with an empty search. Its stdin closing
//! (the agent is gone) ends it.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eframe::egui;
use serde::{Deserialize, Serialize};

use super::Reply;
use super::list::{self, PaletteView};
use crate::texts;
use crate::tray::TrayEntry;

/// The longest order the agent may send (the scripts' names and texts).
const MAX_ORDER: u64 = 8 * 1024 * 1024;
const HEIGHT: f32 = 440.0;
/// How long the palette asks for the keyboard after it is shown (X11).
const FOCUS_TRIES: Duration = Duration::from_secs(2);

/// What the agent tells the palette, one JSON line each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Order {
    /// Show the palette over these scripts, with an empty search.
    Show { entries: Vec<TrayEntry> },
    /// Close it without a choice (answered with `closed` when it was shown).
    Hide,
}

/// What the palette tells the agent, one JSON line each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Said {
    /// Drawn once and hidden: the next `show` is immediate.
    Ready,
    /// On screen.
    Shown,
    /// Hidden again, with the choice ([`Reply::Chosen`]) or without.
    Closed { reply: Reply },
}

/// An order, and whether the reading thread already put the window on
/// screen for it (Windows: a hidden window's event loop does not wake).
type Received = (Order, bool);

/// What the reading thread and the window share.
#[derive(Debug, Default)]
struct Shared {
    /// Warmed up: a `show` may be put on screen by the reading thread.
    ready: bool,
    /// The native window (Windows: HWND; X11: window id).
    window: Option<u64>,
}

/// `genvej dialog --palette`: serves the palette until stdin closes.
pub fn serve() -> anyhow::Result<()> {
    let title = format!("genvej – {}", texts::PALETTE_TITLE);
    let viewport = egui::ViewportBuilder::default()
        .with_title(&title)
        .with_app_id("genvej")
        .with_inner_size([list::WIDTH, HEIGHT])
        .with_always_on_top()
        // Out of sight for the frames drawn while warming up.
        .with_position([-10_000.0, -10_000.0])
        .with_active(false);
    let options = eframe::NativeOptions {
        viewport,
        centered: false,
        ..Default::default()
    };
    eframe::run_native(
        &title,
        options,
        Box::new(move |cc| {
            let shared = Arc::new(Mutex::new(Shared {
                ready: false,
                window: native_window(cc),
            }));
            #[cfg(target_os = "linux")]
            if let Some(window) = native_window(cc) {
                set_unmanaged(window, true);
            }
            let (orders, inbox) = mpsc::channel();
            let ctx = cc.egui_ctx.clone();
            let reader = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("palette-orders".into())
                .spawn(move || read_orders(&orders, &ctx, &reader))?;
            Ok(Box::new(ReadyApp {
                view: PaletteView::new(Vec::new()),
                inbox,
                shared,
                phase: Phase::Warming(0),
                answer: None,
            }))
        }),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(target_os = "linux")]
fn native_window(cc: &eframe::CreationContext<'_>) -> Option<u64> {
    genvej_desktop::x11::unmanaged::window_id(cc).map(u64::from)
}

#[cfg(windows)]
fn native_window(cc: &eframe::CreationContext<'_>) -> Option<u64> {
    genvej_desktop::windows::dialog_window::id_of(cc)
}

#[cfg(not(any(target_os = "linux", windows)))]
fn native_window(_cc: &eframe::CreationContext<'_>) -> Option<u64> {
    None
}

#[cfg(target_os = "linux")]
fn set_unmanaged(window: u64, unmanaged: bool) {
    let result = u32::try_from(window)
        .map_err(|e| e.to_string())
        .and_then(|id| {
            genvej_desktop::x11::unmanaged::set_unmanaged(id, unmanaged).map_err(|e| e.to_string())
        });
    if let Err(e) = result {
        eprintln!("the palette's window could not be prepared: {e}");
    }
}

/// Reads the agent's orders until stdin closes, then ends the process.
fn read_orders(orders: &Sender<Received>, ctx: &egui::Context, shared: &Mutex<Shared>) {
    let mut stdin = BufReader::new(std::io::stdin().lock());
    loop {
        let mut line = String::new();
        match (&mut stdin).take(MAX_ORDER).read_line(&mut line) {
            // The agent is gone (or closed the pipe): so is the palette.
            Ok(0) => std::process::exit(0),
            Ok(_) if !line.ends_with('\n') => {
                eprintln!("an order to the palette was longer than {MAX_ORDER} bytes");
                std::process::exit(2);
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("the palette's orders could not be read: {e}");
                std::process::exit(2);
            }
        }
        let order: Order = match serde_json::from_str(&line) {
            Ok(order) => order,
            Err(e) => {
                eprintln!("an order to the palette is not valid: {e}");
                continue;
            }
        };
        let show = matches!(order, Order::Show { .. });
        let present = {
            let Ok(state) = shared.lock() else {
                std::process::exit(2);
            };
            let present = show && state.ready && cfg!(windows);
            if orders.send((order, present)).is_err() {
                std::process::exit(0);
            }
            present.then_some(state.window).flatten()
        };
        // Not under the lock: showing waits for the window's thread.
        #[cfg(windows)]
        if let Some(window) = present {
            genvej_desktop::windows::dialog_window::present(window);
        }
        #[cfg(not(windows))]
        let _ = present;
        ctx.request_repaint();
    }
}

/// Tells the agent; when it no longer listens, the palette ends.
fn say(said: &Said) {
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, said)
        .map_err(std::io::Error::other)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    if written.is_err() {
        std::process::exit(0);
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// Drawing the frames out of sight (how many so far).
    Warming(u8),
    /// Hidden by the last frame; the window system is told next.
    Settling,
    Hidden,
    Shown(Instant),
}

struct ReadyApp {
    view: PaletteView,
    inbox: Receiver<Received>,
    shared: Arc<Mutex<Shared>>,
    phase: Phase,
    /// The answer, sent once the window is gone (X11 hides it after the frame).
    answer: Option<Reply>,
}

impl ReadyApp {
    fn window(&self) -> Option<u64> {
        self.shared.lock().ok().and_then(|s| s.window)
    }

    fn hide(&mut self, ctx: &egui::Context) {
        #[cfg(windows)]
        if let Some(window) = self.window() {
            genvej_desktop::windows::dialog_window::hide(window);
        }
        #[cfg(not(windows))]
        ctx.send_viewport_cmd(egui::ViewportCommand::Visible(false));
        ctx.request_repaint();
    }

    fn show(&mut self, ctx: &egui::Context, presented: bool) {
        self.phase = Phase::Shown(Instant::now());
        if cfg!(windows) {
            #[cfg(windows)]
            if !presented {
                if let Some(window) = self.window() {
                    genvej_desktop::windows::dialog_window::present(window);
                }
            }
        } else {
            let _ = presented;
            // Centred; near the top left when the screen's size is unknown
            // (never left out of sight where it was drawn).
            let at = ctx.input(|i| i.viewport().monitor_size).map_or(
                egui::pos2(80.0, 80.0),
                |monitor| {
                    egui::pos2(
                        ((monitor.x - list::WIDTH) / 2.0).max(0.0),
                        ((monitor.y - HEIGHT) / 2.0).max(0.0),
                    )
                },
            );
            ctx.send_viewport_cmd(egui::ViewportCommand::OuterPosition(at));
            ctx.send_viewport_cmd(egui::ViewportCommand::Visible(true));
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        }
        say(&Said::Shown);
        ctx.request_repaint();
    }

    /// Hidden with the caseworker's answer; the search starts over.
    fn close(&mut self, ctx: &egui::Context, reply: Reply) {
        self.hide(ctx);
        self.view.reset(Vec::new());
        self.phase = Phase::Hidden;
        if cfg!(windows) {
            say(&Said::Closed { reply });
        } else {
            self.answer = Some(reply);
        }
    }
}

impl eframe::App for ReadyApp {
    fn update(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        if let Some(reply) = self.answer.take() {
            say(&Said::Closed { reply });
        }
        if ctx.input(|i| i.viewport().close_requested()) {
            // The window's × hides it like Escape; the process stays.
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            if matches!(self.phase, Phase::Shown(_)) {
                self.close(ctx, Reply::Closed);
            }
            return;
        }
        match self.phase {
            Phase::Warming(frames) => {
                if frames == 0 {
                    list::light(ctx);
                }
                let _ = self.view.show(ctx);
                if frames == 0 {
                    self.phase = Phase::Warming(1);
                    ctx.request_repaint();
                } else {
                    self.hide(ctx);
                    self.phase = Phase::Settling;
                }
                return;
            }
            Phase::Settling => {
                // The window is hidden now: from here on it is an ordinary
                // one, managed (and focused) by the window manager.
                #[cfg(target_os = "linux")]
                if let Some(window) = self.window() {
                    set_unmanaged(window, false);
                }
                if let Ok(mut shared) = self.shared.lock() {
                    shared.ready = true;
                }
                self.phase = Phase::Hidden;
                say(&Said::Ready);
            }
            Phase::Hidden | Phase::Shown(_) => {}
        }
        while let Ok((order, presented)) = self.inbox.try_recv() {
            match order {
                Order::Show { entries } => {
                    self.view.reset(entries);
                    if self.phase == Phase::Hidden {
                        self.show(ctx, presented);
                    }
                }
                Order::Hide => {
                    if matches!(self.phase, Phase::Shown(_)) {
                        self.close(ctx, Reply::Closed);
                    }
                }
            }
        }
        let Phase::Shown(since) = self.phase else {
            egui::CentralPanel::default().show(ctx, |_| {});
            return;
        };
        if cfg!(not(windows))
            && ctx.input(|i| i.viewport().focused) != Some(true)
            && since.elapsed() < FOCUS_TRIES
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
            ctx.request_repaint_after(Duration::from_millis(30));
        }
        if let Some(reply) = self.view.show(ctx) {
            self.close(ctx, reply);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_and_answers_are_one_json_line_each() {
        let order = Order::Show {
            entries: Vec::new(),
        };
        let line = serde_json::to_string(&order).expect("json");
        assert_eq!(line, r#"{"do":"show","entries":[]}"#);
        let said = Said::Closed {
            reply: Reply::Chosen { id: "plan".into() },
        };
        let line = serde_json::to_string(&said).expect("json");
        assert_eq!(
            line,
            r#"{"event":"closed","reply":{"outcome":"chosen","id":"plan"}}"#
        );
        assert_eq!(serde_json::from_str::<Said>(&line).expect("parse"), said);
    }
}
