//! A script's release metadata — `owner`, `version` and the `[approved]`
//! table — and the release check.
//!
//! The metadata is optional in every script, and checked whenever it is
//! given: it is shown to staff (the tray's About box, the cheat sheet), to
//! the IT office (`genvej list`) and written into bundle manifests and usage
//! records, so it is bounded, one line, and never holds a CPR number.
//! [`CheckMode::Release`] — `genvej check --release`, and the bundle builder
//! before it packs a library — makes all of it required for the
//! organisation's scripts, so nothing reaches staff without an owner, a
//! version and both approvals. A caseworker's own scripts never need it.

use std::ops::Range;

use chrono::NaiveDate;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::file_checker::FileChecker;
use super::model::{Approval, Release};
use super::raw::{self, At, RawApproval, RawApproved, RawHeader};
use crate::cpr::contains_cpr;
use crate::suggest::{did_you_mean, list};

/// How strictly scripts are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckMode {
    /// Release metadata is optional, and checked when given: what the agent
    /// loads and what `genvej check` reports.
    #[default]
    Normal,
    /// The release check (`genvej check --release`; the bundle builder):
    /// every script from the organisation's folders must also have `owner`,
    /// `version`, `approved.professional` and `approved.legal`, each missing
    /// one an error of its own. Personal scripts are checked as in `Normal`.
    Release,
}

/// The longest `version` accepted, in characters.
pub const MAX_VERSION_CHARS: usize = 40;
/// The longest `owner` or approver (`by`) accepted, in characters.
pub const MAX_PERSON_CHARS: usize = 120;

/// What a missing or wrong release key would look like written right.
const OWNER_EXAMPLE: &str = "owner = \"IT-kontoret, Anne Holm\"";
const VERSION_EXAMPLE: &str = "version = \"1.0\"";
const DATE_EXAMPLE: &str = "on = 2026-11-28";

/// The two approvals: their key, what they are, and an example.
const APPROVALS: [(&str, &str, &str); 2] = [
    (
        "professional",
        "professionally",
        "professional = { by = \"Mette Lund, teamleder\", on = 2026-11-28 }",
    ),
    (
        "legal",
        "legally",
        "legal = { by = \"Peter Juul, jurist\", on = 2026-11-30 }",
    ),
];

/// No approval is older than this.
fn earliest_approval() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

