//! What one render may cost, so that no template — careless or hostile — can
//! hang a run or fill the memory: MiniJinja's fuel bounds the work and the
//! data of every render, `range` and values written out are capped, renders
//! run on a watched thread with a deadline, and the panic key stops a render
//! at once.
//!
//! Fuel is one budget per render: an instruction costs one, data about one
//! per 64 bytes (output, strings and lists the template builds). The budget
//! below stops a runaway loop in well under a second and bounds what a render
//! allocates to about 64 MB, while 10,000 loop items with arithmetic fit
//! easily (`ordinary_templates_have_fuel_to_spare`).
//!
//! Known gap (MiniJinja 3.1): `~` on a lazily repeated list (`[1] * 100000000`)
//! builds the whole text before fuel is charged. The deadline ends the run,
//! but the abandoned render thread still builds that text.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};

use crate::cancel::CancelToken;

/// The fuel of one render (or one condition or `set` expression).
pub const FUEL: u64 = 1_000_000;

/// The most items a `range(…)` may have.
pub const MAX_RANGE: i128 = 10_000;

/// How long one render may take. Fuel stops a runaway loop long before
/// this; it is for the few built-in operations fuel does not count (comparing
/// or searching a lazily repeated list of millions of items).
pub const RENDER_DEADLINE: Duration = Duration::from_secs(2);

/// A job for the render thread.
type Job = Box<dyn FnOnce(&Environment<'static>) + Send>;

/// Runs renders (and compiles) on a thread of its own and waits for each —
/// but not past the panic key or [`RENDER_DEADLINE`]: then the run goes on
/// at once with an error, the thread is left to finish that render alone
/// (its result is dropped), and the next render gets a new thread. So no
/// template, whatever MiniJinja does with it, keeps a run — and with it the
/// agent — waiting. One thread serves every render, so this costs a few
/// microseconds a render, not a thread start.
pub(super) struct Watchdog {
    env: Arc<Environment<'static>>,
    worker: Mutex<Option<mpsc::Sender<Job>>>,
}

impl Watchdog {
    pub(super) fn new(env: Environment<'static>) -> Watchdog {
        Watchdog {
            env: Arc::new(env),
            worker: Mutex::new(None),
        }
    }

    /// The environment, for work that needs no watching.
    pub(super) fn env(&self) -> &Environment<'static> {
        &self.env
    }

    /// Runs `work` on the render thread; see [`Watchdog`].
    pub(super) fn run<T: Send + 'static>(
        &self,
        cancel: &CancelToken,
        work: impl FnOnce(&Environment<'static>) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let (done, result) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |env| {
            let _ = done.send(work(env));
        });
        self.send(job)?;
        let deadline = Instant::now() + RENDER_DEADLINE;
        loop {
            match result.recv_timeout(Duration::from_millis(2)) {
                // A render the panic key cut short (its loops ended early)
                // is no result.
                Ok(_) if cancel.is_cancelled() => return Err(stopped()),
                Ok(rendered) => return rendered,
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "the template stopped on an internal error",
                    ));
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            if cancel.is_cancelled() {
                self.abandon();
                return Err(stopped());
            }
            if Instant::now() >= deadline {
                self.abandon();
                tracing::warn!(
                    "a template took longer than {} s and was abandoned",
                    RENDER_DEADLINE.as_secs()
                );
                return Err(Error::new(ErrorKind::OutOfFuel, TOOK_TOO_LONG));
            }
        }
    }

    /// Hands `job` to the render thread, starting one when there is none.
    fn send(&self, job: Job) -> Result<(), Error> {
        let mut worker = self
            .worker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let job = match worker.as_ref() {
            Some(thread) => match thread.send(job) {
                Ok(()) => return Ok(()),
                // The thread is gone: the job comes back for a new one.
                Err(mpsc::SendError(job)) => job,
            },
            None => job,
        };
        let (jobs, inbox) = mpsc::channel::<Job>();
        let env = Arc::clone(&self.env);
        std::thread::Builder::new()
            .name("genvej-render".into())
            .spawn(move || {
                for job in inbox {
                    // A panic is logged by the hook and reaches the waiting
                    // run as a dropped answer; the thread serves on.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&env)));
                }
            })
            .map_err(|e| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("cannot start a thread for templates: {e}"),
                )
            })?;
        let sent = jobs
            .send(job)
            .map_err(|_| Error::new(ErrorKind::InvalidOperation, "the template thread stopped"));
        *worker = Some(jobs);
        sent
    }

    /// Leaves the current thread to its render; the next render gets a new one.
    fn abandon(&self) {
        let mut worker = self
            .worker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *worker = None;
    }
}

