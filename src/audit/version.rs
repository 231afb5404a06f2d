//! Version ordering for the policy's package version ranges (PKG001).
//!
//! Debian versions compare with dpkg's algorithm (epoch, then upstream and revision, each by
//! alternating non-digit and digit runs, `~` sorting before everything, letters before other
//! characters; <https://www.debian.org/doc/debian-policy/ch-controlfields.html#version>).
//! RPM versions use rpmvercmp (alphanumeric segments, digits beat letters, `~` before and `^`
//! after). Every other ecosystem (apk, language packages) uses the dpkg algorithm without
//! epochs, which orders dotted numeric versions and apk's `-rN` suffixes correctly.
//!
//! A range is a comma-separated conjunction of comparisons: `">= 1.0, < 2.0"`, `"= 1.2.3"`,
//! `"*"`; a package's `versions` list is a disjunction of ranges.

use std::cmp::Ordering;

/// One comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
    Ne,
}

/// A conjunction of comparisons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRange {
    text: String,
    parts: Vec<(Op, String)>,
}

impl VersionRange {
    /// Parses `">= 1.0, < 2.0"`, `"< 3"`, `"= 1.2"`, `"1.2"` (equal) or `"*"`.
    pub fn parse(s: &str) -> Result<VersionRange, String> {
        let mut parts = Vec::new();
        for c in s.split(',').map(str::trim) {
            if c == "*" {
                continue;
            }
            let (op, rest) = [
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("!=", Op::Ne),
                ("==", Op::Eq),
                ("<", Op::Lt),
                (">", Op::Gt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(p, op)| c.strip_prefix(p).map(|r| (*op, r)))
            .unwrap_or((Op::Eq, c));
            let v = rest.trim();
            if v.is_empty() || v.contains(char::is_whitespace) {
                return Err(format!(
                    "{s:?}: expected comparisons like \">= 1.0, < 2.0\" or \"*\""
                ));
            }
            parts.push((op, v.to_owned()));
        }
        Ok(VersionRange {
            text: s.trim().to_owned(),
            parts,
        })
    }

    /// True when `version` (of a package of purl type `ty`) lies in the range.
    pub fn contains(&self, ty: &str, version: &str) -> bool {
        self.parts.iter().all(|(op, v)| {
            let o = compare(ty, version, v);
            match op {
                Op::Lt => o == Ordering::Less,
                Op::Le => o != Ordering::Greater,
                Op::Eq => o == Ordering::Equal,
                Op::Ge => o != Ordering::Less,
                Op::Gt => o == Ordering::Greater,
                Op::Ne => o != Ordering::Equal,
            }
        })
    }

    /// The range as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Compares two versions of a package of purl type `ty`.
pub fn compare(ty: &str, a: &str, b: &str) -> Ordering {
    match ty {
        "rpm" => rpmvercmp(a, b),
        "deb" => dpkg_compare(a, b),
        _ => dpkg_compare(a.trim_start_matches('v'), b.trim_start_matches('v')),
    }
}

fn dpkg_compare(a: &str, b: &str) -> Ordering {
    let split = |v: &str| -> (u64, String, String) {
        let (epoch, rest) = match v.split_once(':') {
            Some((e, r)) if e.chars().all(|c| c.is_ascii_digit()) => (e.parse().unwrap_or(0), r),
            _ => (0, v),
        };
        match rest.rsplit_once('-') {
            Some((u, r)) => (epoch, u.to_owned(), r.to_owned()),
            None => (epoch, rest.to_owned(), String::new()),
        }
    };
    let (ea, ua, ra) = split(a);
    let (eb, ub, rb) = split(b);
    ea.cmp(&eb)
        .then_with(|| dpkg_part(&ua, &ub))
        .then_with(|| dpkg_part(&ra, &rb))
}

fn dpkg_order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => c as i32,
        Some(c) => c as i32 + 256,
    }
}

