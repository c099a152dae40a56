//! Reading a usage database into a [`Dataset`] — this workstation's own,
//! or an export another workstation left in the shared folder.
//!
//! An export is hostile until checked: anyone who can write to the shared
//! folder can craft one. So it is read all or nothing (first into a
//! staging [`Export`], merged only when every row passed), every number is
//! checked against a range a real database can hold, every text is bounded,
//! cleared of control characters and CPR-masked, and the tables must be
//! plain tables (a view could run a query that never ends). The file size
//! is checked before SQLite opens it ([`MAX_EXPORT_BYTES`]).

use std::collections::HashMap;

use rusqlite::OptionalExtension;

use super::{UsageDb, UsageError, sqlite};
use crate::{Baseline, Person, PulseAnswer, ScriptVersion, Side};

/// The largest export read. Measured (`cargo bench --bench usage`):
/// 1,000,000 runs make a 50 MB database; a busy workstation records about
/// 25,000 runs a year.
pub const MAX_EXPORT_BYTES: u64 = 64 * 1024 * 1024;

/// Row keys of `scripts` and `people` are SQLite row ids counting from 1,
/// one per script version or person; no real database comes near this.
const MAX_KEY: i64 = 100_000;
/// Characters in one text (a name, a team, an id).
const MAX_TEXT: usize = 500;
/// A run (a form may stay open over a weekend) or a manual task may last
/// up to a week.
const MAX_DURATION_MS: i64 = 7 * 24 * 3600 * 1000;
/// Timestamps between 1970 (a workstation whose clock was never set) and
/// 2200-01-01 (Unix ms).
const EARLIEST_MS: i64 = 0;
const LATEST_MS: i64 = 7_258_118_400_000;
/// A failed step's number (scripts have far fewer steps).
const MAX_STEP: i64 = 100_000;

/// Runs and baselines read from one or more databases, with names interned.
#[derive(Debug, Default)]
pub struct Dataset {
    pub scripts: Vec<ScriptVersion>,
    pub people: Vec<Person>,
    pub kinds: Vec<String>,
    pub runs: Vec<RunRow>,
    pub baselines: Vec<Baseline>,
    /// Satisfaction-pulse questions asked, answered or not.
    pub pulses: Vec<PulseAnswer>,
    installations: Vec<String>,
    /// Per installation: the highest run, baseline and pulse id read so far.
    read_up_to: Vec<ReadUpTo>,
    script_index: HashMap<(String, String), u32>,
    person_index: HashMap<Person, u32>,
}

/// The highest ids of one installation read so far.
#[derive(Debug, Default, Clone, Copy)]
struct ReadUpTo {
    runs: i64,
    baselines: i64,
    pulses: i64,
}

/// One run, compactly: indexes into the dataset's tables.
#[derive(Debug, Clone, Copy)]
pub struct RunRow {
    pub script: u32,
    pub person: u32,
    pub started_at_ms: i64,
    pub duration_ms: u64,
    /// 0 ok, 1 failed, 2 cancelled, 3 rejected.
    pub outcome: u8,
    pub failed_step: u32,
    pub failed_kind: Option<u32>,
    /// The signed bundle the script came from (`None`: from a folder, or
    /// recorded before genvej knew bundles).
    pub bundle: Option<u64>,
}

/// One database's rows, checked, before they join the dataset. Keys and
/// kinds are the database's own until [`Dataset::merge`] maps them.
#[derive(Default)]
struct Export {
    installation: String,
    scripts: Vec<(usize, ScriptVersion)>,
    people: Vec<(usize, Person)>,
    kinds: Vec<String>,
    runs: Vec<RunRow>,
    /// Baselines with the database's person key.
    baselines: Vec<(usize, Baseline)>,
    /// Pulses with the database's person key.
    pulses: Vec<(usize, PulseAnswer)>,
    last: ReadUpTo,
}

