//! The fallback ordering, for ecosystems without a scheme of their own and for versions that
//! do not parse under theirs.
//!
//! A version is read as runs of digits and runs of letters; everything else separates runs.
//! Runs are compared pairwise: numbers numerically (leading zeros ignored), letters by ASCII
//! code ignoring case, and a number is newer than letters (`1.0.1 > 1.0.a`), as rpmvercmp
//! has it. When one version runs out of runs first, the other is newer. A `v` before the first
//! digit is not part of the version (`v1.2 = 1.2`), as Go and npm tags write it. Versions
//! that differ only in separators or case compare equal.

use std::cmp::Ordering;

/// One run of a version.
#[derive(Debug, PartialEq, Eq)]
enum Run<'a> {
    /// Digits, leading zeros stripped (`"0"` for all zeros).
    Number(&'a str),
    /// ASCII letters and any non-ASCII text.
    Text(&'a str),
}

fn runs(v: &str) -> impl Iterator<Item = Run<'_>> {
    let v = v.trim();
    let v = match v.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => v,
    };
    let bytes = v.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !is_run_byte(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        let digits = bytes[i].is_ascii_digit();
        while i < bytes.len() && is_run_byte(bytes[i]) && bytes[i].is_ascii_digit() == digits {
            i += 1;
        }
        let run = &v[start..i];
        Some(if digits {
            let trimmed = run.trim_start_matches('0');
            Run::Number(if trimmed.is_empty() { "0" } else { trimmed })
        } else {
            Run::Text(run)
        })
    })
}

/// Letters, digits and non-ASCII bytes (kept whole, so UTF-8 is never split) form runs.
fn is_run_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || !b.is_ascii()
}

/// Orders `a` and `b` by the rules in the module docs.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (runs(a), runs(b));
    loop {
        let ord = match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (Some(Run::Number(p)), Some(Run::Number(q))) => {
                p.len().cmp(&q.len()).then_with(|| p.cmp(q))
            }
            (Some(Run::Number(_)), Some(Run::Text(_))) => Ordering::Greater,
            (Some(Run::Text(_)), Some(Run::Number(_))) => Ordering::Less,
            (Some(Run::Text(p)), Some(Run::Text(q))) => p
                .bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(q.bytes().map(|c| c.to_ascii_lowercase())),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_numeric_and_newer_than_letters() {
        let ordered = [
            "0.9", "1.0", "1.0.a", "1.0.b", "1.0.1", "1.2", "1.10", "2", "10.0",
        ];
        for w in ordered.windows(2) {
            assert_eq!(compare(w[0], w[1]), Ordering::Less, "{w:?}");
            assert_eq!(compare(w[1], w[0]), Ordering::Greater, "{w:?}");
        }
    }

    #[test]
    fn separators_case_zeros_and_v_do_not_matter() {
        for (a, b) in [
            ("1.0", "1-0"),
            ("1.0", "1_0"),
            ("1.01", "1.1"),
            ("v1.2.3", "1.2.3"),
            ("1.0RC1", "1.0rc1"),
            ("", "  "),
        ] {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} {b}");
        }
        // A leading `v` that is not followed by a digit is text.
        assert_eq!(compare("very", "1"), Ordering::Less);
    }

    #[test]
    fn huge_numbers_and_non_ascii() {
        assert_eq!(
            compare("1.99999999999999999999999", "1.100000000000000000000000"),
            Ordering::Less
        );
        assert_eq!(compare("1.α", "1.β"), Ordering::Less);
        assert_eq!(compare("1.α", "1.α"), Ordering::Equal);
    }
}
