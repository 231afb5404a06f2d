//! Go module version ordering (<https://go.dev/ref/mod#versions>), as `golang.org/x/mod/semver`
//! implements it.
//!
//! A Go version is SemVer 2.0 with a `v` prefix; `v1` and `v1.2` are shorthands for `v1.0.0`
//! and `v1.2.0` (and then take no pre-release or build suffix). Build metadata is ignored
//! (`v2.0.0+incompatible = v2.0.0`). Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
//! `v1.2.4-0.20191109021931-…`, `v1.2.3-pre.0.20191109021931-…`) are pre-releases and need no
//! special rule: SemVer precedence already puts them above their base version, below the next
//! release, and in commit-time order among themselves.
//!
//! SBOM producers add two spellings the module system does not: the toolchain as a module
//! (`stdlib` at `go1.21.0`) and versions without the `v`. Both are read as the `v` form here,
//! so that `go1.21.0`, `v1.21.0` and `1.21.0` are one version.

use std::cmp::Ordering;

/// A parsed version: numeric core as digit strings (no leading zeros), pre-release
/// identifiers.
#[derive(Debug, PartialEq, Eq)]
struct Parsed<'a> {
    core: [&'a str; 3],
    pre: Vec<&'a str>,
}

/// `go1.21.0` / `1.21.0` → `v1.21.0`; anything else unchanged.
fn canonical_prefix(v: &str) -> String {
    let v = v.trim();
    if let Some(rest) = v.strip_prefix("go")
        && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        return format!("v{rest}");
    }
    if v.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("v{v}");
    }
    v.to_owned()
}

/// A decimal number without leading zeros (`0` itself allowed).
fn number(s: &str) -> Option<&str> {
    let ok =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    ok.then_some(s)
}

fn identifiers(s: &str, numeric_rule: bool) -> Option<Vec<&str>> {
    s.split('.')
        .map(|id| {
            let ok = !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !(numeric_rule
                    && id.bytes().all(|b| b.is_ascii_digit())
                    && id.len() > 1
                    && id.starts_with('0'));
            ok.then_some(id)
        })
        .collect()
}

fn parse(v: &str) -> Option<Parsed<'_>> {
    let rest = v.strip_prefix('v')?;
    let (main, build) = match rest.split_once('+') {
        Some((m, b)) => (m, Some(b)),
        None => (rest, None),
    };
    let (core, pre) = match main.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (main, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    let core = match parts.as_slice() {
        [major] => [number(major)?, "0", "0"],
        [major, minor] => [number(major)?, number(minor)?, "0"],
        [major, minor, patch] => [number(major)?, number(minor)?, number(patch)?],
        _ => return None,
    };
    // The shorthands take no suffix: `v1.2-pre` is not a version.
    if parts.len() < 3 && (pre.is_some() || build.is_some()) {
        return None;
    }
    if let Some(b) = build {
        identifiers(b, false)?;
    }
    let pre = match pre {
        Some(p) => identifiers(p, true)?,
        None => Vec::new(),
    };
    Some(Parsed { core, pre })
}

/// True when `v` is a valid Go module version (after the producer spellings above).
pub fn is_valid(v: &str) -> bool {
    parse(&canonical_prefix(v)).is_some()
}