impl UsageDb {
    /// Adds this database's runs and baselines to `data` (runs already read
    /// from another export of the same workstation are skipped). On an
    /// error nothing of this database is added.
    pub fn read_into(&self, data: &mut Dataset) -> Result<(), UsageError> {
        let export = self.read_export(data)?;
        data.merge(export);
        Ok(())
    }

    fn read_export(&self, data: &Dataset) -> Result<Export, UsageError> {
        let path = &self.path;
        let bad = |message: String| UsageError::Other {
            path: path.to_path_buf(),
            message,
        };
        self.require_plain_tables()?;
        let installation: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'installation'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(sqlite(path))?;
        // A database without an id (never opened to write) is its own.
        let installation = match installation {
            Some(id) => clean(id, "meta installation").map_err(bad)?,
            None => format!("file:{}", path.display()),
        };
        let read_before = data.read_up_to_of(&installation);
        let (runs_read, baselines_read) = (read_before.runs, read_before.baselines);
        let mut export = Export {
            installation,
            last: read_before,
            ..Export::default()
        };

        let mut stmt = self
            .conn
            .prepare("SELECT key, id, version, name, manual_seconds, author_version FROM scripts")
            .map_err(sqlite(path))?;
        let mut rows = stmt.query([]).map_err(sqlite(path))?;
        while let Some(r) = rows.next().map_err(sqlite(path))? {
            let key = r.get::<_, i64>(0).map_err(sqlite(path))?;
            let key = within("scripts", key, "key", key, 1, MAX_KEY).map_err(bad)?;
            let text = |column: usize, name: &str| -> Result<String, UsageError> {
                let value: String = r.get(column).map_err(sqlite(path))?;
                clean(value, &format!("scripts row {key}: {name}")).map_err(bad)
            };
            let manual_seconds: i64 = r.get(4).map_err(sqlite(path))?;
            let manual_seconds = within(
                "scripts",
                key,
                "manual_seconds",
                manual_seconds,
                0,
                MAX_DURATION_MS / 1000,
            )
            .map_err(bad)?;
            let author_version: Option<String> = r.get(5).map_err(sqlite(path))?;
            if let Some(version) = author_version.as_deref() {
                if !crate::release::is_version(version) {
                    return Err(bad(format!(
                        "scripts row {key}: author_version is not a version like 1.2 ({})",
                        crate::release::VERSION_SHAPE
                    )));
                }
            }
            export.scripts.push((
                key as usize,
                ScriptVersion {
                    id: text(1, "id")?,
                    version: text(2, "version")?,
                    name: text(3, "name")?,
                    manual_seconds: manual_seconds as u32,
                    author_version,
                },
            ));
        }

        let mut stmt = self
            .conn
            .prepare("SELECT key, user_id, team FROM people")
            .map_err(sqlite(path))?;
        let mut rows = stmt.query([]).map_err(sqlite(path))?;
        while let Some(r) = rows.next().map_err(sqlite(path))? {
            let key = r.get::<_, i64>(0).map_err(sqlite(path))?;
            let key = within("people", key, "key", key, 1, MAX_KEY).map_err(bad)?;
            let text = |column: usize, name: &str| -> Result<String, UsageError> {
                let value: String = r.get(column).map_err(sqlite(path))?;
                clean(value, &format!("people row {key}: {name}")).map_err(bad)
            };
            export.people.push((
                key as usize,
                Person {
                    user_id: text(1, "user_id")?,
                    team: text(2, "team")?,
                },
            ));
        }

        // Runs are only ever added, with rising ids, so a later export of a
        // workstation holds an earlier one: read only what is newer than
        // the runs already read from it.
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, script, person, started_at, duration_ms, outcome, failed_step, failed_kind,
                     bundle
                 FROM runs WHERE id > ?1 ORDER BY id",
            )
            .map_err(sqlite(path))?;
        let mut rows = stmt.query([runs_read]).map_err(sqlite(path))?;
        let mut kinds: HashMap<String, u32> = HashMap::new();
        while let Some(row) = rows.next().map_err(sqlite(path))? {
            let id: i64 = row.get(0).map_err(sqlite(path))?;
            let number = |column: usize, name: &str, low: i64, high: i64| {
                let value: i64 = row.get(column).map_err(sqlite(path))?;
                within("runs", id, name, value, low, high).map_err(bad)
            };
            let script = number(1, "script", 1, MAX_KEY)?;
            let person = number(2, "person", 1, MAX_KEY)?;
            let started_at_ms = number(3, "started_at", EARLIEST_MS, LATEST_MS)?;
            let duration_ms = number(4, "duration_ms", 0, MAX_DURATION_MS)?;
            let outcome = number(5, "outcome", 0, 3)?;
            let failed_step: Option<i64> = row.get(6).map_err(sqlite(path))?;
            let failed_step = failed_step
                .map(|step| within("runs", id, "failed_step", step, 0, MAX_STEP))
                .transpose()
                .map_err(bad)?
                .unwrap_or(0);
            let failed_kind: Option<String> = row.get(7).map_err(sqlite(path))?;
            let failed_kind = match failed_kind {
                Some(kind) => {
                    let kind = clean(kind, &format!("runs row {id}: failed_kind")).map_err(bad)?;
                    let next = export.kinds.len() as u32;
                    let at = *kinds.entry(kind.clone()).or_insert(next);
                    if at == next {
                        export.kinds.push(kind);
                    }
                    Some(at)
                }
                None => None,
            };
            let bundle: Option<i64> = row.get(8).map_err(sqlite(path))?;
            let bundle = bundle
                .map(|n| within("runs", id, "bundle", n, 0, i64::MAX))
                .transpose()
                .map_err(bad)?
                .map(|n| n as u64);
            export.last.runs = export.last.runs.max(id);
            export.runs.push(RunRow {
                script: script as u32,
                person: person as u32,
                started_at_ms,
                duration_ms: duration_ms as u64,
                outcome: outcome as u8,
                failed_step: failed_step as u32,
                failed_kind,
                bundle,
            });
        }

