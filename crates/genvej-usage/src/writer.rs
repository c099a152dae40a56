//! Records are written by a background thread: a run hands its record to a
//! bounded queue and goes on. A full queue, a full disk or a locked database
//! costs records (logged), never a run's time.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use super::{Baseline, PulseAnswer, UsageDb, UsageError, UsageRecord};

/// Records waiting to be written; beyond this a record is dropped (logged).
const QUEUE: usize = 4096;

enum Entry {
    Run(UsageRecord),
    Baseline(Baseline),
    Pulse(PulseAnswer),
    /// Answered once everything queued before it is written (tests, exit).
    Flush(SyncSender<()>),
}

/// The sending end; cheap to clone.
#[derive(Clone)]
pub struct UsageWriter {
    queue: SyncSender<Entry>,
}

/// The writer thread; joining it writes what is queued.
pub struct WriterThread {
    handle: Option<JoinHandle<()>>,
}

impl UsageWriter {
    /// Starts the writer for the database at `path`. Opening happens on the
    /// writer thread; a failure there is logged and records are dropped.
    pub fn start(path: PathBuf) -> (UsageWriter, WriterThread) {
        let opened = UsageDb::open(&path);
        UsageWriter::start_on(path, opened)
    }

    /// [`start`](Self::start) with the database already opened (or the
    /// reason it could not be), so the caller can read from it first.
    pub fn start_on(
        path: PathBuf,
        opened: Result<UsageDb, UsageError>,
    ) -> (UsageWriter, WriterThread) {
        let (queue, inbox) = mpsc::sync_channel(QUEUE);
        let handle = std::thread::Builder::new()
            .name("genvej-usage".into())
            .spawn(move || write_loop(&path, opened, inbox))
            .map_err(|e| tracing::warn!("usage records are off: cannot start the writer: {e}"))
            .ok();
        (UsageWriter { queue }, WriterThread { handle })
    }

    /// Queues a run's record; never waits.
    pub fn record(&self, record: UsageRecord) {
        self.send(Entry::Run(record));
    }

    /// Queues a measured manual timing; never waits.
    pub fn record_baseline(&self, baseline: Baseline) {
        self.send(Entry::Baseline(baseline));
    }

    /// Queues a satisfaction-pulse question (answered or dismissed); never
    /// waits.
    pub fn record_pulse(&self, pulse: PulseAnswer) {
        self.send(Entry::Pulse(pulse));
    }

    /// Waits until everything queued so far is written (or dropped).
    pub fn flush(&self) {
        let (done, wait) = mpsc::sync_channel(1);
        if self.queue.send(Entry::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }

    fn send(&self, entry: Entry) {
        match self.queue.try_send(entry) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::warn!("usage record dropped: {QUEUE} records are waiting to be written")
            }
            Err(TrySendError::Disconnected(_)) => {
                tracing::debug!("usage record dropped: the writer has stopped")
            }
        }
    }
}

