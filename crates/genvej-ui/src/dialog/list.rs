//! The two windows that list every script: the cheat sheet (the tray's
//! "Vis alle genveje", to look things up) and the command palette
//! (`agent.palette_hotkey`, to run one). Both search as you type (see
//! [`crate::search`]) and draw the same table, whose columns have fixed
//! widths: they do not jump while the list is filtered.
//!
//! The palette is keyboard first: the search field has the focus, the
//! arrow keys move the choice, Enter runs it, Escape closes without running
//! anything; a click on a line runs that script.

use std::cell::RefCell;
use std::rc::Rc;

use eframe::egui::{self, Align, Color32, Key, Layout, Modifiers, RichText, Sense, UiBuilder};

use super::Reply;
use crate::search::ranked;
use crate::texts;
use crate::tray::TrayEntry;

/// Both windows' width: room for the four columns.
pub const WIDTH: f32 = 760.0;
const NAME: f32 = 210.0;
const CATEGORY: f32 = 120.0;
const KEYS: f32 = 150.0;
const GAP: f32 = 12.0;
const ROW: f32 = 24.0;
const SELECTED: Color32 = Color32::from_rgb(0xc8, 0xdc, 0xf5);
const STRIPE: Color32 = Color32::from_rgb(0xf2, 0xf2, 0xf2);

/// What a table line says in each column.
fn keys_of(entry: &TrayEntry) -> String {
    std::iter::once(entry.chord.as_str())
        .chain(entry.hotstrings.iter().map(String::as_str))
        .filter(|k| !k.is_empty())
        .collect::<Vec<_>>()
        .join("  ·  ")
}

/// One text in a column of fixed width, cut with "…" when it is longer.
fn cell(ui: &mut egui::Ui, rect: egui::Rect, text: RichText) {
    let mut child = ui.new_child(
        UiBuilder::new()
            .max_rect(rect)
            .layout(Layout::left_to_right(Align::Center)),
    );
    child.set_clip_rect(rect.intersect(ui.clip_rect()));
    child.add(egui::Label::new(text).truncate().selectable(false));
}

/// The columns' left edges and widths in a line `rect`: name, category,
/// description (what is left), keys.
fn columns(rect: egui::Rect) -> [egui::Rect; 4] {
    let description = (rect.width() - NAME - CATEGORY - KEYS - 4.0 * GAP).max(40.0);
    let widths = [NAME, CATEGORY, description, KEYS];
    let mut x = rect.left() + GAP / 2.0;
    widths.map(|width| {
        let column = egui::Rect::from_min_size(egui::pos2(x, rect.top()), egui::vec2(width, ROW));
        x += width + GAP;
        column
    })
}

fn header(ui: &mut egui::Ui) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(ui.available_width(), ROW), Sense::hover());
    let titles = texts::LIST_COLUMNS.map(|t| RichText::new(t).weak().small());
    for (column, title) in columns(rect).into_iter().zip(titles) {
        cell(ui, column, title);
    }
}

/// Draws the lines; returns the line clicked, if any. `selected` is
/// highlighted and scrolled into view when `scroll` is set.
fn table(
    ui: &mut egui::Ui,
    shown: &[&TrayEntry],
    selected: Option<usize>,
    scroll: bool,
) -> Option<usize> {
    let mut clicked = None;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (index, entry) in shown.iter().enumerate() {
                let (rect, response) =
                    ui.allocate_exact_size(egui::vec2(ui.available_width(), ROW), Sense::click());
                if selected == Some(index) {
                    ui.painter().rect_filled(rect, 3.0, SELECTED);
                    if scroll {
                        response.scroll_to_me(None);
                    }
                } else if index % 2 == 1 {
                    ui.painter().rect_filled(rect, 0.0, STRIPE);
                }
                let mut name = entry.name.clone();
                if let Some(version) = entry.version_label() {
                    name.push_str(&format!("  ({version})"));
                }
                let [name_column, category, description, keys] = columns(rect);
                cell(ui, name_column, RichText::new(name).strong());
                cell(ui, category, RichText::new(&entry.category));
                cell(ui, description, RichText::new(&entry.description).small());
                cell(ui, keys, RichText::new(keys_of(entry)).monospace());
                if response.clicked() {
                    clicked = Some(index);
                }
            }
        });
    clicked
}

/// The search field, with the focus in the first frame.
fn search_field(ui: &mut egui::Ui, filter: &mut String, hint: &str, first: bool) {
    let search = ui.add(
        egui::TextEdit::singleline(filter)
            .hint_text(hint)
            .desired_width(f32::INFINITY),
    );
    if first || !search.has_focus() {
        search.request_focus();
    }
}

/// The dialogs' colours.
pub(super) fn light(ctx: &egui::Context) {
    ctx.set_visuals(egui::Visuals::light());
}

fn first_frame(ctx: &egui::Context) {
    light(ctx);
    ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
}

