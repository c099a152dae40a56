//! Runs a checked script against the desktop ports: resolves inputs, renders
//! templates, executes steps in order, and stops at the first failure with a
//! message naming the script, the step and what was expected.
//!
//! Safety rules live here, so every desktop gets them: nothing is injected
//! while the hot key's modifiers are held; every typing, paste and key step
//! checks that the focused window is still the run's target (and again
//! between chunks of typed text); the clipboard is restored after a paste;
//! modifiers are released when a run ends, however it ends — a panic
//! anywhere in a run included: it ends the run as failed (the panic hook has
//! logged the cause), never the agent; `open_url` opens only web addresses
//! and the schemes the organisation allows, and secrets never go
//! unencrypted to hosts the organisation has not named ([`url_rules`]).

pub mod documents;
pub mod fake;
mod groups;
mod inject;
mod inputs;
pub mod messages;
mod outcome;
pub mod ports;
mod sources;

pub use genvej_format::url_rules;

use std::collections::BTreeMap;
use std::time::Duration;

use minijinja::Value;

pub use messages::MergeFailure;
pub use outcome::{NamedWindow, RunError, RunFailure, RunOutcome, Status, seconds};

use crate::ports::{CancelToken, Desktop, PortError};
use genvej_format::config::{AgentSettings, Config};
use genvej_format::script::{Action, Script, Step, Template};
use genvej_format::template::{self, Renderer, TemplateUse, danish};
use genvej_format::window_match::{WindowId, WindowInfo};

/// Tunables of a run, from the agent config.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub key_delay: Duration,
    /// Texts longer than this (in characters) are pasted instead of typed.
    pub paste_threshold: usize,
    pub modifier_release_timeout: Duration,
    /// Typed text is sent in chunks of this many characters, with the
    /// wrong-window check before each chunk. 1 (the default) checks before
    /// every key: a focus query costs ~0.1 ms, a typed key several ms, so
    /// at most the key already on its way can reach a window the caseworker
    /// just clicked.
    pub chunk_chars: usize,
    /// Without a key delay, text goes to the desktop in batches of this many
    /// characters: each batch is sent with one focus check that no other
    /// program can slip between (one X server grab, one SendInput call), and
    /// the engine's own wrong-window check runs before each batch.
    pub batch_chars: usize,
    pub paste_timeout: Duration,
    /// The pause (`agent.settle_ms`, 50 ms by default) after the run focused
    /// a window (`wait_window`, `focus_window`, the focus given back after a
    /// form), before keys go there: a window that just appeared may not yet
    /// have put its own text field in focus. Not before the first key after
    /// the hot key: there the desktop waits for the hot key's grab to end
    /// ([`crate::ports::Keyboard::wait_ready_for_keys`]), which measurement
    /// showed is all that lost first keys.
    pub settle: Duration,
    pub focus_timeout: Duration,
    pub poll_interval: Duration,
    /// Whether a `merge_pdf` file name may contain a CPR number.
    pub allow_cpr_in_file_names: bool,
    /// The most characters one run may type and paste in all (and the
    /// longest text a `message` may show).
    pub max_text_chars: usize,
}

impl RunSettings {
    pub fn from_config(agent: &AgentSettings) -> RunSettings {
        RunSettings {
            key_delay: Duration::from_millis(u64::from(agent.key_delay_ms)),
            paste_threshold: agent.paste_threshold,
            modifier_release_timeout: Duration::from_millis(agent.modifier_release_timeout_ms),
            settle: Duration::from_millis(agent.settle_ms),
            allow_cpr_in_file_names: agent.allow_cpr_in_file_names,
            max_text_chars: agent.max_text_chars,
            ..RunSettings::default()
        }
    }
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            key_delay: Duration::ZERO,
            paste_threshold: 400,
            modifier_release_timeout: Duration::from_secs(3),
            chunk_chars: 1,
            batch_chars: 32,
            paste_timeout: Duration::from_secs(2),
            settle: Duration::from_millis(50),
            focus_timeout: Duration::from_secs(2),
            allow_cpr_in_file_names: false,
            poll_interval: Duration::from_millis(10),
            max_text_chars: genvej_format::config::DEFAULT_MAX_TEXT_CHARS,
        }
    }
}

