//! Every message a run can stop with has an entry in the troubleshooting
//! page (docs/src/scripts/troubleshooting.md), so an author who meets one
//! finds what causes it and the fix.
//!
//! For each message enum of the engine's layer (and the form's and the
//! address rules' reasons from genvej-format, and the dry run's fixture
//! errors) this test builds one example of every variant and renders it; the
//! page's tables with a `message` column hold the texts, with `…` for the
//! parts that vary (`«…» mangler en værdi`), and each rendered example must
//! match one of them. The variants are listed in an exhaustive `match`
//! ([`variants!`]), so a new variant does not compile until it is listed
//! here, and the test fails until it has an example and an entry.

use std::collections::BTreeSet;
use std::time::Duration;

use genvej_engine::RunError;
use genvej_engine::fake::FixtureError;
use genvej_engine::messages::{
    ClipboardFailure, CredentialError, DialogKind, DocumentError, HttpError, KeyboardFailure,
    MergeFailure, NamedWindow, OpenFailure, PortError,
};
use genvej_format::input_value::InputRejected;
use genvej_format::url_rules::UrlRefusal;

use crate::troubleshooting::{self, compiled};

const PAGE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/src/scripts/troubleshooting.md"
);

/// `(every variant's name, a fn naming the variant of a value)`; the
/// `match` has no wildcard, so a new variant is a compile error here.
macro_rules! variants {
    ($ty:ident { $($variant:ident),+ $(,)? }) => {
        (
            [$(stringify!($variant)),+],
            |e: &$ty| -> &'static str {
                match e {
                    $($ty::$variant { .. } => stringify!($variant),)+
                }
            },
        )
    };
}

