//! License changes: a package whose declared licenses changed, a license the image did not
//! carry before, and a license the policy denies coming in.
//!
//! A license *changed* when the same producer reports different license texts for a package
//! in the two SBOMs (at the same version or across an upgrade). A license is *new to the
//! image* when a package that came in (added, or whose licenses changed) declares a license
//! id no package of the old SBOM declares. A *denied* license is one of
//! [`DiffOptions::deny_licenses`](super::DiffOptions::deny_licenses) on a package that came
//! in. Between different producers only the last two are reported, and only for added
//! packages: the two tools would disagree about every unchanged package's licenses.

use std::collections::BTreeSet;

use serde::Serialize;

use super::key::version_of;
use super::matching::{Matched, Pair};
use crate::Sbom;
use crate::model::{License, Package};

/// Why a license change is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LicenseChangeReason {
    /// The package's declared licenses differ between the two SBOMs.
    Changed,
    /// The package brings a license no package of the old SBOM has.
    NewToImage,
    /// The package brings a license the policy denies.
    Denied,
}

/// A license change of one package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseChange {
    /// The ecosystem.
    pub ecosystem: String,
    /// The package name.
    pub name: String,
    /// The package's version in the new SBOM.
    pub version: String,
    /// The licenses in the old SBOM (empty for an added package).
    pub old: Vec<String>,
    /// The licenses in the new SBOM.
    pub new: Vec<String>,
    /// Why it is reported, sorted.
    pub reasons: Vec<LicenseChangeReason>,
    /// License ids no package of the old SBOM has.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_to_image: Vec<String>,
    /// License ids the policy denies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub denied: Vec<String>,
}

/// The declared licenses of `p` as a sorted list of terms: what "the licenses changed"
/// compares. Declared licenses all apply, so `[A, B]` and `[A AND B]` (the same facts in
/// CycloneDX license objects and an SPDX expression) are one list; an expression with `OR`
/// or parentheses stays whole.
pub(super) fn texts(p: &Package) -> Vec<String> {
    let mut t: Vec<String> = p
        .licenses
        .iter()
        .flat_map(|l| {
            let s = l.as_str();
            if s.contains(" OR ") || s.contains('(') {
                vec![s.to_owned()]
            } else {
                s.split(" AND ").map(str::to_owned).collect()
            }
        })
        .collect();
    t.sort();
    t.dedup();
    t
}

/// True when `a` and `b` declare different licenses (as [`texts`] compares them).
pub(super) fn differ(a: &Package, b: &Package) -> bool {
    // Most packages are unchanged: the cheap comparison first.
    a.licenses != b.licenses && texts(a) != texts(b)
}

/// The license ids in `p`'s licenses: the license items of its expressions (operators,
/// parentheses and `WITH` exceptions left out), or the text of a license that is not an
/// expression.
pub(super) fn ids(p: &Package) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for l in &p.licenses {
        match l {
            License::Expression(e) => {
                let mut after_with = false;
                for t in e.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
                    match t {
                        "" | "AND" | "OR" => {}
                        "WITH" => after_with = true,
                        _ if after_with => after_with = false,
                        _ => {
                            out.insert(t.to_owned());
                        }
                    }
                }
            }
            License::Name(n) => {
                out.insert(n.clone());
            }
        }
    }
    out
}

/// True when `id` matches a deny pattern (case-insensitive; a trailing `*` matches any rest).
fn denied_by(id: &str, patterns: &[String]) -> bool {
    let id = id.to_ascii_lowercase();
    patterns.iter().any(|p| {
        let p = p.trim().to_ascii_lowercase();
        match p.strip_suffix('*') {
            Some(prefix) => id.starts_with(prefix),
            None => id == p,
        }
    })
}

/// The license changes of a comparison; see the module docs.
pub(super) fn changes(
    old: &Sbom,
    matched: &Matched<'_>,
    same_producer: bool,
    deny: &[String],
) -> Vec<LicenseChange> {
    let came_in: Vec<(&Pair<'_>, bool)> = matched
        .pairs
        .iter()
        .filter_map(|pair| {
            pair.new?;
            match pair.old {
                None => Some((pair, false)),
                Some(old) if same_producer && differ(old, pair.new?) => Some((pair, true)),
                Some(_) => None,
            }
        })
        .collect();
    if came_in.is_empty() {
        return Vec::new();
    }
    let before: BTreeSet<String> = old.packages.iter().flat_map(ids).collect();
    let mut out: Vec<LicenseChange> = came_in
        .into_iter()
        .filter_map(|(pair, changed)| change(pair, changed, &before, deny))
        .collect();
    out.sort_by(|a, b| {
        (&a.ecosystem, a.name.to_ascii_lowercase(), &a.version).cmp(&(
            &b.ecosystem,
            b.name.to_ascii_lowercase(),
            &b.version,
        ))
    });
    out
}

/// The change a package that came in (added, or `changed` licenses) makes, if any.
fn change(
    pair: &Pair<'_>,
    changed: bool,
    before: &BTreeSet<String>,
    deny: &[String],
) -> Option<LicenseChange> {
    let new = pair.new?;
    let mut reasons = Vec::new();
    if changed {
        reasons.push(LicenseChangeReason::Changed);
    }
    let new_ids = ids(new);
    let new_to_image: Vec<String> = new_ids.difference(before).cloned().collect();
    if !new_to_image.is_empty() {
        reasons.push(LicenseChangeReason::NewToImage);
    }
    let denied: Vec<String> = new_ids
        .iter()
        .filter(|id| denied_by(id, deny))
        .cloned()
        .collect();
    if !denied.is_empty() {
        reasons.push(LicenseChangeReason::Denied);
    }
    if reasons.is_empty() {
        return None;
    }
    Some(LicenseChange {
        ecosystem: pair.ecosystem.clone(),
        name: crate::diff::key::identity(new).display(),
        version: version_of(new),
        old: pair.old.map(texts).unwrap_or_default(),
        new: texts(new),
        reasons,
        new_to_image,
        denied,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ecosystem, Purl};

    fn pkg(licenses: &[&str]) -> Package {
        let purl = Purl::builder("npm", "x").version("1").build().unwrap();
        let mut p = Package::new(Ecosystem::Npm, "x", "1", purl, "test");
        p.licenses = licenses.iter().filter_map(|l| License::parse(l)).collect();
        p
    }

    #[test]
    fn ids_leave_out_operators_and_exceptions() {
        let p = pkg(&[
            "(MIT OR Apache-2.0) AND GPL-2.0-or-later WITH Classpath-exception-2.0",
            "see LICENSE",
        ]);
        let want: BTreeSet<String> = ["Apache-2.0", "GPL-2.0-or-later", "MIT", "see LICENSE"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(ids(&p), want);
    }

    #[test]
    fn deny_patterns() {
        let deny = vec!["GPL-3.0*".to_owned(), "agpl-3.0-only".to_owned()];
        assert!(denied_by("GPL-3.0-or-later", &deny));
        assert!(denied_by("AGPL-3.0-only", &deny));
        assert!(!denied_by("LGPL-3.0-only", &deny));
        assert!(!denied_by("GPL-2.0-only", &deny));
    }
}