/// Runs scripts. Cheap to share; one run at a time per desktop.
pub struct Engine<'a> {
    renderer: &'a Renderer,
    config: &'a Config,
    settings: RunSettings,
    cancel: CancelToken,
}

/// Why a run stopped early, before it becomes a [`Status`].
enum Stop {
    Failed(RunError),
    Cancelled,
}

impl From<RunError> for Stop {
    fn from(e: RunError) -> Self {
        Stop::Failed(e)
    }
}

impl From<PortError> for Stop {
    fn from(e: PortError) -> Self {
        match e {
            PortError::Cancelled => Stop::Cancelled,
            other => Stop::Failed(other.into()),
        }
    }
}

impl<'a> Engine<'a> {
    pub fn new(renderer: &'a Renderer, config: &'a Config, cancel: CancelToken) -> Self {
        Engine {
            renderer,
            config,
            settings: RunSettings::from_config(&config.agent),
            cancel,
        }
    }

    pub fn with_settings(mut self, settings: RunSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Runs `script`. `preset` holds input values given up front (`--set`).
    pub fn run<D: Desktop + ?Sized>(
        &self,
        desktop: &mut D,
        script: &Script,
        preset: &BTreeMap<String, String>,
    ) -> RunOutcome {
        self.run_in(desktop, script, preset, None)
    }

    /// Runs `script` like [`Engine::run`]; `focused`, when given, is the
    /// focused window as the caller described it moments before (the agent
    /// describes it while a hot key's press is on its way to the run): the
    /// run starts from it instead of describing the window again. Typing
    /// still goes only where the desktop finds that window in front.
    pub fn run_in<D: Desktop + ?Sized>(
        &self,
        desktop: &mut D,
        script: &Script,
        preset: &BTreeMap<String, String>,
        focused: Option<WindowInfo>,
    ) -> RunOutcome {
        let started = desktop.monotonic();
        let mut run = Run {
            engine: self,
            desktop,
            script,
            vars: BTreeMap::new(),
            described_at_start: focused,
            target: None,
            named: BTreeMap::new(),
            found_by: BTreeMap::new(),
            current_step: None,
            steps_completed: 0,
            settled: false,
            window_changed: false,
            written_chars: 0,
        };
        let status = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run.execute(preset)))
            .unwrap_or_else(|_| run.panicked());
        if let Err(e) = run.desktop.release_modifiers() {
            tracing::warn!(script = %script.id, "could not release modifiers: {e}");
        }
        let steps_completed = run.steps_completed;
        RunOutcome {
            script_id: script.id.clone(),
            status,
            duration: desktop.monotonic().saturating_sub(started),
            steps_completed,
        }
    }
}

/// One run's state.
struct Run<'e, 'a, D: Desktop + ?Sized> {
    engine: &'e Engine<'a>,
    desktop: &'e mut D,
    script: &'e Script,
    vars: BTreeMap<String, Value>,
    /// The focused window as described before the run (see
    /// [`Engine::run_in`]), taken at its start.
    described_at_start: Option<WindowInfo>,
    /// The window typed text must go to: focused at start, then the last one
    /// waited for or focused.
    target: Option<WindowInfo>,
    named: BTreeMap<String, WindowInfo>,
    /// How the script described the windows it found (its `only_when`, its
    /// `wait_window`s), so logs can name a window without its title.
    found_by: BTreeMap<WindowId, String>,
    current_step: Option<&'e Step>,
    steps_completed: usize,
    /// Whether the settle pause before the next key has been made: before
    /// the first key, after focusing a window, and after a hot key's grab.
    settled: bool,
    /// Whether the run itself focused a window since the last key (a
    /// `wait_window`/`focus_window` step, or the focus given back after a
    /// form): the `settle` pause is due before the next key.
    window_changed: bool,
    /// Characters typed and pasted so far.
    written_chars: usize,
}

