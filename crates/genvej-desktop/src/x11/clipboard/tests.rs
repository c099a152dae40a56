use super::serve::*;
use super::*;

fn atoms() -> Atoms {
    Atoms {
        CLIPBOARD: 100,
        TARGETS: 101,
        TIMESTAMP: 102,
        MULTIPLE: 103,
        ATOM_PAIR: 104,
        INCR: 105,
        UTF8_STRING: 106,
        TEXT: 107,
        COMPOUND_TEXT: 108,
        TEXT_PLAIN_UTF8: 109,
        PASSWORD_MANAGER_HINT: 113,
        GENVEJ_SELECTION: 110,
        GENVEJ_TIMESTAMP: 111,
        GENVEJ_STOP: 112,
    }
}

fn owned(text: &str) -> Owned {
    Owned {
        text: Arc::from(text),
        latin1: encode_latin1(text).map(Arc::from),
        time: 5,
        acquired_seq: 1,
        generation: 1,
        sensitivity: Sensitivity::Ordinary,
    }
}

fn text_payload(payload: Option<Payload>) -> Option<(Atom, Vec<u8>)> {
    match payload? {
        Payload::Text { ty, bytes } => Some((ty, bytes.to_vec())),
        Payload::Note { ty, bytes } => Some((ty, bytes.to_vec())),
        Payload::Words { .. } => None,
    }
}

fn words_payload(payload: Option<Payload>) -> Option<(Atom, Vec<u32>)> {
    match payload? {
        Payload::Words { ty, words } => Some((ty, words)),
        Payload::Text { .. } | Payload::Note { .. } => None,
    }
}

#[test]
fn timestamps_compare_across_wraparound() {
    assert!(not_before(10, 5));
    assert!(not_before(5, 5));
    assert!(!not_before(4, 5));
    assert!(not_before(3, u32::MAX - 3));
    assert!(!not_before(u32::MAX - 3, 3));
}

#[test]
fn latin1_only_when_every_character_fits() {
    assert_eq!(
        encode_latin1("Ærø § ½"),
        Some(b"\xc6r\xf8 \xa7 \xbd".to_vec())
    );
    assert_eq!(encode_latin1("€"), None);
    assert_eq!(encode_latin1("✓"), None);
}

#[test]
fn string_is_offered_only_for_latin1_text() {
    let atoms = atoms();
    let string = Atom::from(AtomEnum::STRING);
    let latin = words_payload(convert(&atoms, &owned("æøå"), atoms.TARGETS));
    assert!(latin.is_some_and(|(_, targets)| targets.contains(&string)));
    let emoji = words_payload(convert(&atoms, &owned("🙂"), atoms.TARGETS));
    assert!(emoji.is_some_and(|(_, targets)| !targets.contains(&string)));
    assert!(convert(&atoms, &owned("🙂"), string).is_none());
}

#[test]
fn only_a_paste_is_marked_secret_for_clipboard_managers() {
    let atoms = atoms();
    let hint = atoms.PASSWORD_MANAGER_HINT;
    let ordinary = owned("Kære Jens");
    let targets = words_payload(convert(&atoms, &ordinary, atoms.TARGETS));
    assert!(targets.is_some_and(|(_, targets)| !targets.contains(&hint)));
    assert!(convert(&atoms, &ordinary, hint).is_none());

    let paste = Owned {
        sensitivity: Sensitivity::Secret,
        ..owned("Kære Jens")
    };
    let targets = words_payload(convert(&atoms, &paste, atoms.TARGETS));
    assert!(targets.is_some_and(|(_, targets)| targets.contains(&hint)));
    assert_eq!(
        text_payload(convert(&atoms, &paste, hint)),
        Some((hint, b"secret".to_vec()))
    );
}

#[test]
fn text_target_prefers_string_then_utf8() {
    let atoms = atoms();
    let string = Atom::from(AtomEnum::STRING);
    assert_eq!(
        text_payload(convert(&atoms, &owned("ø"), atoms.TEXT)),
        Some((string, vec![0xf8]))
    );
    assert_eq!(
        text_payload(convert(&atoms, &owned("€"), atoms.TEXT)),
        Some((atoms.UTF8_STRING, "€".as_bytes().to_vec()))
    );
    assert!(convert(&atoms, &owned("x"), 999).is_none());
}

#[test]
fn decodes_textual_types_only() {
    let atoms = atoms();
    let data = |ty, format, bytes: &[u8]| PropertyData {
        ty,
        format,
        bytes: bytes.to_vec(),
    };
    let string = Atom::from(AtomEnum::STRING);
    let utf8 = decode_text(&atoms, &data(atoms.UTF8_STRING, 8, "æ 🙂".as_bytes()));
    assert_eq!(utf8.as_deref(), Some("æ 🙂"));
    let latin1 = decode_text(&atoms, &data(string, 8, b"\xe6\xf8\xe5"));
    assert_eq!(latin1.as_deref(), Some("æøå"));
    let compound = decode_text(&atoms, &data(atoms.COMPOUND_TEXT, 8, b"\xe6"));
    assert_eq!(compound.as_deref(), Some("æ"));
    assert_eq!(
        decode_text(&atoms, &data(atoms.COMPOUND_TEXT, 8, b"\x1b$)A")),
        None
    );
    assert_eq!(
        decode_text(&atoms, &data(atoms.UTF8_STRING, 32, b"abcd")),
        None
    );
    assert_eq!(decode_text(&atoms, &data(999, 8, b"png")), None);
}
