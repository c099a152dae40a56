//! What the fuzz targets share: the shipped config, a run's template
//! context, and the list of panics already known and being fixed on other
//! branches, which the targets step over so that the fuzzer keeps looking
//! for new ones instead of stopping at the first known one.
//!
//! Set `GENVEJ_FUZZ_STRICT=1` to treat the known panics as crashes too
//! (to check that a fix has landed).

use std::path::Path;
use std::sync::{LazyLock, Once};

use genvej_format::config::Config;
use genvej_format::cpr::Cpr;
use genvej_format::template::{cpr_value, org_value};
use minijinja::Value;

/// A panic already reported and being fixed elsewhere.
pub struct Known {
    /// Part of the panic message.
    pub message: &'static str,
    /// Part of the panic location's file path ("" for any).
    pub file: &'static str,
    /// The branch fixing it (for the reader of this list).
    pub branch: &'static str,
}

/// Panics in template filters (issue 14, item 1): the `run-safety` branch
/// makes them template errors.
pub const KNOWN_TEMPLATE: &[Known] = &[];

/// Panics reading a crafted export (issue 14, item 7): the `cpr-report`
/// branch names and skips such a file.
pub const KNOWN_REPORT: &[Known] = &[];

/// Runs `body`, stepping over the `known` panics (unless strict); any other
/// panic aborts as libFuzzer expects and is saved as a crash.
pub fn run_tolerating(known: &'static [Known], body: impl FnOnce() + std::panic::UnwindSafe) {
    static HOOK: Once = Once::new();
    static KNOWN: std::sync::OnceLock<&'static [Known]> = std::sync::OnceLock::new();
    if std::env::var_os("GENVEJ_FUZZ_STRICT").is_some() {
        body();
        return;
    }
    let _ = KNOWN.set(known);
    HOOK.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let file = info.location().map(|l| l.file()).unwrap_or("");
            let is_known = KNOWN.get().is_some_and(|list| {
                list.iter()
                    .any(|k| message.contains(k.message) && file.contains(k.file))
            });
            if !is_known {
                fuzzer_hook(info);
            }
        }));
    });
    let _ = std::panic::catch_unwind(body);
}

/// The shipped config (config/genvej.toml), read once.
pub static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/genvej.toml");
    Config::load(&path).unwrap_or_else(|e| panic!("the shipped config must load: {e}"))
});

/// Variables like those of a run: the globals, a CPR, numbers, text, a list
/// and a nested answer from a source.
pub fn template_context() -> Value {
    let cpr = Cpr::parse("070761-4285").map(cpr_value).unwrap_or_default();
    let org = std::collections::BTreeMap::from([
        (
            "fasit_url".to_string(),
            toml::Value::from("https://fasit.invalid"),
        ),
        ("kommune".to_string(), toml::Value::from("Eksempelby")),
        ("max".to_string(), toml::Value::from(12)),
    ]);
    minijinja::context! {
        today => "2026-11-23",
        now => "09:30",
        profile => minijinja::context! { name => "Mette Hansen", title => "Sagsbehandler", unit => "Team A", phone => "12345678", email => "m@x.invalid", address => "Vej 1" },
        org => org_value(&org),
        script => minijinja::context! { id => "fuzz", name => "Fuzz" },
        cpr => cpr,
        km => 12.5,
        n => 3,
        big => i64::MAX,
        small => i64::MIN,
        tekst => "Søren & Co/1 \"citat\" <b>",
        tom => "",
        dato => "31-12-2026",
        punkter => vec!["Mål", "Indsats", "Opfølgning"],
        borger => minijinja::context! { navn => "Anna", adresse => minijinja::context! { vej => "Vej 2", postnr => "8000" }, ydelser => vec![1, 2, 3] },
    }
}
