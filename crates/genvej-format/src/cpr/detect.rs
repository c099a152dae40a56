//! The one CPR detector: finds anything that could be a CPR number in a
//! text, however it is written, so logs, notices, dry runs, document file
//! names and usage records can mask or refuse it.
//!
//! It errs on the side of masking (a false positive costs a readable digit
//! run, a false negative leaks a citizen's number): any ten digits whose
//! first six could be a date (`DD` 01–31, `MM` 01–12, any `YY`) count,
//! whatever the check digit, whether or not the date exists, and whatever
//! stands around them — digits glued on either side (`10707614285`), inside
//! words, in JSON or query strings.
//!
//! What counts as a digit: ASCII and full-width digits, also written
//! percent-encoded (`%30`, `%EF%BC%90`) or as a `\u0030` escape.
//! Between the date pairs and before the serial (`DD·MM·YY·SSSS`) up to
//! [`MAX_GAP`] separators may stand: any white space (also non-breaking
//! spaces and line breaks, so a number split over two lines is masked too),
//! `-` `.` `_` `/` `+`, every dash and minus sign, and their percent-encoded
//! (`%20`, `%2D`, `%E2%80%93`) or escaped (`\n`, `\u2013`) forms. Invisible
//! characters (zero-width space, soft hyphen, BOM) are skipped anywhere.
//! Not covered (documented limits): separators inside the serial
//! (`070761-42 85`), double percent-encoding, HTML entities.

/// Separators allowed at one place (`070761 - 4285` has three).
pub const MAX_GAP: usize = 6;

/// What one unit of text (a character, a `%XX` sequence or an escape) is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Digit(u8),
    Separator,
    /// Skipped wherever it stands (zero-width characters).
    Invisible,
    Other,
}

/// Masks every possible CPR number: the matched text becomes
/// `DDMMYY-XXXX` (the date kept, the serial hidden). Runs on every log
/// line, notice, dry-run action and usage record.
pub fn redact(text: &str) -> String {
    if !could_hold_one(text) {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut pos = 0;
    while pos < bytes.len() {
        if starts_digit_unit(bytes[pos]) {
            if let Some((end, date)) = match_at(text, pos) {
                out.push_str(&text[copied..pos]);
                out.extend(date.iter().map(|&d| char::from(b'0' + d)));
                out.push_str("-XXXX");
                copied = end;
                pos = end;
                continue;
            }
        }
        pos += char_len(bytes[pos]);
    }
    out.push_str(&text[copied..]);
    out
}

/// Whether the text holds anything [`redact`] would mask (the document
/// file-name guard).
pub fn contains_cpr(text: &str) -> bool {
    if !could_hold_one(text) {
        return false;
    }
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        if starts_digit_unit(bytes[pos]) && match_at(text, pos).is_some() {
            return true;
        }
        pos += char_len(bytes[pos]);
    }
    false
}

/// A quick no: every digit unit has at least one ASCII digit byte or a
/// full-width lead byte (0xEF), and a CPR number needs ten units.
fn could_hold_one(text: &str) -> bool {
    text.bytes()
        .filter(|b| b.is_ascii_digit() || *b == 0xEF)
        .take(10)
        .count()
        == 10
}

fn starts_digit_unit(byte: u8) -> bool {
    byte.is_ascii_digit() || matches!(byte, b'%' | b'\\' | 0xEF)
}

/// The length of the UTF-8 character starting with this byte (1 for a
/// stray continuation byte, which a `&str` never starts with anyway).
fn char_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// A possible CPR number starting at `start`: where it ends and its date
/// digits.
fn match_at(text: &str, start: usize) -> Option<(usize, [u8; 6])> {
    let mut date = [0u8; 6];
    let mut pos = start;
    // Day 01–31, month 01–12, any year; checked as soon as read, so most
    // digit runs (times, amounts) are given up after two or four digits.
    let ranges = [1..=31, 1..=12, 0..=99];
    for (group, (pair, range)) in date.chunks_mut(2).zip(ranges).enumerate() {
        if group > 0 {
            pos = skip_gap(text, pos)?;
        }
        for slot in pair.iter_mut() {
            (*slot, pos) = digit(text, pos)?;
        }
        if !range.contains(&(pair[0] * 10 + pair[1])) {
            return None;
        }
    }
    pos = skip_gap(text, pos)?;
    for _ in 0..4 {
        (_, pos) = digit(text, pos)?;
    }
    Some((pos, date))
}

/// The digit at `pos` (after any invisible characters).
fn digit(text: &str, mut pos: usize) -> Option<(u8, usize)> {
    loop {
        match unit_at(text, pos) {
            (Kind::Digit(d), end) => return Some((d, end)),
            (Kind::Invisible, end) => pos = end,
            _ => return None,
        }
    }
}

