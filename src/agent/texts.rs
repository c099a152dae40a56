//! Every Danish text the agent itself shows a caseworker, in one place: the
//! notices, the stopwatch's form, the About box and the reason a refused
//! start is recorded with. The log stays English; the texts of a failed run
//! come from the engine's errors, the menu's labels from the tray.

use std::path::Path;

pub const FAILED: &str = "fejl";
pub const NOT_RUN: &str = "ikke kørt";

pub fn not_run(name: &str, reason: &str) -> String {
    format!("«{name}» blev ikke kørt: {reason}")
}

/// What the command palette is called where a running script's name would be.
pub const PALETTE_NAME: &str = "Kør en genvej";

pub const BUSY_TITLE: &str = "genvej: optaget";

pub fn busy(refused: &str, running: &str) -> String {
    format!("«{refused}» blev ikke startet, fordi «{running}» stadig kører.")
}

/// Why a start was refused, as its usage record says.
pub const BUSY_REASON: &str = "en anden genvej kørte";

pub const SCRIPT_ERRORS_TITLE: &str = "genvej: fejl i scripts";

pub fn script_errors(errors: usize, first: &str) -> String {
    format!("De ændrede scripts har {errors} fejl; de tidligere genveje virker stadig.\n{first}")
}

pub const UNSAFE_SETUP_TITLE: &str = "Usikker opsætning";

pub fn unsafe_setup(locations: &[&Path]) -> String {
    let list: Vec<String> = locations
        .iter()
        .map(|path| format!("  {}", path.display()))
        .collect();
    format!(
        "Du kan ændre organisationens genveje eller opsætning her, selvom du ikke er administrator:\n{}\nKontakt IT-afdelingen: kun administratorer må kunne skrive dér.",
        list.join("\n")
    )
}

pub const MEASURING_TITLE: &str = "genvej: måler manuel tid";
pub const MEASURING_WITH_TITLE: &str = "genvej: måler tid med genvej";

/// `stop_key`: the stopwatch's chord, when one is configured.
pub fn measuring(name: &str, stop_key: Option<String>) -> String {
    let stop = stop_key.unwrap_or_else(|| "bakkens «Stop måling»".to_string());
    format!("Stopuret kører for «{name}». Løs opgaven i hånden, og tryk {stop}, når den er færdig.")
}

/// The stopwatch started for the whole task done with genvej.
pub fn measuring_with(name: &str, stop_key: Option<String>) -> String {
    let stop = stop_key.unwrap_or_else(|| "bakkens «Stop måling»".to_string());
    format!(
        "Stopuret kører for «{name}» med genvej. Løs hele opgaven — også det, du læser, tjekker og gør færdigt før og efter genvejen — og tryk {stop}, når den er færdig."
    )
}

pub const MEASURED_TITLE: &str = "genvej: manuel tid gemt";
pub const MEASURED_WITH_TITLE: &str = "genvej: tid med genvej gemt";

pub fn measured(name: &str, took: &str) -> String {
    format!("«{name}» tog {took} i hånden. Tak — målingen er gemt.")
}

pub fn measured_with(name: &str, took: &str) -> String {
    format!("«{name}» tog {took} med genvej. Tak — målingen er gemt.")
}

pub const STOPWATCH_FORM_TITLE: &str = "Mål tid";
pub const STOPWATCH_QUESTION: &str = "Hvilken opgave løser du nu?";
pub const STOPWATCH_HELP: &str = "Vælg med piletasterne op og ned. Tab går til næste felt.";
pub const STOPWATCH_SIDE_QUESTION: &str = "Hvordan løser du den?";
/// The two sides of the stopwatch; the first is the default.
pub const STOPWATCH_BY_HAND: &str = "uden genvej – i hånden, som før";
pub const STOPWATCH_WITH_GENVEJ: &str = "med genvej – hele opgaven, også før og efter genvejen";
pub const STOPWATCH_SIDE_HELP: &str = "Stopuret starter, når du trykker Enter. Tryk stopurets genvej igen (eller brug bakken), når opgaven er færdig.";

pub const PULSE_TITLE: &str = "Hvor godt hjalp genvejen?";

/// The pulse's one question.
pub fn pulse_question(name: &str) -> String {
    format!("Hvor godt hjalp «{name}» dig i dag?")
}

pub const PULSE_HELP: &str = "Vælg 1–5 med piletasterne op og ned, og tryk Enter. Escape springer over. genvej spørger højst én gang om ugen om hver genvej; svarene vises kun samlet for mindst fem personer, aldrig med dit navn.";

pub const ABOUT_TITLE: &str = "Om genvej";

/// What the About box says of the loaded script library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Library {
    pub scripts: usize,
    /// Scripts with both the professional and the legal approval.
    pub approved: usize,
    /// The sequence number of the signed bundle the scripts came from.
    pub bundle: Option<u64>,
}

impl Library {
    pub fn of(scripts: &[impl std::ops::Deref<Target = genvej_format::script::Script>]) -> Library {
        Library {
            scripts: scripts.len(),
            approved: scripts
                .iter()
                .filter(|s| s.release.fully_approved())
                .count(),
            bundle: scripts.iter().filter_map(|s| s.file.bundle).max(),
        }
    }

