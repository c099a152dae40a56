//! One check for a new bundle, and the thread that checks at start, every
//! `check_minutes`, and when asked (after the config or the scripts
//! changed). A check never blocks a hot key: it runs on its own thread and
//! tells the agent only that a new library is ready (then the usual reload
//! reads it).
//!
//! Each file is fetched unless unchanged, verified, and judged (see
//! [`choice`](super::choice)); the newest good one is cached and goes live.
//! A refused bundle is logged (English) and shown once (Danish) — the next
//! checks find the same file unchanged and say nothing more.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};

use genvej_bundle::Fault;
use genvej_desktop::bundle_source::{BundleSource, FetchError, Fetched, Validators};

use super::choice::{self, Candidate, Verdict};
use super::store::{LastCheck, State};
use super::{Bundles, Current, describe, digest};
use crate::agent::texts;

/// Shows a notice: (title, text), both Danish.
pub type Notify = Box<dyn Fn(&str, &str) + Send>;

/// The end of one check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckSummary {
    /// A newer library was cached and is now current.
    pub took: Option<u64>,
    /// Files refused in this check (file name, English reason).
    pub refused: Vec<(String, String)>,
    /// Files that could not be fetched.
    pub unreachable: usize,
    /// Files read and verified this time (not unchanged).
    pub downloaded: usize,
}

/// Checks for new bundles; keeps what it learnt in the store's state.
pub struct Checker {
    bundles: Bundles,
    source: BundleSource,
    state: State,
    notify: Notify,
    /// Refusals already shown (file and what was refused), so each is shown once.
    shown: BTreeSet<(String, String)>,
    /// Whether the last check could reach nothing: said once per outage.
    said_unreachable: bool,
    said_no_library: bool,
}

impl Checker {
    pub fn new(bundles: Bundles, notify: Notify) -> Checker {
        let source = BundleSource::new(bundles.location.clone(), bundles.ca_file.clone());
        Checker::with_source(bundles, source, notify)
    }

    /// With a source of its own (lower limits, in tests).
    pub fn with_source(bundles: Bundles, source: BundleSource, notify: Notify) -> Checker {
        let state = bundles.store.read_state();
        Checker {
            bundles,
            source,
            state,
            notify,
            shown: BTreeSet::new(),
            said_unreachable: false,
            said_no_library: false,
        }
    }

    /// Fetches, verifies and judges every file once.
    pub fn check(&mut self) -> CheckSummary {
        let mut summary = CheckSummary::default();
        let running = self.bundles.current.get();
        let mut candidates: Vec<(Candidate, Vec<u8>, genvej_bundle::Library)> = Vec::new();
        let mut unreachable: Vec<String> = Vec::new();
        let mut missing: Vec<String> = Vec::new();
        for name in choice::file_names(self.bundles.ring.as_deref()) {
            let place = self.bundles.location.describe(&name);
            // Without a library every file is read again, whatever was known.
            let known = match (&running, self.state.files.get(&name)) {
                (Some(_), Some(saved)) => Validators::from(saved),
                _ => Validators::default(),
            };
            match self.source.fetch(&name, &known) {
                Ok(Fetched::Unchanged) => {}
                Ok(Fetched::Missing) => {
                    self.state.files.remove(&name);
                    missing.push(place);
                }
                Ok(Fetched::Changed { bytes, validators }) => {
                    summary.downloaded += 1;
                    self.state.files.insert(name.clone(), (&validators).into());
                    let content = digest(&bytes);
                    match genvej_bundle::verify(&bytes, &self.bundles.keys) {
                        Ok(library) => {
                            let candidate = Candidate {
                                sequence: library.manifest.sequence,
                                digest: content,
                                from: name.clone(),
                            };
                            candidates.push((candidate, bytes, library));
                        }
                        Err(e) => self.refuse(
                            &mut summary,
                            &name,
                            &place,
                            hex(&content),
                            e.to_string(),
                            texts::bundle_fault(e.fault()),
                        ),
                    }
                }
                Err(FetchError::TooLarge { limit, .. }) => self.refuse(
                    &mut summary,
                    &name,
                    &place,
                    "too large".into(),
                    format!("larger than {limit} bytes; not read"),
                    texts::bundle_fault(Fault::TooLarge),
                ),
                Err(error @ (FetchError::Unreachable { .. } | FetchError::Failed { .. })) => {
                    unreachable.push(error.to_string())
                }
            }
        }
        summary.unreachable = unreachable.len();
        self.judge(&mut summary, running.as_ref(), candidates);
        self.report_reach(&unreachable, &missing);
        self.state.last_check = Some(LastCheck {
            at: chrono::Utc::now(),
            result: self.result_text(&summary, &unreachable),
        });
        if let Err(e) = self.bundles.store.write_state(&self.state) {
            tracing::warn!(
                "cannot save the bundle state in {}: {e}",
                self.bundles.store.folder().display()
            );
        }
        tracing::debug!(
            "bundle check: {}",
            self.state
                .last_check
                .as_ref()
                .map_or("", |c| c.result.as_str())
        );
        summary
    }