impl<'e, 'a, D: Desktop + ?Sized> Run<'e, 'a, D> {
    fn execute(&mut self, preset: &BTreeMap<String, String>) -> Status {
        match self.try_execute(preset) {
            Ok(status) => status,
            Err(Stop::Cancelled) => self.cancelled(),
            // A render the panic key stopped ends with a template error.
            Err(Stop::Failed(error))
                if self.engine.cancel.is_cancelled()
                    && matches!(error.innermost(), RunError::Template { .. }) =>
            {
                self.cancelled()
            }
            Err(Stop::Failed(error)) => self.failed(error),
        }
    }

    fn cancelled(&self) -> Status {
        Status::Cancelled {
            step: self.current_step.map(|s| s.number),
        }
    }

    fn failed(&self, error: RunError) -> Status {
        Status::Failed(RunFailure {
            script_name: self.script.name.clone(),
            step: self.current_step.map(|s| (s.number, s.line)),
            action: self.current_step.map_or("input", |s| s.action.name()),
            error,
        })
    }

    /// The run panicked (the panic hook has logged where and why): it ends
    /// as failed at the step it was in.
    fn panicked(&self) -> Status {
        tracing::error!(
            script = %self.script.id,
            step = self.current_step.map(|s| s.number),
            "the run stopped on an internal error"
        );
        self.failed(RunError::Internal)
    }

    /// Counts `text` against what a run may type or paste; an error before
    /// anything of it is sent when it would go over.
    fn count_written(&mut self, text: &str) -> Result<(), RunError> {
        let limit = self.engine.settings.max_text_chars;
        let chars = text.chars().count();
        match self.written_chars.checked_add(chars) {
            Some(total) if total <= limit => {
                self.written_chars = total;
                Ok(())
            }
            _ => Err(RunError::TextTooLong { chars, limit }),
        }
    }

    fn try_execute(&mut self, preset: &BTreeMap<String, String>) -> Result<Status, Stop> {
        self.target = match self.described_at_start.take() {
            Some(window) => Some(window),
            None => self.desktop.focused()?,
        };
        if let Some(context) = &self.script.only_when {
            match &self.target {
                Some(window) if context.matches(window) => {
                    self.found_by.insert(window.id, context.to_string());
                }
                _ => {
                    return Ok(Status::Rejected {
                        reason: messages::only_when_refused(context),
                    });
                }
            }
        }
        self.resolve_inputs(preset)?;
        let script = self.script;
        for step in &script.steps {
            self.current_step = Some(step);
            self.check_cancel()?;
            let skip = match &step.when {
                Some(when) => !self.condition(when)?,
                None => false,
            };
            if !skip {
                self.step(step)?;
            }
            self.steps_completed += 1;
        }
        self.current_step = None;
        Ok(Status::Completed)
    }

    fn check_cancel(&self) -> Result<(), Stop> {
        if self.engine.cancel.is_cancelled() {
            Err(Stop::Cancelled)
        } else {
            Ok(())
        }
    }

