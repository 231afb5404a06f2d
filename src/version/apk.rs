//! Alpine (apk-tools) version ordering.
//!
//! An apk version is `{number}{.number}...{letter}{_suffix{number}}...{-r{number}}`, the
//! Gentoo scheme: `1.2.3`, `1.2.3a`, `1.0_rc1`, `2.4_p2-r4`. apk-tools reads it as a stream
//! of typed tokens and compares the streams token by token: numbers numerically (a number
//! after a `.` that has leading zeros sorts below one without, `1.01 < 1.1`), letters by
//! code, suffixes by rank (`_alpha < _beta < _pre < _rc` sort before the bare version;
//! `_cvs < _svn < _git < _hg < _p` after it). When one stream ends first, the longer version
//! is newer unless what follows is a pre-release suffix. A token that breaks the grammar ends
//! the stream as *invalid*, which still orders (`1.0 < 1.0bc`), as apk-tools does.
//!
//! Written from the behaviour of apk-tools' `version.c` and checked against its
//! `test/version.data` table. Numbers are 64-bit (apk-tools 2.x used `int` and overflowed on
//! the 14-digit dates some versions carry: `1.0.0_pre20191002222144`), and when the two
//! streams part right after a zero component, a pre-release suffix that follows it still
//! counts as one (apk-tools 2.x reads an empty number there first and ranks `1.0_rc1` above
//! `1.0`).

use std::cmp::Ordering;

/// Token kinds, in apk-tools' order: a stream that stops at a *smaller* kind than the other
/// continues with is the newer one (see [`compare`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Invalid,
    /// A number right after a `.`: leading zeros are significant.
    DigitOrZero,
    Digit,
    Letter,
    Suffix,
    SuffixNumber,
    Revision,
    End,
}

const PRE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

/// The rest of a version and the kind of its next token.
#[derive(Clone, Copy)]
struct Tokens<'a> {
    rest: &'a [u8],
    kind: Kind,
}

impl<'a> Tokens<'a> {
    fn new(v: &'a str) -> Self {
        Tokens {
            rest: v.as_bytes(),
            kind: Kind::Digit,
        }
    }

    /// Reads the next token's value and moves `kind` to the token after it.
    fn next_value(&mut self) -> i64 {
        if self.rest.is_empty() {
            self.kind = Kind::End;
            return 0;
        }
        let mut len = 0;
        let mut then = None;
        let value = match self.kind {
            Kind::DigitOrZero if self.rest[0] == b'0' => {
                len = self.rest.iter().take_while(|&&b| b == b'0').count();
                then = Some(Kind::Digit);
                -(len as i64)
            }
            Kind::DigitOrZero | Kind::Digit | Kind::SuffixNumber | Kind::Revision => {
                let mut v: i64 = 0;
                while let Some(d) = self.rest.get(len).filter(|b| b.is_ascii_digit()) {
                    v = v.saturating_mul(10).saturating_add(i64::from(d - b'0'));
                    len += 1;
                }
                v
            }
            Kind::Letter => {
                len = 1;
                i64::from(self.rest[0])
            }
            Kind::Suffix => {
                let starts = |s: &str| self.rest.starts_with(s.as_bytes());
                if let Some(i) = PRE_SUFFIXES.iter().position(|s| starts(s)) {
                    len = PRE_SUFFIXES[i].len();
                    i as i64 - PRE_SUFFIXES.len() as i64
                } else if let Some(i) = POST_SUFFIXES.iter().position(|s| starts(s)) {
                    len = POST_SUFFIXES[i].len();
                    i as i64
                } else {
                    self.kind = Kind::Invalid;
                    return -1;
                }
            }
            Kind::End | Kind::Invalid => {
                self.kind = Kind::Invalid;
                return -1;
            }
        };
        self.rest = &self.rest[len..];
        if self.rest.is_empty() {
            self.kind = Kind::End;
        } else if let Some(k) = then {
            self.kind = k;
        } else {
            self.advance_kind();
        }
        value
    }

    /// Consumes a pending number token that has no digits.
    fn skip_empty_number(&mut self) {
        if self.kind == Kind::Digit && !self.rest.first().is_some_and(u8::is_ascii_digit) {
            self.next_value();
        }
    }

