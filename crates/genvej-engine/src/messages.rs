//! Every caseworker-facing Danish text of the engine layer, in one place: the
//! `Display` of the error kinds the ports report ([`PortError`],
//! [`CredentialError`], [`HttpError`]) and of the reasons a run stops
//! ([`RunError`]), plus the few notices built from parts. Adapters and the
//! engine pick a kind; they do not write sentences. An OS's own detail (often
//! English) is never glued into a Danish sentence: it follows a dash, after
//! the Danish text has said what failed. Logs are English and live where
//! they are written.

use std::fmt;
use std::time::Duration;

/// A failure reported by the desktop: what could not be done, with the OS's
/// detail where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// The desktop session could not be reached, or did not answer as
    /// expected (the X server's connection broke, a property could not be
    /// read).
    #[error("skrivebordet svarede ikke som ventet – {detail}")]
    Unavailable { detail: String },
    /// The window was closed (or the id names no window).
    #[error("vinduet findes ikke længere")]
    WindowGone,
    #[error("{0}")]
    Keyboard(KeyboardFailure),
    #[error("udklipsholderen kunne ikke bruges – {0}")]
    Clipboard(ClipboardFailure),
    /// A program could not be started.
    #[error("kunne ikke starte «{program}» – {reason}")]
    Launch { program: String, reason: String },
    /// An address, document or folder could not be opened.
    #[error("kunne ikke åbne «{target}»: {reason}")]
    Open { target: String, reason: OpenFailure },
    /// A form, message or window could not be shown.
    #[error("kunne ikke vise {what} – {reason}")]
    Dialog { what: DialogKind, reason: String },
    /// A document could not be saved.
    #[error("kunne ikke gemme «{file_name}» i {folder} – {reason}")]
    Document {
        file_name: String,
        folder: String,
        reason: String,
    },
    /// The run was stopped (panic key) while the desktop was busy.
    #[error("stoppet")]
    Cancelled,
    /// Keyboard focus was not in the intended window when a key was about to
    /// be sent; nothing was sent.
    #[error("fokus flyttede sig")]
    FocusMoved,
}

/// Why keys could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyboardFailure {
    #[error("tastaturets tilstand kunne ikke læses – {detail}")]
    StateUnreadable { detail: String },
    #[error("tastetryk kunne ikke sendes – {detail}")]
    NotSent { detail: String },
    /// The key has no symbol on this desktop.
    #[error("tasten «{key}» kendes ikke af skrivebordet")]
    UnknownKey { key: String },
    /// Every spare key code is in use for other special characters.
    #[error("tastaturet har ingen ledige taster til specialtegn")]
    NoSpareKey,
    /// The OS refused the synthetic keys (e.g. the target runs elevated).
    #[error("Windows afviste tastetrykkene (kører programmet som administrator?)")]
    Refused,
    /// The caseworker held a modifier down while genvej was typing.
    #[error(
        "en Ctrl-, Alt- eller Windows-tast blev holdt nede under skrivningen; slip den, og kør genvejen igen"
    )]
    ModifierHeld,
    /// A key the text needs was held down for too long (pressing it again
    /// would have been lost).
    #[error(
        "en tast, som genvej skulle skrive med, blev holdt nede; slip den, og kør genvejen igen"
    )]
    KeyHeld,
}

/// Why the clipboard could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClipboardFailure {
    /// Another program kept it open.
    #[error("en anden proces holder den")]
    Busy,
    #[error("ikke hukommelse nok")]
    OutOfMemory,
    #[error("den tog ikke imod teksten")]
    Refused,
    /// The program holding the clipboard (or selection) did not hand its
    /// text over in time.
    #[error("programmet, der ejer teksten, svarede ikke inden for {}", seconds(*.waited))]
    OwnerSilent { waited: Duration },
    /// genvej's own window that hands text over could not be started.
    #[error("genvejs eget udklipsholdervindue startede ikke – {detail}")]
    OwnerNotStarted { detail: String },
    /// genvej's own window that hands text over did not answer.
    #[error("genvejs eget udklipsholdervindue svarede ikke")]
    OwnerNotAnswering,
    /// Anything else, with the OS's detail.
    #[error("{detail}")]
    Os { detail: String },
}