    fn step(&mut self, step: &Step) -> Result<(), Stop> {
        let settings = &self.engine.settings;
        match &step.action {
            Action::Type { text, key_delay } => {
                let text = self.render(text, TemplateUse::Text)?;
                self.count_written(&text)?;
                if text.chars().count() > settings.paste_threshold {
                    tracing::debug!(step = step.number, "long text: pasting instead of typing");
                    return self.paste(step, &text);
                }
                let delay = key_delay
                    .or(self.script.key_delay)
                    .or_else(|| self.window_key_delay(step))
                    .unwrap_or(settings.key_delay);
                self.type_text(step, &text, delay)
            }
            Action::Paste { text } => {
                let text = self.render(text, TemplateUse::Text)?;
                self.count_written(&text)?;
                self.paste(step, &text)
            }
            Action::Key { chords, repeat } => {
                for _ in 0..*repeat {
                    for chord in chords {
                        let into = self.before_injecting(step)?;
                        let sent = self.desktop.press(chord, into.id);
                        self.injected(sent, &into)?;
                    }
                }
                Ok(())
            }
            Action::Launch { program, args } => {
                let program = self.render(program, TemplateUse::Text)?;
                let args = args
                    .iter()
                    .map(|a| self.render(a, TemplateUse::Text))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(self.desktop.launch(&program, &args)?)
            }
            Action::OpenUrl { url } => {
                let url = self.render(url, TemplateUse::Url)?;
                if let Err(refusal) = url_rules::check_open_url(&url, &self.engine.config.policy) {
                    tracing::warn!(script = %self.script.id, step = step.number, "open_url refused: {}", refusal.for_author());
                    return Err(RunError::UrlRefused(refusal).into());
                }
                Ok(self.desktop.open_url(&url)?)
            }
            Action::WaitWindow {
                window,
                timeout,
                name,
            }
            | Action::FocusWindow {
                window,
                timeout,
                name,
            } => {
                let found = self.wait_for_window(window, *timeout)?;
                self.found_by.insert(found.id, window.to_string());
                self.focus(&found)?;
                // A window that just got focus needs a moment before keys.
                self.settled = false;
                self.window_changed = true;
                if let Some(name) = name {
                    self.named.insert(name.clone(), found.clone());
                }
                self.target = Some(found);
                Ok(())
            }
            Action::CopySelection { into, timeout } => {
                let text = self
                    .desktop
                    .selected_text(*timeout)?
                    .filter(|t| !t.is_empty());
                let text = text.ok_or(RunError::NothingSelected)?;
                self.vars.insert(into.clone(), Value::from(text));
                Ok(())
            }
            Action::ReadClipboard { into } => {
                let text = self.desktop.read_text()?.unwrap_or_default();
                self.vars.insert(into.clone(), Value::from(text));
                Ok(())
            }
            Action::Pause { duration } => self.sleep(*duration),
            Action::Set { name, value } => {
                let value = self.evaluate(value)?;
                self.vars.insert(name.clone(), value);
                Ok(())
            }
            Action::Message { text } => {
                let text = self.render(text, TemplateUse::Text)?;
                let chars = text.chars().count();
                if chars > settings.max_text_chars {
                    let limit = settings.max_text_chars;
                    return Err(RunError::TextTooLong { chars, limit }.into());
                }
                self.desktop.show_message(&self.script.name, &text)?;
                self.return_focus_after_dialog()
            }
            Action::Fetch { sources } => {
                for name in sources {
                    self.fetch(name)?;
                }
                Ok(())
            }
            Action::MergePdf {
                each,
                url,
                name,
                file,
                timeout,
            } => self.merge_pdf(each, url, name.as_ref(), file, *timeout),
            Action::ForEach { list, name, steps } => self.for_each(list, name, steps),
            Action::Require { condition, message } => {
                if self.condition(condition)? {
                    Ok(())
                } else {
                    let message = self.render(message, TemplateUse::Text)?;
                    Err(RunError::RequirementFailed(message).into())
                }
            }
        }
    }