        // No join in SQL: a crafted schema without keys would make it
        // quadratic. People are matched by key below.
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, script_id, person, measured_at, seconds, with_genvej
                 FROM baselines WHERE id > ?1 ORDER BY id",
            )
            .map_err(sqlite(path))?;
        let mut rows = stmt.query([baselines_read]).map_err(sqlite(path))?;
        while let Some(row) = rows.next().map_err(sqlite(path))? {
            let id: i64 = row.get(0).map_err(sqlite(path))?;
            let script_id: String = row.get(1).map_err(sqlite(path))?;
            let script_id =
                clean(script_id, &format!("baselines row {id}: script_id")).map_err(bad)?;
            let person: i64 = row.get(2).map_err(sqlite(path))?;
            let person = within("baselines", id, "person", person, 1, MAX_KEY).map_err(bad)?;
            let measured_at: i64 = row.get(3).map_err(sqlite(path))?;
            let measured_at_ms = within(
                "baselines",
                id,
                "measured_at",
                measured_at,
                EARLIEST_MS,
                LATEST_MS,
            )
            .map_err(bad)?;
            let seconds: f64 = row.get(4).map_err(sqlite(path))?;
            if !(seconds.is_finite() && seconds > 0.0 && seconds <= (MAX_DURATION_MS / 1000) as f64)
            {
                return Err(bad(format!(
                    "baselines row {id}: seconds {seconds} is not between 0 and {}",
                    MAX_DURATION_MS / 1000
                )));
            }
            let with_genvej: i64 = row.get(5).map_err(sqlite(path))?;
            let side =
                match within("baselines", id, "with_genvej", with_genvej, 0, 1).map_err(bad)? {
                    0 => Side::Manual,
                    _ => Side::WithGenvej,
                };
            export.last.baselines = export.last.baselines.max(id);
            export.baselines.push((
                person as usize,
                Baseline {
                    script_id,
                    // Filled in from the people table when merged.
                    person: Person {
                        user_id: String::new(),
                        team: String::new(),
                    },
                    measured_at_ms,
                    seconds,
                    side,
                },
            ));
        }
        self.read_pulses(&mut export, read_before.pulses)?;
        Ok(export)
    }

    /// The pulse questions newer than `read`: scores 1–5 or none, times in
    /// range, script ids bounded and cleaned like every text.
    fn read_pulses(&self, export: &mut Export, read: i64) -> Result<(), UsageError> {
        let path = &self.path;
        let bad = |message: String| UsageError::Other {
            path: path.to_path_buf(),
            message,
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, script_id, person, asked_at, score
                 FROM pulses WHERE id > ?1 ORDER BY id",
            )
            .map_err(sqlite(path))?;
        let mut rows = stmt.query([read]).map_err(sqlite(path))?;
        while let Some(row) = rows.next().map_err(sqlite(path))? {
            let id: i64 = row.get(0).map_err(sqlite(path))?;
            let script_id: String = row.get(1).map_err(sqlite(path))?;
            let script_id =
                clean(script_id, &format!("pulses row {id}: script_id")).map_err(bad)?;
            let person: i64 = row.get(2).map_err(sqlite(path))?;
            let person = within("pulses", id, "person", person, 1, MAX_KEY).map_err(bad)?;
            let asked_at: i64 = row.get(3).map_err(sqlite(path))?;
            let asked_at_ms =
                within("pulses", id, "asked_at", asked_at, EARLIEST_MS, LATEST_MS).map_err(bad)?;
            let score: Option<i64> = row.get(4).map_err(sqlite(path))?;
            let score = score
                .map(|s| within("pulses", id, "score", s, 1, 5))
                .transpose()
                .map_err(bad)?
                .map(|s| s as u8);
            export.last.pulses = export.last.pulses.max(id);
            export.pulses.push((
                person as usize,
                PulseAnswer {
                    script_id,
                    person: Person {
                        user_id: String::new(),
                        team: String::new(),
                    },
                    asked_at_ms,
                    score,
                },
            ));
        }
        Ok(())
    }

    /// The tables read must be ordinary tables: a view or a virtual table
    /// in a crafted export could compute rows without end.
    fn require_plain_tables(&self) -> Result<(), UsageError> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name FROM sqlite_master
                 WHERE name IN ('meta', 'scripts', 'people', 'runs', 'baselines', 'pulses')
                   AND (type <> 'table' OR upper(sql) LIKE '%VIRTUAL%')",
            )
            .map_err(sqlite(path))?;
        let odd: Option<String> = stmt
            .query_row([], |r| r.get(0))
            .optional()
            .map_err(sqlite(path))?;
        match odd {
            Some(name) => Err(UsageError::Other {
                path: path.to_path_buf(),
                message: format!("`{name}` is not a plain table; this is not an export by genvej"),
            }),
            None => Ok(()),
        }
    }
}

