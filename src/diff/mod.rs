//! What changed between two SBOMs: packages added, removed, upgraded, downgraded or changed
//! in place, license changes, and the image's own changes (base image, distribution,
//! layers) — whichever tools wrote the two SBOMs.
//!
//! [`diff`] matches packages by identity ([`key`]: the purl without version, with the
//! qualifiers that make a different artifact), falls back to the name for packages whose
//! SBOM gave no type ([`matching`]), orders versions with the ecosystem's own rules
//! ([`crate::version`]) and classifies every difference as a [`Change`]. The result is
//! plain data; [`render`] turns it into a table, Markdown or the JSON document whose schema
//! is [`SCHEMA_VERSION`] (see `docs/diff-json.md`).
//!
//! ## Comparing SBOMs from different producers
//!
//! Tools disagree on more than spelling, and a diff that reports those disagreements as
//! changes is useless. So:
//! - Identity ignores what producers add to a purl (see [`key`]); versions are compared by
//!   the ecosystem's ordering, so `1:2.4` written two ways is one version.
//! - An ecosystem that only one side lists at all, when the two sides come from different
//!   producers, is **not compared** ([`SbomDiff::not_compared`]): one tool may simply not
//!   catalog it (consign reads OS packages; Syft and Trivy also read language packages).
//!   From the same producer, a newly present ecosystem is a real addition.
//! - Licenses and suppliers of a package at the same version are compared only between
//!   SBOMs of the same producer: two tools reading the same package disagree about them all
//!   the time, and the package did not change. Hashes are compared whenever both sides give
//!   one with the same algorithm.

mod image;
pub mod key;
mod licenses;
mod matching;
pub mod render;

use serde::Serialize;

use crate::Sbom;
pub use image::{ImageChanges, LayerSummary, Transition};
pub use licenses::{LicenseChange, LicenseChangeReason};

/// The version of the JSON output's schema (`docs/diff-json.md`): incremented only on an
/// incompatible change (a field removed or its meaning changed); new fields may appear
/// without it.
pub const SCHEMA_VERSION: u32 = 1;

/// Settings of a comparison.
#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    /// License ids the policy denies: SPDX ids (case-insensitive), a trailing `*` matching
    /// any suffix (`GPL-3.0*`, `AGPL-*`).
    pub deny_licenses: Vec<String>,
}

/// One side of the comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Side {
    /// The input as given (file or image).
    pub source: String,
    /// The document format (`cyclonedx-json@1.6`), or `image` for a scan.
    pub format: String,
    /// The tool(s) that produced it (`syft 1.18.1`).
    pub producer: String,
    /// What the SBOM describes (`alpine:3.18`, an application name), when it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The number of packages.
    pub packages: usize,
}

/// What kind of change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Only in the new SBOM.
    Added,
    /// Only in the old SBOM.
    Removed,
    /// A newer version in the new SBOM.
    Upgraded,
    /// An older version in the new SBOM.
    Downgraded,
    /// The same version, but a different hash, license or supplier.
    Changed,
}

impl ChangeKind {
    /// The name, as the CLI and JSON spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Upgraded => "upgraded",
            ChangeKind::Downgraded => "downgraded",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One package on one side of a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    /// The version (the epoch in front for deb and rpm, whatever the producer wrote).
    pub version: String,
    /// The purl as that SBOM gives it; absent when it gave none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The declared licenses (SPDX expressions, or the text as declared).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
}

/// A difference in one package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// The ecosystem (purl type: `deb`, `npm`, …), `unknown` when neither side says.
    pub ecosystem: String,
    /// The package name (`@babel/core`, `org.slf4j:slf4j-api`, `libc6`).
    pub name: String,
    /// The architecture, for packages that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// The old package (absent when added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Version>,
    /// The new package (absent when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Version>,
    /// For `changed`: what differs (`hash`, `license`, `supplier`); for an added or removed
    /// version of a package that keeps another: `other-version-remains`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// Counts of one ecosystem.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// The ecosystem; `all` for the total.
    pub ecosystem: String,
    /// Packages added.
    pub added: usize,
    /// Packages removed.
    pub removed: usize,
    /// Packages upgraded.
    pub upgraded: usize,
    /// Packages downgraded.
    pub downgraded: usize,
    /// Packages changed at the same version.
    pub changed: usize,
    /// Packages in both at the same version, unchanged.
    pub unchanged: usize,
}

impl Counts {
    /// Adds one change.
    fn count(&mut self, kind: ChangeKind) {
        match kind {
            ChangeKind::Added => self.added += 1,
            ChangeKind::Removed => self.removed += 1,
            ChangeKind::Upgraded => self.upgraded += 1,
            ChangeKind::Downgraded => self.downgraded += 1,
            ChangeKind::Changed => self.changed += 1,
        }
    }

    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added + self.removed + self.upgraded + self.downgraded + self.changed == 0
    }
}

/// Packages of an ecosystem that only one side lists, from different producers: not
/// compared (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotCompared {
    /// The ecosystem.
    pub ecosystem: String,
    /// `old` or `new`: the side that lists them.
    pub side: String,
    /// How many packages.
    pub packages: usize,
    /// Why.
    pub reason: String,
}

