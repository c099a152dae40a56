//! The run worker: a thread that owns the desktop connection and runs one
//! job at a time (a script, the command palette), so the agent's loop never
//! waits for a run. It tells the loop when a run's last key is out
//! ([`AgentEvent::InputDone`]) and when the run is over
//! ([`AgentEvent::Finished`]); a panic anywhere in a job is a failed run,
//! never a dead worker.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use genvej_desktop::PasteRules;
use genvej_desktop::os;
use genvej_engine::ports::{CancelToken, Keyboard, Windows};
use genvej_engine::{Engine, RunError, RunFailure, RunOutcome, Status};
use genvej_format::config::Config;
use genvej_format::template::Renderer;
use genvej_format::window_match::WindowInfo;
use genvej_ui::dialog::PaletteProcess;
use genvej_usage::Trigger;

use super::AgentEvent;
use super::scripts::pick;
use super::state::Job;
use super::swap::SpareThread;
use super::usage::Recorder;

/// The worker owns the desktop connection and runs one job at a time. It
/// runs on `spare`, the thread that read the scripts at start, when there
/// is one, else on a thread of its own.
pub(super) fn start_worker(
    config: &Config,
    cancel: CancelToken,
    events: Sender<AgentEvent>,
    recorder: Option<Recorder>,
    spare: Option<SpareThread>,
) -> anyhow::Result<(Sender<Job>, JoinHandle<()>)> {
    let (jobs, job_inbox) = mpsc::channel::<Job>();
    let (ready, ready_inbox) = mpsc::channel::<anyhow::Result<()>>();
    // The desktop's browser and paste rules are read once, at start.
    let rules = PasteRules {
        shift_insert_classes: config.agent.shift_insert_classes.clone(),
    };
    let browser = config.agent.browser.clone();
    let palette_ready = super::palette::keep_ready(config);
    let work = move || {
        let mut desktop = match os::connect_desktop(
            browser,
            rules,
            Box::new(genvej_ui::dialog::DialogProcess::current()),
        ) {
            Ok(desktop) => {
                let _ = ready.send(Ok(()));
                desktop
            }
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        // Renders stop at the panic key, not only between steps.
        let renderer = Renderer::with_cancel(cancel.clone());
        // The command palette, drawn ahead of its chord by a process of
        // its own (never GL in the agent); it ends with the worker.
        let mut palette = PaletteProcess::current();
        if palette_ready {
            palette.prepare();
        }
        let mut prepared: Option<Prepared> = None;
        for job in job_inbox {
            if let Job::Prepare(pressed, described) = job {
                prepared = Prepared::at_press(pressed, Instant::now(), described, || {
                    desktop.focused().ok().flatten()
                });
                if prepared.is_some() {
                    // The run's first question to the desktop, whether the
                    // hot key's modifiers are up yet, asked while the agent
                    // decides: under Wine a round trip whose answer Wine
                    // keeps for a moment, so the run's own check (right
                    // before its first key, as always) costs next to nothing.
                    let _ = desktop.wait_modifiers_released(Duration::ZERO);
                }
                continue;
            }
            // Only a hot key's run starts from the window described at its
            // press, and only right after it.
            let described = prepared
                .take()
                .filter(|_| matches!(job, Job::Hotkey(..)))
                .and_then(|p| p.window_if_fresh(Instant::now()));
            // A job that closed the pulse question waits for the focus
            // to be back first, whatever the job (a run or the palette).
            let (job, described) = match job {
                Job::AfterQuestion(inner) => {
                    wait_for_focus_back(&mut desktop);
                    (*inner, None)
                }
                job => (job, described),
            };
            let job = match job {
                Job::Palette {
                    entries,
                    keep_ready,
                } => {
                    let closed = super::palette::choose_on_worker(
                        &mut desktop,
                        &mut palette,
                        entries,
                        &cancel,
                        keep_ready,
                    );
                    if events.send(closed).is_err() {
                        break;
                    }
                    continue;
                }
                Job::PaletteReady(true) => {
                    palette.prepare();
                    continue;
                }
                Job::PaletteReady(false) => {
                    palette.stop();
                    continue;
                }
                job => job,
            };
            // The engine turns a panic inside a run into a failed run;
            // this catches one anywhere else in a job, so the agent is
            // always told that the run is over.
            let input_done = || {
                let _ = events.send(AgentEvent::InputDone);
            };
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let worker = Worker {
                    renderer: &renderer,
                    cancel: &cancel,
                    recorder: recorder.as_ref(),
                    input_done: &input_done,
                };
                worker.run_job(job, &mut desktop, described)
            }))
            .unwrap_or_else(|_| {
                tracing::error!("a run stopped on an internal error");
                Some(RunOutcome {
                    script_id: String::new(),
                    status: Status::Failed(RunFailure {
                        script_name: "genvej".into(),
                        step: None,
                        action: "run",
                        error: RunError::Internal,
                    }),
                    duration: Duration::ZERO,
                    steps_completed: 0,
                })
            });
            let Some(outcome) = done else { continue };
            if events.send(AgentEvent::Finished(outcome)).is_err() {
                break;
            }
        }
    };
    let worker = match spare {
        Some(thread) => thread.run(Box::new(work))?,
        None => thread::Builder::new()
            .name("genvej-run".into())
            .spawn(work)
            .context("cannot start the run worker")?,
    };
    match ready_inbox.recv() {
        Ok(Ok(())) => Ok((jobs, worker)),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(anyhow!("the run worker stopped while starting")),
    }
}