/// Whether compiling `source` may take long: MiniJinja works out constant
/// expressions while compiling, without fuel, and only a repeated list
/// (`[1] * 100000000`, made lazily) can make that slow. Compiling anything
/// else needs no watching (which keeps the checker fast).
pub(super) fn may_fold_slowly(source: &str) -> bool {
    source.contains('*')
}

/// Whether every tag of `source` only names a variable, such as `{{ cpr }}`
/// or `{{- org.kontor -}}`: no statement, comment, filter, operator, call
/// or literal. Such a template can neither loop nor build a value; it takes
/// as long as writing its values out, and a value written out is checked
/// for size first ([`check_written`]), so it needs no watching.
pub(super) fn only_names_variables(source: &str) -> bool {
    super::fill_in::name_tags(source).is_some()
}

/// The detail of the error for a render that passed [`RENDER_DEADLINE`].
pub const TOOK_TOO_LONG: &str = "the template took longer than 2 s and was stopped (does it build a huge list, such as `[1] * 100000000`?)";

/// The error that ends a render when the panic key was pressed.
pub fn stopped() -> Error {
    Error::new(ErrorKind::InvalidOperation, "stopped by the panic key")
}

/// The most items (counted through nested lists and maps) a value written
/// out with `{{ … }}`, `string`, `tojson` or `pprint` may have. MiniJinja
/// repeats lists lazily (`[1] * 100000000` costs nothing until written) and
/// charges fuel for a list's text only once it is made, so the size is
/// checked first.
pub const MAX_ITEMS_WRITTEN: usize = 100_000;

/// Before a value is written out: the panic key was not pressed, and the
/// value is not too large to write.
pub(super) fn check_written(cancel: &CancelToken, value: &Value) -> Result<(), Error> {
    if cancel.is_cancelled() {
        return Err(stopped());
    }
    check_size(value)
}

/// An error when `value` holds more than [`MAX_ITEMS_WRITTEN`] items. Visits
/// at most that many.
fn check_size(value: &Value) -> Result<(), Error> {
    let mut budget = MAX_ITEMS_WRITTEN;
    if fits(value, &mut budget) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("the value has more than {MAX_ITEMS_WRITTEN} items, too many to write out"),
        ))
    }
}

fn fits(value: &Value, budget: &mut usize) -> bool {
    if !matches!(
        value.kind(),
        ValueKind::Seq | ValueKind::Map | ValueKind::Iterable
    ) {
        return true;
    }
    let Some(len) = value.len() else {
        return true;
    };
    let Some(left) = budget.checked_sub(len) else {
        return false;
    };
    *budget = left;
    let Ok(items) = value.try_iter() else {
        return true;
    };
    let is_map = value.kind() == ValueKind::Map;
    for item in items.take(len) {
        if !fits(&item, budget) {
            return false;
        }
        if is_map && !value.get_item(&item).is_ok_and(|v| fits(&v, budget)) {
            return false;
        }
    }
    true
}

