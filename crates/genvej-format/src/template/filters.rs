//! genvej's own template filters: Danish dates and numbers, and whole
//! URLs from data (`url`).
//!
//! Their arguments come from scripts and from data (a form, an HTTP answer),
//! so every bad value is a template error naming what is wrong — the engine
//! adds the script and line — never a panic, an endless loop or a huge
//! allocation.

use chrono::NaiveDate;
use minijinja::value::{Kwargs, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State};

use super::{danish, workdays};
use crate::cpr;
use crate::policy::Policy;
use crate::url_rules::{UrlRefusal, check_open_url};

/// The longest address the `url` filter passes on, in bytes.
pub const MAX_URL_BYTES: usize = 4096;

fn date_arg(value: &str) -> Result<NaiveDate, Error> {
    danish::parse_date(value).ok_or_else(|| {
        // A value that is not a date may be anything (a CPR number, a whole
        // answer): show only its start.
        let shown: String = value.chars().take(40).collect();
        let more = if value.chars().nth(40).is_some() {
            "…"
        } else {
            ""
        };
        Error::new(
            ErrorKind::InvalidOperation,
            format!("`{shown}{more}` is not a date; dates are written 2026-11-23 (or 23-11-2026)"),
        )
    })
}

fn out_of_range(filter: &str, n: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!("{filter}({n}) goes outside the calendar (years -262143 to 262142)"),
    )
}

fn number_error(e: danish::NumberError) -> Error {
    Error::new(ErrorKind::InvalidOperation, e.to_string())
}

pub(super) fn add(env: &mut Environment<'static>) {
    env.add_filter("date_long", |d: String| date_arg(&d).map(danish::long));
    env.add_filter("date_short", |d: String| date_arg(&d).map(danish::short));
    env.add_filter("weekday_name", |d: String| {
        date_arg(&d).map(|d| danish::weekday_name(d).to_string())
    });
    env.add_filter("add_days", |d: String, n: i64| {
        danish::add_days(date_arg(&d)?, n)
            .map(danish::iso)
            .ok_or_else(|| out_of_range("add_days", n))
    });
    env.add_filter("add_weeks", |d: String, n: i64| {
        danish::add_weeks(date_arg(&d)?, n)
            .map(danish::iso)
            .ok_or_else(|| out_of_range("add_weeks", n))
    });
    env.add_filter("add_months", |d: String, n: i32| {
        danish::add_months(date_arg(&d)?, n)
            .map(danish::iso)
            .ok_or_else(|| out_of_range("add_months", n))
    });
    env.add_filter("add_weekdays", |d: String, n: u32| {
        danish::add_weekdays(date_arg(&d)?, n)
            .map(danish::iso)
            .ok_or_else(|| out_of_range("add_weekdays", n))
    });
    env.add_filter("next_weekday", |d: String| {
        danish::next_weekday(date_arg(&d)?)
            .map(danish::iso)
            .ok_or_else(|| out_of_range("next_weekday", ""))
    });
    env.add_filter("weekday_on_or_after", |d: String| {
        danish::weekday_on_or_after(date_arg(&d)?)
            .map(danish::iso)
            .ok_or_else(|| out_of_range("weekday_on_or_after", ""))
    });
    env.add_filter("add_workdays", |d: String, n: u32| {
        if n > workdays::MAX_WORKDAYS {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "add_workdays({n}) counts too far; at most {} working days",
                    workdays::MAX_WORKDAYS
                ),
            ));
        }
        workdays::add_workdays(date_arg(&d)?, n)
            .map(danish::iso)
            .ok_or_else(|| out_of_range("add_workdays", n))
    });
    env.add_filter("next_workday", |d: String| {
        workdays::next_workday(date_arg(&d)?)
            .map(danish::iso)
            .ok_or_else(|| out_of_range("next_workday", ""))
    });
    env.add_filter("workday_on_or_after", |d: String| {
        workdays::workday_on_or_after(date_arg(&d)?)
            .map(danish::iso)
            .ok_or_else(|| out_of_range("workday_on_or_after", ""))
    });
    env.add_filter("is_workday", |d: String| {
        date_arg(&d).map(workdays::is_workday)
    });
    env.add_filter("day_off", |d: String| {
        date_arg(&d).map(|d| workdays::day_off(d).unwrap_or_default().to_string())
    });
    env.add_filter(
        "number",
        |v: f64, decimals: Option<usize>, kwargs: Kwargs| -> Result<String, Error> {
            let named: Option<usize> = kwargs.get("decimals")?;
            kwargs.assert_all_used()?;
            let decimals = match (decimals, named) {
                (Some(_), Some(_)) => {
                    return Err(Error::new(
                        ErrorKind::TooManyArguments,
                        "number() is given the decimals twice; write `number(2)` or `number(decimals=2)`",
                    ));
                }
                (given, named) => given.or(named).unwrap_or(2),
            };
            danish::number(v, decimals).map_err(number_error)
        },
    );
    env.add_filter("kr", |v: f64| {
        danish::number(v, 2)
            .map(|n| format!("{n} kr."))
            .map_err(number_error)
    });
    env.add_filter("url", whole_url);
}