/// What the run worker lends each job.
struct Worker<'w> {
    renderer: &'w Renderer,
    cancel: &'w CancelToken,
    recorder: Option<&'w Recorder>,
    /// Called once the run has sent its last key, before it is recorded.
    input_done: &'w dyn Fn(),
}

impl Worker<'_> {
    /// Runs one job: picks the script (a hot key shared by several scripts
    /// goes to the one for the focused window), runs it and records it.
    /// `described` is the focused window as described at the hot key's
    /// press, if it was. `None` when no script was for the focused window.
    fn run_job(
        &self,
        job: Job,
        desktop: &mut os::NativeDesktop,
        mut described: Option<WindowInfo>,
    ) -> Option<RunOutcome> {
        let (script, config, trigger) = match job {
            Job::AfterQuestion(job) => {
                wait_for_focus_back(desktop);
                return self.run_job(*job, desktop, None);
            }
            Job::Hotkey(candidates, config) => {
                let script = match candidates.as_slice() {
                    // One script: nothing to choose (the engine reads the
                    // focused window itself, once, unless it was read).
                    [only] => Arc::clone(only),
                    _ => {
                        if described.is_none() {
                            described = desktop.focused().ok().flatten();
                        }
                        Arc::clone(pick(&candidates, described.as_ref())?)
                    }
                };
                (script, config, Trigger::Hotkey)
            }
            Job::Run(script, config, trigger) => (script, config, trigger),
            // Handled by the worker's loop before it gets here.
            Job::Palette { .. } | Job::PaletteReady(_) | Job::Prepare(..) => return None,
        };
        desktop.set_document_folder(config.agent.document_folder.clone());
        desktop.set_ca_file(config.agent.ca_file.clone());
        let engine = Engine::new(self.renderer, &config, self.cancel.clone());
        let outcome = engine.run_in(desktop, &script, &BTreeMap::new(), described);
        // Writing the usage record takes a moment; a key the caseworker
        // types meanwhile is theirs, and hotstrings must see it.
        (self.input_done)();
        if let Some(recorder) = self.recorder {
            recorder.run_finished(&script, &outcome, trigger, &config);
        }
        Some(outcome)
    }
}

/// The focused window as a hot key's press found it ([`Job::Prepare`]):
/// described by the listener's thread at the press (Windows), else by the
/// worker while the press was on its way through the agent. Either way the
/// run that the press starts need not describe the window after the
/// threads' wake-ups. Under Wine that description is three round trips to
/// the wineserver, a good part of a hot key's time to its first key.
#[derive(Debug)]
struct Prepared {
    described_at: Instant,
    window: WindowInfo,
}

