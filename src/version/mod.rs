//! Version ordering, per ecosystem: is `b` newer than `a`?
//!
//! Every package manager orders versions its own way, and `diff` must classify a change as an
//! upgrade or a downgrade the way that package manager would. [`Scheme::for_purl_type`] picks
//! the scheme from the purl type; [`compare`] orders two versions under it.
//!
//! | scheme | purl types | rules | implementation |
//! | --- | --- | --- | --- |
//! | [`Scheme::Deb`] | `deb` | dpkg: `[epoch:]upstream[-revision]`, `~` sorts before everything | `debversion` crate |
//! | [`Scheme::Rpm`] | `rpm` | rpmvercmp on epoch, version, release; `~` and `^` | `rpm-version` crate |
//! | [`Scheme::Apk`] | `apk` | apk-tools: `1.2.3a_rc1_p2-r4` | [`apk`] |
//! | [`Scheme::Pep440`] | `pypi` | PEP 440: epochs, pre/post/dev releases, local versions | `pep440_rs` crate |
//! | [`Scheme::Semver`] | `npm`, `cargo` | SemVer 2.0 precedence (build metadata ignored) | `semver` crate |
//! | [`Scheme::Go`] | `golang` | `golang.org/x/mod/semver`: `v` prefix, `v1.2` shorthand, pseudo-versions | [`golang`] |
//! | [`Scheme::Maven`] | `maven` | Maven's `ComparableVersion` (3.8 rules, MNG-6964) | [`maven`] |
//! | [`Scheme::RubyGems`] | `gem` | `Gem::Version` (`1.0.0-1` is `1.0.0.pre.1`) | [`rubygems`] |
//! | [`Scheme::Generic`] | everything else | numbers numerically, text lexically | [`generic`] |
//!
//! Producers write versions inconsistently, and a version that does not follow its
//! ecosystem's grammar is still a version someone installed. So [`compare`] never fails: when
//! either side does not parse under its scheme, both are ordered by [`generic`] rules, and
//! [`Ordering`] is still total and antisymmetric for that pair.
//!
//! Each scheme is tested against the ordering tables of its reference implementation (dpkg's
//! `Dpkg_Version.t`, rpm's `rpmvercmp.at`, apk-tools' `version.data`, packaging's
//! `test_version.py`, node-semver's `comparisons.js`, `x/mod/semver`'s tests, Maven's
//! `ComparableVersionTest` and RubyGems' `test_gem_version.rb`; see
//! `tests/fixtures/SOURCES.md`).

pub mod apk;
pub mod generic;
pub mod golang;
pub mod maven;
pub mod rubygems;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A version ordering scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Scheme {
    /// Debian (dpkg).
    Deb,
    /// RPM (rpmvercmp, with epoch and release).
    Rpm,
    /// Alpine (apk-tools).
    Apk,
    /// Python (PEP 440).
    Pep440,
    /// SemVer 2.0 (npm, Cargo).
    Semver,
    /// Go modules (`v`-prefixed semver, pseudo-versions).
    Go,
    /// Maven `ComparableVersion`.
    Maven,
    /// RubyGems `Gem::Version`.
    RubyGems,
    /// Anything else: digit runs compared numerically, the rest lexically.
    Generic,
}

impl Scheme {
    /// The scheme of a purl type (`deb`, `pypi`, …); [`Scheme::Generic`] for types without one.
    pub fn for_purl_type(ty: &str) -> Scheme {
        match ty {
            "deb" => Scheme::Deb,
            "rpm" => Scheme::Rpm,
            "apk" => Scheme::Apk,
            "pypi" => Scheme::Pep440,
            "npm" | "cargo" => Scheme::Semver,
            "golang" => Scheme::Go,
            "maven" => Scheme::Maven,
            "gem" => Scheme::RubyGems,
            _ => Scheme::Generic,
        }
    }