/// Why an address or file could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenFailure {
    #[error("findes ikke")]
    NotFound,
    #[error("adgang nægtet")]
    AccessDenied,
    #[error("intet program er tilknyttet")]
    NoProgram,
    #[error("Windows-fejl {0}")]
    Code(i64),
}

/// Which dialog could not be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKind {
    Form,
    Message,
    Window,
}

impl fmt::Display for DialogKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DialogKind::Form => "formularen",
            DialogKind::Message => "beskeden",
            DialogKind::Window => "vinduet",
        })
    }
}

/// Why a credential could not be read from (or saved in) the OS credential
/// store. Never holds the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error(
        "den er ikke gemt i styresystemets nøglering (gem den med `genvej credential set {name}`)"
    )]
    NotSaved { name: String },
    /// The store is locked, not running, or refused access.
    #[error("nøgleringen kunne ikke bruges – {detail}")]
    StoreUnavailable { detail: String },
    #[error("den gemte værdi er ikke tekst")]
    NotText,
    #[error("ugyldigt navn – {detail}")]
    InvalidName { detail: String },
    #[error("for lang til nøgleringen – {what}, højst {limit}")]
    TooLong { what: String, limit: u32 },
    #[error("der er flere end én legitimation med navnet «{name}» i nøgleringen")]
    Ambiguous { name: String },
    #[error("nøgleringen svarede med en fejl – {detail}")]
    Store { detail: String },
}

