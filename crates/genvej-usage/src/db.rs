//! The usage database: SQLite in WAL mode (a crash loses at most the run
//! being written), with a numbered schema. An older database is upgraded in
//! place; a newer one (written by a later genvej) is refused, not damaged.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{Baseline, Outcome, Person, PulseAnswer, ScriptVersion, UsageRecord};
use genvej_format::cpr::redact;

mod read;

pub use read::{Dataset, MAX_EXPORT_BYTES, RunRow};

/// Each entry upgrades the schema by one version; `PRAGMA user_version`
/// says how many have run. Never edit one that has shipped: add another.
const MIGRATIONS: &[&str] = &[
    // 1: runs, with the scripts and people they refer to.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE scripts (
         key INTEGER PRIMARY KEY,
         id TEXT NOT NULL, version TEXT NOT NULL, name TEXT NOT NULL,
         manual_seconds INTEGER NOT NULL,
         UNIQUE (id, version));
     CREATE TABLE people (
         key INTEGER PRIMARY KEY,
         user_id TEXT NOT NULL, team TEXT NOT NULL,
         UNIQUE (user_id, team));
     CREATE TABLE runs (
         id INTEGER PRIMARY KEY,
         script INTEGER NOT NULL REFERENCES scripts (key),
         person INTEGER NOT NULL REFERENCES people (key),
         started_at INTEGER NOT NULL,
         duration_ms INTEGER NOT NULL,
         outcome INTEGER NOT NULL,
         failed_step INTEGER,
         failed_kind TEXT,
         trigger INTEGER NOT NULL,
         agent_version TEXT NOT NULL);",
    // 2: measured manual timings; runs found by time.
    "CREATE TABLE baselines (
         id INTEGER PRIMARY KEY,
         script_id TEXT NOT NULL,
         person INTEGER NOT NULL REFERENCES people (key),
         measured_at INTEGER NOT NULL,
         seconds REAL NOT NULL);
     CREATE INDEX runs_by_time ON runs (started_at);",
    // 3: the author's version of a script (`version = "1.2"`, a function of
    // its content like the hash) and the signed bundle a run's script came
    // from (per run: an unchanged file travels in many bundles). Older rows
    // have neither (NULL).
    "ALTER TABLE scripts ADD COLUMN author_version TEXT;
     ALTER TABLE runs ADD COLUMN bundle INTEGER;",
    // 4: stopwatch timings of the task done with genvej (older rows are by
    // hand: 0), and the satisfaction pulse — when it was asked, and the
    // answer 1–5 or NULL when dismissed. No column could hold free text.
    "ALTER TABLE baselines ADD COLUMN with_genvej INTEGER NOT NULL DEFAULT 0;
     CREATE TABLE pulses (
         id INTEGER PRIMARY KEY,
         script_id TEXT NOT NULL,
         person INTEGER NOT NULL REFERENCES people (key),
         asked_at INTEGER NOT NULL,
         score INTEGER CHECK (score BETWEEN 1 AND 5));
     CREATE INDEX pulses_by_person ON pulses (person, script_id);",
];

/// Files SQLite keeps next to the database while it writes.
const SIDE_FILES: &[&str] = &["-wal", "-shm", "-journal"];

/// The database and its side files are the user's alone (0600 on Unix): the
/// file is created private before SQLite opens it (SQLite gives its WAL,
/// shared-memory and journal files the database's mode), and files of ours
/// left readable by an older genvej are tightened.
fn make_private(path: &Path) -> Result<(), UsageError> {
    let (_, warning) =
        genvej_format::private_files::open_append(path).map_err(|e| UsageError::Other {
            path: path.to_path_buf(),
            message: format!("cannot create the database file: {e}"),
        })?;
    let side_files = SIDE_FILES.iter().filter_map(|suffix| {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        genvej_format::private_files::tighten_existing(Path::new(&file))
    });
    for warning in warning.into_iter().chain(side_files) {
        tracing::warn!("usage database: {warning}");
    }
    Ok(())
}

/// The schema version this genvej writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "{path} was written by a newer genvej (schema {found}; this one knows up to {SCHEMA_VERSION}): update genvej to read it"
    )]
    Newer { path: PathBuf, found: usize },
    #[error("{path}: {message}")]
    Other { path: PathBuf, message: String },
}

pub struct UsageDb {
    conn: Connection,
    path: PathBuf,
}

