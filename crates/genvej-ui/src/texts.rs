//! The Danish words of the dialogs and the tray, in one place: labels,
//! hints, buttons, the cheat sheet's search, the tray's menu and tooltip. What a field's check says comes from the
//! script language (`genvej_format::input_value`), a failed run's text from
//! the engine.

pub const CHEAT_SHEET_TITLE: &str = "Alle genveje";
pub const CHOOSE: &str = "— vælg —";
pub const OK: &str = "  OK  ";
pub const CANCEL: &str = "Annuller";
pub const FORM_KEYS: &str = "Enter: OK · Esc: annuller";
pub const SEARCH: &str = "Søg i genvejene …";
pub const PALETTE_TITLE: &str = "Kør en genvej";
pub const PALETTE_SEARCH: &str = "Skriv for at søge, fx plan eller journal …";
/// Words, not arrow glyphs: the dialog's font has no arrows.
pub const PALETTE_KEYS: &str = "Pil op/ned: vælg · Enter: kør · Esc: luk";
/// The column titles of the cheat sheet and the palette.
pub const LIST_COLUMNS: [&str; 4] = ["Genvej", "Kategori", "Beskrivelse", "Taster"];
pub const CPR_HINT: &str = "DDMMÅÅ-XXXX";
pub const DATE_HINT: &str = "dd-mm-åååå  (pil op/ned skifter dag)";
pub const NUMBER_HINT: &str = "fx 12 eller 12,5";
pub const TIME_HINT: &str = "tt:mm, fx 09:30";

/// The label of a field the caseworker may leave empty; a label that
/// already says so («Næste opfølgning (valgfri)») is left as it is.
pub fn optional(label: &str) -> String {
    if label.to_lowercase().contains("valgfri") {
        label.to_string()
    } else {
        format!("{label} (valgfri)")
    }
}

/// A warning the caseworker may accept by pressing Enter once more.
pub fn accept_warning(message: &str) -> String {
    format!("{message}. Tryk Enter igen for at bruge det alligevel.")
}

/// The cheat sheet's count: "3 af 12 genveje".
pub fn shown_of(shown: usize, all: usize) -> String {
    format!("{shown} af {all} genveje")
}

/// A script's version beside its name in the cheat sheet.
pub fn version(version: &str) -> String {
    format!("version {version}")
}

/// The hint under a valid CPR number: the birth date it holds.
pub fn born(date: &str) -> String {
    format!("født {date}")
}

// The tray's menu.
pub const OTHER_CATEGORY: &str = "Genveje";
pub const RESUME: &str = "Genoptag genveje";
pub const PAUSE: &str = "Sæt genveje på pause";
pub const CHEAT_SHEET: &str = "Vis alle genveje …";
pub const RELOAD: &str = "Genindlæs scripts";
pub const OPEN_LOG_FOLDER: &str = "Åbn logmappen";
pub const OPEN_REPORT: &str = "Rapport over sparet tid";
pub const CANCEL_MEASURING: &str = "Annullér måling";
pub const MEASURE: &str = "Mål manuel tid for: …";
pub const ABOUT: &str = "Om genvej";
pub const QUIT: &str = "Afslut genvej";

pub fn stop_measuring(name: &str) -> String {
    format!("Stop måling af «{name}»")
}

/// The tray's tooltip and status line: "genvej — 23 genveje aktive",
/// "genvej — pauset", "… fejl i 1 script", "… — måler manuel tid: X".
pub fn tray_status(
    paused: bool,
    scripts: usize,
    script_errors: usize,
    measuring: Option<&str>,
) -> String {
    let mut text = if paused {
        "genvej — pauset".to_string()
    } else {
        let word = if scripts == 1 { "genvej" } else { "genveje" };
        format!("genvej — {scripts} {word} aktive")
    };
    if script_errors > 0 {
        let word = if script_errors == 1 {
            "script"
        } else {
            "scripts"
        };
        text.push_str(&format!(", fejl i {script_errors} {word}"));
    }
    if let Some(name) = measuring {
        text.push_str(&format!(" — måler manuel tid: {name}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use eframe::egui;

    #[test]
    fn an_optional_label_says_valgfri_once() {
        assert_eq!(optional("Næste opfølgning"), "Næste opfølgning (valgfri)");
        assert_eq!(
            optional("Næste opfølgning (valgfri)"),
            "Næste opfølgning (valgfri)"
        );
        assert_eq!(optional("Bemærkning, Valgfri"), "Bemærkning, Valgfri");
    }

    /// Every word genvej itself draws in a dialog has its glyphs in the
    /// dialog's fonts (egui's defaults): an arrow once showed as an empty box.
    #[test]
    fn the_dialog_fonts_have_every_character_of_genvejs_own_texts() {
        let ctx = egui::Context::default();
        let _ = ctx.run(egui::RawInput::default(), |_| {});
        let texts = [
            CHEAT_SHEET_TITLE.to_string(),
            CHOOSE.into(),
            OK.into(),
            CANCEL.into(),
            FORM_KEYS.into(),
            SEARCH.into(),
            PALETTE_TITLE.into(),
            PALETTE_SEARCH.into(),
            PALETTE_KEYS.into(),
            LIST_COLUMNS.join(" "),
            CPR_HINT.into(),
            DATE_HINT.into(),
            NUMBER_HINT.into(),
            TIME_HINT.into(),
            optional("Næste opfølgning"),
            accept_warning("Datoen er i fortiden"),
            shown_of(3, 12),
            version("1.0"),
            born("7. juli 1961"),
            "æøåÆØÅ «» – — … · é ü ß €".into(),
        ];
        for text in texts {
            for font in [
                egui::FontId::proportional(14.0),
                egui::FontId::monospace(14.0),
            ] {
                let missing: String = ctx.fonts(|fonts| {
                    text.chars()
                        .filter(|&c| !c.is_whitespace() && !fonts.has_glyph(&font, c))
                        .collect()
                });
                assert_eq!(missing, "", "{text:?} in {font:?}");
            }
        }
        let arrows_drawable =
            ctx.fonts(|fonts| fonts.has_glyph(&egui::FontId::proportional(14.0), '↑'));
        // If egui's fonts ever gain the arrows, the hint may use them again.
        assert!(!arrows_drawable || DATE_HINT.contains("pil"));
    }
}
