//! Drawing the dialogs with egui (eframe on winit + glow). Keyboard first:
//! the first field has focus, Tab moves on, Enter submits (Ctrl+Enter in a
//! multi-line field), Escape cancels, arrow keys step dates and choices.

use crate::texts;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, Id, Key, Modifiers, RichText};

use super::form::{FieldNote, FormState, NavKey, Submit};
use super::list::{self, CheatSheetApp, PaletteApp};
use super::{Reply, Request};
use genvej_format::script::InputKind;

const WIDTH: f32 = 480.0;
const ERROR: Color32 = Color32::from_rgb(0xc0, 0x1c, 0x1c);
const WARNING: Color32 = Color32::from_rgb(0xb0, 0x60, 0x00);

/// Shows the request and blocks until the dialog closes.
pub fn show(request: Request) -> anyhow::Result<Reply> {
    let reply = Rc::new(RefCell::new(Reply::Closed));
    let notice = matches!(request, Request::Notice { .. });
    let list = matches!(
        request,
        Request::CheatSheet { .. } | Request::Palette { .. }
    );
    let (title, height, app): (String, f32, Box<dyn eframe::App>) = match request {
        Request::Form { form, today } => {
            let height = form_height(&form);
            let state = FormState::new(form, today);
            let title = state.title.clone();
            let app = FormApp {
                widget_ids: vec![None; state.fields.len()],
                state,
                reply: reply.clone(),
                first_frame: true,
                focus: None,
            };
            (title, height, Box::new(app))
        }
        Request::Message { title, text } => {
            let height = text_height(&text) + 90.0;
            let app = TextApp {
                text,
                closes_at: None,
                first_frame: true,
            };
            (title, height, Box::new(app))
        }
        Request::CheatSheet { entries } => {
            let app = CheatSheetApp {
                entries,
                filter: String::new(),
                first_frame: true,
            };
            (texts::CHEAT_SHEET_TITLE.to_string(), 560.0, Box::new(app))
        }
        Request::Palette { entries } => {
            let app = PaletteApp::new(entries, reply.clone());
            (texts::PALETTE_TITLE.to_string(), 440.0, Box::new(app))
        }
        Request::Notice {
            title,
            text,
            seconds,
        } => {
            let height = text_height(&text) + 60.0;
            let app = TextApp {
                text,
                closes_at: Some(Instant::now() + Duration::from_secs(seconds)),
                first_frame: true,
            };
            (title, height, Box::new(app))
        }
    };
    let window_title = format!("genvej – {title}");
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(&window_title)
        .with_app_id("genvej")
        .with_inner_size([if list { list::WIDTH } else { WIDTH }, height.min(760.0)])
        .with_always_on_top();
    if notice {
        // A notice must not take the keyboard from the caseworker.
        viewport = viewport
            .with_active(false)
            .with_window_type(egui::X11WindowType::Notification);
    } else {
        viewport = viewport.with_active(true);
    }
    let options = eframe::NativeOptions {
        viewport,
        centered: !notice,
        ..Default::default()
    };
    eframe::run_native(
        &window_title,
        options,
        Box::new(move |_cc| {
            #[cfg(target_os = "linux")]
            if notice {
                genvej_desktop::x11::no_focus::apply(_cc);
            }
            Ok(app)
        }),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let reply = reply.borrow().clone();
    Ok(reply)
}

fn form_height(form: &genvej_engine::ports::Form) -> f32 {
    let fields: f32 = form
        .fields
        .iter()
        .map(|f| {
            let base = match f.kind {
                InputKind::Multiline => 130.0,
                InputKind::Checkbox => 30.0,
                _ => 64.0,
            };
            base + if f.help.is_some() { 18.0 } else { 0.0 }
        })
        .sum();
    fields + 90.0
}

fn text_height(text: &str) -> f32 {
    let lines: usize = text.lines().map(|l| l.chars().count() / 60 + 1).sum();
    (lines.max(1) as f32) * 18.0
}

fn field_id(index: usize) -> Id {
    Id::new(("genvej-field", index))
}

struct FormApp {
    state: FormState,
    reply: Rc<RefCell<Reply>>,
    first_frame: bool,
    /// A field to give the keyboard focus to in this frame.
    focus: Option<usize>,
    /// Each field's widget id as egui gave it in the last frame (a combo
    /// box's differs from the id it was made with).
    widget_ids: Vec<Option<Id>>,
}

impl FormApp {
    fn finish(&mut self, ctx: &egui::Context, reply: Reply) {
        *self.reply.borrow_mut() = reply;
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }

    fn submit(&mut self, ctx: &egui::Context) {
        match self.state.submit() {
            Submit::Answers(answers) => self.finish(ctx, Reply::Answered { answers }),
            Submit::Blocked { first } => self.focus = Some(first),
        }
    }

    fn focused_field(&self, ctx: &egui::Context) -> Option<usize> {
        let focused = ctx.memory(|m| m.focused())?;
        self.widget_ids.iter().position(|id| *id == Some(focused))
    }

    fn field(&mut self, ui: &mut egui::Ui, index: usize) {
        let state = &mut self.state.fields[index];
        if state.field.kind != InputKind::Checkbox {
            let label = if state.field.required {
                state.field.label.clone()
            } else {
                texts::optional(&state.field.label)
            };
            ui.label(RichText::new(label).strong());
        }
        if let Some(help) = &state.field.help {
            ui.label(RichText::new(help).weak().small());
        }
        let id = field_id(index);
        let response = match state.field.kind {
            InputKind::Multiline => ui.add(
                egui::TextEdit::multiline(&mut state.text)
                    .id(id)
                    .desired_rows(4)
                    .desired_width(f32::INFINITY),
            ),
            InputKind::Checkbox => {
                let text = state.field.label.clone();
                ui.push_id(id, |ui| ui.checkbox(&mut state.checked, text))
                    .inner
            }
            InputKind::Choice => {
                let shown = if state.text.is_empty() {
                    texts::CHOOSE.to_string()
                } else {
                    state.text.clone()
                };
                let choices = state.field.choices.clone();
                let combo = egui::ComboBox::from_id_salt(id)
                    .selected_text(shown)
                    .width(WIDTH - 40.0)
                    .show_ui(ui, |ui| {
                        for choice in &choices {
                            ui.selectable_value(&mut state.text, choice.clone(), choice);
                        }
                    });
                combo.response
            }
            kind => {
                let hint = match kind {
                    InputKind::Cpr => texts::CPR_HINT,
                    InputKind::Date => texts::DATE_HINT,
                    InputKind::Number => texts::NUMBER_HINT,
                    InputKind::Time => texts::TIME_HINT,
                    _ => "",
                };
                ui.add(
                    egui::TextEdit::singleline(&mut state.text)
                        .id(id)
                        .hint_text(hint)
                        .desired_width(f32::INFINITY),
                )
            }
        };
        self.widget_ids[index] = Some(response.id);
        if response.lost_focus() {
            state.touched = true;
        }
        if state.field.kind == InputKind::Cpr
            && state.text.chars().filter(char::is_ascii_digit).count() >= 10
        {
            state.touched = true;
        }
        if self.focus == Some(index) {
            response.request_focus();
            self.focus = None;
        }
        match self.state.note(index) {
            Some(FieldNote::Error(message)) => {
                ui.label(RichText::new(message).color(ERROR));
            }
            Some(FieldNote::Warning(message)) => {
                let message = if self.state.awaiting_acceptance(index) {
                    texts::accept_warning(&message)
                } else {
                    message
                };
                ui.label(RichText::new(message).color(WARNING));
            }
            Some(FieldNote::Hint(hint)) => {
                ui.label(RichText::new(hint).weak());
            }
            None => {}
        }
        ui.add_space(6.0);
    }
}

impl eframe::App for FormApp {
    /// Up/Down for dates and choices are handled here, before egui sees
    /// them: egui would move the focus with them, and when several keys
    /// arrive in one frame ("Tab Down Down") only the order tells which
    /// field they were meant for.
    fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        let mut keys = Vec::new();
        let mut positions = Vec::new();
        for (position, event) in raw_input.events.iter().enumerate() {
            if let egui::Event::Key {
                key,
                pressed: true,
                modifiers,
                ..
            } = event
            {
                let nav = match key {
                    Key::Tab if modifiers.shift => NavKey::Previous,
                    Key::Tab => NavKey::Next,
                    Key::ArrowUp if modifiers.is_none() => NavKey::Up,
                    Key::ArrowDown if modifiers.is_none() => NavKey::Down,
                    _ => continue,
                };
                keys.push(nav);
                positions.push(position);
            }
        }
        if keys.is_empty() {
            return;
        }
        let used = self.state.apply_keys(self.focused_field(ctx), &keys);
        let drop: Vec<usize> = positions
            .into_iter()
            .zip(used)
            .filter_map(|(position, used)| used.then_some(position))
            .collect();
        let mut index = 0;
        raw_input.events.retain(|_| {
            let keep = !drop.contains(&index);
            index += 1;
            keep
        });
    }

    fn update(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        if self.first_frame {
            self.first_frame = false;
            self.focus = Some(0);
            ctx.set_visuals(egui::Visuals::light());
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        }
        if ctx.input(|i| i.viewport().close_requested()) {
            // Our own Close after an answer arrives here too; only a close
            // from the window manager (the × button) is a cancel.
            let mut reply = self.reply.borrow_mut();
            if *reply == Reply::Closed {
                *reply = Reply::Cancelled;
            }
            return;
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            self.finish(ctx, Reply::Cancelled);
            return;
        }
        let in_multiline = self
            .focused_field(ctx)
            .is_some_and(|i| self.state.fields[i].field.kind == InputKind::Multiline);
        let enter = ctx.input_mut(|i| {
            i.consume_key(Modifiers::CTRL, Key::Enter)
                || (!in_multiline && i.consume_key(Modifiers::NONE, Key::Enter))
        });
        let mut ok = false;
        let mut cancel = false;
        egui::CentralPanel::default().show(ctx, |ui| {
            ui.heading(&self.state.title);
            ui.add_space(8.0);
            egui::ScrollArea::vertical()
                .max_height(ui.available_height() - 44.0)
                .show(ui, |ui| {
                    for index in 0..self.state.fields.len() {
                        self.field(ui, index);
                    }
                });
            ui.separator();
            ui.horizontal(|ui| {
                ok = ui.button(RichText::new(texts::OK).strong()).clicked();
                cancel = ui.button(texts::CANCEL).clicked();
                ui.label(RichText::new(texts::FORM_KEYS).weak().small());
            });
        });
        if cancel {
            self.finish(ctx, Reply::Cancelled);
        } else if ok || enter {
            self.submit(ctx);
        }
    }
}

