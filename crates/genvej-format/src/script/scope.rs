//! Which template variables exist at each point of a script, so the checker
//! can report an undefined or misspelt variable before anything runs.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::file_checker::FileChecker;
use super::raw::At;
use crate::config::{Config, PROFILE_FIELDS};
use crate::suggest::did_you_mean;
use crate::suggest::list;
use crate::template::anatomy::Anatomy;
use crate::template::{BUILTIN_FUNCTIONS, CPR_ATTRIBUTES, GLOBALS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarKind {
    Cpr,
    Value,
}

pub(crate) struct Scope<'c> {
    vars: BTreeMap<String, VarKind>,
    /// Named windows (from `wait_window`/`focus_window`), for `target`.
    pub windows: BTreeSet<String>,
    config: &'c Config,
    globals_only: bool,
    /// Variables a `for_each` group set, which end with the group.
    group_only: BTreeSet<String>,
}

impl<'c> Scope<'c> {
    pub fn new(config: &'c Config) -> Self {
        Scope {
            vars: BTreeMap::new(),
            windows: BTreeSet::new(),
            config,
            globals_only: false,
            group_only: BTreeSet::new(),
        }
    }

    /// For hotstrings and input defaults: only profile, org, today, now, script.
    pub fn globals_only(config: &'c Config) -> Self {
        Scope {
            globals_only: true,
            ..Scope::new(config)
        }
    }

    pub fn define(&mut self, name: &str, kind: VarKind) {
        self.vars.insert(name.to_string(), kind);
    }

    /// Forgets a variable defined only for part of a step (`item`).
    pub fn undefine(&mut self, name: &str) {
        self.vars.remove(name);
    }

    /// The variables and named windows defined so far, to put back with
    /// [`Scope::restore`] after a part of the script whose own names must
    /// not leak out (a `for_each` group: it may run zero times).
    pub fn snapshot(&self) -> (BTreeMap<String, VarKind>, BTreeSet<String>) {
        (self.vars.clone(), self.windows.clone())
    }

    pub fn restore(&mut self, (vars, windows): (BTreeMap<String, VarKind>, BTreeSet<String>)) {
        let ended = self.vars.keys().filter(|name| !vars.contains_key(*name));
        self.group_only.extend(ended.cloned());
        self.vars = vars;
        self.windows = windows;
    }

    pub fn is_defined(&self, name: &str) -> bool {
        self.vars.contains_key(name) || GLOBALS.contains(&name)
    }

    /// Checks a template's syntax and variables; `what` names it in messages.
    pub fn check_template(&self, fc: &mut FileChecker<'_>, at: &At<String>, what: &str) {
        if overlong_line(fc, at, what) {
            return;
        }
        match fc.renderer.variables_of(at.get()) {
            Ok(vars) => {
                let anatomy = fc.renderer.anatomy(at.get()).ok();
                self.check_variables(fc, at, vars, anatomy.as_ref(), what);
                if let Some(anatomy) = &anatomy {
                    fc.template_filters(at, anatomy, what);
                }
            }
            Err(e) => template_syntax_error(fc, at, &e, what),
        }
    }

    /// Checks an address template (`open_url`, a source's or `merge_pdf`'s
    /// `url`): as [`Scope::check_template`], and warns when it starts with
    /// a value that would be URL-encoded whole.
    pub fn check_url_template(&self, fc: &mut FileChecker<'_>, at: &At<String>, what: &str) {
        let errors = fc.diagnostics.len();
        self.check_template(fc, at, what);
        if fc.diagnostics.len() > errors {
            return;
        }
        if let Ok(anatomy) = fc.renderer.anatomy(at.get()) {
            fc.url_starting_with_value(at, &anatomy, what);
        }
    }

    /// Checks a condition expression such as `km > 0`.
    pub fn check_expression(&self, fc: &mut FileChecker<'_>, at: &At<String>, what: &str) {
        if overlong_line(fc, at, what) {
            return;
        }
        match fc.renderer.variables_of_expression(at.get()) {
            Ok(vars) => {
                let anatomy = fc.renderer.anatomy_of_expression(at.get()).ok();
                self.check_variables(fc, at, vars, anatomy.as_ref(), what);
                if let Some(anatomy) = &anatomy {
                    fc.template_filters(at, anatomy, what);
                }
            }
            Err(e) => template_syntax_error(fc, at, &e, what),
        }
    }

