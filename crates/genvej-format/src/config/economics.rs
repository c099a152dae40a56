//! `[economics]`: how `genvej report` turns hours saved into årsværk and
//! kroner, and the hours spent building and introducing the hot keys that
//! are subtracted before the payback date.
//!
//! The defaults reproduce the 2016 business case: ½ hour per caseworker per
//! week ≈ 7 årsværk ≈ 3.5 mio. kr. — 7 årsværk of 1,924 hours (37 hours ×
//! 52 weeks) at 260 kr. an hour is 3,501,680 kr. These figures are the
//! organisation's accounting, not the caseworker's: the whole table is
//! machine-wide only (see [`ALWAYS_LOCKED`](crate::policy::ALWAYS_LOCKED)).
//! The costs live here, not in the scripts: the report is made from usage
//! exports without the script files, the same hours are often spent on a
//! release rather than one script, and the IT office that keeps the
//! accounts is the one that keeps this file.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `[economics]` in `genvej.toml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EconomicsSettings {
    /// What one hour of a caseworker's time costs, in kroner (default 260:
    /// the business case's 3.5 mio. kr. for 7 årsværk of 1,924 hours).
    #[serde(default = "default_hourly_cost")]
    pub hourly_cost: f64,
    /// Hours in one årsværk (a full-time year; default 1924 = 37 hours ×
    /// 52 weeks).
    #[serde(default = "default_hours_per_fte")]
    pub hours_per_fte: f64,
    /// Hours spent developing and introducing hot keys, subtracted from the
    /// time saved: `[[economics.costs]]` with `hours`, and `script` (its id)
    /// for one script's hours or none for a release or the whole library,
    /// and `what` (e.g. "udvikling", "fase 2: introduktion").
    #[serde(default)]
    pub costs: Vec<CostEntry>,
}

/// Hours spent on a script, a release or the whole library.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CostEntry {
    /// Hours spent (0–100000).
    pub hours: f64,
    /// The script the hours were spent on (its `id`, at most 80
    /// characters); none: a release or the whole library.
    #[serde(default)]
    pub script: Option<String>,
    /// What the hours went to, shown in the report (at most 80 characters).
    #[serde(default)]
    pub what: String,
}

/// The longest `what` of a cost entry.
pub const MAX_COST_LABEL_CHARS: usize = 80;
/// The most hours one cost entry may hold.
pub const MAX_COST_HOURS: f64 = 100_000.0;

impl Default for EconomicsSettings {
    fn default() -> Self {
        EconomicsSettings {
            hourly_cost: default_hourly_cost(),
            hours_per_fte: default_hours_per_fte(),
            costs: Vec::new(),
        }
    }
}

fn default_hourly_cost() -> f64 {
    260.0
}
fn default_hours_per_fte() -> f64 {
    1924.0
}

impl EconomicsSettings {
    /// The first value out of range: the key (below `economics`) and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if !(self.hourly_cost.is_finite()
            && self.hourly_cost > 0.0
            && self.hourly_cost <= 100_000.0)
        {
            return Err((
                "hourly_cost",
                format!(
                    "{} is out of range; give the kroner one hour costs, above 0 and at most 100000 (the business case: 260)",
                    self.hourly_cost
                ),
            ));
        }
        if !(self.hours_per_fte.is_finite()
            && self.hours_per_fte >= 1.0
            && self.hours_per_fte <= 8784.0)
        {
            return Err((
                "hours_per_fte",
                format!(
                    "{} is out of range; give the hours of one årsværk, 1–8784 (37 hours × 52 weeks = 1924)",
                    self.hours_per_fte
                ),
            ));
        }
        for (n, cost) in self.costs.iter().enumerate() {
            if !(cost.hours.is_finite() && (0.0..=MAX_COST_HOURS).contains(&cost.hours)) {
                return Err((
                    "costs",
                    format!(
                        "entry {}: hours {} is out of range; give 0–{MAX_COST_HOURS}",
                        n + 1,
                        cost.hours
                    ),
                ));
            }
            if cost.what.chars().count() > MAX_COST_LABEL_CHARS {
                return Err((
                    "costs",
                    format!(
                        "entry {}: `what` is longer than {MAX_COST_LABEL_CHARS} characters",
                        n + 1
                    ),
                ));
            }
            if let Some(script) = &cost.script {
                if script.chars().count() > MAX_COST_LABEL_CHARS
                    || !crate::script::is_script_id(script)
                {
                    return Err((
                        "costs",
                        format!(
                            "entry {}: `script` is not a script id; give the `id` of a script (lower-case letters a–z, digits and `-`, at most {MAX_COST_LABEL_CHARS} characters), or leave it out for a release",
                            n + 1
                        ),
                    ));
                }
            }
            if crate::cpr::contains_cpr(&cost.what)
                || cost.script.as_deref().is_some_and(crate::cpr::contains_cpr)
            {
                return Err((
                    "costs",
                    format!(
                        "entry {}: holds a CPR number; a cost names a script or a release",
                        n + 1
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Hours as årsværk.
    pub fn fte(&self, hours: f64) -> f64 {
        hours / self.hours_per_fte
    }

    /// Hours as kroner.
    pub fn kroner(&self, hours: f64) -> f64 {
        hours * self.hourly_cost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_reproduce_the_business_case() {
        let e = EconomicsSettings::default();
        // ½ hour a week for 518 caseworkers over 52 weeks.
        let hours = 0.5 * 52.0 * 518.0;
        assert_eq!(hours, 13_468.0);
        assert!((e.fte(hours) - 7.0).abs() < 1e-9, "7 årsværk");
        assert!(
            (e.kroner(hours) - 3_501_680.0).abs() < 1e-6,
            "≈ 3.5 mio. kr."
        );
    }
}
