//! The filters a template may use, with the arguments each of genvej's own
//! filters takes — so the checker can say "did you mean `date_long`?" and
//! "`add_days` takes one whole number" before anything runs.
//!
//! Whether a filter exists is always asked of the renderer itself
//! ([`super::Renderer::has_filter`]); this list supplies the names to
//! suggest and the argument shapes. Tests keep the two the same: every name
//! here is a filter of the renderer, and every filter genvej adds is here.

/// Where a filter comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// One of genvej's filters (`template/filters.rs`, `template/limits.rs`).
    Genvej,
    /// One of MiniJinja's built-in filters, as the renderer has them.
    MiniJinja,
}

/// An argument a filter declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Its name in messages, and as a keyword when `keyword` is true.
    pub name: &'static str,
    /// The smallest whole number it accepts.
    pub min: i64,
    /// Whether it may be given by name (`number(decimals=2)`).
    pub keyword: bool,
}

/// The arguments a filter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Params {
    /// Not declared here (MiniJinja's built-ins): not checked before a run.
    Unchecked,
    /// Whole numbers; the first `required` of them must be given.
    WholeNumbers {
        params: &'static [Param],
        required: usize,
    },
}

/// One filter a template may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filter {
    pub name: &'static str,
    pub origin: Origin,
    pub params: Params,
    /// How it is written, for messages: `today | add_days(14)`.
    pub example: &'static str,
}

const NONE: Params = Params::WholeNumbers {
    params: &[],
    required: 0,
};

/// One whole number, given by position.
macro_rules! count {
    ($name:literal, $min:expr) => {
        Params::WholeNumbers {
            params: &[Param {
                name: $name,
                min: $min,
                keyword: false,
            }],
            required: 1,
        }
    };
}

const fn genvej(name: &'static str, params: Params, example: &'static str) -> Filter {
    Filter {
        name,
        origin: Origin::Genvej,
        params,
        example,
    }
}

const fn builtin(name: &'static str) -> Filter {
    Filter {
        name,
        origin: Origin::MiniJinja,
        params: Params::Unchecked,
        example: "",
    }
}

/// genvej's own filters.
pub const GENVEJ_FILTERS: &[Filter] = &[
    genvej("date_long", NONE, "today | date_long"),
    genvej("date_short", NONE, "today | date_short"),
    genvej("weekday_name", NONE, "today | weekday_name"),
    genvej("add_days", count!("days", i64::MIN), "today | add_days(14)"),
    genvej(
        "add_weeks",
        count!("weeks", i64::MIN),
        "today | add_weeks(2)",
    ),
    genvej(
        "add_months",
        count!("months", i64::MIN),
        "today | add_months(1)",
    ),
    genvej(
        "add_weekdays",
        count!("weekdays", 0),
        "today | add_weekdays(10)",
    ),
    genvej("next_weekday", NONE, "today | next_weekday"),
    genvej("weekday_on_or_after", NONE, "today | weekday_on_or_after"),
    genvej(
        "add_workdays",
        count!("workdays", 0),
        "today | add_workdays(10)",
    ),
    genvej("next_workday", NONE, "today | next_workday"),
    genvej("workday_on_or_after", NONE, "frist | workday_on_or_after"),
    genvej("is_workday", NONE, "moede | is_workday"),
    genvej("day_off", NONE, "moede | day_off"),
    genvej(
        "number",
        Params::WholeNumbers {
            params: &[Param {
                name: "decimals",
                min: 0,
                keyword: true,
            }],
            required: 0,
        },
        "beløb | number(decimals=2)",
    ),
    genvej("kr", NONE, "beløb | kr"),
    genvej("url", NONE, "sag.dokument_url | url"),
    // MiniJinja's, put behind a size check (template/limits.rs).
    builtin("string"),
    builtin("tojson"),
    builtin("pprint"),
];

/// MiniJinja's built-in filters with the features genvej builds it with
/// (MiniJinja 3.1: `builtins`, `json`, `urlencode`).
pub const MINIJINJA_FILTERS: &[Filter] = &[
    builtin("safe"),
    builtin("escape"),
    builtin("e"),
    builtin("lower"),
    builtin("upper"),
    builtin("title"),
    builtin("capitalize"),
    builtin("replace"),
    builtin("length"),
    builtin("count"),
    builtin("dictsort"),
    builtin("items"),
    builtin("reverse"),
    builtin("trim"),
    builtin("join"),
    builtin("split"),
    builtin("lines"),
    builtin("default"),
    builtin("d"),
    builtin("round"),
    builtin("abs"),
    builtin("int"),
    builtin("float"),
    builtin("attr"),
    builtin("first"),
    builtin("last"),
    builtin("min"),
    builtin("max"),
    builtin("sort"),
    builtin("list"),
    builtin("bool"),
    builtin("batch"),
    builtin("slice"),
    builtin("sum"),
    builtin("indent"),
    builtin("select"),
    builtin("reject"),
    builtin("selectattr"),
    builtin("rejectattr"),
    builtin("map"),
    builtin("groupby"),
    builtin("unique"),
    builtin("chain"),
    builtin("zip"),
    builtin("format"),
    builtin("urlencode"),
];

/// Every filter a template may use.
pub fn all() -> impl Iterator<Item = &'static Filter> {
    GENVEJ_FILTERS.iter().chain(MINIJINJA_FILTERS)
}

/// The filter called `name`, if it is listed.
pub fn find(name: &str) -> Option<&'static Filter> {
    all().find(|f| f.name == name)
}