/// Why a source could not be fetched; each says what happened, in Danish.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HttpError {
    #[error("kunne ikke forbinde til {host} – {reason}")]
    Connect { host: String, reason: String },
    #[error("{host} svarede ikke inden for {}", seconds(*.timeout))]
    Timeout { host: String, timeout: Duration },
    #[error("{host} svarede {status}{}", if reason.is_empty() { String::new() } else { format!(": {reason}") })]
    Status {
        host: String,
        status: u16,
        reason: String,
    },
    #[error("svaret fra {host} er større end {} og blev ikke læst færdigt (grænsen står under [limits] i genvej.toml)", genvej_format::limits::human_size(*.limit))]
    TooBig { host: String, limit: u64 },
    #[error("svaret fra {host} er ikke JSON – {reason}")]
    NotJson { host: String, reason: String },
    /// The answer lacks a field the source's `expect` names.
    #[error("feltet «{field}» mangler i svaret")]
    MissingField { field: String },
    /// A header's `env` variable is not set.
    #[error("miljøvariablen {var} (til headeren {header}) er ikke sat")]
    EnvNotSet { var: String, header: String },
    /// A header's `credential` could not be read.
    #[error("legitimationen «{name}» (til headeren {header}): {error}")]
    Credential {
        name: String,
        header: String,
        error: CredentialError,
    },
    /// A secret header would go unencrypted to a host the organisation has
    /// not named.
    #[error(
        "headeren {header} er hemmelig og sendes ikke ukrypteret (http://) til {host}; brug https://, eller lad organisationen tillade værten i [policy] plain_http_secret_hosts"
    )]
    SecretOverPlainHttp { header: String, host: String },
    /// The CA file from the configuration could not be used.
    #[error("CA-filen {path} kan ikke bruges – {reason}")]
    CaFile { path: String, reason: String },
    /// The HTTP client could not be set up.
    #[error("HTTP kunne ikke startes – {reason}")]
    Client { reason: String },
    /// A dry run fetches nothing.
    #[error("en tørkørsel henter ikke data fra fagsystemerne")]
    DryRun,
    /// The test desktop has no answer for this host.
    #[error("{host} er ikke sat op i testdesktoppen")]
    NotConfigured { host: String },
    /// The request failed some other way; the reason is the HTTP stack's.
    #[error("forespørgslen til {host} mislykkedes – {reason}")]
    Failed { host: String, reason: String },
    /// Any other failure, written in Danish: the host first, then what
    /// happened (a refused redirect).
    #[error("{0}")]
    Other(String),
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    #[error("{window} kom ikke frem inden for {}", seconds(*.timeout))]
    WindowTimeout { window: String, timeout: Duration },
    #[error("{window} kunne ikke få fokus (fokus er på {})", shown(.focused))]
    FocusRefused {
        window: Box<NamedWindow>,
        focused: Option<Box<NamedWindow>>,
    },
    #[error("fokus flyttede sig fra {expected} til {}; intet mere blev skrevet", shown(.actual))]
    WrongWindow {
        expected: Box<NamedWindow>,
        actual: Option<Box<NamedWindow>>,
    },
    #[error("{window} hentede ikke den indsatte tekst inden for {} ms", .timeout.as_millis())]
    PasteNotFetched {
        window: Box<NamedWindow>,
        timeout: Duration,
    },
    #[error("intet vindue har fokus, så der blev ikke skrevet noget")]
    NoFocusedWindow,
    #[error("Ctrl, Alt, Shift eller Windows-tasten var stadig trykket efter {}; slip tasterne og prøv igen", seconds(*.timeout))]
    ModifiersHeld { timeout: Duration },
    #[error("skabelonen på linje {line} kunne ikke udfyldes: {detail}")]
    Template { line: usize, detail: String },
    #[error("«{label}» mangler en værdi")]
    InputMissing { label: String },
    #[error("«{label}»: {reason}")]
    InputInvalid {
        label: String,
        reason: genvej_format::input_value::InputRejected,
    },
    #[error("{0}")]
    RequirementFailed(String),
    #[error("{0}")]
    Document(MergeFailure),
    #[error("kilden «{source_name}» kunne ikke hentes: {error}")]
    SourceFailed {
        source_name: String,
        error: HttpError,
    },
    /// A `fetch` step names a source the script does not define (the
    /// checker refuses such scripts, so only a bug gets here).
    #[error("kilden «{0}» findes ikke")]
    UnknownSource(String),
    #[error("{0}; intet blev åbnet")]
    UrlRefused(genvej_format::url_rules::UrlRefusal),
    #[error("der var ingen markeret tekst")]
    NothingSelected,
    /// The desktop could not do what a step asked; the kind says what.
    #[error("{0}")]
    Desktop(PortError),
    #[error(
        "teksten er {chars} tegn, men en kørsel må højst skrive eller indsætte {limit} tegn i alt (agent.max_text_chars)"
    )]
    TextTooLong { chars: usize, limit: usize },
    #[error("genvej fik en intern fejl, og kørslen blev stoppet (detaljerne står i loggen)")]
    Internal,
    /// A `for_each` list is not a list.
    #[error("«{list}» er ikke en liste, så trinene for hvert punkt blev ikke kørt")]
    NotAList { list: String },
    /// A `for_each` list is longer than a group may run.
    #[error(
        "«{list}» har mere end {limit} punkter, og det er flere, end en gruppe må køre; intet af gruppen blev kørt"
    )]
    TooManyItems { list: String, limit: usize },
    /// A step inside a `for_each` group failed: which item, which step.
    #[error("punkt {item}, deltrin {step} ({action}, linje {line}): {error}")]
    InGroup {
        item: usize,
        step: usize,
        action: &'static str,
        line: usize,
        error: Box<RunError>,
    },
}

/// Why `merge_pdf` could not make its document.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeFailure {
    /// The `each` expression could not be evaluated.
    #[error("«{each}» kunne ikke læses – {detail}")]
    ListUnreadable { each: String, detail: String },
    #[error("«{each}» er ikke en liste")]
    NotAList { each: String },
    /// One document could not be downloaded.
    #[error("«{title}» kunne ikke hentes: {error}")]
    Download { title: String, error: HttpError },
    /// The downloads could not be merged.
    #[error("{0}")]
    Merge(#[from] DocumentError),
    /// The rendered file name holds a CPR number.
    #[error(
        "filnavnet ville indeholde et CPR-nummer; brug fx borgerens navn, eller lad organisationen tillade det med agent.allow_cpr_in_file_names"
    )]
    CprInFileName,
}