impl UsageDb {
    /// Opens (or creates) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<UsageDb, UsageError> {
        if let Some(folder) = path.parent().filter(|f| !f.exists()) {
            genvej_format::private_files::create_dir(folder).map_err(|e| UsageError::Other {
                path: path.to_path_buf(),
                message: format!("cannot create the folder: {e}"),
            })?;
        }
        make_private(path)?;
        let conn = Connection::open(path).map_err(sqlite(path))?;
        let mut db = UsageDb {
            conn,
            path: path.to_path_buf(),
        };
        db.conn
            .busy_timeout(std::time::Duration::from_secs(2))
            .map_err(sqlite(path))?;
        db.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(sqlite(path))?;
        db.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(sqlite(path))?;
        db.migrate(SCHEMA_VERSION)?;
        db.installation_id()?;
        Ok(db)
    }

    /// Opens an export from the shared folder to read, after checking it is
    /// a file of at most [`MAX_EXPORT_BYTES`] (with its write-ahead log).
    pub fn open_export(path: &Path) -> Result<UsageDb, UsageError> {
        // Checked before SQLite touches it: a FIFO would block the read, a
        // huge file fill the memory (an older schema is copied into it).
        let other = |message: String| UsageError::Other {
            path: path.to_path_buf(),
            message,
        };
        let metadata =
            std::fs::metadata(path).map_err(|e| other(format!("cannot read it: {e}")))?;
        if !metadata.is_file() {
            return Err(other("is not a file".into()));
        }
        // SQLite also reads a write-ahead log lying next to it.
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let size = metadata.len() + std::fs::metadata(Path::new(&wal)).map_or(0, |wal| wal.len());
        if size > MAX_EXPORT_BYTES {
            return Err(other(format!(
                "is {} MB; an export may be at most {} MB",
                size.div_ceil(1024 * 1024),
                MAX_EXPORT_BYTES / (1024 * 1024)
            )));
        }
        UsageDb::open_to_read(path)
    }

    /// Opens a database to read (this workstation's, or an export). One with
    /// an older schema is read through an upgraded copy, leaving it as is.
    pub fn open_to_read(path: &Path) -> Result<UsageDb, UsageError> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(sqlite(path))?;
        let found = schema_version(&conn).map_err(sqlite(path))?;
        if found > SCHEMA_VERSION {
            return Err(UsageError::Newer {
                path: path.to_path_buf(),
                found,
            });
        }
        if found == SCHEMA_VERSION {
            return Ok(UsageDb {
                conn,
                path: path.to_path_buf(),
            });
        }
        let mut copy = Connection::open_in_memory().map_err(sqlite(path))?;
        // Copy through the backup API into memory, then upgrade the copy.
        {
            let backup = rusqlite::backup::Backup::new(&conn, &mut copy).map_err(sqlite(path))?;
            backup
                .run_to_completion(1000, std::time::Duration::ZERO, None)
                .map_err(sqlite(path))?;
        }
        let mut db = UsageDb {
            conn: copy,
            path: path.to_path_buf(),
        };
        db.migrate(SCHEMA_VERSION)?;
        Ok(db)
    }

    /// Upgrades the schema to `target` (tests build older databases with a
    /// lower target). Each step runs in its own transaction.
    pub fn migrate(&mut self, target: usize) -> Result<(), UsageError> {
        let path = self.path.clone();
        let found = schema_version(&self.conn).map_err(sqlite(&path))?;
        if found > SCHEMA_VERSION {
            return Err(UsageError::Newer { path, found });
        }
        for (index, migration) in MIGRATIONS.iter().enumerate().take(target).skip(found) {
            let tx = self.conn.transaction().map_err(sqlite(&path))?;
            tx.execute_batch(migration).map_err(sqlite(&path))?;
            tx.pragma_update(None, "user_version", index + 1)
                .map_err(sqlite(&path))?;
            tx.commit().map_err(sqlite(&path))?;
        }
        Ok(())
    }

    /// Opens a database at a given schema version, for migration tests.
    pub fn create_at_version(path: &Path, version: usize) -> Result<UsageDb, UsageError> {
        let conn = Connection::open(path).map_err(sqlite(path))?;
        let mut db = UsageDb {
            conn,
            path: path.to_path_buf(),
        };
        db.migrate(version)?;
        Ok(db)
    }

    pub fn schema_version(&self) -> Result<usize, UsageError> {
        schema_version(&self.conn).map_err(sqlite(&self.path))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A value kept in the database (`installation`, `user`), made once.
    fn meta_or_make(&self, key: &str, prefix: &str) -> Result<String, UsageError> {
        let existing: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(sqlite(&self.path))?;
        if let Some(value) = existing {
            return Ok(value);
        }
        let value = format!("{prefix}{}", random_hex(&self.path));
        self.conn
            .execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map_err(sqlite(&self.path))?;
        Ok(value)
    }

    /// This database's own id: records from one workstation are counted once
    /// however many exports of it lie in the shared folder.
    pub fn installation_id(&self) -> Result<String, UsageError> {
        self.meta_or_make("installation", "i-")
    }

    /// The random pseudonymous id for a user whose config gives none.
    pub fn user_id(&self) -> Result<String, UsageError> {
        self.meta_or_make("user", "p-")
    }

    /// Writes runs in one transaction.
    pub fn insert(&mut self, records: &[UsageRecord]) -> Result<(), UsageError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(sqlite(&path))?;
        {
            let mut script_key = ScriptKeys::new(&tx).map_err(sqlite(&path))?;
            let mut person_key = PersonKeys::new(&tx).map_err(sqlite(&path))?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO runs (script, person, started_at, duration_ms, outcome,
                         failed_step, failed_kind, trigger, agent_version, bundle)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(sqlite(&path))?;
            for record in records {
                let record = &masked(record);
                let script = script_key.get(&record.script).map_err(sqlite(&path))?;
                let person = person_key.get(&record.person).map_err(sqlite(&path))?;
                let (step, kind) = match &record.outcome {
                    Outcome::Failed { step, kind } => (Some(*step), Some(kind.as_str())),
                    _ => (None, None),
                };
                insert
                    .execute(params![
                        script,
                        person,
                        record.started_at_ms,
                        record.duration_ms as i64,
                        record.outcome.code(),
                        step,
                        kind,
                        record.trigger.code(),
                        record.agent_version,
                        record.bundle.map(|n| n as i64),
                    ])
                    .map_err(sqlite(&path))?;
            }
        }
        tx.commit().map_err(sqlite(&path))
    }

    pub fn insert_baseline(&mut self, baseline: &Baseline) -> Result<(), UsageError> {
        let path = self.path.clone();
        let baseline = &Baseline {
            script_id: redact(&baseline.script_id),
            person: masked_person(&baseline.person),
            ..baseline.clone()
        };
        let tx = self.conn.transaction().map_err(sqlite(&path))?;
        {
            let person = PersonKeys::new(&tx)
                .and_then(|mut keys| keys.get(&baseline.person))
                .map_err(sqlite(&path))?;
            tx.execute(
                "INSERT INTO baselines (script_id, person, measured_at, seconds, with_genvej)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    baseline.script_id,
                    person,
                    baseline.measured_at_ms,
                    baseline.seconds,
                    baseline.side.code()
                ],
            )
            .map_err(sqlite(&path))?;
        }
        tx.commit().map_err(sqlite(&path))
    }

    /// Writes that the pulse was asked, and the answer (1–5) if one was
    /// given. A score outside 1–5 is stored as no answer.
    pub fn insert_pulse(&mut self, pulse: &PulseAnswer) -> Result<(), UsageError> {
        let path = self.path.clone();
        let script_id = redact(&pulse.script_id);
        let score = pulse.score.filter(|s| (1..=5).contains(s));
        let tx = self.conn.transaction().map_err(sqlite(&path))?;
        {
            let person = PersonKeys::new(&tx)
                .and_then(|mut keys| keys.get(&masked_person(&pulse.person)))
                .map_err(sqlite(&path))?;
            tx.execute(
                "INSERT INTO pulses (script_id, person, asked_at, score) VALUES (?1, ?2, ?3, ?4)",
                params![script_id, person, pulse.asked_at_ms, score],
            )
            .map_err(sqlite(&path))?;
        }
        tx.commit().map_err(sqlite(&path))
    }

    /// When the pulse was last asked of this user (by pseudonymous id, in
    /// any team), per script id: what the once-a-week rule starts from.
    pub fn pulses_asked(&self, user_id: &str) -> Result<Vec<(String, i64)>, UsageError> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT pulses.script_id, MAX(pulses.asked_at) FROM pulses
                 JOIN people ON people.key = pulses.person
                 WHERE people.user_id = ?1 GROUP BY pulses.script_id",
            )
            .map_err(sqlite(path))?;
        let rows = stmt
            .query_map([redact(user_id)], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sqlite(path))?;
        rows.collect::<Result<_, _>>().map_err(sqlite(path))
    }

    /// Writes a copy of the whole database (records only — it holds no
    /// personal data) to `file`, replacing an older export.
    pub fn export_to(&self, file: &Path) -> Result<(), UsageError> {
        let temporary = file.with_extension("sqlite.part");
        let _ = std::fs::remove_file(&temporary);
        self.conn
            .execute("VACUUM INTO ?1", [temporary.to_string_lossy().into_owned()])
            .map_err(sqlite(&self.path))?;
        std::fs::rename(&temporary, file).map_err(|e| UsageError::Other {
            path: file.to_path_buf(),
            message: format!("cannot write the export: {e}"),
        })
    }
}