impl FileChecker<'_> {
    /// Reads `[approved]` before it is deserialized: a key it does not know
    /// (in it or in one approval) is reported with what was meant and
    /// dropped, so it does not hide the rest. `None` when it is not a table.
    pub(super) fn approved_table<'i>(
        &mut self,
        value: Spanned<DeValue<'i>>,
    ) -> Option<Spanned<DeValue<'i>>> {
        let span = value.span();
        let DeValue::Table(table) = value.into_inner() else {
            self.error(span, "`approved` must be a table").help(format!(
                "write an [approved] table with `{}`",
                APPROVALS[1].2
            ));
            return None;
        };
        let accepted = raw::keys_of::<RawApproved>();
        let mut kept = DeTable::new();
        for (key, value) in table {
            let name = key.get_ref().to_string();
            if !accepted.contains(&name) {
                self.unknown_key(&name, key.span(), "[approved]", &accepted);
                continue;
            }
            let value_span = value.span();
            let DeValue::Table(approval) = value.into_inner() else {
                let example = APPROVALS
                    .iter()
                    .find(|(k, _, _)| *k == name)
                    .map_or("", |(_, _, e)| e);
                self.error(value_span, format!("`approved.{name}` must be a table"))
                    .help(format!("write who approved and when, e.g. `{example}`"));
                self.dropped_keys.push(format!("approved.{name}"));
                continue;
            };
            let fields = raw::keys_of::<RawApproval>();
            let place = format!("approved.{name}");
            let mut approval_kept = DeTable::new();
            for (field, value) in approval {
                if fields.contains(field.get_ref().as_ref()) {
                    approval_kept.insert(field, value);
                } else {
                    self.unknown_key(field.get_ref().as_ref(), field.span(), &place, &fields);
                }
            }
            // A missing `by` or `on` is reported here, so that the other
            // approval is still read and checked.
            let mut complete = true;
            for (field, help) in [
                (
                    "by",
                    "add `by = \"…\"`: who approved, a name and a role, e.g. `by = \"Mette Lund, teamleder\"`",
                ),
                (
                    "on",
                    "add `on = 2026-11-28`: the day of the approval, without quotes",
                ),
            ] {
                if !approval_kept.keys().any(|k| k.get_ref().as_ref() == field) {
                    self.error(
                        value_span.clone(),
                        format!("missing field `{field}` in {place}"),
                    )
                    .help(help);
                    complete = false;
                }
            }
            if complete {
                kept.insert(key, Spanned::new(value_span, DeValue::Table(approval_kept)));
            } else {
                self.dropped_keys.push(place);
            }
        }
        Some(Spanned::new(span, DeValue::Table(kept)))
    }

    fn unknown_key(
        &mut self,
        name: &str,
        span: Range<usize>,
        place: &str,
        accepted: &std::collections::BTreeSet<String>,
    ) {
        let mut help = did_you_mean(name, accepted.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        let valid: Vec<&str> = accepted.iter().map(String::as_str).collect();
        help.push_str(&format!("valid keys are {}", list(&valid)));
        self.error(span, format!("unknown key `{name}` in {place}"))
            .help(help);
    }

    /// Checks the release metadata the header gives and, in
    /// [`CheckMode::Release`], that none of it is missing.
    pub(super) fn release(&mut self, header: &RawHeader) -> Release {
        let owner = header.owner.as_ref().and_then(|owner| {
            self.one_line(
                owner,
                "owner",
                "the team and the person who answer for the script",
                OWNER_EXAMPLE,
            )
        });
        let version = header.version.as_ref().and_then(|v| self.version(v));
        let approved = header.approved.as_ref().map(At::get);
        let professional = approved
            .and_then(|a| a.professional.as_ref())
            .and_then(|a| self.approval(a, "professional"));
        let legal = approved
            .and_then(|a| a.legal.as_ref())
            .and_then(|a| self.approval(a, "legal"));
        if self.mode == CheckMode::Release {
            self.require_release(header);
        }
        Release {
            owner,
            version,
            professional,
            legal,
        }
    }

    /// Every release key the script lacks, each an error at the `id` line
    /// (or the `[approved]` table), with the line that would fix it.
    fn require_release(&mut self, header: &RawHeader) {
        let at_id = header
            .id
            .as_ref()
            .map_or(0..0, |id| self.line_at(id.span().start));
        // A key dropped for a bad value is already reported.
        let reported = |checker: &Self, key: &str| checker.dropped_keys.iter().any(|k| k == key);
        if header.owner.is_none() && !reported(self, "owner") {
            self.error(
                at_id.clone(),
                "missing field `owner` (required by --release)",
            )
            .help(format!(
                "add `{OWNER_EXAMPLE}` below `id`: the team and person who answer for the script"
            ));
        }
        if header.version.is_none() && !reported(self, "version") {
            self.error(at_id.clone(), "missing field `version` (required by --release)")
                .help(format!(
                    "add `{VERSION_EXAMPLE}` below `id`, and raise it with every change: usage records and bundles carry it"
                ));
        }
        if reported(self, "approved") {
            return;
        }
        let approved = header.approved.as_ref();
        for (key, how, example) in APPROVALS {
            let present = approved.is_some_and(|a| match key {
                "professional" => a.get().professional.is_some(),
                _ => a.get().legal.is_some(),
            });
            if present || reported(self, &format!("approved.{key}")) {
                continue;
            }
            let (span, help) = match approved {
                Some(table) => (
                    self.line_at(table.span().start),
                    format!(
                        "add `{example}` to [approved]: who approved the script {how}, and when"
                    ),
                ),
                None => (
                    at_id.clone(),
                    format!(
                        "add an [approved] table with `{example}`: who approved the script {how}, and when"
                    ),
                ),
            };
            self.error(
                span,
                format!("missing field `approved.{key}` (required by --release)"),
            )
            .help(help);
        }
    }

    /// `owner` or an approver: non-empty, one line, bounded, no CPR number.
    /// The message never repeats the value.
    fn one_line(
        &mut self,
        at: &At<String>,
        what: &str,
        purpose: &str,
        example: &str,
    ) -> Option<String> {
        let text = at.get().trim();
        let chars = text.chars().count();
        let problem = if text.is_empty() {
            format!("`{what}` is empty")
        } else if contains_cpr(text) {
            format!("`{what}` contains a CPR number")
        } else if chars > MAX_PERSON_CHARS {
            format!("`{what}` is {chars} characters long; at most {MAX_PERSON_CHARS}")
        } else if text.chars().any(char::is_control) {
            format!("`{what}` must be one line of text")
        } else {
            return Some(text.to_string());
        };
        let help = if problem.contains("CPR") {
            format!(
                "release metadata is shown in lists, the About box and bundle manifests: name {purpose}, never a CPR number, e.g. `{example}`"
            )
        } else {
            format!("{purpose}, e.g. `{example}`")
        };
        self.error(at.span(), problem).help(help);
        None
    }

    /// `version`: 1–40 ASCII letters, digits, `.`, `-`, `_` and `+`.
    fn version(&mut self, at: &At<String>) -> Option<String> {
        let version = at.get();
        let help = format!("e.g. `{VERSION_EXAMPLE}` or `version = \"2026.2-rc1\"`");
        let chars = version.chars().count();
        let problem = if version.is_empty() {
            "`version` is empty".to_string()
        } else if contains_cpr(version) {
            "`version` contains a CPR number".to_string()
        } else if chars > MAX_VERSION_CHARS {
            format!("`version` is {chars} characters long; at most {MAX_VERSION_CHARS}")
        } else if let Some(bad) = version
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+')))
        {
            let bad = if bad == ' ' {
                "a space".to_string()
            } else {
                format!("{bad:?}")
            };
            format!(
                "`version` may hold only letters a–z and A–Z, digits, `.`, `-`, `_` and `+`, not {bad}"
            )
        } else {
            return Some(version.clone());
        };
        self.error(at.span(), problem).help(help);
        None
    }

    fn approval(&mut self, at: &At<RawApproval>, key: &str) -> Option<Approval> {
        let raw = at.get();
        let example = APPROVALS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or("", |(_, _, e)| e);
        let by = self.one_line(
            &raw.by,
            &format!("approved.{key}.by"),
            "who approved: a name and a role",
            example,
        );
        let on = self.approval_date(&raw.on, key);
        Some(Approval { by: by?, on: on? })
    }

    /// `on`: a TOML local date (or the same date quoted), from 2000 to today.
    fn approval_date(&mut self, at: &At<toml::Value>, key: &str) -> Option<NaiveDate> {
        let field = format!("approved.{key}.on");
        let written_right =
            format!("write the day without quotes or a time, e.g. `{DATE_EXAMPLE}`");
        let date = match at.get() {
            toml::Value::Datetime(datetime) => match (datetime.date, datetime.time) {
                (Some(date), None) => NaiveDate::from_ymd_opt(
                    i32::from(date.year),
                    u32::from(date.month),
                    u32::from(date.day),
                ),
                _ => {
                    self.error(at.span(), format!("`{field}` must be a day, not a time"))
                        .help(written_right);
                    return None;
                }
            },
            toml::Value::String(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok(),
            _ => None,
        };
        let Some(date) = date else {
            self.error(
                at.span(),
                format!("`{field}` must be a date such as 2026-11-28"),
            )
            .help(written_right);
            return None;
        };
        let today = chrono::Local::now().date_naive();
        if date > today {
            // An error for the release check; elsewhere a warning, so that
            // a workstation whose clock is behind still loads an approved
            // script.
            let message = format!("the approval date {date} is in the future");
            let help = "write the day the approval was given; it cannot be later than today";
            if self.mode == CheckMode::Release {
                self.error(at.span(), message).help(help);
                return None;
            }
            self.warning(at.span(), message).help(help);
        }
        if date < earliest_approval() {
            self.error(
                at.span(),
                format!("the approval date {date} is before 2000"),
            )
            .help(format!(
                "write the day the approval was given, e.g. `{DATE_EXAMPLE}`"
            ));
            return None;
        }
        Some(date)
    }

    /// The whole line that holds byte `offset`, to point at.
    fn line_at(&self, offset: usize) -> Range<usize> {
        let start = self
            .text
            .get(..offset)
            .and_then(|before| before.rfind('\n'))
            .map_or(0, |at| at + 1);
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |at| start + at);
        start..self.text[start..end].trim_end().len() + start
    }
}
