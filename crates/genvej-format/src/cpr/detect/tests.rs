//! Every way a CPR number has been (or could be) written, and the digit
//! runs that must stay readable.

use super::*;

/// Each form of 070761-4285 (and its neighbours) that must be masked.
const MASKED: &[(&str, &str)] = &[
    ("no separator", "0707614285"),
    ("space", "070761 4285"),
    ("dash", "070761-4285"),
    ("en dash", "070761\u{2013}4285"),
    ("em dash", "070761\u{2014}4285"),
    ("minus sign", "070761\u{2212}4285"),
    ("hyphen", "070761\u{2010}4285"),
    ("non-breaking hyphen", "070761\u{2011}4285"),
    ("full-width hyphen", "070761\u{FF0D}4285"),
    ("dot", "070761.4285"),
    ("underscore", "070761_4285"),
    ("slash", "070761/4285"),
    ("plus (query strings)", "070761+4285"),
    ("non-breaking space", "070761\u{00A0}4285"),
    ("narrow non-breaking space", "070761\u{202F}4285"),
    ("tab", "070761\t4285"),
    ("several spaces", "070761      4285"),
    ("space dash space", "070761 - 4285"),
    ("line break", "070761\n4285"),
    ("CR LF", "070761\r\n4285"),
    ("escaped line break", "070761\\n4285"),
    ("zero-width space", "070761\u{200B}4285"),
    ("zero-width space inside the date", "0707\u{200B}614285"),
    ("soft hyphen inside the serial", "07076142\u{00AD}85"),
    ("%20", "070761%204285"),
    ("%2D", "070761%2D4285"),
    ("%2d", "070761%2d4285"),
    ("%2B", "070761%2B4285"),
    ("%C2%A0", "070761%C2%A04285"),
    ("%E2%80%93", "070761%E2%80%934285"),
    ("%e2%80%93", "070761%e2%80%934285"),
    (
        "percent-encoded digits",
        "%30%37%30%37%36%31%2D%34%32%38%35",
    ),
    ("percent-encoded serial", "070761-%34%32%38%35"),
    (
        "full-width digits",
        "\u{FF10}\u{FF17}\u{FF10}\u{FF17}\u{FF16}\u{FF11}\u{FF0D}\u{FF14}\u{FF12}\u{FF18}\u{FF15}",
    ),
    ("JSON escape", "070761\\u20134285"),
    (
        "JSON-escaped digits",
        "\\u0030\\u0037\\u0030\\u0037\\u0036\\u0031\\u0034\\u0032\\u0038\\u0035",
    ),
    ("Rust debug escape", "070761\\u{a0}4285"),
    ("dotted date", "07.07.61-4285"),
    ("dashed date", "07-07-61-4285"),
    ("spaced date", "07 07 61 4285"),
    ("digit glued before", "10707614285"),
    ("digits glued after", "07076142852026"),
    ("inside a word", "borger070761-4285aktiv"),
    ("in JSON", r#"{"cpr":"0707614285","navn":"A"}"#),
    ("in a query string", "/borger?cpr=070761-4285&aar=2026"),
    ("in a file name with a date", "X 07076142852026-12-06.pdf"),
    ("in a file name with underscore", "X 070761_4285.pdf"),
    ("no valid check digit", "010190-2001"),
    ("a date that does not exist", "310299-1234"),
];

#[test]
fn every_form_of_a_cpr_number_is_masked() {
    for (form, text) in MASKED {
        assert!(contains_cpr(text), "{form}: {text:?} not detected");
        let masked = redact(text);
        assert!(
            masked.contains("-XXXX"),
            "{form}: {text:?} became {masked:?}"
        );
        assert!(
            !contains_cpr(&masked),
            "{form}: {masked:?} still holds a number"
        );
        for serial in ["4285", "2001", "1234"] {
            assert!(
                !masked.contains(serial),
                "{form}: {masked:?} shows the serial"
            );
        }
    }
}

#[test]
fn masking_keeps_the_text_around_and_shows_the_date() {
    let cases = [
        ("a 070761-4285 b", "a 070761-XXXX b"),
        ("0707614285,010190 2001.", "070761-XXXX,010190-XXXX."),
        ("10707614285", "1070761-XXXX"),
        ("X 07076142852026-12-06.pdf", "X 070761-XXXX2026-12-06.pdf"),
        ("/b?cpr=070761%2D4285&x=1", "/b?cpr=070761-XXXX&x=1"),
        ("Fasit – 070761–4285 æøå", "Fasit – 070761-XXXX æøå"),
    ];
    for (text, expected) in cases {
        assert_eq!(redact(text), expected, "{text:?}");
    }
}

#[test]
fn two_numbers_in_a_row_are_both_masked() {
    assert_eq!(redact("0707614285 0101902001"), "070761-XXXX 010190-XXXX");
    assert_eq!(redact("07076142850101902001"), "070761-XXXX010190-XXXX");
    let masked = redact("0707614285\u{2013}0707614285\n0707614285");
    assert_eq!(masked.matches("070761-XXXX").count(), 3, "{masked}");
}

#[test]
fn digit_runs_that_cannot_be_a_cpr_number_stay_readable() {
    for text in [
        "2026-12-06T23:13:10.123456Z INFO run finished in 1234 ms",
        "ordre 9999999999",
        "tlf. 12 34 56 78",
        "321299-1234",       // day 32
        "011399-1234",       // month 13
        "000190-1234",       // day 00
        "070761-428",        // nine digits
        "070761       4285", // more separators than MAX_GAP
        "070761:4285",       // a colon is not a separator
        "100%",
        "\\u00",
        "%E2%80",
        "ends with a backslash \\",
        "0707",
    ] {
        assert_eq!(redact(text), text, "{text:?}");
        assert!(!contains_cpr(text), "{text:?}");
    }
}

#[test]
fn odd_input_never_panics() {
    for text in [
        "%",
        "%%",
        "%F4%8F%BF%BF",
        "%FF%FF",
        "\\u{110000}0707614285",
        "\\u{",
        "\\u{12345678901}",
        "\u{FF10}",
        "0\u{FF10}0\u{FF10}0\u{FF10}0\u{FF10}0\u{FF10}",
    ] {
        let _ = redact(text);
        let _ = contains_cpr(text);
    }
}