fn dpkg_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ca = a.get(i).copied().filter(|c| !c.is_ascii_digit());
            let cb = b.get(j).copied().filter(|c| !c.is_ascii_digit());
            let (oa, ob) = (dpkg_order(ca), dpkg_order(cb));
            if oa != ob {
                return oa.cmp(&ob);
            }
            if ca.is_some() {
                i += 1;
            }
            if cb.is_some() {
                j += 1;
            }
        }
        let num = |s: &[u8], k: &mut usize| {
            let start = *k;
            while *k < s.len() && s[*k].is_ascii_digit() {
                *k += 1;
            }
            let digits = std::str::from_utf8(&s[start..*k]).unwrap_or("0");
            let digits = digits.trim_start_matches('0');
            (digits.len(), digits.to_owned())
        };
        let na = num(a, &mut i);
        let nb = num(b, &mut j);
        if na != nb {
            return na.cmp(&nb);
        }
    }
    Ordering::Equal
}

fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        while i < a.len() && !a[i].is_ascii_alphanumeric() && a[i] != b'~' && a[i] != b'^' {
            i += 1;
        }
        while j < b.len() && !b[j].is_ascii_alphanumeric() && b[j] != b'~' && b[j] != b'^' {
            j += 1;
        }
        for marker in [b'~', b'^'] {
            let ma = a.get(i) == Some(&marker);
            let mb = b.get(j) == Some(&marker);
            if ma || mb {
                if !(ma && mb) {
                    let tilde = marker == b'~';
                    return match (ma, tilde) {
                        (true, true) => Ordering::Less,
                        (false, true) => Ordering::Greater,
                        (true, false) if j >= b.len() => Ordering::Greater,
                        (true, false) => Ordering::Less,
                        (false, false) if i >= a.len() => Ordering::Less,
                        (false, false) => Ordering::Greater,
                    };
                }
                i += 1;
                j += 1;
            }
        }
        if i >= a.len() || j >= b.len() {
            break;
        }
        let digit = a[i].is_ascii_digit();
        let sa = take_run(a, &mut i, digit);
        let sb = take_run(b, &mut j, digit);
        if sb.is_empty() {
            return if digit {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let o = if digit {
            let ta = trim_zeros(sa);
            let tb = trim_zeros(sb);
            ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb))
        } else {
            sa.cmp(sb)
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    let rest_a = i < a.len();
    let rest_b = j < b.len();
    match (rest_a, rest_b) {
        (false, false) => Ordering::Equal,
        (true, _) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

fn take_run<'s>(s: &'s [u8], k: &mut usize, digit: bool) -> &'s [u8] {
    let start = *k;
    while *k < s.len()
        && (if digit {
            s[*k].is_ascii_digit()
        } else {
            s[*k].is_ascii_alphabetic()
        })
    {
        *k += 1;
    }
    &s[start..*k]
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let k = s.iter().position(|&c| c != b'0').unwrap_or(s.len());
    &s[k..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn dpkg_ordering() {
        for (a, b, o) in [
            ("1.0", "1.0", Equal),
            ("1.0~rc1", "1.0", Less),
            ("1:0.1", "2.0", Greater),
            ("2.36-9+deb12u4", "2.36-9+deb12u10", Less),
            ("1.0a", "1.0+", Less),
            ("3.0.11-1~deb12u2", "3.0.11-1", Less),
            ("1.2.3-r4", "1.2.3-r10", Less),
        ] {
            assert_eq!(compare("deb", a, b), o, "{a} vs {b}");
        }
    }

    #[test]
    fn rpm_ordering() {
        for (a, b, o) in [
            ("1.0", "1.0", Equal),
            ("1.0", "1.0.1", Less),
            ("2.0.1a", "2.0.1", Greater),
            ("1.0~rc1", "1.0", Less),
            ("1.0^git1", "1.0", Greater),
            ("5.5p1", "5.5p10", Less),
            ("10", "9", Greater),
        ] {
            assert_eq!(compare("rpm", a, b), o, "{a} vs {b}");
        }
    }

    #[test]
    fn ranges() {
        let r = VersionRange::parse(">= 1.0, < 2.0").unwrap();
        assert!(r.contains("npm", "1.5.0"));
        assert!(!r.contains("npm", "2.0.0"));
        assert!(
            VersionRange::parse("*")
                .unwrap()
                .contains("deb", "anything")
        );
        assert!(VersionRange::parse("1.2").unwrap().contains("pypi", "1.2"));
        assert!(VersionRange::parse(">= 1 2").is_err());
    }
}