/// A message with an OK button, or a notice that closes by itself.
struct TextApp {
    text: String,
    closes_at: Option<Instant>,
    first_frame: bool,
}

impl eframe::App for TextApp {
    fn update(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        if self.first_frame {
            ctx.set_visuals(egui::Visuals::light());
            if self.closes_at.is_none() {
                ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
            } else if let Some(monitor) = ctx.input(|i| i.viewport().monitor_size) {
                // Notices sit in the top-right corner, out of the way.
                let x = (monitor.x - WIDTH - 16.0).max(0.0);
                ctx.send_viewport_cmd(egui::ViewportCommand::OuterPosition(egui::pos2(x, 16.0)));
            }
        }
        self.first_frame = false;
        let keys = ctx.input_mut(|i| {
            i.consume_key(Modifiers::NONE, Key::Enter)
                || i.consume_key(Modifiers::NONE, Key::Escape)
        });
        let mut close = keys;
        egui::CentralPanel::default().show(ctx, |ui| {
            ui.label(RichText::new(&self.text).size(15.0));
            ui.add_space(10.0);
            if self.closes_at.is_none() {
                close |= ui.button(texts::OK).clicked();
            }
        });
        if let Some(at) = self.closes_at {
            let left = at.saturating_duration_since(Instant::now());
            if left.is_zero() {
                close = true;
            } else {
                ctx.request_repaint_after(left);
            }
        }
        if close {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}