impl Drop for WriterThread {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// Records that could not be written yet (a locked database, a full disk)
/// are kept and tried again with the next ones, up to this many.
const KEEP_UNWRITTEN: usize = 10_000;

fn write_loop(path: &std::path::Path, opened: Result<UsageDb, UsageError>, inbox: Receiver<Entry>) {
    let mut db = match opened {
        Ok(db) => Some(db),
        Err(e) => {
            tracing::warn!("usage records are not saved yet: {e}");
            None
        }
    };
    let mut runs: Vec<UsageRecord> = Vec::new();
    let mut baselines: Vec<Baseline> = Vec::new();
    let mut pulses: Vec<PulseAnswer> = Vec::new();
    while let Ok(first) = inbox.recv() {
        // Everything already waiting goes into one transaction.
        let mut flushes = Vec::new();
        let mut pending = Some(first);
        while let Some(entry) = pending.take().or_else(|| inbox.try_recv().ok()) {
            match entry {
                Entry::Run(record) => runs.push(record),
                Entry::Baseline(baseline) => baselines.push(baseline),
                Entry::Pulse(pulse) => pulses.push(pulse),
                Entry::Flush(done) => flushes.push(done),
            }
        }
        if db.is_none() {
            // The folder may have appeared, or the disk been freed.
            db = UsageDb::open(path).ok();
        }
        if let Some(db) = db.as_mut() {
            if !runs.is_empty() {
                match db.insert(&runs) {
                    Ok(()) => runs.clear(),
                    Err(e) => tracing::warn!(
                        "{} usage record(s) not saved yet, kept to try again: {e}",
                        runs.len()
                    ),
                }
            }
            while let Some(baseline) = baselines.first() {
                match db.insert_baseline(baseline) {
                    Ok(()) => {
                        baselines.remove(0);
                    }
                    Err(e) => {
                        tracing::warn!("a manual timing was not saved yet, kept to try again: {e}");
                        break;
                    }
                }
            }
            while let Some(pulse) = pulses.first() {
                match db.insert_pulse(pulse) {
                    Ok(()) => {
                        pulses.remove(0);
                    }
                    Err(e) => {
                        tracing::warn!("a pulse answer was not saved yet, kept to try again: {e}");
                        break;
                    }
                }
            }
        }
        if runs.len() > KEEP_UNWRITTEN {
            let dropped = runs.len() - KEEP_UNWRITTEN;
            runs.drain(..dropped);
            tracing::warn!(
                "{dropped} usage record(s) dropped: the database has not been writable for a long time"
            );
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
    if !runs.is_empty() || !baselines.is_empty() || !pulses.is_empty() {
        tracing::warn!(
            "{} usage record(s), {} stopwatch timing(s) and {} pulse answer(s) could not be saved before genvej stopped",
            runs.len(),
            baselines.len(),
            pulses.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Dataset;
    use crate::{Outcome, Person, ScriptVersion, Trigger};
    use std::time::{Duration, Instant};

    fn record(n: i64) -> UsageRecord {
        UsageRecord {
            script: ScriptVersion {
                id: "hils".into(),
                version: "v1".into(),
                name: "Hils".into(),
                manual_seconds: 30,
                author_version: None,
            },
            person: Person {
                user_id: "p-1".into(),
                team: "A".into(),
            },
            started_at_ms: n,
            duration_ms: 100,
            outcome: Outcome::Ok,
            trigger: Trigger::Hotkey,
            agent_version: "0.1.0".into(),
            bundle: None,
        }
    }

    fn runs_in(path: &std::path::Path) -> usize {
        let mut data = Dataset::default();
        UsageDb::open_to_read(path)
            .and_then(|db| db.read_into(&mut data))
            .expect("readable");
        data.runs.len()
    }

    #[test]
    fn a_locked_database_delays_records_without_losing_them_or_slowing_runs() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("usage.sqlite");
        drop(UsageDb::open(&path).expect("created"));
        let (writer, thread) = UsageWriter::start(path.clone());

        // Another program holds the database's write lock.
        let other = rusqlite::Connection::open(&path).expect("second connection");
        other.execute_batch("BEGIN EXCLUSIVE").expect("locked");
        let started = Instant::now();
        writer.record(record(1));
        assert!(
            started.elapsed() < Duration::from_millis(1),
            "recording never waits"
        );
        writer.flush(); // the writer tried, waited out its busy timeout, kept the record
        other.execute_batch("ROLLBACK").expect("unlocked");
        drop(other);

        writer.record(record(2));
        writer.flush();
        assert_eq!(
            runs_in(&path),
            2,
            "the kept record was written with the next one"
        );
        drop(writer);
        drop(thread);
    }

    #[cfg(unix)]
    #[test]
    fn the_database_and_its_side_files_are_the_users_alone() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| {
            std::fs::metadata(p)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
                .permissions()
                .mode()
                & 0o777
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("genvej");
        let path = folder.join("usage.sqlite");
        let (writer, thread) = UsageWriter::start(path.clone());
        writer.record(record(1));
        writer.flush();
        assert_eq!(mode(&folder), 0o700, "a folder the database needed");
        for file in ["usage.sqlite", "usage.sqlite-wal", "usage.sqlite-shm"] {
            assert_eq!(mode(&folder.join(file)), 0o600, "{file}");
        }
        drop(writer);
        drop(thread);

        // A database an older genvej left readable by others is tightened.
        let old = dir.path().join("old.sqlite");
        drop(UsageDb::open(&old).expect("created"));
        for file in ["old.sqlite", "old.sqlite-wal"] {
            let file = dir.path().join(file);
            if file.exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))
                    .expect("chmod");
            }
        }
        std::fs::write(dir.path().join("old.sqlite-journal"), "").expect("journal");
        std::fs::set_permissions(
            dir.path().join("old.sqlite-journal"),
            std::fs::Permissions::from_mode(0o666),
        )
        .expect("chmod");
        drop(UsageDb::open(&old).expect("reopened"));
        assert_eq!(mode(&old), 0o600);
        assert_eq!(mode(&dir.path().join("old.sqlite-journal")), 0o600);
    }

    #[test]
    fn an_unwritable_folder_costs_records_not_runs() {
        let dir = tempfile::tempdir().expect("temp dir");
        let blocker = dir.path().join("a-file");
        std::fs::write(&blocker, "").expect("file");
        // The database's folder would have to be inside a file.
        let (writer, thread) = UsageWriter::start(blocker.join("genvej").join("usage.sqlite"));
        let started = Instant::now();
        for n in 0..100 {
            writer.record(record(n));
        }
        assert!(started.elapsed() < Duration::from_millis(10));
        writer.flush();
        drop(writer);
        drop(thread); // the thread ends cleanly
    }
}