/// `{{ sag.dokument_url | url }}`: an address from data, inserted into a URL
/// template whole (not URL-encoded) — but only an absolute `http`/`https`
/// address with a host, no user name, nothing hidden and at most
/// [`MAX_URL_BYTES`]; anything else stops the run. The rules are those of
/// `open_url` ([`crate::url_rules`]) without the organisation's extra schemes.
///
/// What it passes on is the address as the URL parser writes it: the same
/// address, with characters that do not belong in one (`"`, `<`, `>`)
/// percent-encoded. Only a URL template takes it as written; in a JSON body
/// it is still quoted as text, in typed text it is plain text.
fn whole_url(state: &State, value: &Value) -> Result<Value, Error> {
    let Some(text) = value.as_str() else {
        return Err(url_error(
            "it is given no text".into(),
            &value.kind().to_string(),
        ));
    };
    if text.len() > MAX_URL_BYTES {
        return Err(url_error(
            format!("it is longer than {MAX_URL_BYTES} bytes"),
            text,
        ));
    }
    let web = ["http://", "https://"].iter().any(|scheme| {
        text.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    });
    let checked = check_open_url(text, &Policy::default());
    match checked {
        Ok(()) if web => {
            let address = url::Url::parse(text)
                .map(String::from)
                .map_err(|e| url_error(format!("it is not a valid URL ({e})"), text))?;
            let in_url = matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "url");
            Ok(if in_url {
                Value::from_safe_string(address)
            } else {
                Value::from(address)
            })
        }
        Ok(()) | Err(UrlRefusal::Scheme { .. }) => Err(url_error(
            "it does not start with http:// or https://".into(),
            text,
        )),
        Err(refusal) => Err(url_error(refusal.for_author(), text)),
    }
}

