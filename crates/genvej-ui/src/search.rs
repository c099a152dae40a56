//! Finding a script by typing a few letters, for the command palette and
//! the cheat sheet: case does not matter, and neither do Danish letters or
//! accents — a caseworker on a borrowed keyboard types "oversaet" for
//! «Oversæt», "sorensen" or "soerensen" for «Sørensen», "cafe" for «Café».
//!
//! Every word typed must occur somewhere (name, chord, hotstrings,
//! category, description); scripts whose name holds every word come first,
//! those whose name starts with the first word before those. Within a rank
//! the order is the cheat sheet's: category, then name — so an empty search
//! shows everything in the same order every time.

use crate::tray::TrayEntry;

/// `text` in lower case with Danish letters and accents spelled out, in two
/// spellings: the long one (æ→ae, ø→oe, å→aa, ü→ue) and the short one
/// (æ→ae, ø→o, å→a, ü→u). A typed word matches when it is part of either.
pub fn folded(text: &str) -> [String; 2] {
    let mut long = String::with_capacity(text.len());
    let mut short = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'æ' | 'ä' => {
                long.push_str("ae");
                short.push_str(if c == 'æ' { "ae" } else { "a" });
            }
            'ø' | 'ö' | 'œ' => {
                long.push_str("oe");
                short.push('o');
            }
            'å' => {
                long.push_str("aa");
                short.push('a');
            }
            'ü' => {
                long.push_str("ue");
                short.push('u');
            }
            'ß' => {
                long.push_str("ss");
                short.push_str("ss");
            }
            c => {
                let plain = without_accent(c);
                long.push(plain);
                short.push(plain);
            }
        }
    }
    [long, short]
}

/// The letter under an accent: é→e, ñ→n; any other character as it is.
fn without_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'ī' | 'į' => 'i',
        'ł' | 'ľ' | 'ĺ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ó' | 'ò' | 'ô' | 'õ' | 'ō' | 'ő' => 'o',
        'ŕ' | 'ř' => 'r',
        'ś' | 'š' | 'ş' => 's',
        'ť' | 'ţ' => 't',
        'ú' | 'ù' | 'û' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        c => c,
    }
}

/// One entry's text, folded once per search.
struct Haystack {
    name: [String; 2],
    everything: [String; 2],
}

impl Haystack {
    fn of(entry: &TrayEntry) -> Haystack {
        let everything = [
            entry.name.as_str(),
            entry.chord.as_str(),
            entry.category.as_str(),
            entry.description.as_str(),
            &entry.hotstrings.join(" "),
        ]
        .join(" ");
        Haystack {
            name: folded(&entry.name),
            everything: folded(&everything),
        }
    }
}

fn contains(haystack: &[String; 2], word: &[String; 2]) -> bool {
    // The word's long spelling against the long text, its short one against
    // the short text, and the long word against the short text: a typed
    // "ae" or "oe" may be plain letters ("koersel" is not Danish, but "ae"
    // in "Israel" is).
    haystack[0].contains(word[0].as_str())
        || haystack[1].contains(word[1].as_str())
        || haystack[1].contains(word[0].as_str())
}

fn starts_with(haystack: &[String; 2], word: &[String; 2]) -> bool {
    haystack[0].starts_with(word[0].as_str()) || haystack[1].starts_with(word[1].as_str())
}

/// The entries a search shows, best first (see the module's text).
pub fn ranked<'e>(entries: &'e [TrayEntry], query: &str) -> Vec<&'e TrayEntry> {
    let words: Vec<[String; 2]> = query.split_whitespace().map(folded).collect();
    let mut shown: Vec<(u8, &TrayEntry)> = entries
        .iter()
        .filter_map(|entry| {
            let haystack = Haystack::of(entry);
            if !words.iter().all(|w| contains(&haystack.everything, w)) {
                return None;
            }
            let in_name = words.iter().all(|w| contains(&haystack.name, w));
            let rank = match words.first() {
                Some(first) if in_name && starts_with(&haystack.name, first) => 0,
                _ if in_name => 1,
                _ => 2,
            };
            Some((rank, entry))
        })
        .collect();
    shown.sort_by(|(rank_a, a), (rank_b, b)| {
        (rank_a, &a.category, &a.name, &a.id).cmp(&(rank_b, &b.category, &b.name, &b.id))
    });
    shown.into_iter().map(|(_, entry)| entry).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, category: &str, description: &str) -> TrayEntry {
        TrayEntry {
            id: name.to_lowercase(),
            name: name.into(),
            chord: String::new(),
            category: category.into(),
            description: description.into(),
            hotstrings: vec![],
            version: String::new(),
        }
    }

    fn library() -> Vec<TrayEntry> {
        vec![
            entry(
                "Forberedende plan",
                "Planer",
                "Henter borger og tilbud fra Fasit",
            ),
            entry("Oversæt", "Tekster", "Oversætter den markerede tekst"),
            entry(
                "Journalnotat",
                "Journal",
                "Notat efter samtale med borgeren",
            ),
            entry("Åbn borger", "Borger", "Åbner borgeren i Fasit"),
            entry("Brev til Sørensen", "Breve", "Til Café Ærø"),
            entry("Plan for møde", "Planer", "Forberedende samtale"),
        ]
    }

    fn names(query: &str) -> Vec<String> {
        let entries = library();
        ranked(&entries, query)
            .iter()
            .map(|e| e.name.clone())
            .collect()
    }

    #[test]
    fn danish_words_typed_without_danish_letters_find_the_script() {
        assert_eq!(names("oversaet"), ["Oversæt"]);
        assert_eq!(names("OVERSÆT"), ["Oversæt"]);
        assert_eq!(names("aabn"), ["Åbn borger"]);
        assert_eq!(names("abn"), ["Åbn borger"]);
        assert_eq!(names("sorensen"), ["Brev til Sørensen"]);
        assert_eq!(names("soerensen"), ["Brev til Sørensen"]);
        assert_eq!(names("søren"), ["Brev til Sørensen"]);
        assert_eq!(names("moede"), ["Plan for møde"]);
    }

    #[test]
    fn accents_and_case_do_not_matter() {
        assert_eq!(names("cafe aero"), ["Brev til Sørensen"]);
        assert_eq!(folded("Crème Brûlée")[0], "creme brulee");
        assert_eq!(folded("Ærø")[0], "aeroe");
        assert_eq!(folded("Ærø")[1], "aero");
        assert_eq!(folded("Straße")[0], "strasse");
    }

    #[test]
    fn scripts_whose_name_matches_come_before_those_whose_description_does() {
        // «Forberedende plan» has the word in its name, «Plan for møde»
        // only in its description.
        assert_eq!(
            names("forberedende"),
            ["Forberedende plan", "Plan for møde"]
        );
        // A name starting with the word before a name that merely holds it.
        assert_eq!(names("plan"), ["Plan for møde", "Forberedende plan"]);
        // Every word must occur somewhere.
        assert_eq!(names("plan fasit"), ["Forberedende plan"]);
        assert!(names("sygedagpenge").is_empty());
    }

    #[test]
    fn an_empty_search_shows_every_script_by_category_then_name_every_time() {
        let expected = [
            "Åbn borger",
            "Brev til Sørensen",
            "Journalnotat",
            "Forberedende plan",
            "Plan for møde",
            "Oversæt",
        ];
        assert_eq!(names(""), expected);
        assert_eq!(names("   "), expected);
        let mut reversed = library();
        reversed.reverse();
        let again: Vec<&str> = ranked(&reversed, "")
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(again, expected);
    }
}