    /// Decides the kind of the next token from what follows, consuming a separator.
    fn advance_kind(&mut self) {
        let first = self.rest[0];
        let mut next = match self.kind {
            Kind::Digit | Kind::DigitOrZero if first.is_ascii_lowercase() => Kind::Letter,
            Kind::Letter if first.is_ascii_digit() => Kind::Digit,
            Kind::Suffix if first.is_ascii_digit() => Kind::SuffixNumber,
            _ => {
                let kind = match first {
                    b'.' => Kind::DigitOrZero,
                    b'_' => Kind::Suffix,
                    b'-' if self.rest.get(1) == Some(&b'r') => {
                        self.rest = &self.rest[1..];
                        Kind::Revision
                    }
                    _ => Kind::Invalid,
                };
                self.rest = &self.rest[1..];
                kind
            }
        };
        // Tokens only move forward through the grammar, with three ways back:
        // `1.2` (number after number), `_rc1_p2` (suffix after suffix), `1a2` (digit after
        // letter).
        let allowed_back = matches!(
            (next, self.kind),
            (Kind::DigitOrZero, Kind::Digit)
                | (Kind::Suffix, Kind::SuffixNumber)
                | (Kind::Digit, Kind::Letter)
        );
        if next < self.kind && !allowed_back {
            next = Kind::Invalid;
        }
        self.kind = next;
    }
}

/// True when `v` follows the apk version grammar.
pub fn is_valid(v: &str) -> bool {
    let mut t = Tokens::new(v);
    while !matches!(t.kind, Kind::End | Kind::Invalid) {
        t.next_value();
    }
    t.kind == Kind::End
}

/// Orders two apk versions. Always `Some`: apk-tools orders invalid versions too.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (mut x, mut y) = (Tokens::new(a), Tokens::new(b));
    let (mut xv, mut yv) = (0, 0);
    while x.kind == y.kind && !matches!(x.kind, Kind::End | Kind::Invalid) && xv == yv {
        xv = x.next_value();
        yv = y.next_value();
    }
    if xv != yv {
        return Some(xv.cmp(&yv));
    }
    if x.kind == y.kind {
        return Some(Ordering::Equal);
    }
    // After a run of zeros apk-tools reads a number even when none follows (`1.0_rc1` is
    // `1`, `-1`, an empty number, `_rc`, `1`); look past that empty number, or `1.0_rc1`
    // would rank above `1.0`.
    x.skip_empty_number();
    y.skip_empty_number();
    // Equal so far and one goes on: the longer is newer, unless it goes on with a
    // pre-release suffix (`1.0_rc1 < 1.0`).
    let pre_release = |t: Tokens<'_>| t.kind == Kind::Suffix && { t }.next_value() < 0;
    if pre_release(x) {
        return Some(Ordering::Less);
    }
    if pre_release(y) {
        return Some(Ordering::Greater);
    }
    Some(y.kind.cmp(&x.kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::{Scheme, check_vectors, vectors};

    /// apk-tools' own table (`test/version.data`).
    #[test]
    fn apk_tools_version_table() {
        let table = vectors(include_str!(
            "../../tests/fixtures/versions/apk-tools-version.data"
        ));
        assert_eq!(table.len(), 729);
        check_vectors(Scheme::Apk, &table);
    }

    #[test]
    fn suffix_and_revision_ranks() {
        let ordered = [
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_beta",
            "1.0_pre1",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0_cvs",
            "1.0_git20200101",
            "1.0_p1",
            "1.0a",
            "1.0.1",
        ];
        for w in ordered.windows(2) {
            assert_eq!(compare(w[0], w[1]), Some(Ordering::Less), "{w:?}");
            assert_eq!(compare(w[1], w[0]), Some(Ordering::Greater), "{w:?}");
        }
    }

    #[test]
    fn validity() {
        for ok in ["1", "1.2.3", "1.2.3a", "1.0_rc1_p2-r4", "2.4.32-r10", ""] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in ["1.0bc", "1.0-foo", "1.0_omega", "1.0-", "1.0_rc1.2"] {
            assert!(!is_valid(bad), "{bad}");
        }
    }
}