    /// What a template's plain name (`org.kontor`, `cpr`, `borger.navn`)
    /// stands for, for the names a run answers without its whole
    /// [`Self::context`]: the run's own values, `org.…` text and
    /// `script.id`/`script.name`. `None` for the rest (`profile.…`,
    /// `today`, `now`, a missing name): the template is then rendered
    /// against the whole context, with its usual errors.
    fn plain_value(&self, path: &str) -> Option<Value> {
        let (first, rest) = match path.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (path, None),
        };
        match (first, rest) {
            ("org", Some(name)) => template::org_text(&self.engine.config.org, name),
            ("script", Some("id")) => Some(Value::from(self.script.id.as_str())),
            ("script", Some("name")) => Some(Value::from(self.script.name.as_str())),
            // Names the context sets over any value of the run's.
            (global, _) if template::GLOBALS.contains(&global) => None,
            (name, None) => self.vars.get(name).cloned(),
            (name, Some(rest)) => template::attribute_path(self.vars.get(name)?, rest),
        }
    }

    /// The values `source` (a template or an expression) may read: the
    /// run's variables, `profile`, `org`, `script`, and `today`/`now` when
    /// its text names them. Reading the local time is a time-zone lookup
    /// (under Wine a good part of a millisecond, before the first key), so a
    /// template that cannot read it does not pay for it: a template reaches
    /// a value only by its name, or through `debug()`, which shows them all.
    fn context(&self, source: &str) -> Value {
        let mut context: BTreeMap<String, Value> = self.vars.clone();
        context.insert(
            "profile".into(),
            Value::from(minijinja::value::Serde(&self.engine.config.profile)),
        );
        context.insert(
            "org".into(),
            genvej_format::template::org_value(&self.engine.config.org),
        );
        if reads_the_clock(source) {
            let now = self.desktop.now();
            context.insert("today".into(), Value::from(danish::iso(now.date())));
            context.insert("now".into(), Value::from(now.format("%H:%M").to_string()));
        }
        // A map (`Value::from_iter` of pairs would make a list of pairs,
        // and `script.name` undefined).
        context.insert(
            "script".into(),
            Value::from(BTreeMap::from([
                ("id", Value::from(self.script.id.as_str())),
                ("name", Value::from(self.script.name.as_str())),
            ])),
        );
        Value::from(context)
    }

    fn render(&self, template: &Template, usage: TemplateUse) -> Result<String, RunError> {
        // Text of plain names the run can answer (`{{ org.x }}`, `{{ cpr }}`)
        // needs no context: making it copies every `org` value and the
        // profile, tens of µs before a hot key's first key.
        let value_of = |path: &str| self.plain_value(path);
        if let Some(filled) = self
            .engine
            .renderer
            .fill_in(&template.text, usage, value_of)
        {
            return filled.map_err(|e| template_error(template, &e));
        }
        let context = self.context(&template.text);
        self.engine
            .renderer
            .render(&template.text, usage, &context)
            .map_err(|e| {
                let mut error = template_error(template, &e);
                if e.kind() == minijinja::ErrorKind::UndefinedError {
                    if let Some(field) = self.missing_source_field(template, &context) {
                        if let RunError::Template { detail, .. } = &mut error {
                            *detail = field;
                        }
                    }
                }
                error
            })
    }

    fn condition(&self, template: &Template) -> Result<bool, RunError> {
        self.engine
            .renderer
            .is_true(&template.text, &self.context(&template.text))
            .map_err(|e| template_error(template, &e))
    }

    /// A `set` value: a lone `{{ expression }}` keeps its type (a number stays
    /// a number for later arithmetic); anything else is rendered to text.
    fn evaluate(&self, template: &Template) -> Result<Value, RunError> {
        let text = template.text.trim();
        if let Some(expression) = text.strip_prefix("{{").and_then(|s| s.strip_suffix("}}")) {
            if !expression.contains("{{") && !expression.contains("}}") {
                return self
                    .engine
                    .renderer
                    .eval(expression, &self.context(expression))
                    .map_err(|e| template_error(template, &e));
            }
        }
        self.render(template, TemplateUse::Text).map(Value::from)
    }
}

/// Whether a template or expression may read `today` or `now`: its text
/// names one of them, or calls `debug()` (which shows every value).
/// Over-inclusive on purpose (`known` contains `now`): a false yes only
/// costs the clock's reading.
fn reads_the_clock(source: &str) -> bool {
    ["today", "now", "debug"]
        .iter()
        .any(|name| source.contains(name))
}

fn template_error(template: &Template, e: &minijinja::Error) -> RunError {
    let mut detail = e
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| e.kind().to_string());
    if e.kind() == minijinja::ErrorKind::UndefinedError && e.detail().is_none() {
        detail = messages::TEMPLATE_VALUE_UNDEFINED.into();
    }
    if e.kind() == minijinja::ErrorKind::OutOfFuel {
        detail = messages::TEMPLATE_TOO_MUCH_WORK.into();
    }
    RunError::Template {
        line: template.line + e.line().unwrap_or(1).saturating_sub(1),
        detail: genvej_format::cpr::redact(&detail),
    }
}