/// `value` if it lies in `low..=high`, else why not.
fn within(
    table: &str,
    row: i64,
    column: &str,
    value: i64,
    low: i64,
    high: i64,
) -> Result<i64, String> {
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{table} row {row}: {column} {value} is not between {low} and {high}"
        ))
    }
}

/// A text from a database, bounded, with control characters (which would
/// move the terminal's cursor or break a CSV row) made spaces and any CPR
/// number masked.
fn clean(text: String, what: &str) -> Result<String, String> {
    if text.chars().count() > MAX_TEXT {
        return Err(format!("{what} is longer than {MAX_TEXT} characters"));
    }
    let text = if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    } else {
        text
    };
    Ok(genvej_format::cpr::redact(&text))
}

impl Dataset {
    fn read_up_to_of(&self, installation: &str) -> ReadUpTo {
        self.installations
            .iter()
            .position(|i| i == installation)
            .map_or_else(ReadUpTo::default, |at| self.read_up_to[at])
    }

    /// Adds a checked export: names interned, keys mapped to the dataset's.
    fn merge(&mut self, export: Export) {
        let installation = self.intern_installation(export.installation) as usize;
        // Keys are small row ids: a table indexed by key beats hashing.
        let table = |pairs: &[(usize, u32)]| {
            let size = pairs.iter().map(|(k, _)| k + 1).max().unwrap_or(0);
            let mut table = vec![None; size];
            for &(key, at) in pairs {
                table[key] = Some(at);
            }
            table
        };
        let scripts: Vec<(usize, u32)> = export
            .scripts
            .into_iter()
            .map(|(key, script)| (key, self.intern_script(script)))
            .collect();
        let scripts = table(&scripts);
        let people_keys: Vec<(usize, u32)> = export
            .people
            .into_iter()
            .map(|(key, person)| (key, self.intern_person(person)))
            .collect();
        let people = table(&people_keys);
        let kinds: Vec<u32> = export
            .kinds
            .iter()
            .map(|kind| self.intern_kind(kind))
            .collect();
        let known = |table: &[Option<u32>], key: u32| table.get(key as usize).copied().flatten();
        self.runs.reserve(export.runs.len());
        for mut run in export.runs {
            let (Some(script), Some(person)) =
                (known(&scripts, run.script), known(&people, run.person))
            else {
                continue;
            };
            run.script = script;
            run.person = person;
            run.failed_kind = run.failed_kind.and_then(|k| kinds.get(k as usize).copied());
            self.runs.push(run);
        }
        for (key, mut baseline) in export.baselines {
            if let Some(person) = people.get(key).copied().flatten() {
                baseline.person = self.people[person as usize].clone();
                self.baselines.push(baseline);
            }
        }
        for (key, mut pulse) in export.pulses {
            if let Some(person) = people.get(key).copied().flatten() {
                pulse.person = self.people[person as usize].clone();
                self.pulses.push(pulse);
            }
        }
        let read = &mut self.read_up_to[installation];
        read.runs = read.runs.max(export.last.runs);
        read.baselines = read.baselines.max(export.last.baselines);
        read.pulses = read.pulses.max(export.last.pulses);
    }