/// Every hot key in a table, filtered as you type.
pub struct CheatSheetApp {
    pub entries: Vec<TrayEntry>,
    pub filter: String,
    pub first_frame: bool,
}

impl eframe::App for CheatSheetApp {
    fn update(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let first = std::mem::take(&mut self.first_frame);
        if first {
            first_frame(ctx);
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        egui::CentralPanel::default().show(ctx, |ui| {
            search_field(ui, &mut self.filter, texts::SEARCH, first);
            ui.add_space(6.0);
            let shown = ranked(&self.entries, &self.filter);
            ui.label(
                RichText::new(texts::shown_of(shown.len(), self.entries.len()))
                    .weak()
                    .small(),
            );
            header(ui);
            table(ui, &shown, None, false);
        });
    }
}

/// The command palette's content: the search, the list and the choice.
/// Drawn by [`PaletteApp`] (a window of its own, closed after the choice)
/// and by the palette kept ready (`super::ready`, hidden after the choice).
pub struct PaletteView {
    entries: Vec<TrayEntry>,
    filter: String,
    /// The filter the choice was made under: a new filter chooses the first line again.
    chosen_under: String,
    selected: usize,
    /// The search field takes the keyboard in the next frame.
    focus_search: bool,
}

impl PaletteView {
    pub fn new(entries: Vec<TrayEntry>) -> PaletteView {
        PaletteView {
            entries,
            filter: String::new(),
            chosen_under: String::new(),
            selected: 0,
            focus_search: true,
        }
    }

    /// Starts over with these scripts: an empty search, the first line chosen.
    pub fn reset(&mut self, entries: Vec<TrayEntry>) {
        *self = PaletteView::new(entries);
    }

    /// Draws one frame; the caseworker's answer when there is one: the
    /// script chosen (Enter, a click) or [`Reply::Closed`] (Escape).
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Reply> {
        // Taken before the search field sees them: there they would move
        // the cursor or end the editing.
        let (escape, enter, up, down) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::Escape),
                i.consume_key(Modifiers::NONE, Key::Enter),
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
            )
        });
        if escape {
            return Some(Reply::Closed);
        }
        let first = std::mem::take(&mut self.focus_search);
        let mut clicked = None;
        egui::CentralPanel::default().show(ctx, |ui| {
            search_field(ui, &mut self.filter, texts::PALETTE_SEARCH, first);
            if self.filter != self.chosen_under {
                self.chosen_under = self.filter.clone();
                self.selected = 0;
            }
            let shown = ranked(&self.entries, &self.filter);
            let last = shown.len().saturating_sub(1);
            if down {
                self.selected = (self.selected + 1).min(last);
            }
            if up {
                self.selected = self.selected.saturating_sub(1);
            }
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(texts::shown_of(shown.len(), self.entries.len()))
                        .weak()
                        .small(),
                );
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    ui.label(RichText::new(texts::PALETTE_KEYS).weak().small());
                });
            });
            header(ui);
            let selected = (!shown.is_empty()).then_some(self.selected);
            if let Some(index) = table(ui, &shown, selected, up || down) {
                clicked = shown.get(index).map(|e| e.id.clone());
            }
            if enter && clicked.is_none() {
                clicked = shown.get(self.selected).map(|e| e.id.clone());
            }
        });
        clicked.map(|id| Reply::Chosen { id })
    }
}

/// The command palette in a window of its own: choose a script to run.
pub struct PaletteApp {
    view: PaletteView,
    first_frame: bool,
    reply: Rc<RefCell<Reply>>,
}

impl PaletteApp {
    pub fn new(entries: Vec<TrayEntry>, reply: Rc<RefCell<Reply>>) -> PaletteApp {
        PaletteApp {
            view: PaletteView::new(entries),
            first_frame: true,
            reply,
        }
    }
}

impl eframe::App for PaletteApp {
    fn update(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        if std::mem::take(&mut self.first_frame) {
            first_frame(ctx);
        }
        if ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        if let Some(reply) = self.view.show(ctx) {
            *self.reply.borrow_mut() = reply;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_depend_on_the_window_alone_never_on_what_is_shown() {
        let line = egui::Rect::from_min_size(egui::pos2(8.0, 100.0), egui::vec2(740.0, ROW));
        let [name, category, description, keys] = columns(line);
        assert_eq!(name.width(), NAME);
        assert_eq!(category.width(), CATEGORY);
        assert_eq!(keys.width(), KEYS);
        assert_eq!(
            description.width(),
            740.0 - NAME - CATEGORY - KEYS - 4.0 * GAP
        );
        assert!(name.right() < category.left() && description.right() < keys.left());
        assert!(keys.right() <= line.right());
        // Another line further down: the same columns.
        let below = columns(line.translate(egui::vec2(0.0, ROW)));
        assert_eq!(
            below.map(|c| (c.left(), c.width())),
            [name, category, description, keys].map(|c| (c.left(), c.width()))
        );
    }
}