impl Prepared {
    /// How long after its press a description still stands for the window
    /// in front. From the press to its run takes well under a millisecond;
    /// a worker that was busy meets the press's [`Job::Prepare`] only
    /// later, and then describes nothing.
    const FRESH: Duration = Duration::from_millis(50);

    /// For a press at `pressed`, met by the worker at `now`: the window
    /// the listener `described` at the press, else one described now
    /// (`describe`); nothing when the press is no longer recent.
    fn at_press(
        pressed: Instant,
        now: Instant,
        described: Option<WindowInfo>,
        describe: impl FnOnce() -> Option<WindowInfo>,
    ) -> Option<Prepared> {
        if now.saturating_duration_since(pressed) > Self::FRESH {
            return None;
        }
        Some(match described {
            Some(window) => Prepared {
                described_at: pressed,
                window,
            },
            None => Prepared {
                described_at: now,
                window: describe()?,
            },
        })
    }

    /// The window, if it was described at most [`Self::FRESH`] before `now`.
    fn window_if_fresh(self, now: Instant) -> Option<WindowInfo> {
        (now.saturating_duration_since(self.described_at) <= Self::FRESH).then_some(self.window)
    }
}

/// After the agent closed its own question: waits (at most a second)
/// until the desktop names a focused window that is not the question. The
/// window manager hands the focus back a moment after the question's
/// window is gone; meanwhile the focus may still name the closed window.
fn wait_for_focus_back(desktop: &mut os::NativeDesktop) {
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(window)) = desktop.focused() {
            if !super::pulse::is_question(&window.title) {
                return;
            }
        }
        thread::sleep(Duration::from_millis(10));
    }
    tracing::debug!("the focus did not come back within a second of closing the question");
}

#[cfg(test)]
mod tests {
    use super::*;
    use genvej_format::window_match::WindowId;

    fn fasit() -> WindowInfo {
        WindowInfo {
            id: WindowId(7),
            title: "Fasit – borger".into(),
            class: "Chrome_WidgetWin_1".into(),
            executable: Some("chrome.exe".into()),
        }
    }

    #[test]
    fn a_press_met_at_once_describes_the_window_for_its_run() {
        let pressed = Instant::now();
        let met = pressed + Duration::from_micros(80);
        let prepared = Prepared::at_press(pressed, met, None, || Some(fasit())).expect("described");
        let run_starts = pressed + Duration::from_micros(300);
        assert_eq!(prepared.window_if_fresh(run_starts), Some(fasit()));
    }

    #[test]
    fn a_window_the_listener_described_is_kept_without_describing_it_again() {
        let pressed = Instant::now();
        let met = pressed + Duration::from_micros(80);
        let prepared =
            Prepared::at_press(pressed, met, Some(fasit()), || panic!("described again"))
                .expect("kept");
        // Its age counts from the press, when the listener described it.
        assert_eq!(
            Prepared::at_press(pressed, met, Some(fasit()), || None)
                .and_then(|p| p.window_if_fresh(pressed + Duration::from_millis(51))),
            None
        );
        assert_eq!(prepared.window_if_fresh(met), Some(fasit()));
    }

    #[test]
    fn a_press_met_late_describes_nothing_and_keeps_nothing() {
        let pressed = Instant::now();
        let late = pressed + Duration::from_millis(60);
        let mut described = false;
        let prepared = Prepared::at_press(pressed, late, None, || {
            described = true;
            Some(fasit())
        });
        assert!(prepared.is_none());
        assert!(!described, "a stale press costs no description");
        assert!(Prepared::at_press(pressed, late, Some(fasit()), || None).is_none());
    }

    #[test]
    fn a_description_older_than_fifty_milliseconds_is_not_used() {
        let pressed = Instant::now();
        let prepared =
            Prepared::at_press(pressed, pressed, None, || Some(fasit())).expect("described");
        assert_eq!(
            prepared.window_if_fresh(pressed + Duration::from_millis(51)),
            None
        );
    }

    #[test]
    fn no_focused_window_means_nothing_prepared() {
        let pressed = Instant::now();
        assert!(Prepared::at_press(pressed, pressed, None, || None).is_none());
    }
}