    /// The scheme's name, as the CLI and the JSON output spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Deb => "deb",
            Scheme::Rpm => "rpm",
            Scheme::Apk => "apk",
            Scheme::Pep440 => "pep440",
            Scheme::Semver => "semver",
            Scheme::Go => "go",
            Scheme::Maven => "maven",
            Scheme::RubyGems => "rubygems",
            Scheme::Generic => "generic",
        }
    }

    /// True when `v` follows the scheme's grammar (so that [`compare`] orders it by the
    /// scheme's own rules rather than the generic fallback).
    pub fn accepts(self, v: &str) -> bool {
        match self {
            Scheme::Deb => parse_deb(v).is_ok(),
            Scheme::Rpm => rpm_accepts(v),
            Scheme::Apk => apk::is_valid(v),
            Scheme::Pep440 => pep440_rs::Version::from_str(v).is_ok(),
            Scheme::Semver => parse_semver(v).is_some(),
            Scheme::Go => golang::is_valid(v),
            Scheme::Maven | Scheme::Generic => true,
            Scheme::RubyGems => rubygems::is_valid(v),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Orders `a` and `b` under `scheme`; see the module docs for the fallback when either does
/// not parse.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let exact = match scheme {
        Scheme::Deb => match (parse_deb(a), parse_deb(b)) {
            (Ok(x), Ok(y)) => Some(x.cmp(&y)),
            _ => None,
        },
        Scheme::Rpm if rpm_accepts(a) && rpm_accepts(b) => Some(rpm_version::rpm_evr_compare(a, b)),
        Scheme::Rpm => None,
        Scheme::Apk => apk::compare(a, b),
        Scheme::Pep440 => match (
            pep440_rs::Version::from_str(a),
            pep440_rs::Version::from_str(b),
        ) {
            (Ok(x), Ok(y)) => Some(x.cmp(&y)),
            _ => None,
        },
        Scheme::Semver => match (parse_semver(a), parse_semver(b)) {
            // Build metadata does not take part in SemVer precedence (spec item 10); the
            // crate's `Ord` would order by it.
            (Some(x), Some(y)) => {
                Some((x.major, x.minor, x.patch, &x.pre).cmp(&(y.major, y.minor, y.patch, &y.pre)))
            }
            _ => None,
        },
        Scheme::Go => golang::compare(a, b),
        Scheme::Maven => Some(maven::compare(a, b)),
        Scheme::RubyGems => rubygems::compare(a, b),
        Scheme::Generic => None,
    };
    exact.unwrap_or_else(|| generic::compare(a, b))
}

/// A dpkg version; an empty revision (`1.0-`) is no revision, as dpkg reads it (the crate
/// rejects the trailing `-`).
fn parse_deb(v: &str) -> Result<debversion::Version, debversion::ParseError> {
    let v = v.trim();
    v.strip_suffix('-').unwrap_or(v).parse()
}

/// An RPM `[epoch:]version[-release]`: a numeric epoch, no second `-`, no spaces. The crate's
/// parser takes anything; checking first keeps nonsense on the generic path.
fn rpm_accepts(v: &str) -> bool {
    let rest = match v.split_once(':') {
        Some((epoch, rest)) if !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()) => {
            rest
        }
        Some(_) => return false,
        None => v,
    };
    !rest.is_empty()
        && rest.matches('-').count() <= 1
        && !rest.starts_with('-')
        && !rest.ends_with('-')
        && rest.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

/// SemVer as npm reads it in loose mode: a leading `v` or `=` is tolerated.
fn parse_semver(v: &str) -> Option<semver::Version> {
    let v = v.trim();
    let v = v.strip_prefix('=').unwrap_or(v);
    let v = v.strip_prefix('v').unwrap_or(v);
    semver::Version::parse(v).ok()
}

/// Loads `a OP b` lines (OP one of `<`, `=`, `>`; `#` starts a comment) from a reference
/// implementation's test table.
#[cfg(test)]
pub(crate) fn vectors(text: &'static str) -> Vec<(&'static str, Ordering, &'static str)> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut f = l.split_whitespace();
            let (a, op, b) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
            let op = match op {
                "<" => Ordering::Less,
                "=" => Ordering::Equal,
                ">" => Ordering::Greater,
                other => panic!("bad operator {other:?} in {l:?}"),
            };
            (a, op, b)
        })
        .collect()
}

/// Asserts every vector, in both directions, and lists all failures at once.
#[cfg(test)]
pub(crate) fn check_vectors(scheme: Scheme, table: &[(&str, Ordering, &str)]) {
    let mut failures = Vec::new();
    for &(a, want, b) in table {
        for (x, y, want) in [(a, b, want), (b, a, want.reverse())] {
            let got = compare(scheme, x, y);
            if got != want {
                failures.push(format!("{x} vs {y}: got {got:?}, want {want:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{scheme}: {} of {} comparisons wrong:\n{}",
        failures.len(),
        table.len() * 2,
        failures.join("\n")
    );
}

#[cfg(test)]
mod tests;