/// Checks that `examples` cover every one of `all` and renders them.
fn rendered<T>(
    kind: &str,
    all: &[&'static str],
    name: impl Fn(&T) -> &'static str,
    examples: Vec<T>,
    show: impl Fn(T) -> String,
) -> Vec<(String, String)> {
    let given: BTreeSet<&str> = examples.iter().map(&name).collect();
    let missing: Vec<&&str> = all.iter().filter(|v| !given.contains(*v)).collect();
    assert!(
        missing.is_empty(),
        "this test has no example of {kind}::{missing:?}"
    );
    examples
        .into_iter()
        .map(|e| (format!("{kind}::{}", name(&e)), show(e)))
        .collect()
}

fn window(title: &str) -> Box<NamedWindow> {
    Box::new(NamedWindow {
        title: title.into(),
        program: Some("fasit.exe".into()),
        class: "Fasit".into(),
        found_by: Some("titel \"Fasit*\"".into()),
    })
}

fn detail() -> String {
    "Broken pipe (os error 32)".into()
}

fn host() -> String {
    "fasit.eksempelby.invalid".into()
}

/// One example of every message, named `Enum::Variant`.
fn every_message() -> Vec<(String, String)> {
    let mut all = Vec::new();

    let (names, name) = variants!(PortError {
        Unavailable,
        WindowGone,
        Keyboard,
        Clipboard,
        Launch,
        Open,
        Dialog,
        Document,
        Cancelled,
        FocusMoved
    });
    all.extend(rendered(
        "PortError",
        &names,
        name,
        vec![
            PortError::Unavailable { detail: detail() },
            PortError::WindowGone,
            PortError::Keyboard(KeyboardFailure::NoSpareKey),
            PortError::Clipboard(ClipboardFailure::Busy),
            PortError::Launch {
                program: "vitas-klient".into(),
                reason: "No such file or directory (os error 2)".into(),
            },
            PortError::Open {
                target: "https://fasit.eksempelby.invalid".into(),
                reason: OpenFailure::NoProgram,
            },
            PortError::Dialog {
                what: DialogKind::Form,
                reason: detail(),
            },
            PortError::Document {
                file_name: "Attester.pdf".into(),
                folder: "C:\\Users\\ms\\Documents\\genvej".into(),
                reason: detail(),
            },
            PortError::Cancelled,
            PortError::FocusMoved,
        ],
        |e| e.to_string(),
    ));

    let (names, name) = variants!(KeyboardFailure {
        StateUnreadable,
        NotSent,
        UnknownKey,
        NoSpareKey,
        Refused,
        ModifierHeld,
        KeyHeld
    });
    all.extend(rendered(
        "KeyboardFailure",
        &names,
        name,
        vec![
            KeyboardFailure::StateUnreadable { detail: detail() },
            KeyboardFailure::NotSent { detail: detail() },
            KeyboardFailure::UnknownKey { key: "F25".into() },
            KeyboardFailure::NoSpareKey,
            KeyboardFailure::Refused,
            KeyboardFailure::ModifierHeld,
            KeyboardFailure::KeyHeld,
        ],
        |e| e.to_string(),
    ));

    // Shown inside "udklipsholderen kunne ikke bruges – …".
    let (names, name) = variants!(ClipboardFailure {
        Busy,
        OutOfMemory,
        Refused,
        OwnerSilent,
        OwnerNotStarted,
        OwnerNotAnswering,
        Os
    });
    all.extend(rendered(
        "ClipboardFailure",
        &names,
        name,
        vec![
            ClipboardFailure::Busy,
            ClipboardFailure::OutOfMemory,
            ClipboardFailure::Refused,
            ClipboardFailure::OwnerSilent {
                waited: Duration::from_secs(2),
            },
            ClipboardFailure::OwnerNotStarted { detail: detail() },
            ClipboardFailure::OwnerNotAnswering,
            ClipboardFailure::Os { detail: detail() },
        ],
        |e| PortError::Clipboard(e).to_string(),
    ));

    // Shown inside "kunne ikke åbne «…»: …".
    let (names, name) = variants!(OpenFailure {
        NotFound,
        AccessDenied,
        NoProgram,
        Code
    });
    all.extend(rendered(
        "OpenFailure",
        &names,
        name,
        vec![
            OpenFailure::NotFound,
            OpenFailure::AccessDenied,
            OpenFailure::NoProgram,
            OpenFailure::Code(1155),
        ],
        |reason| {
            PortError::Open {
                target: "https://fasit.eksempelby.invalid".into(),
                reason,
            }
            .to_string()
        },
    ));

    let (names, name) = variants!(DialogKind {
        Form,
        Message,
        Window
    });
    all.extend(rendered(
        "DialogKind",
        &names,
        name,
        vec![DialogKind::Form, DialogKind::Message, DialogKind::Window],
        |what| {
            PortError::Dialog {
                what,
                reason: detail(),
            }
            .to_string()
        },
    ));

    // Shown inside "legitimationen «…» (til headeren …): …".
    let (names, name) = variants!(CredentialError {
        NotSaved,
        StoreUnavailable,
        NotText,
        InvalidName,
        TooLong,
        Ambiguous,
        Store
    });
    all.extend(rendered(
        "CredentialError",
        &names,
        name,
        vec![
            CredentialError::NotSaved {
                name: "fasit".into(),
            },
            CredentialError::StoreUnavailable { detail: detail() },
            CredentialError::NotText,
            CredentialError::InvalidName { detail: detail() },
            CredentialError::TooLong {
                what: "værdien".into(),
                limit: 2560,
            },
            CredentialError::Ambiguous {
                name: "fasit".into(),
            },
            CredentialError::Store { detail: detail() },
        ],
        |error| {
            HttpError::Credential {
                name: "fasit".into(),
                header: "Authorization".into(),
                error,
            }
            .to_string()
        },
    ));

    let (names, name) = variants!(HttpError {
        Connect,
        Timeout,
        Status,
        TooBig,
        NotJson,
        MissingField,
        EnvNotSet,
        Credential,
        SecretOverPlainHttp,
        CaFile,
        Client,
        DryRun,
        NotConfigured,
        Failed,
        Other
    });
    all.extend(rendered(
        "HttpError",
        &names,
        name,
        vec![
            HttpError::Connect {
                host: host(),
                reason: "Connection refused (os error 111)".into(),
            },
            HttpError::Timeout {
                host: host(),
                timeout: Duration::from_secs(10),
            },
            HttpError::Status {
                host: host(),
                status: 404,
                reason: "Not Found".into(),
            },
            HttpError::TooBig {
                host: host(),
                limit: 10 << 20,
            },
            HttpError::NotJson {
                host: host(),
                reason: "expected value at line 1 column 1".into(),
            },
            HttpError::MissingField {
                field: "aktiviteter[1].timer".into(),
            },
            HttpError::EnvNotSet {
                var: "FASIT_TOKEN".into(),
                header: "Authorization".into(),
            },
            HttpError::Credential {
                name: "fasit".into(),
                header: "Authorization".into(),
                error: CredentialError::NotText,
            },
            HttpError::SecretOverPlainHttp {
                header: "Authorization".into(),
                host: host(),
            },
            HttpError::CaFile {
                path: "/etc/genvej/ca.pem".into(),
                reason: detail(),
            },
            HttpError::Client { reason: detail() },
            HttpError::DryRun,
            HttpError::NotConfigured { host: host() },
            HttpError::Failed {
                host: host(),
                reason: detail(),
            },
            // The one use: a redirect the HTTP client refused (genvej-desktop's http.rs).
            HttpError::Other(format!(
                "{}: den videresendte fra https til http (ukrypteret) hos http://fasit.eksempelby.invalid; det følges ikke",
                host()
            )),
        ],
        |e| e.to_string(),
    ));

    let (names, name) = variants!(MergeFailure {
        ListUnreadable,
        NotAList,
        Download,
        Merge,
        CprInFileName
    });
    all.extend(rendered(
        "MergeFailure",
        &names,
        name,
        vec![
            MergeFailure::ListUnreadable {
                each: "rapporter".into(),
                detail: "en værdi er ikke defineret".into(),
            },
            MergeFailure::NotAList {
                each: "borger.navn".into(),
            },
            MergeFailure::Download {
                title: "Statusattest".into(),
                error: HttpError::Status {
                    host: host(),
                    status: 403,
                    reason: "Forbidden".into(),
                },
            },
            MergeFailure::Merge(DocumentError::Nothing),
            MergeFailure::CprInFileName,
        ],
        |e| e.to_string(),
    ));

    let (names, name) = variants!(DocumentError {
        NotPdf,
        NoPages,
        Nothing,
        Write
    });
    all.extend(rendered(
        "DocumentError",
        &names,
        name,
        vec![
            DocumentError::NotPdf {
                name: "Statusattest".into(),
                reason: "invalid file header".into(),
            },
            DocumentError::NoPages {
                name: "Statusattest".into(),
            },
            DocumentError::Nothing,
            DocumentError::Write(detail()),
        ],
        |e| e.to_string(),
    ));

    let (names, name) = variants!(RunError {
        WindowTimeout,
        FocusRefused,
        WrongWindow,
        PasteNotFetched,
        NoFocusedWindow,
        ModifiersHeld,
        Template,
        InputMissing,
        InputInvalid,
        RequirementFailed,
        Document,
        SourceFailed,
        UnknownSource,
        UrlRefused,
        NothingSelected,
        Desktop,
        TextTooLong,
        Internal,
        NotAList,
        TooManyItems,
        InGroup
    });
    all.extend(rendered(
        "RunError",
        &names,
        name,
        vec![
            RunError::WindowTimeout {
                window: "vindue med titel \"Fasit*\"".into(),
                timeout: Duration::from_secs(15),
            },
            RunError::FocusRefused {
                window: window("Fasit – Borger"),
                focused: None,
            },
            RunError::WrongWindow {
                expected: window("Fasit – Borger"),
                actual: Some(window("Outlook")),
            },
            RunError::PasteNotFetched {
                window: window("Fasit – Borger"),
                timeout: Duration::from_secs(2),
            },
            RunError::NoFocusedWindow,
            RunError::ModifiersHeld {
                timeout: Duration::from_secs(3),
            },
            RunError::Template {
                line: 12,
                detail: "en værdi er ikke defineret".into(),
            },
            RunError::InputMissing {
                label: "CPR-nummer".into(),
            },
            RunError::InputInvalid {
                label: "Mødedato".into(),
                reason: InputRejected::NotADate,
            },
            // The `message` of the script's own `require` step.
            RunError::RequirementFailed("Fristen skal ligge efter i dag.".into()),
            RunError::Document(MergeFailure::CprInFileName),
            RunError::SourceFailed {
                source_name: "borger".into(),
                error: HttpError::DryRun,
            },
            RunError::UnknownSource("borgr".into()),
            RunError::UrlRefused(UrlRefusal::NoScheme),
            RunError::NothingSelected,
            RunError::Desktop(PortError::WindowGone),
            RunError::TextTooLong {
                chars: 250_000,
                limit: 200_000,
            },
            RunError::Internal,
            RunError::NotAList {
                list: "plan.aktiviteter".into(),
            },
            RunError::TooManyItems {
                list: "plan.aktiviteter".into(),
                limit: 1000,
            },
            RunError::InGroup {
                item: 2,
                step: 3,
                action: "type",
                line: 31,
                error: Box::new(RunError::NoFocusedWindow),
            },
        ],
        |e| e.to_string(),
    ));

    // Shown after the label: "«Mødedato»: …".
    let (names, name) = variants!(InputRejected {
        Required,
        Pattern,
        TooShort,
        TooLong,
        CprFormat,
        CprDate,
        NotAChoice,
        NotADate,
        ShortYear,
        YearBefore1900,
        NotATime,
        DateTooEarly,
        DateTooLate,
        NotANumber,
        BelowMin,
        AboveMax,
        NotYesOrNo
    });
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date");
    all.extend(rendered(
        "InputRejected",
        &names,
        name,
        vec![
            InputRejected::Required,
            InputRejected::Pattern(Some("Sagsnummer som S-1234".into())),
            InputRejected::TooShort(3),
            InputRejected::TooLong(200),
            InputRejected::CprFormat,
            InputRejected::CprDate,
            InputRejected::NotAChoice(vec!["Fremmøde".into(), "Telefon".into()]),
            InputRejected::NotADate,
            InputRejected::ShortYear,
            InputRejected::YearBefore1900(26),
            InputRejected::NotATime,
            InputRejected::DateTooEarly(day),
            InputRejected::DateTooLate(day),
            InputRejected::NotANumber,
            InputRejected::BelowMin("0,5".into()),
            InputRejected::AboveMax("500".into()),
            InputRejected::NotYesOrNo,
        ],
        |reason| {
            RunError::InputInvalid {
                label: "Mødedato".into(),
                reason,
            }
            .to_string()
        },
    ));

    // Shown before "; intet blev åbnet".
    let (names, name) = variants!(UrlRefusal {
        Empty,
        HiddenCharacters,
        Backslash,
        NetworkPath,
        WindowsPath,
        NoScheme,
        Scheme,
        NoHost,
        UserInfo,
        Invalid,
        AmbiguousScheme
    });
    all.extend(rendered(
        "UrlRefusal",
        &names,
        name,
        vec![
            UrlRefusal::Empty,
            UrlRefusal::HiddenCharacters,
            UrlRefusal::Backslash,
            UrlRefusal::NetworkPath,
            UrlRefusal::WindowsPath { drive: 'C' },
            UrlRefusal::NoScheme,
            UrlRefusal::Scheme {
                scheme: "javascript".into(),
                allowed: "http og https".into(),
            },
            UrlRefusal::NoHost {
                scheme: "https".into(),
            },
            UrlRefusal::UserInfo,
            UrlRefusal::Invalid {
                reason: "invalid port number".into(),
            },
            UrlRefusal::AmbiguousScheme,
        ],
        |e| RunError::UrlRefused(e).to_string(),
    ));

    // The dry run's, in English, after "not run: --fixture NAME=…: ".
    let (names, name) = variants!(FixtureError {
        UnknownSource,
        TooBig,
        DocumentTooBig,
        NotPdf,
        NotJson,
        MissingField
    });
    all.extend(rendered(
        "FixtureError",
        &names,
        name,
        vec![
            FixtureError::UnknownSource {
                script: "forberedende-plan".into(),
                name: "borgr".into(),
                hint: " (did you mean `borger`?)".into(),
                known: "`borger` and `ydelser`".into(),
            },
            FixtureError::TooBig {
                name: "borger".into(),
                limit: 10 << 20,
            },
            FixtureError::DocumentTooBig {
                prefix: "https://fasit.eksempelby.invalid/dok".into(),
                limit: 50 << 20,
            },
            FixtureError::NotPdf {
                prefix: "https://fasit.eksempelby.invalid/dok".into(),
            },
            FixtureError::NotJson {
                name: "borger".into(),
                reason: "EOF while parsing an object at line 1 column 22".into(),
            },
            FixtureError::MissingField {
                name: "borger".into(),
                field: "adresse".into(),
            },
        ],
        |e| e.to_string(),
    ));
    all
}

fn patterns(page: &str) -> Vec<(usize, String)> {
    troubleshooting::message_patterns(page)
}

/// Whether `text` is `pattern`, where each `…` in the pattern stands for any text.
fn matches(pattern: &str, text: &str) -> bool {
    compiled(pattern).is_match(text)
}

#[test]
fn every_run_time_message_has_an_entry_in_troubleshooting() {
    let page = std::fs::read_to_string(PAGE).expect("the troubleshooting page");
    let patterns = patterns(&page);
    let compiled: Vec<regex::Regex> = patterns.iter().map(|(_, p)| compiled(p)).collect();
    let missing: Vec<String> = every_message()
        .into_iter()
        .filter(|(_, text)| !compiled.iter().any(|r| r.is_match(text)))
        .map(|(kind, text)| format!("{kind}: {text}"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/src/scripts/troubleshooting.md has no entry (a `message` table row with `…` for what varies) for:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_pattern_matches_only_its_own_message() {
    assert!(matches(
        "«…» mangler en værdi",
        "«CPR-nummer» mangler en værdi"
    ));
    assert!(!matches(
        "«…» mangler en værdi",
        "«CPR-nummer» mangler en værdi!"
    ));
    assert!(!matches("vinduet findes ikke længere", "vinduet findes"));
    let page = "| message | why |\n|---|---|\n| `aaa … bbb`, `` ccc `d` `` | x |\n\n| other |\n|---|\n| `c` |\n";
    assert_eq!(
        patterns(page),
        [(3, "aaa … bbb".to_string()), (3, "ccc `d`".to_string())]
    );
}