/// Why downloaded PDFs could not be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("«{name}» er ikke en PDF, der kan læses – {reason}")]
    NotPdf { name: String, reason: String },
    #[error("«{name}» har ingen sider")]
    NoPages { name: String },
    #[error("der var ingen dokumenter at samle")]
    Nothing,
    #[error("den samlede PDF kunne ikke skrives – {0}")]
    Write(String),
}

impl RunError {
    /// The error for a log line: as [`Display`](fmt::Display), but windows
    /// named by program and pattern, never by title.
    pub fn log_text(&self) -> String {
        match self {
            RunError::FocusRefused { window, focused } => format!(
                "{} kunne ikke få fokus (fokus er på {})",
                window.log_text(),
                logged(focused)
            ),
            RunError::WrongWindow { expected, actual } => format!(
                "fokus flyttede sig fra {} til {}; intet mere blev skrevet",
                expected.log_text(),
                logged(actual)
            ),
            RunError::PasteNotFetched { window, timeout } => format!(
                "{} hentede ikke den indsatte tekst inden for {} ms",
                window.log_text(),
                timeout.as_millis()
            ),
            RunError::InGroup {
                item,
                step,
                action,
                line,
                error,
            } => format!(
                "punkt {item}, deltrin {step} ({action}, linje {line}): {}",
                error.log_text()
            ),
            other => other.to_string(),
        }
    }
}

impl From<PortError> for RunError {
    fn from(e: PortError) -> Self {
        RunError::Desktop(e)
    }
}

impl NamedWindow {
    /// `vindue fra «xterm» (klasse «XTerm», fundet med titel "Fasit*")`.
    pub fn log_text(&self) -> String {
        let mut details = Vec::new();
        if !self.class.is_empty() {
            details.push(format!("klasse «{}»", self.class));
        }
        if let Some(pattern) = &self.found_by {
            details.push(format!("fundet med {pattern}"));
        }
        let program = match &self.program {
            Some(program) => format!("vindue fra «{program}»"),
            None => "vindue".to_string(),
        };
        if details.is_empty() {
            program
        } else {
            format!("{program} ({})", details.join(", "))
        }
    }
}

impl fmt::Display for NamedWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "«{}»", genvej_format::cpr::redact(&self.title))
    }
}

/// A window for the notice, or "intet vindue".
fn shown(window: &Option<Box<NamedWindow>>) -> String {
    window
        .as_ref()
        .map_or_else(|| "intet vindue".to_string(), |w| w.to_string())
}

/// A window for the log, or "intet vindue".
fn logged(window: &Option<Box<NamedWindow>>) -> String {
    window
        .as_ref()
        .map_or_else(|| "intet vindue".to_string(), |w| w.log_text())
}

/// Where a run stopped, around the reason: `«Skriv» stoppede ved trin 2
/// (type, linje 9): …`, or `«Skriv» kunne ikke starte: …` when it stopped
/// while its inputs were resolved.
pub(crate) fn stopped_at(
    script: &str,
    step: Option<(usize, usize)>,
    action: &str,
    error: &str,
) -> String {
    match step {
        Some((number, line)) => {
            format!("«{script}» stoppede ved trin {number} ({action}, linje {line}): {error}")
        }
        None => format!("«{script}» kunne ikke starte: {error}"),
    }
}

/// Why a script did not start in the focused window.
pub(crate) fn only_when_refused(context: &impl fmt::Display) -> String {
    format!("genvejen virker kun i vinduer med {context}")
}

/// A window a `wait_window` step waits for, as the notice names it.
pub(crate) fn window_described(window: &impl fmt::Display) -> String {
    format!("vindue med {window}")
}

/// The name of the `index`th (0-based) document of a `merge_pdf` without a
/// `name`.
pub(crate) fn nameless_document(index: usize) -> String {
    format!("dokument {}", index + 1)
}

/// A field a template reads that the fetched answer of `source` lacks.
pub(crate) fn field_missing_from(field: &str, source: &str) -> String {
    format!("feltet «{field}» mangler i svaret fra kilden «{source}»")
}