    /// "7 genveje, heraf 7 godkendt fagligt og juridisk (bundt 12)".
    fn line(&self) -> String {
        let mut line = format!(
            "{} genveje, heraf {} godkendt fagligt og juridisk",
            self.scripts, self.approved
        );
        if let Some(bundle) = self.bundle {
            line.push_str(&format!(" (bundt {bundle})"));
        }
        line
    }
}

/// The About box: genvej's version, the library (how many scripts, how
/// many fully approved, from which bundle), where the scripts and the
/// config come from, and the log folder.
pub fn about(
    library: Library,
    folders: &[&Path],
    configs: &[&Path],
    log_folder: Option<&Path>,
) -> String {
    let list = |paths: &[&Path]| {
        paths
            .iter()
            .map(|p| format!("  {}", p.display()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut text = format!(
        "genvej {}\n\n{}\nIndlæst fra:\n{}\n\nKonfiguration:\n{}",
        env!("CARGO_PKG_VERSION"),
        library.line(),
        list(folders),
        list(configs),
    );
    if let Some(folder) = log_folder {
        text.push_str(&format!("\n\nLogmappe:\n  {}", folder.display()));
    }
    text
}

/// A duration as a caseworker says it: "38 s", "4 min 12 s", "1 t 5 min".
pub fn spoken(took: std::time::Duration) -> String {
    let total = took.as_secs();
    let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
    match (hours, minutes) {
        (0, 0) => format!("{seconds} s"),
        (0, m) => format!("{m} min {seconds} s"),
        (h, m) => format!("{h} t {m} min"),
    }
}

pub const BUNDLE_REFUSED_TITLE: &str = "genvej: ny udgave afvist";

/// A bundle was refused; `reason` from [`bundle_fault`] and its kin.
pub fn bundle_refused(reason: &str) -> String {
    format!(
        "En ny udgave af organisationens genveje blev afvist: {reason}. De genveje, du har nu, virker stadig.\nIT-afdelingen kan se detaljerne i genvejs log."
    )
}

/// Why a bundle was refused, in a caseworker's words.
pub fn bundle_fault(fault: genvej_bundle::Fault) -> String {
    use genvej_bundle::Fault;
    match fault {
        Fault::NotABundle => "filen er ikke et bundt med genveje",
        Fault::Unsigned => "den er ikke underskrevet",
        Fault::UntrustedKey => "den er underskrevet med en nøgle, organisationen ikke har godkendt",
        Fault::BadSignature => "underskriften passer ikke til indholdet",
        Fault::Altered => "indholdet er ændret, efter at det blev underskrevet",
        Fault::Malformed => "den er beskadiget eller ufuldstændig",
        Fault::TooLarge => "den er for stor",
    }
    .to_string()
}

pub fn bundle_older(sequence: u64, running: u64) -> String {
    format!("den er ældre (nr. {sequence}) end den, der kører nu (nr. {running})")
}

pub fn bundle_conflicting(sequence: u64) -> String {
    format!("den har samme nummer ({sequence}) som den, der kører nu, men et andet indhold")
}

pub const NO_LIBRARY_TITLE: &str = "genvej: organisationens genveje mangler";

pub fn no_library(minutes: u64) -> String {
    format!(
        "Organisationens genveje kunne ikke hentes, og der er ingen gemt kopi på denne computer. Dine egne genveje virker. genvej prøver igen om {minutes} min."
    )
}

/// The window a sequence's leader shows: which keys may follow, each with
/// its script's name, and how to cancel, e.g.
/// «J Journalnotat · P Plan · Esc annullér»; one key a line when there are
/// more than four, so a long list stays readable.
pub fn sequence_keys(keys: &[(String, &str)]) -> String {
    let mut parts: Vec<String> = keys
        .iter()
        .map(|(key, name)| format!("{key} {name}"))
        .collect();
    parts.push("Esc annullér".into());
    let separator = if keys.len() > 4 { "\n" } else { " · " };
    parts.join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_names_the_library_its_approvals_and_its_bundle() {
        let library = Library {
            scripts: 7,
            approved: 6,
            bundle: None,
        };
        let text = about(library, &[Path::new("/srv/genveje")], &[], None);
        assert!(
            text.starts_with(&format!("genvej {}\n\n", env!("CARGO_PKG_VERSION"))),
            "{text}"
        );
        assert!(
            text.contains(
                "7 genveje, heraf 6 godkendt fagligt og juridisk\nIndlæst fra:\n  /srv/genveje"
            ),
            "{text}"
        );
        assert!(!text.contains("bundt"), "{text}");
        let bundled = Library {
            bundle: Some(12),
            ..library
        };
        assert!(
            about(bundled, &[], &[], None)
                .contains("7 genveje, heraf 6 godkendt fagligt og juridisk (bundt 12)")
        );
    }

    #[test]
    fn a_sequence_lists_its_keys_and_how_to_cancel() {
        let keys = [("J".to_string(), "Journalnotat"), ("P".to_string(), "Plan")];
        assert_eq!(
            sequence_keys(&keys),
            "J Journalnotat · P Plan · Esc annullér"
        );
        let many: Vec<(String, &str)> = ["A", "B", "C", "D", "E"]
            .iter()
            .map(|k| (k.to_string(), "Brev"))
            .collect();
        assert_eq!(
            sequence_keys(&many),
            "A Brev\nB Brev\nC Brev\nD Brev\nE Brev\nEsc annullér"
        );
    }
}