fn numeric(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn compare_pre(a: &[&str], b: &[&str]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    for (x, y) in a.iter().zip(b) {
        let xn = x.bytes().all(|c| c.is_ascii_digit());
        let yn = y.bytes().all(|c| c.is_ascii_digit());
        let ord = match (xn, yn) {
            (true, true) => numeric(x, y),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => x.cmp(y),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    a.len().cmp(&b.len())
}

/// Orders two Go versions; `None` when either is not one (the caller falls back to the
/// generic ordering, which keeps `(devel)` below every release).
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (canonical_prefix(a), canonical_prefix(b));
    let (x, y) = (parse(&a)?, parse(&b)?);
    let core = x
        .core
        .iter()
        .zip(&y.core)
        .map(|(p, q)| numeric(p, q))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or(Ordering::Equal);
    Some(core.then_with(|| compare_pre(&x.pre, &y.pre)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `x/mod/semver`'s table, in ascending order; `None` marks an invalid version. Equal
    /// canonical forms compare equal, later rows are greater.
    const TABLE: &[(&str, Option<&str>)] = &[
        ("bad", None),
        ("v1-alpha.beta.gamma", None),
        ("v1-pre", None),
        ("v1+meta", None),
        ("v1-pre+meta", None),
        ("v1.2-pre", None),
        ("v1.2+meta", None),
        ("v1.2-pre+meta", None),
        ("v1.0.0-alpha", Some("v1.0.0-alpha")),
        ("v1.0.0-alpha.1", Some("v1.0.0-alpha.1")),
        ("v1.0.0-alpha.beta", Some("v1.0.0-alpha.beta")),
        ("v1.0.0-beta", Some("v1.0.0-beta")),
        ("v1.0.0-beta.2", Some("v1.0.0-beta.2")),
        ("v1.0.0-beta.11", Some("v1.0.0-beta.11")),
        ("v1.0.0-rc.1", Some("v1.0.0-rc.1")),
        ("v1", Some("v1.0.0")),
        ("v1.0", Some("v1.0.0")),
        ("v1.0.0", Some("v1.0.0")),
        ("v1.2", Some("v1.2.0")),
        ("v1.2.0", Some("v1.2.0")),
        ("v1.2.3-456", Some("v1.2.3-456")),
        ("v1.2.3-456.789", Some("v1.2.3-456.789")),
        ("v1.2.3-456-789", Some("v1.2.3-456-789")),
        ("v1.2.3-456a", Some("v1.2.3-456a")),
        ("v1.2.3-pre", Some("v1.2.3-pre")),
        ("v1.2.3-pre+meta", Some("v1.2.3-pre")),
        ("v1.2.3-pre.1", Some("v1.2.3-pre.1")),
        ("v1.2.3-zzz", Some("v1.2.3-zzz")),
        ("v1.2.3", Some("v1.2.3")),
        ("v1.2.3+meta", Some("v1.2.3")),
        ("v1.2.3+meta-pre", Some("v1.2.3")),
        ("v1.2.3+meta-pre.sha.256a", Some("v1.2.3")),
    ];

    #[test]
    fn x_mod_semver_table() {
        for (i, (a, ca)) in TABLE.iter().enumerate() {
            assert_eq!(is_valid(a), ca.is_some(), "{a}");
            for (j, (b, cb)) in TABLE.iter().enumerate() {
                let (Some(ca), Some(cb)) = (ca, cb) else {
                    continue;
                };
                let want = if ca == cb { Ordering::Equal } else { i.cmp(&j) };
                assert_eq!(compare(a, b), Some(want), "{a} vs {b}");
            }
        }
        for (a, b, want) in [
            ("v1", "v1", Ordering::Equal),
            ("v2", "v1", Ordering::Greater),
            ("v1", "v2", Ordering::Less),
            ("v1.19", "v1.2", Ordering::Greater),
        ] {
            assert_eq!(compare(a, b), Some(want), "{a} vs {b}");
        }
    }

    /// The properties <https://go.dev/ref/mod#pseudo-versions> promises.
    #[test]
    fn pseudo_versions_sort_between_base_and_next_release() {
        let ordered = [
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.0.0-20200101000000-0123456789ab",
            "v1.2.3-pre",
            "v1.2.3-pre.0.20191109021931-daa7c04131f5",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4-0.20200101000000-0123456789ab",
            "v1.2.4-rc.1",
            "v1.2.4",
            "v2.0.0-20191109021931-daa7c04131f5+incompatible",
            "v2.0.0+incompatible",
        ];
        for w in ordered.windows(2) {
            assert_eq!(compare(w[0], w[1]), Some(Ordering::Less), "{w:?}");
            assert_eq!(compare(w[1], w[0]), Some(Ordering::Greater), "{w:?}");
        }
    }

    #[test]
    fn producer_spellings() {
        assert_eq!(compare("go1.21.0", "v1.21.0"), Some(Ordering::Equal));
        assert_eq!(compare("1.21.0", "v1.21.0"), Some(Ordering::Equal));
        assert_eq!(compare("go1.21.0", "go1.22.1"), Some(Ordering::Less));
        assert_eq!(compare("(devel)", "v1.0.0"), None);
    }
}
