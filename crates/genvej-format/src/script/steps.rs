//! Checking `[[step]]` tables: exactly one action, options that fit it,
//! templates whose variables exist at that point, and window targets.

use std::time::Duration;

use super::file_checker::FileChecker;
use super::model::*;
use super::raw::{ACTIONS, At, RawKeys, RawStep};
use super::scope::{Scope, VarKind};
use super::sources::Declared;
use crate::chord::Chord;
use crate::suggest::did_you_mean;
use crate::suggest::list;

/// What the checker knows about windows while walking the steps in order.
#[derive(Default)]
struct WindowFlow {
    script_opens_systems: bool,
    window_chosen: bool,
    opened_since_chosen: bool,
}

impl FileChecker<'_> {
    pub(crate) fn steps(
        &mut self,
        raw_steps: &[(usize, Option<RawStep>)],
        scope: &mut Scope<'_>,
        sources: &mut Vec<Declared<'_>>,
    ) -> Vec<Step> {
        let mut flow = WindowFlow {
            script_opens_systems: raw_steps
                .iter()
                .filter_map(|(_, s)| s.as_ref())
                .any(|s| s.launch.is_some() || s.open_url.is_some()),
            ..WindowFlow::default()
        };
        let mut steps = Vec::new();
        for (index, (offset, raw)) in raw_steps.iter().enumerate() {
            let Some(raw) = raw else { continue };
            let number = index + 1;
            let what = format!("step {number}");
            if let Some(step) = self.step(number, &what, *offset, raw, scope, &mut flow, sources) {
                steps.push(step);
            }
        }
        steps
    }

    /// One step; `what` names it in messages (`step 5`, or `step 5.2` for
    /// the second step of the group in step 5).
    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        number: usize,
        what: &str,
        offset: usize,
        raw: &RawStep,
        scope: &mut Scope<'_>,
        flow: &mut WindowFlow,
        sources: &mut Vec<Declared<'_>>,
    ) -> Option<Step> {
        let present = present_actions(raw);
        // A group's step is an inline table: point at its `{`.
        let header_len = if what.contains('.') {
            1
        } else {
            "[[step]]".len()
        };
        let header = offset..offset + header_len;
        let action_name = match present.as_slice() {
            [] => {
                self.error(header, format!("{what} has no action"))
                    .help(format!("add one of {}", list(ACTIONS)));
                return None;
            }
            [one] => *one,
            [first, second, ..] => {
                self.error(
                    header,
                    format!("{what} has more than one action: `{first}` and `{second}`"),
                )
                .help("give each action its own [[step]] table");
                return None;
            }
        };
        if let Some(when) = &raw.when {
            scope.check_expression(self, when, &format!("the `when` of {what}"));
        }
        self.check_options(raw, action_name);
        let action = if let Some(at) = &raw.fetch {
            Action::Fetch {
                sources: self.fetch(at, sources, scope, what)?,
            }
        } else if let Some(at) = &raw.for_each {
            self.group(number, at, raw, scope, flow, sources)?
        } else {
            self.action(raw, scope, what)?
        };

        let target = match &raw.target {
            Some(t) if !scope.windows.contains(t.get()) => {
                let known: Vec<&str> = scope.windows.iter().map(String::as_str).collect();
                let help = match did_you_mean(t.get(), known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if known.is_empty() => "name a window in an earlier step: `wait_window = { title = \"…\", name = \"fasit\" }`".into(),
                    None => format!("windows named so far: {}", list(&known)),
                };
                self.error(
                    t.span(),
                    format!("no window is named `{}` before {what}", t.get()),
                )
                .help(help);
                None
            }
            Some(t) => Some(t.get().clone()),
            None => None,
        };

        match &action {
            Action::WaitWindow { name, .. } | Action::FocusWindow { name, .. } => {
                flow.window_chosen = true;
                flow.opened_since_chosen = false;
                if let Some(n) = name {
                    scope.windows.insert(n.clone());
                }
            }
            Action::Launch { .. } | Action::OpenUrl { .. } => flow.opened_since_chosen = true,
            a if a.injects_input()
                && target.is_none()
                && (flow.opened_since_chosen
                    || (flow.script_opens_systems && !flow.window_chosen)) =>
            {
                self.warning(header.clone(), format!("{what} types into whatever window has focus, but the script opens other systems"))
                    .help("wait for the window first (`wait_window`), or name it with `target`; otherwise text may land in the wrong window");
            }
            _ => {}
        }
        match &action {
            Action::Set { name, .. }
            | Action::CopySelection { into: name, .. }
            | Action::ReadClipboard { into: name } => scope.define(name, VarKind::Value),
            Action::MergePdf { .. } => scope.define(MERGED_PDF_VARIABLE, VarKind::Value),
            _ => {}
        }
        Some(Step {
            number,
            line: self.line_of(offset),
            action,
            when: raw.when.as_ref().map(|w| self.template(w)),
            target,
        })
    }

    /// Options that only make sense for some actions.
    fn check_options(&mut self, raw: &RawStep, action: &str) {
        type Rule<'r> = (&'r str, Option<std::ops::Range<usize>>, &'r [&'r str]);
        let rules: [Rule<'_>; 6] = [
            ("as", raw.as_name.as_ref().map(At::span), &["for_each"]),
            ("steps", raw.steps.as_ref().map(At::span), &["for_each"]),
            ("repeat", raw.repeat.as_ref().map(At::span), &["key"]),
            (
                "key_delay_ms",
                raw.key_delay_ms.as_ref().map(At::span),
                &["type"],
            ),
            (
                "timeout_ms",
                raw.timeout_ms.as_ref().map(At::span),
                &["copy_selection"],
            ),
            (
                "target",
                raw.target.as_ref().map(At::span),
                &["type", "paste", "key"],
            ),
        ];
        for (option, span, allowed) in rules {
            if let Some(span) = span {
                if !allowed.contains(&action) {
                    let help = if option == "timeout_ms"
                        && matches!(action, "wait_window" | "focus_window")
                    {
                        format!(
                            "put it inside the window table: `{action} = {{ title = \"…\", timeout_ms = 10000 }}`"
                        )
                    } else {
                        format!("`{option}` applies to {} steps", list(allowed))
                    };
                    self.error(
                        span,
                        format!("`{option}` does not apply to a `{action}` step"),
                    )
                    .help(help);
                }
            }
        }
    }

    /// A `for_each` group: the list is an expression, the item's variable
    /// exists only inside the group, and the group's steps are checked like
    /// top-level ones (numbered `step 5.1`, `step 5.2`, …), except that a
    /// group may not hold another group.
    fn group(
        &mut self,
        number: usize,
        at: &At<String>,
        raw: &RawStep,
        scope: &mut Scope<'_>,
        flow: &mut WindowFlow,
        sources: &mut Vec<Declared<'_>>,
    ) -> Option<Action> {
        scope.check_expression(self, at, &format!("the `for_each` of step {number}"));
        let name = match &raw.as_name {
            Some(n) if !self.identifier(n, "variable name") => return None,
            Some(n) if scope.is_defined(n.get()) || n.get() == LOOP_VARIABLE => {
                self.error(
                    n.span(),
                    format!(
                        "`as = \"{}\"` would hide the variable `{}` inside the group",
                        n.get(),
                        n.get()
                    ),
                )
                .help("give the item a name of its own, e.g. `as = \"aktivitet\"`");
                return None;
            }
            Some(n) => n.get().clone(),
            None => ITEM_VARIABLE.to_string(),
        };
        if raw.group.iter().all(|(_, s)| s.is_none()) {
            if raw.group.is_empty() {
                let span = raw.steps.as_ref().map_or(at.span(), At::span);
                self.error(span, format!("the `for_each` of step {number} has no steps"))
                    .help("add the steps to run for each item, e.g. `steps = [ { type = \"{{ item.navn }}\" }, { key = \"Tab\" } ]`");
            }
            return None;
        }
        // The item, `position`, and what the group's steps set or name
        // exist only inside the group: it may run for no item at all.
        let outside = scope.snapshot();
        scope.define(&name, VarKind::Value);
        scope.define(LOOP_VARIABLE, VarKind::Value);
        let mut steps = Vec::new();
        for (index, (offset, inner)) in raw.group.iter().enumerate() {
            let Some(inner) = inner else { continue };
            let inner_number = index + 1;
            let what = format!("step {number}.{inner_number}");
            if let Some(nested) = &inner.for_each {
                self.error(
                    nested.span(),
                    format!("{what} is a `for_each` inside the `for_each` of step {number}"),
                )
                .help("a group cannot hold another group; give the inner list its own [[step]] after this one");
                continue;
            }
            if let Some(step) = self.step(inner_number, &what, *offset, inner, scope, flow, sources)
            {
                steps.push(step);
            }
        }
        scope.restore(outside);
        Some(Action::ForEach {
            list: at.get().clone(),
            name,
            steps,
        })
    }

    fn action(&mut self, raw: &RawStep, scope: &mut Scope<'_>, what: &str) -> Option<Action> {
        let text = |fc: &mut Self, at: &At<String>, scope: &Scope<'_>| {
            scope.check_template(fc, at, what);
            fc.template(at)
        };
        if let Some(at) = &raw.type_text {
            let key_delay = match &raw.key_delay_ms {
                Some(d) => Some(self.key_delay(d)?),
                None => None,
            };
            return Some(Action::Type {
                text: text(self, at, scope),
                key_delay,
            });
        }
        if let Some(at) = &raw.paste {
            return Some(Action::Paste {
                text: text(self, at, scope),
            });
        }
        if let Some(at) = &raw.key {
            return self.key_action(at, raw.repeat.as_ref());
        }
        if let Some(at) = &raw.launch {
            let launch = at.get();
            let args = launch
                .args
                .as_ref()
                .map(|a| a.get().iter().map(|arg| text(self, arg, scope)).collect())
                .unwrap_or_default();
            return Some(Action::Launch {
                program: text(self, &launch.program, scope),
                args,
            });
        }
        if let Some(at) = &raw.open_url {
            self.open_url_address(at);
            scope.check_url_template(self, at, what);
            return Some(Action::OpenUrl {
                url: self.template(at),
            });
        }
        if let Some(at) = &raw.wait_window {
            let (window, timeout, name) = self.window_match(at, true)?;
            return Some(Action::WaitWindow {
                window,
                timeout,
                name,
            });
        }
        if let Some(at) = &raw.focus_window {
            let (window, timeout, name) = self.window_match(at, true)?;
            return Some(Action::FocusWindow {
                window,
                timeout,
                name,
            });
        }
        if let Some(at) = &raw.copy_selection {
            let timeout = match &raw.timeout_ms {
                Some(t) => self.timeout(t)?,
                None => DEFAULT_SELECTION_TIMEOUT,
            };
            return self
                .identifier(at, "variable name")
                .then(|| Action::CopySelection {
                    into: at.get().clone(),
                    timeout,
                });
        }
        if let Some(at) = &raw.read_clipboard {
            return self
                .identifier(at, "variable name")
                .then(|| Action::ReadClipboard {
                    into: at.get().clone(),
                });
        }
        if let Some(at) = &raw.pause_ms {
            if *at.get() > MAX_PAUSE_MS {
                self.error(
                    at.span(),
                    format!("pause_ms must be at most {MAX_PAUSE_MS} (one minute)"),
                )
                .help("to wait for a program, use `wait_window` instead of a long pause");
                return None;
            }
            return Some(Action::Pause {
                duration: Duration::from_millis(*at.get()),
            });
        }
        if let Some(at) = &raw.set {
            let set = at.get();
            let value = text(self, &set.value, scope);
            return self
                .identifier(&set.name, "variable name")
                .then(|| Action::Set {
                    name: set.name.get().clone(),
                    value,
                });
        }
        if let Some(at) = &raw.message {
            return Some(Action::Message {
                text: text(self, at, scope),
            });
        }
        if let Some(at) = &raw.merge_pdf {
            return self.merge_pdf(at, scope, what);
        }
        if let Some(at) = &raw.require {
            let require = at.get();
            scope.check_expression(
                self,
                &require.condition,
                &format!("the condition of {what}"),
            );
            return Some(Action::Require {
                condition: self.template(&require.condition),
                message: text(self, &require.message, scope),
            });
        }
        None
    }

    fn key_action(&mut self, at: &At<RawKeys>, repeat: Option<&At<u32>>) -> Option<Action> {
        let names: Vec<&String> = match at.get() {
            RawKeys::One(one) => vec![one],
            RawKeys::Many(many) => many.iter().collect(),
        };
        if names.is_empty() {
            self.error(at.span(), "`key` is an empty list")
                .help("e.g. `key = [\"Tab\", \"Enter\"]`");
            return None;
        }
        let mut chords = Vec::new();
        for name in names {
            match Chord::parse(name) {
                Ok(chord) => chords.push(chord),
                Err(e) => {
                    self.error(at.span(), format!("invalid key `{name}`: {e}"));
                    return None;
                }
            }
        }
        let repeat = match repeat {
            Some(r) if !(1..=MAX_REPEAT).contains(r.get()) => {
                self.error(
                    r.span(),
                    format!("repeat must be between 1 and {MAX_REPEAT}"),
                );
                return None;
            }
            Some(r) => *r.get(),
            None => 1,
        };
        Some(Action::Key { chords, repeat })
    }
}

fn present_actions(raw: &RawStep) -> Vec<&'static str> {
    let flags = [
        raw.type_text.is_some(),
        raw.paste.is_some(),
        raw.key.is_some(),
        raw.launch.is_some(),
        raw.open_url.is_some(),
        raw.wait_window.is_some(),
        raw.focus_window.is_some(),
        raw.copy_selection.is_some(),
        raw.read_clipboard.is_some(),
        raw.pause_ms.is_some(),
        raw.set.is_some(),
        raw.message.is_some(),
        raw.require.is_some(),
        raw.fetch.is_some(),
        raw.merge_pdf.is_some(),
        raw.for_each.is_some(),
    ];
    ACTIONS
        .iter()
        .zip(flags)
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect()
}
