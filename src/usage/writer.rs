//! Records are written by a background thread: a run hands its record to a
//! bounded queue and goes on. A full queue, a full disk or a locked database
//! costs records (logged), never a run's time.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use super::{Baseline, UsageDb, UsageRecord};

/// Records waiting to be written; beyond this a record is dropped (logged).
const QUEUE: usize = 4096;

enum Entry {
    Run(UsageRecord),
    Baseline(Baseline),
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
        let (queue, inbox) = mpsc::sync_channel(QUEUE);
        let handle = std::thread::Builder::new()
            .name("genvej-usage".into())
            .spawn(move || write_loop(&path, inbox))
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

fn write_loop(path: &std::path::Path, inbox: Receiver<Entry>) {
    let mut db = match UsageDb::open(path) {
        Ok(db) => Some(db),
        Err(e) => {
            tracing::warn!("usage records are not saved: {e}");
            None
        }
    };
    while let Ok(first) = inbox.recv() {
        if db.is_none() {
            // The folder may have appeared, or the disk been freed.
            db = UsageDb::open(path).ok();
        }
        // Everything already waiting goes into one transaction.
        let mut runs = Vec::new();
        let mut flushes = Vec::new();
        let mut pending = Some(first);
        while let Some(entry) = pending.take().or_else(|| inbox.try_recv().ok()) {
            match entry {
                Entry::Run(record) => runs.push(record),
                Entry::Baseline(baseline) => {
                    if let Some(db) = db.as_mut() {
                        if let Err(e) = db.insert_baseline(&baseline) {
                            tracing::warn!("a manual timing was not saved: {e}");
                        }
                    }
                }
                Entry::Flush(done) => flushes.push(done),
            }
        }
        if let (Some(db), false) = (db.as_mut(), runs.is_empty()) {
            if let Err(e) = db.insert(&runs) {
                tracing::warn!("{} usage record(s) not saved: {e}", runs.len());
            }
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}