/// A record as it is stored: every text passes the CPR detector (ids,
/// names and teams come from scripts and config, which can hold anything);
/// an author's version or a bundle number of a shape no real one has
/// (which could carry anything) is left out rather than stored.
fn masked(record: &UsageRecord) -> UsageRecord {
    let outcome = match &record.outcome {
        Outcome::Failed { step, kind } => Outcome::Failed {
            step: *step,
            kind: redact(kind),
        },
        other => other.clone(),
    };
    UsageRecord {
        script: ScriptVersion {
            id: redact(&record.script.id),
            version: redact(&record.script.version),
            name: redact(&record.script.name),
            manual_seconds: record.script.manual_seconds,
            author_version: record
                .script
                .author_version
                .clone()
                .filter(|v| crate::release::is_version(v)),
        },
        person: masked_person(&record.person),
        outcome,
        agent_version: redact(&record.agent_version),
        bundle: record.bundle.filter(|&n| crate::release::is_bundle(n)),
        ..record.clone()
    }
}

fn masked_person(person: &Person) -> Person {
    Person {
        user_id: redact(&person.user_id),
        team: redact(&person.team),
    }
}

fn schema_version(conn: &Connection) -> rusqlite::Result<usize> {
    conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .map(|v| v.max(0) as usize)
}

