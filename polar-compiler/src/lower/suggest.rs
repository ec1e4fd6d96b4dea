//! "Did you mean ...?" suggestions for misspelt names.

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions), counted
/// in characters so that non-ASCII names are compared fairly.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rolling rows: two back (for transpositions), previous, current.
    let mut two_back: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(two_back[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut two_back, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo: at most
/// one edit for short words, about a third of the length for longer ones. A candidate that
/// differs only in case always qualifies. Words of one or two characters get no suggestion
/// by distance (every short name is one edit from every other). Ties go to the earliest
/// candidate, so callers control the preference by ordering.
pub(crate) fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let len = word.chars().count();
    let limit = if len < 3 { 0 } else { (len / 3).max(1) };
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let d =
            if candidate.to_lowercase() == word.to_lowercase() { 0 } else { edit_distance(word, candidate) };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_insertions_deletions_substitutions_and_swaps() {
        assert_eq!(edit_distance("reader", "reader"), 0);
        assert_eq!(edit_distance("reder", "reader"), 1);
        assert_eq!(edit_distance("readers", "reader"), 1);
        assert_eq!(edit_distance("raeder", "reader"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggestions_are_close_and_prefer_the_earliest_candidate() {
        assert_eq!(did_you_mean("reder", ["writer", "reader"]), Some("reader"));
        assert_eq!(did_you_mean("onn", ["on"]), Some("on"));
        assert_eq!(did_you_mean("role", ["roles", "permissions", "relations"]), Some("roles"));
        assert_eq!(did_you_mean("Actr", ["actor", "resource"]), None);
        assert_eq!(did_you_mean("ACTOR", ["actor", "resource"]), Some("actor"));
        assert_eq!(did_you_mean("banana", ["reader", "writer"]), None);
        assert_eq!(did_you_mean("reader", ["reader"]), None, "an exact match is not a suggestion");
        assert_eq!(did_you_mean("x", ["y", "z"]), None, "no suggestions between one-letter names");
        assert_eq!(did_you_mean("X", ["x"]), Some("x"));
    }
}