/// Puts the size check in front of MiniJinja's filters that turn a whole
/// value into text.
fn guard_serializing_filters(env: &mut Environment<'static>) {
    env.add_filter("string", |state: &State, value: &Value| {
        check_size(value)?;
        minijinja::filters::string(state, value)
    });
    env.add_filter(
        "tojson",
        |value: &Value, indent: Option<Value>, args: Kwargs| {
            check_size(value)?;
            minijinja::filters::tojson(value, indent, args)
        },
    );
    env.add_filter("pprint", |value: &Value| {
        check_size(value).map(|()| minijinja::filters::pprint(value))
    });
}

/// Sets the fuel and replaces MiniJinja's `range` with one that is smaller
/// and stops at the panic key.
pub(super) fn apply(env: &mut Environment<'static>, cancel: &CancelToken) {
    env.set_fuel(Some(FUEL));
    guard_serializing_filters(env);
    let cancel = cancel.clone();
    env.add_function(
        "range",
        move |lower: i64, upper: Option<i64>, step: Option<i64>| -> Result<Value, Error> {
            if cancel.is_cancelled() {
                return Err(stopped());
            }
            let (start, end) = match upper {
                Some(upper) => (lower, upper),
                None => (0, lower),
            };
            let step = step.unwrap_or(1);
            let count = range_len(start, end, step)?;
            let cancel = cancel.clone();
            Ok(Value::make_iterable(move || {
                let cancel = cancel.clone();
                (0..count)
                    .map(move |i| i128::from(start) + i * i128::from(step))
                    .filter_map(|n| i64::try_from(n).ok())
                    .take_while(move |_| !cancel.is_cancelled())
            }))
        },
    );
}