/// A template read a value that is not defined.
pub(crate) const TEMPLATE_VALUE_UNDEFINED: &str = "en værdi er ikke defineret";

/// A template ran out of fuel.
pub(crate) const TEMPLATE_TOO_MUCH_WORK: &str = "den blev stoppet, fordi den gjorde for meget arbejde \
     (for mange gentagelser eller for meget tekst)";

/// A duration the Danish way: `10 s`, `0,3 s`.
pub fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!(
            "{},{} s",
            ms / 1000,
            format!("{:03}", ms % 1000).trim_end_matches('0')
        )
    }
}

/// A window a failure names. The caseworker's notice shows its title (it is
/// on their own screen); logs show only its program and how the script
/// found it ([`NamedWindow::log_text`]); both texts are written
/// here.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedWindow {
    pub title: String,
    /// The program's file name, when the desktop knows it.
    pub program: Option<String>,
    /// The window class (X11 WM_CLASS, Windows class name).
    pub class: String,
    /// The script's description that found it (`titel "Fasit*"`), if any.
    pub found_by: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_os_detail_follows_a_dash_after_the_danish_sentence() {
        let error = RunError::from(PortError::Launch {
            program: "fasit.exe".into(),
            reason: "No such file or directory (os error 2)".into(),
        });
        assert_eq!(
            error.to_string(),
            "kunne ikke starte «fasit.exe» – No such file or directory (os error 2)"
        );
    }

    #[test]
    fn every_os_detail_comes_after_the_danish_sentence_and_a_dash() {
        let detail = || "Broken pipe (os error 32)".to_string();
        let kinds: Vec<Box<dyn std::error::Error>> = vec![
            Box::new(PortError::Unavailable { detail: detail() }),
            Box::new(PortError::Keyboard(KeyboardFailure::NotSent {
                detail: detail(),
            })),
            Box::new(PortError::Keyboard(KeyboardFailure::StateUnreadable {
                detail: detail(),
            })),
            Box::new(PortError::Clipboard(ClipboardFailure::Os {
                detail: detail(),
            })),
            Box::new(PortError::Clipboard(ClipboardFailure::OwnerNotStarted {
                detail: detail(),
            })),
            Box::new(PortError::Launch {
                program: "fasit".into(),
                reason: detail(),
            }),
            Box::new(PortError::Dialog {
                what: DialogKind::Form,
                reason: detail(),
            }),
            Box::new(PortError::Document {
                file_name: "a.pdf".into(),
                folder: "/home/x/genvej".into(),
                reason: detail(),
            }),
            Box::new(CredentialError::StoreUnavailable { detail: detail() }),
            Box::new(CredentialError::Store { detail: detail() }),
            Box::new(HttpError::Connect {
                host: "fasit.example".into(),
                reason: detail(),
            }),
            Box::new(HttpError::Failed {
                host: "fasit.example".into(),
                reason: detail(),
            }),
            Box::new(HttpError::Client { reason: detail() }),
        ];
        for kind in kinds {
            let text = kind.to_string();
            assert!(text.ends_with(&format!(" – {}", detail())), "{text}");
            assert!(!text.starts_with("Broken"), "{text}");
        }
    }

    #[test]
    fn a_credential_that_is_not_saved_says_how_to_save_it() {
        let error = HttpError::Credential {
            name: "fasit".into(),
            header: "Authorization".into(),
            error: CredentialError::NotSaved {
                name: "fasit".into(),
            },
        };
        assert_eq!(
            error.to_string(),
            "legitimationen «fasit» (til headeren Authorization): den er ikke gemt i \
             styresystemets nøglering (gem den med `genvej credential set fasit`)"
        );
    }

    #[test]
    fn seconds_are_written_the_danish_way() {
        assert_eq!(seconds(Duration::from_secs(10)), "10 s");
        assert_eq!(seconds(Duration::from_millis(300)), "0,3 s");
        assert_eq!(seconds(Duration::from_millis(2500)), "2,5 s");
    }
}
