//! Maven version ordering: the rules of `org.apache.maven.artifact.versioning.ComparableVersion`
//! (<https://maven.apache.org/pom.html#version-order-specification>), as of Maven 3.8 with
//! the MNG-5568, MNG-6572 and MNG-6964 fixes.
//!
//! A version is split on `.` and `-` and on every switch between digits and letters; a `-`
//! or a digit/letter switch opens a nested list (`1.0-alpha-1` is `[1, [alpha, [1]]]`).
//! Numbers compare numerically, qualifiers by rank — `alpha` (`a1`) < `beta` (`b1`) <
//! `milestone` (`m1`) < `rc` = `cr` < `snapshot` < release (`""`, `ga`, `final`, `release`)
//! < `sp` < any other word, alphabetically — and trailing zeros and release qualifiers are
//! dropped (`1.0.0 = 1`, `1-ga = 1`). A number is newer than a list, a list newer than a
//! qualifier (`1.1 > 1-1 > 1-sp`). Case does not matter.
//!
//! Written from the specification and checked against Maven's `ComparableVersionTest`.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    /// Digits without leading zeros (`"0"` for zero), compared by length then text, so any
    /// length works (Maven switches to `BigInteger` past 18 digits).
    Int(String),
    /// A qualifier, aliases resolved.
    Str(String),
    /// A nested list (after `-`, or a digit/letter switch).
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// The rank of the release qualifier `""`.
const RELEASE: usize = 5;

/// A qualifier's sort key: known qualifiers by rank, unknown ones after all of them,
/// alphabetically.
fn rank(q: &str) -> (usize, &str) {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => (i, ""),
        None => (QUALIFIERS.len(), q),
    }
}

fn qualifier(text: &str, followed_by_digit: bool) -> Item {
    let text = match text {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        t => t,
    };
    Item::Str(text.to_owned())
}

fn number(digits: &str) -> Item {
    let d = digits.trim_start_matches('0');
    Item::Int(if d.is_empty() { "0" } else { d }.to_owned())
}