/// How many items `range(start, end, step)` has; an error when the step is
/// 0 or there are more than [`MAX_RANGE`].
fn range_len(start: i64, end: i64, step: i64) -> Result<i128, Error> {
    if step == 0 {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "range() cannot have a step of 0",
        ));
    }
    let (start, end, step) = (i128::from(start), i128::from(end), i128::from(step));
    let span = if step > 0 { end - start } else { start - end };
    let count = if span <= 0 {
        0
    } else {
        (span + step.abs() - 1) / step.abs()
    };
    if count > MAX_RANGE {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("range() would have {count} items; at most {MAX_RANGE} are allowed"),
        ));
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Renderer, TemplateUse};
    use minijinja::context;

    fn render(renderer: &Renderer, source: &str) -> Result<String, Error> {
        renderer.render(source, TemplateUse::Text, &context! {})
    }

    #[test]
    fn only_templates_that_name_variables_skip_the_render_thread() {
        for source in [
            "{{ cpr }}",
            "Hej {{ navn }}, {{ org.kontor }} { } }}",
            "{{- org.x -}}{{+ a_b.c1 }}",
            "ingen tags",
        ] {
            assert!(only_names_variables(source), "{source}");
        }
        for source in [
            "{% if x %}y{% endif %}",
            "{# note #}{{ x }}",
            "{{ x | upper }}",
            "{{ x ~ y }}",
            "{{ f() }}",
            "{{ x[0] }}",
            "{{ 'tekst' }}",
            "{{ 1 }}",
            "{{ }}",
            "{{ x",
            "{{ x.1 }}",
            "{{ [1] * 100000000 }}",
        ] {
            assert!(!only_names_variables(source), "{source}");
        }
    }

    /// Where a value is written, which thread the render ran on.
    #[derive(Debug)]
    struct RenderedOn;

    impl minijinja::value::Object for RenderedOn {
        fn get_value(self: &std::sync::Arc<Self>, _key: &Value) -> Option<Value> {
            Some(Value::from(
                std::thread::current()
                    .name()
                    .unwrap_or("unnamed")
                    .to_string(),
            ))
        }
    }

    #[test]
    fn a_template_of_variable_names_renders_on_the_callers_thread_the_same() {
        let renderer = Renderer::new();
        let here = std::thread::current().name().map(str::to_string);
        let ctx = context! { where_ => Value::from_object(RenderedOn), navn => "Åse" };
        let at_once = renderer
            .render("{{ where_.thread }}: {{ navn }}", TemplateUse::Text, &ctx)
            .expect("renders");
        assert_eq!(
            at_once,
            format!("{}: Åse", here.as_deref().unwrap_or("unnamed"))
        );
        let watched = renderer
            .render(
                "{{ where_.thread }}: {{ navn | lower }}",
                TemplateUse::Text,
                &ctx,
            )
            .expect("renders");
        assert_eq!(watched, "genvej-render: åse");
        // Strict undefined: a missing name is the same error either way.
        let missing = renderer.render("{{ nowhere }}", TemplateUse::Text, &ctx);
        let missing_watched = renderer.render("{{ nowhere | lower }}", TemplateUse::Text, &ctx);
        assert_eq!(
            missing.expect_err("undefined").kind(),
            missing_watched.expect_err("undefined").kind()
        );
    }

    /// The runaway: two nested loops. It stops, fast, with an error.
    #[test]
    fn a_runaway_render_runs_out_of_fuel_within_a_second() {
        let renderer = Renderer::new();
        for source in [
            "{% for a in range(10000) %}{% for b in range(10000) %}{{ a }}{% endfor %}{% endfor %}",
            "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
            "{% for a in range(10000) %}{% for b in range(10000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}",
            "{% set ns = namespace(s='x') %}{% for a in range(10000) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
        ] {
            let started = Instant::now();
            let error = render(&renderer, source).expect_err(source);
            let took = started.elapsed();
            // 20–300 ms in a debug build on an idle machine.
            assert!(took < Duration::from_secs(2), "{source}: took {took:?}");
            eprintln!("{took:?} {:?}: {source}", error.kind());
        }
    }

    #[test]
    fn huge_values_are_refused_before_they_are_made() {
        let renderer = Renderer::new();
        for source in [
            "{{ 'x' * 10**9 }}",
            "{{ 'x' * 100000000 }}",
            "{{ [1] * 100000000 }}",
            "{{ range(100000) | list }}",
            "{{ range(10001) | length }}",
            "{{ 'ab' | center(2000000000) }}",
            "{{ 'ab' | indent(2000000000) }}",
            "{{ ('x' * 60000000) | length }}",
            "{{ ([1] * 100000000) | join }}",
            "{{ ([1] * 100000000) | string | length }}",
            "{{ ([1] * 100000000) | tojson | length }}",
            "{{ ([1] * 100000000) | pprint | length }}",
            "{{ [[1] * 10000] * 10000 }}",
            "{{ ([[1] * 10000] * 10000) | string | length }}",
            "{{ ([1] * 100000000) | list | length }}",
            "{{ ([1] * 100000000) | sum }}",
            "{{ ([1] * 100000000) | sort | length }}",
            "{{ ([1] * 100000000) | unique | length }}",
            "{{ ([1] * 100000000) | reverse | first }}",
            "{{ ([1] * 100000000) | last }}",
            "{{ ([1] * 100000000) | max }}",
            "{{ ([1] * 100000000) | batch(3) | length }}",
            "{{ ([1] * 100000000) | map('string') | join }}",
            "{{ ([1] * 100000000) | select | list | length }}",
            "{{ ([1] * 100000000)[99999999:] }}",
            "{{ ('x' * 50000000) | replace('x', 'yyyyyyyyyy') | length }}",
            "{{ ('x' * 50000000) | upper | length }}",
            "{{ ('x' * 50000000) | urlencode | length }}",
            "{{ ('x' * 50000000) | wordcount }}",
            "{{ '%s' | format('x' * 50000000) | length }}",
        ] {
            let started = Instant::now();
            let result = render(&renderer, source).map(|s| s.len());
            assert!(result.is_err(), "{source}: {result:?}");
            // Well under a second in a release build; the deadline holds however busy the machine is.
            assert!(
                started.elapsed() < RENDER_DEADLINE + Duration::from_millis(300),
                "{source}"
            );
        }
    }

    /// Comparing and searching lazily repeated lists is work MiniJinja's fuel
    /// does not count: the deadline ends the render instead, and the panic
    /// key does not wait for it either.
    #[test]
    fn work_fuel_does_not_count_ends_at_the_deadline_or_the_panic_key() {
        let renderer = Renderer::new();
        let source = "{{ 2 in [1] * 100000000 }}";
        let started = Instant::now();
        let error = render(&renderer, source).expect_err("abandoned");
        let took = started.elapsed();
        assert!(
            took >= RENDER_DEADLINE && took < RENDER_DEADLINE + Duration::from_millis(500),
            "{took:?} {error:?}"
        );
        assert_eq!(error.kind(), ErrorKind::OutOfFuel);

        let cancel = CancelToken::new();
        let renderer = Renderer::with_cancel(cancel.clone());
        let started = Instant::now();
        let pressing = std::thread::spawn({
            let cancel = cancel.clone();
            move || {
                std::thread::sleep(Duration::from_millis(100));
                cancel.cancel();
            }
        });
        let error = renderer
            .is_true("[1] * 100000000 == [1] * 100000000", &context! {})
            .expect_err("stopped");
        pressing.join().expect("panic key thread");
        assert!(error.to_string().contains("panic key"), "{error}");
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
    }

    /// MiniJinja works out constant expressions while compiling, without
    /// fuel: the checker must not hang on one either.
    #[test]
    fn a_constant_that_takes_forever_to_work_out_is_a_check_error() {
        let renderer = Renderer::new();
        let started = Instant::now();
        let error = renderer
            .variables_of("{{ 2 in [1] * 100000000 }}")
            .expect_err("abandoned");
        assert!(error.to_string().contains("huge list"), "{error}");
        assert!(started.elapsed() < RENDER_DEADLINE + Duration::from_millis(300));
    }

    #[test]
    fn ordinary_templates_have_fuel_to_spare() {
        let renderer = Renderer::new();
        let out = render(
            &renderer,
            "{% for a in range(100) %}{% for b in range(100) %}{{ a * b }} {% endfor %}{% endfor %}",
        )
        .expect("10,000 items render");
        assert_eq!(out.split(' ').count(), 10_001);
        assert_eq!(
            render(&renderer, "{{ range(10000) | sum }}").expect("renders"),
            "49995000"
        );
    }

    #[test]
    fn the_panic_key_stops_a_render_that_is_running() {
        let cancel = CancelToken::new();
        let renderer = Renderer::with_cancel(cancel.clone());
        let source =
            "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}";
        let pressed = std::thread::spawn({
            let cancel = cancel.clone();
            move || cancel.cancel()
        });
        pressed.join().expect("the panic key thread");
        let error = render(&renderer, source).expect_err("stopped");
        assert!(error.to_string().contains("panic key"), "{error}");
        cancel.reset();
        assert_eq!(render(&renderer, "{{ 1 + 1 }}").expect("renders"), "2");
    }

    #[test]
    fn range_lengths_match_python() {
        assert_eq!(range_len(0, 4, 1).ok(), Some(4));
        assert_eq!(range_len(1, 11, 3).ok(), Some(4)); // 1 4 7 10
        assert_eq!(range_len(10, 0, -3).ok(), Some(4)); // 10 7 4 1
        assert_eq!(range_len(5, 5, 1).ok(), Some(0));
        assert_eq!(range_len(5, 0, 1).ok(), Some(0));
        assert_eq!(range_len(0, 10_000, 1).ok(), Some(10_000));
        assert_eq!(range_len(i64::MIN, i64::MAX, i64::MAX).ok(), Some(3));
    }

    #[test]
    fn ranges_too_large_or_without_a_step_are_errors() {
        for (start, end, step) in [
            (0, 10_001, 1),
            (0, 100_000, 1),
            (i64::MIN, i64::MAX, 1),
            (i64::MAX, i64::MIN, -1),
            (0, 1, 0),
        ] {
            assert!(range_len(start, end, step).is_err(), "{start} {end} {step}");
        }
    }
}