fn sqlite(path: &Path) -> impl Fn(rusqlite::Error) -> UsageError + '_ {
    move |source| UsageError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// 16 hex digits that differ between databases and moments.
fn random_hex(path: &Path) -> String {
    let mut hasher = Sha256::new();
    hasher.update(path.to_string_lossy().as_bytes());
    hasher.update(std::process::id().to_le_bytes());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    hasher.update(now.as_nanos().to_le_bytes());
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Looks up (or adds) a script version's key.
struct ScriptKeys<'c> {
    add: rusqlite::CachedStatement<'c>,
    find: rusqlite::CachedStatement<'c>,
}

impl<'c> ScriptKeys<'c> {
    fn new(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(ScriptKeys {
            // A row written before the author's version was recorded gets
            // it the first time the same file runs again.
            add: conn.prepare_cached(
                "INSERT INTO scripts (id, version, name, manual_seconds, author_version)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id, version) DO UPDATE SET author_version = excluded.author_version
                 WHERE scripts.author_version IS NULL AND excluded.author_version IS NOT NULL",
            )?,
            find: conn.prepare_cached("SELECT key FROM scripts WHERE id = ?1 AND version = ?2")?,
        })
    }

    fn get(&mut self, script: &ScriptVersion) -> rusqlite::Result<i64> {
        self.add.execute(params![
            script.id,
            script.version,
            script.name,
            script.manual_seconds,
            script.author_version,
        ])?;
        self.find
            .query_row(params![script.id, script.version], |r| r.get(0))
    }
}

struct PersonKeys<'c> {
    add: rusqlite::CachedStatement<'c>,
    find: rusqlite::CachedStatement<'c>,
}

impl<'c> PersonKeys<'c> {
    fn new(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(PersonKeys {
            add: conn
                .prepare_cached("INSERT OR IGNORE INTO people (user_id, team) VALUES (?1, ?2)")?,
            find: conn.prepare_cached("SELECT key FROM people WHERE user_id = ?1 AND team = ?2")?,
        })
    }

    fn get(&mut self, person: &Person) -> rusqlite::Result<i64> {
        self.add.execute(params![person.user_id, person.team])?;
        self.find
            .query_row(params![person.user_id, person.team], |r| r.get(0))
    }
}