/// The result of [`diff`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SbomDiff {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The old SBOM.
    pub old: Side,
    /// The new SBOM.
    pub new: Side,
    /// The image itself: subject, digest, base image, distribution, layers.
    pub image: ImageChanges,
    /// Totals (`all`) then one entry per ecosystem with a package on either side, sorted.
    pub counts: Vec<Counts>,
    /// Every package change, sorted by ecosystem, name, architecture, kind.
    pub changes: Vec<Change>,
    /// License changes (also for packages whose version changed), sorted like `changes`.
    pub license_changes: Vec<LicenseChange>,
    /// Ecosystems left out of the comparison.
    pub not_compared: Vec<NotCompared>,
    /// What the reader should know about how the two were compared.
    pub notes: Vec<String>,
}

impl SbomDiff {
    /// The totals.
    pub fn total(&self) -> &Counts {
        // `diff` always puts the total first.
        &self.counts[0]
    }

    /// True when there is any change of `kind`.
    pub fn has(&self, kind: ChangeKind) -> bool {
        self.changes.iter().any(|c| c.kind == kind)
    }

    /// True when nothing at all changed (packages, licenses or the image).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.license_changes.is_empty() && self.image.is_empty()
    }
}

/// Compares `old` and `new`; see the module docs.
pub fn diff(old: &Sbom, new: &Sbom, opts: &DiffOptions) -> SbomDiff {
    let same_producer = same_producer(old, new);
    let matched = matching::compare(old, new, same_producer);
    let license_changes = licenses::changes(old, &matched, same_producer, &opts.deny_licenses);
    let mut notes = Vec::new();
    if !same_producer {
        notes.push(format!(
            "The SBOMs come from different producers ({} and {}): licenses and suppliers of \
             packages at the same version are not compared, and ecosystems only one of them \
             lists are not compared.",
            producer_label(old),
            producer_label(new)
        ));
    }
    let mut total = Counts {
        ecosystem: "all".to_owned(),
        ..Counts::default()
    };
    let mut by_eco: std::collections::BTreeMap<String, Counts> = Default::default();
    for eco in &matched.ecosystems {
        by_eco.entry(eco.clone()).or_insert_with(|| Counts {
            ecosystem: eco.clone(),
            ..Counts::default()
        });
    }
    for c in &matched.changes {
        total.count(c.kind);
        if let Some(e) = by_eco.get_mut(&c.ecosystem) {
            e.count(c.kind);
        }
    }
    for (eco, n) in &matched.unchanged {
        total.unchanged += n;
        if let Some(e) = by_eco.get_mut(eco) {
            e.unchanged += n;
        }
    }
    let mut counts = vec![total];
    counts.extend(by_eco.into_values());
    SbomDiff {
        schema_version: SCHEMA_VERSION,
        old: side(old, "old"),
        new: side(new, "new"),
        image: image::changes(old, new, same_producer),
        counts,
        changes: matched.changes,
        license_changes,
        not_compared: matched.not_compared,
        notes,
    }
}

/// `syft 1.18.1 (SPDX)`: the producer and, for documents, the format family.
fn producer_label(s: &Sbom) -> String {
    use crate::model::DocumentFormat as F;
    match &s.document {
        Some(d) => match d.format {
            F::CycloneDxJson(_) | F::CycloneDxXml(_) => format!("{} (CycloneDX)", d.producer()),
            F::SpdxJson(_) | F::SpdxTagValue(_) => format!("{} (SPDX)", d.producer()),
        },
        None => format!("{} {}", s.tool.name, s.tool.version),
    }
}

/// One side's description.
fn side(s: &Sbom, _which: &str) -> Side {
    let (format, producer) = match &s.document {
        Some(d) => (d.format.to_string(), d.producer()),
        None => (
            "image".to_owned(),
            format!("{} {}", s.tool.name, s.tool.version),
        ),
    };
    Side {
        source: s.image.input.clone(),
        format,
        producer,
        subject: image::subject_label(s),
        packages: s.packages.len(),
    }
}

/// True when both SBOMs come from the same producer: the same tool (by name; versions may
/// differ) writing the same format family. A tool maps its findings onto CycloneDX and SPDX
/// differently (Syft names a supplier in SPDX but only a publisher in CycloneDX), so two
/// families compare like two tools. consign writes the same facts in every format (its
/// documents convert back byte for byte), so its scans and documents are one producer.
fn same_producer(old: &Sbom, new: &Sbom) -> bool {
    use crate::model::DocumentFormat as F;
    let id = |s: &Sbom| -> (Vec<String>, &'static str) {
        match &s.document {
            Some(d) => {
                let tools: Vec<String> = d
                    .tools
                    .iter()
                    .map(|t| t.name.to_ascii_lowercase())
                    .collect();
                let family = match d.format {
                    _ if tools == ["consign"] => "any",
                    F::CycloneDxJson(_) | F::CycloneDxXml(_) => "cyclonedx",
                    F::SpdxJson(_) | F::SpdxTagValue(_) => "spdx",
                };
                (tools, family)
            }
            None => (vec![s.tool.name.to_ascii_lowercase()], "any"),
        }
    };
    let ((ta, fa), (tb, fb)) = (id(old), id(new));
    !ta.is_empty() && ta == tb && (fa == fb || fa == "any" || fb == "any")
}

#[cfg(test)]
mod tests;