fn item(is_digit: bool, text: &str) -> Item {
    if is_digit {
        number(text)
    } else {
        qualifier(text, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n == "0",
            Item::Str(s) => rank(s).0 == RELEASE,
            Item::List(l) => l.is_empty(),
        }
    }

    /// Compares with `other`, `None` standing for a missing item (the shorter version).
    fn cmp_opt(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(n), None) => {
                if n == "0" {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Int(a), Some(Item::Int(b))) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(s), None) => rank(s).cmp(&(RELEASE, "")),
            (Item::Str(_), Some(Item::Int(_) | Item::List(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => rank(a).cmp(&rank(b)),
            // MNG-6964: every item counts, not only the first (`1-0.alpha < 1`).
            (Item::List(l), None) => l
                .iter()
                .map(|i| i.cmp_opt(None))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => {
                for i in 0..a.len().max(b.len()) {
                    let ord = match (a.get(i), b.get(i)) {
                        (Some(x), y) => x.cmp_opt(y),
                        (None, Some(y)) => y.cmp_opt(None).reverse(),
                        (None, None) => Ordering::Equal,
                    };
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                Ordering::Equal
            }
        }
    }
}

/// Drops trailing null items, looking past non-null nested lists (`1.0-1` is `[1, [1]]`).
fn normalize(items: &mut Vec<Item>) {
    let mut i = items.len();
    while i > 0 {
        i -= 1;
        if items[i].is_null() {
            items.remove(i);
        } else if !matches!(items[i], Item::List(_)) {
            break;
        }
    }
}

fn parse(version: &str) -> Vec<Item> {
    let v = version.to_lowercase();
    // Each `-` or digit/letter switch opens a list that takes every later item, so the
    // structure is a chain: `levels[k + 1]` is the last item of `levels[k]`.
    let mut levels: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0;
    for (i, c) in v.char_indices() {
        let cur = levels.len() - 1;
        match c {
            '.' | '-' => {
                let it = if i == start {
                    Item::Int("0".to_owned())
                } else {
                    item(is_digit, &v[start..i])
                };
                levels[cur].push(it);
                start = i + 1;
                if c == '-' {
                    levels.push(Vec::new());
                }
            }
            c if c.is_ascii_digit() => {
                if !is_digit && i > start {
                    levels[cur].push(qualifier(&v[start..i], true));
                    start = i;
                    levels.push(Vec::new());
                }
                is_digit = true;
            }
            _ => {
                if is_digit && i > start {
                    levels[cur].push(number(&v[start..i]));
                    start = i;
                    levels.push(Vec::new());
                }
                is_digit = false;
            }
        }
    }
    if v.len() > start {
        let cur = levels.len() - 1;
        levels[cur].push(item(is_digit, &v[start..]));
    }
    let mut child: Option<Vec<Item>> = None;
    for mut items in levels.into_iter().rev() {
        if let Some(c) = child.take() {
            items.push(Item::List(c));
        }
        normalize(&mut items);
        child = Some(items);
    }
    child.unwrap_or_default()
}

/// Orders two Maven versions. Every string is a Maven version, so this never fails.
pub fn compare(a: &str, b: &str) -> Ordering {
    Item::List(parse(a)).cmp_opt(Some(&Item::List(parse(b))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_ascending(versions: &[&str]) {
        for (i, low) in versions.iter().enumerate() {
            for high in &versions[i + 1..] {
                assert_eq!(compare(low, high), Ordering::Less, "{low} < {high}");
                assert_eq!(compare(high, low), Ordering::Greater, "{high} > {low}");
            }
        }
    }

    fn assert_equal(a: &str, b: &str) {
        assert_eq!(compare(a, b), Ordering::Equal, "{a} == {b}");
        assert_eq!(compare(b, a), Ordering::Equal, "{b} == {a}");
    }

    #[test]
    fn comparable_version_test_orders() {
        assert_ascending(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
        assert_ascending(&[
            "2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b",
            "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11",
            "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    #[test]
    fn comparable_version_test_equalities() {
        for (a, b) in [
            ("1", "1"),
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1.0", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.0-0"),
            ("1.0", "1.0-0"),
            ("1a", "1-a"),
            ("1a", "1.0-a"),
            ("1a", "1.0.0-a"),
            ("1.0a", "1-a"),
            ("1.0.0a", "1-a"),
            ("1x", "1-x"),
            ("1x", "1.0-x"),
            ("1x", "1.0.0-x"),
            ("1.0x", "1-x"),
            ("1.0.0x", "1-x"),
            ("1ga", "1"),
            ("1release", "1"),
            ("1final", "1"),
            ("1cr", "1rc"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1X", "1x"),
            ("1A", "1a"),
            ("1B", "1b"),
            ("1M", "1m"),
            ("1Ga", "1"),
            ("1GA", "1"),
            ("1RELEASE", "1"),
            ("1RELeaSE", "1"),
            ("1Final", "1"),
            ("1FinaL", "1"),
            ("1FINAL", "1"),
            ("1Cr", "1Rc"),
            ("1cR", "1rC"),
            ("1m3", "1Milestone3"),
            ("1m3", "1MileStone3"),
            ("1m3", "1MILESTONE3"),
            (
                "1-abcdefghijklmnopqrstuvwxyz",
                "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            ),
        ] {
            assert_equal(a, b);
        }
        let ones: Vec<String> = (0..19).map(|n| format!("{}1", "0".repeat(n))).collect();
        let zeros: Vec<String> = (1..20).map(|n| "0".repeat(n)).collect();
        for set in [ones, zeros] {
            for a in &set {
                for b in &set {
                    assert_equal(a, b);
                }
            }
        }
    }

    #[test]
    fn comparable_version_test_comparisons() {
        for (a, b) in [
            ("1", "2"),
            ("1.5", "2"),
            ("1", "2.5"),
            ("1.0", "1.1"),
            ("1.1", "1.2"),
            ("1.0.0", "1.1"),
            ("1.0.1", "1.1"),
            ("1.1", "1.2.0"),
            ("1.0-alpha-1", "1.0"),
            ("1.0-alpha-1", "1.0-alpha-2"),
            ("1.0-alpha-1", "1.0-beta-1"),
            ("1.0-beta-1", "1.0-SNAPSHOT"),
            ("1.0-SNAPSHOT", "1.0"),
            ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
            ("1.0", "1.0-1"),
            ("1.0-1", "1.0-2"),
            ("1.0.0", "1.0-1"),
            ("2.0-1", "2.0.1"),
            ("2.0.1-klm", "2.0.1-lmn"),
            ("2.0.1", "2.0.1-xyz"),
            ("2.0.1", "2.0.1-123"),
            ("2.0.1-xyz", "2.0.1-123"),
            // MNG-5568: transitive.
            ("6.1.0rc3", "6.1.0"),
            ("6.1.0rc3", "6.1H.5-beta"),
            ("6.1.0", "6.1H.5-beta"),
            // MNG-6572: long numbers.
            ("20190126.230843", "1234567890.12345"),
            ("1234567890.12345", "123456789012345.1H.5-beta"),
            (
                "123456789012345.1H.5-beta",
                "12345678901234567890.1H.5-beta",
            ),
            // MNG-6964: qualifiers after `-0.`.
            ("1-0.alpha", "1"),
            ("1-0.beta", "1"),
            ("1-0.alpha", "1-0.beta"),
        ] {
            assert_eq!(compare(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(compare(b, a), Ordering::Greater, "{b} > {a}");
        }
    }
}
