//! RubyGems version ordering: the rules of `Gem::Version`
//! (<https://guides.rubygems.org/patterns/#semantic-versioning>).
//!
//! A gem version is numbers and words separated by dots (`1.2.0.rc.1`, `1.2.0.rc1`); a word
//! makes it a pre-release, and a pre-release sorts before the release (`1.0.a < 1.0`). A `-`
//! before a word reads as a dot (`1.0.0-beta.1 = 1.0.0.beta.1`); before a digit it reads as
//! `.pre.` (`1.0.0-1 = 1.0.0.pre.1`), as current RubyGems does. Trailing zeros of the release
//! part and of the pre-release part are dropped (`1.0 = 1.0.0`, `1.2.pre.1 = 1.2.0.pre.1.0`),
//! then segments compare pairwise, a missing one counting as `0`: numbers numerically, words
//! lexically, and a word is older than a number.
//!
//! Written from the behaviour of `Gem::Version` and checked against RubyGems'
//! `test_gem_version.rb`.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros (`"0"` for zero).
    Number(String),
    Word(String),
}

/// The version grammar RubyGems accepts (its `ANCHORED_VERSION_PATTERN`), on trimmed text.
pub fn is_valid(v: &str) -> bool {
    let v = v.trim();
    if v.is_empty() {
        return true;
    }
    let (release, pre) = match v.split_once('-') {
        Some((r, p)) => (r, Some(p)),
        None => (v, None),
    };
    let mut parts = release.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|p| {
        p.split('.')
            .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

/// The canonical segments: `-` rewritten, split into numbers and words, trailing zeros of
/// the release part and of the pre-release part dropped, a legacy `pre.` before a word
/// dropped.
fn canonical(v: &str) -> Vec<Segment> {
    let v = v.trim();
    let mut text = String::with_capacity(v.len() + 8);
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '-' {
            match chars.peek() {
                Some(n) if n.is_ascii_alphabetic() => text.push('.'),
                _ => text.push_str(".pre."),
            }
        } else {
            text.push(c);
        }
    }
    let mut segments = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let d = text[start..i].trim_start_matches('0');
            segments.push(Segment::Number(
                if d.is_empty() { "0" } else { d }.to_owned(),
            ));
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            segments.push(Segment::Word(text[start..i].to_owned()));
        } else {
            i += 1;
        }
    }
    let split = segments
        .iter()
        .position(|s| matches!(s, Segment::Word(_)))
        .unwrap_or(segments.len());
    let mut pre = segments.split_off(split);
    // `pre` right before another word is the legacy spelling of a hyphen
    // (`1.0.0.pre.beta.1 = 1.0.0.beta.1`).
    if pre.len() > 1
        && pre[0] == Segment::Word("pre".to_owned())
        && matches!(pre[1], Segment::Word(_))
    {
        pre.remove(0);
    }
    let mut out = trim_zeros(segments);
    out.extend(trim_zeros(pre));
    out
}

fn trim_zeros(mut s: Vec<Segment>) -> Vec<Segment> {
    while matches!(s.last(), Some(Segment::Number(n)) if n == "0") {
        s.pop();
    }
    s
}

/// Orders two gem versions; `None` when either is not one.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    if !is_valid(a) || !is_valid(b) {
        return None;
    }
    let (x, y) = (canonical(a), canonical(b));
    let zero = Segment::Number("0".to_owned());
    for i in 0..x.len().max(y.len()) {
        let (p, q) = (x.get(i).unwrap_or(&zero), y.get(i).unwrap_or(&zero));
        let ord = match (p, q) {
            (Segment::Number(m), Segment::Number(n)) => {
                m.len().cmp(&n.len()).then_with(|| m.cmp(n))
            }
            (Segment::Word(m), Segment::Word(n)) => m.cmp(n),
            (Segment::Word(_), Segment::Number(_)) => Ordering::Less,
            (Segment::Number(_), Segment::Word(_)) => Ordering::Greater,
        };
        if ord != Ordering::Equal {
            return Some(ord);
        }
    }
    Some(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|| panic!("{a} or {b} invalid"))
    }

    /// `test_gem_version.rb`: `test_spaceship`, `test_semver`, `test_equals2`, the hyphen
    /// rules of issue 9910, and the sort-key cases.
    #[test]
    fn test_gem_version_cases() {
        for (a, b, want) in [
            ("1.0", "1.0.0", Ordering::Equal),
            ("1.0", "1.0.a", Ordering::Greater),
            ("1.8.2", "0.0.0", Ordering::Greater),
            ("1.8.2", "1.8.2.a", Ordering::Greater),
            ("1.8.2.b", "1.8.2.a", Ordering::Greater),
            ("1.8.2.a", "1.8.2", Ordering::Less),
            ("1.8.2.a10", "1.8.2.a9", Ordering::Greater),
            ("", "0", Ordering::Equal),
            ("0.beta.1", "0.0.beta.1", Ordering::Equal),
            ("0.0.beta", "0.0.beta.1", Ordering::Less),
            ("0.0.beta", "0.beta.1", Ordering::Less),
            ("5.a", "5.0.0.rc2", Ordering::Less),
            ("5.x", "5.0.0.rc2", Ordering::Greater),
            ("1.9.3", "1.9.3", Ordering::Equal),
            ("1.9.3", "1.9.2.99", Ordering::Greater),
            ("1.9.3", "1.9.3.1", Ordering::Less),
            ("1.2", "1.2", Ordering::Equal),
            ("1.2", "1.3", Ordering::Less),
            ("1.2.b1", "1.2.b.1", Ordering::Equal),
            ("1.2.pre.1", "1.2.0.pre.1.0", Ordering::Equal),
            ("1.0.0.beta.1", "1.0.0-beta.1", Ordering::Equal),
            ("1.0.0.rc.1", "1.0.0-rc.1", Ordering::Equal),
            ("1.2.3.beta", "1.2.3-beta", Ordering::Equal),
            ("1.0.0.pre.1", "1.0.0-1", Ordering::Equal),
            ("1.0.0.1", "1.0.0-1", Ordering::Greater),
            ("1.0.0.beta.1", "1.0.0.pre.beta.1", Ordering::Equal),
            ("1.0.0", "0.0.1.20220404083012", Ordering::Greater),
            ("0.7.0", "0.6.63000", Ordering::Greater),
            ("18.0.1", "18.0.2", Ordering::Less),
            ("1.freeze.test", "1", Ordering::Less),
        ] {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
        let semver = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
        ];
        for w in semver.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{w:?}");
        }
        assert_eq!(cmp("1.0.0-rc1", "1.0.0"), Ordering::Less);
        assert_eq!(cmp("1.0.0-1", "1"), Ordering::Less);
    }

    #[test]
    fn validity_follows_gem_version() {
        for ok in [
            "1.0",
            " 1.0 ",
            "1.0\n",
            "1",
            "",
            "1.2.0.a",
            "1-1",
            "1-a",
            "1.0.0-beta.1",
        ] {
            assert!(is_valid(ok), "{ok:?}");
        }
        for bad in ["junk", "1.0\n2.0", "1..2", "1.2 3.4"] {
            assert!(!is_valid(bad), "{bad:?}");
        }
    }
}