    fn intern_installation(&mut self, id: String) -> u32 {
        match self.installations.iter().position(|i| *i == id) {
            Some(at) => at as u32,
            None => {
                self.installations.push(id);
                self.read_up_to.push(ReadUpTo::default());
                (self.installations.len() - 1) as u32
            }
        }
    }

    fn intern_script(&mut self, script: ScriptVersion) -> u32 {
        let key = (script.id.clone(), script.version.clone());
        if let Some(&at) = self.script_index.get(&key) {
            // A row an older genvej wrote lacks the author's version that
            // another workstation's row of the same file has.
            let known = &mut self.scripts[at as usize];
            if known.author_version.is_none() {
                known.author_version = script.author_version;
            }
            return at;
        }
        self.scripts.push(script);
        let at = (self.scripts.len() - 1) as u32;
        self.script_index.insert(key, at);
        at
    }

    fn intern_person(&mut self, person: Person) -> u32 {
        if let Some(&at) = self.person_index.get(&person) {
            return at;
        }
        self.people.push(person.clone());
        let at = (self.people.len() - 1) as u32;
        self.person_index.insert(person, at);
        at
    }

    fn intern_kind(&mut self, kind: &str) -> u32 {
        match self.kinds.iter().position(|k| k == kind) {
            Some(at) => at as u32,
            None => {
                self.kinds.push(kind.to_string());
                (self.kinds.len() - 1) as u32
            }
        }
    }

    /// How many workstations (databases) the data came from.
    pub fn installation_count(&self) -> usize {
        self.installations.len()
    }
}