/// The error of the `url` filter: what is wrong and the start of the value,
/// with any CPR number masked and control characters shown as `?`.
fn url_error(reason: String, value: &str) -> Error {
    let masked = cpr::redact(value);
    let mut shown: String = masked
        .chars()
        .take(60)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if masked.chars().nth(60).is_some() {
        shown.push('…');
    }
    Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "the `url` filter passes on only a whole http:// or https:// address, and `{shown}` is not one: {reason}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::template::{Renderer, TemplateUse};
    use minijinja::{Value, context};

    fn render(source: &str) -> Result<String, minijinja::Error> {
        Renderer::new().render(
            source,
            TemplateUse::Text,
            &context! { today => "2026-11-23" },
        )
    }

    /// Every filter, given values out of its range, answers with an error
    /// that says what is wrong — and never panics, hangs or allocates much.
    #[test]
    fn every_filter_turns_bad_values_into_errors() {
        let cases = [
            (
                "{{ today | add_days(9999999999999) }}",
                "outside the calendar",
            ),
            (
                "{{ today | add_days(-9223372036854775808) }}",
                "outside the calendar",
            ),
            (
                "{{ today | add_weeks(9223372036854775807) }}",
                "outside the calendar",
            ),
            (
                "{{ today | add_weeks(-1317624576693539401) }}",
                "outside the calendar",
            ),
            (
                "{{ today | add_months(2147483647) }}",
                "outside the calendar",
            ),
            (
                "{{ today | add_months(-2147483648) }}",
                "outside the calendar",
            ),
            ("{{ today | add_months(99999999999) }}", ""),
            (
                "{{ today | add_weekdays(4294967295) }}",
                "outside the calendar",
            ),
            ("{{ today | add_weekdays(-1) }}", ""),
            ("{{ '+262142-12-31' | next_weekday }}", ""),
            ("{{ 'i morgen' | date_long }}", "is not a date"),
            ("{{ '31-02-2026' | date_short }}", "is not a date"),
            ("{{ 1 | number(3000000000) }}", "too many"),
            ("{{ 1 | number(18446744073709551615) }}", "too many"),
            ("{{ 1 | number(-1) }}", ""),
            ("{{ 1e308 * 10 | number }}", ""),
            ("{{ 1e300 | number }}", "too large"),
            ("{{ 1e300 | kr }}", "too large"),
            ("{{ 'tolv' | kr }}", ""),
        ];
        for (template, says) in cases {
            let error = render(template).expect_err(template);
            assert!(
                error.to_string().contains(says),
                "{template}: {error} should say {says:?}"
            );
        }
    }

    #[test]
    fn a_value_that_is_not_a_date_is_shown_only_in_part() {
        let long = "070761-4285 ".repeat(1000);
        let error = Renderer::new()
            .render(
                "{{ x | date_long }}",
                TemplateUse::Text,
                &context! { x => Value::from(long) },
            )
            .expect_err("not a date");
        assert!(error.to_string().len() < 300, "{error}");
    }

    #[test]
    fn filters_still_work_at_their_limits() {
        assert_eq!(
            render("{{ today | add_days(36500) | date_short }}").expect("renders"),
            "30-10-2126"
        );
        assert_eq!(
            render("{{ 1234.5 | number(10) }}").expect("renders"),
            "1.234,5000000000"
        );
        assert_eq!(
            render("{{ today | add_weekdays(260) }}").expect("renders"),
            "2027-11-22"
        );
    }

    #[test]
    fn working_day_filters_skip_danish_days_off() {
        assert_eq!(
            render(
                "{{ '2026-03-31' | add_workdays(3) }} {{ '2026-04-02' | next_workday }} \
                 {{ '2026-05-14' | workday_on_or_after }} {{ '2026-05-14' | day_off }} \
                 {{ '2026-05-14' | is_workday }} {{ '2026-05-15' | is_workday }}"
            )
            .expect("renders"),
            "2026-04-08 2026-04-07 2026-05-15 Kristi himmelfartsdag False True"
        );
        assert_eq!(
            render("{% if not ('2026-05-15' | day_off) %}hverdag{% endif %}").expect("renders"),
            "hverdag"
        );
        let too_far = render("{{ today | add_workdays(10001) }}").expect_err("too far");
        assert!(
            too_far
                .to_string()
                .contains("add_workdays(10001) counts too far; at most 10000 working days"),
            "{too_far}"
        );
    }

    #[test]
    fn number_takes_its_decimals_by_position_or_by_name() {
        assert_eq!(
            render("{{ 1234.567 | number(2) }} {{ 1234.567 | number(decimals=2) }} {{ 1234.567 | number(decimals=0) }} {{ 1234.5 | number }}")
                .expect("renders"),
            "1.234,57 1.234,57 1.235 1.234,50"
        );
        for wrong in [
            "{{ 1 | number(2, decimals=1) }}",
            "{{ 1 | number(decimal=1) }}",
        ] {
            let error = render(wrong).expect_err(wrong);
            assert!(!error.to_string().contains("map"), "{wrong}: {error}");
        }
    }

    fn url(value: &str) -> Result<String, minijinja::Error> {
        Renderer::new().render(
            "{{ adresse | url }}",
            TemplateUse::Url,
            &context! { adresse => value },
        )
    }

    #[test]
    fn url_passes_a_whole_web_address_into_a_url_template() {
        for address in [
            "https://sag.example/doc/123?format=pdf&x=%C3%A6",
            "http://127.0.0.1:8080/a",
            "https://sag.example/a#b",
        ] {
            assert_eq!(url(address).expect(address), address);
        }
        // Written as the URL parser writes it: the same address, with what
        // does not belong in one percent-encoded.
        assert_eq!(
            url("HTTPS://Sag.Example/a\"b<c>?q=\"x\"").expect("an address"),
            "https://sag.example/a%22b%3Cc%3E?q=%22x%22"
        );
        // In a JSON body the address is still a quoted text.
        let json = Renderer::new()
            .render(
                "{\"bilag\": {{ adresse | url }}}",
                TemplateUse::Json,
                &context! { adresse => "https://sag.example/doc/1" },
            )
            .expect("renders");
        assert_eq!(json, "{\"bilag\": \"https://sag.example/doc/1\"}");
        let out = Renderer::new()
            .render(
                "{{ sag.dokument_url | url }}/bilag?navn={{ navn }}",
                TemplateUse::Url,
                &context! { sag => context! { dokument_url => "https://sag.example/doc/1" }, navn => "Søren & Co" },
            )
            .expect("renders");
        assert_eq!(
            out,
            "https://sag.example/doc/1/bilag?navn=S%C3%B8ren%20%26%20Co"
        );
    }

    #[test]
    fn url_refuses_everything_but_a_plain_web_address_without_echoing_a_cpr() {
        let cases = [
            (
                "javascript:alert(1)",
                "does not start with http:// or https://",
            ),
            (
                "file:///etc/passwd",
                "does not start with http:// or https://",
            ),
            (
                "data:text/html,<script>",
                "does not start with http:// or https://",
            ),
            (
                "ftp://x.example/a",
                "does not start with http:// or https://",
            ),
            ("/doc/123", "no scheme"),
            ("https://x@evil.example/", "user name"),
            ("https://sag.example/a\nb", "line breaks"),
            ("https://sag.example/\u{7}", "invisible"),
            ("https://sag.example/\u{202E}cod.exe", "invisible"),
            ("https:///doc", "no host"),
            ("\\\\server\\share", "network path"),
            ("https://070761-4285@sag.example/doc", "user name"),
            ("https://sag.example/070761%2D4285 x", "spaces"),
            ("javascript:alert('0707614285')", "does not start"),
        ];
        for (value, says) in cases {
            let error = url(value).expect_err(value).to_string();
            assert!(error.contains(says), "{value:?}: {error}");
            assert!(error.contains("`url` filter"), "{value:?}: {error}");
            assert!(!error.contains("4285"), "{value:?} echoes a CPR: {error}");
            assert!(!error.contains('\n') && !error.contains('\u{7}'), "{error}");
        }
        let long = format!(
            "https://sag.example/{}",
            "a".repeat(crate::template::MAX_URL_BYTES)
        );
        let error = url(&long).expect_err("too long").to_string();
        assert!(
            error.contains("longer than 4096 bytes") && error.len() < 400,
            "{error}"
        );
        let error = Renderer::new()
            .render("{{ 5 | url }}", TemplateUse::Url, &context! {})
            .expect_err("not text");
        assert!(error.to_string().contains("no text"), "{error}");
    }

    /// The checker trusts the renderer on which filters exist and the
    /// filter list for suggestions and arguments: the two agree.
    #[test]
    fn the_filter_list_and_the_renderer_agree() {
        let renderer = Renderer::new();
        for filter in crate::template::filter_list::all() {
            // Asked of the renderer itself, not through `has_filter`, which
            // trusts the list.
            let probe = format!("{{{{ none | {} }}}}", filter.name);
            let answer = renderer.render(&probe, TemplateUse::Text, &context! {});
            assert!(
                !matches!(&answer, Err(e) if e.kind() == minijinja::ErrorKind::UnknownFilter),
                "{} is listed but the renderer does not have it",
                filter.name
            );
        }
        let registered = regex::Regex::new(r#"add_filter\(\s*"([a-z_]+)""#).expect("regex");
        for source in [include_str!("filters.rs"), include_str!("limits.rs")] {
            for name in registered.captures_iter(source).map(|c| c[1].to_string()) {
                let listed = crate::template::filter_list::GENVEJ_FILTERS
                    .iter()
                    .any(|f| f.name == name);
                assert!(
                    listed,
                    "genvej adds `{name}` but the checker does not list it"
                );
            }
        }
        for unknown in ["date_lnog", "urll", "", "a b", "upper }}{{ x"] {
            assert!(!renderer.has_filter(unknown), "{unknown}");
        }
    }
}
