use super::*;

fn bits() -> ModifierBits {
    ModifierBits {
        alt: 0x08,
        super_key: 0x40,
        num_lock: 0x10,
        scroll_lock: 0,
    }
}

#[test]
fn chord_masks_use_the_servers_bits() {
    let m = Modifiers {
        ctrl: true,
        alt: true,
        shift: false,
        super_key: false,
    };
    assert_eq!(bits().mask_of(m), 0x04 | 0x08);
    let m = Modifiers {
        ctrl: false,
        alt: false,
        shift: true,
        super_key: true,
    };
    assert_eq!(bits().mask_of(m), 0x01 | 0x40);
    assert_eq!(bits().mask_of(Modifiers::default()), 0);
}

#[test]
fn every_lock_combination_is_grabbed() {
    assert_eq!(bits().lock_variants(), vec![0, 0x02, 0x10, 0x12]);
    let with_scroll = ModifierBits {
        scroll_lock: 0x20,
        ..bits()
    };
    assert_eq!(with_scroll.lock_variants().len(), 8);
    let unmapped = ModifierBits {
        num_lock: 0,
        ..bits()
    };
    assert_eq!(unmapped.lock_variants(), vec![0, 0x02]);
}

#[test]
fn matching_ignores_locks_and_altgr() {
    let chord = Chord::parse("Ctrl+Alt+B").expect("valid chord");
    let table = GrabTable {
        chords: HashMap::from([((56, 0x0c), chord)]),
        relevant: bits().relevant(),
        lock_variants: bits().lock_variants(),
        ..GrabTable::default()
    };
    assert_eq!(table.chord_for(56, 0x0c), Some(chord));
    assert_eq!(table.chord_for(56, 0x0c | 0x02 | 0x10 | 0x80), Some(chord));
    assert_eq!(table.chord_for(56, 0x0c | 0x01), None);
    assert_eq!(table.chord_for(57, 0x0c), None);
}

#[test]
fn repeat_pairs_share_keycode_and_timestamp() {
    let event = |detail, time| KeyPressEvent {
        detail,
        time,
        ..KeyPressEvent::default()
    };
    assert!(is_auto_repeat(&event(56, 1000), &event(56, 1000)));
    assert!(!is_auto_repeat(&event(56, 1000), &event(56, 1040)));
    assert!(!is_auto_repeat(&event(56, 1000), &event(57, 1000)));
}

#[test]
fn conflict_message_names_the_chord() {
    let chord = Chord::parse("Ctrl+Alt+B").expect("valid chord");
    assert_eq!(
        GrabError::Taken { chord }.to_string(),
        "Ctrl+Alt+B is already taken by another program"
    );
}