    /// Judges the verified candidates; caches and switches to the newest
    /// newer one.
    fn judge(
        &mut self,
        summary: &mut CheckSummary,
        running: Option<&Current>,
        candidates: Vec<(Candidate, Vec<u8>, genvej_bundle::Library)>,
    ) {
        let running_now = running.map(Current::running);
        let plain: Vec<Candidate> = candidates.iter().map(|(c, _, _)| c.clone()).collect();
        let newest = choice::newest(running_now.as_ref(), &plain).cloned();
        for (candidate, bytes, library) in candidates {
            let place = self.bundles.location.describe(&candidate.from);
            match choice::judge(running_now.as_ref(), &candidate) {
                Verdict::Newer if Some(&candidate) == newest.as_ref() => {
                    self.take(summary, candidate, &bytes, library, &place);
                }
                Verdict::Newer | Verdict::Behind => tracing::info!(
                    "bundle {place} (sequence {}) is not used: a newer one is chosen",
                    candidate.sequence
                ),
                Verdict::Same => {}
                Verdict::Older { running } => self.refuse(
                    summary,
                    &candidate.from,
                    &place,
                    hex(&candidate.digest),
                    format!(
                        "sequence {} is older than the running sequence {running} (an old bundle put back?)",
                        candidate.sequence
                    ),
                    texts::bundle_older(candidate.sequence, running),
                ),
                Verdict::Conflicting => self.refuse(
                    summary,
                    &candidate.from,
                    &place,
                    hex(&candidate.digest),
                    format!(
                        "sequence {} is the running sequence, but the content differs",
                        candidate.sequence
                    ),
                    texts::bundle_conflicting(candidate.sequence),
                ),
            }
        }
    }

    fn take(
        &mut self,
        summary: &mut CheckSummary,
        candidate: Candidate,
        bytes: &[u8],
        library: genvej_bundle::Library,
        place: &str,
    ) {
        if let Err(e) = self.bundles.store.write_current(bytes) {
            // It still runs; the cache is only for the next start.
            tracing::warn!(
                "cannot cache the bundle in {}: {e}",
                self.bundles.store.folder().display()
            );
        }
        tracing::info!(
            "bundle {place} verified: {}; loading it",
            describe(&library)
        );
        self.state.current_from = Some(candidate.from.clone());
        summary.took = Some(candidate.sequence);
        self.said_no_library = false;
        self.bundles.current.set(Some(Current {
            library: Arc::new(library),
            digest: candidate.digest,
            from: Some(candidate.from),
        }));
    }

