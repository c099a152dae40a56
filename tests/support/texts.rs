//! Test texts for typing and pasting: realistic Danish caseworker prose with
//! every character that must arrive byte-exact in a case system.

/// A 2,000-character (Unicode scalar values, not bytes) journal note.
///
/// Contains: æøåÆØÅ § € ½ ü ß “” ‘’ « » – — ✓ 🙂 (outside the BMP), all 32
/// ASCII punctuation characters, the characters that are dead keys on a
/// Danish keyboard (~ ^ ` ´ ¨), line breaks (`\n`, typed as Return) and tabs
/// (`\t`, typed as Tab). One line holds a Windows share path. No trailing
/// newline, no `\r`.
pub const DANISH_2000: &str = concat!(
    "Journalnotat – opfølgning på handleplan efter servicelovens § 81 og § 140\n",
    "Sag nr. 2026-0417/BF #7 · Sagsbehandler: Søren Ærø Ålund (SÆÅ)\n",
    "Dato:\t12.03.2026 kl. 09:30–10:45\n",
    "Sted:\tBørne- og Familieafdelingen, Åboulevarden 7, 8000 Aarhus C\n",
    "Deltagere:\tMette Østergaard (mor), Jürgen Müller-Strauß (plejefar), Åse Lærkø (PPR)\n",
    "\n",
    "Baggrund\n",
    "Mødet blev holdt som opfølgning på sidste møde den 4. februar, hvor familien udtrykte bekymring for Emils trivsel i skolen. Mor fortalte, at Emil “har det meget bedre nu” — men at han stadig sover dårligt og ofte vågner kl. 3-4 om natten. Plejefar supplerede: ‘Han spørger tit, hvornår han skal hjem igen.’ Åse oplyste, at skolen har bevilget 1½ time ekstra støtte om ugen.\n",
    "\n",
    "Aftaler ✓\n",
    "1) Forældrekurset «Tryg i hverdagen» starter 1. april; mor deltager (tilmeldt 10/3).\n",
    "2) Ydelsen efter § 52, stk. 3, nr. 7 fortsætter uændret: 2.450,00 kr. pr. måned (329 €).\n",
    "3) Plejefamilien søger om dækning af merudgifter; beløbet opgøres som (transport + kost) * 12 = årligt behov.\n",
    "4) Næste møde: torsdag den 17.04.2026 kl. 13:00 – alle deltager.\n",
    "\n",
    "Bemærkninger\n",
    "Mor spurgte, om hun kan få aktindsigt i sagen; hun er vejledt om reglerne & fristerne (svar senest 7 hverdage). Hendes e-mail er mette.oestergaard@example.dk, og hun ønsker kun kontakt via Digital Post! Ved spørgsmål om betaling henvises til ydelseskontoret [tlf.: 87 13 00 00] eller {borgerservice}.\n",
    "Tjekliste: skolens udtalelse = modtaget; lægeerklæring < 3 måneder gammel? ja; samtykke > afgivet 2/3.\n",
    "Sti til dokument: \\\\fil01\\sager\\2026\\0417\\notat_v2.docx | versioneret i ESDH.\n",
    "Tegn der skal overleve uændret: ~ ^ ` ´ ¨ samt \"citat\", 'apostrof', 50 % rabat, $-tegn og 100 $ i rejsekort.\n",
    "\n",
    "Vurdering\n",
    "Samlet vurderes det, at Emils situation er stabil, og at indsatsen virker efter hensigten 🙂. Der er dog fortsat behov for tæt opfølgning — særligt omkring søvn og samvær. Jürgen bemærkede til sidst: »Vi gør det så godt, vi kan« — hvilket understøtter den positive udvikling.\n",
    "\n",
    "Med venlig hilsen\n",
    "Søren Ålund, socialrådgiver",
);

/// Characters besides ASCII letters and digits that [`DANISH_2000`] contains
/// and that must survive typing and pasting unchanged.
pub const MUST_SURVIVE: &str = concat!(
    "æøåÆØÅ§€½üß“”‘’«»–—✓🙂",
    "~^`´¨",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "\n\t",
);

/// One step of typing a text: a run of characters, or a key press for a
/// line break or tab (text-typing APIs such as enigo's handle those badly:
/// on Windows enigo 0.6.1 types each `\n` and `\t` twice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Return,
    Tab,
}

/// Splits `text` into [`Piece`]s: maximal runs without `\n`/`\t`, and one
/// `Return`/`Tab` per line break/tab.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find(['\n', '\t']) {
        if pos > 0 {
            out.push(Piece::Text(&rest[..pos]));
        }
        out.push(if rest.as_bytes()[pos] == b'\n' {
            Piece::Return
        } else {
            Piece::Tab
        });
        rest = &rest[pos + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// `None` if `actual == expected`, else a short description of the first
/// difference (position in chars, expected vs. actual around it, lengths)
/// that stays readable for 2,000-character texts.
pub fn first_difference(expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let exp: Vec<char> = expected.chars().collect();
    let act: Vec<char> = actual.chars().collect();
    let at = exp.iter().zip(&act).take_while(|(e, a)| e == a).count();
    let around =
        |chars: &[char]| -> String { chars.iter().skip(at.saturating_sub(20)).take(50).collect() };
    Some(format!(
        "texts differ at char {at} (expected {} chars, got {}):\n  expected …{:?}…\n  actual   …{:?}…",
        exp.len(),
        act.len(),
        around(&exp),
        around(&act),
    ))
}

/// Asserts that two texts are identical, with a readable message if not.
#[track_caller]
pub fn assert_same_text(expected: &str, actual: &str) {
    if let Some(diff) = first_difference(expected, actual) {
        panic!("{diff}");
    }
}