/// Skips up to [`MAX_GAP`] separators; `None` when there are more.
fn skip_gap(text: &str, mut pos: usize) -> Option<usize> {
    let mut separators = 0;
    loop {
        match unit_at(text, pos) {
            (Kind::Separator, end) => {
                separators += 1;
                if separators > MAX_GAP {
                    return None;
                }
                pos = end;
            }
            (Kind::Invisible, end) => pos = end,
            _ => return Some(pos),
        }
    }
}

/// The unit at `pos` and where it ends. At the end of the text: `Other`.
fn unit_at(text: &str, pos: usize) -> (Kind, usize) {
    let bytes = text.as_bytes();
    let Some(&byte) = bytes.get(pos) else {
        return (Kind::Other, pos);
    };
    match byte {
        b'0'..=b'9' => (Kind::Digit(byte - b'0'), pos + 1),
        b'%' => {
            percent_encoded(bytes, pos).map_or((Kind::Other, pos + 1), |(c, end)| (kind_of(c), end))
        }
        b'\\' => escaped(bytes, pos).map_or((Kind::Other, pos + 1), |(c, end)| (kind_of(c), end)),
        _ if byte.is_ascii() => (kind_of(char::from(byte)), pos + 1),
        _ => text[pos..]
            .chars()
            .next()
            .map_or((Kind::Other, pos + 1), |c| (kind_of(c), pos + c.len_utf8())),
    }
}

fn kind_of(c: char) -> Kind {
    match c {
        '0'..='9' => Kind::Digit(c as u8 - b'0'),
        // Full-width digits (Japanese and Chinese input methods).
        '\u{FF10}'..='\u{FF19}' => Kind::Digit((u32::from(c) - 0xFF10) as u8),
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => Kind::Invisible,
        '-' | '.' | '_' | '/' | '+' => Kind::Separator,
        // Hyphens, figure/en/em dashes, horizontal bar, minus sign,
        // hyphen bullet, small and full-width hyphen-minus, middle dots,
        // full-width full stop, solidus and low line.
        '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '\u{2043}'
        | '\u{FE58}'
        | '\u{FE63}'
        | '\u{FF0D}'
        | '\u{00B7}'
        | '\u{2024}'
        | '\u{2027}'
        | '\u{FF0E}'
        | '\u{FF0F}'
        | '\u{FF3F}' => Kind::Separator,
        c if c.is_whitespace() => Kind::Separator,
        _ => Kind::Other,
    }
}

fn hex(byte: u8) -> Option<u32> {
    char::from(byte).to_digit(16)
}

/// `%XX` (one byte) or a whole percent-encoded UTF-8 character.
fn percent_encoded(bytes: &[u8], pos: usize) -> Option<(char, usize)> {
    let byte_at = |at: usize| -> Option<u8> {
        if *bytes.get(at)? != b'%' {
            return None;
        }
        Some((hex(*bytes.get(at + 1)?)? * 16 + hex(*bytes.get(at + 2)?)?) as u8)
    };
    let lead = byte_at(pos)?;
    let len = match lead {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut utf8 = [0u8; 4];
    utf8[0] = lead;
    for (i, slot) in utf8.iter_mut().enumerate().take(len).skip(1) {
        *slot = byte_at(pos + 3 * i)?;
    }
    let c = std::str::from_utf8(&utf8[..len]).ok()?.chars().next()?;
    Some((c, pos + 3 * len))
}

/// `\n`, `\r`, `\t`, `\uXXXX` (JSON) and `\u{X…}` (Rust's `Debug`).
fn escaped(bytes: &[u8], pos: usize) -> Option<(char, usize)> {
    match *bytes.get(pos + 1)? {
        b'n' => Some(('\n', pos + 2)),
        b'r' => Some(('\r', pos + 2)),
        b't' => Some(('\t', pos + 2)),
        b'u' if bytes.get(pos + 2) == Some(&b'{') => {
            let mut value = 0u32;
            let mut at = pos + 3;
            while bytes.get(at) != Some(&b'}') {
                if at - pos > 9 {
                    return None;
                }
                value = value * 16 + hex(*bytes.get(at)?)?;
                at += 1;
            }
            Some((char::from_u32(value)?, at + 1))
        }
        b'u' => {
            let mut value = 0u32;
            for at in pos + 2..pos + 6 {
                value = value * 16 + hex(*bytes.get(at)?)?;
            }
            Some((char::from_u32(value)?, pos + 6))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