    /// Logs a refusal, and shows it once per file and content.
    fn refuse(
        &mut self,
        summary: &mut CheckSummary,
        name: &str,
        place: &str,
        what: String,
        reason: String,
        danish: String,
    ) {
        let running = self
            .bundles
            .current
            .get()
            .map_or("none".to_string(), |c| format!("sequence {}", c.sequence()));
        summary.refused.push((name.to_string(), reason.clone()));
        if self.shown.insert((name.to_string(), what)) {
            tracing::warn!(
                "bundle refused: {place}: {reason}; the running library stays ({running})"
            );
            self.show(texts::BUNDLE_REFUSED_TITLE, &texts::bundle_refused(&danish));
        } else {
            tracing::debug!("bundle refused again: {place}: {reason}");
        }
    }

    /// Says once per outage that nothing could be fetched, and once that
    /// the agent runs without the organisation's scripts.
    fn report_reach(&mut self, unreachable: &[String], missing: &[String]) {
        let running = self.bundles.current.get();
        if unreachable.is_empty() {
            if self.said_unreachable {
                tracing::info!(
                    "bundles can be fetched again from {}",
                    self.bundles.location.describe("")
                );
            }
            self.said_unreachable = false;
        } else if !self.said_unreachable {
            self.said_unreachable = true;
            let now = match &running {
                Some(current) => format!(
                    "running the cached library ({})",
                    describe(&current.library)
                ),
                None => "no library yet".into(),
            };
            tracing::warn!(
                "bundles cannot be fetched: {}; {now}",
                unreachable.join("; ")
            );
        }
        if running.is_none() && !self.said_no_library {
            self.said_no_library = true;
            let why = if unreachable.is_empty() {
                format!("no bundle at {}", missing.join(", "))
            } else {
                "nothing could be fetched".into()
            };
            tracing::warn!(
                "no organisation library: {why}; running without the organisation's scripts until a bundle is fetched"
            );
            self.show(
                texts::NO_LIBRARY_TITLE,
                &texts::no_library(self.bundles.every.as_secs() / 60),
            );
        }
    }

    fn result_text(&self, summary: &CheckSummary, unreachable: &[String]) -> String {
        let running = self
            .bundles
            .current
            .get()
            .map_or("no library".to_string(), |c| {
                format!("running sequence {}", c.sequence())
            });
        let mut parts = Vec::new();
        if let Some(sequence) = summary.took {
            parts.push(format!("took sequence {sequence}"));
        }
        for (name, reason) in &summary.refused {
            parts.push(format!("refused {name}: {reason}"));
        }
        if !unreachable.is_empty() {
            parts.push(format!("unreachable: {}", unreachable.join("; ")));
        }
        if parts.is_empty() {
            parts.push("nothing new".into());
        }
        format!("{} ({running})", parts.join("; "))
    }

    fn show(&self, title: &str, text: &str) {
        (self.notify)(title, text);
    }
}

/// The checking thread; it ends when this is dropped (a check under way
/// finishes first, on its own: nobody waits for a share that hangs).
pub struct Checks {
    poke: Sender<()>,
}

impl Checks {
    /// Checks now, then every `bundles.every`, and when [`Checks::now`] is
    /// called; `took` is called after a new library became current.
    pub fn start(
        mut checker: Checker,
        took: impl Fn() + Send + 'static,
    ) -> std::io::Result<Checks> {
        let (poke, pokes) = mpsc::channel::<()>();
        let every = checker.bundles.every;
        std::thread::Builder::new()
            .name("genvej-bundles".into())
            .spawn(move || {
                loop {
                    if checker.check().took.is_some() {
                        took();
                    }
                    match pokes.recv_timeout(every) {
                        Ok(()) | Err(RecvTimeoutError::Timeout) => {
                            // Several pokes while checking are one check.
                            while pokes.try_recv().is_ok() {}
                        }
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            })?;
        Ok(Checks { poke })
    }

    /// Asks for a check now (without waiting for it).
    pub fn now(&self) {
        let _ = self.poke.send(());
    }
}

fn hex(digest: &[u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