    fn check_variables(
        &self,
        fc: &mut FileChecker<'_>,
        at: &At<String>,
        vars: BTreeSet<String>,
        anatomy: Option<&Anatomy>,
        what: &str,
    ) {
        for path in vars {
            let mut parts = path.split('.');
            let root = parts.next().unwrap_or_default();
            let attribute = parts.next();
            // Where the variable (or attribute) is first written, else the
            // whole template.
            let written = |name: &str| {
                anatomy
                    .and_then(|a| a.variables.iter().find(|(n, _)| n == name))
                    .map_or_else(
                        || at.span(),
                        |(_, range)| fc.template_span(at, range.clone()),
                    )
            };
            let span = match attribute {
                Some(attr) => written(&format!("{root}.{attr}")),
                None => written(root),
            };
            let root_span = written(root);
            if let Some(kind) = self.vars.get(root) {
                if let (VarKind::Cpr, Some(attr)) = (kind, attribute) {
                    if !CPR_ATTRIBUTES.contains(&attr) {
                        fc.error(
                            span.clone(),
                            format!("a CPR number has no `{attr}` (in {what})"),
                        )
                        .help(with_suggestion(attr, CPR_ATTRIBUTES, "use"));
                    }
                }
                continue;
            }
            match (root, attribute) {
                ("profile", Some(attr)) if !PROFILE_FIELDS.contains(&attr) => {
                    fc.error(
                        span.clone(),
                        format!("the profile has no `{attr}` (in {what})"),
                    )
                    .help(with_suggestion(
                        attr,
                        PROFILE_FIELDS,
                        "the profile has",
                    ));
                }
                ("org", Some(attr)) if !self.config.org.contains_key(attr) => {
                    let known: Vec<&str> = self.config.org.keys().map(String::as_str).collect();
                    fc.error(
                        span.clone(),
                        format!("`org.{attr}` is not in the config (in {what})"),
                    )
                    .help(format!(
                        "add `{attr} = …` under [org] in genvej.toml{}",
                        did_you_mean(attr, known.iter().copied())
                            .map(|s| format!(", or did you mean `org.{s}`?"))
                            .unwrap_or_default()
                    ));
                }
                _ if GLOBALS.contains(&root) || BUILTIN_FUNCTIONS.contains(&root) => {}
                _ => self.undefined(fc, root_span, root, what),
            }
        }
    }

    fn undefined(&self, fc: &mut FileChecker<'_>, span: Range<usize>, name: &str, what: &str) {
        let mut known: Vec<&str> = self.vars.keys().map(String::as_str).collect();
        known.extend(GLOBALS);
        let help = match did_you_mean(name, known.iter().copied()) {
            _ if self.group_only.contains(name) => format!(
                "`{name}` exists only inside the `for_each` group that sets it (a group may run for no item); use it in the group's `steps`, or set it before the group"
            ),
            Some(s) => format!("did you mean `{s}`?"),
            None if self.globals_only => format!("only {} can be used here", list(GLOBALS)),
            None => format!(
                "declare it as an [[input]] or set it in an earlier step; defined here: {}",
                list(&known)
            ),
        };
        fc.error(span, format!("`{name}` is not defined (in {what})"))
            .help(help);
    }
}

fn with_suggestion(wrong: &str, valid: &[&str], lead: &str) -> String {
    match did_you_mean(wrong, valid.iter().copied()) {
        Some(s) => format!("did you mean `{s}`? {lead} {}", list(valid)),
        None => format!("{lead} {}", list(valid)),
    }
}

/// The longest line a template may have, in characters. MiniJinja counts
/// columns in 16 bits: a syntax error past column 65,535 overflowed its
/// arithmetic (a panic in debug builds, found by the fuzzer; a wrong
/// position in release builds). Scripts only run once checked, so the
/// renderer never sees a longer line.
pub const MAX_TEMPLATE_LINE_CHARS: usize = 60_000;

/// Reports a template line MiniJinja cannot handle; true if there is one.
fn overlong_line(fc: &mut FileChecker<'_>, at: &At<String>, what: &str) -> bool {
    let Some((number, length)) = at
        .get()
        .split('\n')
        .map(|line| line.chars().count())
        .enumerate()
        .find(|(_, length)| *length > MAX_TEMPLATE_LINE_CHARS)
    else {
        return false;
    };
    fc.error(
        at.span(),
        format!(
            "line {} of {what} is {length} characters long; a template line may have at most {MAX_TEMPLATE_LINE_CHARS}",
            number + 1
        ),
    )
    .help("break the text into several lines (a multi-line string \"\"\"…\"\"\" keeps them)");
    true
}

fn template_syntax_error(
    fc: &mut FileChecker<'_>,
    at: &At<String>,
    e: &minijinja::Error,
    what: &str,
) {
    let detail = e
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| e.kind().to_string());
    // MiniJinja knows where in the template the error is: reported at that
    // place in the file.
    let span = match e.range() {
        Some(range) => fc.template_span(at, range),
        None => at.span(),
    };
    fc.error(span, format!("template error in {what}: {detail}"))
        .help("templates use MiniJinja syntax: `{{ name }}`, `{{ today | date_long }}`, `{% if … %}…{% endif %}`");
}
