//! Which verified bundle runs: the rules, apart from fetching and files.
//!
//! A workstation reads everyone's bundle (`all.genvej-bundle`) and, with a
//! ring, the ring's (`pilot.genvej-bundle`); it runs the one with the
//! highest sequence number. So a pilot bundle runs on the pilot's
//! workstations only, and releasing it to everyone is copying the same
//! file to `all.genvej-bundle`; a later everyone's bundle overtakes an
//! older pilot bundle.
//!
//! Never backwards: a bundle older than the running one is refused (an old,
//! validly signed bundle put back on the server must not undo a fix), and
//! so is a different bundle with the running one's sequence number. An
//! older bundle from the *other* file than the running one came from is
//! normal with rings (everyone's bundle behind the pilot's) and is only
//! not chosen.

/// The bundle running now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    pub sequence: u64,
    /// SHA-256 of the bundle's bytes.
    pub digest: [u8; 32],
    /// The file it came from; `None` when not known (then every file counts
    /// as its own).
    pub from: Option<String>,
}

/// A bundle just fetched and verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub sequence: u64,
    pub digest: [u8; 32],
    pub from: String,
}

/// What to do with one candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Newer than the running one: run it.
    Newer,
    /// The running bundle itself.
    Same,
    /// Older, from the other file than the running one: not used, no alarm.
    Behind,
    /// Older than the running one from the same file: refused.
    Older { running: u64 },
    /// The running sequence number with other content: refused.
    Conflicting,
}

/// Judges one candidate against the running bundle.
pub fn judge(running: Option<&Running>, candidate: &Candidate) -> Verdict {
    let Some(running) = running else {
        return Verdict::Newer;
    };
    if candidate.sequence > running.sequence {
        Verdict::Newer
    } else if candidate.sequence == running.sequence {
        if candidate.digest == running.digest {
            Verdict::Same
        } else {
            Verdict::Conflicting
        }
    } else if running
        .from
        .as_deref()
        .is_some_and(|from| from != candidate.from)
    {
        Verdict::Behind
    } else {
        Verdict::Older {
            running: running.sequence,
        }
    }
}

/// The newest of the candidates judged [`Verdict::Newer`], if any (of two
/// with the same number, the first: everyone's file is asked first).
pub fn newest<'c>(running: Option<&Running>, candidates: &'c [Candidate]) -> Option<&'c Candidate> {
    candidates
        .iter()
        .filter(|c| judge(running, c) == Verdict::Newer)
        .fold(None, |best: Option<&Candidate>, c| match best {
            Some(b) if b.sequence >= c.sequence => Some(b),
            _ => Some(c),
        })
}

/// The files a workstation reads: everyone's, and its ring's.
pub fn file_names(ring: Option<&str>) -> Vec<String> {
    std::iter::once("all".to_string())
        .chain(ring.map(str::to_string))
        .map(|name| format!("{name}.genvej-bundle"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &str = "all.genvej-bundle";
    const PILOT: &str = "pilot.genvej-bundle";

    fn candidate(sequence: u64, content: u8, from: &str) -> Candidate {
        Candidate {
            sequence,
            digest: [content; 32],
            from: from.into(),
        }
    }

    fn running(sequence: u64, content: u8, from: &str) -> Running {
        Running {
            sequence,
            digest: [content; 32],
            from: Some(from.into()),
        }
    }

    #[test]
    fn a_pilot_workstation_reads_its_rings_file_too() {
        assert_eq!(file_names(None), [ALL]);
        assert_eq!(file_names(Some("pilot")), [ALL, PILOT]);
    }

    #[test]
    fn with_nothing_running_the_highest_sequence_wins() {
        let fetched = [candidate(1, 1, ALL), candidate(2, 2, PILOT)];
        assert_eq!(newest(None, &fetched), Some(&fetched[1]));
        let fetched = [candidate(3, 3, ALL), candidate(2, 2, PILOT)];
        assert_eq!(
            newest(None, &fetched),
            Some(&fetched[0]),
            "everyone's overtakes"
        );
    }

    #[test]
    fn promoting_the_pilot_bundle_to_everyone_changes_nothing_on_the_pilot() {
        let now = running(2, 2, PILOT);
        let promoted = candidate(2, 2, ALL);
        assert_eq!(judge(Some(&now), &promoted), Verdict::Same);
        assert_eq!(newest(Some(&now), &[promoted]), None);
    }

    #[test]
    fn a_replayed_older_bundle_is_refused_and_another_with_the_same_number_too() {
        let now = running(2, 2, ALL);
        assert_eq!(
            judge(Some(&now), &candidate(1, 1, ALL)),
            Verdict::Older { running: 2 }
        );
        assert_eq!(
            judge(Some(&now), &candidate(2, 9, ALL)),
            Verdict::Conflicting
        );
        assert_eq!(judge(Some(&now), &candidate(3, 3, ALL)), Verdict::Newer);
        let unknown = Running { from: None, ..now };
        assert_eq!(
            judge(Some(&unknown), &candidate(1, 1, PILOT)),
            Verdict::Older { running: 2 }
        );
    }

    #[test]
    fn everyones_bundle_behind_the_pilots_is_normal() {
        let now = running(2, 2, PILOT);
        assert_eq!(judge(Some(&now), &candidate(1, 1, ALL)), Verdict::Behind);
        assert_eq!(
            judge(Some(&now), &candidate(1, 1, PILOT)),
            Verdict::Older { running: 2 },
            "the pilot's own file going back is a replay"
        );
    }
}
