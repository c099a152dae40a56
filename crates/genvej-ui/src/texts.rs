//! The Danish words of the dialogs, in one place: labels, hints, buttons and
//! the cheat sheet's search. What a field's check says comes from the
//! script language (`genvej_format::input_value`), a failed run's text from
//! the engine.

pub const CHEAT_SHEET_TITLE: &str = "Alle genveje";
pub const CHOOSE: &str = "— vælg —";
pub const OK: &str = "  OK  ";
pub const CANCEL: &str = "Annuller";
pub const FORM_KEYS: &str = "Enter: OK · Esc: annuller";
pub const SEARCH: &str = "Søg i genvejene …";
pub const CPR_HINT: &str = "DDMMÅÅ-XXXX";
pub const DATE_HINT: &str = "dd-mm-åååå  (↑/↓ skifter dag)";
pub const NUMBER_HINT: &str = "fx 12 eller 12,5";

/// The label of a field the caseworker may leave empty.
pub fn optional(label: &str) -> String {
    format!("{label} (valgfri)")
}

/// A warning the caseworker may accept by pressing Enter once more.
pub fn accept_warning(message: &str) -> String {
    format!("{message}. Tryk Enter igen for at bruge det alligevel.")
}

/// The cheat sheet's count: "3 af 12 genveje".
pub fn shown_of(shown: usize, all: usize) -> String {
    format!("{shown} af {all} genveje")
}

/// The hint under a valid CPR number: the birth date it holds.
pub fn born(date: &str) -> String {
    format!("født {date}")
}
