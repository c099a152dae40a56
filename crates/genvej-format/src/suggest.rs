//! "Did you mean …?" for names an author mistyped.

/// The candidate closest to `wrong`, if it is close enough to be a plausible
/// typo (case is ignored).
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wrong = wrong.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&wrong, &c.to_lowercase()), c))
        .filter(|&(distance, c)| {
            distance <= (c.chars().count() / 3).max(1) + usize::from(c.len() > 8)
        })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, c)| c)
}

/// `a`, `b` and `c`: names listed in a message, in backticks.
pub fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => format!(
            "{} and `{last}`",
            init.iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn finds_close_names_only() {
        let names = ["type", "paste", "wait_window", "open_url"];
        assert_eq!(did_you_mean("typ", names), Some("type"));
        assert_eq!(did_you_mean("wait_windw", names), Some("wait_window"));
        assert_eq!(did_you_mean("Paste", names), Some("paste"));
        assert_eq!(did_you_mean("launch_rocket", names), None);
    }
}
